//! A small driver for multi-sync CronJob scenarios: one CronJob, a
//! [`FakeApi`] holding its Jobs, and `sync` called at chosen instants the
//! way the work queue would (status written back when changed, requeue
//! timers followed on request).

use super::fake_api::FakeApi;
use cronwarp::model::{CronJob, Job, Time};
use cronwarp::policy::Settings;
use cronwarp::policy::cronjob::{SyncContext, SyncOutcome, sync};
use cronwarp::schedule::Zone;

/// A CronJob and its API server.
pub struct World {
    pub api: FakeApi,
    /// The CronJob as last written (what the informer would hand `sync`).
    pub cj: CronJob,
    pub settings: Settings,
    /// kube-controller-manager's zone.
    pub local: Zone,
}

impl World {
    /// A world holding `cj` (stored in the API too).
    pub fn new(cj: CronJob) -> World {
        let mut api = FakeApi::new();
        api.put_cronjob(cj.clone());
        World { api, cj, settings: Settings::default(), local: Zone::Utc }
    }

    /// The Jobs the controller lists: those whose controller reference
    /// carries the CronJob's uid.
    pub fn owned_jobs(&self) -> Vec<Job> {
        self.api
            .jobs
            .values()
            .filter(|j| j.metadata.controller_ref().is_some_and(|r| r.uid == self.cj.metadata.uid))
            .cloned()
            .collect()
    }

    /// One `sync(key)` at `now`; a changed status is written back.
    pub fn sync_at(&mut self, now: Time) -> SyncOutcome {
        self.api.now = now;
        let jobs = self.owned_jobs();
        let ctx = SyncContext { now, local: self.local, settings: &self.settings, detail: true };
        let out = sync(&mut self.api, &self.cj, &jobs, ctx);
        if out.status_changed {
            self.cj.status = out.cronjob.status.clone();
            self.api.put_cronjob(self.cj.clone());
        }
        out
    }

    /// Syncs at `start`, then wherever the returned requeue timer points,
    /// while that stays at or before `end`. Returns each sync's instant and
    /// outcome.
    pub fn follow_timers(&mut self, start: Time, end: Time) -> Vec<(Time, SyncOutcome)> {
        let mut out = Vec::new();
        let mut now = start;
        // A timer loop that never advances would be an implementation bug;
        // the cap turns it into a failed assertion instead of a hang.
        for _ in 0..10_000 {
            let o = self.sync_at(now);
            let next = o.requeue_after.map(|d| now.add(d.max(0)));
            out.push((now, o));
            match next {
                Some(n) if n <= end && n > now => now = n,
                Some(n) if n <= end => panic!("requeue timer did not advance at {now}: next {n}"),
                _ => break,
            }
        }
        out
    }

    /// Edits a stored Job (e.g. to finish it).
    pub fn with_job(&mut self, name: &str, f: impl FnOnce(&mut Job)) {
        let ns = self.cj.metadata.namespace.clone();
        let job = self.api.job_mut(&ns, name).unwrap_or_else(|| panic!("no job {name}"));
        f(job);
    }

    /// Names of all stored Jobs.
    pub fn job_names(&self) -> Vec<String> {
        self.api.jobs.values().map(|j| j.metadata.name.to_string()).collect()
    }
}
