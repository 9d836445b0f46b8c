//! The CronJob controller actor: kubernetes `cronjob_controllerv2.go`'s
//! informer handlers (`addJob`/`updateJob`/`deleteJob`, `updateCronJob`),
//! its work queue and `processNextWorkItem`, around the pure
//! [`policy::cronjob::sync`]. It reads CronJobs and Jobs from its own
//! informer cache (`cronjob_cache.rs`), which lags the store by the
//! process's `informerLag`.

use super::cronjob_cache::Cache;
use crate::model::{CronJob, Job};
use crate::policy;
use crate::policy::cronjob::{self, DeleteCause, SyncContext};
use crate::schedule::kube::controller_schedule;
use crate::schedule::text::concat;
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{Change, CronJobApi, DryRunApi, Kinds, with_key};
use crate::sim::log::{Controller, DeletedBy, Entry, WrittenStatus};
use crate::sim::queue::WorkQueue;
use smol_str::SmolStr;

/// The CronJob controller (`ControllerV2`).
#[derive(Debug, Default)]
pub struct CronJobController {
    queue: WorkQueue,
    /// Its CronJob and Job listers.
    cache: Cache,
}

impl Actor for CronJobController {
    fn process(&self) -> Process {
        Process::ControllerManager
    }

    fn watches(&self) -> Kinds {
        Kinds::CRONJOB.with(Kinds::JOB)
    }

    fn client(&self) -> Option<crate::sim::capacity::Client> {
        Some(crate::sim::capacity::Client::CronJob)
    }

    fn sync_sends(&self, core: &Core, k: &SmolStr) -> Option<bool> {
        let Some(cj) = self.cache.cronjobs.get(k) else { return Some(false) };
        let jobs = self.cache.jobs_listed(cj);
        let ctx = SyncContext { now: core.now(), local: core.local, settings: &core.settings, detail: false };
        let mut api = DryRunApi { world: &core.api, namespace: cj.metadata.namespace.clone() };
        Some(cronjob::sends_any(&mut api, cj, &jobs, ctx))
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn observe(&mut self, _core: &mut Core, change: &Change) {
        self.cache.apply(change);
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::CronJob { key, old, new } => {
                self.on_cronjob_change(core, key, old.as_deref(), new.as_deref())
            }
            Change::Job { old, new, .. } => self.on_job_change(core, old.as_deref(), new.as_deref()),
            _ => {}
        }
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        self.sync(core, key);
    }

    fn start(&mut self, core: &mut Core) {
        self.cache.relist(&core.api, core.settings.job_listing);
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::CronJob(k) = object {
            core.enqueue(&mut self.queue, k, Enqueue::Now);
        }
    }

    fn stop(&mut self, _core: &mut Core) {
        self.queue.clear();
    }
}

impl CronJobController {
    /// `updateCronJob` / `addCronJob` / `deleteCronJob`.
    fn on_cronjob_change(
        &mut self,
        core: &mut Core,
        k: &SmolStr,
        old: Option<&CronJob>,
        new: Option<&CronJob>,
    ) {
        let (Some(old), Some(new)) = (old, new) else {
            core.enqueue(&mut self.queue, k, Enqueue::Now);
            return;
        };
        if old.spec.schedule == new.spec.schedule && old.spec.time_zone == new.spec.time_zone {
            // Any other change, the controller's own status writes included.
            core.enqueue(&mut self.queue, k, Enqueue::Now);
            return;
        }
        match controller_schedule(&new.spec.schedule, new.spec.time_zone.as_deref()).1 {
            Err(_) => {
                let object = concat(&["CronJob/", k]);
                let msg = format!("unparseable schedule for cronjob: {}", new.spec.schedule);
                core.emit(Entry::Event(policy::Event::warning(object, "UnParseableCronJobSchedule", msg)));
            }
            Ok(sched) => {
                let d = cronjob::next_schedule_time_duration(new, core.now(), &sched, core.local);
                core.enqueue(&mut self.queue, k, Enqueue::After(d));
            }
        }
    }

    /// `addJob`/`updateJob`/`deleteJob`: enqueue the controlling CronJob
    /// (Kind CronJob, same name and uid); an update with an unchanged
    /// resourceVersion is ignored, and a changed controller enqueues both.
    fn on_job_change(&mut self, core: &mut Core, old: Option<&Job>, new: Option<&Job>) {
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
                // The cache's own key: cloning it allocates nothing.
                if let Some((k, cj)) = self.cache.cronjobs.get_key_value(k)
                    && cj.metadata.uid == r.uid
                {
                    core.enqueue(&mut self.queue, k, Enqueue::Now);
                    first.get_or_insert(owner);
                }
            });
        }
    }

    /// `processNextWorkItem` + `sync`: list, run the policy, write the
    /// status, log (with the status written, if any), and requeue per the
    /// result.
    fn sync(&mut self, core: &mut Core, k: &SmolStr) {
        let Some(cj) = self.cache.cronjobs.get(k).cloned() else {
            // Lister NotFound: nothing to do, no requeue.
            self.queue.forget(k);
            log_sync(core, k, None, None, None, None);
            return;
        };
        let saved = core.api.deleter.take();
        let mut outcome = {
            let jobs = self.cache.jobs_listed(&cj);
            let ctx = SyncContext {
                now: core.now(),
                local: core.local,
                settings: &core.settings,
                detail: core.detail,
            };
            let mut api = CronJobApi { world: &mut core.api, namespace: cj.metadata.namespace.clone() };
            cronjob::sync_cow(&mut api, &cj, &jobs, ctx)
        };
        core.api.deleter = saved;
        attribute_deletions(core, &outcome.deletions);
        core.flush_api_log();
        for e in std::mem::take(&mut outcome.events) {
            core.emit(Entry::Event(e));
        }
        core.count_unbuilt_events(outcome.unbuilt_events);
        let (write_err, written) = if outcome.status_changed {
            let written = WrittenStatus::of(&outcome.cronjob.status);
            match core.api.update_cronjob_status_shared(outcome.cronjob.into_shared()) {
                Ok(()) => (None, Some(Box::new(written))),
                Err(e) => (Some(e), None),
            }
        } else {
            (None, None)
        };
        let (mut requeue_at, mut retry_at) = (None, None);
        if write_err.is_some() || (outcome.requeue_after.is_none() && outcome.error.is_some()) {
            retry_at = core.enqueue(&mut self.queue, k, Enqueue::RateLimited);
        } else if let Some(d) = outcome.requeue_after {
            self.queue.forget(k);
            core.enqueue(&mut self.queue, k, Enqueue::After(d));
            requeue_at = Some(core.now().add(d));
        } else {
            self.queue.forget(k);
        }
        log_sync(core, k, requeue_at, retry_at, Some(outcome.decision), written);
    }
}

/// Fills the `by` of the JobDeleted entries the sync produced.
fn attribute_deletions(core: &mut Core, deletions: &[cronjob::Deletion]) {
    for e in &mut core.api.log {
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
    core: &mut Core,
    k: &SmolStr,
    requeue_at: Option<crate::model::Time>,
    retry_at: Option<crate::model::Time>,
    decision: Option<cronjob::Decision>,
    written: Option<Box<WrittenStatus>>,
) {
    core.emit(Entry::Sync {
        controller: Controller::Cronjob,
        object: k.clone(),
        requeue_at,
        retry_at,
        decision,
        status: Some(written),
    });
}
