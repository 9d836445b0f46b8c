//! The pod-failure backoff (`pkg/controller/job/backoff_utils.go`): how
//! long the controller waits before replacing failed pods, from the number
//! of failures since the last success and the finish time of the last one.

use super::DEFAULT_POD_FAILURE_BACKOFF;
use crate::model::{Millis, Pod, Time};
use serde::Serialize;

/// `backoffRecord`: the controller keeps one per Job in memory (lost when
/// kube-controller-manager restarts, dropped when the Job finishes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackoffRecord {
    /// Pod failures since the last success.
    pub failures_after_last_success: u32,
    /// When the last of those failures happened; `None` if there was none.
    pub last_failure_time: Option<Time>,
}

impl BackoffRecord {
    /// The record after a sync that newly saw `new_succeeded` and
    /// `new_failed` terminal pods (`backoffStore.newBackoffRecord`).
    ///
    /// Without a new success, the failures add up and the latest failure's
    /// finish time becomes the reference. With one, only the failures that
    /// finished strictly after the latest new success remain.
    pub fn update(&self, new_succeeded: &[&Pod], new_failed: &[&Pod]) -> BackoffRecord {
        let failed = sorted_finish_times(new_failed);
        let Some(last_success) = sorted_finish_times(new_succeeded).last().copied() else {
            return match failed.last() {
                None => *self,
                Some(&last) => BackoffRecord {
                    failures_after_last_success: self
                        .failures_after_last_success
                        .saturating_add(len_u32(&failed)),
                    last_failure_time: Some(last),
                },
            };
        };
        let after: Vec<Time> = failed.into_iter().filter(|t| *t > last_success).collect();
        BackoffRecord {
            failures_after_last_success: len_u32(&after),
            last_failure_time: after.last().copied(),
        }
    }

    /// Time left before pods may be re-created (`getRemainingTime`), with
    /// the 10 s base doubling per failure up to `cap`; never negative.
    pub fn remaining(&self, now: Time, cap: Millis) -> Millis {
        remaining_backoff(
            self.failures_after_last_success,
            self.last_failure_time,
            now,
            DEFAULT_POD_FAILURE_BACKOFF,
            cap,
        )
    }
}

fn len_u32<T>(v: &[T]) -> u32 {
    u32::try_from(v.len()).unwrap_or(u32::MAX)
}

/// Finish times in ascending order (`sortByFinishedTime`); a pod with no
/// time at all (no creation timestamp either) sorts as the epoch, as Go's
/// zero time would sort first.
fn sorted_finish_times(pods: &[&Pod]) -> smallvec::SmallVec<[Time; 4]> {
    let mut times: smallvec::SmallVec<[Time; 4]> =
        pods.iter().map(|p| pod_finish_time(p).unwrap_or_default()).collect();
    times.sort();
    times
}

/// `getRemainingTimeForFailuresCount`: `base` doubled once per failure
/// after the first, capped at `cap`, minus the time since the last failure;
/// 0 once that has passed or with no failures.
pub fn remaining_backoff(
    failures: u32,
    last_failure: Option<Time>,
    now: Time,
    base: Millis,
    cap: Millis,
) -> Millis {
    if failures == 0 {
        return 0;
    }
    let mut backoff = base;
    for _ in 1..failures {
        backoff = backoff.saturating_mul(2);
        if backoff >= cap {
            backoff = cap;
            break;
        }
    }
    // Upstream dereferences the time unconditionally; a record with
    // failures always has one, so a missing one means "long ago".
    let Some(last) = last_failure else { return 0 };
    let elapsed = now.since(last);
    if backoff < elapsed { 0 } else { backoff - elapsed }
}

/// When a pod finished (`getFinishedTime`): the latest container
/// `finishedAt` if every container terminated, else the `Ready=False`
/// condition's transition time, else `deletionTimestamp` minus the grace
/// period, else the creation time (`None` if the pod has none).
pub fn pod_finish_time(pod: &Pod) -> Option<Time> {
    finish_time_from_containers(pod)
        .or_else(|| {
            pod.status
                .conditions
                .iter()
                .find(|c| c.type_ == "Ready")
                .filter(|c| c.status == "False")
                .and_then(|c| c.last_transition_time)
        })
        .or_else(|| {
            let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(0);
            pod.metadata.deletion_timestamp.map(|t| t.add(grace.saturating_mul(-1000)))
        })
        .or(pod.metadata.creation_timestamp)
}

/// `getFinishTimeFromContainers` without sidecars: `None` unless every
/// regular container has terminated with a finish time. (Restartable init
/// containers, the sidecars upstream also considers, are not modelled.)
fn finish_time_from_containers(pod: &Pod) -> Option<Time> {
    let mut latest: Option<Time> = None;
    for cs in &pod.status.container_statuses {
        let t = cs.terminated.as_ref().and_then(|t| t.finished_at)?;
        latest = Some(latest.map_or(t, |l| l.max(t)));
    }
    latest
}
