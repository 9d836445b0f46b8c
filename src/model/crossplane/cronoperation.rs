//! `CronOperation` (`apis/ops/v1alpha1/cronoperation_types.go`).

use super::condition::{XpCondition, get};
use super::operation::OperationSpec;
use super::{ANNOTATION_PAUSED, DEFAULT_FAILED_HISTORY_LIMIT, DEFAULT_SUCCESSFUL_HISTORY_LIMIT};
use crate::model::{ConcurrencyPolicy, ObjectMeta, Time};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `ops.crossplane.io/v1alpha1` CronOperation: creates Operations on a cron
/// schedule. Cluster-scoped; there is no `suspend` (pause with the
/// `crossplane.io/paused` annotation) and no `timeZone` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronOperation {
    /// `apiVersion`, normally `ops.crossplane.io/v1alpha1`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind`, normally `CronOperation`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata`: name, labels, annotations (no namespace: cluster-scoped).
    pub metadata: ObjectMeta,
    /// `spec`: the schedule and the Operation template.
    pub spec: crate::model::Shared<CronOperationSpec>,
    /// `status`, as the controller writes it; empty until the first reconcile.
    #[serde(skip_serializing_if = "CronOperationStatus::is_empty")]
    pub status: CronOperationStatus,
}

impl CronOperation {
    /// crossplane-runtime `meta.IsPaused`: the paused annotation is exactly
    /// `"true"`.
    pub fn is_paused(&self) -> bool {
        self.metadata.annotations.get(ANNOTATION_PAUSED).is_some_and(|v| v == "true")
    }

    /// `GetCondition`, `None` when absent (upstream returns Unknown then).
    pub fn condition(&self, type_: &str) -> Option<&XpCondition> {
        get(&self.status.conditions, type_)
    }
}

/// `CronOperationSpec`.
///
/// `concurrencyPolicy` is kept as written (validation rejects what the CRD
/// enum rejects); [`CronOperationSpec::policy`] reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronOperationSpec {
    /// robfig `ParseStandard` syntax, `CRON_TZ=`/`TZ=` prefix included;
    /// not validated at admission.
    pub schedule: String,
    /// `spec.startingDeadlineSeconds`: how late a tick may still start; None means no deadline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    /// `spec.concurrencyPolicy` as written; None acts as `Allow` (see `policy`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub concurrency_policy: Option<String>,
    /// `spec.successfulHistoryLimit`: succeeded Operations to keep; None means 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_history_limit: Option<i32>,
    /// `spec.failedHistoryLimit`: failed Operations to keep; None means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_history_limit: Option<i32>,
    /// `spec.operationTemplate`: the Operation created at each tick.
    pub operation_template: OperationTemplate,
}

impl CronOperationSpec {
    /// The policy the reconciler's switch acts on: `Forbid` and `Replace`
    /// are special, anything else (nil, `Allow`, or a value the CRD would
    /// reject) proceeds like `Allow`, as the switch has no default arm.
    pub fn policy(&self) -> ConcurrencyPolicy {
        match self.concurrency_policy.as_deref() {
            Some("Forbid") => ConcurrencyPolicy::Forbid,
            Some("Replace") => ConcurrencyPolicy::Replace,
            _ => ConcurrencyPolicy::Allow,
        }
    }

    /// `successfulHistoryLimit`, 3 when unset (CRD default and code
    /// fallback agree).
    pub fn successful_limit(&self) -> i32 {
        self.successful_history_limit.unwrap_or(DEFAULT_SUCCESSFUL_HISTORY_LIMIT)
    }

    /// `failedHistoryLimit`, 1 when unset.
    pub fn failed_limit(&self) -> i32 {
        self.failed_history_limit.unwrap_or(DEFAULT_FAILED_HISTORY_LIMIT)
    }
}

/// `OperationTemplate`: metadata and spec copied into each Operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationTemplate {
    /// Metadata copied into each Operation.
    pub metadata: ObjectMeta,
    /// The spec of each Operation (shared with the Operations made from it).
    pub spec: crate::model::Shared<OperationSpec>,
}

/// `CronOperationStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronOperationStatus {
    /// `status.conditions`: `Synced` and `Scheduling`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<XpCondition>,
    /// Sorted names of the Operations whose `Succeeded` reason is
    /// `PipelineRunning`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub running_operation_refs: Vec<RunningOperationRef>,
    /// Upstream: the newest child's `creationTimestamp` (API-server clock,
    /// whole seconds), not the slot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    /// `status.lastSuccessfulTime`: when an Operation last succeeded; None if never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_successful_time: Option<Time>,
}

impl CronOperationStatus {
    fn is_empty(&self) -> bool {
        self == &CronOperationStatus::default()
    }
}

/// `RunningOperationRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RunningOperationRef {
    /// `name` of the running Operation.
    pub name: SmolStr,
}
