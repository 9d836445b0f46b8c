//! The Operation controller actor: controller-runtime's `reconcileHandler`
//! around [`reconcile_operation`] (crossplane
//! `internal/controller/ops/operation/reconciler.go`), with its watch
//! (`For(Operation)` filtered per [`operation_wakes_on`]) and work queue.
//!
//! An Operation reconcile is one attempt: its Running write lands at once,
//! its final write `elapsed` later (a wake-up of this actor); while it runs
//! the key is being processed, so further adds of it are dropped (only a
//! deletion, which the end of the attempt notices anyway, can add it then),
//! and the attempt holds one of the controller's workers
//! ([`crate::sim::crossplane_capacity`]).
//! When the Crossplane pod stops, attempts in flight are lost: their final
//! writes never happen.
//!
//! An Operation whose every attempt hits the 2-minute timeout retries for
//! ever: the failure is never recorded (`Reconcile`'s status write runs
//! under the expired context), and once the rate limiter reaches its cap
//! an attempt starts every 3 minutes, each the same as the last. Under
//! `Allow` a new one joins every slot, so stepping them costs the square of
//! the horizon (14 million attempts for a daily 2-minute job over eight
//! months). Such a loop is fast-forwarded: from the attempt that reaches
//! the cap, the actor only notes when the loop began
//! ([`Entry::OperationRetryLoop`]), and works out how many attempts it ran
//! when a fault or edit interrupts it ([`Entry::OperationRetryLoopEnd`])
//! or the horizon ends (the report counts them). It does so only while
//! nothing can tell the difference: the CronOperation is settled (its
//! reconciles, which each attempt's status write triggers, find nothing to
//! do), the clocks agree and informers have no lag.

use super::SimFunctions;
use super::cronoperation::requeue_instants;
use crate::model::crossplane::{LABEL_CRONOPERATION_NAME, Operation};
use crate::model::{Millis, Time};
use crate::policy::ApiError;
use crate::policy::crossplane::{
    ATTEMPT_TIMEOUT, AttemptFailure, CrossplaneApi, FunctionRunner, OperationDecision, OperationOutcome,
    RETRY_BASE, RETRY_MAX, Trigger, operation_wakes_on, reconcile_operation,
};
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{ApiServer, Change, Kinds, owner_of};
use crate::sim::log::{Controller, Entry};
use crate::sim::queue::WorkQueue;
use crate::sim::rng;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// An attempt in flight: what it will write when it ends.
#[derive(Debug, Clone)]
struct Flight {
    outcome: OperationOutcome,
    /// The final status write, deferred to the attempt's end.
    pending: Option<Operation>,
    /// When the attempt ends (its worker is busy until then).
    ends: Time,
}

/// From one attempt's start to the next's in a retry loop: the timeout,
/// then the rate limiter's cap.
pub const LOOP_PERIOD: Millis = ATTEMPT_TIMEOUT + RETRY_MAX;

/// An Operation whose retries are fast-forwarded.
#[derive(Debug, Clone)]
struct Loop {
    /// When its first attempt not stepped starts.
    first: Time,
    /// The attempt each of them repeats.
    flight: Flight,
    /// The rate limiter's count for it.
    failures: u32,
}

/// The Operation controller, with the simulator's bookkeeping of runs.
#[derive(Debug)]
pub struct OperationController {
    queue: WorkQueue,
    /// Attempts running now, by Operation.
    in_flight: BTreeMap<SmolStr, Flight>,
    /// Retry loops being fast-forwarded, by Operation.
    loops: BTreeMap<SmolStr, Loop>,
    /// Each Operation's workload and run index (simulator bookkeeping:
    /// survives restarts).
    runs: BTreeMap<SmolStr, (SmolStr, u64)>,
    /// Attempts started per Operation (likewise).
    attempts: BTreeMap<SmolStr, u32>,
}

impl Default for OperationController {
    fn default() -> Self {
        OperationController {
            queue: WorkQueue::with_backoff(RETRY_BASE, RETRY_MAX),
            in_flight: BTreeMap::new(),
            loops: BTreeMap::new(),
            runs: BTreeMap::new(),
            attempts: BTreeMap::new(),
        }
    }
}

impl Actor for OperationController {
    fn process(&self) -> Process {
        Process::Crossplane
    }

    fn watches(&self) -> Kinds {
        Kinds::OPERATION
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn observe(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::Operation { name, trigger: Trigger::Created, .. } => {
                if let Some(op) = core.api.operations.get(name) {
                    let op = op.clone();
                    self.assign_run(core, &op);
                }
            }
            Change::Operation { name, trigger: Trigger::Deleted, .. } => {
                // Bookkeeping of Operations that are gone: memory stays
                // flat however long the horizon.
                self.runs.remove(name);
                self.attempts.remove(name);
                self.loops.remove(name);
            }
            _ => {}
        }
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        if let Change::Operation { name, trigger, .. } = change
            && operation_wakes_on(*trigger)
        {
            core.enqueue(&mut self.queue, name, Enqueue::Now);
        }
    }

    fn client(&self) -> Option<crate::sim::capacity::Client> {
        Some(crate::sim::capacity::Client::Operation)
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        if !self.in_flight.contains_key(key)
            && let Some(after) = core.admit_reconcile(Controller::Operation, key)
        {
            // controller-runtime on `RequeueAfter`: Forget, then AddAfter.
            self.queue.forget(key);
            core.enqueue(&mut self.queue, key, Enqueue::After(after));
            return;
        }
        self.reconcile(core, key);
    }

    fn busy_until(&self, key: &SmolStr) -> Option<Time> {
        self.in_flight.get(key).map(|f| f.ends)
    }

    /// The end of an attempt; `token` is the Crossplane pod's epoch when it
    /// started.
    fn on_wake(&mut self, core: &mut Core, key: &SmolStr, token: u64) {
        if token != core.process(Process::Crossplane).epoch {
            return;
        }
        if let Some(flight) = self.in_flight.remove(key) {
            self.attempt_end(core, key, flight);
        }
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::Operation(name) = object {
            core.enqueue(&mut self.queue, name, Enqueue::Now);
        }
    }

    fn stop(&mut self, core: &mut Core) {
        for operation in std::mem::take(&mut self.in_flight).into_keys() {
            core.emit(Entry::OperationAttemptLost { operation });
        }
        self.queue.clear();
    }

    fn interrupt(&mut self, core: &mut Core) {
        for (name, l) in std::mem::take(&mut self.loops) {
            self.resume(core, &name, l);
        }
    }
}

impl OperationController {
    /// Gives an Operation its workload and run index (the n-th Operation
    /// of that CronOperation), once.
    fn assign_run(&mut self, core: &mut Core, op: &Operation) {
        let name = op.metadata.name.clone();
        if self.runs.contains_key(&name) {
            return;
        }
        let Some(co) = owner_of(op).or_else(|| op.metadata.labels.get(LABEL_CRONOPERATION_NAME).cloned())
        else {
            return;
        };
        let run = core.next_run(&co);
        self.runs.insert(name, (co, run));
    }

    /// One Operation reconcile: an attempt starts now and ends `elapsed`
    /// later, or (no attempt) ends at once.
    fn reconcile(&mut self, core: &mut Core, name: &SmolStr) {
        if self.in_flight.contains_key(name) {
            return;
        }
        let Some(op) = core.api.operations.get(name).cloned() else {
            self.queue.forget(name);
            return;
        };
        let (co, run) = self.runs.get(name).cloned().unwrap_or_default();
        let started = self.attempts.get(name).copied().unwrap_or(0);
        let behaviour = core.workloads.get(&co).map(|w| w.behaviour.clone()).unwrap_or_default();
        let tick = crate::policy::crossplane::slot_from_name(&co, name);
        let mut fns = SimFunctions::new(&behaviour, rng::run_stream(core.seed, &co, tick, run), run, started);
        let now = core.now();
        let (outcome, pending) = run_attempt(&mut core.api, &mut fns, &op, now);
        if matches!(
            outcome.decision,
            OperationDecision::AttemptFailed { .. }
                | OperationDecision::InvalidInput { .. }
                | OperationDecision::Succeeded { .. }
        ) {
            self.attempts.insert(name.clone(), started + 1);
            core.emit(Entry::OperationAttemptStarted { operation: name.clone(), attempt: started + 1 });
        }
        let elapsed: Millis = outcome.elapsed;
        let flight = Flight { outcome, pending, ends: now.add(elapsed.max(0)) };
        if elapsed <= 0 {
            self.attempt_end(core, name, flight);
            return;
        }
        self.in_flight.insert(name.clone(), flight);
        let epoch = core.process(Process::Crossplane).epoch;
        core.wake_at(now.add(elapsed), name, epoch);
    }

    /// The end of an attempt: its final status write, events and requeue;
    /// a retry loop from here on is fast-forwarded.
    fn attempt_end(&mut self, core: &mut Core, name: &SmolStr, flight: Flight) {
        let template = loops_for_ever(&flight).then(|| flight.clone());
        if let Some(retry_at) = self.end_attempt(core, name, flight)
            && let Some(flight) = template
            && self.may_fast_forward(core, name, retry_at)
        {
            self.queue.cancel_timer(name);
            let failures = self.queue.failures(name);
            self.loops.insert(name.clone(), Loop { first: retry_at, flight, failures });
            core.emit(Entry::OperationRetryLoop {
                operation: name.clone(),
                first: retry_at,
                period: LOOP_PERIOD,
            });
        }
    }

    /// Whether the next attempts of `name`, the first at `retry_at`, will
    /// each be the last one again, with nothing else to tell them apart:
    /// the rate limiter is at its cap, every later attempt of the run lasts
    /// the whole timeout, and the CronOperation is settled (see the module
    /// documentation).
    fn may_fast_forward(&self, core: &Core, name: &SmolStr, retry_at: Time) -> bool {
        let Some((co, run)) = self.runs.get(name) else { return false };
        let next = self.attempts.get(name).copied().unwrap_or(0);
        let op_live = core.api.operations.get(name).is_some_and(|o| o.metadata.deletion_timestamp.is_none());
        retry_at == core.now().add(RETRY_MAX)
            && op_live
            && core.api.skew == 0
            && core.process(Process::Crossplane).informer_lag == 0
            && core.api.cronoperations.contains_key(co)
            && core
                .workloads
                .get(co)
                .is_some_and(|w| w.settled && w.behaviour.attempts_last_at_least(*run, next, ATTEMPT_TIMEOUT))
    }

    /// Brings a fast-forwarded loop up to now: the attempts it started
    /// before now count, the last one still runs if it has not reached its
    /// end, and otherwise the next waits in the queue. An attempt that
    /// would start, or end, at this very instant comes after what
    /// interrupts it, as the scenario's events come first at an instant.
    fn resume(&mut self, core: &mut Core, name: &SmolStr, l: Loop) {
        let now = core.now();
        let elapsed = now.since(l.first);
        let started = if elapsed > 0 { (elapsed - 1) / LOOP_PERIOD + 1 } else { 0 };
        let last_start = l.first.add((started - 1) * LOOP_PERIOD);
        let in_flight = started > 0 && now <= last_start.add(ATTEMPT_TIMEOUT);
        let attempts = self.attempts.entry(name.clone()).or_insert(0);
        *attempts = attempts.saturating_add(u32::try_from(started).unwrap_or(u32::MAX));
        core.emit(Entry::OperationRetryLoopEnd {
            operation: name.clone(),
            attempts: started.unsigned_abs(),
            in_flight,
        });
        self.queue.set_failures(name, l.failures);
        if in_flight {
            let epoch = core.process(Process::Crossplane).epoch;
            let ends = last_start.add(ATTEMPT_TIMEOUT);
            self.in_flight.insert(name.clone(), Flight { ends, ..l.flight });
            core.wake_at(ends, name, epoch);
        } else {
            let next = l.first.add(started * LOOP_PERIOD);
            core.enqueue(&mut self.queue, name, Enqueue::After(next.since(now)));
        }
    }

    /// [`OperationController::attempt_end`]'s writes and records; the
    /// instant of the rate-limited retry, if there is one.
    fn end_attempt(&mut self, core: &mut Core, name: &SmolStr, flight: Flight) -> Option<Time> {
        if let Some(op) = &flight.pending {
            // NotFound when Replace or the scenario deleted it meanwhile.
            let _ = core.api.write_operation_status(op);
        }
        core.flush_api_log();
        let out = flight.outcome;
        let stored = core.api.operations.get(name).map(|o| o.status.failures);
        if let (OperationDecision::AttemptFailed { error, .. }, Some(failures)) = (&out.decision, stored) {
            core.emit(Entry::OperationAttemptFailed {
                operation: name.clone(),
                failures,
                error: error.into(),
            });
        }
        for e in &out.events {
            core.emit(Entry::Event(e.clone()));
        }
        let (requeue_at, retry_at) = if stored.is_some() {
            requeue_instants(core, &mut self.queue, name, &out.requeue)
        } else {
            self.queue.forget(name);
            (None, None)
        };
        core.emit(Entry::OperationSync {
            object: name.clone(),
            requeue_at,
            retry_at,
            decision: Box::new(out.decision),
        });
        retry_at
    }
}

/// An attempt that timed out and lost its failure (no final write): the
/// next one starts the same way.
fn loops_for_ever(flight: &Flight) -> bool {
    flight.pending.is_none()
        && matches!(
            flight.outcome.decision,
            OperationDecision::AttemptFailed { failure: AttemptFailure::Timeout { .. }, .. }
        )
}

/// The store as one attempt sees it: the first status write (Succeeded=
/// Unknown/PipelineRunning) goes through at once; later ones are kept for
/// the attempt's end.
struct AttemptApi<'a> {
    store: &'a mut ApiServer,
    wrote_first: bool,
    pending: Option<Operation>,
}

impl CrossplaneApi for AttemptApi<'_> {
    fn list_operations(&mut self, cronoperation: &str) -> Result<Vec<std::sync::Arc<Operation>>, ApiError> {
        self.store.list_operations(cronoperation)
    }
    fn create_operation(&mut self, op: Operation) -> Result<Operation, ApiError> {
        self.store.create_operation(op)
    }
    fn delete_operation(&mut self, name: &str) -> Result<(), ApiError> {
        self.store.delete_operation(name)
    }
    fn update_cronoperation_status(
        &mut self,
        co: &crate::model::crossplane::CronOperation,
    ) -> Result<(), ApiError> {
        self.store.update_cronoperation_status(co)
    }
    fn update_operation_status(&mut self, op: &Operation) -> Result<(), ApiError> {
        if self.wrote_first {
            self.pending = Some(op.clone());
            return Ok(());
        }
        self.wrote_first = true;
        self.store.update_operation_status(op)
    }
    fn get_secret(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        self.store.get_secret(namespace, name)
    }
    fn apply_resource(&mut self, op: &Operation, name: &str, r: &serde_json::Value) -> Result<(), ApiError> {
        self.store.apply_resource(op, name, r)
    }
}

/// Runs one reconcile of `op` against the store, deferring its final write.
fn run_attempt(
    store: &mut ApiServer,
    fns: &mut dyn FunctionRunner,
    op: &Operation,
    now: Time,
) -> (crate::policy::crossplane::OperationOutcome, Option<Operation>) {
    let mut api = AttemptApi { store, wrote_first: false, pending: None };
    let outcome = reconcile_operation(&mut api, fns, op, now);
    (outcome, api.pending)
}

/// The CronOperations of `scenario` whose every attempt lasts the whole
/// 2-minute timeout, by name: each of their Operations retries for ever
/// (an attempt every [`LOOP_PERIOD`] until the horizon end), which the
/// simulator fast-forwards. A scenario it cannot read has none.
pub fn retrying_for_ever(scenario: &crate::sim::Scenario) -> Vec<String> {
    (0..scenario.workloads.len())
        .filter(|&i| scenario.workloads[i].behaviour.always_lasts_at_least(ATTEMPT_TIMEOUT))
        .filter_map(|i| match scenario.workload(i) {
            Ok(crate::sim::scenario::WorkloadSpec::CronOperation(x)) => {
                Some(x.cronoperation.metadata.name.to_string())
            }
            _ => None,
        })
        .collect()
}
