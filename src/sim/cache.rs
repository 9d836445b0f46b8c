//! The CronJob controller's informer cache (its CronJob and Job listers).
//!
//! Changes reach it `informerLag` after the API server made them; with no
//! lag it follows the store exactly. A sync reads the CronJob and its Jobs
//! from here and everything else live, so a lagging cache produces what
//! upstream's does: Jobs not yet listed, a stale status written back (a
//! resourceVersion conflict, retried with backoff), UnexpectedJob warnings.

use super::world::{Change, World};
use crate::model::{CronJob, Job};
use std::collections::BTreeMap;

/// CronJobs and Jobs by `namespace/name`, as the informers last saw them.
#[derive(Debug, Default)]
pub struct Cache {
    pub cronjobs: BTreeMap<String, CronJob>,
    pub jobs: BTreeMap<String, Job>,
}

impl Cache {
    /// The initial list at controller start.
    pub fn relist(&mut self, world: &World) {
        self.cronjobs = world.cronjobs.clone();
        self.jobs = world.jobs.clone();
    }

    /// Applies one watch event.
    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::CronJob { key, new: Some(cj), .. } => {
                self.cronjobs.insert(key.clone(), (**cj).clone());
            }
            Change::CronJob { key, new: None, .. } => {
                self.cronjobs.remove(key);
            }
            Change::Job { key, new: Some(j), .. } => {
                self.jobs.insert(key.clone(), (**j).clone());
            }
            Change::Job { key, new: None, .. } => {
                self.jobs.remove(key);
            }
            Change::Pod { .. } => {}
        }
    }

    /// The Jobs of `cj`'s namespace whose controller reference names it
    /// (by name or uid), in name order: a superset of what any
    /// [`JobListing`](crate::policy::settings::JobListing) keeps, without
    /// copying the namespace's other Jobs.
    pub fn jobs_owned_by(&self, cj: &CronJob) -> Vec<Job> {
        let from = format!("{}/", cj.metadata.namespace);
        self.jobs
            .range(from.clone()..)
            .take_while(|(k, _)| k.starts_with(&from))
            .filter(|(_, j)| {
                j.metadata
                    .controller_ref()
                    .is_some_and(|r| r.name == cj.metadata.name || r.uid == cj.metadata.uid)
            })
            .map(|(_, j)| j.clone())
            .collect()
    }
}
