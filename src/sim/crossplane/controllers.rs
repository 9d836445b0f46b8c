//! The two Crossplane controller actors: controller-runtime's
//! `reconcileHandler` around [`reconcile_cronoperation`] and
//! [`reconcile_operation`] (crossplane `internal/controller/ops/
//! {cronoperation,operation}/reconciler.go`), plus scenario edits.
//!
//! A CronOperation reconcile takes no simulated time. An Operation
//! reconcile is one attempt: its Running write lands at once, its final
//! write `elapsed` later ([`XpEv::AttemptEnd`]); while it runs the key is
//! being processed, so further adds of it are dropped (only a deletion,
//! which the end of the attempt notices anyway, can add it then).

use super::{Flight, SimFunctions, XpCtrl, XpEv};
use crate::model::crossplane::Operation;
use crate::model::{Millis, Time};
use crate::policy::ApiError;
use crate::policy::crossplane::{
    CronContext, CrossplaneApi, DeleteCause, Deletion, FunctionRunner, OperationDecision, Requeue,
    reconcile_cronoperation, reconcile_operation,
};
use crate::sim::engine::{Engine, Enqueue, Ev};
use crate::sim::log::{DeletedBy, Entry, Fault};
use crate::sim::rng;
use crate::sim::scenario::XpEdit;

/// The store as one attempt sees it: the first status write (Succeeded=
/// Unknown/PipelineRunning) goes through at once; later ones are kept for
/// the attempt's end.
struct AttemptApi<'a> {
    store: &'a mut super::XpStore,
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

/// What controller-runtime does with a result: `(requeueAt, retryAt)`.
fn requeue_instants(
    engine: &mut Engine,
    ctrl: XpCtrl,
    key: &str,
    requeue: &Requeue,
) -> (Option<Time>, Option<Time>) {
    match requeue {
        Requeue::Done => {
            engine.xp.queue(ctrl).forget(key);
            (None, None)
        }
        Requeue::After { after } => {
            engine.xp.queue(ctrl).forget(key);
            engine.xp_enqueue(ctrl, key, Enqueue::After(*after));
            (Some(engine.now().add(*after)), None)
        }
        Requeue::RateLimited { .. } => {
            let at = engine.xp_enqueue(ctrl, key, Enqueue::RateLimited);
            (None, at)
        }
    }
}

impl Engine {
    /// One CronOperation reconcile and its side effects.
    pub(crate) fn xp_sync_cronoperation(&mut self, name: &str) {
        let Some(co) = self.xp.store.cronoperations.get(name).cloned() else {
            // Get NotFound: controller-runtime ends the reconcile quietly.
            self.xp.queue(XpCtrl::CronOperation).forget(name);
            return;
        };
        self.xp.store.api_now = self.xp_api_now();
        let ctx = CronContext { now: self.now(), local: self.local, settings: &self.xp.settings };
        let out = reconcile_cronoperation(&mut self.xp.store, &co, ctx);
        if let Some(op) = &out.created {
            self.xp.assign_run(op);
        }
        attribute_deletions(&mut self.xp.store.log, &out.deletions);
        for e in std::mem::take(&mut self.xp.store.log) {
            self.emit(e);
        }
        for e in &out.events {
            self.emit(Entry::Event(e.clone()));
        }
        let (requeue_at, retry_at) = requeue_instants(self, XpCtrl::CronOperation, name, &out.requeue);
        self.emit(Entry::CronOperationSync {
            object: name.into(),
            requeue_at,
            retry_at,
            decision: out.decision,
        });
    }

    /// One Operation reconcile: an attempt starts now and ends `elapsed`
    /// later, or (no attempt) ends at once.
    pub(crate) fn xp_sync_operation(&mut self, name: &str) {
        if self.xp.in_flight.contains_key(name) {
            return;
        }
        let Some(op) = self.xp.store.operations.get(name).cloned() else {
            self.xp.queue(XpCtrl::Operation).forget(name);
            return;
        };
        self.xp.store.api_now = self.xp_api_now();
        let (co, run) = self.xp.runs.get(name).cloned().unwrap_or_default();
        let started = self.xp.attempts.get(name).copied().unwrap_or(0);
        let behaviour = self.xp.workloads.get(&co).map(|w| w.behaviour.clone()).unwrap_or_default();
        let mut fns = SimFunctions::new(&behaviour, rng::stream(self.seed, &co, run), run, started);
        let now = self.now();
        let (outcome, pending) = run_attempt(&mut self.xp.store, &mut fns, &op, now);
        if matches!(
            outcome.decision,
            OperationDecision::AttemptFailed { .. }
                | OperationDecision::InvalidInput { .. }
                | OperationDecision::Succeeded { .. }
        ) {
            self.xp.attempts.insert(name.into(), started + 1);
            self.emit(Entry::OperationAttemptStarted { operation: name.into(), attempt: started + 1 });
        }
        let elapsed: Millis = outcome.elapsed;
        let flight = Flight { outcome, pending };
        if elapsed <= 0 {
            self.xp_attempt_end(name, flight);
            return;
        }
        self.xp.in_flight.insert(name.into(), flight);
        let epoch = self.xp.epoch;
        self.queue.push(self.now().add(elapsed), Ev::Xp(XpEv::AttemptEnd { operation: name.into(), epoch }));
    }

    /// The end of an attempt: its final status write, events and requeue.
    pub(crate) fn xp_attempt_end(&mut self, name: &str, flight: Flight) {
        self.xp.store.api_now = self.xp_api_now();
        if let Some(op) = &flight.pending {
            // NotFound when Replace or the scenario deleted it meanwhile.
            let _ = self.xp.store.write_operation_status(op);
        }
        for e in std::mem::take(&mut self.xp.store.log) {
            self.emit(e);
        }
        let out = flight.outcome;
        let stored = self.xp.store.operations.get(name).map(|o| o.status.failures);
        if let (OperationDecision::AttemptFailed { error, .. }, Some(failures)) = (&out.decision, stored) {
            self.emit(Entry::OperationAttemptFailed {
                operation: name.into(),
                failures,
                error: error.into(),
            });
        }
        for e in &out.events {
            self.emit(Entry::Event(e.clone()));
        }
        let (requeue_at, retry_at) = if stored.is_some() {
            requeue_instants(self, XpCtrl::Operation, name, &out.requeue)
        } else {
            self.xp.queue(XpCtrl::Operation).forget(name);
            (None, None)
        };
        self.emit(Entry::OperationSync { object: name.into(), requeue_at, retry_at, decision: out.decision });
    }

    /// A scenario edit of a CronOperation, as `kubectl edit` would make it.
    pub(crate) fn xp_apply_edit(&mut self, name: &str, edit: &XpEdit) {
        self.xp.store.api_now = self.xp_api_now();
        if let XpEdit::Delete = edit {
            self.emit(Entry::Fault(Fault::CronJobDeleted { object: name.into() }));
            let gc_running = !self.xp.down;
            let _ = self.xp.store.delete_cronoperation(name, gc_running);
            return;
        }
        let (object, change) = (name.to_string(), edit.describe());
        match self.xp.store.edit_cronoperation(name, |co| edit.apply(co)) {
            Ok(()) => self.emit(Entry::Fault(Fault::SpecChange { object, change })),
            Err(error) => self.emit(Entry::Fault(Fault::SpecChangeRejected { object, change, error })),
        }
    }
}

/// Runs one reconcile of `op` against the store, deferring its final write.
fn run_attempt(
    store: &mut super::XpStore,
    fns: &mut dyn FunctionRunner,
    op: &Operation,
    now: Time,
) -> (crate::policy::crossplane::OperationOutcome, Option<Operation>) {
    let mut api = AttemptApi { store, wrote_first: false, pending: None };
    let outcome = reconcile_operation(&mut api, fns, op, now);
    (outcome, api.pending)
}

/// Sets the `by` of the OperationDeleted entries a reconcile produced.
fn attribute_deletions(log: &mut [Entry], deletions: &[Deletion]) {
    for e in log {
        if let Entry::OperationDeleted { operation, by } = e
            && let Some(d) = deletions.iter().find(|d| d.operation == *operation)
        {
            *by = match d.cause {
                DeleteCause::HistoryGc => DeletedBy::HistoryGc,
                DeleteCause::Replace => DeletedBy::Replace,
            };
        }
    }
}
