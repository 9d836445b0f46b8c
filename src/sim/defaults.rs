//! API-server defaulting of the objects a scenario seeds
//! (`SetDefaults_CronJob`, `SetDefaults_Job`, reference §1.1–1.2).
//!
//! Stand-in until the model layer's defaulting is merged; only the fields
//! the controllers read.

use crate::model::{CronJob, Job, JobSpec};

/// `SetDefaults_CronJob` plus the Job template's defaults.
pub fn cronjob(cj: &mut CronJob) {
    let s = &mut cj.spec;
    if s.concurrency_policy.is_empty() {
        s.concurrency_policy = "Allow".into();
    }
    s.suspend.get_or_insert(false);
    s.successful_jobs_history_limit.get_or_insert(3);
    s.failed_jobs_history_limit.get_or_insert(1);
    job_spec(&mut s.job_template.spec);
    if cj.api_version.is_empty() {
        cj.api_version = "batch/v1".into();
    }
    if cj.kind.is_empty() {
        cj.kind = "CronJob".into();
    }
}

/// `SetDefaults_Job`.
pub fn job(job: &mut Job) {
    job_spec(&mut job.spec);
    if job.metadata.labels.is_empty() {
        job.metadata.labels = job.spec.template.metadata.labels.clone();
    }
}

fn job_spec(s: &mut JobSpec) {
    if s.completions.is_none() && s.parallelism.is_none() {
        s.completions = Some(1);
    }
    s.parallelism.get_or_insert(1);
    if s.backoff_limit.is_none() {
        s.backoff_limit = Some(if s.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    s.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    s.suspend.get_or_insert(false);
    if s.template.spec.restart_policy.is_empty() {
        s.template.spec.restart_policy = "Never".into();
    }
}
