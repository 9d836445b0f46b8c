//! The TTL-after-finished controller (`pkg/controller/ttlafterfinished`)
//! as a pure function.
//!
//! The controller watches Jobs; for a finished one with
//! `ttlSecondsAfterFinished` it waits until the TTL expires, re-reads the
//! Job live, checks again, and deletes it with Foreground propagation and a
//! UID precondition. The simulator calls [`ttl_decision`] on the informer's
//! copy, requeues at [`TtlDecision::WaitUntil`], and on
//! [`TtlDecision::Delete`] calls it again on the fresh copy before deleting.

use super::api::Propagation;
use crate::model::{Job, Millis, SECOND, Time};
use serde::Serialize;

/// What the TTL controller does with a Job at a given instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TtlDecision {
    /// No `ttlSecondsAfterFinished`, not finished, or already being deleted
    /// (`needsCleanup` is false or a deletionTimestamp is set).
    NotApplicable,
    /// Expires at this instant; the controller requeues until then.
    WaitUntil(Time),
    /// Expired: delete the Job (after a live re-GET, with a UID
    /// precondition) with this propagation, Foreground upstream.
    Delete {
        /// The deletion's propagation policy.
        propagation: Propagation,
    },
}

/// `needsCleanup`: a TTL is set and the Job is Complete or Failed.
pub fn needs_cleanup(job: &Job) -> bool {
    job.spec.ttl_seconds_after_finished.is_some() && job.is_finished()
}

/// `jobFinishTime`: the transition time of the first `Complete`/`Failed`
/// condition with status True.
pub fn job_finish_time(job: &Job) -> Result<Time, String> {
    let (ns, name) = (&job.metadata.namespace, &job.metadata.name);
    let cond = job
        .finished_condition()
        .ok_or_else(|| format!("unable to find the status of the finished Job {ns}/{name}"))?;
    // An unset transition time is upstream's zero time, which it rejects.
    cond.last_transition_time
        .ok_or_else(|| format!("unable to find the time when the Job {ns}/{name} finished"))
}

/// When the TTL expires (`getFinishAndExpireTime`): the finish time plus
/// `ttlSecondsAfterFinished`; an error for a Job that needs no cleanup.
pub fn expire_at(job: &Job) -> Result<Time, String> {
    let ttl = match job.spec.ttl_seconds_after_finished {
        Some(ttl) if job.is_finished() => ttl,
        _ => {
            let (ns, name) = (&job.metadata.namespace, &job.metadata.name);
            return Err(format!("job {ns}/{name} should not be cleaned up"));
        }
    };
    Ok(job_finish_time(job)?.add(i64::from(ttl).saturating_mul(SECOND)))
}

/// `timeLeft`: how long until the TTL expires as seen at `since` (zero or
/// negative once expired), and the expiry instant.
pub fn time_left(job: &Job, since: Time) -> Result<(Millis, Time), String> {
    let expire = expire_at(job)?;
    Ok((expire.since(since), expire))
}

/// `processTTL` with `needsCleanup` and `timeLeft`: the decision for `job`
/// at `now`. The TTL has expired when the time left is `<= 0`. Errors
/// when the finished condition has no transition time.
pub fn ttl_decision(job: &Job, now: Time) -> Result<TtlDecision, String> {
    if job.metadata.deletion_timestamp.is_some() || !needs_cleanup(job) {
        return Ok(TtlDecision::NotApplicable);
    }
    let (left, expire) = time_left(job, now)?;
    if left <= 0 {
        Ok(TtlDecision::Delete { propagation: Propagation::Foreground })
    } else {
        Ok(TtlDecision::WaitUntil(expire))
    }
}
