//! `CronWorkflow` (`pkg/apis/workflow/v1alpha1/cron_workflow_types.go`) and
//! the few Workflow-spec fields that decide a run's outcome.

use super::ANNOTATION_LAST_USED_SCHEDULE;
use super::{DEFAULT_FAILED_HISTORY_LIMIT, DEFAULT_SUCCESSFUL_HISTORY_LIMIT};
use crate::model::{ConcurrencyPolicy, ObjectMeta, ObjectReference, Time};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `argoproj.io/v1alpha1` CronWorkflow: submits a Workflow on each of its
/// cron schedules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronWorkflow {
    /// `apiVersion`, normally `argoproj.io/v1alpha1`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind`, normally `CronWorkflow`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata`.
    pub metadata: ObjectMeta,
    /// `spec`.
    pub spec: CronWorkflowSpec,
    /// `status`, as the controller writes it.
    #[serde(skip_serializing_if = "CronWorkflowStatus::is_empty")]
    pub status: CronWorkflowStatus,
}

impl CronWorkflow {
    /// `IsUsingNewSchedule`: the last-used-schedule annotation is absent or
    /// differs from the schedules as they are now (timezone included).
    pub fn is_using_new_schedule(&self) -> bool {
        let now = self.spec.schedule_string_with_timezone();
        self.metadata.annotations.get(ANNOTATION_LAST_USED_SCHEDULE).is_none_or(|last| *last != now)
    }

    /// `SetSchedule(GetScheduleWithTimezoneString())`: records the
    /// schedules as used.
    pub fn set_schedule_used(&mut self) {
        let s = self.spec.schedule_string_with_timezone();
        self.metadata.annotations.insert(ANNOTATION_LAST_USED_SCHEDULE.into(), s.into());
    }
}

/// `CronWorkflowSpec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronWorkflowSpec {
    /// `spec.workflowSpec`: the Workflow submitted at each tick.
    pub workflow_spec: WorkflowSpec,
    /// `spec.concurrencyPolicy` as written; empty acts as `Allow`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub concurrency_policy: String,
    /// `spec.suspend`.
    pub suspend: bool,
    /// `spec.startingDeadlineSeconds`: only consulted for the one catch-up
    /// at (re)start; none means no catch-up at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    /// `spec.successfulJobsHistoryLimit`; none (or negative) means 3.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successful_jobs_history_limit: Option<i32>,
    /// `spec.failedJobsHistoryLimit`; none (or negative) means 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_jobs_history_limit: Option<i32>,
    /// `spec.timezone`: prefixed to each schedule as `CRON_TZ=<zone> `;
    /// empty: the controller's local zone.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub timezone: String,
    /// `spec.workflowMetadata`: labels and annotations for each Workflow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_metadata: Option<ObjectMeta>,
    /// `spec.stopStrategy` (v3.6+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_strategy: Option<StopStrategy>,
    /// `spec.schedules` (v3.6+; the only schedule field since v4).
    pub schedules: Vec<String>,
    /// `spec.when` (v3.6+): a `{{= expr }}` template that must come out
    /// `true` for a tick to run.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub when: String,
}

impl CronWorkflowSpec {
    /// `withTimezone`: `CRON_TZ=<timezone> ` before the schedule when a
    /// timezone is set.
    pub fn with_timezone(&self, schedule: &str) -> String {
        if self.timezone.is_empty() {
            schedule.to_string()
        } else {
            format!("CRON_TZ={} {schedule}", self.timezone)
        }
    }

    /// `GetSchedulesWithTimezone`: what the controller registers with the
    /// cron runner and what the missed-run check parses.
    pub fn schedules_with_timezone(&self) -> Vec<String> {
        self.schedules.iter().map(|s| self.with_timezone(s)).collect()
    }

    /// `GetScheduleWithTimezoneString`: the schedules joined by `,`, each
    /// with its timezone prefix (the last-used-schedule annotation's value).
    pub fn schedule_string_with_timezone(&self) -> String {
        self.schedules_with_timezone().join(",")
    }

    /// The policy `enforceRuntimePolicy` acts on; `None` for a value it
    /// refuses ("invalid ConcurrencyPolicy", which validation catches
    /// first).
    pub fn policy(&self) -> Option<ConcurrencyPolicy> {
        match self.concurrency_policy.as_str() {
            "" | "Allow" => Some(ConcurrencyPolicy::Allow),
            "Forbid" => Some(ConcurrencyPolicy::Forbid),
            "Replace" => Some(ConcurrencyPolicy::Replace),
            _ => None,
        }
    }

    /// `enforceHistoryLimit`: the succeeded Workflows kept; a negative limit
    /// falls back to the default of 3.
    pub fn successful_limit(&self) -> usize {
        Self::limit(self.successful_jobs_history_limit, DEFAULT_SUCCESSFUL_HISTORY_LIMIT)
    }

    /// `enforceHistoryLimit`: the failed and errored Workflows kept; a
    /// negative limit falls back to the default of 1.
    pub fn failed_limit(&self) -> usize {
        Self::limit(self.failed_jobs_history_limit, DEFAULT_FAILED_HISTORY_LIMIT)
    }

    fn limit(set: Option<i32>, default: i32) -> usize {
        let n = set.filter(|n| *n >= 0).unwrap_or(default);
        usize::try_from(n).unwrap_or(0)
    }
}

/// `StopStrategy` (v3.6+).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StopStrategy {
    /// An expr-lang expression over `cronworkflow.*`; true stops scheduling.
    pub expression: String,
}

/// The Workflow-spec fields cronwarp reads: what validation checks and
/// what decides a run's outcome. Everything else is ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowSpec {
    /// `entrypoint`: the template that runs first; required unless a
    /// `workflowTemplateRef` supplies it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub entrypoint: String,
    /// `templates`, by name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<WorkflowTemplate>,
    /// `workflowTemplateRef`, kept opaque: the referenced template is not
    /// modelled, only its presence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workflow_template_ref: Option<serde_json::Value>,
    /// `activeDeadlineSeconds`: the Workflow fails when it runs longer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
}

/// One `templates[]` entry: only its name matters here.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WorkflowTemplate {
    /// `name`.
    pub name: String,
}

/// `CronWorkflowStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CronWorkflowStatus {
    /// `active`: references to the running child Workflows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub active: Vec<ObjectReference>,
    /// `lastScheduledTime`: the scheduled time (not the creation time) of
    /// the last Workflow submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scheduled_time: Option<Time>,
    /// `conditions`: `SpecError`, `SubmissionError`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ArgoCondition>,
    /// `succeeded`: children seen to succeed.
    pub succeeded: i64,
    /// `failed`: children seen to fail or error, plus submission errors.
    pub failed: i64,
    /// `phase`: `Active` or `Stopped` (empty before the first run).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub phase: String,
}

impl CronWorkflowStatus {
    fn is_empty(&self) -> bool {
        self == &CronWorkflowStatus::default()
    }

    /// `Conditions.UpsertCondition` (status `True`).
    pub fn upsert_condition(&mut self, type_: &str, message: String) {
        let c = ArgoCondition { type_: type_.into(), status: "True".into(), message };
        match self.conditions.iter_mut().find(|c| c.type_ == type_) {
            Some(old) => *old = c,
            None => self.conditions.push(c),
        }
    }

    /// `Conditions.RemoveCondition`.
    pub fn remove_condition(&mut self, type_: &str) {
        self.conditions.retain(|c| c.type_ != type_);
    }
}

/// An Argo `Condition`: type, status and message, no timestamps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ArgoCondition {
    /// `type`.
    #[serde(rename = "type")]
    pub type_: SmolStr,
    /// `status`: `True`/`False`.
    pub status: SmolStr,
    /// `message`.
    pub message: String,
}

/// `getChildWorkflowName`: `<cronworkflow>-<scheduled unix seconds>`.
/// Deterministic, so a second submission for the same tick is refused
/// `AlreadyExists` and dropped quietly (docs/fidelity/argo.md#argo-9).
pub fn child_workflow_name(cron_workflow: &str, scheduled: Time) -> SmolStr {
    smol_str::format_smolstr!("{cron_workflow}-{}", scheduled.unix())
}
