//! The invariants, each a function from one run to the list of its
//! violations (empty when it holds), so a failure can print the scenario.

use cronwarp::model::{CronJob, Time};
use cronwarp::policy::cronjob::Decision;
use cronwarp::report::{Accountant, Report, ReportInput};
use cronwarp::schedule::{Location, Zone, kube, load_location};
use cronwarp::sim::edit::SpecEdit;
use cronwarp::sim::log::{Controller, Entry, Fault, LogSink, Record};
use cronwarp::sim::{Scenario, SimOptions, SimSummary, simulate_into};
use std::collections::{BTreeMap, BTreeSet};

/// One simulated and accounted run, with its bytes.
pub struct Run {
    pub log: Vec<Record>,
    pub summary: SimSummary,
    pub report: Report,
    /// The event log as JSON lines.
    pub log_bytes: String,
    /// The report as JSON.
    pub report_bytes: String,
}

/// Keeps the log and feeds the accountant as the simulation streams.
struct Tee {
    log: Vec<Record>,
    accountant: Accountant,
}

impl LogSink for Tee {
    fn record(&mut self, record: Record) {
        self.accountant.record(record.clone());
        self.log.push(record);
    }
}

/// Simulates and accounts a scenario as `cronwarp run` does.
pub fn run(sc: &Scenario) -> Result<Run, String> {
    let input = ReportInput::from_scenario("case.yaml", sc).map_err(|e| e.message)?;
    let mut tee = Tee { log: Vec::new(), accountant: Accountant::new(input) };
    let summary = simulate_into(sc, &mut tee, SimOptions::default()).map_err(|e| e.message)?;
    let report = tee.accountant.finish();
    let mut log_bytes = String::new();
    for r in &tee.log {
        log_bytes.push_str(&r.to_json_line());
        log_bytes.push('\n');
    }
    let report_bytes = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
    Ok(Run { log: tee.log, summary, report, log_bytes, report_bytes })
}

/// The controller's local zone as the simulator resolves it.
fn local_zone(sc: &Scenario) -> Zone {
    match load_location(sc.controller.local_zone.as_deref().unwrap_or("UTC")) {
        Ok(Location::Zone(z)) => z,
        _ => Zone::Utc,
    }
}

/// robfig ticks in the horizon `[start, end)`, walked with `Schedule::next`
/// as the controller's `formatSchedule` + `ParseStandard` sees the CronJob;
/// stops where `Next` stops advancing (docs/fidelity/schedules.md#sch-9).
/// The walk starts from the phase origin (`lastScheduleTime`, else
/// `creationTimestamp`) stepped up to the start: a tick at `start` counts
/// only when the origin is before it (the controller never fires at its
/// origin, and a CronJob without a creationTimestamp is created at the
/// start).
pub fn robfig_ticks(cj: &CronJob, local: Zone, start: Time, end: Time) -> u64 {
    let f = kube::format_schedule(&cj.spec.schedule, cj.spec.time_zone.as_deref());
    let Ok(s) = kube::controller_parse(&f.text) else { return 0 };
    let mut cur = start.unix();
    let origin = cj.status.last_schedule_time.or(cj.metadata.creation_timestamp).map(Time::unix);
    let every = match s.kind() {
        cronwarp::schedule::ScheduleKind::Every(d) => Some(*d as i64),
        _ => None,
    };
    match (every, origin) {
        (Some(_), Some(o)) if o >= cur => cur = o,
        (Some(d), Some(o)) => cur = o + (cur - 1 - o) / d * d,
        (None, Some(o)) if o < cur => cur -= 1,
        _ => {}
    }
    let mut n = 0;
    while let Some(next) = s.next(cur, local) {
        if next <= cur || Time::from_unix(next) >= end {
            break;
        }
        n += 1;
        cur = next;
    }
    n
}

/// Property 1: every tick is accounted exactly once, and (without schedule
/// edits) the ticks are exactly robfig's in `[start, end)`; no tick is
/// started twice unless `lagged` (a lagging informer can rerun a tick, as
/// upstream's can: see `a_lagging_informer_lets_forbid_overlap_and_rerun_a_tick`).
pub fn ticks_accounted_once(sc: &Scenario, edited: &[bool], lagged: bool, run: &Run) -> Vec<String> {
    let mut errs = Vec::new();
    let local = local_zone(sc);
    for (i, edited) in edited.iter().enumerate() {
        let name = format!("default/w{i}");
        let Some(r) = run.report.workloads.iter().find(|c| c.name == name) else {
            errs.push(format!("{name}: missing from the report"));
            continue;
        };
        let t = &r.ticks;
        if t.on_time + t.late + t.not_started + t.pending != t.total {
            errs.push(format!("{name}: outcomes do not sum to the total: {t:?}"));
        }
        let rows = r.exceptions.iter().filter(|x| x.outcome != cronwarp::report::TickOutcome::OnTime).count();
        if rows as u64 != t.late + t.not_started + t.pending {
            errs.push(format!("{name}: {rows} exception rows for {t:?}"));
        }
        if r.exceptions.windows(2).any(|w| w[0].tick >= w[1].tick) {
            errs.push(format!("{name}: exception rows not in strict tick order"));
        }
        if !edited {
            match sc.workload_objects(i) {
                Ok(objs) => {
                    let want = robfig_ticks(&objs.cronjob, local, sc.horizon.start, sc.horizon.end);
                    if t.total != want {
                        errs.push(format!("{name}: report total {} but robfig has {want} ticks", t.total));
                    }
                }
                Err(e) => errs.push(format!("{name}: {e}")),
            }
        }
    }
    let mut started: BTreeSet<(String, Time)> = BTreeSet::new();
    for rec in &run.log {
        if let Entry::Sync { object, decision: Some(Decision::Created { tick, .. }), .. } = &rec.entry
            && !started.insert((object.to_string(), *tick))
            && !lagged
        {
            errs.push(format!("{object}: tick {tick} started twice (again at {})", rec.time));
        }
    }
    errs
}

/// A Job as the log tells it.
#[derive(Debug, Default)]
struct JobFacts {
    cronjob: String,
    /// `Complete` or `Failed`.
    finished: Option<String>,
    /// Deleted (any cause) or removed from the store.
    gone: bool,
}

/// A CronJob's `status.active` and limits, replayed from the log.
#[derive(Debug, Default)]
struct CronJobFacts {
    policy: String,
    successful_limit: usize,
    failed_limit: usize,
    active: BTreeSet<String>,
    /// Forbid from the horizon start, never edited.
    forbid_from_start: bool,
    /// Jobs created since this CronJob's last sync record (the sync that
    /// created them is the next record for it).
    created: Vec<String>,
}

/// How much of the interesting ground a run covered, so the properties
/// cannot pass vacuously.
#[derive(Debug, Default, Clone, Copy)]
pub struct Coverage {
    pub ticks: u64,
    pub late: u64,
    pub not_started: u64,
    /// CronJob syncs checked under Forbid.
    pub forbid_syncs: u64,
    /// Forbid syncs that skipped a due tick (JobAlreadyActive).
    pub forbid_skips: u64,
    /// Syncs after which a history limit was exactly reached (> 0).
    pub syncs_at_limit: u64,
    pub gc_deletions: u64,
    pub ttl_deletions: u64,
    pub replace_deletions: u64,
    pub downtimes: u64,
    /// Jobs that came with the scenario (read from a "cluster").
    pub seeded_jobs: u64,
}

impl Coverage {
    /// Adds another run's counts.
    pub fn add(&mut self, o: &Coverage) {
        self.ticks += o.ticks;
        self.late += o.late;
        self.not_started += o.not_started;
        self.forbid_syncs += o.forbid_syncs;
        self.forbid_skips += o.forbid_skips;
        self.syncs_at_limit += o.syncs_at_limit;
        self.gc_deletions += o.gc_deletions;
        self.ttl_deletions += o.ttl_deletions;
        self.replace_deletions += o.replace_deletions;
        self.downtimes += o.downtimes;
        self.seeded_jobs += o.seeded_jobs;
    }
}

/// Properties 2 and 3, from one pass over the log.
///
/// `status.active` is replayed as `syncCronJob` maintains it (informer lag
/// is zero in generated scenarios, so the listers are the store): a sync
/// adds the Job it created and drops every Job it sees finished, deleted
/// (Replace, history GC) or gone. A sync whose worker hung never writes
/// its status. The replay is checked against the simulator's own final
/// `status.active`, so it is the simulator's list and not a model of it.
///
/// Property 2: under Forbid, a sync creates a Job only when `status.active`
/// (after dropping finished Jobs) is empty, and at most one; so a CronJob
/// that is Forbid from the start never has two Jobs in `status.active`
/// after a sync. (A CronJob switched to Forbid keeps the Jobs it started
/// under Allow until they finish, as upstream does.)
///
/// Property 3: after every CronJob sync, the CronJob's finished Jobs still
/// present number at most its history limits. That is exactly upstream's
/// guarantee: `sync` calls `cleanupFinishedJobs` first, on the Jobs the
/// lister holds when the sync starts, and deletes the oldest finished Jobs
/// beyond each limit; no Job finishes during a sync (the simulator runs one
/// actor at a time), so at the sync's log record every Job finished before
/// it has been trimmed. Between syncs the count may exceed the limit (a Job
/// finishing enqueues the CronJob, whose next sync trims it).
///
/// With a lagging informer (`lagged`) the listers are not the store, so
/// only "history GC deletes finished Jobs only" is checked.
pub fn active_and_history(sc: &Scenario, run: &Run, lagged: bool, cov: &mut Coverage) -> Vec<String> {
    use cronwarp::sim::log::DeletedBy;
    let mut errs = Vec::new();
    for r in &run.report.workloads {
        cov.ticks += r.ticks.total;
        cov.late += r.ticks.late;
        cov.not_started += r.ticks.not_started;
    }
    let mut cjs: BTreeMap<String, CronJobFacts> = BTreeMap::new();
    for i in 0..sc.workloads.len() {
        if let Ok(o) = sc.workload_objects(i) {
            let s = &o.cronjob.spec;
            let limit = |l: Option<i32>, d: usize| l.map_or(d, |l| usize::try_from(l).unwrap_or(0));
            cjs.insert(
                format!("{}/{}", o.cronjob.metadata.namespace, o.cronjob.metadata.name),
                CronJobFacts {
                    active: o
                        .cronjob
                        .status
                        .active
                        .iter()
                        .map(|r| format!("{}/{}", o.cronjob.metadata.namespace, r.name))
                        .collect(),
                    policy: s.policy().as_str().to_string(),
                    forbid_from_start: s.policy().as_str() == "Forbid",
                    successful_limit: limit(s.successful_jobs_history_limit, 3),
                    failed_limit: limit(s.failed_jobs_history_limit, 1),
                    ..CronJobFacts::default()
                },
            );
        }
    }
    let mut jobs: BTreeMap<String, JobFacts> = BTreeMap::new();
    for rec in &run.log {
        match &rec.entry {
            Entry::JobCreated { job, cronjob, seeded, .. } => {
                jobs.insert(
                    job.to_string(),
                    JobFacts { cronjob: cronjob.to_string(), ..JobFacts::default() },
                );
                cov.seeded_jobs += u64::from(*seeded);
                if let Some(c) = cjs.get_mut(cronjob.as_str()).filter(|_| !seeded) {
                    c.created.push(job.to_string());
                }
            }
            Entry::JobFinished { job, condition, .. } => {
                if let Some(j) = jobs.get_mut(job.as_str()) {
                    j.finished = Some(condition.to_string());
                }
            }
            Entry::JobDeleted { job, by, .. } => {
                match by {
                    DeletedBy::HistoryGc => cov.gc_deletions += 1,
                    DeletedBy::Ttl => cov.ttl_deletions += 1,
                    DeletedBy::Replace => cov.replace_deletions += 1,
                    _ => {}
                }
                if let Some(j) = jobs.get_mut(job.as_str()) {
                    if *by == DeletedBy::HistoryGc && j.finished.is_none() {
                        errs.push(format!("{}: history GC deleted the unfinished Job {job}", rec.time));
                    }
                    j.gone = true;
                }
            }
            Entry::JobRemoved { job } => {
                if let Some(j) = jobs.get_mut(job.as_str()) {
                    j.gone = true;
                }
            }
            Entry::Fault(Fault::DowntimeStart { .. }) => cov.downtimes += 1,
            Entry::Fault(Fault::SpecChange { object, change }) => {
                if let (Some(c), SpecEdit::ConcurrencyPolicy(p)) = (cjs.get_mut(object), change) {
                    c.policy = p.clone();
                    c.forbid_from_start = false;
                }
            }
            Entry::Sync { controller: Controller::Cronjob, object, decision: Some(d), .. } if !lagged => {
                let Some(c) = cjs.get_mut(object.as_str()) else { continue };
                let created = std::mem::take(&mut c.created);
                if matches!(d, Decision::WorkerHung { .. }) {
                    continue;
                }
                c.active.retain(|j| jobs.get(j).is_some_and(|f| f.finished.is_none() && !f.gone));
                if c.policy == "Forbid" {
                    cov.forbid_syncs += 1;
                    cov.forbid_skips += u64::from(matches!(d, Decision::ForbidSkip { .. }));
                    if !created.is_empty() && (created.len() > 1 || !c.active.is_empty()) {
                        errs.push(format!(
                            "{}: Forbid CronJob {object} created {created:?} with {:?} active",
                            rec.time, c.active
                        ));
                    }
                    if c.forbid_from_start && c.active.len() + created.len() > 1 {
                        errs.push(format!(
                            "{}: Forbid CronJob {object} has active {:?} + {created:?}",
                            rec.time, c.active
                        ));
                    }
                }
                c.active.extend(created);
                if matches!(d, Decision::Deleting) {
                    continue;
                }
                let kept = |cond: &str| {
                    jobs.values()
                        .filter(|j| j.cronjob == *object && !j.gone && j.finished.as_deref() == Some(cond))
                        .count()
                };
                let (ok, failed) = (kept("Complete"), kept("Failed"));
                let at_limit =
                    (ok > 0 && ok == c.successful_limit) || (failed > 0 && failed == c.failed_limit);
                cov.syncs_at_limit += u64::from(at_limit);
                if ok > c.successful_limit || failed > c.failed_limit {
                    errs.push(format!(
                        "{}: {object} keeps {ok} succeeded / {failed} failed Jobs after a sync (limits {} / {})",
                        rec.time, c.successful_limit, c.failed_limit
                    ));
                }
            }
            _ => {}
        }
    }
    for (k, cj) in run.summary.final_state.cronjobs.iter().filter(|_| !lagged) {
        let Some(c) = cjs.get(k) else { continue };
        let have: BTreeSet<String> =
            cj.status.active.iter().map(|r| format!("{}/{}", cj.metadata.namespace, r.name)).collect();
        if have != c.active {
            errs.push(format!("{k}: final status.active {have:?}, replayed from the log {:?}", c.active));
        }
    }
    errs
}

/// The log is well-formed: records in time order; every Job record names
/// a Job created before it and not yet removed; a Job finishes and leaves
/// the store at most once; the report counts exactly the Jobs created and
/// no more started ticks than Jobs. A name is created twice only when
/// `lagged` (a rerun tick whose first Job is gone).
pub fn log_consistent(run: &Run, lagged: bool) -> Vec<String> {
    let mut errs = Vec::new();
    if let Some(w) = run.log.windows(2).find(|w| w[1].time < w[0].time) {
        errs.push(format!("records out of order: {} then {}", w[0].to_json_line(), w[1].to_json_line()));
    }
    // Per Job: (CronJob, finished, removed).
    let mut jobs: BTreeMap<&str, (&str, bool, bool)> = BTreeMap::new();
    let mut created: BTreeMap<&str, u64> = BTreeMap::new();
    for rec in &run.log {
        let (job, what) = match &rec.entry {
            Entry::JobCreated { job, cronjob, .. } => {
                let again = jobs.insert(job, (cronjob, false, false));
                if again.is_some_and(|j| !lagged || !j.2) {
                    errs.push(format!("{}: {job} created twice", rec.time));
                }
                *created.entry(cronjob).or_default() += 1;
                continue;
            }
            Entry::JobStarted { job, .. } | Entry::JobDeleted { job, .. } => (job, ""),
            Entry::PodCreated { job, .. } => (job, "pod"),
            Entry::JobFinished { job, .. } => (job, "finished"),
            Entry::JobRemoved { job } => (job, "removed"),
            _ => continue,
        };
        let Some(j) = jobs.get_mut(job.as_str()) else {
            errs.push(format!("{}: {} names an unknown Job", rec.time, rec.to_json_line()));
            continue;
        };
        if j.2 {
            errs.push(format!("{}: {} after the Job left the store", rec.time, rec.to_json_line()));
        }
        match what {
            "finished" if j.1 => errs.push(format!("{}: {job} finished twice", rec.time)),
            "finished" => j.1 = true,
            "removed" => j.2 = true,
            _ => {}
        }
    }
    for r in &run.report.workloads {
        let n = created.get(r.name.as_str()).copied().unwrap_or(0);
        if r.outcomes.created != n {
            errs.push(format!("{}: report counts {} Jobs created, the log {n}", r.name, r.outcomes.created));
        }
        if r.ticks.on_time + r.ticks.late > n {
            errs.push(format!("{}: {:?} started ticks but {n} Jobs", r.name, r.ticks));
        }
    }
    errs
}
