//! One CronOperation reconcile: crossplane
//! `internal/controller/ops/cronoperation/reconciler.go` `Reconcile`
//! (docs/fidelity/crossplane.md#xp-3).

use super::history::{
    GO_ZERO, latest_schedule_time, latest_success_time, mark_garbage, new_operation, running_refs,
    sort_newest_first,
};
use super::{
    CRONOPERATIONS, CrossplaneApi, CrossplaneSettings, OPERATIONS, Requeue, api_error_text, go_quote,
};
use crate::model::crossplane::{CronOperation, Operation, XpCondition, set_conditions};
use crate::model::{ConcurrencyPolicy, Time};
use crate::policy::api::{ApiError, Event};
use crate::schedule::{ParseError, Schedule, Zone};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::sync::Arc;

/// What a reconcile runs with besides the object.
#[derive(Debug, Clone, Copy)]
pub struct CronContext<'a> {
    /// The controller's clock (`time.Now()`), which may differ from the API
    /// server's that stamps creation timestamps.
    pub now: Time,
    /// The Crossplane pod's local zone (`time.Local`, normally UTC): the
    /// zone of schedules without a `CRON_TZ=` prefix.
    pub local: Zone,
    /// The Crossplane controller's settings.
    pub settings: &'a CrossplaneSettings,
    /// The order the informer cache lists this reconcile's Operations in
    /// (a Go map's, random upstream), as a seed: it decides ties of
    /// history GC (see [`sort_newest_first`]). `None`: the order listed.
    pub list_order: Option<u64>,
}

pub use crate::policy::api::DeleteCause;

/// One DELETE the reconcile issued; `ok` is false when it failed (NotFound
/// counts as success, as upstream ignores it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Deletion {
    /// The Operation's name.
    pub operation: SmolStr,
    /// Why it was deleted.
    pub cause: DeleteCause,
    /// Whether the DELETE succeeded (NotFound counts as success).
    pub ok: bool,
}

/// The branch of `Reconcile` that returned; exactly one per reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum CronDecision {
    /// deletionTimestamp set: nothing, no status write.
    Deleting,
    /// `crossplane.io/paused: "true"`: SchedulePaused/ReconcilePaused and no
    /// requeue; unpausing may go unnoticed (bug B3).
    Paused,
    /// LIST failed (Warning ListOperations).
    ListFailed {
        /// The LIST error text.
        error: String,
    },
    /// A history-GC DELETE failed (Warning GarbageCollectOperations).
    GcFailed {
        /// The Operation whose DELETE failed.
        operation: SmolStr,
        /// The DELETE error text.
        error: String,
    },
    /// The schedule does not parse (Warning InvalidSchedule,
    /// Scheduling=False/ScheduleInvalid); terminal, no requeue.
    InvalidSchedule {
        /// The parse error text.
        error: String,
    },
    /// robfig panics on the schedule (a `TZ=` prefix without a space);
    /// controller-runtime recovers the panic and retries with backoff
    /// [inferred: `RecoverPanic` on].
    SchedulePanicked {
        /// The panic's message.
        error: String,
    },
    /// `Next(cursor)` is in the future: requeue for it.
    NotDue {
        /// The next slot.
        next: Time,
    },
    /// The owed slot is past `startingDeadlineSeconds`: requeue for the next
    /// future slot, but the cursor does not move, so the same slot is
    /// found again at every later reconcile (bug B1: stalls for good).
    MissedDeadline {
        /// The owed slot.
        slot: Time,
        /// The slot plus `startingDeadlineSeconds`, already past.
        deadline: Time,
    },
    /// Forbid with running Operations: the slot stays owed; the running
    /// one's completion (a child event) brings it back.
    ForbidRunning {
        /// The owed slot.
        slot: Time,
        /// The running Operations' names.
        running: Vec<SmolStr>,
    },
    /// Replace: deleting a running Operation failed (Warning
    /// ReplaceRunningOperation).
    ReplaceFailed {
        /// The owed slot.
        slot: Time,
        /// The running Operation that could not be deleted.
        operation: SmolStr,
        /// The DELETE error text.
        error: String,
    },
    /// An Operation was created for `slot` (the earliest owed one; slots
    /// between it and now are dropped silently).
    Created {
        /// The slot the Operation is for.
        slot: Time,
        /// The Operation's name.
        operation: SmolStr,
        /// The running Operations deleted to make way for it (Replace).
        replaced: Vec<SmolStr>,
    },
    /// CREATE gave AlreadyExists and the setting of PR #7834 counted it as
    /// success.
    AlreadyExistsTolerated {
        /// The slot.
        slot: Time,
        /// The Operation's name.
        operation: SmolStr,
    },
    /// CREATE failed (Warning CreateOperation); with AlreadyExists this is
    /// the #7524 loop (bug B2).
    CreateFailed {
        /// The slot.
        slot: Time,
        /// The Operation's name.
        operation: SmolStr,
        /// The CREATE error text.
        error: String,
        /// Whether the error was AlreadyExists.
        already_exists: bool,
    },
}

/// Everything one reconcile produced.
#[derive(Debug, Clone, PartialEq)]
pub struct CronOperationOutcome {
    /// The CronOperation with the status the reconcile computed (what it
    /// wrote, if it wrote).
    pub cronoperation: CronOperation,
    /// Whether `Status().Update` was called.
    pub status_written: bool,
    /// What controller-runtime does next.
    pub requeue: Requeue,
    /// Events in emission order (all Warning; success emits none).
    pub events: Vec<Event>,
    /// The branch of `Reconcile` that returned.
    pub decision: CronDecision,
    /// GC and Replace deletions, in order.
    pub deletions: Vec<Deletion>,
    /// The Operation as stored, when one was created.
    pub created: Option<Operation>,
    /// The cursor `Next` started from (`lastScheduleTime`, else the
    /// CronOperation's creation); `None` before the listing.
    pub cursor: Option<Time>,
}

/// Mirrors `Reconciler.Reconcile` for a CronOperation (docs/fidelity/crossplane.md#xp-3).
pub fn reconcile_cronoperation(
    api: &mut dyn CrossplaneApi,
    co: &CronOperation,
    ctx: CronContext<'_>,
) -> CronOperationOutcome {
    let mut run = Run {
        co: co.clone(),
        events: Vec::new(),
        deletions: Vec::new(),
        created: None,
        cursor: None,
        status_written: false,
        now: ctx.now,
    };
    let (decision, requeue) = reconcile(api, &mut run, ctx);
    CronOperationOutcome {
        cronoperation: run.co,
        status_written: run.status_written,
        requeue,
        events: run.events,
        decision,
        deletions: run.deletions,
        created: run.created,
        cursor: run.cursor,
    }
}

struct Run {
    co: CronOperation,
    events: Vec<Event>,
    deletions: Vec<Deletion>,
    created: Option<Operation>,
    cursor: Option<Time>,
    status_written: bool,
    now: Time,
}

impl Run {
    fn mark(&mut self, conditions: impl IntoIterator<Item = XpCondition>) {
        set_conditions(&mut self.co.status.conditions, conditions);
    }

    fn warn(&mut self, reason: &str, message: &str) {
        self.events.push(Event::warning(format!("CronOperation/{}", self.co.metadata.name), reason, message));
    }

    /// `Status().Update`, its error wrapped as upstream returns it.
    fn write(&mut self, api: &mut dyn CrossplaneApi) -> Result<(), String> {
        self.status_written = true;
        api.update_cronoperation_status(&self.co).map_err(|e| {
            format!(
                "cannot update CronOperation status: {}",
                api_error_text(CRONOPERATIONS, &self.co.metadata.name, &e)
            )
        })
    }

    /// The common ending `return Result{…}, errors.Wrap(Status().Update(…))`.
    fn write_then(&mut self, api: &mut dyn CrossplaneApi, ok: Requeue) -> Requeue {
        match self.write(api) {
            Ok(()) => ok,
            Err(error) => Requeue::RateLimited { error },
        }
    }

    /// An error path: Warning event, Synced=False, best-effort status
    /// write (its error ignored), rate-limited retry.
    fn fail(&mut self, api: &mut dyn CrossplaneApi, reason: &str, error: String) -> Requeue {
        self.warn(reason, &error);
        let now = self.now;
        self.mark([XpCondition::reconcile_error(error.clone(), now)]);
        let _ = self.write(api);
        Requeue::RateLimited { error }
    }
}

fn reconcile(api: &mut dyn CrossplaneApi, run: &mut Run, ctx: CronContext<'_>) -> (CronDecision, Requeue) {
    let now = ctx.now;
    if run.co.metadata.deletion_timestamp.is_some() {
        return (CronDecision::Deleting, Requeue::Done);
    }
    if run.co.is_paused() {
        run.mark([XpCondition::schedule_paused(now), XpCondition::reconcile_paused(now)]);
        return (CronDecision::Paused, run.write_then(api, Requeue::Done));
    }
    let mut ops = match api.list_operations(&run.co.metadata.name) {
        Ok(ops) => ops,
        Err(e) => {
            let error = format!("cannot list Operations: {e}");
            let requeue = run.fail(api, "ListOperations", error.clone());
            return (CronDecision::ListFailed { error }, requeue);
        }
    };
    observe_children(run, &ops, ctx.settings);
    let last = run.co.status.last_schedule_time.or(run.co.metadata.creation_timestamp).unwrap_or(GO_ZERO);
    run.cursor = Some(last);
    if let Some(exit) = collect_garbage(api, run, &mut ops, ctx.list_order) {
        return exit;
    }
    let schedule = match parse(&run.co.spec.schedule) {
        Ok(s) => s,
        Err(ScheduleError::Panicked(error)) => {
            return (CronDecision::SchedulePanicked { error: error.clone() }, Requeue::RateLimited { error });
        }
        Err(ScheduleError::Invalid(error)) => {
            run.warn("InvalidSchedule", &error);
            run.mark([
                XpCondition::schedule_invalid(error.clone(), now),
                XpCondition::reconcile_error(error.clone(), now),
            ]);
            return (CronDecision::InvalidSchedule { error }, run.write_then(api, Requeue::Done));
        }
    };
    run.mark([XpCondition::schedule_active(now)]);
    let next = next_after(&schedule, last, ctx.local);
    if next > now {
        return (CronDecision::NotDue { next }, run.write_then(api, Requeue::after(next.since(now))));
    }
    let future = next_after(&schedule, now, ctx.local);
    let until_future = Requeue::after(future.since(now));
    if let Some(sds) = run.co.spec.starting_deadline_seconds {
        // time.Duration(sds) * time.Second wraps in int64 nanoseconds: a
        // deadline above ~292 years turns negative and always misses.
        let grace = sds.wrapping_mul(1_000_000_000) / 1_000_000;
        let deadline = next.add(grace);
        if deadline < now {
            return (
                CronDecision::MissedDeadline { slot: next, deadline },
                run.write_then(api, until_future),
            );
        }
    }
    let running: Vec<SmolStr> = run.co.status.running_operation_refs.iter().map(|r| r.name.clone()).collect();
    let mut replaced = Vec::new();
    if !running.is_empty() {
        match run.co.spec.policy() {
            ConcurrencyPolicy::Allow => {}
            ConcurrencyPolicy::Forbid => {
                return (
                    CronDecision::ForbidRunning { slot: next, running },
                    run.write_then(api, until_future),
                );
            }
            ConcurrencyPolicy::Replace => match replace_running(api, run, &ops, next) {
                Ok(names) => replaced = names,
                Err(exit) => return exit,
            },
        }
    }
    create(api, run, ctx, next, replaced, until_future)
}

/// The bookkeeping before GC: `lastScheduleTime` from the children (kept
/// from before when there are none), `lastSuccessfulTime`, and the sorted
/// running refs.
fn observe_children(run: &mut Run, ops: &[Arc<Operation>], settings: &CrossplaneSettings) {
    if let Some(t) = latest_schedule_time(&run.co.metadata.name, ops, settings.cursor) {
        run.co.status.last_schedule_time = Some(t);
    }
    if let Some(t) = latest_success_time(ops) {
        run.co.status.last_successful_time = Some(t);
    }
    run.co.status.running_operation_refs = running_refs(ops);
}

/// `MarkGarbage` and its DELETEs; `Some` when one failed.
fn collect_garbage(
    api: &mut dyn CrossplaneApi,
    run: &mut Run,
    ops: &mut [Arc<Operation>],
    list_order: Option<u64>,
) -> Option<(CronDecision, Requeue)> {
    sort_newest_first(ops, list_order);
    let spec = &run.co.spec;
    for name in mark_garbage(spec.successful_limit(), spec.failed_limit(), ops) {
        let res = api.delete_operation(&name);
        let ok = matches!(res, Ok(()) | Err(ApiError::NotFound));
        run.deletions.push(Deletion { operation: name.clone(), cause: DeleteCause::HistoryGc, ok });
        if let Err(e) = res
            && !ok
        {
            let error = format!(
                "cannot garbage collect Operation \"{name}\": {}",
                api_error_text(OPERATIONS, &name, &e)
            );
            let requeue = run.fail(api, "GarbageCollectOperations", error.clone());
            return Some((CronDecision::GcFailed { operation: name, error }, requeue));
        }
    }
    None
}

/// Replace: DELETE every running Operation, in the (newest-first) order
/// GC left the list in.
fn replace_running(
    api: &mut dyn CrossplaneApi,
    run: &mut Run,
    ops: &[Arc<Operation>],
    slot: Time,
) -> Result<Vec<SmolStr>, (CronDecision, Requeue)> {
    let mut replaced = Vec::new();
    for op in ops.iter().filter(|o| o.is_running()) {
        let name = op.metadata.name.clone();
        let res = api.delete_operation(&name);
        let ok = matches!(res, Ok(()) | Err(ApiError::NotFound));
        run.deletions.push(Deletion { operation: name.clone(), cause: DeleteCause::Replace, ok });
        if let Err(e) = res
            && !ok
        {
            let error = format!(
                "cannot delete running Operation \"{name}\": {}",
                api_error_text(OPERATIONS, &name, &e)
            );
            let requeue = run.fail(api, "ReplaceRunningOperation", error.clone());
            return Err((CronDecision::ReplaceFailed { slot, operation: name, error }, requeue));
        }
        replaced.push(name);
    }
    Ok(replaced)
}

/// `NewOperation` + CREATE, then Synced=True and a timer for the next slot.
fn create(
    api: &mut dyn CrossplaneApi,
    run: &mut Run,
    ctx: CronContext<'_>,
    slot: Time,
    replaced: Vec<SmolStr>,
    until_future: Requeue,
) -> (CronDecision, Requeue) {
    let op = new_operation(&run.co, slot);
    let operation = op.metadata.name.clone();
    let decision = match api.create_operation(op) {
        Ok(stored) => {
            run.created = Some(stored);
            CronDecision::Created { slot, operation, replaced }
        }
        Err(ApiError::AlreadyExists) if ctx.settings.tolerate_already_exists => {
            CronDecision::AlreadyExistsTolerated { slot, operation }
        }
        Err(e) => {
            let error = format!(
                "cannot create scheduled Operation \"{operation}\": {}",
                api_error_text(OPERATIONS, &operation, &e)
            );
            let requeue = run.fail(api, "CreateOperation", error.clone());
            let already_exists = e == ApiError::AlreadyExists;
            return (CronDecision::CreateFailed { slot, operation, error, already_exists }, requeue);
        }
    };
    run.mark([XpCondition::reconcile_success(ctx.now)]);
    (decision, run.write_then(api, until_future))
}

enum ScheduleError {
    Invalid(String),
    Panicked(String),
}

/// The default `Scheduler`'s `cron.ParseStandard`, with the reconciler's
/// double wrapping of the error.
fn parse(schedule: &str) -> Result<Schedule, ScheduleError> {
    Schedule::parse_remembered(schedule).map_err(|e| match e {
        ParseError::Panic(p) => ScheduleError::Panicked(format!("panic: {p} [recovered]")),
        ParseError::Robfig(r) => ScheduleError::Invalid(format!(
            "cannot parse cron schedule {}: cannot parse cron schedule: {r}",
            go_quote(schedule)
        )),
    })
}

/// robfig `Next(t)`: sub-second parts dropped, Go's zero time when nothing
/// matches within five years.
fn next_after(schedule: &Schedule, t: Time, local: Zone) -> Time {
    schedule.next(t.unix(), local).map_or(GO_ZERO, Time::from_unix)
}

impl CronDecision {
    /// The slot the decision is about, if any (`NotDue`: the next one).
    pub fn slot(&self) -> Option<Time> {
        match self {
            CronDecision::NotDue { next } => Some(*next),
            CronDecision::MissedDeadline { slot, .. }
            | CronDecision::ForbidRunning { slot, .. }
            | CronDecision::ReplaceFailed { slot, .. }
            | CronDecision::Created { slot, .. }
            | CronDecision::AlreadyExistsTolerated { slot, .. }
            | CronDecision::CreateFailed { slot, .. } => Some(*slot),
            _ => None,
        }
    }

    /// A one-line explanation for reports.
    pub fn explain(&self) -> String {
        match self {
            CronDecision::Deleting => "being deleted: nothing to do".into(),
            CronDecision::Paused => "paused by annotation: no timer; unpausing may go unnoticed (B3)".into(),
            CronDecision::ListFailed { error } => format!("listing Operations failed, retrying: {error}"),
            CronDecision::GcFailed { operation, .. } => format!("history GC of {operation} failed, retrying"),
            CronDecision::InvalidSchedule { error } => format!("schedule invalid, stopped: {error}"),
            CronDecision::SchedulePanicked { error } => {
                format!("schedule parser panicked, retrying: {error}")
            }
            CronDecision::NotDue { next } => format!("next slot {next} not due yet"),
            CronDecision::MissedDeadline { slot, deadline } => {
                format!(
                    "slot {slot} missed its deadline {deadline}; the cursor stays, so it will be found again (B1)"
                )
            }
            CronDecision::ForbidRunning { slot, running } => {
                format!("slot {slot} owed: Forbid while {} run(s)", running.len())
            }
            CronDecision::ReplaceFailed { slot, operation, .. } => {
                format!("slot {slot}: deleting running {operation} for Replace failed, retrying")
            }
            CronDecision::Created { slot, operation, replaced } if replaced.is_empty() => {
                format!("created {operation} for slot {slot}")
            }
            CronDecision::Created { slot, operation, replaced } => {
                format!("created {operation} for slot {slot}, replacing {}", replaced.join(", "))
            }
            CronDecision::AlreadyExistsTolerated { slot, operation } => {
                format!("slot {slot}: {operation} already exists, counted as done (PR #7834)")
            }
            CronDecision::CreateFailed { slot, operation, already_exists: true, .. } => {
                format!("slot {slot}: {operation} already exists, retrying with backoff (#7524)")
            }
            CronDecision::CreateFailed { slot, error, .. } => {
                format!("slot {slot}: create failed, retrying: {error}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_name_their_slot_and_explain_themselves() {
        let slot = Time::from_unix(3600);
        let d = CronDecision::MissedDeadline { slot, deadline: slot.add(600 * crate::model::SECOND) };
        assert_eq!(d.slot(), Some(slot));
        assert!(d.explain().contains("(B1)"));
        assert_eq!(CronDecision::Paused.slot(), None);
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["decision"], "missedDeadline");
        assert_eq!(json["slot"], "1970-01-01T01:00:00Z");
        let c = CronDecision::Created { slot, operation: "co-3600".into(), replaced: vec!["co-0".into()] };
        assert_eq!(c.explain(), "created co-3600 for slot 1970-01-01T01:00:00Z, replacing co-0");
    }
}
