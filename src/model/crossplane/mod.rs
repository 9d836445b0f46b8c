//! Crossplane `ops.crossplane.io/v1alpha1` CronOperation and Operation
//! (alpha since Crossplane v2.0; docs/fidelity/crossplane.md#xp-1):
//! upstream `apis/ops/v1alpha1/{cronoperation_types,operation_types,
//! conditions}.go` and crossplane-runtime's `ConditionedStatus`.
//!
//! Both kinds are cluster-scoped. Unknown fields are ignored (a removed
//! `spec.suspend`, `observedGeneration`, printer-only fields …); defaults
//! the CRD or the controller apply are read through accessor methods, so a
//! value read back from YAML is kept as written.

mod condition;
mod cronoperation;
mod operation;
mod validate;

pub use condition::{XpCondition, set_conditions};
pub use cronoperation::{
    CronOperation, CronOperationSpec, CronOperationStatus, OperationTemplate, RunningOperationRef,
};
pub use operation::{
    AppliedResourceRef, FunctionCredentials, FunctionReference, FunctionRequirements, Operation,
    OperationSpec, OperationStatus, PipelineStep, PipelineStepStatus, RequiredResourceSelector,
    RequiredSchemaSelector, SecretReference,
};
pub use validate::{validate_cronoperation, validate_operation};

/// `apiVersion` of both kinds.
pub const OPS_API_VERSION: &str = "ops.crossplane.io/v1alpha1";
/// `LabelCronOperationName`: the label a CronOperation puts on the
/// Operations it creates (the docs' `crossplane.io/cronoperation` is wrong).
pub const LABEL_CRONOPERATION_NAME: &str = "ops.crossplane.io/cronoperation";
/// crossplane-runtime `meta.AnnotationKeyReconciliationPaused`; the value
/// `"true"` pauses reconciliation.
pub const ANNOTATION_PAUSED: &str = "crossplane.io/paused";

/// The CRD default (and code fallback) of `successfulHistoryLimit`.
pub const DEFAULT_SUCCESSFUL_HISTORY_LIMIT: i32 = 3;
/// The CRD default (and code fallback) of `failedHistoryLimit`.
pub const DEFAULT_FAILED_HISTORY_LIMIT: i32 = 1;
/// `DefaultRetryLimit`: applied in code only, since the CRD marker is
/// mistyped (`+kubebuilder:default:5`, bug B4).
pub const DEFAULT_RETRY_LIMIT: i64 = 5;

/// Condition type `Synced` (crossplane-runtime).
pub const TYPE_SYNCED: &str = "Synced";
/// Condition type `Succeeded` (Operation).
pub const TYPE_SUCCEEDED: &str = "Succeeded";
/// Condition type `ValidPipeline` (Operation).
pub const TYPE_VALID_PIPELINE: &str = "ValidPipeline";
/// Condition type `Scheduling` (CronOperation).
pub const TYPE_SCHEDULING: &str = "Scheduling";

/// `Succeeded` reason while an Operation runs or retries.
pub const REASON_PIPELINE_RUNNING: &str = "PipelineRunning";
/// `Succeeded=True` reason.
pub const REASON_PIPELINE_SUCCESS: &str = "PipelineSuccess";
/// `Succeeded=False` reason (the docs' `PipelineFailure` does not exist).
pub const REASON_PIPELINE_ERROR: &str = "PipelineError";
