//! The report's data: a stable, versioned shape (`--format json`).

use crate::model::{Millis, Time};
use crate::sim::WorkloadKind;
use serde::{Deserialize, Deserializer, Serialize};

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The report format's version (`SCHEMA_VERSION`); bumped on incompatible changes.
    pub schema_version: u32,
    /// Where the numbers come from.
    pub header: Header,
    /// One account per workload (CronJob or CronOperation) in the scenario,
    /// in scenario order (`cronjobs` before schema version 2).
    pub workloads: Vec<WorkloadReport>,
    /// Failed `expect:` checks (empty when all hold or none were given).
    pub violations: Vec<super::Violation>,
    /// How many `expect:` checks the scenario declared.
    pub expectations_checked: usize,
    /// The fleet load: peaks across all workloads at once; present when
    /// the run counted them (a scenario with several workloads, with
    /// resource requests, or with a fleet-wide `expect:` bound).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetPeaks>,
    /// kube-controller-manager's own capacity at work: a row per
    /// controller whose syncs waited for a worker or a token (empty, and
    /// absent from JSON, when none did).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capacity: Vec<ControllerLoad>,
}

/// How much one kube-controller-manager controller's workers and client
/// held its syncs back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ControllerLoad {
    /// `cronjob`, `job` or `ttl`.
    pub controller: String,
    /// Syncs that ran later than their key was ready.
    pub delayed_syncs: u64,
    /// The longest such wait, in milliseconds.
    pub longest_wait: Millis,
    /// When that sync ran.
    pub longest_wait_at: Time,
    /// The most keys waiting for a worker at once (seen when a sync ran).
    pub peak_queued: u32,
    /// When first seen.
    pub peak_queued_at: Time,
}

impl Report {
    /// The fleet load, when the report shows it: several workloads, or
    /// pods that request CPU or memory (a lone workload's load is its own
    /// figures).
    pub fn fleet_load(&self) -> Option<&FleetPeaks> {
        self.fleet.as_ref().filter(|f| self.workloads.len() > 1 || f.has_requests())
    }
}

/// The most Jobs, pods and requested CPU and memory of all workloads
/// together at one instant, counted at the end of each instant (a Job
/// ending as another starts does not count with it), and the Job starts
/// per minute of the hour.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FleetPeaks {
    /// The most unfinished Jobs (and Operations) at once: created, not yet
    /// finished or removed.
    pub max_jobs: u32,
    /// The first instant with that many; absent if there never was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_jobs_at: Option<Time>,
    /// The most pods at once: created, not yet terminated.
    pub max_pods: u32,
    /// The first instant with that many; absent if there never was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pods_at: Option<Time>,
    /// The most CPU the live pods requested at once, in millicores (each
    /// pod as its Job template's containers request).
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub max_cpu_millis: i64,
    /// The first instant with that much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cpu_at: Option<Time>,
    /// The most memory the live pods requested at once, in bytes.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub max_memory_bytes: i64,
    /// The first instant with that much.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_memory_at: Option<Time>,
    /// Jobs (and Operations) created in the horizon, by the minute of the
    /// hour (UTC) they were created in: 60 counts, minute 0 first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub starts_by_minute: Vec<u64>,
}

impl FleetPeaks {
    /// Whether any pod requested CPU or memory.
    pub fn has_requests(&self) -> bool {
        self.max_cpu_millis > 0 || self.max_memory_bytes > 0
    }
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

/// Where the numbers come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// The scenario's name.
    pub scenario: String,
    /// The RNG seed the run used.
    pub seed: u64,
    /// The horizon's start.
    pub start: Time,
    /// The horizon's end.
    pub end: Time,
    /// The IANA time zone database version compiled in.
    pub tzdb_version: String,
    /// The cronwarp version that made the report.
    pub cronwarp_version: String,
    /// The controller's local zone (schedules without a zone use it).
    pub local_zone: String,
}

/// One CronJob's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WorkloadReport {
    /// `namespace/name` (a CronOperation, being cluster-scoped: `name`).
    pub name: String,
    /// `CronOperation` for a Crossplane CronOperation (its runs are
    /// Operations); absent for a CronJob.
    #[serde(default, skip_serializing_if = "WorkloadKind::is_cronjob", deserialize_with = "workload_kind")]
    pub kind: WorkloadKind,
    /// The schedule, as written in the spec.
    pub schedule: String,
    /// The zone the schedule is evaluated in.
    pub zone: String,
    /// `concurrencyPolicy` (`Allow`, `Forbid` or `Replace`).
    pub concurrency_policy: String,
    /// `startingDeadlineSeconds`, in seconds; absent when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_deadline_seconds: Option<i64>,
    /// How the ticks in the horizon were accounted.
    pub ticks: TickCounts,
    /// The ticks that were not started on time, in tick order: the first
    /// [`MAX_ROWS`](super::MAX_ROWS); `exceptionsOmitted` counts the rest.
    pub exceptions: Vec<TickRow>,
    /// How many exceptions were left out of `exceptions`.
    pub exceptions_omitted: u64,
    /// Worst lateness among started ticks.
    pub max_lateness: Millis,
    /// Notes about the schedule itself (DST gaps, robfig deviations,
    /// schedule errors).
    pub notes: Vec<String>,
    /// Intervals with two or more runs at once.
    pub overlaps: Overlaps,
    /// How the Jobs (or Operations) ended.
    pub outcomes: Outcomes,
    /// History GC and TTL deletions by who deleted and how the Job ended.
    pub deletion_summary: Vec<DeletionSummary>,
    /// The first [`MAX_ROWS`](super::MAX_ROWS) deletions, in time order;
    /// `deletionsOmitted` counts the rest.
    pub deletions: Vec<DeletionRow>,
    /// How many deletions were left out of `deletions`.
    pub deletions_omitted: u64,
    /// The Warning events the controller recorded about the workload itself
    /// (`TooManyMissedTimes`, `UnexpectedJob`, `FailedCreate`,
    /// `UnparseableSchedule`, …), one entry per reason in the order each
    /// first occurred; absent when there were none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<WarningSummary>,
    /// The pod and node faults the workload's Jobs met (`behaviour`
    /// `disruptions`, `pending`, `nodeLoss`), each with what it did and how
    /// the Job ended; absent when there were none. At most
    /// [`MAX_ROWS`](super::MAX_ROWS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pod_faults: Vec<PodFaultRow>,
    /// How many pod faults were left out of `podFaults`.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub pod_faults_omitted: u64,
}

/// One pod or node fault and the run it hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct PodFaultRow {
    /// When it happened (the controllers' clock).
    pub at: Time,
    /// The Job, `namespace/name`.
    pub job: String,
    /// The pod, `namespace/name`.
    pub pod: String,
    /// What happened, in plain words, with upstream's reason.
    pub fault: String,
    /// How the Job ended (`Complete`, `Failed: BackoffLimitExceeded`, …),
    /// or `unfinished`.
    pub job_outcome: String,
}

/// The Warning events of one reason about one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WarningSummary {
    /// The Event's reason, e.g. `TooManyMissedTimes`.
    pub reason: String,
    /// How many were recorded in the horizon.
    pub count: u64,
    /// When the first was recorded (the controller's clock).
    pub first: Time,
    /// The first one's message.
    pub message: String,
}

/// Shorthands for tests that assert on a workload's figures.
impl WorkloadReport {
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionSummary {
    /// Who deleted: `HistoryGC` or `TTL`.
    pub by: String,
    /// How the Jobs ended: `Complete` or `Failed` (empty if they had not finished).
    pub condition: String,
    /// How many deletions of this kind.
    pub count: u64,
    /// The shortest retention among them, in milliseconds (0 when unknown).
    pub min_retained: Millis,
    /// The longest retention among them, in milliseconds.
    pub max_retained: Millis,
}

/// How the ticks in the horizon were accounted. `total` equals the sum of
/// the other counts: every tick is accounted exactly once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TickCounts {
    /// Ticks in the horizon.
    pub total: u64,
    /// Ticks whose run was created within `ON_TIME` of the tick.
    pub on_time: u64,
    /// Ticks started, but later than `ON_TIME`.
    pub late: u64,
    /// Ticks that never got a run.
    pub not_started: u64,
    /// Not yet due for a sync when the horizon ended.
    pub pending: u64,
    /// How many of the above were the second firing of a wall time in a DST
    /// fall-back (they are counted in their own outcome as well).
    pub fold_repeats: u64,
}

/// What became of one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum TickOutcome {
    /// Started within `ON_TIME` of the tick.
    OnTime,
    /// Started, but later than `ON_TIME`.
    Late,
    /// Never started.
    NotStarted,
    /// Not yet due for a sync when the horizon ended.
    Pending,
}

/// One tick that was not started on time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct TickRow {
    /// The scheduled instant.
    pub tick: Time,
    /// The tick's wall clock in the schedule's zone (RFC 3339 with offset).
    pub local: String,
    /// What became of it.
    pub outcome: TickOutcome,
    /// The Job (or Operation) that ran it, if one was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// How late its run was created, in milliseconds; absent if none was.
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Overlaps {
    /// The most runs at once during the horizon.
    pub max_concurrency: u32,
    /// The overlap intervals, in time order.
    pub intervals: Vec<OverlapRow>,
    /// Total time with two or more Jobs running.
    pub total: Millis,
}

/// One overlap interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct OverlapRow {
    /// When the second concurrent run began.
    pub start: Time,
    /// When the count fell back below two.
    pub end: Time,
    /// The most runs at once within the interval.
    pub max_running: u32,
    /// A Job deleted by Replace whose pods were still terminating while its
    /// replacement ran.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replace_termination: bool,
}

/// How the Jobs ended.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Outcomes {
    /// Jobs (or Operations) created during the horizon.
    pub created: u64,
    /// Runs that succeeded.
    pub succeeded: u64,
    /// Jobs that failed with `BackoffLimitExceeded`.
    pub backoff_limit_exceeded: u64,
    /// Jobs that failed with `DeadlineExceeded`.
    pub deadline_exceeded: u64,
    /// Failed for another reason (podFailurePolicy, …).
    pub failed_other: u64,
    /// Runs deleted unfinished by `concurrencyPolicy: Replace`.
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

impl Outcomes {
    /// Runs that failed, for whatever reason: BackoffLimitExceeded,
    /// DeadlineExceeded, retryLimit exhausted or otherwise.
    pub fn failed(&self) -> u64 {
        self.backoff_limit_exceeded + self.deadline_exceeded + self.retry_limit_exhausted + self.failed_other
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// [`WorkloadKind`] by the name it serializes as (the simulator's type
/// serializes only).
pub(crate) fn workload_kind<'de, D: Deserializer<'de>>(d: D) -> Result<WorkloadKind, D::Error> {
    match String::deserialize(d)?.as_str() {
        "CronJob" => Ok(WorkloadKind::CronJob),
        "CronOperation" => Ok(WorkloadKind::CronOperation),
        "CronWorkflow" => Ok(WorkloadKind::CronWorkflow),
        other => Err(serde::de::Error::unknown_variant(other, &["CronJob", "CronOperation", "CronWorkflow"])),
    }
}

/// A finished Job deleted by history GC or TTL, and how long it was kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeletionRow {
    // Kept small: a long run holds up to `MAX_ROWS` of these per workload
    // (a thousand-CronJob month, a million), so the name is stored inline
    // and who deleted it and how it ended are one byte each.
    /// The Job (or Operation), `namespace/name`.
    pub job: smol_str::SmolStr,
    /// Who deleted it: `HistoryGC` or `TTL`.
    pub by: crate::sim::log::DeletedBy,
    /// When the deletion was accepted.
    pub at: Time,
    /// How it had ended: `Complete` or `Failed` (a Job), `Succeeded`,
    /// `Failed` or `Error` (an Operation or Workflow); empty if it had not
    /// finished.
    pub condition: RunEnd,
    /// From the terminal condition's `lastTransitionTime` to the deletion
    /// as the API server stamps it (whole seconds): how long the evidence
    /// of this run survived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retained: Option<Millis>,
}

/// How a deleted run had ended: its terminal condition (a Job) or phase
/// (an Operation, a Workflow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum RunEnd {
    /// It had not finished (an empty string).
    #[serde(rename = "")]
    Unfinished,
    /// A Job's `Complete`.
    Complete,
    /// `Failed`.
    Failed,
    /// An Operation's or Workflow's `Succeeded`.
    Succeeded,
    /// A Workflow's `Error`.
    Error,
}

impl RunEnd {
    /// The ending named `name`; `None` for a name none of the controllers
    /// writes.
    pub fn from_name(name: &str) -> Option<RunEnd> {
        Some(match name {
            "" => RunEnd::Unfinished,
            "Complete" => RunEnd::Complete,
            "Failed" => RunEnd::Failed,
            "Succeeded" => RunEnd::Succeeded,
            "Error" => RunEnd::Error,
            _ => return None,
        })
    }

    /// The name the report prints (empty when unfinished).
    pub fn as_str(self) -> &'static str {
        match self {
            RunEnd::Unfinished => "",
            RunEnd::Complete => "Complete",
            RunEnd::Failed => "Failed",
            RunEnd::Succeeded => "Succeeded",
            RunEnd::Error => "Error",
        }
    }
}

impl std::fmt::Display for RunEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
