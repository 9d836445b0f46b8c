//! The pods of each Job, indexed the way its syncs read them: every pod in
//! name order (the informer's), the settled ones apart, and the tallies,
//! kept up to date on every pod write. A sync then visits only the pods it
//! may count, so a Job's syncs cost what changed, not how many pods it has
//! (`policy::job::JobPods`).

use super::ApiServer;
use crate::model::Pod;
use crate::policy::job::{JobPods, PodRefs, PodTally, is_settled};
use smol_str::SmolStr;
use std::collections::BTreeSet;

/// One Job's pods.
#[derive(Debug, Default)]
pub(super) struct PodIndex {
    /// Every pod key, in name order.
    pub(super) all: BTreeSet<SmolStr>,
    /// The keys of pods [`is_settled`] accepts.
    settled: BTreeSet<SmolStr>,
    tally: PodTally,
}

impl PodIndex {
    /// Adds a pod's share (`sign` 1) or takes it away (`sign` -1); the key
    /// set of `all` is the caller's.
    pub(super) fn count(&mut self, k: &SmolStr, pod: &Pod, sign: i64) {
        self.tally.count(pod, sign);
        if !is_settled(pod) {
            return;
        }
        if sign > 0 {
            self.settled.insert(k.clone());
        } else {
            self.settled.remove(k);
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

/// A Job's pods as its sync reads them from the store.
pub struct StoredJobPods<'a> {
    pods: &'a rustc_hash::FxHashMap<SmolStr, std::sync::Arc<Pod>>,
    index: Option<&'a PodIndex>,
}

impl<'a> StoredJobPods<'a> {
    fn pods(&self, keys: impl Fn(&'a PodIndex) -> &'a BTreeSet<SmolStr>) -> PodRefs<'a> {
        self.index.map(keys).into_iter().flatten().filter_map(|k| self.pods.get(k).map(|p| &**p)).collect()
    }
}

impl<'a> JobPods<'a> for StoredJobPods<'a> {
    fn all(&self) -> PodRefs<'a> {
        self.pods(|i| &i.all)
    }

    fn tally(&self) -> PodTally {
        self.index.map(|i| i.tally).unwrap_or_default()
    }

    fn settled(&self) -> PodRefs<'a> {
        self.pods(|i| &i.settled)
    }
}

impl ApiServer {
    /// The pods the Job `job_key` controls, for its sync.
    pub fn job_pods<Q>(&self, job_key: &Q) -> StoredJobPods<'_>
    where
        SmolStr: std::borrow::Borrow<Q>,
        Q: std::hash::Hash + Eq + ?Sized,
    {
        StoredJobPods { pods: &self.pods, index: self.pods_by_job.get(job_key) }
    }
}
