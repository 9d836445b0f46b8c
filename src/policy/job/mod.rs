//! The Job controller (`pkg/controller/job`) as pure functions.
//!
//! The simulator owns the pods: it creates, runs, deletes and finishes
//! them, and calls [`sync_job`] whenever the real controller would sync the
//! Job (pod events batched by [`SYNC_JOB_BATCH_PERIOD`], spec changes at
//! once, and the [`JobSyncOutcome::requeue_after`] wake-ups). The function
//! returns what one `syncJob` pass decides: the new status, the pods to
//! create and delete, the pods whose tracking finalizer is removed (counted),
//! the events, the wake-up and the new in-memory backoff record.
//!
//! Modelled: NonIndexed Jobs with completions/parallelism, the pod-failure
//! backoff from pod finish times (`backoff_utils.go`), backoffLimit for
//! `Never` and `OnFailure`, podFailurePolicy (`FailJob`, `Ignore`, `Count`),
//! activeDeadlineSeconds, suspend/resume, podReplacementPolicy, and the
//! interim `FailureTarget`/`SuccessCriteriaMet` conditions before the
//! terminal ones. Not modelled: Indexed completion, backoffLimitPerIndex,
//! successPolicy, managedBy, pod adoption/orphaning and the controller's
//! expectations (the simulator's pod store is always in sync with its
//! decisions).

mod backoff;
mod failure_policy;
mod pods;
mod sync;
#[cfg(test)]
mod tests;
mod view;

pub use backoff::{BackoffRecord, pod_finish_time, remaining_backoff};
pub use failure_policy::{PolicyAction, PolicyMatch, match_pod_failure_policy};
pub use pods::{has_tracking_finalizer, is_active, is_pod_failed, is_terminating, only_replace_failed_pods};
pub use sync::{
    JobCounts, past_active_deadline, past_backoff_limit_on_failure, slow_start_batches, sync_job,
    sync_job_refs, sync_job_view, want_active,
};
pub use view::{JobPods, PodRefs, PodTally, is_settled};

use super::api::Event;
use crate::model::{JobStatus, Millis, SECOND};
use serde::Serialize;
use smol_str::SmolStr;

/// `syncJobBatchPeriod`: pod events and status-only Job updates enqueue the
/// Job after this delay, so one sync sees a burst of pod changes together.
pub const SYNC_JOB_BATCH_PERIOD: Millis = SECOND;
/// `DefaultJobPodFailureBackOff`: the first re-creation delay after a
/// failure; it doubles per failure up to
/// [`Settings::pod_failure_backoff_cap`](crate::policy::Settings).
pub const DEFAULT_POD_FAILURE_BACKOFF: Millis = 10 * SECOND;
/// `MinJobPodFailureBackOff`-like floor: a backoff requeue is never shorter
/// than one second (`max(remaining, syncJobBatchPeriod)` in upstream's
/// `manageJob`).
pub const MIN_BACKOFF_REQUEUE: Millis = SECOND;
/// `MaxUncountedPods`: at most this many terminal pods are counted per sync.
pub const MAX_UNCOUNTED_PODS: usize = 500;
/// `MaxPodCreateDeletePerSync`.
pub const MAX_POD_CREATE_DELETE_PER_SYNC: usize = 500;
/// `batchv1.JobTrackingFinalizer`: a Job's pods carry it until the
/// controller has counted them in the Job status.
pub const JOB_TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";

/// Why the controller deletes a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PodDeleteCause {
    /// The Job reached a failure or success criterion
    /// (`deleteActivePods` on the finished path).
    JobFinishing,
    /// The Job is suspended (`manageJob`'s suspend branch).
    Suspended,
    /// More pods are active than wanted (`manageJob`'s scale-down).
    TooManyActive,
}

impl PodDeleteCause {
    /// Whether the tracking finalizer is removed before the DELETE
    /// (`deleteJobPods`, used by `manageJob`): such a pod is never counted,
    /// as failed or otherwise. Pods deleted because the Job is finishing
    /// keep it until the same sync counts them as failed.
    pub fn removes_finalizer(self) -> bool {
        !matches!(self, PodDeleteCause::JobFinishing)
    }
}

/// One pod the controller deletes (Background propagation, as
/// `podControl.DeletePod`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodDeletion {
    /// The pod's name.
    pub pod: SmolStr,
    /// Why it is deleted.
    pub cause: PodDeleteCause,
}

/// The condition type a Job ended with, and its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finished {
    /// `Complete` or `Failed`.
    pub condition: SmolStr,
    /// e.g. `CompletionsReached`, `BackoffLimitExceeded`, `DeadlineExceeded`,
    /// `PodFailurePolicy`.
    pub reason: SmolStr,
}

/// What one `syncJob` pass decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSyncOutcome {
    /// The status to write (`status.startTime`, counts, conditions,
    /// `completionTime`). Equal to the input status when nothing changed.
    pub status: JobStatus,
    /// Pods to create in this sync. Upstream creates them in slow-start
    /// batches of 1, 2, 4, … ([`slow_start_batches`]) and stops after a
    /// batch with an error; the simulator applies that when creation can
    /// fail.
    pub pods_to_create: u32,
    /// Pods to delete, in upstream's order (most deletable first for
    /// scale-down). For `Suspended`/`TooManyActive` the tracking finalizer
    /// goes first, so those pods are never counted.
    pub pods_to_delete: Vec<PodDeletion>,
    /// Terminal pods counted in this sync: the controller removes their
    /// tracking finalizer ([`JOB_TRACKING_FINALIZER`]).
    pub pods_to_count: Vec<SmolStr>,
    /// Events recorded on the Job, in order. Pod-control events
    /// (`SuccessfulCreate`, `SuccessfulDelete`) are the simulator's, since it
    /// names the pods.
    pub events: Vec<Event>,
    /// When the controller wants to sync again on its own (the earliest of
    /// the backoff wait and the activeDeadlineSeconds wake-up).
    pub requeue_after: Option<Millis>,
    /// The in-memory backoff record after this sync (reset to default once
    /// the Job is finished, as upstream drops it).
    pub backoff: BackoffRecord,
    /// Set when this sync added the terminal `Complete`/`Failed` condition.
    pub finished: Option<Finished>,
}
