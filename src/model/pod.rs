//! `v1` Pod: only what the Job controller and the kubelet model exchange.

use super::meta::{Condition, ObjectMeta};
use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `v1` Pod, reduced to phase, timing, restarts and exit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Pod {
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    pub metadata: ObjectMeta,
    pub status: PodStatus,
}

/// `status.phase`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PodPhase {
    #[default]
    Pending,
    Running,
    Succeeded,
    Failed,
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
    pub phase: PodPhase,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_time: Option<Time>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
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
    pub name: SmolStr,
    pub restart_count: i32,
    /// Set once the container has terminated (last state for a restarted
    /// container lives in `last_terminated`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terminated: Option<ContainerTerminated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_terminated: Option<ContainerTerminated>,
}

/// `v1` ContainerStateTerminated, reduced.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerTerminated {
    pub exit_code: i32,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub reason: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
}
