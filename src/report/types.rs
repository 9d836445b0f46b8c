//! The report's data: a stable, versioned shape (`--format json`).

use crate::model::{Millis, Time};
use crate::sim::WorkloadKind;
use serde::{Deserialize, Deserializer, Serialize};

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub schema_version: u32,
    pub header: Header,
    pub cronjobs: Vec<CronJobReport>,
    /// Failed `expect:` checks (empty when all hold or none were given).
    pub violations: Vec<super::Violation>,
    /// How many `expect:` checks the scenario declared.
    pub expectations_checked: usize,
}

/// Where the numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub scenario: String,
    pub seed: u64,
    pub start: Time,
    pub end: Time,
    pub tzdb_version: String,
    pub cronwarp_version: String,
    /// The controller's local zone (schedules without a zone use it).
    pub local_zone: String,
}

/// One CronJob's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobReport {
    /// `namespace/name` (a CronOperation, being cluster-scoped: `name`).
    pub name: String,
    /// `CronOperation` for a Crossplane CronOperation (its runs are
    /// Operations); absent for a CronJob.
    #[serde(default, skip_serializing_if = "WorkloadKind::is_cronjob", deserialize_with = "workload_kind")]
    pub kind: WorkloadKind,
    pub schedule: String,
    pub zone: String,
    pub concurrency_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    pub ticks: TickCounts,
    /// The ticks that were not started on time, in tick order: the first
    /// [`MAX_ROWS`](super::MAX_ROWS); `exceptionsOmitted` counts the rest.
    pub exceptions: Vec<TickRow>,
    pub exceptions_omitted: u64,
    /// Worst lateness among started ticks.
    pub max_lateness: Millis,
    /// Notes about the schedule itself (DST gaps, robfig deviations,
    /// schedule errors).
    pub notes: Vec<String>,
    pub overlaps: Overlaps,
    pub outcomes: Outcomes,
    /// History GC and TTL deletions by who deleted and how the Job ended.
    pub deletion_summary: Vec<DeletionSummary>,
    /// The first [`MAX_ROWS`](super::MAX_ROWS) deletions, in time order;
    /// `deletionsOmitted` counts the rest.
    pub deletions: Vec<DeletionRow>,
    pub deletions_omitted: u64,
}

/// Shorthands for tests that assert on a workload's figures.
impl CronJobReport {
    /// Ticks whose Job (or Operation) was created within
    /// [`ON_TIME`](super::ON_TIME) of the tick.
    pub fn on_time(&self) -> u64 {
        self.ticks.on_time
    }

    /// Ticks started, but later than [`ON_TIME`](super::ON_TIME).
    pub fn late(&self) -> u64 {
        self.ticks.late
    }

    /// Ticks that never got a Job (or Operation).
    pub fn not_started(&self) -> u64 {
        self.ticks.not_started
    }

    /// Jobs (or Operations) created during the horizon.
    pub fn jobs_created(&self) -> u64 {
        self.outcomes.created
    }

    /// Jobs (or Operations) that succeeded.
    pub fn succeeded(&self) -> u64 {
        self.outcomes.succeeded
    }

    /// The rows of the ticks that were not started, in tick order (up to
    /// [`MAX_ROWS`](super::MAX_ROWS) exceptions are kept).
    pub fn not_started_ticks(&self) -> impl Iterator<Item = &TickRow> {
        self.exceptions.iter().filter(|t| t.outcome == TickOutcome::NotStarted)
    }

    /// The rows of the ticks that started late, in tick order.
    pub fn late_ticks(&self) -> impl Iterator<Item = &TickRow> {
        self.exceptions.iter().filter(|t| t.outcome == TickOutcome::Late)
    }
}

/// Deletions of one kind (`by` × `condition`) and how long those Jobs were
/// kept after they finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionSummary {
    pub by: String,
    pub condition: String,
    pub count: u64,
    pub min_retained: Millis,
    pub max_retained: Millis,
}

/// How the ticks in the horizon were accounted. `total` equals the sum of
/// the other counts: every tick is accounted exactly once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TickCounts {
    pub total: u64,
    pub on_time: u64,
    pub late: u64,
    pub not_started: u64,
    /// Not yet due for a sync when the horizon ended.
    pub pending: u64,
    /// How many of the above were the second firing of a wall time in a DST
    /// fall-back (they are counted in their own outcome as well).
    pub fold_repeats: u64,
}

/// What became of one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TickOutcome {
    OnTime,
    Late,
    NotStarted,
    Pending,
}

/// One tick that was not started on time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TickRow {
    pub tick: Time,
    /// The tick's wall clock in the schedule's zone (RFC 3339 with offset).
    pub local: String,
    pub outcome: TickOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_by: Option<Millis>,
    /// The second firing of this wall time (DST fall-back).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fold_repeat: bool,
    /// Why, in plain words.
    pub why: String,
}

/// Intervals with two or more Jobs of this CronJob running.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overlaps {
    pub max_concurrency: u32,
    pub intervals: Vec<OverlapRow>,
    /// Total time with two or more Jobs running.
    pub total: Millis,
}

/// One overlap interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OverlapRow {
    pub start: Time,
    pub end: Time,
    pub max_running: u32,
    /// A Job deleted by Replace whose pods were still terminating while its
    /// replacement ran.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace_termination: bool,
}

/// How the Jobs ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    pub created: u64,
    pub succeeded: u64,
    pub backoff_limit_exceeded: u64,
    pub deadline_exceeded: u64,
    /// Failed for another reason (podFailurePolicy, …).
    pub failed_other: u64,
    pub replaced: u64,
    /// Still running (or never finished) at the horizon end.
    pub unfinished: u64,
    /// Pods created to replace a failed pod (restartPolicy Never) and
    /// container restarts (OnFailure); the pods a Job runs for its
    /// parallelism and completions are not retries. For Operations, every
    /// attempt after the first (lost ones included).
    pub retries: u64,
    /// Operations that failed with `PipelineError` "failure limit of N
    /// reached": `retryLimit` exhausted (CronOperations only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retry_limit_exhausted: u64,
    /// Operation attempts in flight when the Crossplane pod stopped: lost,
    /// not counted in `status.failures`, run again from step 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lost_attempts: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// [`WorkloadKind`] by the name it serializes as (the simulator's type
/// serializes only).
fn workload_kind<'de, D: Deserializer<'de>>(d: D) -> Result<WorkloadKind, D::Error> {
    match String::deserialize(d)?.as_str() {
        "CronJob" => Ok(WorkloadKind::CronJob),
        "CronOperation" => Ok(WorkloadKind::CronOperation),
        other => Err(serde::de::Error::unknown_variant(other, &["CronJob", "CronOperation"])),
    }
}

/// A finished Job deleted by history GC or TTL, and how long it was kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionRow {
    // Short strings stored inline: a long run keeps up to `MAX_ROWS` of
    // these per CronJob, and a heap string each fragmented the allocator.
    pub job: smol_str::SmolStr,
    pub by: smol_str::SmolStr,
    pub at: Time,
    /// `Complete` or `Failed` (empty if it had not finished).
    pub condition: smol_str::SmolStr,
    /// From the terminal condition's `lastTransitionTime` to the deletion
    /// as the API server stamps it (whole seconds): how long the evidence
    /// of this run survived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained: Option<Millis>,
}
