//! `Operation` (`apis/ops/v1alpha1/operation_types.go`).

use super::DEFAULT_RETRY_LIMIT;
use super::condition::{XpCondition, get};
use super::{REASON_PIPELINE_RUNNING, TYPE_SUCCEEDED};
use crate::model::ObjectMeta;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `ops.crossplane.io/v1alpha1` Operation: one run of a function pipeline,
/// retried as a whole up to `retryLimit` attempts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Operation {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    pub metadata: ObjectMeta,
    pub spec: OperationSpec,
    #[serde(skip_serializing_if = "OperationStatus::is_empty")]
    pub status: OperationStatus,
}

impl Operation {
    /// `GetCondition`, `None` when absent (upstream returns Unknown then).
    pub fn condition(&self, type_: &str) -> Option<&XpCondition> {
        get(&self.status.conditions, type_)
    }

    /// The `Succeeded` condition's status; `Unknown` when absent.
    pub fn succeeded_status(&self) -> &str {
        self.condition(TYPE_SUCCEEDED).map_or("Unknown", |c| c.status.as_str())
    }

    /// The `Succeeded` condition's reason; empty when absent.
    pub fn succeeded_reason(&self) -> &str {
        self.condition(TYPE_SUCCEEDED).map_or("", |c| c.reason.as_str())
    }

    /// `IsComplete`: `Succeeded` is True or False.
    pub fn is_complete(&self) -> bool {
        matches!(self.succeeded_status(), "True" | "False")
    }

    /// Running as the CronOperation counts it: reason `PipelineRunning`.
    /// A freshly created Operation with no status is not running yet.
    pub fn is_running(&self) -> bool {
        self.succeeded_reason() == REASON_PIPELINE_RUNNING
    }
}

/// `OperationSpec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationSpec {
    /// Only `Pipeline` exists (the CRD default).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub mode: String,
    pub pipeline: Vec<PipelineStep>,
    /// Total attempts allowed; `0` means the Operation fails without running.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_limit: Option<i64>,
}

impl OperationSpec {
    /// `ptr.Deref(retryLimit, DefaultRetryLimit)`.
    pub fn retry_limit(&self) -> i64 {
        self.retry_limit.unwrap_or(DEFAULT_RETRY_LIMIT)
    }
}

/// `PipelineStep`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PipelineStep {
    pub step: String,
    pub function_ref: FunctionReference,
    /// An embedded resource; anything but a JSON object fails the Operation
    /// at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<FunctionCredentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements: Option<FunctionRequirements>,
}

/// `FunctionReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionReference {
    pub name: String,
}

/// `FunctionCredentials`: source `None` or `Secret`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionCredentials {
    pub name: String,
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
}

/// `SecretReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretReference {
    pub name: String,
    pub namespace: String,
}

/// `FunctionRequirements`: resources and schemas fetched before a step's
/// first call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionRequirements {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_resources: Vec<RequiredResourceSelector>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_schemas: Vec<RequiredSchemaSelector>,
}

/// `RequiredResourceSelector` (exactly one of `name`/`matchLabels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredResourceSelector {
    pub requirement_name: String,
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `RequiredSchemaSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredSchemaSelector {
    pub requirement_name: String,
    pub api_version: String,
    pub kind: String,
}

/// `OperationStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationStatus {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<XpCondition>,
    /// Failed attempts so far.
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: i64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipeline: Vec<PipelineStepStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub applied_resource_refs: Vec<AppliedResourceRef>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

impl OperationStatus {
    fn is_empty(&self) -> bool {
        self == &OperationStatus::default()
    }
}

/// `PipelineStepStatus`: a step's output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PipelineStepStatus {
    pub step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
}

/// `AppliedResourceRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppliedResourceRef {
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}
