//! An in-memory API server for policy tests, after upstream's fake job and
//! CronJob controls (`fakeJobControl`, `fakeCJControl` in
//! kubernetes `pkg/controller/cronjob/injection.go`): it stores objects,
//! fails the calls it is told to fail, and records what the controller did.

use cronwarp::model::{CronJob, Job, Time};
use cronwarp::policy::{Api, ApiError, Propagation};
use std::collections::BTreeMap;

/// One DELETE the controller issued and the fake accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleted {
    pub namespace: String,
    pub name: String,
    pub propagation: Propagation,
}

/// The fake API server. Keys are `(namespace, name)`.
#[derive(Debug, Default)]
pub struct FakeApi {
    pub cronjobs: BTreeMap<(String, String), CronJob>,
    pub jobs: BTreeMap<(String, String), Job>,
    /// Every CREATE fails with this (upstream's `CreateErr`).
    pub create_err: Option<ApiError>,
    /// Every job GET fails with this (upstream's `Err`, GET side).
    pub get_job_err: Option<ApiError>,
    /// Every DELETE fails with this (upstream's `Err`, DELETE side).
    pub delete_err: Option<ApiError>,
    /// Every CronJob GET fails with this.
    pub get_cronjob_err: Option<ApiError>,
    /// When set, a job GET returns this object whatever name is asked for,
    /// as upstream's `fakeJobControl.GetJob` returns its single `Job`.
    pub job_for_any_name: Option<Job>,
    /// Jobs the fake accepted on CREATE, as stored (uid, timestamp set).
    pub created: Vec<Job>,
    /// DELETEs the fake accepted.
    pub deleted: Vec<Deleted>,
    /// Every call in order, failed ones included: `GET cronjob ns/name`,
    /// `GET job ns/name`, `CREATE job ns/name`, `DELETE job ns/name Background`.
    pub calls: Vec<String>,
    /// The API server's clock: creation timestamps of created jobs.
    pub now: Time,
    next_uid: u64,
}

fn key(namespace: &str, name: &str) -> (String, String) {
    (namespace.to_string(), name.to_string())
}

impl FakeApi {
    /// An empty API server.
    pub fn new() -> FakeApi {
        FakeApi::default()
    }

    /// Stores (or replaces) a CronJob.
    pub fn put_cronjob(&mut self, cj: CronJob) {
        self.cronjobs.insert(key(&cj.metadata.namespace, &cj.metadata.name), cj);
    }

    /// Stores (or replaces) a Job.
    pub fn put_job(&mut self, job: Job) {
        self.jobs.insert(key(&job.metadata.namespace, &job.metadata.name), job);
    }

    /// A stored Job.
    pub fn job(&self, namespace: &str, name: &str) -> Option<&Job> {
        self.jobs.get(&key(namespace, name))
    }

    /// A stored Job, mutably.
    pub fn job_mut(&mut self, namespace: &str, name: &str) -> Option<&mut Job> {
        self.jobs.get_mut(&key(namespace, name))
    }

    /// Names of the accepted CREATEs, in order.
    pub fn created_names(&self) -> Vec<String> {
        self.created.iter().map(|j| j.metadata.name.to_string()).collect()
    }
}

impl Api for FakeApi {
    fn get_cronjob(&mut self, namespace: &str, name: &str) -> Result<CronJob, ApiError> {
        self.calls.push(format!("GET cronjob {namespace}/{name}"));
        if let Some(e) = &self.get_cronjob_err {
            return Err(e.clone());
        }
        self.cronjobs.get(&key(namespace, name)).cloned().ok_or(ApiError::NotFound)
    }

    fn get_job(&mut self, namespace: &str, name: &str) -> Result<Job, ApiError> {
        self.calls.push(format!("GET job {namespace}/{name}"));
        if let Some(e) = &self.get_job_err {
            return Err(e.clone());
        }
        if let Some(j) = &self.job_for_any_name {
            return Ok(j.clone());
        }
        self.jobs.get(&key(namespace, name)).cloned().ok_or(ApiError::NotFound)
    }

    fn create_job(&mut self, mut job: Job) -> Result<std::sync::Arc<Job>, ApiError> {
        self.calls.push(format!("CREATE job {}/{}", job.metadata.namespace, job.metadata.name));
        if let Some(e) = &self.create_err {
            return Err(e.clone());
        }
        let k = key(&job.metadata.namespace, &job.metadata.name);
        if self.jobs.contains_key(&k) {
            return Err(ApiError::AlreadyExists);
        }
        self.next_uid += 1;
        job.metadata.uid = format!("fake-uid-{}", self.next_uid).into();
        job.metadata.creation_timestamp = Some(self.now.trunc_seconds());
        self.jobs.insert(k, job.clone());
        self.created.push(job.clone());
        Ok(job.into())
    }

    fn delete_job(&mut self, namespace: &str, name: &str, propagation: Propagation) -> Result<(), ApiError> {
        self.calls.push(format!("DELETE job {namespace}/{name} {propagation:?}"));
        if let Some(e) = &self.delete_err {
            return Err(e.clone());
        }
        if self.jobs.remove(&key(namespace, name)).is_none() {
            return Err(ApiError::NotFound);
        }
        self.deleted.push(Deleted { namespace: namespace.into(), name: name.into(), propagation });
        Ok(())
    }
}
