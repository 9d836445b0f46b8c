//! The pod-failure backoff (`pkg/controller/job/backoff_utils.go`): how
//! long the controller waits before replacing failed pods, from the number
//! of failures since the last success and the finish time of the last one.

use crate::model::{Millis, Pod, Time};
use serde::Serialize;

/// `backoffRecord`: the controller keeps one per Job in memory (lost when
/// kube-controller-manager restarts, dropped when the Job finishes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackoffRecord {
    pub failures_after_last_success: u32,
    pub last_failure_time: Option<Time>,
}

impl BackoffRecord {
    /// The record after a sync that newly saw `new_succeeded` and
    /// `new_failed` terminal pods (`backoffStore.newBackoffRecord`).
    pub fn update(&self, new_succeeded: &[&Pod], new_failed: &[&Pod]) -> BackoffRecord {
        let _ = (new_succeeded, new_failed);
        todo!()
    }

    /// Time left before pods may be re-created (`getRemainingTime`), with
    /// the 10 s base doubling per failure up to `cap`; never negative.
    pub fn remaining(&self, now: Time, cap: Millis) -> Millis {
        let _ = (now, cap);
        todo!()
    }
}

/// `getRemainingTimeForFailuresCount`: `base` doubled once per failure
/// after the first, capped at `cap`, minus the time since the last failure.
pub fn remaining_backoff(
    failures: u32,
    last_failure: Option<Time>,
    now: Time,
    base: Millis,
    cap: Millis,
) -> Millis {
    let _ = (failures, last_failure, now, base, cap);
    todo!()
}

/// When a pod finished (`getFinishedTime`): the latest container
/// `finishedAt` if every container terminated, else the `Ready=False`
/// condition's transition time, else `deletionTimestamp` minus the grace
/// period, else the creation time (`None` if the pod has none).
pub fn pod_finish_time(pod: &Pod) -> Option<Time> {
    let _ = pod;
    todo!()
}
