//! `firstList`: what kube-controller-manager's informers hold at the start
//! of the horizon when it differs from the store. client-go's reflector
//! makes its first LIST with `resourceVersion: "0"`, which the API server
//! may answer from its watch cache, behind etcd (kubernetes#59848); the
//! controllers start once that list has filled their caches
//! (`WaitForNamedCacheSync` in `cronjob_controllerv2.go` `Run`), then the
//! watch delivers what the list missed. The scenario names it: Jobs the
//! store has that the list lacks, and the older CronJob version the list
//! returned. The watch catches up `controller.informerLag` after the start
//! (docs/fidelity/kubernetes-cronjob.md#cj-24).

use crate::model::{CronJob, Job, Time};
use crate::sim::api_server::{ApiServer, Change, key};
use serde::Deserialize;
use std::sync::Arc;

/// The controller's first list, where it differs from the store.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FirstList {
    /// Names of this workload's Jobs (in its CronJob's namespace) that the
    /// store has and the first list lacks.
    #[serde(default)]
    pub unseen_jobs: Vec<String>,
    /// The listed CronJob's `status.lastScheduleTime` (an older version's).
    #[serde(default)]
    pub last_schedule_time: Option<Time>,
    /// The listed CronJob's `status.active`, by Job name (an older
    /// version's); `[]` for none.
    #[serde(default)]
    pub active: Option<Vec<String>>,
    /// The listed CronJob's `spec.schedule` (before an edit the watch has
    /// not delivered yet).
    #[serde(default)]
    pub schedule: Option<String>,
}

impl FirstList {
    /// Whether the listed CronJob differs from the stored one.
    fn stale_cronjob(&self) -> bool {
        self.last_schedule_time.is_some() || self.active.is_some() || self.schedule.is_some()
    }

    /// The changes the watch delivers after the first list, for the
    /// CronJob stored at `cronjob` (`namespace/name`): each one's `old` is
    /// what the list held (`None`: the list lacked it), its `new` the
    /// stored object. The error names what is wrong.
    pub fn changes(&self, api: &ApiServer, cronjob: &str) -> Result<Vec<Change>, String> {
        let stored = api.cronjobs.get(cronjob).ok_or_else(|| format!("no CronJob {cronjob}"))?;
        let ns = stored.metadata.namespace.clone();
        let job = |name: &str| -> Result<&Arc<Job>, String> {
            api.jobs.get(&key(&ns, name)).ok_or_else(|| {
                format!(
                    "no Job {ns}/{name} in this workload's manifest (the store must have what the list lacks)"
                )
            })
        };
        let mut out = Vec::new();
        for name in &self.unseen_jobs {
            let j = job(name)?;
            out.push(Change::Job { key: key(&ns, name), old: None, new: Some(Arc::clone(j)) });
        }
        if self.stale_cronjob() {
            let mut listed: CronJob = (**stored).clone();
            if let Some(t) = self.last_schedule_time {
                listed.status.last_schedule_time = Some(t);
            }
            if let Some(s) = &self.schedule {
                listed.spec.schedule = s.as_str().into();
            }
            if let Some(names) = &self.active {
                let refs = names.iter().map(|n| job(n).map(|j| crate::policy::cronjob::job_ref(j)));
                listed.status.active = refs.collect::<Result<_, _>>()?;
            }
            listed.metadata.resource_version = older(&stored.metadata.resource_version).into();
            let k = smol_str::SmolStr::from(cronjob);
            out.push(Change::CronJob { key: k, old: Some(Arc::new(listed)), new: Some(Arc::clone(stored)) });
        }
        Ok(out)
    }
}

/// A resourceVersion before `rv`: a write from the listed copy conflicts,
/// as one from an older version does.
fn older(rv: &str) -> String {
    match rv.parse::<u64>() {
        Ok(n) if n > 1 => (n - 1).to_string(),
        _ => "0".into(),
    }
}
