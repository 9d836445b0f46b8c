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
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    pub metadata: ObjectMeta,
    pub spec: CronJobSpec,
    #[serde(skip_serializing_if = "CronJobStatus::is_empty")]
    pub status: CronJobStatus,
}

/// `concurrencyPolicy`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConcurrencyPolicy {
    #[default]
    Allow,
    Forbid,
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
    pub schedule: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<SmolStr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub concurrency_policy: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    pub job_template: JobTemplateSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub active: Vec<ObjectReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_time: Option<Time>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl CronJobStatus {
    fn is_empty(&self) -> bool {
        self == &CronJobStatus::default()
    }
}
