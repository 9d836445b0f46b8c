//! `v1` Pod: only what the Job controller and the kubelet model exchange.

use super::meta::{Condition, ObjectMeta};
use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `v1` Pod, reduced to phase, timing, restarts and exit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pod {
    /// `apiVersion`, normally `v1`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    /// `kind`, normally `Pod`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    /// `metadata`: name, namespace, labels, owner references.
    pub metadata: ObjectMeta,
    /// `status`: phase, times, conditions and container states.
    pub status: PodStatus,
}

/// `status.phase`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum PodPhase {
    /// Accepted, but not all containers are running yet (the default).
    #[default]
    Pending,
    /// Bound to a node, at least one container running or restarting.
    Running,
    /// Every container exited with success and will not restart.
    Succeeded,
    /// Every container exited and at least one failed.
    Failed,
    /// The pod's state could not be obtained.
    Unknown,
}

impl PodPhase {
    /// Succeeded or Failed.
    pub fn is_terminal(self) -> bool {
        matches!(self, PodPhase::Succeeded | PodPhase::Failed)
    }
}

/// `v1` PodStatus, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodStatus {
    /// `status.phase`.
    pub phase: PodPhase,
    /// `status.startTime`: when the kubelet accepted the pod; None until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,
    /// `status.conditions`: e.g. `Ready`, `DisruptionTarget`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
    /// `status.containerStatuses`: one per regular container.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub container_statuses: Vec<ContainerStatus>,
    /// Init containers' statuses (their restarts count toward an
    /// `OnFailure` Job's backoff limit; podFailurePolicy looks at them
    /// after the regular containers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub init_container_statuses: Vec<ContainerStatus>,
}

/// `v1` ContainerStatus, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerStatus {
    /// `name` of the container.
    pub name: SmolStr,
    /// `restartCount`: how many times the container has restarted.
    pub restart_count: i32,
    /// Set once the container has terminated (last state for a restarted
    /// container lives in `last_terminated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminated: Option<ContainerTerminated>,
    /// How the previous run ended (k8s `lastState.terminated`); None if there was no previous run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_terminated: Option<ContainerTerminated>,
}

/// `v1` ContainerStateTerminated, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerTerminated {
    /// `exitCode` of the container's process.
    pub exit_code: i32,
    /// `reason`: e.g. `Completed`, `Error`, `OOMKilled`; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub reason: SmolStr,
    /// `startedAt`: when the container started; None if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// `finishedAt`: when the container exited; None if unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
}
