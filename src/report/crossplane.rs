//! CronOperations in the report: Crossplane's reconcile decisions and its
//! Operation records mapped onto the same tick account as CronJobs
//! (docs/fidelity/crossplane.md#xp-17).
//!
//! Crossplane differs from the CronJob controller in which slot it runs:
//! its cursor is the newest Operation's `creationTimestamp`, and it creates
//! `Next(cursor)`, the EARLIEST owed slot. Creating it moves the cursor to
//! now, so every later owed slot is dropped without an event. A tick is
//! therefore resolved when its Operation is created (on time or late,
//! counted from that slot), and the ticks between that slot and the
//! creation are dropped.

use super::ON_TIME;
use super::account::Account;
use super::accountant::Accounts;
use super::reasons::{Notes, Pending};
use super::types::TickOutcome;
use crate::model::{Millis, Time};
use crate::policy::crossplane::CronDecision;
use crate::schedule::{ScheduleKind, Zone, format_rfc3339};
use crate::sim::edit::SpecEdit;
use crate::sim::log::{DeletedBy, Entry};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// Bug B1, for the owed slot and every tick after it while stalled.
const STALLED: &str = "owed slot past startingDeadlineSeconds; Crossplane never advances its cursor, so this \
                       CronOperation stalls for good (bug B1)";
/// Bug B2: the name encodes the slot, the cursor is the creation time.
const ALREADY_EXISTS: &str = "AlreadyExists loop (crossplane#7524): the last Operation's creationTimestamp is \
                              before the slot its name encodes, so Crossplane keeps re-creating that slot with \
                              backoff and never reaches this one";
/// PR #7834 alone: AlreadyExists counted as success, the cursor unmoved.
const TOLERATED: &str = "silent stall (PR #7834 alone): every reconcile finds the same earlier slot, whose \
                         Operation already exists, and counts that as done; the cursor (the last Operation's \
                         creationTimestamp) never reaches this slot";
/// Bug B3: an annotation-only change does not pass the predicate.
const UNPAUSE_UNNOTICED: &str =
    "unpaused, but the controller did not notice (GenerationChangedPredicate, bug B3)";

/// What the log has shown of one CronOperation's controller state.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct XpState {
    stalled: bool,
    already_exists: bool,
    tolerated: bool,
    unpause_unnoticed: bool,
    /// The last schedule edit.
    edited_at: Option<Time>,
}

impl XpState {
    /// The notes `tick`, drawn now, starts with.
    pub(super) fn carried_notes(&self, tick: Time) -> Notes {
        Notes {
            stalled: self.stalled,
            already_exists: self.already_exists,
            tolerated: self.tolerated,
            unpause_unnoticed: self.unpause_unnoticed,
            // Drawn after the edit, yet not after it: the new schedule's
            // slot since the cursor, which Crossplane owes at once.
            owed_by_edit: self.edited_at.is_some_and(|e| tick <= e),
            ..Notes::default()
        }
    }
}

/// A CronOperation edit at `at`: setting or removing `crossplane.io/paused`
/// (the scenario's pause and unpause) is handled here; a schedule edit is
/// remembered, then left (like any other edit, false) to the account.
pub(super) fn spec_change(acc: &mut Account, change: &SpecEdit, at: Time) -> bool {
    match change {
        SpecEdit::Schedule(_) => {
            acc.xp.edited_at = Some(at);
            return false;
        }
        SpecEdit::Paused(true) => {
            acc.suspended = true;
            acc.note_all(|n| n.suspended = true);
        }
        SpecEdit::Paused(false) => {
            acc.suspended = false;
            // Only a reconcile shows the controller noticed; until then the
            // owed slots wait on bug B3.
            acc.xp.unpause_unnoticed = true;
            acc.note_all(|n| n.unpause_unnoticed = true);
        }
        _ => return false,
    }
    true
}

/// One `CronOperationSync` (crossplane `Reconciler.Reconcile`,
/// docs/fidelity/crossplane.md#xp-3) at `t`, after the ticks up to `t` were drawn.
pub(super) fn on_sync(acc: &mut Account, t: Time, decision: &CronDecision) {
    if acc.xp.unpause_unnoticed && !matches!(decision, CronDecision::Paused | CronDecision::Deleting) {
        acc.xp.unpause_unnoticed = false;
        acc.note_all(|n| n.unpause_unnoticed = false);
    }
    match decision {
        CronDecision::Paused => acc.note_all(|n| n.suspended = true),
        CronDecision::InvalidSchedule { .. } | CronDecision::SchedulePanicked { .. } => {
            acc.note_all(|n| n.invalid = true)
        }
        CronDecision::NotDue { .. } => clear_loops(acc),
        CronDecision::MissedDeadline { slot, .. } => {
            acc.xp.stalled = true;
            acc.note_all(|n| n.stalled = true);
            // The owed slot stays pending: a deadline edit could still run
            // it late. Later ticks can never run (a resumed catch-up would
            // run this slot and drop them), so they are resolved now.
            give_up_after(acc, *slot, t, STALLED);
        }
        CronDecision::ForbidRunning { .. } => acc.note_at_or_before(t, |n| n.forbid = true),
        CronDecision::CreateFailed { slot, already_exists: true, operation, .. } => {
            acc.xp.already_exists = true;
            acc.note_all(|n| n.already_exists = true);
            acc.resolve(*slot, TickOutcome::NotStarted, Some(operation), None, |_| ALREADY_EXISTS.into());
            give_up_after(acc, *slot, t, ALREADY_EXISTS);
        }
        CronDecision::AlreadyExistsTolerated { slot, operation } => {
            acc.xp.tolerated = true;
            acc.note_all(|n| n.tolerated = true);
            acc.resolve(*slot, TickOutcome::NotStarted, Some(operation), None, |_| {
                "an Operation with this slot's name already existed; PR #7834 counts that as done, so none \
                 was created"
                    .into()
            });
            give_up_after(acc, *slot, t, TOLERATED);
        }
        _ => {}
    }
}

fn clear_loops(acc: &mut Account) {
    acc.xp.stalled = false;
    acc.xp.already_exists = false;
    acc.xp.tolerated = false;
}

/// Every pending tick in `(slot, t]` is not started, for `why`.
fn give_up_after(acc: &mut Account, slot: Time, t: Time, why: &str) {
    let (gone, stay): (Vec<Pending>, Vec<Pending>) =
        acc.pending.drain(..).partition(|p| p.tick > slot && p.tick <= t);
    acc.pending.extend(stay);
    for p in gone {
        acc.push(p, TickOutcome::NotStarted, None, None, |_| why.into());
    }
}

/// The Operation for `slot` was created at `at`: the slot started, and the
/// cursor jumped to the creation time, dropping the owed slots after it.
fn started(acc: &mut Account, slot: Time, at: Time, operation: &str) {
    if acc.meta.name_cursor {
        acc.note_all(|n| n.every_owed = true);
    }
    acc.started(slot, at, operation);
    // robfig's `@every` counts from the cursor, which is now the creation
    // (second precision): a late run shifts every later slot.
    if acc.schedule.is_some_and(|s| matches!(s.kind(), ScheduleKind::Every(_))) {
        acc.cursor = acc.cursor.max(at.unix());
    }
    // With the name-encoded cursor (PR #7535) the cursor is the slot
    // itself, and the owed slots after it come in turn.
    if acc.meta.name_cursor {
        clear_loops(acc);
        return;
    }
    let zone = acc.zone;
    let (gone, stay): (Vec<Pending>, Vec<Pending>) =
        acc.pending.drain(..).partition(|p| p.tick > slot && p.tick <= at);
    acc.pending.extend(stay);
    for p in gone {
        acc.push(p, TickOutcome::NotStarted, None, None, |n| dropped_reason(n, slot, zone));
    }
    clear_loops(acc);
}

/// The cause behind an owed slot, as a clause; empty when nothing held it.
fn cause(n: &Notes) -> &'static str {
    if n.stalled {
        "stalled past startingDeadlineSeconds (bug B1)"
    } else if n.already_exists {
        "in the AlreadyExists loop (crossplane#7524)"
    } else if n.tolerated {
        "stalled on a tolerated AlreadyExists (PR #7834 alone)"
    } else if n.down_at_tick {
        "the Crossplane pod was down"
    } else if n.unpause_unnoticed {
        "unpaused, but the controller did not notice at first (bug B3)"
    } else if n.suspended {
        "paused by annotation"
    } else if n.forbid {
        "Forbid: an Operation was still running"
    } else if n.owed_by_edit {
        "owed at once by the schedule edit"
    } else {
        ""
    }
}

fn dropped_reason(n: &Notes, slot: Time, zone: Zone) -> String {
    let slot = format_rfc3339(slot.unix(), zone);
    let tail = format!(
        "the catch-up ran the earliest owed slot ({slot}) and silently dropped this one: Crossplane's cursor \
         jumped to the new Operation's creation time"
    );
    match cause(n) {
        "" => tail,
        c => format!("{c}; {tail}"),
    }
}

/// Why a CronOperation slot ran late (counted from the slot itself).
pub(super) fn late_reason(n: &Notes) -> String {
    if n.down_at_tick && n.every_owed {
        "the Crossplane pod was down at the slot; when it came back it ran every owed slot in turn (the \
         name-encoded cursor of PR #7535)"
            .into()
    } else if n.down_at_tick {
        "the Crossplane pod was down at the slot; it ran this owed slot (the earliest) when it came back"
            .into()
    } else if n.unpause_unnoticed || n.suspended {
        "paused by annotation at the slot; the owed slot ran once a reconcile saw the CronOperation unpaused"
            .into()
    } else if n.forbid {
        "Forbid: an Operation was still running; Crossplane ran this owed slot when it finished".into()
    } else if n.stalled {
        "stalled past startingDeadlineSeconds (bug B1) until the cursor moved; then this owed slot ran".into()
    } else if n.owed_by_edit {
        "a slot of the edited schedule between the last run and the edit: Crossplane recomputes Next from the \
         last Operation's creation and ran it at once"
            .into()
    } else if n.throttled.0 > 0 {
        let (waited, queued) = n.throttled;
        format!(
            "the Crossplane pod was saturated: the CronOperation controller's reconcile waited {} for a free \
             worker (--max-concurrent-reconciles) and, on Crossplane 2.0, the global reconcile limiter \
             (--max-reconcile-rate), with {queued} more reconciles held back behind it",
            crate::model::format_duration(waited)
        )
    } else {
        "the controller reconciled late".into()
    }
}

/// Why a CronOperation slot before the one that ran was passed over: the
/// cursor was already past it (a schedule edit, or an Operation created
/// by hand).
pub(super) fn superseded_reason(n: &Notes, newer: Time, zone: Zone) -> String {
    if n.invalid {
        return "the schedule was invalid (ScheduleInvalid): Crossplane does not requeue".into();
    }
    let newer = format_rfc3339(newer.unix(), zone);
    format!("Crossplane's cursor (the newest Operation's creation time) was already past it; {newer} ran")
}

/// What an unresolved CronOperation slot counts as at the horizon end.
pub(super) fn unresolved_at_end(p: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
    let n = &p.notes;
    let why = if n.invalid {
        "the schedule is invalid (ScheduleInvalid): Crossplane stops and does not requeue"
    } else if n.stalled {
        STALLED
    } else if n.already_exists {
        ALREADY_EXISTS
    } else if n.tolerated {
        TOLERATED
    } else if n.unpause_unnoticed {
        UNPAUSE_UNNOTICED
    } else if n.suspended {
        "paused by annotation until the horizon end"
    } else if n.forbid {
        "Forbid: an Operation was still running at the horizon end; the slot stays owed"
    } else if down || n.down_at_tick {
        "the Crossplane pod was down until the horizon end"
    } else if end.since(p.tick) <= ON_TIME {
        return (TickOutcome::Pending, "due at the horizon end; Crossplane had not reconciled yet".into());
    } else {
        "never started (no reconcile created it)"
    };
    (TickOutcome::NotStarted, why.into())
}

/// The note for a slot whose Operation history GC deleted and the
/// controller then created again (docs/fidelity/crossplane.md#xp-b7).
fn ran_again(operation: &str, slot: Time, gc_at: Time, at: Time, zone: Zone) -> String {
    format!(
        "slot {} ran again at {}: history GC deleted its Operation {operation} at {} while keeping \
         older slots' (GC keeps the newest by creationTimestamp, which has whole seconds, and Operations \
         created in the same second tie in the informer cache's random order), so the name-encoded cursor \
         (PR #7535) moved back to the newest slot left and this one came due again",
        format_rfc3339(slot.unix(), zone),
        format_rfc3339(at.unix(), zone),
        format_rfc3339(gc_at.unix(), zone),
    )
}

/// One Operation as the accountant follows it.
#[derive(Debug, Default)]
struct OpState {
    cronoperation: SmolStr,
    /// When `Succeeded` turned True/False, as `Succeeded`/`Failed`.
    finished: Option<(Time, SmolStr)>,
    /// Counts toward overlap.
    running: bool,
    attempts: u32,
    /// An attempt started and has not ended.
    in_flight: bool,
    replaced: bool,
    /// A retry loop the simulator fast-forwards: its first attempt's start
    /// and the period.
    looping: Option<(Time, Millis)>,
}

/// The Operations of every CronOperation, by name.
#[derive(Debug, Default)]
pub(super) struct Operations {
    ops: BTreeMap<SmolStr, OpState>,
    /// Operations history GC deleted, by name, with the time: a slot whose
    /// Operation is created again ran twice.
    collected: BTreeMap<SmolStr, Time>,
}

impl Operations {
    /// Accounts one Operation record (`OperationCreated` …
    /// `OperationSync`); ticks of its CronOperation must be drawn up to `t`.
    pub(super) fn record(&mut self, accounts: &mut Accounts, t: Time, entry: &Entry) {
        match entry {
            Entry::OperationCreated { operation, cronoperation, scheduled_time, seeded, .. } => {
                let st =
                    OpState { cronoperation: cronoperation.clone(), running: true, ..OpState::default() };
                self.ops.insert(operation.clone(), st);
                let Some(acc) = accounts.get_mut(cronoperation.as_str()) else { return };
                acc.report.outcomes.created += 1;
                acc.overlap.start(t, &mut acc.report.overlaps);
                if let (Some(slot), false) = (scheduled_time, seeded) {
                    if let Some(gc_at) = self.collected.remove(operation.as_str()) {
                        acc.report.notes.push(ran_again(operation, *slot, gc_at, t, acc.zone));
                    }
                    started(acc, *slot, t, operation);
                }
            }
            Entry::OperationAttemptStarted { operation, .. } => {
                let Some((st, acc)) = self.find(accounts, operation) else { return };
                st.attempts += 1;
                st.in_flight = true;
                if st.attempts > 1 {
                    acc.report.outcomes.retries += 1;
                }
            }
            Entry::OperationRetryLoop { operation, first, period } => {
                if let Some(st) = self.ops.get_mut(operation) {
                    st.looping = Some((*first, *period));
                }
            }
            Entry::OperationRetryLoopEnd { operation, attempts, in_flight } => {
                let Some((st, acc)) = self.find(accounts, operation) else { return };
                st.looping = None;
                loop_attempts(st, acc, *attempts);
                st.in_flight = *in_flight;
            }
            Entry::OperationAttemptLost { operation } => {
                if let Some((_, acc)) = self.find(accounts, operation) {
                    acc.report.outcomes.lost_attempts += 1;
                }
                self.attempt_over(accounts, t, operation);
            }
            Entry::OperationAttemptFailed { operation, .. }
            | Entry::OperationSync { object: operation, .. } => self.attempt_over(accounts, t, operation),
            Entry::OperationFinished { operation, succeeded, message, .. } => {
                let Some((st, acc)) = self.find(accounts, operation) else { return };
                let condition = if *succeeded { "Succeeded" } else { "Failed" };
                st.finished = Some((t, condition.into()));
                let o = &mut acc.report.outcomes;
                match (*succeeded, message.contains("failure limit")) {
                    (true, _) => o.succeeded += 1,
                    (false, true) => o.retry_limit_exhausted += 1,
                    (false, false) => o.failed_other += 1,
                }
                if std::mem::take(&mut st.running) {
                    acc.overlap.stop(t, false, &mut acc.report.overlaps);
                }
            }
            Entry::OperationDeleted { operation, by } => self.deleted(accounts, t, operation, *by),
            _ => {}
        }
    }

    fn find<'a>(
        &'a mut self,
        accounts: &'a mut Accounts,
        operation: &str,
    ) -> Option<(&'a mut OpState, &'a mut Account)> {
        let st = self.ops.get_mut(operation)?;
        let acc = accounts.get_mut(&st.cronoperation)?;
        Some((st, acc))
    }

    /// An attempt ended (failed, succeeded, lost): a replaced Operation
    /// whose function call was still running stops counting now.
    fn attempt_over(&mut self, accounts: &mut Accounts, t: Time, operation: &str) {
        let Some((st, acc)) = self.find(accounts, operation) else { return };
        st.in_flight = false;
        if st.replaced && std::mem::take(&mut st.running) {
            acc.overlap.stop(t, true, &mut acc.report.overlaps);
            self.ops.remove(operation);
        }
    }

    /// An Operation leaves the store at once (no finalizers, no pods).
    fn deleted(&mut self, accounts: &mut Accounts, t: Time, operation: &str, by: DeletedBy) {
        if by == DeletedBy::HistoryGc {
            self.collected.insert(operation.into(), t);
        }
        let Some((st, acc)) = self.find(accounts, operation) else { return };
        if by == DeletedBy::HistoryGc {
            acc.record_deletion(operation, by, t, t, st.finished.as_ref());
        }
        if by == DeletedBy::Replace && st.finished.is_none() {
            st.replaced = true;
            acc.report.outcomes.replaced += 1;
            // Replace does not cancel the function call in flight: the
            // Operation keeps working until the attempt ends.
            if st.in_flight && st.running {
                acc.overlap.replacing();
                return;
            }
        }
        if std::mem::take(&mut st.running) {
            acc.overlap.stop(t, false, &mut acc.report.overlaps);
        }
        // Gone from the store: an unfinished one no longer counts as
        // unfinished at the horizon end (as for a Job).
        self.ops.remove(operation);
    }

    /// Counts the attempts of the retry loops still running at the horizon
    /// end: those that started before it.
    pub(super) fn count_loops(&mut self, accounts: &mut Accounts, end: Time) {
        for st in self.ops.values_mut() {
            let Some((first, period)) = st.looping.take() else { continue };
            let Some(acc) = accounts.get_mut(&st.cronoperation) else { continue };
            let elapsed = end.since(first);
            let started = if elapsed > 0 { (elapsed - 1) / period.max(1) + 1 } else { 0 };
            loop_attempts(st, acc, started.unsigned_abs());
        }
    }

    /// Counts the Operations still unfinished at the horizon end.
    pub(super) fn count_unfinished(&self, accounts: &mut Accounts) {
        for st in self.ops.values().filter(|s| s.finished.is_none() && !s.replaced) {
            if let Some(acc) = accounts.get_mut(&st.cronoperation) {
                acc.report.outcomes.unfinished += 1;
            }
        }
    }
}

/// `attempts` more attempts of a retry loop, each counted as
/// `OperationAttemptStarted` counts one.
fn loop_attempts(st: &mut OpState, acc: &mut Account, attempts: u64) {
    let before = u64::from(st.attempts);
    st.attempts = st.attempts.saturating_add(u32::try_from(attempts).unwrap_or(u32::MAX));
    // Every attempt after the Operation's first is a retry.
    let first_is_here = u64::from(before == 0 && attempts > 0);
    acc.report.outcomes.retries += attempts - first_is_here;
}
