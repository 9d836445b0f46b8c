//! One workload's running account: the ticks drawn from its schedule and
//! not yet resolved, and the report rows they resolve into.

use super::argo::ArgoState;
use super::crossplane::XpState;
use super::dst_notes::dst_notes;
use super::overlap::OverlapTracker;
use super::reasons::{Notes, Pending};
use super::semantics;
use super::types::*;
use super::{MAX_ROWS, ON_TIME};
use crate::model::{Millis, Time};
use crate::schedule::{Schedule, ScheduleKind, Zone, format_rfc3339, kube};
use crate::sim::WorkloadMeta;
use crate::sim::edit::SpecEdit;
use crate::sim::log::DeletedBy;
use smol_str::SmolStr;
use std::collections::VecDeque;

/// Controller downtime (kube-controller-manager and the Crossplane pod) as the log has told it so far.
#[derive(Debug, Default)]
pub(super) struct Downtime {
    /// Finished windows, [start, end).
    pub windows: Vec<(Time, Time)>,
    /// Down since this instant, not back yet.
    pub since: Option<Time>,
}

impl Downtime {
    pub(super) fn covers(&self, t: Time) -> bool {
        self.since.is_some_and(|s| s <= t) || self.windows.iter().any(|&(s, e)| s <= t && t < e)
    }
}

/// The cursor the ticks are drawn after (each tick is the schedule's `Next`
/// of the one before). The horizon is `[start, end)`: a tick at the start
/// itself counts, unless the workload's phase origin (`lastScheduleTime`,
/// else `creationTimestamp`) is not before it, since the controller's
/// `Next(lastScheduleTime)` chain never fires at its own origin (a
/// CronJob created at the start, or whose last run is the start's tick).
/// An `@every` schedule keeps the phase of that origin, as the chain does.
pub(super) fn first_cursor(meta: &WorkloadMeta, schedule: Option<&Schedule>) -> i64 {
    let start = meta.horizon_start.unix();
    let Some(origin) = meta.phase_origin.map(Time::unix) else { return start };
    if origin >= start {
        return match schedule.map(Schedule::kind) {
            Some(ScheduleKind::Every(_)) => origin,
            _ => start,
        };
    }
    // Just before the start, so that a tick at the start is drawn.
    let before = start - 1;
    match schedule.map(Schedule::kind) {
        Some(ScheduleKind::Every(d)) => {
            let d = i64::try_from(*d).unwrap_or(i64::MAX).max(1);
            origin + (before - origin) / d * d
        }
        _ => before,
    }
}

/// A CronWorkflow's schedules after its first, as its runner parses
/// them (those that do not parse have no ticks).
fn more_schedules(meta: &WorkloadMeta) -> Vec<Schedule> {
    let zone = meta.time_zone.as_deref();
    meta.more_schedules.iter().filter_map(|s| kube::controller_schedule(s, zone).1.ok()).collect()
}

/// One workload's (CronJob's or CronOperation's) running account.
pub(super) struct Account {
    pub meta: WorkloadMeta,
    pub schedule: Option<Schedule>,
    pub zone: Zone,
    /// The last tick drawn from the schedule (unix seconds).
    pub cursor: i64,
    /// The schedule's `next` after the cursor it was computed from: every
    /// sync record asks, and most find the next tick still ahead.
    pub upcoming: Option<(i64, Option<i64>)>,
    pub exhausted: bool,
    pub pending: VecDeque<Pending>,
    /// Wall-clock minutes of recent ticks, to spot a fold's second firing.
    pub recent_walls: RecentWalls,
    pub suspended: bool,
    /// The controller's last sync found the schedule or zone unusable
    /// (UnparseableSchedule, InvalidSchedule, UnknownTimeZone): it does not
    /// requeue, so every later tick passes without a sync until an edit.
    pub invalid: bool,
    pub deleted: bool,
    pub report: WorkloadReport,
    pub overlap: OverlapTracker,
    /// Crossplane's state as the log has shown it (CronOperations only).
    pub xp: XpState,
    /// Argo's state as the log has shown it (CronWorkflows only).
    pub argo: ArgoState,
    /// A CronWorkflow's schedules after the first: the ticks are the union.
    pub more: Vec<Schedule>,
    /// Start of the span whose DST notes are still to be written (the
    /// schedule may change in between).
    pub dst_from: Time,
    /// The last `schedule` or `timeZone` edit: ticks of the new schedule
    /// drawn after it, yet not after it, were due from the edit on.
    pub schedule_edited_at: Option<Time>,
    /// The API server refused the controller's requests and no Job has
    /// been created since: the controller is backing off, and a tick that
    /// comes meanwhile waits for the retry.
    pub api_backoff: Option<crate::sim::api_server::FaultError>,
}

impl Account {
    pub(super) fn new(meta: WorkloadMeta, local: Zone) -> Account {
        let mut notes = Vec::new();
        let schedule = match kube::controller_schedule(&meta.schedule, meta.time_zone.as_deref()).1 {
            Ok(s) => Some(s),
            Err(e) => {
                notes.push(format!("the schedule does not parse, so no tick exists: {e}"));
                None
            }
        };
        let zone = schedule.map(|s| s.zone(local)).unwrap_or(local);
        let more = more_schedules(&meta);
        let report = WorkloadReport {
            name: meta.key.clone(),
            kind: meta.kind,
            schedule: std::iter::once(&meta.schedule)
                .chain(&meta.more_schedules)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", "),
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
            warnings: Vec::new(),
            pod_faults: Vec::new(),
            pod_faults_omitted: 0,
        };
        let meta_start = meta.horizon_start;
        Account {
            api_backoff: None,
            cursor: first_cursor(&meta, schedule.as_ref()),
            upcoming: None,
            suspended: meta.suspended,
            invalid: false,
            meta,
            schedule,
            zone,
            exhausted: false,
            pending: VecDeque::new(),
            recent_walls: RecentWalls::default(),
            deleted: false,
            report,
            overlap: OverlapTracker::default(),
            xp: XpState::default(),
            argo: ArgoState::default(),
            more,
            dst_from: meta_start,
            schedule_edited_at: None,
        }
    }

    /// Notes DST gaps, folds and robfig deviations of the current schedule
    /// from `dst_from` to `until` (see [`dst_notes`]).
    pub(super) fn dst_flush(&mut self, until: Time) {
        if let Some(s) = &self.schedule
            && !self.deleted
        {
            let scheduler = semantics::of(self.meta.kind).scheduler();
            self.report.notes.extend(dst_notes(s, self.zone, self.dst_from, until, scheduler));
        }
        self.dst_from = until;
    }

    pub(super) fn draw_ticks_until(&mut self, t: Time, downtime: &Downtime) {
        let Some(s) = self.schedule else { return };
        while !self.exhausted && !self.deleted {
            let next = match self.upcoming {
                Some((from, next)) if from == self.cursor => next,
                _ => {
                    let mut next = s.next(self.cursor, self.zone);
                    for m in &self.more {
                        next = match (next, m.next(self.cursor, self.zone)) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                    }
                    self.upcoming = Some((self.cursor, next));
                    next
                }
            };
            let Some(next) = next else {
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
            let carried = self.xp.carried_notes(tick);
            let notes = Notes {
                down_at_tick: downtime.covers(tick),
                suspended: self.suspended,
                invalid: self.invalid,
                owed_by_edit: carried.owed_by_edit || self.schedule_edited_at.is_some_and(|e| tick <= e),
                argo: self.argo.carried_notes(self.meta.starting_deadline_seconds),
                ..carried
            };
            self.pending.push_back(Pending { tick, fold_repeat, notes });
        }
    }

    /// Whether this tick repeats the wall-clock minute of a tick less than
    /// three hours before it: the second firing in a DST fall-back.
    fn is_fold_repeat(&mut self, unix: i64) -> bool {
        // The local wall-clock minute, as a number: the minutes of the
        // RFC 3339 rendering without formatting it (once per tick).
        let minute = (unix + i64::from(self.zone.offset_at(unix))).div_euclid(60);
        self.recent_walls.repeats(unix, minute)
    }

    /// A history GC or TTL deletion of a finished (or not) run:
    /// `finished` is when it ended and its condition.
    pub(super) fn record_deletion(
        &mut self,
        run: &str,
        by: DeletedBy,
        at: Time,
        stamped_at: Time,
        finished: Option<&(Time, SmolStr)>,
    ) {
        let (condition, retained) = match finished {
            // A Job read from a manifest may say it finished after the
            // instant it is deleted (a clock ahead of the cluster's when the
            // dump was taken; upstream's TTL controller logs "finished in
            // the future" and waits): it was kept for no time at all.
            Some((end, c)) => (c.clone(), Some(stamped_at.since(*end).max(0))),
            None => (SmolStr::default(), None),
        };
        // Only the history limits and TTL delete finished runs (the callers
        // record no other deletions).
        let by = if by == DeletedBy::Ttl { DeletedBy::Ttl } else { DeletedBy::HistoryGc };
        self.summarize_deletion(by.name(), &condition, retained);
        if self.report.deletions.len() < MAX_ROWS {
            // The controllers write no other ending; the summary above keeps
            // the text whatever it is.
            let condition = RunEnd::from_name(&condition).unwrap_or(RunEnd::Unfinished);
            let row = DeletionRow { job: run.into(), by, at, condition, retained };
            self.report.deletions.push(row);
        } else {
            self.report.deletions_omitted += 1;
        }
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

    /// A Warning event about the workload: counted under its reason, the
    /// first one's time and message kept.
    pub(super) fn warning(&mut self, at: Time, reason: &str, message: &str) {
        match self.report.warnings.iter_mut().find(|w| w.reason == reason) {
            Some(w) => w.count += 1,
            None => self.report.warnings.push(WarningSummary {
                reason: reason.to_string(),
                count: 1,
                first: at,
                message: message.to_string(),
            }),
        }
    }

    pub(super) fn spec_change(&mut self, change: &SpecEdit, at: Time) {
        // An edit brings a sync, which decides afresh.
        self.invalid = false;
        if semantics::of(self.meta.kind).spec_change(self, change, at) {
            return;
        }
        match change {
            SpecEdit::Suspend(on) => {
                self.suspended = *on;
                if self.suspended {
                    self.note_all(|n| n.suspended = true);
                }
            }
            SpecEdit::Schedule(sched) => {
                self.meta.schedule = sched.clone();
                self.schedule_changed("schedule", sched, at);
            }
            SpecEdit::TimeZone(zone) => {
                self.meta.time_zone = zone.clone();
                self.schedule_changed("timeZone", zone.as_deref().unwrap_or(""), at);
            }
            SpecEdit::StartingDeadlineSeconds(d) => self.meta.starting_deadline_seconds = *d,
            SpecEdit::ConcurrencyPolicy(p) => self.meta.concurrency_policy = p.clone(),
            SpecEdit::Paused(_) | SpecEdit::Delete => {}
        }
    }

    /// The ticks follow the edited schedule (or zone) from now on; those of
    /// the new schedule up to the edit (`at`) are due from it on.
    fn schedule_changed(&mut self, field: &str, value: &str, at: Time) {
        self.schedule_edited_at = Some(at);
        self.schedule = kube::controller_schedule(&self.meta.schedule, self.meta.time_zone.as_deref()).1.ok();
        if field == "schedule" {
            // A CronWorkflow's edit sets `spec.schedules` to the one schedule.
            self.meta.more_schedules.clear();
        }
        self.more = more_schedules(&self.meta);
        self.upcoming = None;
        self.exhausted = false;
        self.report.notes.push(format!("{field} changed to {value:?}"));
    }

    pub(super) fn started(&mut self, tick: Time, at: Time, job: &str) {
        self.supersede_before(tick);
        let late_by = at.since(tick);
        let outcome = if late_by <= ON_TIME { TickOutcome::OnTime } else { TickOutcome::Late };
        // A catch-up of a tick before the horizon is not one of its ticks.
        if self.pending.iter().any(|p| p.tick == tick) {
            self.report.max_lateness = self.report.max_lateness.max(late_by);
        }
        let rules = semantics::of(self.meta.kind);
        self.resolve(tick, outcome, Some(job), Some(late_by), |n| rules.late_reason(n));
    }

    /// Resolves the pending tick equal to `tick` (if it is pending).
    pub(super) fn resolve(
        &mut self,
        tick: Time,
        outcome: TickOutcome,
        job: Option<&str>,
        late_by: Option<Millis>,
        why: impl FnOnce(&Notes) -> String,
    ) {
        if let Some(i) = self.pending.iter().position(|p| p.tick == tick)
            && let Some(p) = self.pending.remove(i)
        {
            self.push(p, outcome, job, late_by, why);
        }
    }

    /// Every pending tick before `tick` can no longer start: only the most
    /// recent due tick is ever started.
    pub(super) fn supersede_before(&mut self, tick: Time) {
        while self.pending.front().is_some_and(|p| p.tick < tick) {
            if let Some(p) = self.pending.pop_front() {
                let (rules, zone) = (semantics::of(self.meta.kind), self.zone);
                self.push(p, TickOutcome::NotStarted, None, None, |n| rules.superseded_reason(n, tick, zone));
            }
        }
    }

    pub(super) fn note_all(&mut self, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().for_each(|p| f(&mut p.notes));
    }

    pub(super) fn note_all_before(&mut self, cutoff: Time, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().filter(|p| p.tick < cutoff).for_each(|p| f(&mut p.notes));
    }

    pub(super) fn note_at_or_before(&mut self, tick: Time, f: impl Fn(&mut Notes)) {
        self.pending.iter_mut().filter(|p| p.tick <= tick).for_each(|p| f(&mut p.notes));
    }

    /// Counts a settled tick; one not started on time also gets a row, up
    /// to [`MAX_ROWS`]. The row's Job name and reason (`why`, from the
    /// tick's notes) are built only for a row that is kept: most ticks run
    /// on time, and a saturated fleet has thousands of late ones past the
    /// cap.
    pub(super) fn push(
        &mut self,
        p: Pending,
        outcome: TickOutcome,
        job: Option<&str>,
        late_by: Option<Millis>,
        why: impl FnOnce(&Notes) -> String,
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
        // Only ticks not started on time are exceptions. A DST fold's
        // second firing that ran on time shows in `ticks.foldRepeats` and
        // in the DST notes, not here.
        if outcome != TickOutcome::OnTime {
            if self.report.exceptions.len() >= MAX_ROWS {
                self.report.exceptions_omitted += 1;
                return;
            }
            self.report.exceptions.push(TickRow {
                tick: p.tick,
                local: format_rfc3339(p.tick.unix(), self.zone),
                outcome,
                job: job.map(str::to_string),
                late_by,
                fold_repeat: p.fold_repeat,
                why: why(&p.notes),
            });
        }
    }
}

/// The wall-clock minutes of the ticks of the last three hours, for
/// [`Account::is_fold_repeat`].
#[derive(Debug, Default, Clone)]
pub(super) struct RecentWalls {
    /// `(unix, wall minute)` of each tick, oldest first.
    all: VecDeque<(i64, i64)>,
    /// The window's largest wall minute, as a sliding maximum (ticks of
    /// strictly decreasing wall minutes, oldest first). A tick past it
    /// repeats none, and outside a fall-back every tick is, so the window
    /// is scanned only there: a minutely schedule keeps 180 ticks in it,
    /// and scanning them at every tick took 1.3% of a run.
    max: VecDeque<(i64, i64)>,
}

impl RecentWalls {
    /// Whether the tick at `unix`, of wall-clock minute `minute`, repeats
    /// the wall minute of a tick less than three hours before it; records
    /// the tick. Ticks come in increasing `unix` order.
    pub(super) fn repeats(&mut self, unix: i64, minute: i64) -> bool {
        let expire = |q: &mut VecDeque<(i64, i64)>| {
            while q.front().is_some_and(|(u, _)| unix - u > 3 * 3600) {
                q.pop_front();
            }
        };
        expire(&mut self.all);
        expire(&mut self.max);
        let repeat = self.max.front().is_some_and(|&(_, most)| minute <= most)
            && self.all.iter().any(|&(_, w)| w == minute);
        self.all.push_back((unix, minute));
        while self.max.back().is_some_and(|&(_, w)| w <= minute) {
            self.max.pop_back();
        }
        self.max.push_back((unix, minute));
        repeat
    }
}

#[cfg(test)]
mod tests {
    use super::RecentWalls;

    /// The sliding maximum answers as a scan of the whole window does,
    /// through fall-backs (repeats) and spring-forwards alike.
    #[test]
    fn recent_walls_agree_with_a_scan_of_the_window() {
        let mut walls = RecentWalls::default();
        let mut window: Vec<(i64, i64)> = Vec::new();
        let (mut unix, mut offset, mut state, mut repeats) = (0i64, 3600i64, 1u64, 0);
        for i in 0..20_000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            unix += 60 * (1 + (state >> 60) as i64);
            if i % 97 == 0 {
                offset += if (state >> 40) & 1 == 0 { -3600 } else { 1800 };
            }
            let minute = (unix + offset).div_euclid(60);
            window.retain(|(u, _)| unix - u <= 3 * 3600);
            let scanned = window.iter().any(|&(_, w)| w == minute);
            window.push((unix, minute));
            repeats += usize::from(scanned);
            assert_eq!(walls.repeats(unix, minute), scanned, "tick {i} at {unix}");
        }
        assert!(repeats > 50, "the walk must cross fall-backs: {repeats} repeats");
    }
}
