//! The event log: what happened during a simulation, one record per line.
//!
//! Each [`Record`] serializes to one JSON object with a `time` (RFC 3339 UTC
//! with milliseconds, fixed width, so lines sort as text) and a `kind`, plus
//! the kind's own fields. Records are emitted in time order, and within one
//! instant in the order the simulator processed them. The field names are a
//! stable contract: the report layer consumes exactly these records.
//!
//! Kinds (fields besides `time` and `kind`):
//!
//! | kind | fields | meaning |
//! |---|---|---|
//! | `Event` | `object`, `type`, `reason`, `message` | a Kubernetes Event exactly as a controller records it ([`policy::Event`]) |
//! | `JobCreated` | `job`, `cronjob`, `scheduledTime`, `uid`, `seeded` (only when true) | a Job was stored by the API server; `seeded`: it came with the scenario, logged at the horizon start (`cronjob` empty when it has no CronJob owner) |
//! | `JobStarted` | `job`, `startTime` | the Job controller set `status.startTime` |
//! | `JobFinished` | `job`, `condition` (`Complete`/`Failed`), `reason`, `message`, `finishedAt` (the condition's `lastTransitionTime`, whole seconds of the API clock) | the terminal condition was written (for a seeded Job that had already finished: logged at the horizon start, right after its `JobCreated`) |
//! | `JobDeleted` | `job`, `by`, `propagation` | a DELETE of a Job was accepted (`by`: `HistoryGC`, `Replace`, `TTL`, `CronJobDeleted`, `Scenario`) |
//! | `JobRemoved` | `job` | the Job object left the store (at once for Background; after its pods for Foreground) |
//! | `PodCreated` | `pod`, `job` | the Job controller created a pod |
//! | `PodStarted` | `pod`, `job` | the pod's container started (phase Running) |
//! | `PodFinished` | `pod`, `job`, `exitCode`, `phase` | the pod reached a terminal phase |
//! | `ContainerRestarted` | `pod`, `job`, `restartCount`, `exitCode`, `backoff` (ms) | `restartPolicy: OnFailure`: the kubelet started the container again after a failed run (`exitCode`) and the CrashLoopBackOff delay (`backoff`); `restartCount` rises now, not at the exit |
//! | `PodDeleted` | `pod`, `job` | a pod was deleted (grace period runs; the pod is removed at its end) |
//! | `Sync` | `controller` (`cronjob`/`job`/`ttl`), `object`, `requeueAt`, `retryAt`, and for CronJob syncs the flattened [`Decision`] (`decision` plus its fields) and `status`: the [`WrittenStatus`] the sync wrote, or `null` when it wrote none | one controller sync ran |
//! | `Fault` | `fault` plus its fields (see [`Fault`]) | a scenario fault or change took effect |
//! | `Throttled` | `controller`, `object`, `readyAt`, `waited` (ms), `queued` | kube-controller-manager's capacity held a sync back: the key was ready at `readyAt` and its sync ran `waited` ms later, with `queued` keys still waiting for a worker behind it (only logged when it waited). `controller` `cronoperation` or `operation`: the Crossplane pod's workers, or its global reconcile limiter (then `queued` counts the reconciles it holds back) |
//! | `OperationCreated` | `operation`, `cronoperation`, `scheduledTime`, `uid`, `seeded` | Crossplane: an Operation was stored |
//! | `OperationAttemptStarted` | `operation`, `attempt` | Crossplane: an attempt began (Succeeded=Unknown/PipelineRunning) |
//! | `OperationAttemptFailed` | `operation`, `failures`, `error` | Crossplane: the attempt failed |
//! | `OperationAttemptLost` | `operation` | Crossplane: the attempt was in flight when the Crossplane pod stopped |
//! | `OperationRetryLoop` | `operation`, `first`, `period` | Crossplane: from `first`, an attempt every `period` ms, each timing out like the last, until an `OperationRetryLoopEnd` or the horizon end (not logged one by one) |
//! | `OperationRetryLoopEnd` | `operation`, `attempts`, `inFlight` | Crossplane: the loop ended; `attempts` of its attempts started, the last still running when `inFlight` |
//! | `OperationFinished` | `operation`, `succeeded`, `reason`, `message` | Crossplane: `Succeeded` became True or False |
//! | `OperationDeleted` | `operation`, `by` | Crossplane: a DELETE of an Operation was accepted |
//! | `CronOperationSync` | `object`, `requeueAt`, `retryAt`, flattened [`CronDecision`] | Crossplane: one CronOperation reconcile |
//! | `OperationSync` | `object`, `requeueAt`, `retryAt`, flattened [`OperationDecision`] | Crossplane: one Operation reconcile |
//! | `WorkflowCreated` | `workflow`, `cronworkflow`, `scheduledTime`, `uid`, `catchUp` (only when true) | Argo: a Workflow was submitted; `catchUp`: by the missed-run check at a (re)registration, not by the runner's timer |
//! | `WorkflowFinished` | `workflow`, `phase` (`Succeeded`/`Failed`/`Error`), `message` | Argo: the Workflow was fulfilled |
//! | `WorkflowDeleted` | `workflow`, `by` | Argo: a DELETE of a Workflow was accepted (`HistoryGC`, `CronWorkflowDeleted`) |
//! | `CronWorkflowRun` | `object`, `scheduledTime`, `catchUp` (only when true), `duplicate` (only when true), flattened [`RunDecision`] | Argo: one `Run` of the CronWorkflow controller (a runner tick or the catch-up) and what it decided; `duplicate`: the submission was refused AlreadyExists (two schedules at one instant) |
//! | `CronWorkflowRegistered` | `object`, `next` | Argo: the CronWorkflow's schedules were registered with the cron runner after it had none (controller start, or after a catch-up); `next`: its first fire |
//!
//! Object names are `namespace/name` (`Event.object` is `Kind/namespace/name`
//! as [`policy::Event`] defines it).

mod fault;
mod sink;

pub use fault::Fault;
pub use sink::{JsonLines, LogSink};

use crate::model::{Millis, PodPhase, Time};
use crate::policy::argo::RunDecision;
use crate::policy::crossplane::{CronDecision, OperationDecision};
use crate::policy::{self, Propagation, cronjob::Decision};
use serde::{Deserialize, Serialize, Serializer};
use smol_str::SmolStr;

/// One line of the event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Record {
    /// When it happened (simulated controller time).
    #[serde(serialize_with = "time_millis")]
    pub time: Time,
    /// What happened.
    #[serde(flatten)]
    pub entry: Entry,
}

fn time_millis<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.rfc3339_millis())
}

impl Record {
    /// The record as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        // Serializing plain data with string keys cannot fail; the fallback
        // keeps the log well-formed even so.
        serde_json::to_string(self)
            .unwrap_or_else(|e| format!("{{\"kind\":\"SerializeError\",\"error\":{:?}}}", e.to_string()))
    }
}

/// Which controller synced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Controller {
    /// The CronJob controller (`cronjob`).
    Cronjob,
    /// The Job controller (`job`).
    Job,
    /// The TTL-after-finished controller (`ttl`).
    Ttl,
    /// Crossplane's CronOperation controller (`cronoperation`; in
    /// `Throttled` records only: its syncs have records of their own).
    Cronoperation,
    /// Crossplane's Operation controller (`operation`; likewise).
    Operation,
}

impl Controller {
    /// The name the log and the report's capacity table use.
    pub fn name(self) -> &'static str {
        match self {
            Controller::Cronjob => "cronjob",
            Controller::Job => "job",
            Controller::Ttl => "ttl",
            Controller::Cronoperation => "cronoperation",
            Controller::Operation => "operation",
        }
    }
}

/// Who deleted a Job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DeletedBy {
    /// The CronJob controller's `cleanupFinishedJobs`.
    #[serde(rename = "HistoryGC")]
    HistoryGc,
    /// `concurrencyPolicy: Replace`.
    Replace,
    /// The TTL-after-finished controller.
    #[serde(rename = "TTL")]
    Ttl,
    /// The garbage collector, after the owning CronJob was deleted.
    CronJobDeleted,
    /// A scenario change deleted it directly.
    Scenario,
    /// Crossplane: the garbage collector, after the owning CronOperation was
    /// deleted.
    CronOperationDeleted,
    /// Argo: the garbage collector, after the owning CronWorkflow was
    /// deleted.
    CronWorkflowDeleted,
}

impl DeletedBy {
    /// The name the event log and the report print.
    pub fn name(self) -> &'static str {
        match self {
            DeletedBy::HistoryGc => "HistoryGC",
            DeletedBy::Replace => "Replace",
            DeletedBy::Ttl => "TTL",
            DeletedBy::CronJobDeleted => "CronJobDeleted",
            DeletedBy::Scenario => "Scenario",
            DeletedBy::CronOperationDeleted => "CronOperationDeleted",
            DeletedBy::CronWorkflowDeleted => "CronWorkflowDeleted",
        }
    }
}

impl Entry {
    /// Whether the record is detail the report does not read: a Normal
    /// Event, a sync without a scheduling decision (the Job controller's,
    /// or a CronJob sync that found nothing), a Job or pod that started,
    /// a pod deleted. A sink that reads only what the report reads says so
    /// ([`LogSink::wants_detail`]) and the engine neither builds nor hands
    /// it these; the run itself is the same.
    pub fn is_detail(&self) -> bool {
        match self {
            Entry::Event(e) => e.type_ == policy::EventType::Normal,
            Entry::Sync { decision, .. } => decision.is_none(),
            Entry::JobStarted { .. } | Entry::PodStarted { .. } | Entry::PodDeleted { .. } => true,
            _ => false,
        }
    }
}

/// The kind-specific part of a [`Record`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "kind")]
pub enum Entry {
    /// A Kubernetes Event.
    Event(policy::Event),
    /// A Job was stored by the API server.
    #[serde(rename_all = "camelCase")]
    JobCreated {
        /// The Job, `namespace/name`.
        job: SmolStr,
        /// The owning CronJob, `namespace/name`; empty when it has no CronJob owner.
        cronjob: SmolStr,
        /// The `batch.kubernetes.io/cronjob-scheduled-timestamp` annotation;
        /// `None` when absent or unparsable.
        scheduled_time: Option<Time>,
        /// The Job's `metadata.uid`.
        uid: SmolStr,
        /// The Job came with the scenario (it existed before the horizon).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        seeded: bool,
    },
    /// The Job controller set `status.startTime`.
    #[serde(rename_all = "camelCase")]
    JobStarted {
        /// The Job, `namespace/name`.
        job: SmolStr,
        /// The `status.startTime` written.
        start_time: Time,
    },
    /// The Job's terminal condition was written.
    #[serde(rename_all = "camelCase")]
    JobFinished {
        /// The Job, `namespace/name`.
        job: SmolStr,
        /// The condition type: `Complete` or `Failed`.
        condition: SmolStr,
        /// The condition's reason.
        reason: SmolStr,
        /// The condition's message.
        message: SmolStr,
        /// The terminal condition's `lastTransitionTime`: the finish time
        /// the TTL controller reads (`jobFinishTime`).
        #[serde(skip_serializing_if = "Option::is_none")]
        finished_at: Option<Time>,
    },
    /// A DELETE of a Job was accepted.
    #[serde(rename_all = "camelCase")]
    JobDeleted {
        /// The Job, `namespace/name`.
        job: SmolStr,
        /// Who deleted it.
        by: DeletedBy,
        /// The deletion's propagation policy.
        propagation: Propagation,
    },
    /// The Job object left the store (at once for Background; after its pods
    /// for Foreground).
    #[serde(rename_all = "camelCase")]
    JobRemoved {
        /// The Job, `namespace/name`.
        job: SmolStr,
    },
    /// The Job controller created a pod.
    #[serde(rename_all = "camelCase")]
    PodCreated {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
    },
    /// The pod's container started (phase Running).
    #[serde(rename_all = "camelCase")]
    PodStarted {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
    },
    /// The pod reached a terminal phase.
    #[serde(rename_all = "camelCase")]
    PodFinished {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
        /// The container's exit code.
        exit_code: i32,
        /// The terminal phase reached.
        phase: PodPhase,
    },
    /// `restartPolicy: OnFailure`: the kubelet started the container again
    /// after a failed run and the CrashLoopBackOff delay.
    #[serde(rename_all = "camelCase")]
    ContainerRestarted {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
        /// The container's restart count after this restart.
        restart_count: i32,
        /// The exit code of the failed run.
        exit_code: i32,
        /// The CrashLoopBackOff delay waited before the restart, in milliseconds.
        backoff: Millis,
    },
    /// A pod was deleted (grace period runs; the pod is removed at its end).
    #[serde(rename_all = "camelCase")]
    PodDeleted {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
    },
    /// One controller sync ran.
    #[serde(rename_all = "camelCase")]
    Sync {
        /// The controller that synced.
        controller: Controller,
        /// The synced object's key, `namespace/name`.
        object: SmolStr,
        /// The timer the sync set (`requeueAfter` as an instant).
        #[serde(skip_serializing_if = "Option::is_none")]
        requeue_at: Option<Time>,
        /// The rate-limited retry after a sync error.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_at: Option<Time>,
        /// CronJob syncs only.
        #[serde(flatten, skip_serializing_if = "Option::is_none")]
        decision: Option<Decision>,
        /// CronJob syncs only: the status the sync wrote with
        /// `UpdateStatus`, or `null` when it wrote none (absent for the
        /// other controllers).
        #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "present")]
        #[cfg_attr(feature = "schema", schemars(with = "Option<WrittenStatus>"))]
        status: Option<Option<Box<WrittenStatus>>>,
    },
    /// A fault or scenario change.
    Fault(Fault),
    /// A controller's capacity (kube-controller-manager's workers, its
    /// client's token bucket, the request latency; the Crossplane pod's
    /// workers and global reconcile limiter) held a sync back.
    #[serde(rename_all = "camelCase")]
    Throttled {
        /// The controller whose sync waited.
        controller: Controller,
        /// The synced object's key, `namespace/name`.
        object: SmolStr,
        /// When the key was ready in the work queue.
        ready_at: Time,
        /// How long it waited for a worker, a token and the request.
        waited: Millis,
        /// Keys still waiting for a worker when it ran.
        queued: u32,
    },
    /// Crossplane: an Operation was stored (`scheduledTime` is the slot its
    /// `<cronop>-<unix seconds>` name encodes).
    #[serde(rename_all = "camelCase")]
    OperationCreated {
        /// The Operation's name.
        operation: SmolStr,
        /// The owning CronOperation's name.
        cronoperation: SmolStr,
        /// The slot the name encodes; `None` when the name doesn't have the
        /// `<cronop>-<unix seconds>` form.
        scheduled_time: Option<Time>,
        /// The Operation's `metadata.uid`.
        uid: SmolStr,
        /// The Operation came with the scenario (it existed before the horizon).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        seeded: bool,
    },
    /// Crossplane: the Operation controller began an attempt (it wrote
    /// Succeeded=Unknown/PipelineRunning); `attempt` counts from 1.
    #[serde(rename_all = "camelCase")]
    OperationAttemptStarted {
        /// The Operation's name.
        operation: SmolStr,
        /// The attempt's number, from 1.
        attempt: u32,
    },
    /// Crossplane: the attempt failed; `failures` is `status.failures` after it.
    #[serde(rename_all = "camelCase")]
    OperationAttemptFailed {
        /// The Operation's name.
        operation: SmolStr,
        /// `status.failures` after this failure.
        failures: i64,
        /// The attempt's error.
        error: SmolStr,
    },
    /// Crossplane: the attempt was in flight when the Crossplane pod stopped;
    /// it is lost and `status.failures` is not incremented.
    #[serde(rename_all = "camelCase")]
    OperationAttemptLost {
        /// The Operation's name.
        operation: SmolStr,
    },
    /// Crossplane: the Operation settled into a retry loop that never ends
    /// on its own: every attempt hits the 2-minute timeout, whose failure
    /// is never recorded, and the next starts a minute after (the rate
    /// limiter's cap). From `first`, an attempt starts every `period`, each
    /// like the last, until an [`Entry::OperationRetryLoopEnd`] or the
    /// horizon end; the simulator does not step them one by one.
    #[serde(rename_all = "camelCase")]
    OperationRetryLoop {
        /// The Operation's name.
        operation: SmolStr,
        /// When the loop's first attempt starts.
        first: Time,
        /// Milliseconds from one attempt's start to the next's.
        period: Millis,
    },
    /// Crossplane: a retry loop ended, because something else happened
    /// (downtime, an edit): `attempts` of its attempts had started, the
    /// last still running when `in_flight`. The Operation's attempts are
    /// simulated one by one again from here.
    #[serde(rename_all = "camelCase")]
    OperationRetryLoopEnd {
        /// The Operation's name.
        operation: SmolStr,
        /// Attempts the loop started.
        attempts: u64,
        /// Its last attempt was still running.
        in_flight: bool,
    },
    /// Crossplane: `Succeeded` became True (`PipelineSuccess`) or False
    /// (`PipelineError`).
    #[serde(rename_all = "camelCase")]
    OperationFinished {
        /// The Operation's name.
        operation: SmolStr,
        /// Whether `Succeeded` became True.
        succeeded: bool,
        /// The condition's reason.
        reason: SmolStr,
        /// The condition's message.
        message: SmolStr,
    },
    /// Crossplane: a DELETE of an Operation was accepted (`by`: `HistoryGC`,
    /// `Replace`, `CronOperationDeleted`, `Scenario`); Operations have no
    /// pods, so they leave the store at once.
    #[serde(rename_all = "camelCase")]
    OperationDeleted {
        /// The Operation's name.
        operation: SmolStr,
        /// Who deleted it.
        by: DeletedBy,
    },
    /// Crossplane: one CronOperation reconcile, with its flattened
    /// [`CronDecision`].
    #[serde(rename_all = "camelCase")]
    CronOperationSync {
        /// The reconciled object's name.
        object: SmolStr,
        /// The timer the reconcile set (`requeueAfter` as an instant).
        #[serde(skip_serializing_if = "Option::is_none")]
        requeue_at: Option<Time>,
        /// The rate-limited retry after a reconcile error.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_at: Option<Time>,
        /// What the reconcile decided.
        #[serde(flatten)]
        decision: Box<CronDecision>,
    },
    /// Crossplane: one Operation reconcile, with its flattened
    /// [`OperationDecision`].
    #[serde(rename_all = "camelCase")]
    OperationSync {
        /// The reconciled object's name.
        object: SmolStr,
        /// The timer the reconcile set (`requeueAfter` as an instant).
        #[serde(skip_serializing_if = "Option::is_none")]
        requeue_at: Option<Time>,
        /// The rate-limited retry after a reconcile error.
        #[serde(skip_serializing_if = "Option::is_none")]
        retry_at: Option<Time>,
        /// What the reconcile decided.
        #[serde(flatten)]
        decision: Box<OperationDecision>,
    },
    /// Argo: a Workflow was submitted by the CronWorkflow controller.
    #[serde(rename_all = "camelCase")]
    WorkflowCreated {
        /// The Workflow's `namespace/name`.
        workflow: SmolStr,
        /// Its CronWorkflow's `namespace/name`.
        cronworkflow: SmolStr,
        /// The tick it was submitted for (its name encodes it).
        scheduled_time: Time,
        /// The Workflow's `metadata.uid`.
        uid: SmolStr,
        /// Submitted by the missed-run check, not by the runner's timer.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        catch_up: bool,
    },
    /// Argo: the Workflow reached a fulfilled phase.
    #[serde(rename_all = "camelCase")]
    WorkflowFinished {
        /// The Workflow's `namespace/name`.
        workflow: SmolStr,
        /// `Succeeded`, `Failed` or `Error`.
        phase: SmolStr,
        /// `status.message`.
        message: SmolStr,
    },
    /// Argo: a DELETE of a Workflow was accepted.
    #[serde(rename_all = "camelCase")]
    WorkflowDeleted {
        /// The Workflow's `namespace/name`.
        workflow: SmolStr,
        /// Who deleted it.
        by: DeletedBy,
    },
    /// Argo: one `Run` of the CronWorkflow controller.
    #[serde(rename_all = "camelCase")]
    CronWorkflowRun {
        /// The CronWorkflow's `namespace/name`.
        object: SmolStr,
        /// The scheduled time `Run` was given.
        scheduled_time: Time,
        /// The run came from the missed-run check.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        catch_up: bool,
        /// The submission was refused AlreadyExists and dropped.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        duplicate: bool,
        /// What it decided.
        #[serde(flatten)]
        decision: RunDecision,
    },
    /// Argo: the CronWorkflow's schedules were registered with the cron
    /// runner after it had none.
    #[serde(rename_all = "camelCase")]
    CronWorkflowRegistered {
        /// The CronWorkflow's `namespace/name`.
        object: SmolStr,
        /// When the runner fires for it first.
        #[serde(skip_serializing_if = "Option::is_none")]
        next: Option<Time>,
    },
}

/// The CronJob status a sync wrote (`UpdateStatus`), as the `status` of a
/// `Sync` record: the fields a reader follows a CronJob by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct WrittenStatus {
    /// `status.lastScheduleTime`; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    /// `status.lastSuccessfulTime`; absent when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_successful_time: Option<Time>,
    /// The names of the Jobs in `status.active`, in the list's order.
    pub active: Vec<SmolStr>,
}

impl WrittenStatus {
    /// What a CronJob's status shows of these fields.
    pub fn of(status: &crate::model::CronJobStatus) -> WrittenStatus {
        WrittenStatus {
            last_schedule_time: status.last_schedule_time,
            last_successful_time: status.last_successful_time,
            active: status.active.iter().map(|r| r.name.clone()).collect(),
        }
    }
}

/// Reads a field that may be `null` as `Some(None)`, so that a missing
/// field (`None`, by `default`) and an explicit `null` stay apart.
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests;
