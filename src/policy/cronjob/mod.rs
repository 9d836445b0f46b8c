//! The Kubernetes CronJob controller (v2) as pure functions: kubernetes
//! `pkg/controller/cronjob/cronjob_controllerv2.go` (`sync`,
//! `syncCronJob`, `cleanupFinishedJobs`) and `utils.go`
//! (`mostRecentScheduleTime`, `nextScheduleTime`,
//! `nextScheduleTimeDuration`, `getJobFromTemplate2`, `byJobStartTime`).
//!
//! Files by responsibility: [`sync`](fn@sync) in `sync.rs`, history limits
//! in `history.rs`, the missed-schedule arithmetic in `missed.rs`, the Job
//! template in `template.rs`, job ownership in `ownership.rs`, what a sync
//! reads of each listed Job in `listed.rs`, the CronJob it works on in
//! `working.rs`.

mod gotime;
mod history;
mod listed;
mod missed;
mod ownership;
mod record;
mod sync;
mod template;
mod working;

pub use gotime::GO_ZERO;
pub use history::by_job_start_time;
pub use listed::{JobFacts, ListedJob, Terminal, with_facts};
pub use missed::{
    LESS_THAN_ONE_SECOND, MAX_WALK_STEPS, MostRecent, NEXT_SCHEDULE_DELTA, ScheduleFault, exact_missed_count,
    most_recent, requeue_after, scheduled_tick,
};
pub use ownership::{is_controlled_by, job_ref, jobs_for_cronjob, lists_job};
pub use record::event_object;
pub use sync::{V1_TOO_MANY_MISSED, sends_any, sync, sync_cow, sync_refs};
pub use template::{
    SCHEDULED_TIMESTAMP_ANNOTATION, job_from_template, job_from_template_in, job_name, job_slot,
};
pub use working::Working;

use super::api::{ApiError, Event};
use super::settings::Settings;
use crate::model::{CronJob, Millis, Time};
use crate::schedule::{Schedule, Zone};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// What a sync runs with besides the objects.
#[derive(Debug, Clone, Copy)]
pub struct SyncContext<'a> {
    /// The controller's clock (`clock.Now()`, read once per sync).
    pub now: Time,
    /// kube-controller-manager's local zone (`time.Local`), UTC by default;
    /// schedules without a zone are evaluated in it.
    pub local: Zone,
    /// kube-controller-manager's settings (version switches).
    pub settings: &'a Settings,
    /// Whether the caller keeps Normal Events (its log's reader wants
    /// them). When not, they are counted ([`SyncOutcome::unbuilt_events`])
    /// but their text is not built; every decision is the same.
    pub detail: bool,
}

/// robfig's estimate of how many ticks were missed (`missedSchedulesType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Missed {
    /// No tick missed.
    None,
    /// Up to 100 ticks missed.
    Few,
    /// More than 100 ticks missed (Warning TooManyMissedTimes).
    Many,
}

pub use crate::policy::api::DeleteCause;

/// One Job deletion the sync performed (successful or not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Deletion {
    /// The Job's name.
    pub job: SmolStr,
    /// Why it was deleted.
    pub cause: DeleteCause,
    /// Whether the DELETE succeeded.
    pub ok: bool,
}

/// The decision a sync reached, for reports and explanations. Exactly one
/// per sync; it names the branch of `syncCronJob` that returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "camelCase", rename_all_fields = "camelCase")]
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
    /// Ticks were missed but the missed-count estimate (quirk Q1,
    /// docs/fidelity/kubernetes-cronjob.md#cj-5) found no most-recent tick,
    /// so nothing starts.
    EstimateDroppedMisses {
        /// robfig's estimate.
        missed: Missed,
    },
    /// The legacy v1 rule: more than 100 misses, no Job (setting
    /// `legacyGiveUpAfter100Misses`).
    TooManyMissesGaveUp {
        /// The due tick.
        tick: Time,
    },
    /// The due tick is past startingDeadlineSeconds (effectively unreachable
    /// in v2, docs/fidelity/kubernetes-cronjob.md#cj-9).
    TooLate {
        /// The due tick.
        tick: Time,
    },
    /// The due tick already has its Job (active ref with that name, or
    /// lastScheduleTime equals it).
    AlreadyProcessed {
        /// The due tick.
        tick: Time,
    },
    /// Forbid with active Jobs (Normal JobAlreadyActive); lastScheduleTime
    /// not advanced.
    ForbidSkip {
        /// The due tick.
        tick: Time,
    },
    /// A Job was created for `tick`.
    Created {
        /// The tick the Job is for.
        tick: Time,
        /// The Job's name.
        job: SmolStr,
        /// More than 100 ticks were missed (Warning TooManyMissedTimes).
        too_many_missed: bool,
    },
    /// CREATE gave AlreadyExists and the existing Job was adopted.
    Adopted {
        /// The tick.
        tick: Time,
        /// The adopted Job's name.
        job: SmolStr,
    },
    /// CREATE gave AlreadyExists for a Job this CronJob does not control, or
    /// one already active: nothing, and no requeue.
    AlreadyExistsIgnored {
        /// The tick.
        tick: Time,
        /// The existing Job's name.
        job: SmolStr,
    },
    /// An API call failed; the sync returns an error (rate-limited retry).
    ApiError {
        /// The failed call's error text.
        error: String,
    },
    /// robfig's `Next` stopped advancing inside one of the controller's
    /// `for t := Next(..); !t.After(now); t = Next(t)` loops (Pacific/Chatham
    /// and similar zones, docs/fidelity/schedules.md#sch-9, or a `Next` that returns
    /// the zero time mid-walk), at `at`. The real controller never returns
    /// from this sync: the worker goroutine spins forever, `UpdateStatus`
    /// is never called, and the key is never marked done, so this CronJob
    /// is not synced again until kube-controller-manager restarts (and with
    /// `--concurrent-cron-job-syncs` such keys, no CronJob is). API calls
    /// made before the loop stand: `job` names a Job created just before
    /// the hang (the requeue computation runs after the create).
    WorkerHung {
        /// Where `Next` stopped advancing.
        at: Time,
        /// A Job created just before the hang, if any.
        job: Option<SmolStr>,
    },
}

/// Everything one `sync(key)` produced.
/// `C` is the CronJob: owned, or copy-on-write ([`Working`]) from [`sync_cow`].
#[derive(Debug, Clone, PartialEq)]
pub struct SyncOutcome<C = CronJob> {
    /// The object `sync` writes with `UpdateStatus` when `status_changed`.
    pub cronjob: C,
    /// Whether `UpdateStatus` is called.
    pub status_changed: bool,
    /// `requeueAfter`: the timer the work queue sets (`None`: no timer).
    pub requeue_after: Option<Millis>,
    /// A sync error: the queue retries with its rate limiter.
    pub error: Option<ApiError>,
    /// Events in emission order.
    pub events: Vec<Event>,
    /// Normal Events recorded but not built ([`SyncContext::detail`]
    /// false): still requests of the controller's client.
    pub unbuilt_events: u32,
    /// The branch of `syncCronJob` that returned.
    pub decision: Decision,
    /// Jobs deleted by GC or Replace, in order.
    pub deletions: Vec<Deletion>,
}

/// Mirrors `mostRecentScheduleTime`: (earliest, most recent due tick,
/// missed estimate), or the "less than 1 second" error. Where upstream's
/// loop would never return, the error is [`ScheduleFault::NeverReturns`]'s
/// text; [`most_recent`] tells the cases apart.
pub fn most_recent_schedule_time(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
    include_starting_deadline: bool,
) -> Result<(Time, Option<Time>, Missed), String> {
    most_recent(cronjob, now, schedule, local, include_starting_deadline)
        .map(|r| (r.earliest, r.most_recent, r.missed))
        .map_err(|e| e.to_string())
}

/// Mirrors `nextScheduleTime` (without the event, which `sync` emits):
/// the tick to start now, if any, and the missed estimate. Errors as
/// [`most_recent_schedule_time`].
pub fn next_schedule_time(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
) -> Result<(Option<Time>, Missed), String> {
    scheduled_tick(cronjob, now, schedule, local).map(|(t, r)| (t, r.missed)).map_err(|e| e.to_string())
}

/// Mirrors `nextScheduleTimeDuration`: the requeue delay (next tick after
/// the most recent due one, plus 100 ms, minus now). Where upstream would
/// never return, this gives what it gives for an invalid schedule (the tick
/// after `now`); [`requeue_after`] tells the cases apart.
pub fn next_schedule_time_duration(cronjob: &CronJob, now: Time, schedule: &Schedule, local: Zone) -> Millis {
    requeue_after(cronjob, now, schedule, local)
        .unwrap_or_else(|_| gotime::sub(gotime::next(schedule, now, local).add(NEXT_SCHEDULE_DELTA), now))
}
