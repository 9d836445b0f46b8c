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

    /// The Jobs of a namespace, in name order (the lister's `List`).
    pub fn jobs_in(&self, ns: &str) -> Vec<Job> {
        let from = format!("{ns}/");
        self.jobs
            .range(from.clone()..)
            .take_while(|(k, _)| k.starts_with(&from))
            .map(|(_, j)| j.clone())
            .collect()
    }
}
