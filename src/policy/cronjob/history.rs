//! History limits: kubernetes `cronjob_controllerv2.go`
//! `cleanupFinishedJobs`, `removeOldestJobs` and `deleteJob`, and
//! `utils.go` `byJobStartTime` (docs/fidelity/kubernetes-cronjob.md#cj-15).

use super::listed::{ListedJob, Terminal};
use super::record::Recorder;
use super::{DeleteCause, Deletion, Working};
use crate::model::{CronJob, Job};
use crate::policy::api::{Api, Propagation};
use crate::schedule::text::concat_smol;
use smol_str::SmolStr;
use std::cmp::Ordering;

/// Finished Jobs of one kind, on the stack up to a count most CronJobs
/// never exceed (three succeeded and one failed kept, by default).
type JobRefs<'a> = smallvec::SmallVec<[&'a Job; 8]>;

/// Mirrors `byJobStartTime.Less` as an ordering: a nil startTime sorts
/// last, equal (or both nil) start times fall back to the name, otherwise
/// the earlier start comes first.
pub fn by_job_start_time(a: &Job, b: &Job) -> Ordering {
    match (a.status.start_time, b.status.start_time) {
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (x, y) if x == y => a.metadata.name.cmp(&b.metadata.name),
        (x, y) => x.cmp(&y),
    }
}

/// Mirrors `cleanupFinishedJobs`: deletes the oldest finished Jobs beyond
/// each history limit (classified by their first terminal condition).
/// Returns upstream's status-update flag: whether any delete succeeded.
pub(crate) fn cleanup_finished_jobs(
    api: &mut dyn Api,
    cronjob: &mut Working<'_>,
    jobs: &[ListedJob<'_>],
    rec: &mut Recorder,
) -> bool {
    if !over_limits(cronjob, jobs) {
        return false;
    }
    let (succ_limit, failed_limit) =
        (cronjob.spec.successful_jobs_history_limit, cronjob.spec.failed_jobs_history_limit);
    // On the stack: a CronJob keeps a handful of finished Jobs.
    let mut succeeded = JobRefs::new();
    let mut failed = JobRefs::new();
    for l in jobs {
        match l.facts.finished {
            Some(Terminal::Complete) => succeeded.push(l.job),
            Some(Terminal::Failed) => failed.push(l.job),
            None => {}
        }
    }
    let mut update = false;
    if let Some(limit) = succ_limit {
        update |= remove_oldest_jobs(api, cronjob, succeeded, limit, rec);
    }
    if let Some(limit) = failed_limit {
        update |= remove_oldest_jobs(api, cronjob, failed, limit, rec);
    }
    update
}

/// Whether `cleanupFinishedJobs` has anything to collect: more finished
/// Jobs of one kind than its history limit keeps (it then sends at least
/// one DELETE). Most syncs are within both limits: they classify each Job
/// once and collect nothing.
pub(crate) fn over_limits(cronjob: &CronJob, jobs: &[ListedJob<'_>]) -> bool {
    let (succ_limit, failed_limit) =
        (cronjob.spec.successful_jobs_history_limit, cronjob.spec.failed_jobs_history_limit);
    if succ_limit.is_none() && failed_limit.is_none() {
        return false;
    }
    let (mut n_succeeded, mut n_failed) = (0i64, 0i64);
    for l in jobs {
        match l.facts.finished {
            Some(Terminal::Complete) => n_succeeded += 1,
            Some(Terminal::Failed) => n_failed += 1,
            None => {}
        }
    }
    let over = |n: i64, limit: Option<i32>| limit.is_some_and(|l| n > i64::from(l));
    over(n_succeeded, succ_limit) || over(n_failed, failed_limit)
}

/// Mirrors `removeOldestJobs`.
fn remove_oldest_jobs(
    api: &mut dyn Api,
    cronjob: &mut Working<'_>,
    mut jobs: JobRefs<'_>,
    max: i32,
    rec: &mut Recorder,
) -> bool {
    let excess = jobs.len() as i64 - i64::from(max);
    if excess <= 0 {
        return false;
    }
    jobs.sort_by(|a, b| by_job_start_time(a, b));
    let mut update = false;
    for job in jobs.into_iter().take(excess as usize) {
        update |= delete_job(api, cronjob, job, DeleteCause::HistoryGc, rec);
    }
    update
}

/// Mirrors `deleteJob`: DELETE (Background), then drop the Job from
/// `status.active` by uid. Returns whether the delete succeeded.
pub(crate) fn delete_job(
    api: &mut dyn Api,
    cronjob: &mut Working<'_>,
    job: &Job,
    cause: DeleteCause,
    rec: &mut Recorder,
) -> bool {
    let res = api.delete_job(&job.metadata.namespace, &job.metadata.name, Propagation::Background);
    let ok = res.is_ok();
    rec.deletions.push(Deletion { job: job.metadata.name.clone(), cause, ok });
    if let Err(e) = res {
        rec.warning("FailedDelete", format!("Deleted job: {e}"));
        return false;
    }
    delete_from_active(cronjob.to_mut(), &job.metadata.uid);
    rec.normal("SuccessfulDelete", || concat_smol(&["Deleted job ", &job.metadata.name]));
    true
}

/// Mirrors `deleteFromActiveList`.
pub(crate) fn delete_from_active(cronjob: &mut CronJob, uid: &SmolStr) {
    // As `SmolStr`s: the refs' uids are clones of the Jobs' own, and compare
    // by pointer.
    cronjob.status.active.retain(|r| r.uid != *uid);
}
