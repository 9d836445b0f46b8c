//! The CronJob controller's informer cache (its CronJob and Job listers).
//!
//! Changes reach it `informerLag` after the API server made them; with no
//! lag it follows the store exactly. A sync reads the CronJob and its Jobs
//! from here and everything else live, so a lagging cache produces what
//! upstream's does: Jobs not yet listed, a stale status written back (a
//! resourceVersion conflict, retried with backoff), UnexpectedJob warnings.

use crate::model::{CronJob, Job};
use crate::policy::settings::JobListing;
use crate::sim::api_server::{ApiServer, Change};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::collections::BTreeSet;
use std::sync::Arc;

/// CronJobs and Jobs by `namespace/name`, as the informers last saw them
/// (shared with the store and its notifications, never copied).
#[derive(Debug, Default)]
pub(super) struct Cache {
    pub cronjobs: FxHashMap<SmolStr, Arc<CronJob>>,
    jobs: FxHashMap<SmolStr, Arc<Job>>,
    /// Job keys by their controller reference's namespace and name, and by
    /// its uid: the informer's indexers, so that listing a CronJob's Jobs
    /// costs its own Jobs, not the namespace's. Nested by namespace so a
    /// lookup needs no key to be built.
    by_owner_name: FxHashMap<SmolStr, FxHashMap<SmolStr, BTreeSet<SmolStr>>>,
    by_owner_uid: FxHashMap<SmolStr, BTreeSet<SmolStr>>,
}

/// Removes `key` from the set at `index[k]`, dropping the set once empty.
fn unindex(index: &mut FxHashMap<SmolStr, BTreeSet<SmolStr>>, k: &str, key: &str) {
    if let Some(set) = index.get_mut(k) {
        set.remove(key);
        if set.is_empty() {
            index.remove(k);
        }
    }
}

/// Whether the Job key `k` is in namespace `ns`.
fn in_namespace(k: &str, ns: &str) -> bool {
    k.strip_prefix(ns).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether two Jobs have the same index keys.
fn same_owner(a: &Job, b: &Job) -> bool {
    let (ra, rb) = (a.metadata.controller_ref(), b.metadata.controller_ref());
    a.metadata.namespace == b.metadata.namespace
        && match (ra, rb) {
            (None, None) => true,
            (Some(x), Some(y)) => x.name == y.name && x.uid == y.uid,
            _ => false,
        }
}

impl Cache {
    /// The initial list at controller start.
    pub(super) fn relist(&mut self, world: &ApiServer) {
        self.cronjobs = world.cronjobs.clone();
        self.jobs.clear();
        self.by_owner_name.clear();
        self.by_owner_uid.clear();
        for (k, j) in &world.jobs {
            self.insert_job(k, Arc::clone(j));
        }
    }

    fn insert_job(&mut self, key: &SmolStr, job: Arc<Job>) {
        // A status write keeps the controller reference: the indexes stay.
        if let Some(slot) = self.jobs.get_mut(key)
            && same_owner(slot, &job)
        {
            *slot = job;
            return;
        }
        self.remove_job(key);
        if let Some(r) = job.metadata.controller_ref() {
            let names = self.by_owner_name.entry(job.metadata.namespace.clone()).or_default();
            names.entry(r.name.clone()).or_default().insert(key.clone());
            self.by_owner_uid.entry(r.uid.clone()).or_default().insert(key.clone());
        }
        self.jobs.insert(key.clone(), job);
    }

    fn remove_job(&mut self, key: &str) {
        let Some(old) = self.jobs.remove(key) else { return };
        let Some(r) = old.metadata.controller_ref() else { return };
        unindex(&mut self.by_owner_uid, &r.uid, key);
        let ns = &old.metadata.namespace;
        if let Some(names) = self.by_owner_name.get_mut(ns.as_str()) {
            unindex(names, &r.name, key);
            if names.is_empty() {
                self.by_owner_name.remove(ns.as_str());
            }
        }
    }

    /// Applies one watch event.
    pub(super) fn apply(&mut self, change: &Change) {
        match change {
            Change::CronJob { key, new: Some(cj), .. } => {
                self.cronjobs.insert(key.clone(), Arc::clone(cj));
            }
            Change::CronJob { key, new: None, .. } => {
                self.cronjobs.remove(key);
            }
            Change::Job { key, new: Some(j), .. } => self.insert_job(key, Arc::clone(j)),
            Change::Job { key, new: None, .. } => self.remove_job(key),
            _ => {}
        }
    }

    /// The controller's job list for `cj` under `listing`, in name order:
    /// the Jobs of its namespace whose controller reference names it, as
    /// [`lists_job`](crate::policy::cronjob::lists_job) keeps them, read
    /// from the one index that listing uses (the other index's extra Jobs
    /// are exactly those the filter drops).
    pub(super) fn jobs_listed(&self, cj: &CronJob, listing: JobListing) -> Vec<&Job> {
        let ns = cj.metadata.namespace.as_str();
        let (keys, this_namespace) = match listing {
            JobListing::OwnerName => {
                (self.by_owner_name.get(ns).and_then(|names| names.get(&cj.metadata.name)), false)
            }
            JobListing::OwnerUid => (self.by_owner_uid.get(&cj.metadata.uid), true),
        };
        let keys = keys.into_iter().flatten().filter(|k| !this_namespace || in_namespace(k, ns));
        keys.filter_map(|k| self.jobs.get(k).map(|j| &**j)).collect()
    }
}
