//! One CronWorkflow's decisions: `workflow/cron/operator.go` (argo-workflows
//! v4.1) as pure functions over a working copy of the object.
//!
//! | upstream | here |
//! |---|---|
//! | `cronWfOperationCtx.run` up to `SubmitWorkflow` | [`run`] |
//! | the status `run` writes after a submission | [`record_submission`] |
//! | `reportCronWorkflowError(SubmissionError)` after a failed submit | [`submission_failed`] |
//! | `shouldOutstandingWorkflowsBeRun` | [`missed_execution`] |
//! | `enforceHistoryLimit` + `deleteOldestWorkflows` | [`history_to_delete`] |
//! | `reconcileActiveWfs` | [`reconcile_active`] |
//!
//! Each takes `now` (the controller clock); none reads a clock.

use super::expr::ExprEnv;
use super::when::{parse_stop, parse_when};
use crate::model::argo::{
    CONDITION_SPEC_ERROR, CONDITION_SUBMISSION_ERROR, CronWorkflow, child_workflow_name,
    validate_cronworkflow,
};
use crate::model::{ConcurrencyPolicy, ObjectReference, Time};
use crate::schedule::{Schedule, Zone};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// `status.phase` values.
pub const PHASE_ACTIVE: &str = "Active";
/// `status.phase` once the stop strategy fired.
pub const PHASE_STOPPED: &str = "Stopped";

/// What one `run` (a cron-runner tick or the catch-up) decides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum RunDecision {
    /// `validateCronWorkflow` failed: `SpecError` condition, nothing runs.
    Invalid {
        /// The condition's message.
        message: String,
    },
    /// The stop expression could not be evaluated: `SpecError`, nothing runs.
    StopError {
        /// The condition's message.
        message: String,
    },
    /// `spec.suspend` is true.
    Suspended,
    /// `status.phase` is `Stopped` (the stop strategy fired, now or before).
    Stopped,
    /// `spec.when` came out false.
    WhenFalse,
    /// `spec.when` failed to evaluate: a `SubmissionError` condition, and
    /// upstream counts it in `status.failed`
    /// (docs/fidelity/argo.md#argo-8).
    PolicyError {
        /// The condition's message.
        message: String,
    },
    /// `Forbid` with an active Workflow.
    Forbidden,
    /// Submit the Workflow `name`, after terminating `terminate` (`Replace`).
    Submit {
        /// The child's name, `<cron>-<scheduled unix seconds>`.
        name: SmolStr,
        /// Active Workflows to terminate first (`Replace`), in
        /// `status.active` order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        terminate: Vec<SmolStr>,
    },
}

/// The variables `expressionEnv` sets, read from the working copy at `now`.
pub fn expression_env(cw: &CronWorkflow, now: Time) -> ExprEnv {
    ExprEnv {
        name: cw.metadata.name.to_string(),
        namespace: cw.metadata.namespace.to_string(),
        failed: cw.status.failed,
        succeeded: cw.status.succeeded,
        last_scheduled_time: cw.status.last_scheduled_time,
        now,
    }
}

/// `checkStopingCondition`: `Ok(true)` when the stop expression holds.
pub fn stop_condition(cw: &CronWorkflow, now: Time) -> Result<bool, String> {
    let Some(stop) = &cw.spec.stop_strategy else { return Ok(false) };
    let env = expression_env(cw, now);
    parse_stop(&stop.expression)
        .and_then(|e| super::expr::eval_bool(&e, &env))
        .map_err(|e| format!("failed to evaluate stop expression: {e}"))
}

/// `setAsCompleted`: phase `Stopped` and the completed label.
fn set_as_completed(cw: &mut CronWorkflow) {
    cw.status.phase = PHASE_STOPPED.into();
    cw.metadata.labels.insert(crate::model::argo::LABEL_CRON_WORKFLOW_COMPLETED.into(), "true".into());
}

/// `cronWfOperationCtx.run(scheduledRuntime)` up to the submission, on the
/// working copy `cw` (whose annotations, labels and status the caller then
/// persists, as upstream's deferred `persistUpdate` does whatever the
/// outcome).
pub fn run(cw: &mut CronWorkflow, scheduled: Time, now: Time) -> RunDecision {
    if cw.is_using_new_schedule() {
        cw.set_schedule_used();
    }
    if let Some(bad) = validate_cronworkflow(cw) {
        cw.status.upsert_condition(CONDITION_SPEC_ERROR, bad.message.clone());
        return RunDecision::Invalid { message: bad.message };
    }
    cw.status.remove_condition(CONDITION_SPEC_ERROR);
    match stop_condition(cw, now) {
        Err(e) => {
            let message =
                format!("failed to check CronWorkflow '{}' stopping condition: {e}", cw.metadata.name);
            cw.status.upsert_condition(CONDITION_SPEC_ERROR, message.clone());
            return RunDecision::StopError { message };
        }
        Ok(true) => set_as_completed(cw),
        Ok(false) => {}
    }
    match enforce_runtime_policy(cw, now) {
        Ok(Some(terminate)) => {
            RunDecision::Submit { name: child_workflow_name(&cw.metadata.name, scheduled), terminate }
        }
        Ok(None) => skipped_by(cw, now),
        Err(e) => {
            let message = format!("run policy error: {e}");
            submission_failed_with(cw, message.clone());
            RunDecision::PolicyError { message }
        }
    }
}

/// Which of `enforceRuntimePolicy`'s early returns skipped the tick, in
/// its order: suspend, stopped, `when`, Forbid.
fn skipped_by(cw: &CronWorkflow, now: Time) -> RunDecision {
    if cw.spec.suspend {
        RunDecision::Suspended
    } else if cw.status.phase == PHASE_STOPPED {
        RunDecision::Stopped
    } else if !when_holds(cw, now).unwrap_or(true) {
        RunDecision::WhenFalse
    } else {
        RunDecision::Forbidden
    }
}

fn when_holds(cw: &CronWorkflow, now: Time) -> Result<bool, String> {
    if cw.spec.when.is_empty() {
        return Ok(true);
    }
    parse_when(&cw.spec.when)?.eval(&expression_env(cw, now))
}

/// `enforceRuntimePolicy`: `Some(terminate)` to proceed (terminating
/// those for `Replace`), `None` to skip.
fn enforce_runtime_policy(cw: &CronWorkflow, now: Time) -> Result<Option<Vec<SmolStr>>, String> {
    if cw.spec.suspend || cw.status.phase == PHASE_STOPPED || !when_holds(cw, now)? {
        return Ok(None);
    }
    match cw.spec.policy() {
        Some(ConcurrencyPolicy::Allow) => Ok(Some(Vec::new())),
        Some(ConcurrencyPolicy::Forbid) if !cw.status.active.is_empty() => Ok(None),
        Some(ConcurrencyPolicy::Forbid) => Ok(Some(Vec::new())),
        Some(ConcurrencyPolicy::Replace) => {
            Ok(Some(cw.status.active.iter().map(|r| r.name.clone()).collect()))
        }
        None => Err(format!("invalid ConcurrencyPolicy: {}", cw.spec.concurrency_policy)),
    }
}

/// The status `run` writes once `SubmitWorkflow` succeeded.
pub fn record_submission(cw: &mut CronWorkflow, child: ObjectReference, scheduled: Time) {
    cw.status.active.push(child);
    cw.status.phase = PHASE_ACTIVE.into();
    cw.status.last_scheduled_time = Some(scheduled);
    cw.status.remove_condition(CONDITION_SUBMISSION_ERROR);
}

/// `SubmitWorkflow` failed other than `AlreadyExists` (which upstream drops
/// silently: a second submission for the same tick).
pub fn submission_failed(cw: &mut CronWorkflow, error: &str) {
    submission_failed_with(cw, format!("Failed to submit Workflow: {error}"));
}

fn submission_failed_with(cw: &mut CronWorkflow, message: String) {
    cw.status.upsert_condition(CONDITION_SUBMISSION_ERROR, message);
    cw.status.failed += 1;
}

/// `shouldOutstandingWorkflowsBeRun`: the tick to run now as a catch-up,
/// if any (docs/fidelity/argo.md#argo-5).
///
/// Only when the schedules were not just edited, `lastScheduledTime` is
/// set, and `startingDeadlineSeconds` is set: then, per schedule in order,
/// the *latest* tick after `lastScheduledTime` and before `now` runs if
/// `now` is still within the deadline of it. One catch-up at most,
/// whatever was missed. A zone-less schedule is read in UTC here (the
/// status time is UTC), while the runner reads it in the controller's
/// local zone.
pub fn missed_execution(cw: &CronWorkflow, now: Time) -> Result<Option<Time>, String> {
    if cw.is_using_new_schedule() {
        return Ok(None);
    }
    let Some(last) = cw.status.last_scheduled_time else { return Ok(None) };
    for s in cw.spec.schedules_with_timezone() {
        let schedule = Schedule::parse(&s).map_err(|e| e.robfig_text().to_string())?;
        let mut missed = None;
        let mut next = schedule.next(last.unix(), Zone::Utc);
        while let Some(t) = next.map(Time::from_unix).filter(|t| *t < now) {
            missed = Some(t);
            let after = schedule.next(t.unix(), Zone::Utc);
            if after.is_some_and(|a| a <= t.unix()) {
                break; // robfig's Next can stand still (docs/fidelity/schedules.md#sch-9)
            }
            next = after;
        }
        if let (Some(t), Some(d)) = (missed, cw.spec.starting_deadline_seconds)
            && now < t.add(d.saturating_mul(1000))
        {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// A child Workflow's phase (`WorkflowPhase`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WorkflowPhase {
    /// `""`/`Pending`: not started.
    Pending,
    /// `Running`.
    Running,
    /// `Succeeded`.
    Succeeded,
    /// `Failed`.
    Failed,
    /// `Error`.
    Error,
}

impl WorkflowPhase {
    /// `WorkflowStatus.Fulfilled`.
    pub fn fulfilled(self) -> bool {
        matches!(self, WorkflowPhase::Succeeded | WorkflowPhase::Failed | WorkflowPhase::Error)
    }
}

/// What the controller's Workflow lister shows of one child.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildWorkflow {
    /// `metadata.name`.
    pub name: SmolStr,
    /// `metadata.uid`.
    pub uid: SmolStr,
    /// `status.phase`.
    pub phase: WorkflowPhase,
    /// `status.finishedAt` (zero time when unset).
    pub finished_at: Option<Time>,
    /// The value of its `workflows.argoproj.io/cron-workflow` label.
    pub cron_label: Option<SmolStr>,
}

/// `enforceHistoryLimit`: the children to delete, oldest-finished last
/// kept. Only fulfilled children labelled with this CronWorkflow's name
/// count; `Error` counts as failed. Order: a stable sort by `finishedAt`,
/// newest first; those past the limit go.
pub fn history_to_delete(cw: &CronWorkflow, children: &[ChildWorkflow]) -> Vec<SmolStr> {
    let mine = children
        .iter()
        .filter(|c| c.cron_label.as_deref() == Some(cw.metadata.name.as_str()) && c.phase.fulfilled());
    let (mut ok, mut failed): (Vec<&ChildWorkflow>, Vec<&ChildWorkflow>) =
        mine.partition(|c| c.phase == WorkflowPhase::Succeeded);
    let mut out = Vec::new();
    for (list, keep) in [(&mut ok, cw.spec.successful_limit()), (&mut failed, cw.spec.failed_limit())] {
        if keep >= list.len() {
            continue;
        }
        list.sort_by_key(|c| std::cmp::Reverse(c.finished_at));
        out.extend(list[keep..].iter().map(|c| c.name.clone()));
    }
    out
}

/// `reconcileActiveWfs`: adds unfinished children missing from
/// `status.active`, removes finished or vanished ones, counts each finish
/// in `succeeded`/`failed` and checks the stop strategy after each.
/// Returns whether the status changed (upstream then patches it), or the
/// stop-expression error (upstream then stops reconciling: no patch).
pub fn reconcile_active(
    cw: &mut CronWorkflow,
    children: &[ChildWorkflow],
    now: Time,
) -> Result<bool, String> {
    let mut updated = false;
    for c in children {
        if !c.phase.fulfilled() && !cw.status.active.iter().any(|r| r.uid == c.uid) {
            updated = true;
            cw.status.active.push(ObjectReference {
                kind: "Workflow".into(),
                api_version: crate::model::argo::ARGO_API_VERSION.into(),
                name: c.name.clone(),
                namespace: cw.metadata.namespace.clone(),
                uid: c.uid.clone(),
                resource_version: SmolStr::default(),
            });
        }
    }
    for r in cw.status.active.clone() {
        let found = children.iter().find(|c| c.uid == r.uid);
        if found.is_some_and(|c| !c.phase.fulfilled()) {
            continue;
        }
        updated = true;
        cw.status.active.retain(|a| a.uid != r.uid);
        if let Some(c) = found {
            match c.phase {
                WorkflowPhase::Succeeded => cw.status.succeeded += 1,
                _ => cw.status.failed += 1,
            }
            if stop_condition(cw, now).map_err(|e| {
                format!("failed to check CronWorkflow '{}' stopping condition: {e}", cw.metadata.name)
            })? {
                set_as_completed(cw);
            }
        }
    }
    Ok(updated)
}
