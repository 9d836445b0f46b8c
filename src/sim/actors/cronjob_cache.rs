//! The CronJob controller's informer cache (its CronJob and Job listers).
//!
//! Changes reach it `informerLag` after the API server made them; with no
//! lag it follows the store exactly. A sync reads the CronJob and its Jobs
//! from here and everything else live, so a lagging cache produces what
//! upstream's does: Jobs not yet listed, a stale status written back (a
//! resourceVersion conflict, retried with backoff), UnexpectedJob warnings.

use crate::model::{CronJob, Job};
use crate::policy::cronjob::{JobFacts, ListedJob};
use crate::policy::settings::JobListing;
use crate::sim::api_server::{ApiServer, Change};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::sync::Arc;

/// The Jobs one sync lists: held on the stack up to a count most
/// CronJobs never exceed (three succeeded and one failed kept, one
/// running, by default).
pub(super) type Listed<'a> = smallvec::SmallVec<[ListedJob<'a>; 8]>;

/// A CronJob's Jobs sorted by key (so in name order within a namespace),
/// the Jobs themselves: listing them needs no lookup in the cache's map.
/// A sorted list, not a `BTreeMap`: a CronJob keeps a handful of Jobs, its
/// new Jobs' names sort last (they end in the scheduled minute), and
/// every sync reads the whole list, which a tree walks far more slowly.
///
/// Each Job comes with what a sync reads of it ([`JobFacts`]), computed
/// once per version here rather than at every sync from the Job itself.
#[derive(Debug, Default)]
struct Owned(Vec<(SmolStr, Arc<Job>, JobFacts)>);

impl Owned {
    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _, _)| k.as_str().cmp(key))
    }

    /// The entry of a Job the list holds. A change's key is a clone of the
    /// stored one, so a heap key is found by its address, newest Job first
    /// (the one a sync's writes usually touch), before a search by text
    /// that compares whole keys.
    fn find_held(&self, key: &SmolStr) -> Result<usize, usize> {
        let same = |k: &SmolStr| std::ptr::eq(k.as_str(), key.as_str());
        match self.0.iter().rposition(|(k, _, _)| same(k)) {
            Some(i) => Ok(i),
            None => self.find(key),
        }
    }

    /// Replaces the version of a Job the list holds.
    fn update(&mut self, key: &SmolStr, job: &Arc<Job>) {
        if let Ok(i) = self.find_held(key) {
            let entry = &mut self.0[i];
            entry.2 = JobFacts::of(job);
            entry.1 = Arc::clone(job);
        }
    }

    fn insert(&mut self, key: SmolStr, job: Arc<Job>) {
        let facts = JobFacts::of(&job);
        match self.find(&key) {
            Ok(i) => self.0[i] = (key, job, facts),
            Err(i) => self.0.insert(i, (key, job, facts)),
        }
    }

    fn remove(&mut self, key: &SmolStr) {
        if let Ok(i) = self.find_held(key) {
            self.0.remove(i);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// CronJobs and Jobs by `namespace/name`, as the informers last saw them
/// (shared with the store and its notifications, never copied).
#[derive(Debug, Default)]
pub(super) struct Cache {
    pub cronjobs: FxHashMap<SmolStr, Arc<CronJob>>,
    jobs: FxHashMap<SmolStr, Arc<Job>>,
    /// How the controller lists a CronJob's Jobs (fixed for a run): only
    /// the index that listing reads is kept.
    listing: JobListing,
    /// Jobs by their controller reference's namespace and name, or by its
    /// uid: the informer's indexers, so that listing a CronJob's Jobs costs
    /// its own Jobs, not the namespace's. Keyed by namespace then name, or
    /// by "" then uid, so a lookup needs no key to be built.
    by_owner: FxHashMap<SmolStr, FxHashMap<SmolStr, Owned>>,
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

/// The index keys of `job` under `listing`: (namespace, owner name) or
/// ("", owner uid).
fn owner_keys(listing: JobListing, job: &Job) -> Option<(&SmolStr, &SmolStr)> {
    static NO_NAMESPACE: SmolStr = SmolStr::new_inline("");
    let r = job.metadata.controller_ref()?;
    Some(match listing {
        JobListing::OwnerName => (&job.metadata.namespace, &r.name),
        JobListing::OwnerUid => (&NO_NAMESPACE, &r.uid),
    })
}

impl Cache {
    /// The initial list at controller start, for a controller that lists
    /// Jobs by `listing`.
    pub(super) fn relist(&mut self, world: &ApiServer, listing: JobListing) {
        self.cronjobs = world.cronjobs.clone();
        self.jobs.clear();
        self.by_owner.clear();
        self.listing = listing;
        for (k, j) in &world.jobs {
            self.insert_job(k, Arc::clone(j));
        }
    }

    fn insert_job(&mut self, key: &SmolStr, job: Arc<Job>) {
        // A status write keeps the controller reference: the index entry
        // stays, with the new version.
        if let Some(slot) = self.jobs.get_mut(key)
            && same_owner(slot, &job)
        {
            let by_owner = &mut self.by_owner;
            let owned = owner_keys(self.listing, &job).and_then(|(a, b)| by_owner.get_mut(a)?.get_mut(b));
            if let Some(owned) = owned {
                owned.update(key, &job);
            }
            *slot = job;
            return;
        }
        self.remove_job(key);
        if let Some((a, b)) = owner_keys(self.listing, &job) {
            let inner = self.by_owner.entry(a.clone()).or_default();
            inner.entry(b.clone()).or_default().insert(key.clone(), Arc::clone(&job));
        }
        self.jobs.insert(key.clone(), job);
    }

    fn remove_job(&mut self, key: &SmolStr) {
        let Some(old) = self.jobs.remove(key) else { return };
        let Some((a, b)) = owner_keys(self.listing, &old) else { return };
        if let Some(inner) = self.by_owner.get_mut(a) {
            if let Some(set) = inner.get_mut(b) {
                set.remove(key);
                if set.is_empty() {
                    inner.remove(b);
                }
            }
            if inner.is_empty() {
                self.by_owner.remove(a);
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

    /// The controller's job list for `cj` under its listing, in name order:
    /// the Jobs of its namespace whose controller reference names it, as
    /// [`lists_job`](crate::policy::cronjob::lists_job) keeps them, read
    /// from the one index that listing uses (the other index's extra Jobs
    /// are exactly those the filter drops).
    pub(super) fn jobs_listed(&self, cj: &CronJob) -> Listed<'_> {
        let ns = cj.metadata.namespace.as_str();
        let (owned, this_namespace) = match self.listing {
            JobListing::OwnerName => (
                self.by_owner.get(&cj.metadata.namespace).and_then(|names| names.get(&cj.metadata.name)),
                false,
            ),
            JobListing::OwnerUid => (self.by_owner.get("").and_then(|uids| uids.get(&cj.metadata.uid)), true),
        };
        let Some(owned) = owned else { return Listed::new() };
        owned
            .0
            .iter()
            .filter(|(k, _, _)| !this_namespace || in_namespace(k, ns))
            .map(|(_, job, facts)| ListedJob { job, facts })
            .collect()
    }
}
