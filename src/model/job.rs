//! `batch/v1` Job and the pod template it carries.

use super::meta::{Condition, ObjectMeta};
use super::quantity::{PodRequests, Quantity, container_requests, pod_requests};
use super::shared::Shared;
use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// `batch/v1` Job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Job {
    /// `apiVersion`, normally `batch/v1`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    /// `kind`, normally `Job`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    /// `metadata`: name, namespace, labels, owner references.
    pub metadata: ObjectMeta,
    /// `spec`: how many pods, limits, and the pod template (shared with
    /// the Job's other versions and the template it came from).
    pub spec: Shared<JobSpec>,
    /// `status`: pod counts, times and conditions.
    pub status: JobStatus,
}

impl Job {
    /// The first `Complete`/`Failed` condition with status True
    /// (`jobutil.FinishedCondition`): `Some("Complete")` or `Some("Failed")`.
    pub fn finished_condition(&self) -> Option<&Condition> {
        self.status
            .conditions
            .iter()
            .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
    }

    /// `jobutil.IsJobFinished`.
    pub fn is_finished(&self) -> bool {
        self.finished_condition().is_some()
    }

    /// Whether the Job has `Complete=True`.
    pub fn is_complete(&self) -> bool {
        self.status.conditions.iter().any(|c| c.is_true("Complete"))
    }
}

/// `batch/v1` JobTemplateSpec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobTemplateSpec {
    /// `metadata`: labels and annotations copied onto each Job.
    #[serde(skip_serializing_if = "TemplateMeta::is_empty")]
    pub metadata: TemplateMeta,
    /// `spec`: the spec of each Job (shared with the Jobs made from it).
    pub spec: Shared<JobSpec>,
}

/// The metadata a template may carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TemplateMeta {
    /// `labels`; empty for none.
    #[serde(skip_serializing_if = "crate::model::Labels::is_empty")]
    pub labels: crate::model::Labels,
    /// `annotations`; empty for none.
    #[serde(skip_serializing_if = "crate::model::Labels::is_empty")]
    pub annotations: crate::model::Labels,
}

impl TemplateMeta {
    fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.annotations.is_empty()
    }
}

/// `batch/v1` JobSpec.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobSpec {
    /// `spec.parallelism`: most pods running at once; defaulted to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallelism: Option<i32>,
    /// `spec.completions`: successful pods needed; defaulted to 1 if `parallelism` is unset too, else None means any success completes the Job.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions: Option<i32>,
    /// `spec.activeDeadlineSeconds`: seconds from start before the Job is failed; None means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// `spec.backoffLimit`: pod failures before the Job fails; defaulted to 6 (`MaxInt32` with `backoffLimitPerIndex`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit: Option<i32>,
    /// `spec.backoffLimitPerIndex`: failures allowed per index (Indexed mode); None means not used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff_limit_per_index: Option<i32>,
    /// `spec.ttlSecondsAfterFinished`: seconds after finishing before the Job is deleted; None means never.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_seconds_after_finished: Option<i32>,
    /// `spec.completionMode`: `NonIndexed` or `Indexed`; defaulted to `NonIndexed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_mode: Option<SmolStr>,
    /// `spec.suspend`: create no pods while true; None means false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspend: Option<bool>,
    /// `spec.podReplacementPolicy`: `TerminatingOrFailed` or `Failed`; None means the API default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_replacement_policy: Option<SmolStr>,
    /// `spec.manualSelector`: whether `selector` is set by hand; None means false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manual_selector: Option<bool>,
    /// Kept only to reject it: a CronJob's template must not set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<serde_json::Value>,
    /// `spec.podFailurePolicy`: rules that act on pod failures; None means every failure counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_failure_policy: Option<PodFailurePolicy>,
    /// `spec.template`: the pod each Job runs.
    pub template: PodTemplateSpec,
}

/// `v1` PodTemplateSpec, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodTemplateSpec {
    /// `metadata`: labels and annotations copied onto each pod.
    #[serde(skip_serializing_if = "TemplateMeta::is_empty")]
    pub metadata: TemplateMeta,
    /// `spec`: the spec of each pod.
    pub spec: PodSpec,
}

/// `v1` PodSpec, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodSpec {
    /// `Never`, `OnFailure` (or `Always`, which a Job rejects).
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub restart_policy: SmolStr,
    /// `terminationGracePeriodSeconds`: seconds a pod gets to stop; defaulted to 30.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub termination_grace_period_seconds: Option<i64>,
    /// `activeDeadlineSeconds`: seconds a pod may run; None means no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_deadline_seconds: Option<i64>,
    /// `initContainers`, run in order before the main containers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub init_containers: Vec<Container>,
    /// `containers`: the main containers.
    pub containers: Vec<Container>,
}

/// `v1` Container, reduced to what a rendered manifest needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Container {
    /// `name` of the container.
    pub name: SmolStr,
    /// `image` to run; empty when omitted.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub image: SmolStr,
    /// `command`: the entrypoint; empty means the image's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<SmolStr>,
    /// `args`: arguments; empty means the image's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<SmolStr>,
    /// `env`: environment entries, kept as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<serde_json::Value>,
    /// `resources`: what the container requests (the fleet load counts
    /// CPU and memory) and its limits.
    #[serde(skip_serializing_if = "Resources::is_empty")]
    pub resources: Resources,
}

/// `v1` ResourceRequirements, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Resources {
    /// `requests`: what the scheduler reserves, by resource name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<SmolStr, Quantity>,
    /// `limits`: read and checked as quantities, not used.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub limits: BTreeMap<SmolStr, Quantity>,
}

impl Resources {
    /// For `skip_serializing_if`.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty() && self.limits.is_empty()
    }
}

impl PodSpec {
    /// The CPU and memory one pod of this template requests, as the
    /// scheduler adds them up (see [`PodRequests`]).
    pub fn requests(&self) -> PodRequests {
        let of = |list: &[Container]| -> Vec<(i128, i128)> {
            list.iter().map(|c| container_requests(&c.resources.requests)).collect()
        };
        pod_requests(&of(&self.containers), &of(&self.init_containers))
    }
}

/// `batch/v1` PodFailurePolicy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodFailurePolicy {
    /// `rules`, checked in order.
    pub rules: Vec<PodFailurePolicyRule>,
}

/// One rule; the first match wins.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodFailurePolicyRule {
    /// `FailJob`, `Ignore`, `Count` or `FailIndex`.
    pub action: SmolStr,
    /// `onExitCodes`: match on container exit codes; None when the rule matches on conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_exit_codes: Option<OnExitCodes>,
    /// `onPodConditions`: match on pod conditions; empty when the rule matches on exit codes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub on_pod_conditions: Vec<OnPodCondition>,
}

/// `onExitCodes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnExitCodes {
    /// `containerName`: only this container's exit code counts; None means any container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<SmolStr>,
    /// `In` or `NotIn`.
    pub operator: SmolStr,
    /// `values`: the exit codes to compare with.
    pub values: Vec<i32>,
}

/// `onPodConditions` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OnPodCondition {
    /// `type`: the pod condition type, e.g. `DisruptionTarget`.
    #[serde(rename = "type")]
    pub type_: SmolStr,
    /// `status` the condition must have; empty means `True`.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub status: SmolStr,
}

/// `batch/v1` JobStatus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobStatus {
    /// `status.conditions`: e.g. `Complete`, `Failed`, `Suspended`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// `status.startTime`: when the Job controller started the Job; None until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,
    /// `status.completionTime`: when the Job completed; None unless it succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_time: Option<Time>,
    /// `status.active`: pods running or pending.
    #[serde(skip_serializing_if = "is_zero")]
    pub active: i32,
    /// `status.succeeded`: pods that succeeded.
    #[serde(skip_serializing_if = "is_zero")]
    pub succeeded: i32,
    /// `status.failed`: pods that failed.
    #[serde(skip_serializing_if = "is_zero")]
    pub failed: i32,
    /// `status.terminating`: pods being deleted; None when not tracked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminating: Option<i32>,
    /// `status.ready`: active pods that are ready; None when not tracked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ready: Option<i32>,
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}
