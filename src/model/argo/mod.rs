//! Argo Workflows `argoproj.io/v1alpha1` CronWorkflow
//! (docs/fidelity/argo.md#argo-1): upstream
//! `pkg/apis/workflow/v1alpha1/cron_workflow_types.go` (v4.1, where the
//! singular `spec.schedule` of v3 is gone and `spec.schedules` is the only
//! schedule field), the annotation and label keys of
//! `workflow/common/common.go`, and the CronWorkflow rules of
//! `workflow/validate/validate.go` (`validate.CronWorkflow`).
//!
//! Namespaced, like a CronJob. Unknown fields are ignored when read (the
//! Workflow spec is large and mostly irrelevant to scheduling); misspelt
//! keys of the CronWorkflow spec itself are reported like a CronJob's.

mod cronworkflow;
mod validate;

pub use cronworkflow::{
    ArgoCondition, CronWorkflow, CronWorkflowSpec, CronWorkflowStatus, StopStrategy, WorkflowSpec,
    WorkflowTemplate, child_workflow_name,
};
pub use validate::{ArgoInvalid, validate_cronworkflow};

/// `apiVersion` of CronWorkflow and Workflow.
pub const ARGO_API_VERSION: &str = "argoproj.io/v1alpha1";

/// `annotationKeyLatestSchedule`: the schedules (with their `CRON_TZ=`
/// prefix, comma-joined) the controller last ran with. A mismatch means
/// "the schedule was just edited": no catch-up (docs/fidelity/argo.md#argo-5).
pub const ANNOTATION_LAST_USED_SCHEDULE: &str = "cronworkflows.argoproj.io/last-used-schedule";

/// `LabelKeyCronWorkflow`: the label on each child Workflow naming its
/// CronWorkflow; history GC only counts Workflows that carry it.
pub const LABEL_CRON_WORKFLOW: &str = "workflows.argoproj.io/cron-workflow";

/// `LabelKeyCronWorkflowCompleted`: set to `"true"` when the stop strategy
/// fires; the controller's informer then filters the CronWorkflow out.
pub const LABEL_CRON_WORKFLOW_COMPLETED: &str = "workflows.argoproj.io/cron-workflow-completed";

/// `AnnotationKeyCronWfScheduledTime`: the scheduled time on each child.
pub const ANNOTATION_SCHEDULED_TIME: &str = "workflows.argoproj.io/scheduled-time";

/// `maxCharsInCronWorkflowName`: 63 minus room for `-<unix seconds>`.
pub const MAX_NAME_LEN: usize = 52;

/// `enforceHistoryLimit`'s default for succeeded Workflows kept.
pub const DEFAULT_SUCCESSFUL_HISTORY_LIMIT: i32 = 3;
/// `enforceHistoryLimit`'s default for failed (and errored) Workflows kept.
pub const DEFAULT_FAILED_HISTORY_LIMIT: i32 = 1;

/// Condition type `SpecError` (validation failed at run or sync time).
pub const CONDITION_SPEC_ERROR: &str = "SpecError";
/// Condition type `SubmissionError` (run policy or submission failed).
pub const CONDITION_SUBMISSION_ERROR: &str = "SubmissionError";
