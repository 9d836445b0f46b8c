//! The Operation controller actor: controller-runtime's `reconcileHandler`
//! around [`reconcile_operation`] (crossplane
//! `internal/controller/ops/operation/reconciler.go`), with its watch
//! (`For(Operation)` filtered per [`operation_wakes_on`]) and work queue.
//!
//! An Operation reconcile is one attempt: its Running write lands at once,
//! its final write `elapsed` later (a wake-up of this actor); while it runs
//! the key is being processed, so further adds of it are dropped (only a
//! deletion, which the end of the attempt notices anyway, can add it then).
//! When the Crossplane pod stops, attempts in flight are lost: their final
//! writes never happen.

use super::SimFunctions;
use super::cronoperation::requeue_instants;
use crate::model::crossplane::{LABEL_CRONOPERATION_NAME, Operation};
use crate::model::{Millis, Time};
use crate::policy::ApiError;
use crate::policy::crossplane::{
    CrossplaneApi, FunctionRunner, OperationDecision, OperationOutcome, RETRY_BASE, RETRY_MAX, Trigger,
    operation_wakes_on, reconcile_operation,
};
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{ApiServer, Change, Kinds, owner_of};
use crate::sim::log::Entry;
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
}

/// The Operation controller, with the simulator's bookkeeping of runs.
#[derive(Debug)]
pub struct OperationController {
    queue: WorkQueue,
    /// Attempts running now, by Operation.
    in_flight: BTreeMap<SmolStr, Flight>,
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

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        self.reconcile(core, key);
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
        let flight = Flight { outcome, pending };
        if elapsed <= 0 {
            self.attempt_end(core, name, flight);
            return;
        }
        self.in_flight.insert(name.clone(), flight);
        let epoch = core.process(Process::Crossplane).epoch;
        core.wake_at(now.add(elapsed), name, epoch);
    }

    /// The end of an attempt: its final status write, events and requeue.
    fn attempt_end(&mut self, core: &mut Core, name: &SmolStr, flight: Flight) {
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
            decision: out.decision,
        });
    }
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
    fn list_operations(&mut self, cronoperation: &str) -> Result<Vec<Operation>, ApiError> {
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
