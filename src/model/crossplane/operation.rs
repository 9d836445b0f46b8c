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
    /// `apiVersion`, normally `ops.crossplane.io/v1alpha1`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind`, normally `Operation`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata`: name, labels, annotations, owner references.
    pub metadata: ObjectMeta,
    /// `spec`: the function pipeline and retry limit.
    pub spec: crate::model::Shared<OperationSpec>,
    /// `status`, as the controller writes it; empty until the first reconcile.
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
    /// `spec.pipeline`: the function steps, run in order.
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
    /// `step`: the step's name, unique within the pipeline.
    pub step: String,
    /// `functionRef`: the Function this step calls.
    pub function_ref: FunctionReference,
    /// An embedded resource; anything but a JSON object fails the Operation
    /// at once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<serde_json::Value>,
    /// `credentials`: credentials passed to the function; empty for none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub credentials: Vec<FunctionCredentials>,
    /// `requirements`: resources and schemas to fetch first; None for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirements: Option<FunctionRequirements>,
}

/// `FunctionReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionReference {
    /// `name` of the Function.
    pub name: String,
}

/// `FunctionCredentials`: source `None` or `Secret`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionCredentials {
    /// `name` the function sees the credentials under.
    pub name: String,
    /// `source`: `None` or `Secret`.
    pub source: String,
    /// `secretRef`: the Secret to read when `source` is `Secret`; None otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
}

/// `SecretReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SecretReference {
    /// `name` of the Secret.
    pub name: String,
    /// `namespace` of the Secret.
    pub namespace: String,
}

/// `FunctionRequirements`: resources and schemas fetched before a step's
/// first call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FunctionRequirements {
    /// `requiredResources`: resources fetched before the first call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_resources: Vec<RequiredResourceSelector>,
    /// `requiredSchemas`: schemas fetched before the first call.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required_schemas: Vec<RequiredSchemaSelector>,
}

/// `RequiredResourceSelector` (exactly one of `name`/`matchLabels`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredResourceSelector {
    /// `requirementName`: the key the function sees the result under.
    pub requirement_name: String,
    /// `apiVersion` of the resources to fetch.
    pub api_version: String,
    /// `kind` of the resources to fetch.
    pub kind: String,
    /// `name`: fetch the one resource with this name; None when selecting by labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `matchLabels`: fetch the resources with these labels; None when selecting by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_labels: Option<BTreeMap<String, String>>,
    /// `namespace` to look in; None when omitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `RequiredSchemaSelector`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequiredSchemaSelector {
    /// `requirementName`: the key the function sees the schema under.
    pub requirement_name: String,
    /// `apiVersion` of the schema's kind.
    pub api_version: String,
    /// `kind` whose schema to fetch.
    pub kind: String,
}

/// `OperationStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OperationStatus {
    /// `status.conditions`: `Synced`, `Succeeded`, `ValidPipeline`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<XpCondition>,
    /// Failed attempts so far.
    #[serde(skip_serializing_if = "is_zero")]
    pub failures: i64,
    /// `status.pipeline`: each step's output.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pipeline: Vec<PipelineStepStatus>,
    /// `status.appliedResourceRefs`: resources the pipeline applied.
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
    /// `step`: the step's name.
    pub step: String,
    /// `output`: what the function returned; None if nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<serde_json::Value>,
}

/// `AppliedResourceRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppliedResourceRef {
    /// `apiVersion` of the applied resource.
    pub api_version: String,
    /// `kind` of the applied resource.
    pub kind: String,
    /// `namespace` of the applied resource; None when cluster-scoped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// `name` of the applied resource.
    pub name: String,
}
