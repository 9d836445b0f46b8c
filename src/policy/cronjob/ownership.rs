//! Which Jobs belong to a CronJob and how `status.active` refers to them:
//! the job listing of `ControllerV2.sync` (by controller uid, or by name in
//! older releases), `metav1.IsControlledBy`, `inActiveList`,
//! `inActiveListByName` and `getRef`.

use crate::model::{CronJob, Job, ObjectReference};
use crate::policy::settings::{JobListing, Settings};
use smol_str::SmolStr;

/// The controller's job list for a CronJob, per [`Settings::job_listing`]:
/// `getCronJobJobsByIndexer` (controller ownerRef uid, any namespace, as
/// the cluster-wide indexer has it) or the older `getJobsToBeReconciled`
/// (same namespace, controller ownerRef name only: no kind or uid check).
pub fn jobs_for_cronjob<'j>(cronjob: &CronJob, all_jobs: &'j [Job], settings: &Settings) -> Vec<&'j Job> {
    all_jobs.iter().filter(|j| lists_job(cronjob, j, settings)).collect()
}

/// Whether the controller's job listing for `cronjob` includes `job`, per
/// [`Settings::job_listing`]: the predicate behind [`jobs_for_cronjob`].
pub fn lists_job(cronjob: &CronJob, job: &Job, settings: &Settings) -> bool {
    let meta = &cronjob.metadata;
    let Some(owner) = job.metadata.controller_ref() else { return false };
    match settings.job_listing {
        JobListing::OwnerUid => owner.uid == meta.uid,
        JobListing::OwnerName => job.metadata.namespace == meta.namespace && owner.name == meta.name,
    }
}

/// `metav1.IsControlledBy(job, cronJob)`: the controller ownerRef's uid.
pub fn is_controlled_by(job: &Job, cronjob: &CronJob) -> bool {
    job.metadata.controller_ref().is_some_and(|r| r.uid == cronjob.metadata.uid)
}

/// `inActiveList`: a ref in `status.active` with this uid.
pub(crate) fn in_active_list(cronjob: &CronJob, uid: &SmolStr) -> bool {
    cronjob.status.active.iter().any(|r| r.uid == *uid)
}

/// `inActiveListByName`: a ref with this name in the CronJob's namespace.
pub(crate) fn in_active_list_by_name(cronjob: &CronJob, name: &str) -> bool {
    cronjob.status.active.iter().any(|r| r.name == name && r.namespace == cronjob.metadata.namespace)
}

/// `getRef(job)`: the ObjectReference `status.active` stores.
pub fn job_ref(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: "batch/v1".into(),
        kind: "Job".into(),
        name: job.metadata.name.clone(),
        namespace: job.metadata.namespace.clone(),
        uid: job.metadata.uid.clone(),
        resource_version: job.metadata.resource_version.clone(),
    }
}
