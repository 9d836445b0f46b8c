//! crossplane-runtime `xpv1.Condition` and `ConditionedStatus.SetConditions`,
//! plus the condition constructors the ops controllers use
//! (`apis/ops/v1alpha1/conditions.go`, crossplane-runtime `condition.go`).

use super::{
    REASON_PIPELINE_ERROR, REASON_PIPELINE_RUNNING, REASON_PIPELINE_SUCCESS, TYPE_SCHEDULING, TYPE_SUCCEEDED,
    TYPE_SYNCED, TYPE_VALID_PIPELINE,
};
use crate::model::Time;
use serde::{Deserialize, Serialize};

/// A crossplane-runtime condition. Unlike `metav1.Condition` it has no
/// `lastProbeTime`; `observedGeneration` is kept when read but cronwarp does
/// not track generations, so the controllers leave it unset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct XpCondition {
    /// `type`: e.g. `Synced`, `Succeeded`, `Scheduling`, `ValidPipeline`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// `lastTransitionTime`: when `status` last changed, whole seconds; None if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// `reason`: a CamelCase code such as `PipelineRunning`; may be empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// `message`: human-readable detail; may be empty.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// `observedGeneration`: kept when read; None when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

impl XpCondition {
    fn new(type_: &str, status: &str, reason: &str, message: String, at: Time) -> XpCondition {
        XpCondition {
            type_: type_.into(),
            status: status.into(),
            // metav1.Now() as the API server stores it: whole seconds.
            last_transition_time: Some(at.trunc_seconds()),
            reason: reason.into(),
            message,
            observed_generation: None,
        }
    }

    /// `xpv1.Condition.Equal`: everything but the transition time.
    pub fn same_as(&self, other: &XpCondition) -> bool {
        self.type_ == other.type_
            && self.status == other.status
            && self.reason == other.reason
            && self.message == other.message
            && self.observed_generation == other.observed_generation
    }

    /// `xpv1.ReconcileSuccess`: Synced=True.
    pub fn reconcile_success(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SYNCED, "True", "ReconcileSuccess", String::new(), at)
    }

    /// `xpv1.ReconcileError`: Synced=False with the error text.
    pub fn reconcile_error(message: impl Into<String>, at: Time) -> XpCondition {
        XpCondition::new(TYPE_SYNCED, "False", "ReconcileError", message.into(), at)
    }

    /// `xpv1.ReconcilePaused`: Synced=False, no message.
    pub fn reconcile_paused(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SYNCED, "False", "ReconcilePaused", String::new(), at)
    }

    /// `v1alpha1.Running`: Succeeded=Unknown/PipelineRunning.
    pub fn running(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SUCCEEDED, "Unknown", REASON_PIPELINE_RUNNING, String::new(), at)
    }

    /// `v1alpha1.Complete`: Succeeded=True/PipelineSuccess.
    pub fn complete(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SUCCEEDED, "True", REASON_PIPELINE_SUCCESS, String::new(), at)
    }

    /// `v1alpha1.Failed`: Succeeded=False/PipelineError.
    pub fn failed(message: impl Into<String>, at: Time) -> XpCondition {
        XpCondition::new(TYPE_SUCCEEDED, "False", REASON_PIPELINE_ERROR, message.into(), at)
    }

    /// `v1alpha1.ValidPipeline`: ValidPipeline=True.
    pub fn valid_pipeline(at: Time) -> XpCondition {
        XpCondition::new(TYPE_VALID_PIPELINE, "True", "ValidPipeline", String::new(), at)
    }

    /// `v1alpha1.MissingCapabilities`: ValidPipeline=False.
    pub fn missing_capabilities(message: impl Into<String>, at: Time) -> XpCondition {
        XpCondition::new(TYPE_VALID_PIPELINE, "False", "MissingCapabilities", message.into(), at)
    }

    /// `v1alpha1.ScheduleActive`: Scheduling=True.
    pub fn schedule_active(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SCHEDULING, "True", "ScheduleActive", String::new(), at)
    }

    /// `v1alpha1.ScheduleInvalid`: Scheduling=False with the parse error.
    pub fn schedule_invalid(message: impl Into<String>, at: Time) -> XpCondition {
        XpCondition::new(TYPE_SCHEDULING, "False", "ScheduleInvalid", message.into(), at)
    }

    /// `v1alpha1.SchedulePaused`: Scheduling=False.
    pub fn schedule_paused(at: Time) -> XpCondition {
        XpCondition::new(TYPE_SCHEDULING, "False", "SchedulePaused", String::new(), at)
    }
}

/// `ConditionedStatus.SetConditions`: a condition equal to the existing one
/// of its type (ignoring the time) is not rewritten, so its
/// `lastTransitionTime` survives; otherwise it replaces that type's entry,
/// or is appended.
pub fn set_conditions(conditions: &mut Vec<XpCondition>, new: impl IntoIterator<Item = XpCondition>) {
    for c in new {
        match conditions.iter_mut().find(|e| e.type_ == c.type_) {
            Some(e) if e.same_as(&c) => {}
            Some(e) => *e = c,
            None => conditions.push(c),
        }
    }
}

/// `ConditionedStatus.GetCondition`: the condition of a type, if present.
pub(super) fn get<'a>(conditions: &'a [XpCondition], type_: &str) -> Option<&'a XpCondition> {
    conditions.iter().find(|c| c.type_ == type_)
}
