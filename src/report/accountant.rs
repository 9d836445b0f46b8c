//! The streaming accountant: consumes log records in time order and keeps
//! only what is unresolved.
//!
//! Ticks come from the schedule itself (robfig `Next` from the horizon
//! start), not from what the controller did, so a tick the controller never
//! considered still shows up and gets a reason.

use super::SCHEMA_VERSION;
use super::account::{Account, Downtime};
use super::argo::{self, Workflows};
use super::crossplane::{self, Operations};
use super::fleet::{LoadOut, LoadSource, LoadWindow};
use super::input::ReportInput;
use super::types::*;
use super::{reasons, semantics};
use crate::model::{PodPhase, Time};
use crate::policy::EventType;
use crate::policy::cronjob::Decision;
use crate::sim::api_server::{FaultError, Resource};
use crate::sim::log::{Controller, DeletedBy, Entry, Fault, LogSink, Record};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::cmp::Reverse;
use std::sync::{Arc, Mutex};

/// Jobs the accountant follows: owner, tick, terminal state, live pods.
#[derive(Debug, Clone, Default)]
struct JobState {
    cronjob: SmolStr,
    finished: Option<(Time, SmolStr)>,
    live_pods: u32,
    /// Pods that ended Failed, and how many of them a new pod has replaced
    /// so far: a pod created while some failure is not yet replaced is a
    /// retry; the other pods (parallelism, completions) are not.
    failed_pods: u32,
    replacements: u32,
    replaced: bool,
    removed: bool,
    running: bool,
}

/// Accounts by workload key. Looked up once per record, so hashed (with a
/// fixed hasher: no per-process seed); [`in_key_order`] restores the key
/// order the report promises.
pub(super) type Accounts = FxHashMap<SmolStr, Account>;

/// The accounts' reports in key order.
fn in_key_order(accounts: Accounts) -> Vec<WorkloadReport> {
    let mut all: Vec<(SmolStr, Account)> = accounts.into_iter().collect();
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    all.into_iter().map(|(_, a)| a.report).collect()
}

/// Builds a [`Report`] from log records; feed it as a [`LogSink`], then
/// call [`Accountant::finish`].
pub struct Accountant {
    header: Header,
    accounts: Accounts,
    jobs: FxHashMap<SmolStr, JobState>,
    operations: Operations,
    workflows: Workflows,
    downtime: Downtime,
    now: Time,
    /// The fleet load, when counted: the records' deltas, and where they
    /// go ([`Accountant::with_fleet`], [`Accountant::share_load`]).
    load: Option<(LoadSource, LoadOut)>,
    /// By controller: how its capacity held syncs back.
    capacity: Vec<ControllerLoad>,
}

impl Accountant {
    /// An accountant for the given CronJobs and CronOperations.
    pub fn new(input: ReportInput) -> Accountant {
        let mut accounts = Accounts::default();
        let load =
            input.counts_load().then(|| (LoadSource::new(&input.workloads), LoadOut::Sweep(Box::default())));
        for meta in input.workloads {
            let acc = Account::new(meta, input.local_zone);
            accounts.insert(acc.meta.key.as_str().into(), acc);
        }
        Accountant {
            header: input.header,
            accounts,
            jobs: FxHashMap::default(),
            operations: Operations::default(),
            workflows: Workflows::default(),
            downtime: Downtime::default(),
            now: Time(0),
            load,
            capacity: Vec::new(),
        }
    }

    /// Also counts the fleet load (the report's `fleet`): Jobs, pods and
    /// requests of all workloads at each instant. An accountant counts it
    /// anyway for several workloads or any resource requests
    /// ([`ReportInput::counts_load`]). Only an accountant fed the merged
    /// log sees every workload; a split run's partitions
    /// [share](Accountant::share_load) theirs instead.
    pub fn with_fleet(mut self) -> Accountant {
        if self.load.is_none() {
            self.load = Some((self.load_source(), LoadOut::Sweep(Box::default())));
        }
        self
    }

    /// For one partition of a split run: adds the fleet-load deltas of its
    /// records into `window`, which all the run's partitions share, instead
    /// of counting them (the report of this accountant alone then has no
    /// `fleet`). Call [`Accountant::flush_load`] before sweeping the window.
    pub fn share_load(mut self, window: &Arc<Mutex<LoadWindow>>) -> Accountant {
        let out = LoadOut::Shared { window: Arc::clone(window), pending: None };
        self.load = Some((self.load_source(), out));
        self
    }

    /// Adds the last instant's fleet-load deltas into the shared window (at
    /// the end of a window, when every partition has reached it).
    pub fn flush_load(&mut self) {
        if let Some((_, out)) = self.load.as_mut() {
            out.flush();
        }
    }

    fn load_source(&self) -> LoadSource {
        LoadSource::new(self.accounts.values().map(|a| &a.meta))
    }

    /// Resolves what is left at the horizon end and returns the report.
    pub fn finish(mut self) -> Report {
        let fleet = match self.load.take() {
            Some((_, LoadOut::Sweep(sweep))) => Some((*sweep).finish()),
            _ => None,
        };
        let end = self.header.end;
        // The horizon is [start, end): a tick at `end` is outside it.
        for acc in self.accounts.values_mut() {
            acc.draw_ticks_until(end.add(-1), &self.downtime);
        }
        let down = self.downtime.since.is_some();
        for acc in self.accounts.values_mut() {
            acc.dst_flush(end);
            while let Some(p) = acc.pending.pop_front() {
                let (outcome, why) = semantics::of(acc.meta.kind).unresolved_at_end(&p, down, end);
                acc.push(p, outcome, None, None, |_| why);
            }
            acc.overlap.close(end, &mut acc.report.overlaps);
            // Crossplane resolves the ticks after an owed slot before the
            // slot itself (B1, #7524); rows are promised in tick order.
            acc.report.exceptions.sort_by_key(|x| x.tick);
        }
        self.operations.count_loops(&mut self.accounts, end);
        self.operations.count_unfinished(&mut self.accounts);
        self.workflows.count_unfinished(&mut self.accounts);
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
            workloads: in_key_order(self.accounts),
            violations: Vec::new(),
            expectations_checked: 0,
            fleet,
            capacity: self.capacity,
        }
    }

    /// One report from the accountants of a split run's partitions, each of
    /// which saw its own CronJobs' records and the control plane's faults:
    /// the same report one accountant of the merged log gives, since no
    /// CronJob's account reads another's records. `None` without parts.
    pub fn finish_parts(parts: Vec<Accountant>) -> Option<Report> {
        let whole = parts.len() == 1;
        let mut reports = parts.into_iter().map(Accountant::finish);
        let mut report = reports.next()?;
        if !whole {
            report.fleet = None;
        }
        for r in reports {
            report.workloads.extend(r.workloads);
            for c in r.capacity {
                let held = Held {
                    syncs: c.delayed_syncs,
                    wait: (c.longest_wait, c.longest_wait_at),
                    queued: (c.peak_queued, c.peak_queued_at),
                };
                merge_load(&mut report.capacity, &c.controller, held);
            }
        }
        report.workloads.sort_by(|a, b| a.name.cmp(&b.name));
        Some(report)
    }

    /// Draws one CronJob's ticks up to `t` into its pending queue. Only the
    /// CronJob a record concerns is brought up to date, so a record costs
    /// the same however many CronJobs the scenario has.
    ///
    /// `object` is a `SmolStr` where the record has one: the lookup then
    /// compares two `SmolStr`s (by pointer for clones on the heap) instead
    /// of calling `memcmp` on two `str`s.
    fn advance<Q>(&mut self, object: &Q, t: Time)
    where
        SmolStr: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        self.now = t;
        if let Some(acc) = self.accounts.get_mut(object) {
            acc.draw_ticks_until(t, &self.downtime);
        }
    }

    fn on_sync(&mut self, t: Time, object: &SmolStr, decision: &Decision) {
        let Some(acc) = self.accounts.get_mut(object) else { return };
        // Ticks that came while the controller backed off from refused
        // requests waited for its retry.
        if let Some(f) = acc.api_backoff {
            acc.note_at_or_before(t, |n| n.api_fault = n.api_fault.or(Some(f)));
            if matches!(decision, Decision::Created { .. }) {
                acc.api_backoff = None;
            }
        }
        match decision {
            Decision::Created { tick, job, .. } => acc.started(*tick, t, job),
            Decision::Adopted { tick, job } => {
                adopted_note(acc, t, *tick, job);
                acc.supersede_before(*tick);
                acc.resolve(*tick, TickOutcome::NotStarted, Some(job), None, |_| {
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
                        acc.push(p, TickOutcome::NotStarted, None, None, |_| why);
                    }
                }
            }
            Decision::Unparseable | Decision::InvalidSchedule | Decision::UnknownTimeZone => {
                acc.invalid = true;
                acc.note_all(|n| n.invalid = true)
            }
            Decision::NothingDue => {
                if let Some(sds) = acc.meta.starting_deadline_seconds {
                    if let Some(wrapped) = reasons::deadline_wrap(sds) {
                        // Go's window, where the overflow put it.
                        acc.note_all_before(t.add(wrapped), |n| n.deadline_overflow = true);
                    } else {
                        let cutoff = t.add(-sds.saturating_mul(1000));
                        acc.note_all_before(cutoff, |n| n.deadline = true);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_fault(&mut self, fault: &Fault) {
        match fault {
            // Both ends of a retention are stamped on the controllers'
            // clock (see JobDeleted), so the API server's skew changes none.
            Fault::ClockSkew { .. } => {}
            Fault::DowntimeStart { .. } => {
                self.argo_unregistered();
                self.downtime.since = Some(self.now);
            }
            Fault::DowntimeEnd { .. } => {
                if let Some(s) = self.downtime.since.take() {
                    self.downtime.windows.push((s, self.now));
                }
            }
            Fault::SpecChange { object, change } => {
                if let Some(acc) = self.accounts.get_mut(object.as_str()) {
                    if change.moves_ticks() {
                        acc.dst_flush(self.now);
                    }
                    acc.spec_change(change, self.now);
                }
            }
            Fault::CronJobDeleted { object } => {
                if let Some(acc) = self.accounts.get_mut(object.as_str()) {
                    acc.dst_flush(self.now);
                    acc.deleted = true;
                    let why = format!("the {:?} was deleted", acc.meta.kind);
                    while let Some(p) = acc.pending.pop_front() {
                        acc.push(p, TickOutcome::NotStarted, None, None, |_| why.clone());
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
            Entry::JobFinished { job, condition, reason, finished_at, .. } => {
                // The Job controller stamps the condition on its own clock,
                // kube-controller-manager's, in whole seconds.
                let finished_at = finished_at.unwrap_or_else(|| t.trunc_seconds());
                let Some(st) = self.jobs.get_mut(job) else { return };
                st.finished = Some((finished_at, condition.clone()));
                let Some(acc) = self.accounts.get_mut(&st.cronjob) else { return };
                if !acc.report.pod_faults.is_empty() {
                    acc.pod_fault_job_finished(job, condition, reason);
                }
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
                // The controllers' clock too, not the API server's
                // deletionTimestamp: the TTL controller adds the TTL to the
                // Job controller's finish stamp and compares it with its own
                // clock (ttlafterfinished `timeLeft`), so a clockSkew between
                // them and the API server cancels out; subtracting an API
                // stamp from a controller stamp read a 2h skew as a Job kept
                // for -1h45m.
                let deleted_at = t.trunc_seconds();
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
                    // Both ends in whole seconds (the finish time the TTL
                    // controller adds its TTL to), so a 900 s TTL reads
                    // 15m0s whatever the sub-second timing.
                    acc.record_deletion(job, *by, t, deleted_at, st.finished.as_ref());
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
                    if st.failed_pods > st.replacements {
                        st.replacements += 1;
                        if let Some(acc) = self.accounts.get_mut(&st.cronjob) {
                            acc.report.outcomes.retries += 1;
                        }
                    }
                }
            }
            Entry::ContainerRestarted { job, .. } => {
                if let Some(acc) = self.jobs.get(job).and_then(|st| self.accounts.get_mut(&st.cronjob)) {
                    acc.report.outcomes.retries += 1;
                }
            }
            Entry::PodFinished { job, phase, .. } => {
                if let Some(st) = self.jobs.get_mut(job) {
                    st.live_pods = st.live_pods.saturating_sub(1);
                    if *phase == PodPhase::Failed {
                        st.failed_pods += 1;
                    }
                }
                self.settle(t, job);
            }
            _ => {}
        }
    }

    /// The workflow-controller stops: every CronWorkflow loses its runner
    /// entries (its ticks drawn up to now first, under the old state).
    fn argo_unregistered(&mut self) {
        for acc in
            self.accounts.values_mut().filter(|a| a.meta.kind == crate::sim::WorkloadKind::CronWorkflow)
        {
            acc.draw_ticks_until(self.now, &self.downtime);
            acc.argo.registered = false;
        }
    }

    /// A Job stops counting as running once it is finished or gone and its
    /// last pod has terminated.
    fn settle(&mut self, t: Time, job: &SmolStr) {
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
        if let Some((source, out)) = self.load.as_mut()
            && let Some(d) = source.delta(&record)
        {
            out.add(d);
        }
        match &record.entry {
            Entry::Sync { object, decision: Some(d), .. } => {
                self.advance(object, t);
                self.on_sync(t, object, d)
            }
            Entry::Fault(Fault::ApiRequestFailed { resource, object, error, .. }) => {
                let workload = match resource {
                    Resource::Jobs => job_owner(object),
                    Resource::CronJobStatus => Some(object.as_str()),
                    _ => None,
                };
                if let Some(w) = workload.filter(|w| self.accounts.contains_key(*w)) {
                    let w = SmolStr::from(w);
                    self.advance(&w, t);
                    let fault = FaultError::from_name(error);
                    if let Some(acc) = self.accounts.get_mut(w.as_str()) {
                        acc.note_at_or_before(t, |n| n.api_fault = n.api_fault.or(fault));
                        acc.api_backoff = acc.api_backoff.or(fault);
                    }
                }
            }
            Entry::Fault(
                f @ (Fault::PodDisrupted { job, .. }
                | Fault::PodHeldPending { job, .. }
                | Fault::NodeLost { job, .. }),
            ) => {
                if let Some(acc) = self.jobs.get(job).and_then(|st| self.accounts.get_mut(&st.cronjob)) {
                    acc.pod_fault(t, f);
                }
            }
            Entry::Fault(f) => {
                if let Fault::SpecChange { object, .. } | Fault::CronJobDeleted { object } = f {
                    self.advance(object.as_str(), t);
                }
                self.on_fault(f)
            }
            Entry::CronOperationSync { object, decision, .. } => {
                self.advance(object, t);
                if let Some(acc) = self.accounts.get_mut(object) {
                    crossplane::on_sync(acc, t, decision);
                }
            }
            e @ (Entry::OperationCreated { .. }
            | Entry::OperationAttemptStarted { .. }
            | Entry::OperationAttemptFailed { .. }
            | Entry::OperationAttemptLost { .. }
            | Entry::OperationRetryLoop { .. }
            | Entry::OperationRetryLoopEnd { .. }
            | Entry::OperationFinished { .. }
            | Entry::OperationDeleted { .. }
            | Entry::OperationSync { .. }) => {
                if let Entry::OperationCreated { cronoperation, .. } = e {
                    self.advance(cronoperation, t);
                }
                self.operations.record(&mut self.accounts, t, e);
            }
            Entry::CronWorkflowRun { object, scheduled_time, duplicate, decision, .. } => {
                self.advance(object, t);
                if let Some(acc) = self.accounts.get_mut(object) {
                    argo::on_run(acc, *scheduled_time, *duplicate, decision);
                }
            }
            Entry::CronWorkflowRegistered { object, .. } => {
                self.advance(object, t);
                if let Some(acc) = self.accounts.get_mut(object) {
                    argo::on_registered(acc, t);
                }
            }
            e @ (Entry::WorkflowCreated { .. }
            | Entry::WorkflowFinished { .. }
            | Entry::WorkflowDeleted { .. }) => {
                if let Entry::WorkflowCreated { cronworkflow, .. } = e {
                    self.advance(cronworkflow, t);
                }
                self.workflows.record(&mut self.accounts, t, e);
            }
            Entry::Throttled { controller, object, waited, queued, .. } => {
                if matches!(controller, Controller::Cronjob | Controller::Cronoperation) {
                    self.advance(object, t);
                    if let Some(acc) = self.accounts.get_mut(object) {
                        let held = (*waited, *queued);
                        acc.note_at_or_before(t, |n| n.throttled = n.throttled.max(held));
                    }
                }
                let held = Held { syncs: 1, wait: (*waited, t), queued: (*queued, t) };
                merge_load(&mut self.capacity, controller.name(), held);
            }
            Entry::Event(ev) if ev.type_ == EventType::Warning => {
                if let Some(acc) = workload_of(&ev.object).and_then(|k| self.accounts.get_mut(k)) {
                    acc.warning(t, &ev.reason, &ev.message);
                }
            }
            e => self.job_event(t, e),
        }
    }

    fn wants_detail(&self) -> bool {
        false
    }
}

/// The CronJob key a Job key names by the controller's naming
/// (`<cronjob>-<scheduled minutes>`).
fn job_owner(job: &str) -> Option<&str> {
    let (owner, digits) = job.rsplit_once('-')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(owner)
}

/// Syncs a controller's capacity held back: how many, the longest wait
/// and the most keys queued, each with when.
struct Held {
    syncs: u64,
    wait: (crate::model::Millis, Time),
    queued: (u32, Time),
}

/// Adds one controller's figures to the rows (kept in controller order:
/// cronjob, job, ttl; a row is allocated once, not per record); earlier
/// instants win ties.
fn merge_load(rows: &mut Vec<ControllerLoad>, controller: &str, h: Held) {
    let Some(row) = rows.iter_mut().find(|r| r.controller == controller) else {
        rows.push(ControllerLoad {
            controller: controller.into(),
            delayed_syncs: h.syncs,
            longest_wait: h.wait.0,
            longest_wait_at: h.wait.1,
            peak_queued: h.queued.0,
            peak_queued_at: h.queued.1,
        });
        let rank = |name: &str| {
            ["cronjob", "job", "ttl", "cronoperation", "operation"].iter().position(|n| *n == name)
        };
        rows.sort_by_key(|r| rank(&r.controller));
        return;
    };
    row.delayed_syncs += h.syncs;
    if (h.wait.0, Reverse(h.wait.1)) > (row.longest_wait, Reverse(row.longest_wait_at)) {
        (row.longest_wait, row.longest_wait_at) = h.wait;
    }
    if (h.queued.0, Reverse(h.queued.1)) > (row.peak_queued, Reverse(row.peak_queued_at)) {
        (row.peak_queued, row.peak_queued_at) = h.queued;
    }
}

/// The workload key an Event's object names: `CronJob/<namespace>/<name>`
/// or `CronOperation/<name>`; `None` for the runs' own events (a Job's, an
/// Operation's), which the report counts by outcome instead.
fn workload_of(object: &str) -> Option<&str> {
    object.strip_prefix("CronJob/").or_else(|| object.strip_prefix("CronOperation/"))
}

/// The first adoption of a CronJob, said once: the Job for the tick
/// already existed although the controller's lister did not show it
/// (docs/fidelity/kubernetes-cronjob.md#cj-20, #cj-24).
fn adopted_note(acc: &mut Account, t: Time, tick: Time, job: &str) {
    const SAID: &str = "the controller's Job lister lagged the store";
    if acc.report.notes.iter().any(|n| n.contains(SAID)) {
        return;
    }
    acc.report.notes.push(format!(
        "{SAID}: at {t} it saw the {tick} tick as unmet, CREATE of {job} gave AlreadyExists, and it adopted \
         the existing Job instead of running the tick again (informer lag, or a first list behind the store)"
    ));
}
