//! The TTL-after-finished controller actor: kubernetes
//! `ttlafterfinished_controller.go`'s `addJob`/`updateJob` handlers and
//! `processJob`, around the pure [`policy::ttl::ttl_decision`].

use super::job::sync_entry;
use crate::model::Job;
use crate::policy::ttl::{TtlDecision, ttl_decision};
use crate::sim::engine::{Engine, Enqueue};
use crate::sim::log::{Controller, DeletedBy, Entry};

impl Engine {
    /// `addJob`/`updateJob`: enqueue finished Jobs with a TTL that are not
    /// being deleted (`needsCleanup`).
    pub(crate) fn ttl_on_job_change(&mut self, k: &str, new: Option<&Job>) {
        let Some(j) = new else { return };
        if j.metadata.deletion_timestamp.is_none()
            && j.spec.ttl_seconds_after_finished.is_some()
            && j.is_finished()
        {
            self.enqueue(Controller::Ttl, k, Enqueue::Now);
        }
    }

    /// `processJob`: wait for expiry, then delete (Foreground, after a
    /// live re-check, which the store makes the same object).
    pub(crate) fn sync_ttl(&mut self, k: &str) {
        let Some(job) = self.world.jobs.get(k).cloned() else {
            self.forget(Controller::Ttl, k);
            self.emit(sync_entry(Controller::Ttl, k, None));
            return;
        };
        let now = self.now();
        match ttl_decision(&job, now) {
            Ok(TtlDecision::NotApplicable) => {
                self.forget(Controller::Ttl, k);
                self.emit(sync_entry(Controller::Ttl, k, None));
            }
            Ok(TtlDecision::WaitUntil(at)) => {
                self.forget(Controller::Ttl, k);
                self.enqueue(Controller::Ttl, k, Enqueue::After(at.since(now)));
                self.emit(sync_entry(Controller::Ttl, k, Some(at)));
            }
            Ok(TtlDecision::Delete { propagation }) => {
                self.forget(Controller::Ttl, k);
                let saved = self.world.deleter.replace(DeletedBy::Ttl);
                let _ = self.world.delete_job_key(&job.metadata.namespace, &job.metadata.name, propagation);
                self.world.deleter = saved;
                self.flush_world_log();
                self.emit(sync_entry(Controller::Ttl, k, None));
            }
            Err(_) => {
                let retry_at = self.enqueue(Controller::Ttl, k, Enqueue::RateLimited);
                self.emit(Entry::Sync {
                    controller: Controller::Ttl,
                    object: k.into(),
                    requeue_at: None,
                    retry_at,
                    decision: None,
                });
            }
        }
    }
}
