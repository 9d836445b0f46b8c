//! The CronJob controller actor: kubernetes `cronjob_controllerv2.go`'s
//! informer handlers (`addJob`/`updateJob`/`deleteJob`, `updateCronJob`),
//! its work queue and `processNextWorkItem`, around the pure
//! [`policy::cronjob::sync`].

use crate::model::{CronJob, Job};
use crate::policy;
use crate::policy::cronjob::{self, DeleteCause, SyncContext};
use crate::schedule::kube::{controller_parse, format_schedule};
use crate::schedule::text::concat;
use crate::sim::engine::{Engine, Enqueue};
use crate::sim::log::{Controller, DeletedBy, Entry};
use crate::sim::world::{CronJobApi, with_key};

impl Engine {
    /// `updateCronJob` / `addCronJob` / `deleteCronJob`.
    pub(crate) fn on_cronjob_change(&mut self, k: &str, old: Option<&CronJob>, new: Option<&CronJob>) {
        let (Some(old), Some(new)) = (old, new) else {
            self.enqueue(Controller::Cronjob, k, Enqueue::Now);
            return;
        };
        if old.spec.schedule == new.spec.schedule && old.spec.time_zone == new.spec.time_zone {
            // Any other change, the controller's own status writes included.
            self.enqueue(Controller::Cronjob, k, Enqueue::Now);
            return;
        }
        let formatted = format_schedule(&new.spec.schedule, new.spec.time_zone.as_deref());
        match controller_parse(&formatted.text) {
            Err(_) => {
                let object = concat(&["CronJob/", k]);
                let msg = format!("unparseable schedule for cronjob: {}", new.spec.schedule);
                self.emit(Entry::Event(policy::Event::warning(object, "UnParseableCronJobSchedule", msg)));
            }
            Ok(sched) => {
                let d = cronjob::next_schedule_time_duration(new, self.now(), &sched, self.local);
                self.enqueue(Controller::Cronjob, k, Enqueue::After(d));
            }
        }
    }

    /// `addJob`/`updateJob`/`deleteJob`: enqueue the controlling CronJob
    /// (Kind CronJob, same name and uid); an update with an unchanged
    /// resourceVersion is ignored, and a changed controller enqueues both.
    pub(crate) fn cronjob_on_job_change(&mut self, old: Option<&Job>, new: Option<&Job>) {
        if let (Some(o), Some(n)) = (old, new)
            && o.metadata.resource_version == n.metadata.resource_version
        {
            return;
        }
        // Each resolving owner once, old's first; the enqueues leave the
        // cache as it is, so resolving and enqueueing can interleave.
        let mut first: Option<(&str, &str)> = None;
        for j in [old, new].into_iter().flatten() {
            let Some(r) = j.metadata.controller_ref().filter(|r| r.kind == "CronJob") else { continue };
            let owner = (j.metadata.namespace.as_str(), r.name.as_str());
            if first == Some(owner) {
                continue;
            }
            with_key(owner.0, owner.1, |k| {
                if self.cache.cronjobs.get(k).is_some_and(|cj| cj.metadata.uid == r.uid) {
                    self.enqueue(Controller::Cronjob, k, Enqueue::Now);
                    first.get_or_insert(owner);
                }
            });
        }
    }

    /// `processNextWorkItem` + `sync`: list, run the policy, write the
    /// status, log, and requeue per the result.
    pub(crate) fn sync_cronjob(&mut self, k: &str) {
        let Some(cj) = self.cache.cronjobs.get(k).cloned() else {
            // Lister NotFound: nothing to do, no requeue.
            self.forget(Controller::Cronjob, k);
            self.log_sync(k, None, None, None);
            return;
        };
        let saved = self.world.deleter.take();
        let outcome = {
            let jobs = self.cache.jobs_listed(&cj, self.settings.job_listing);
            let ctx = SyncContext { now: self.queue.now(), local: self.local, settings: &self.settings };
            let mut api = CronJobApi { world: &mut self.world, namespace: cj.metadata.namespace.clone() };
            cronjob::sync_cow(&mut api, &cj, &jobs, ctx)
        };
        self.world.deleter = saved;
        self.attribute_deletions(&outcome.deletions);
        self.flush_world_log();
        for e in &outcome.events {
            self.emit(Entry::Event(e.clone()));
        }
        let write_err = if outcome.status_changed {
            self.world.update_cronjob_status_owned(outcome.cronjob.into_owned()).err()
        } else {
            None
        };
        let (mut requeue_at, mut retry_at) = (None, None);
        if write_err.is_some() || (outcome.requeue_after.is_none() && outcome.error.is_some()) {
            retry_at = self.enqueue(Controller::Cronjob, k, Enqueue::RateLimited);
        } else if let Some(d) = outcome.requeue_after {
            self.forget(Controller::Cronjob, k);
            self.enqueue(Controller::Cronjob, k, Enqueue::After(d));
            requeue_at = Some(self.now().add(d));
        } else {
            self.forget(Controller::Cronjob, k);
        }
        self.log_sync(k, requeue_at, retry_at, Some(outcome.decision));
    }

    /// Fills the `by` of the JobDeleted entries the sync produced.
    fn attribute_deletions(&mut self, deletions: &[cronjob::Deletion]) {
        for e in &mut self.world.log {
            if let Entry::JobDeleted { job, by, .. } = e {
                let name = job.rsplit('/').next().unwrap_or("");
                if let Some(d) = deletions.iter().find(|d| d.job == name || d.job == *job) {
                    *by = match d.cause {
                        DeleteCause::HistoryGc => DeletedBy::HistoryGc,
                        DeleteCause::Replace => DeletedBy::Replace,
                    };
                }
            }
        }
    }

    fn log_sync(
        &mut self,
        k: &str,
        requeue_at: Option<crate::model::Time>,
        retry_at: Option<crate::model::Time>,
        decision: Option<cronjob::Decision>,
    ) {
        self.emit(Entry::Sync {
            controller: Controller::Cronjob,
            object: k.into(),
            requeue_at,
            retry_at,
            decision,
        });
    }
}
