//! The CronOperation controller actor: controller-runtime's
//! `reconcileHandler` around [`reconcile_cronoperation`] (crossplane
//! `internal/controller/ops/cronoperation/reconciler.go`), with its watches
//! (`For(CronOperation)` filtered per [`cronoperation_wakes_on`],
//! `Owns(Operation)`) and its work queue's per-item rate limiter (1 s
//! doubling to 60 s).
//!
//! A reconcile takes no simulated time, but waits for a worker and, on
//! Crossplane 2.0, for the global reconcile limiter
//! ([`crate::sim::crossplane_capacity`]). The controller clock is the API
//! server's plus `clockSkew`.

use crate::model::ConcurrencyPolicy;
use crate::policy::crossplane::{
    CronContext, CronDecision, CrossplaneSettings, DeleteCause, RETRY_BASE, RETRY_MAX, Requeue,
    cronoperation_wakes_on, reconcile_cronoperation,
};
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{Change, Kinds};
use crate::sim::log::{Controller, DeletedBy, Entry};
use crate::sim::queue::WorkQueue;
use smol_str::SmolStr;

/// The CronOperation controller.
#[derive(Debug)]
pub struct CronOperationController {
    queue: WorkQueue,
    settings: CrossplaneSettings,
}

impl CronOperationController {
    /// The controller with these (version) settings.
    pub fn new(settings: CrossplaneSettings) -> Self {
        CronOperationController { queue: WorkQueue::with_backoff(RETRY_BASE, RETRY_MAX), settings }
    }
}

impl Actor for CronOperationController {
    fn process(&self) -> Process {
        Process::Crossplane
    }

    fn watches(&self) -> Kinds {
        Kinds::CRONOPERATION.with(Kinds::OPERATION)
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::CronOperation { name, trigger } if cronoperation_wakes_on(*trigger) => {
                core.enqueue(&mut self.queue, name, Enqueue::Now);
            }
            Change::Operation { owner: Some(owner), .. } if core.api.cronoperations.contains_key(owner) => {
                core.enqueue(&mut self.queue, owner, Enqueue::Now);
            }
            _ => {}
        }
    }

    fn client(&self) -> Option<crate::sim::capacity::Client> {
        Some(crate::sim::capacity::Client::CronOperation)
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        if let Some(after) = core.admit_reconcile(Controller::Cronoperation, key) {
            // controller-runtime on `RequeueAfter`: Forget, then AddAfter.
            self.queue.forget(key);
            core.enqueue(&mut self.queue, key, Enqueue::After(after));
            return;
        }
        self.reconcile(core, key);
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::CronOperation(name) = object {
            core.enqueue(&mut self.queue, name, Enqueue::Now);
        }
    }

    fn stop(&mut self, _core: &mut Core) {
        self.queue.clear();
    }
}

impl CronOperationController {
    /// One CronOperation reconcile and its side effects.
    fn reconcile(&mut self, core: &mut Core, name: &SmolStr) {
        let Some(co) = core.api.cronoperations.get(name).cloned() else {
            // Get NotFound: controller-runtime ends the reconcile quietly.
            self.queue.forget(name);
            return;
        };
        // The cache's list order, random upstream: a draw from the seed,
        // per CronOperation and reconcile instant.
        let order = list_order(core.seed, name, core.now());
        let ctx = CronContext {
            now: core.now(),
            local: core.local,
            settings: &self.settings,
            list_order: Some(order),
        };
        let out = reconcile_cronoperation(&mut core.api, &co, ctx);
        for e in &mut core.api.log {
            if let Entry::OperationDeleted { operation, by } = e
                && let Some(d) = out.deletions.iter().find(|d| d.operation == *operation)
            {
                *by = match d.cause {
                    DeleteCause::HistoryGc => DeletedBy::HistoryGc,
                    DeleteCause::Replace => DeletedBy::Replace,
                };
            }
        }
        core.flush_api_log();
        for e in &out.events {
            core.emit(Entry::Event(e.clone()));
        }
        let settled = co.spec.policy() == ConcurrencyPolicy::Allow
            && matches!(out.decision, CronDecision::NotDue { .. } | CronDecision::Created { .. });
        if let Some(w) = core.workloads.get_mut(name) {
            w.settled = settled;
        }
        let (requeue_at, retry_at) = requeue_instants(core, &mut self.queue, name, &out.requeue);
        core.emit(Entry::CronOperationSync {
            object: name.clone(),
            requeue_at,
            retry_at,
            decision: Box::new(out.decision),
        });
    }
}

/// The hash of `<seed>/<name>/<instant>` that stands for the cache's list
/// order, built without formatting (a reconcile at every instant asks).
fn list_order(seed: u64, name: &str, now: crate::model::Time) -> u64 {
    let mut digits = crate::schedule::text::Digits::new();
    let seed = crate::schedule::text::decimal(seed, &mut digits);
    match now.text_into(&mut [0u8; 24]) {
        Some(at) => {
            crate::sim::rng::fnv1a64_parts(&[seed.as_bytes(), b"/", name.as_bytes(), b"/", at.as_bytes()])
        }
        None => crate::sim::rng::fnv1a64(format!("{seed}/{name}/{now}").as_bytes()),
    }
}

/// What controller-runtime does with a reconcile's result: `(requeueAt,
/// retryAt)`.
pub(super) fn requeue_instants(
    core: &mut Core,
    queue: &mut WorkQueue,
    key: &SmolStr,
    requeue: &Requeue,
) -> (Option<crate::model::Time>, Option<crate::model::Time>) {
    match requeue {
        Requeue::Done => {
            queue.forget(key);
            (None, None)
        }
        Requeue::After { after } => {
            queue.forget(key);
            core.enqueue(queue, key, Enqueue::After(*after));
            (Some(core.now().add(*after)), None)
        }
        Requeue::RateLimited { .. } => {
            let at = core.enqueue(queue, key, Enqueue::RateLimited);
            (None, at)
        }
    }
}
