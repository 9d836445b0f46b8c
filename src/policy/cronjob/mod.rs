//! The Kubernetes CronJob controller (v2) as pure functions: kubernetes
//! `pkg/controller/cronjob/cronjob_controllerv2.go` (`sync`,
//! `syncCronJob`, `cleanupFinishedJobs`) and `utils.go`
//! (`mostRecentScheduleTime`, `nextScheduleTime`,
//! `nextScheduleTimeDuration`, `getJobFromTemplate2`, `byJobStartTime`).
//!
//! STUB: the signatures below are the contract other layers build on; the
//! bodies are being written.

use super::api::{Api, ApiError, Event};
use super::settings::Settings;
use crate::model::{CronJob, Job, Millis, Time};
use crate::schedule::{Schedule, Zone};
use serde::Serialize;

/// What a sync runs with besides the objects.
#[derive(Debug, Clone, Copy)]
pub struct SyncContext<'a> {
    /// The controller's clock (`clock.Now()`, read once per sync).
    pub now: Time,
    /// kube-controller-manager's local zone (`time.Local`), UTC by default;
    /// schedules without a zone are evaluated in it.
    pub local: Zone,
    pub settings: &'a Settings,
}

/// robfig's estimate of how many ticks were missed (`missedSchedulesType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Missed {
    None,
    Few,
    Many,
}

/// Why a Job was deleted by the CronJob controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DeleteCause {
    /// `cleanupFinishedJobs` (history limits).
    HistoryGc,
    /// `concurrencyPolicy: Replace`.
    Replace,
}

/// One Job deletion the sync performed (successful or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deletion {
    pub job: String,
    pub cause: DeleteCause,
    pub ok: bool,
}

/// The decision a sync reached, for reports and explanations. Exactly one
/// per sync; it names the branch of `syncCronJob` that returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "camelCase")]
pub enum Decision {
    /// The CronJob has a deletionTimestamp.
    Deleting,
    /// `spec.timeZone` does not load (Warning UnknownTimeZone); no requeue.
    UnknownTimeZone,
    /// Suspended: bookkeeping only, no requeue.
    Suspended,
    /// The schedule does not parse (Warning UnparseableSchedule); no requeue.
    Unparseable,
    /// `mostRecentScheduleTime` failed (Warning InvalidSchedule); no requeue.
    InvalidSchedule,
    /// No tick due.
    NothingDue,
    /// Ticks were missed but the missed-count estimate (reference §5.1 Q1)
    /// found no most-recent tick, so nothing starts.
    EstimateDroppedMisses { missed: Missed },
    /// The legacy v1 rule: more than 100 misses, no Job (setting
    /// `legacyGiveUpAfter100Misses`).
    TooManyMissesGaveUp { tick: Time },
    /// The due tick is past startingDeadlineSeconds (effectively unreachable
    /// in v2, reference §7).
    TooLate { tick: Time },
    /// The due tick already has its Job (active ref with that name, or
    /// lastScheduleTime equals it).
    AlreadyProcessed { tick: Time },
    /// Forbid with active Jobs (Normal JobAlreadyActive); lastScheduleTime
    /// not advanced.
    ForbidSkip { tick: Time },
    /// A Job was created for `tick`.
    Created { tick: Time, job: String, too_many_missed: bool },
    /// CREATE gave AlreadyExists and the existing Job was adopted.
    Adopted { tick: Time, job: String },
    /// CREATE gave AlreadyExists for a Job this CronJob does not control, or
    /// one already active: nothing, and no requeue.
    AlreadyExistsIgnored { tick: Time, job: String },
    /// An API call failed; the sync returns an error (rate-limited retry).
    ApiError { error: String },
}

/// Everything one `sync(key)` produced.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOutcome {
    /// The object `sync` writes with `UpdateStatus` when `status_changed`.
    pub cronjob: CronJob,
    /// Whether `UpdateStatus` is called.
    pub status_changed: bool,
    /// `requeueAfter`: the timer the work queue sets (`None`: no timer).
    pub requeue_after: Option<Millis>,
    /// A sync error: the queue retries with its rate limiter.
    pub error: Option<ApiError>,
    /// Events in emission order.
    pub events: Vec<Event>,
    pub decision: Decision,
    /// Jobs deleted by GC or Replace, in order.
    pub deletions: Vec<Deletion>,
}

/// Mirrors `ControllerV2.sync` after the lister lookup:
/// `cleanupFinishedJobs`, then `syncCronJob`. `jobs` are the Jobs the
/// controller lists for this CronJob (see [`Settings::job_listing`] and
/// [`jobs_for_cronjob`]).
pub fn sync(api: &mut dyn Api, cronjob: &CronJob, jobs: &[Job], ctx: SyncContext<'_>) -> SyncOutcome {
    let _ = (api, cronjob, jobs, ctx);
    todo!("policy::cronjob::sync")
}

/// The controller's job list for a CronJob (`getJobsToBeReconciled`),
/// per [`Settings::job_listing`].
pub fn jobs_for_cronjob<'j>(cronjob: &CronJob, all_jobs: &'j [Job], settings: &Settings) -> Vec<&'j Job> {
    let _ = (cronjob, all_jobs, settings);
    todo!("policy::cronjob::jobs_for_cronjob")
}

/// Mirrors `mostRecentScheduleTime`: (earliest, most recent due tick,
/// missed estimate), or the "less than 1 second" error.
pub fn most_recent_schedule_time(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
    include_starting_deadline: bool,
) -> Result<(Time, Option<Time>, Missed), String> {
    let _ = (cronjob, now, schedule, local, include_starting_deadline);
    todo!("policy::cronjob::most_recent_schedule_time")
}

/// Mirrors `nextScheduleTime` (without the event, which `sync` emits):
/// the tick to start now, if any, and the missed estimate.
pub fn next_schedule_time(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
) -> Result<(Option<Time>, Missed), String> {
    let _ = (cronjob, now, schedule, local);
    todo!("policy::cronjob::next_schedule_time")
}

/// Mirrors `nextScheduleTimeDuration`: the requeue delay (next tick after
/// the most recent due one, plus 100 ms, minus now).
pub fn next_schedule_time_duration(cronjob: &CronJob, now: Time, schedule: &Schedule, local: Zone) -> Millis {
    let _ = (cronjob, now, schedule, local);
    todo!("policy::cronjob::next_schedule_time_duration")
}

/// Mirrors `getJobName`: `<cronjob>-<minutes since the epoch>`.
pub fn job_name(cronjob_name: &str, scheduled: Time) -> String {
    format!("{cronjob_name}-{}", scheduled.unix().div_euclid(60))
}

/// Mirrors `getJobFromTemplate2`: the Job the controller creates for a tick.
pub fn job_from_template(cronjob: &CronJob, scheduled: Time) -> Job {
    let _ = (cronjob, scheduled);
    todo!("policy::cronjob::job_from_template")
}

/// Mirrors `byJobStartTime`: nil startTime last, then earlier first, then
/// by name.
pub fn by_job_start_time(a: &Job, b: &Job) -> std::cmp::Ordering {
    let _ = (a, b);
    todo!("policy::cronjob::by_job_start_time")
}
