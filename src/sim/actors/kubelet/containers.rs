//! The pod template's containers as the kubelet reports them in
//! `status.containerStatuses` and `status.initContainerStatuses`: by their
//! names, init containers first (each run to completion before the next,
//! and all before the regular ones), so a `podFailurePolicy` rule's
//! `onExitCodes.containerName` (`pkg/controller/job/pod_failure_policy.go`,
//! `matchOnExitCodes`, which looks at the regular containers, then the init
//! ones) sees the container that failed.

use super::KILLED_EXIT_CODE;
use crate::model::{ContainerStatus, ContainerTerminated, PodSpec, PodStatus, Time};
use smol_str::SmolStr;

/// The container names of a pod template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Containers {
    regular: Vec<SmolStr>,
    init: Vec<SmolStr>,
}

/// The container an attempt's exit code belongs to, by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// A regular container.
    Regular(usize),
    /// An init container: when it fails, the regular containers never
    /// start.
    Init(usize),
}

/// The name a container gets when the template names none (a Job built
/// without a pod template, as tests do).
const UNNAMED: &str = "main";

impl Containers {
    /// The names in `spec`.
    pub(super) fn of(spec: &PodSpec) -> Containers {
        let mut regular: Vec<SmolStr> = spec.containers.iter().map(|c| c.name.clone()).collect();
        if regular.is_empty() {
            regular.push(UNNAMED.into());
        }
        Containers { regular, init: spec.init_containers.iter().map(|c| c.name.clone()).collect() }
    }

    /// The container named `name` (regular first, as names are unique in a
    /// valid template); the first regular container when `name` is None or
    /// names none of them.
    pub(super) fn target(&self, name: Option<&str>) -> Target {
        let Some(name) = name else { return Target::Regular(0) };
        if let Some(i) = self.regular.iter().position(|n| n == name) {
            return Target::Regular(i);
        }
        self.init.iter().position(|n| n == name).map_or(Target::Regular(0), Target::Init)
    }

    /// The statuses when an attempt that will exit with `code` starts:
    /// the init containers before a failing one have completed; otherwise
    /// all have, and the regular containers run.
    pub(super) fn started(&self, target: Target, code: i32) -> (Vec<ContainerStatus>, Vec<ContainerStatus>) {
        let done = match target {
            Target::Init(i) if code != 0 => i,
            _ => self.init.len(),
        };
        let init = self
            .init
            .iter()
            .enumerate()
            .map(|(i, n)| ContainerStatus {
                name: n.clone(),
                terminated: (i < done).then(|| terminated(0, None, None)),
                ..ContainerStatus::default()
            })
            .collect();
        let regular =
            self.regular.iter().map(|n| ContainerStatus { name: n.clone(), ..ContainerStatus::default() });
        (regular.collect(), init)
    }

    /// The containers' terminated states when the attempt ends with `code`:
    /// a failing init container ends alone; otherwise the target container
    /// exits with `code` and the other regular ones end with it (killed:
    /// 137 too; else 0, as the pod is done).
    pub(super) fn exited(
        &self,
        status: &mut PodStatus,
        target: Target,
        code: i32,
        started: Option<Time>,
        finished: Time,
    ) {
        if status.container_statuses.is_empty() {
            (status.container_statuses, status.init_container_statuses) = self.started(target, code);
        }
        if let Target::Init(i) = target
            && code != 0
            && let Some(c) = status.init_container_statuses.get_mut(i)
        {
            c.terminated = Some(terminated(code, started, Some(finished)));
            return;
        }
        let failing = match target {
            Target::Regular(i) => i,
            Target::Init(_) => 0,
        };
        for (i, c) in status.container_statuses.iter_mut().enumerate() {
            let own = if i == failing || code == KILLED_EXIT_CODE { code } else { 0 };
            c.terminated = Some(terminated(own, started, Some(finished)));
        }
    }
}

/// The status of the container `target` names.
pub(super) fn status_mut(status: &mut PodStatus, target: Target) -> Option<&mut ContainerStatus> {
    match target {
        Target::Regular(i) => status.container_statuses.get_mut(i),
        Target::Init(i) => status.init_container_statuses.get_mut(i),
    }
}

/// A terminated state with the kubelet's reason for `code`.
pub(super) fn terminated(code: i32, started: Option<Time>, finished: Option<Time>) -> ContainerTerminated {
    ContainerTerminated {
        exit_code: code,
        reason: if code == 0 { "Completed" } else { "Error" }.into(),
        started_at: started,
        finished_at: finished,
    }
}
