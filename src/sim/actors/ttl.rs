//! The TTL-after-finished controller actor: kubernetes
//! `ttlafterfinished_controller.go`'s `addJob`/`updateJob` handlers and
//! `processJob`, around the pure [`crate::policy::ttl::ttl_decision`].

use super::job::{retry_entry, sync_entry};
use crate::model::Job;
use crate::policy::ttl::{TtlDecision, ttl_decision};
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{Change, Kinds};
use crate::sim::log::{Controller, DeletedBy};
use crate::sim::queue::WorkQueue;
use smol_str::SmolStr;

/// The TTL-after-finished controller.
#[derive(Debug, Default)]
pub struct TtlController {
    queue: WorkQueue,
}

impl Actor for TtlController {
    fn process(&self) -> Process {
        Process::ControllerManager
    }

    fn watches(&self) -> Kinds {
        Kinds::JOB
    }

    fn client(&self) -> Option<crate::sim::capacity::Client> {
        Some(crate::sim::capacity::Client::TtlAfterFinished)
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        if let Change::Job { key, new, .. } = change {
            self.on_job_change(core, key, new.as_deref());
        }
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        self.sync(core, key);
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::Job(k, j) = object {
            self.on_job_change(core, k, Some(j.as_ref()));
        }
    }

    fn stop(&mut self, _core: &mut Core) {
        self.queue.clear();
    }
}

impl TtlController {
    /// `addJob`/`updateJob`: enqueue finished Jobs with a TTL that are not
    /// being deleted (`needsCleanup`).
    fn on_job_change(&mut self, core: &mut Core, k: &SmolStr, new: Option<&Job>) {
        let Some(j) = new else { return };
        if j.metadata.deletion_timestamp.is_none()
            && j.spec.ttl_seconds_after_finished.is_some()
            && j.is_finished()
        {
            core.enqueue(&mut self.queue, k, Enqueue::Now);
        }
    }

    /// `processJob`: wait for expiry, then delete (Foreground, after a
    /// live re-check, which the store makes the same object).
    fn sync(&mut self, core: &mut Core, k: &SmolStr) {
        let Some(job) = core.api.jobs.get(k).cloned() else {
            self.queue.forget(k);
            core.emit_detail(|| sync_entry(Controller::Ttl, k, None));
            return;
        };
        let now = core.now();
        match ttl_decision(&job, now) {
            Ok(TtlDecision::NotApplicable) => {
                self.queue.forget(k);
                core.emit_detail(|| sync_entry(Controller::Ttl, k, None));
            }
            Ok(TtlDecision::WaitUntil(at)) => {
                self.queue.forget(k);
                core.enqueue(&mut self.queue, k, Enqueue::After(at.since(now)));
                core.emit_detail(|| sync_entry(Controller::Ttl, k, Some(at)));
            }
            Ok(TtlDecision::Delete { propagation }) => {
                self.queue.forget(k);
                let saved = core.api.deleter.replace(DeletedBy::Ttl);
                let _ = core.api.delete_job_key(&job.metadata.namespace, &job.metadata.name, propagation);
                core.api.deleter = saved;
                core.flush_api_log();
                core.emit_detail(|| sync_entry(Controller::Ttl, k, None));
            }
            Err(_) => {
                let retry_at = core.enqueue(&mut self.queue, k, Enqueue::RateLimited);
                core.emit_detail(|| retry_entry(Controller::Ttl, k, retry_at));
            }
        }
    }
}
