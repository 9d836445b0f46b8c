//! The streaming accountant: consumes log records in time order and keeps
//! only what is unresolved.
//!
//! Ticks come from the schedule itself (robfig `Next` from the horizon
//! start), not from what the controller did, so a tick the controller never
//! considered still shows up and gets a reason.

use super::overlap::OverlapTracker;
use super::reasons::{Notes, Pending, late_reason, superseded_reason, unresolved_at_end};
use super::types::*;
use super::{MAX_ROWS, ON_TIME, SCHEMA_VERSION};
use crate::model::{Millis, Time};
use crate::policy::cronjob::Decision;
use crate::schedule::{Location, load_location};
use crate::schedule::{Schedule, ScheduleKind, Zone, format_rfc3339, kube};
use crate::sim::log::{DeletedBy, Entry, Fault, LogSink, Record};
use crate::sim::{CronJobMeta, Scenario, SimError, SimSummary};
use std::collections::{BTreeMap, VecDeque};

/// What the accountant must know besides the log.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub header: Header,
    pub local_zone: Zone,
    pub cronjobs: Vec<CronJobMeta>,
}

impl ReportInput {
    /// The input for a scenario, before it runs (so the accounting can
    /// stream alongside the simulation).
    pub fn from_scenario(name: &str, scenario: &Scenario) -> Result<ReportInput, SimError> {
        let metas = crate::sim::cronjob_metas(scenario)?;
        let local_name = scenario.controller.local_zone.clone().unwrap_or_else(|| "UTC".into());
        let local_zone = match load_location(&local_name) {
            Ok(Location::Zone(z)) => z,
            _ => Zone::Utc,
        };
        Ok(ReportInput {
            header: Header {
                scenario: name.to_string(),
                seed: scenario.seed,
                start: scenario.horizon.start,
                end: scenario.horizon.end,
                tzdb_version: chrono_tz::IANA_TZDB_VERSION.to_string(),
                cronwarp_version: env!("CARGO_PKG_VERSION").to_string(),
                local_zone: local_name,
            },
            local_zone,
            cronjobs: metas,
        })
    }

    /// The input for a simulation's summary.
    pub fn from_summary(scenario: &str, seed: u64, summary: &SimSummary) -> ReportInput {
        let local_name =
            summary.cronjobs.first().map(|c| c.local_zone.clone()).unwrap_or_else(|| "UTC".into());
        let local_zone = match load_location(&local_name) {
            Ok(Location::Zone(z)) => z,
            _ => Zone::Utc,
        };
        let (start, end) = summary
            .cronjobs
            .first()
            .map(|c| (c.horizon_start, c.horizon_end))
            .unwrap_or((summary.final_state.time, summary.final_state.time));
        ReportInput {
            header: Header {
                scenario: scenario.to_string(),
                seed,
                start,
                end,
                tzdb_version: chrono_tz::IANA_TZDB_VERSION.to_string(),
                cronwarp_version: env!("CARGO_PKG_VERSION").to_string(),
                local_zone: local_name,
            },
            local_zone,
            cronjobs: summary.cronjobs.clone(),
        }
    }
}

/// kube-controller-manager's downtime as the log has told it so far.
#[derive(Debug, Default)]
struct Downtime {
    /// Finished windows, [start, end).
    windows: Vec<(Time, Time)>,
    /// Down since this instant, not back yet.
    since: Option<Time>,
}

impl Downtime {
    fn covers(&self, t: Time) -> bool {
        self.since.is_some_and(|s| s <= t) || self.windows.iter().any(|&(s, e)| s <= t && t < e)
    }
}

/// Ticks count strictly after the horizon start, and not before the
/// CronJob existed; an `@every` schedule keeps the phase of its last
/// scheduled time (or its creation), as the controller's `Next(lastScheduleTime)`
/// chain does.
fn first_cursor(meta: &CronJobMeta, schedule: Option<&Schedule>) -> i64 {
    let start = meta.horizon_start.unix();
    let Some(origin) = meta.phase_origin.map(Time::unix) else { return start };
    match schedule.map(Schedule::kind) {
        Some(ScheduleKind::Every(d)) if origin <= start => {
            let d = i64::try_from(*d).unwrap_or(i64::MAX).max(1);
            origin + (start - origin) / d * d
        }
        Some(ScheduleKind::Every(_)) => origin,
        _ => start,
    }
}

/// One CronJob's running account.
struct Account {
    meta: CronJobMeta,
    schedule: Option<Schedule>,
    zone: Zone,
    /// The last tick drawn from the schedule (unix seconds).
    cursor: i64,
    exhausted: bool,
    pending: VecDeque<Pending>,
    /// Wall-clock minutes of recent ticks, to spot a fold's second firing.
    recent_walls: VecDeque<(i64, String)>,
    suspended: bool,
    deleted: bool,
    report: CronJobReport,
    overlap: OverlapTracker,
}

/// Jobs the accountant follows: owner, tick, terminal state, live pods.
#[derive(Debug, Clone, Default)]
struct JobState {
    cronjob: String,
    finished: Option<(Time, String)>,
    live_pods: u32,
    pods_created: u32,
    replaced: bool,
    removed: bool,
    running: bool,
}

/// Builds a [`Report`] from log records; feed it as a [`LogSink`], then
/// call [`Accountant::finish`].
pub struct Accountant {
    header: Header,
    accounts: BTreeMap<String, Account>,
    jobs: BTreeMap<String, JobState>,
    downtime: Downtime,
    now: Time,
}

impl Accountant {
    /// An accountant for the given CronJobs.
    pub fn new(input: ReportInput) -> Accountant {
        let mut accounts = BTreeMap::new();
        for meta in input.cronjobs {
            let acc = Account::new(meta, input.local_zone);
            accounts.insert(acc.meta.key.clone(), acc);
        }
        Accountant {
            header: input.header,
            accounts,
            jobs: BTreeMap::new(),
            downtime: Downtime::default(),
            now: Time(0),
        }
    }

    /// Resolves what is left at the horizon end and returns the report.
    pub fn finish(mut self) -> Report {
        let end = self.header.end;
        // The horizon is [start, end): a tick at `end` is outside it.
        for acc in self.accounts.values_mut() {
            acc.draw_ticks_until(end.add(-1), &self.downtime);
        }
        let down = self.downtime.since.is_some();
        for acc in self.accounts.values_mut() {
            while let Some(p) = acc.pending.pop_front() {
                let (outcome, why) = unresolved_at_end(&p, down, end);
                acc.push(p, outcome, None, None, why);
            }
            acc.overlap.close(end, &mut acc.report.overlaps);
        }
        for job in self.jobs.values() {
            if let Some(acc) = self.accounts.get_mut(&job.cronjob)
                && job.finished.is_none()
                && !job.replaced
            {
                acc.report.outcomes.unfinished += 1;
            }
        }
        Report {
            schema_version: SCHEMA_VERSION,
            header: self.header,
            cronjobs: self.accounts.into_values().map(|a| a.report).collect(),
            violations: Vec::new(),
            expectations_checked: 0,
        }
    }

    /// Draws one CronJob's ticks up to `t` into its pending queue. Only the
    /// CronJob a record concerns is brought up to date, so a record costs
    /// the same however many CronJobs the scenario has.
    fn advance(&mut self, object: &str, t: Time) {
        self.now = t;
        if let Some(acc) = self.accounts.get_mut(object) {
            acc.draw_ticks_until(t, &self.downtime);
        }
    }

    fn on_sync(&mut self, t: Time, object: &str, decision: &Decision) {
        let Some(acc) = self.accounts.get_mut(object) else { return };
        match decision {
            Decision::Created { tick, job, .. } => acc.started(*tick, t, job),
            Decision::Adopted { tick, job } => {
                acc.supersede_before(*tick);
                acc.resolve(*tick, TickOutcome::NotStarted, Some(job.clone()), None, |_| {
                    "same-minute name collision: a Job with this minute's name already existed, so the \
                     controller adopted it and created nothing"
                        .into()
                });
            }
            Decision::ForbidSkip { tick } => acc.note_at_or_before(*tick, |n| n.forbid = true),
            Decision::AlreadyProcessed { tick } => {
                acc.note_at_or_before(*tick, |n| n.collision = true);
            }
            Decision::EstimateDroppedMisses { .. } => acc.note_all(|n| n.estimate = true),
            Decision::Suspended => acc.note_all(|n| n.suspended = true),
            Decision::TooManyMissesGaveUp { tick } => {
                while acc.pending.front().is_some_and(|p| p.tick <= *tick) {
                    if let Some(p) = acc.pending.pop_front() {
                        let why =
                            "more than 100 missed ticks: the legacy (v1) controller gives up and starts \
                                   nothing"
                                .to_string();
                        acc.push(p, TickOutcome::NotStarted, None, None, why);
                    }
                }
            }
            Decision::Unparseable | Decision::InvalidSchedule | Decision::UnknownTimeZone => {
                acc.note_all(|n| n.invalid = true)
            }
            Decision::NothingDue => {
                if let Some(sds) = acc.meta.starting_deadline_seconds {
                    let cutoff = t.add(-sds.saturating_mul(1000));
                    acc.note_all_before(cutoff, |n| n.deadline = true);
                }
            }
            _ => {}
        }
    }

    fn on_fault(&mut self, fault: &Fault) {
        match fault {
            Fault::DowntimeStart { .. } => self.downtime.since = Some(self.now),
            Fault::DowntimeEnd { .. } => {
                if let Some(s) = self.downtime.since.take() {
                    self.downtime.windows.push((s, self.now));
                }
            }
            Fault::SpecChange { object, change } => {
                if let Some(acc) = self.accounts.get_mut(object) {
                    acc.spec_change(change);
                }
            }
            Fault::CronJobDeleted { object } => {
                if let Some(acc) = self.accounts.get_mut(object) {
                    acc.deleted = true;
                    while let Some(p) = acc.pending.pop_front() {
                        acc.push(p, TickOutcome::NotStarted, None, None, "the CronJob was deleted".into());
                    }
                }
            }
            _ => {}
        }
    }

    fn job_event(&mut self, t: Time, entry: &Entry) {
        match entry {
            Entry::JobCreated { job, cronjob, .. } => {
                let st = JobState { cronjob: cronjob.clone(), running: true, ..JobState::default() };
                self.jobs.insert(job.clone(), st);
                if let Some(acc) = self.accounts.get_mut(cronjob) {
                    acc.report.outcomes.created += 1;
                    acc.overlap.start(t, &mut acc.report.overlaps);
                }
            }
            Entry::JobFinished { job, condition, reason, .. } => {
                let Some(st) = self.jobs.get_mut(job) else { return };
                st.finished = Some((t, condition.clone()));
                let Some(acc) = self.accounts.get_mut(&st.cronjob) else { return };
                let o = &mut acc.report.outcomes;
                match (condition.as_str(), reason.as_str()) {
                    ("Complete", _) => o.succeeded += 1,
                    (_, "BackoffLimitExceeded") => o.backoff_limit_exceeded += 1,
                    (_, "DeadlineExceeded") => o.deadline_exceeded += 1,
                    _ => o.failed_other += 1,
                }
                if st.running && st.live_pods == 0 {
                    st.running = false;
                    acc.overlap.stop(t, st.replaced, &mut acc.report.overlaps);
                }
            }
            Entry::JobDeleted { job, by, .. } => {
                let Some(st) = self.jobs.get_mut(job) else { return };
                let Some(acc) = self.accounts.get_mut(&st.cronjob) else { return };
                if *by == DeletedBy::Replace && st.finished.is_none() {
                    st.replaced = true;
                    acc.report.outcomes.replaced += 1;
                    if st.running {
                        acc.overlap.replacing();
                    }
                }
                if matches!(by, DeletedBy::HistoryGc | DeletedBy::Ttl) {
                    let (condition, retained) = match &st.finished {
                        Some((at, c)) => (c.clone(), Some(t.since(*at))),
                        None => (String::new(), None),
                    };
                    let by = if *by == DeletedBy::Ttl { "TTL" } else { "HistoryGC" };
                    acc.summarize_deletion(by, &condition, retained);
                    if acc.report.deletions.len() < MAX_ROWS {
                        let row = DeletionRow { job: job.clone(), by: by.into(), at: t, condition, retained };
                        acc.report.deletions.push(row);
                    } else {
                        acc.report.deletions_omitted += 1;
                    }
                }
            }
            Entry::JobRemoved { job } => {
                if let Some(st) = self.jobs.get_mut(job) {
                    st.removed = true;
                }
                self.settle(t, job);
            }
            Entry::PodCreated { job, .. } => {
                if let Some(st) = self.jobs.get_mut(job) {
                    st.live_pods += 1;
                    st.pods_created += 1;
                    if st.pods_created > 1
                        && let Some(acc) = self.accounts.get_mut(&st.cronjob)
                    {
                        acc.report.outcomes.retries += 1;
                    }
                }
            }
            Entry::ContainerRestarted { job, .. } => {
                if let Some(acc) = self.jobs.get(job).and_then(|st| self.accounts.get_mut(&st.cronjob)) {
                    acc.report.outcomes.retries += 1;
                }
            }
            Entry::PodFinished { job, .. } => {
                if let Some(st) = self.jobs.get_mut(job) {
                    st.live_pods = st.live_pods.saturating_sub(1);
                }
                self.settle(t, job);
            }
            _ => {}
        }
    }

    /// A Job stops counting as running once it is finished or gone and its
    /// last pod has terminated.
    fn settle(&mut self, t: Time, job: &str) {
        let Some(st) = self.jobs.get_mut(job) else { return };
        let done = st.finished.is_some() || st.removed || st.replaced;
        if st.running && done && st.live_pods == 0 {
            st.running = false;
            let replaced = st.replaced;
            if let Some(acc) = self.accounts.get_mut(&st.cronjob) {
                acc.overlap.stop(t, replaced, &mut acc.report.overlaps);
            }
        }
        if st.removed && st.live_pods == 0 && !st.running {
            self.jobs.remove(job);
        }
    }
}

impl LogSink for Accountant {
    fn record(&mut self, record: Record) {
        let t = record.time;
        self.now = t;
        match &record.entry {
            Entry::Sync { object, decision: Some(d), .. } => {
                self.advance(object, t);
                self.on_sync(t, object, d)
            }
            Entry::Fault(f) => {
                if let Fault::SpecChange { object, .. } | Fault::CronJobDeleted { object } = f {
                    self.advance(object, t);
                }
                self.on_fault(f)
            }
            e => self.job_event(t, e),
        }
    }
}

impl Account {
    fn new(meta: CronJobMeta, local: Zone) -> Account {
        let f = kube::format_schedule(&meta.schedule, meta.time_zone.as_deref());
        let mut notes = Vec::new();
        let schedule = match kube::controller_parse(&f.text) {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("the schedule does not parse, so no tick exists: {e}"));
                None
            }
        };
        let zone = schedule.map(|s| s.zone(local)).unwrap_or(local);
        let report = CronJobReport {
            name: meta.key.clone(),
            schedule: meta.schedule.clone(),
            zone: zone.name().to_string(),
            concurrency_policy: meta.concurrency_policy.clone(),
            starting_deadline_seconds: meta.starting_deadline_seconds,
            ticks: TickCounts::default(),
            exceptions: Vec::new(),
            max_lateness: 0,
            notes,
            overlaps: Overlaps::default(),
            outcomes: Outcomes::default(),
            deletions: Vec::new(),
            deletions_omitted: 0,
            deletion_summary: Vec::new(),
            exceptions_omitted: 0,
        };
        Account {
            cursor: first_cursor(&meta, schedule.as_ref()),
            suspended: meta.suspended,
            meta,
            schedule,
            zone,
            exhausted: false,
            pending: VecDeque::new(),
            recent_walls: VecDeque::new(),
            deleted: false,
            report,
            overlap: OverlapTracker::default(),
        }
    }

    fn draw_ticks_until(&mut self, t: Time, downtime: &Downtime) {
        let Some(s) = self.schedule else { return };
        while !self.exhausted && !self.deleted {
            let Some(next) = s.next(self.cursor, self.zone) else {
                self.exhausted = true;
                break;
            };
            if next <= self.cursor {
                self.exhausted = true;
                self.report.notes.push(format!(
                    "robfig's Next does not advance past {}: the real controller stops scheduling here \
                     (or loops forever)",
                    format_rfc3339(next, self.zone)
                ));
                break;
            }
            let tick = Time::from_unix(next);
            if tick > t {
                break;
            }
            self.cursor = next;
            let fold_repeat = self.is_fold_repeat(next);
            let notes =
                Notes { down_at_tick: downtime.covers(tick), suspended: self.suspended, ..Notes::default() };
            self.pending.push_back(Pending { tick, fold_repeat, notes });
        }
    }

    /// Whether this tick repeats the wall-clock minute of a tick less than
    /// three hours before it: the second firing in a DST fall-back.
    fn is_fold_repeat(&mut self, unix: i64) -> bool {
        let wall = format_rfc3339(unix, self.zone);
        let minute = wall.get(..16).unwrap_or(&wall).to_string();
        while self.recent_walls.front().is_some_and(|(u, _)| unix - u > 3 * 3600) {
            self.recent_walls.pop_front();
        }
        let repeat = self.recent_walls.iter().any(|(_, w)| *w == minute);
        self.recent_walls.push_back((unix, minute));
        repeat
    }

    fn summarize_deletion(&mut self, by: &str, condition: &str, retained: Option<Millis>) {
        let kept = retained.unwrap_or(0);
        let sums = &mut self.report.deletion_summary;
        match sums.iter_mut().find(|d| d.by == by && d.condition == condition) {
            Some(d) => {
                d.count += 1;
                d.min_retained = d.min_retained.min(kept);
                d.max_retained = d.max_retained.max(kept);
            }
            None => {
                sums.push(DeletionSummary {
                    by: by.into(),
                    condition: condition.into(),
                    count: 1,
                    min_retained: kept,
                    max_retained: kept,
                });
                sums.sort_by(|a, b| (&a.by, &a.condition).cmp(&(&b.by, &b.condition)));
            }
        }
    }

    fn spec_change(&mut self, change: &str) {
        let (field, value) = change.split_once('=').unwrap_or((change, ""));
        match field {
            "suspend" => {
                self.suspended = value == "true";
                if self.suspended {
                    self.note_all(|n| n.suspended = true);
                }
            }
            "schedule" | "timeZone" => {
                if field == "schedule" {
                    self.meta.schedule = value.to_string();
                } else {
                    self.meta.time_zone = (!value.is_empty()).then(|| value.to_string());
                }
                let f = kube::format_schedule(&self.meta.schedule, self.meta.time_zone.as_deref());
                self.schedule = kube::controller_parse(&f.text).ok();
                self.exhausted = false;
                self.report.notes.push(format!("{field} changed to {value:?}"));
            }
            "startingDeadlineSeconds" => self.meta.starting_deadline_seconds = value.parse().ok(),
            "concurrencyPolicy" => self.meta.concurrency_policy = value.to_string(),
            _ => {}
        }
    }

    fn started(&mut self, tick: Time, at: Time, job: &str) {
        self.supersede_before(tick);
        let late_by = at.since(tick);
        let outcome = if late_by <= ON_TIME { TickOutcome::OnTime } else { TickOutcome::Late };
        // A catch-up of a tick before the horizon is not one of its ticks.
        if self.pending.iter().any(|p| p.tick == tick) {
            self.report.max_lateness = self.report.max_lateness.max(late_by);
        }
        self.resolve(tick, outcome, Some(job.to_string()), Some(late_by), late_reason);
    }

    /// Resolves the pending tick equal to `tick` (if it is pending).
    fn resolve(
        &mut self,
        tick: Time,
        outcome: TickOutcome,
        job: Option<String>,
        late_by: Option<Millis>,
        why: impl Fn(&Notes) -> String,
    ) {
        if let Some(i) = self.pending.iter().position(|p| p.tick == tick)
            && let Some(p) = self.pending.remove(i)
        {
            let w = why(&p.notes);
            self.push(p, outcome, job, late_by, w);
        }
    }

    /// Every pending tick before `tick` can no longer start: only the most
    /// recent due tick is ever started.
    fn supersede_before(&mut self, tick: Time) {
        while self.pending.front().is_some_and(|p| p.tick < tick) {
            if let Some(p) = self.pending.pop_front() {
                let why = superseded_reason(&p.notes, tick, self.zone);
                self.push(p, TickOutcome::NotStarted, None, None, why);
            }
        }
    }

    fn note_all(&mut self, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().for_each(|p| f(&mut p.notes));
    }

    fn note_all_before(&mut self, cutoff: Time, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().filter(|p| p.tick < cutoff).for_each(|p| f(&mut p.notes));
    }

    fn note_at_or_before(&mut self, tick: Time, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().filter(|p| p.tick <= tick).for_each(|p| f(&mut p.notes));
    }

    fn push(
        &mut self,
        p: Pending,
        outcome: TickOutcome,
        job: Option<String>,
        late_by: Option<Millis>,
        why: String,
    ) {
        let c = &mut self.report.ticks;
        c.total += 1;
        c.fold_repeats += u64::from(p.fold_repeat);
        match outcome {
            TickOutcome::OnTime => c.on_time += 1,
            TickOutcome::Late => c.late += 1,
            TickOutcome::NotStarted => c.not_started += 1,
            TickOutcome::Pending => c.pending += 1,
        }
        if outcome != TickOutcome::OnTime || p.fold_repeat {
            let why = if p.fold_repeat && outcome == TickOutcome::OnTime {
                "fired twice: the second firing of this wall time in a DST fall-back".to_string()
            } else {
                why
            };
            if self.report.exceptions.len() >= MAX_ROWS {
                self.report.exceptions_omitted += 1;
                return;
            }
            self.report.exceptions.push(TickRow {
                tick: p.tick,
                local: format_rfc3339(p.tick.unix(), self.zone),
                outcome,
                job,
                late_by,
                fold_repeat: p.fold_repeat,
                why,
            });
        }
    }
}
