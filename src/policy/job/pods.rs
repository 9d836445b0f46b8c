//! Pod predicates and orderings the Job controller uses (`FilterActivePods`,
//! `CountTerminatingPods`, `isPodFailed`, `controller.ActivePods`).

use super::JOB_TRACKING_FINALIZER;
use crate::model::{Job, Pod, PodPhase, Time};
use std::cmp::Ordering;

/// `controller.IsPodActive`: not terminal and not being deleted.
pub fn is_active(p: &Pod) -> bool {
    !p.status.phase.is_terminal() && p.metadata.deletion_timestamp.is_none()
}

/// `controller.IsPodTerminating`: being deleted and not terminal yet.
pub fn is_terminating(p: &Pod) -> bool {
    !p.status.phase.is_terminal() && p.metadata.deletion_timestamp.is_some()
}

/// `podutil.IsPodReady`: condition `Ready=True`.
pub(super) fn is_ready(p: &Pod) -> bool {
    p.status.conditions.iter().any(|c| c.is_true("Ready"))
}

fn ready_since(p: &Pod) -> Option<Time> {
    p.status.conditions.iter().find(|c| c.is_true("Ready")).and_then(|c| c.last_transition_time)
}

/// Whether the pod still carries `batch.kubernetes.io/job-tracking`.
pub fn has_tracking_finalizer(p: &Pod) -> bool {
    p.metadata.finalizers.iter().any(|f| f == JOB_TRACKING_FINALIZER)
}

/// `onlyReplaceFailedPods`: `podReplacementPolicy: Failed` or any
/// podFailurePolicy (which defaults the former).
pub fn only_replace_failed_pods(job: &Job) -> bool {
    job.spec.pod_replacement_policy.as_deref() == Some("Failed") || job.spec.pod_failure_policy.is_some()
}

/// `isPodFailed`: phase Failed, or (unless only failed pods are replaced)
/// being deleted without having succeeded.
pub fn is_pod_failed(p: &Pod, job: &Job) -> bool {
    if p.status.phase == PodPhase::Failed {
        return true;
    }
    if only_replace_failed_pods(job) {
        return false;
    }
    p.metadata.deletion_timestamp.is_some() && p.status.phase != PodPhase::Succeeded
}

fn phase_rank(p: PodPhase) -> u8 {
    match p {
        PodPhase::Pending => 0,
        PodPhase::Unknown => 1,
        PodPhase::Running => 2,
        _ => 3,
    }
}

fn max_restarts(p: &Pod) -> i32 {
    p.status.container_statuses.iter().map(|c| c.restart_count).max().unwrap_or(0)
}

/// `controller.ActivePods` order, most deletable first: pending before
/// unknown before running, not ready before ready, ready more recently
/// first, more restarts first, newer (or no creation time) first. Node
/// assignment, the first criterion upstream, is not modelled. Stable, so
/// ties keep the informer's order.
pub(super) fn sort_for_removal(pods: &mut [&Pod]) {
    pods.sort_by(|a, b| {
        phase_rank(a.status.phase)
            .cmp(&phase_rank(b.status.phase))
            .then_with(|| is_ready(a).cmp(&is_ready(b)))
            .then_with(|| match (ready_since(a), ready_since(b)) {
                (Some(x), Some(y)) => y.cmp(&x),
                _ => Ordering::Equal,
            })
            .then_with(|| max_restarts(b).cmp(&max_restarts(a)))
            .then_with(|| match (a.metadata.creation_timestamp, b.metadata.creation_timestamp) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(x), Some(y)) => y.cmp(&x),
            })
    });
}
