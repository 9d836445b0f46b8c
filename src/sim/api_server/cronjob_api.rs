//! The CronJob controller's views of the API server: the live one its
//! syncs write through, and the one the capacity model's write probe asks.

use super::{ApiServer, key};
use crate::model::{CronJob, Job};
use crate::policy::{Api, ApiError, Propagation};
use smol_str::SmolStr;
use std::sync::Arc;

/// The CronJob controller's view of the API server: live calls on the
/// store, with the CronJob's namespace for Jobs created without one.
pub struct CronJobApi<'w> {
    /// The store the calls act on.
    pub world: &'w mut ApiServer,
    /// The CronJob's namespace, for Jobs created without one.
    pub namespace: SmolStr,
}

/// The live GETs both views answer from the store: a CronJob by key, a
/// Job by key (an empty namespace is the CronJob's).
macro_rules! reads_from_store {
    () => {
        fn get_cronjob(&mut self, namespace: &str, name: &str) -> Result<CronJob, ApiError> {
            let found = self.world.cronjobs.get(&key(namespace, name));
            found.map(|c| (**c).clone()).ok_or(ApiError::NotFound)
        }

        fn get_job(&mut self, namespace: &str, name: &str) -> Result<Job, ApiError> {
            let ns = if namespace.is_empty() { self.namespace.as_str() } else { namespace };
            self.world.jobs.get(&key(ns, name)).map(|j| (**j).clone()).ok_or(ApiError::NotFound)
        }
    };
}

impl Api for CronJobApi<'_> {
    reads_from_store!();

    fn create_job(&mut self, mut job: Job) -> Result<Arc<Job>, ApiError> {
        if job.metadata.namespace.is_empty() {
            job.metadata.namespace = self.namespace.clone();
        }
        // The request's creationTimestamp (the scheduled time) is ignored.
        job.metadata.creation_timestamp = None;
        job.metadata.uid = SmolStr::default();
        self.world.insert_job(job)
    }

    fn delete_job(&mut self, namespace: &str, name: &str, propagation: Propagation) -> Result<(), ApiError> {
        let ns = if namespace.is_empty() { self.namespace.as_str() } else { namespace };
        self.world.delete_job_key(ns, name, propagation)
    }
}

/// The CronJob controller's writes answered without being made: what the
/// capacity model's write probe ([`sends_any`](crate::policy::cronjob::sends_any))
/// runs against to learn whether a sync would wait for a token (a sync
/// that sends nothing never touches the client's rate limiter). Reads go
/// to the store as [`CronJobApi`]'s do; a create or delete answers as the
/// store would, without changing it.
pub struct DryRunApi<'w> {
    /// The store the calls would act on.
    pub world: &'w ApiServer,
    /// The CronJob's namespace, for Jobs created without one.
    pub namespace: SmolStr,
}

impl Api for DryRunApi<'_> {
    reads_from_store!();

    fn create_job(&mut self, mut job: Job) -> Result<Arc<Job>, ApiError> {
        if job.metadata.namespace.is_empty() {
            job.metadata.namespace = self.namespace.clone();
        }
        if self.world.jobs.contains_key(&key(&job.metadata.namespace, &job.metadata.name)) {
            return Err(ApiError::AlreadyExists);
        }
        job.metadata.creation_timestamp = Some(self.world.api_now().trunc_seconds());
        Ok(Arc::new(job))
    }

    fn delete_job(&mut self, namespace: &str, name: &str, _: Propagation) -> Result<(), ApiError> {
        let ns = if namespace.is_empty() { self.namespace.as_str() } else { namespace };
        if self.world.jobs.contains_key(&key(ns, name)) { Ok(()) } else { Err(ApiError::NotFound) }
    }
}
