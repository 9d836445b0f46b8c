//! `batch/v1` CronJob.

use super::job::JobTemplateSpec;
use super::meta::{Condition, ObjectMeta, ObjectReference};
use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `batch/v1` CronJob.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronJob {
    /// `apiVersion`, normally `batch/v1`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    /// `kind`, normally `CronJob`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    /// `metadata`: name, namespace, labels, annotations.
    pub metadata: ObjectMeta,
    /// `spec`: the schedule and the Job template.
    pub spec: crate::model::Shared<CronJobSpec>,
    /// `status`, as the controller writes it; empty until the first sync.
    #[serde(skip_serializing_if = "CronJobStatus::is_empty")]
    pub status: CronJobStatus,
}

/// `concurrencyPolicy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConcurrencyPolicy {
    /// Run Jobs concurrently (the default).
    #[default]
    Allow,
    /// Skip a tick while a Job is still active.
    Forbid,
    /// Delete the active Jobs and start the new one.
    Replace,
}

impl ConcurrencyPolicy {
    /// The API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ConcurrencyPolicy::Allow => "Allow",
            ConcurrencyPolicy::Forbid => "Forbid",
            ConcurrencyPolicy::Replace => "Replace",
        }
    }
}

/// `batch/v1` CronJobSpec.
///
/// `concurrencyPolicy` is kept as written so that validation can reject
/// values the API server rejects; [`CronJobSpec::policy`] reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronJobSpec {
    /// `spec.schedule`: the cron expression, as written.
    pub schedule: SmolStr,
    /// `spec.timeZone`: IANA zone name for the schedule; None means the kube-controller-manager's local zone (UTC by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<SmolStr>,
    /// `spec.startingDeadlineSeconds`: how late a tick may still start; None means no deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    /// `spec.concurrencyPolicy` as written; empty means `Allow` (see `policy`).
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub concurrency_policy: SmolStr,
    /// `spec.suspend`: stop creating Jobs when true; None means false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// `spec.jobTemplate`: the Job created at each tick.
    pub job_template: JobTemplateSpec,
    /// `spec.successfulJobsHistoryLimit`: finished successful Jobs to keep; defaulted to 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
    /// `spec.failedJobsHistoryLimit`: finished failed Jobs to keep; defaulted to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<i32>,
}

impl CronJobSpec {
    /// The concurrency policy; anything but `Forbid`/`Replace` acts as
    /// `Allow`, as in the controller's switch.
    pub fn policy(&self) -> ConcurrencyPolicy {
        match self.concurrency_policy.as_str() {
            "Forbid" => ConcurrencyPolicy::Forbid,
            "Replace" => ConcurrencyPolicy::Replace,
            _ => ConcurrencyPolicy::Allow,
        }
    }

    /// `spec.suspend`, nil meaning false.
    pub fn suspended(&self) -> bool {
        self.suspend == Some(true)
    }
}

/// `batch/v1` CronJobStatus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronJobStatus {
    /// `status.active`: references to the Jobs still running.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub active: Vec<ObjectReference>,
    /// `status.lastScheduleTime`: the last time a Job was scheduled; None if never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    /// `status.lastSuccessfulTime`: the last time a Job succeeded; None if never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_time: Option<Time>,
    /// `status.conditions`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl CronJobStatus {
    fn is_empty(&self) -> bool {
        self == &CronJobStatus::default()
    }
}
