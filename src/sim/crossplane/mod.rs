//! Crossplane in the simulator: the CronOperation and Operation
//! controllers (crossplane `internal/controller/ops/{cronoperation,
//! operation}`) running in the Crossplane pod, around the pure
//! [`crate::policy::crossplane`] reconcilers, with the API store they use.
//!
//! controller-runtime semantics: one work queue per controller with the
//! per-item rate limiter (1 s doubling to 60 s), `RequeueAfter` timers, and
//! watches filtered per [`crate::policy::crossplane::cronoperation_wakes_on`] and
//! [`crate::policy::crossplane::operation_wakes_on`]. The
//! controller clock is the API server's plus `clockSkew`. Downtime windows
//! stop the Crossplane pod as well as kube-controller-manager: queues,
//! timers and attempts in flight are lost, and at restart everything is
//! listed and reconciled again.
//!
//! The events live on the engine's one queue ([`crate::sim::engine::Ev::Xp`]),
//! so CronJobs and CronOperations of one scenario share virtual time.

mod controllers;
mod functions;
mod store;

pub use functions::{SimFunctions, failure_text};
pub use store::{XpChange, XpStore, owner_of};

use crate::model::crossplane::Operation;
use crate::model::{Millis, Time};
use crate::policy::crossplane::{
    CrossplaneSettings, OperationOutcome, RETRY_BASE, RETRY_MAX, Trigger, cronoperation_wakes_on,
    operation_wakes_on,
};
use crate::sim::engine::{Engine, Enqueue, Ev, WorkloadState};
use crate::sim::log::Entry;
use crate::sim::queue::{Wake, WorkQueue};
use crate::sim::scenario::XpEdit;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// Which Crossplane controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XpCtrl {
    CronOperation,
    Operation,
}

/// Crossplane's events on the engine's queue.
#[derive(Debug, Clone)]
pub enum XpEv {
    /// A work-queue key is due.
    Work { ctrl: XpCtrl, key: SmolStr, epoch: u64 },
    /// A delaying-queue timer comes due.
    Timer { ctrl: XpCtrl, key: SmolStr, at: Time, epoch: u64 },
    /// An Operation attempt ends (its final status write).
    AttemptEnd { operation: SmolStr, epoch: u64 },
    /// A scenario edit of a CronOperation.
    Edit { cronoperation: SmolStr, edit: XpEdit },
}

/// An attempt in flight: what it will write when it ends.
#[derive(Debug, Clone)]
pub struct Flight {
    pub outcome: OperationOutcome,
    /// The final status write, deferred to the attempt's end.
    pub pending: Option<Operation>,
}

/// The Crossplane pod and its part of the API server.
#[derive(Debug)]
pub struct XpState {
    pub store: XpStore,
    pub settings: CrossplaneSettings,
    /// The controller clock minus the API server's.
    pub skew: Millis,
    /// The pod is down.
    pub down: bool,
    /// Bumped at every stop and start: queued work from before is stale.
    pub epoch: u64,
    pub cronoperation_queue: WorkQueue,
    pub operation_queue: WorkQueue,
    /// Attempts running now, by Operation.
    pub in_flight: BTreeMap<SmolStr, Flight>,
    /// Behaviour and run counter by CronOperation name.
    pub workloads: BTreeMap<SmolStr, WorkloadState>,
    /// Each Operation's workload and run index.
    pub runs: BTreeMap<SmolStr, (SmolStr, u64)>,
    /// Attempts started per Operation (simulator bookkeeping: survives
    /// restarts).
    pub attempts: BTreeMap<SmolStr, u32>,
}

impl Default for XpState {
    fn default() -> Self {
        XpState {
            store: XpStore::default(),
            settings: CrossplaneSettings::default(),
            skew: 0,
            down: true,
            epoch: 0,
            cronoperation_queue: WorkQueue::with_backoff(RETRY_BASE, RETRY_MAX),
            operation_queue: WorkQueue::with_backoff(RETRY_BASE, RETRY_MAX),
            in_flight: BTreeMap::new(),
            workloads: BTreeMap::new(),
            runs: BTreeMap::new(),
            attempts: BTreeMap::new(),
        }
    }
}

impl XpState {
    fn queue(&mut self, ctrl: XpCtrl) -> &mut WorkQueue {
        match ctrl {
            XpCtrl::CronOperation => &mut self.cronoperation_queue,
            XpCtrl::Operation => &mut self.operation_queue,
        }
    }

    /// Gives an Operation its workload and run index (the n-th Operation
    /// of that CronOperation), once.
    pub fn assign_run(&mut self, op: &Operation) {
        let name = op.metadata.name.clone();
        if self.runs.contains_key(&name) {
            return;
        }
        let Some(co) = owner_of(op)
            .or_else(|| op.metadata.labels.get(crate::model::crossplane::LABEL_CRONOPERATION_NAME).cloned())
        else {
            return;
        };
        let run = match self.workloads.get_mut(&co) {
            Some(w) => {
                w.runs += 1;
                w.runs - 1
            }
            None => 0,
        };
        self.runs.insert(name, (co, run));
    }
}

impl Engine {
    /// Dispatches one Crossplane event.
    pub fn xp_handle(&mut self, ev: XpEv) {
        match ev {
            XpEv::Work { ctrl, key, epoch } => {
                if epoch != self.xp.epoch || self.xp.down || !self.xp.queue(ctrl).take(&key) {
                    return;
                }
                match ctrl {
                    XpCtrl::CronOperation => self.xp_sync_cronoperation(&key),
                    XpCtrl::Operation => self.xp_sync_operation(&key),
                }
            }
            XpEv::Timer { ctrl, key, at, epoch } => {
                if epoch != self.xp.epoch || self.xp.down {
                    return;
                }
                if let Wake::At(t) = self.xp.queue(ctrl).fire(&key, at) {
                    self.queue.push(t, Ev::Xp(XpEv::Work { ctrl, key, epoch }));
                }
            }
            XpEv::AttemptEnd { operation, epoch } => {
                if epoch != self.xp.epoch {
                    return;
                }
                if let Some(flight) = self.xp.in_flight.remove(&operation) {
                    self.xp_attempt_end(&operation, flight);
                }
            }
            XpEv::Edit { cronoperation, edit } => self.xp_apply_edit(&cronoperation, &edit),
        }
        self.xp_pump();
    }

    /// Adds `key` to a Crossplane work queue; the instant of a timer set,
    /// if any.
    pub(crate) fn xp_enqueue(&mut self, ctrl: XpCtrl, key: &str, how: Enqueue) -> Option<Time> {
        if self.xp.down {
            return None;
        }
        let now = self.now();
        let q = self.xp.queue(ctrl);
        let wake = match how {
            Enqueue::Now => q.add(key, now),
            Enqueue::After(d) => q.add_after(key, d, now),
            Enqueue::RateLimited => q.add_rate_limited(key, now),
        };
        let epoch = self.xp.epoch;
        match wake {
            Wake::Nothing => None,
            Wake::At(at) if at <= now => {
                self.queue.push(at, Ev::Xp(XpEv::Work { ctrl, key: key.into(), epoch }));
                None
            }
            Wake::At(at) => {
                self.queue.push(at, Ev::Xp(XpEv::Timer { ctrl, key: key.into(), at, epoch }));
                Some(at)
            }
        }
    }

    /// The API server's clock, for the store.
    pub(crate) fn xp_api_now(&self) -> Time {
        self.now().add(-self.xp.skew)
    }

    /// Writes the store's log entries and delivers its watch events, until
    /// both are drained.
    pub(crate) fn xp_pump(&mut self) {
        loop {
            for e in std::mem::take(&mut self.xp.store.log) {
                self.emit(e);
            }
            let changes = std::mem::take(&mut self.xp.store.changes);
            if changes.is_empty() {
                break;
            }
            for c in changes {
                self.xp_deliver(c);
            }
        }
    }

    /// The informer handlers of both controllers.
    fn xp_deliver(&mut self, change: XpChange) {
        if let XpChange::Operation { name, trigger: Trigger::Deleted, .. } = &change {
            // Bookkeeping of Operations that are gone: memory stays flat
            // however long the horizon.
            self.xp.runs.remove(name);
            self.xp.attempts.remove(name);
        }
        if self.xp.down {
            return;
        }
        match change {
            XpChange::CronOperation { name, trigger } => {
                if cronoperation_wakes_on(trigger) {
                    self.xp_enqueue(XpCtrl::CronOperation, &name, Enqueue::Now);
                }
            }
            XpChange::Operation { name, owner, trigger } => {
                if let Some(owner) = owner
                    && self.xp.store.cronoperations.contains_key(&owner)
                {
                    self.xp_enqueue(XpCtrl::CronOperation, &owner, Enqueue::Now);
                }
                if operation_wakes_on(trigger) {
                    self.xp_enqueue(XpCtrl::Operation, &name, Enqueue::Now);
                }
            }
        }
    }

    /// The Crossplane pod stops: attempts in flight are lost (their status
    /// writes never happen), queues and timers are gone.
    pub fn xp_stop(&mut self) {
        for operation in std::mem::take(&mut self.xp.in_flight).into_keys() {
            self.emit(Entry::OperationAttemptLost { operation });
        }
        self.xp.down = true;
        self.xp.epoch += 1;
        self.xp.cronoperation_queue.clear();
        self.xp.operation_queue.clear();
    }

    /// The Crossplane pod starts: the informers list everything, so every
    /// CronOperation and Operation is reconciled; the garbage collector
    /// catches up on Operations whose CronOperation was deleted.
    pub fn xp_start(&mut self) {
        self.xp.down = false;
        self.xp.epoch += 1;
        self.xp.store.api_now = self.xp_api_now();
        self.xp.store.collect_garbage();
        let cos: Vec<SmolStr> = self.xp.store.cronoperations.keys().cloned().collect();
        for k in cos {
            self.xp_enqueue(XpCtrl::CronOperation, &k, Enqueue::Now);
        }
        let ops: Vec<SmolStr> = self.xp.store.operations.keys().cloned().collect();
        for k in ops {
            self.xp_enqueue(XpCtrl::Operation, &k, Enqueue::Now);
        }
        self.xp_pump();
    }
}
