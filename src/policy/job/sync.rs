//! One Job sync (`syncJob`, `manageJob`, `trackJobStatusAndRemoveFinalizers`
//! in `pkg/controller/job/job_controller.go`).

use super::{BackoffRecord, JobSyncOutcome};
use crate::model::{Job, Pod, Time};
use crate::policy::Settings;
use serde::Serialize;

/// The pod counts a sync derives from the Job and its pods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub active: i32,
    pub ready: i32,
    pub terminating: i32,
    pub succeeded: i32,
    pub failed: i32,
}

/// `syncJob`: one pass of the Job controller over `job` and the pods it
/// owns (`pods`: every pod with the Job's controller ownerRef, in any phase,
/// including those being deleted), at `now`, with the in-memory `backoff`
/// record for this Job. See [`JobSyncOutcome`] for what comes back.
pub fn sync_job(
    job: &Job,
    pods: &[Pod],
    backoff: &BackoffRecord,
    now: Time,
    settings: &Settings,
) -> JobSyncOutcome {
    let _ = (job, pods, backoff, now, settings);
    todo!()
}

/// How many pods should be active (`wantActive` in `manageJob`):
/// `parallelism` capped by the completions still needed; without
/// `completions`, `parallelism` until the first success, then the active ones.
pub fn want_active(job: &Job, active: i32, succeeded: i32) -> i32 {
    let _ = (job, active, succeeded);
    todo!()
}

/// `pastBackoffLimitOnFailure`: for `restartPolicy: OnFailure`, whether the
/// container restarts of running and pending pods reach the backoff limit
/// (sum `> 0` when the limit is 0, else sum `>= limit`).
pub fn past_backoff_limit_on_failure(job: &Job, pods: &[Pod]) -> bool {
    let _ = (job, pods);
    todo!()
}

/// `pastActiveDeadline`: `now - status.startTime >= activeDeadlineSeconds`
/// (never while the start time or the deadline is unset).
pub fn past_active_deadline(job: &Job, now: Time) -> bool {
    let _ = (job, now);
    todo!()
}

/// Slow-start batch sizes for creating `n` pods (`slowStartBatch` with
/// `SlowStartInitialBatchSize` 1): 1, 2, 4, … with the last one trimmed.
pub fn slow_start_batches(n: u32) -> Vec<u32> {
    let _ = n;
    todo!()
}
