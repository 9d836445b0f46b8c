//! CronWorkflows in the report: Argo's `Run` records and its Workflow
//! records mapped onto the same tick account as CronJobs
//! (docs/fidelity/argo.md#argo-13).
//!
//! Argo differs from the CronJob controller in what it does with a tick
//! that passed: robfig's runner never fires it, and the only way back is
//! the missed-run check at a (re)registration, which runs the latest
//! missed tick once, and only with `startingDeadlineSeconds`. A tick
//! resolves when a Workflow is submitted for it (on time or late); the
//! ones before it that nothing submitted can no longer run, and the words
//! for why come from what the log showed while they waited.

use super::ON_TIME;
use super::account::Account;
use super::accountant::Accounts;
use super::reasons::{Notes, Pending};
use super::types::TickOutcome;
use crate::model::Time;
use crate::policy::argo::RunDecision;
use crate::schedule::{Zone, format_rfc3339};
use crate::sim::actors::cronworkflow::TERMINATED;
use crate::sim::actors::workflow::DEADLINE_EXCEEDED;
use crate::sim::log::{DeletedBy, Entry};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// Argo's reasons a pending tick gathers.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ArgoNotes {
    /// The CronWorkflow had no cron-runner entries (after a restart whose
    /// catch-up was skipped, docs/fidelity/argo.md#argo-5).
    pub no_entries: bool,
    /// `spec.when` came out false.
    pub when_false: bool,
    /// The stop strategy had stopped the CronWorkflow.
    pub stopped: bool,
    /// `spec.when` or the stop expression failed to evaluate.
    pub expression_error: bool,
    /// `startingDeadlineSeconds` was set when the tick was drawn.
    pub deadline_set: bool,
    /// The schedule was edited and no Run has recorded the new one yet:
    /// the missed-run check takes it as just edited and runs nothing.
    pub edit_pending: bool,
    /// The tick fell at the instant the schedules were registered.
    pub at_registration: bool,
}

/// What the log has shown of one CronWorkflow's controller state.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ArgoState {
    /// Registered with the runner (since the last start of the
    /// workflow-controller).
    pub registered: bool,
    /// The stop strategy fired.
    pub stopped: bool,
    /// Ticks two schedules fired together (one Workflow, the second
    /// submission refused AlreadyExists).
    pub duplicates: u64,
    /// A schedule or timezone edit no Run has recorded yet.
    pub edit_pending: bool,
}

impl ArgoState {
    /// The notes a tick drawn now starts with.
    pub(super) fn carried_notes(&self, deadline: Option<i64>) -> ArgoNotes {
        ArgoNotes {
            no_entries: !self.registered,
            stopped: self.stopped,
            deadline_set: deadline.is_some(),
            edit_pending: self.edit_pending,
            ..ArgoNotes::default()
        }
    }
}

/// One `CronWorkflowRun` at `t`, after the ticks up to `t` were drawn.
pub(super) fn on_run(acc: &mut Account, scheduled: Time, duplicate: bool, decision: &RunDecision) {
    let at = scheduled;
    // Every Run writes the last-used-schedule annotation.
    acc.argo.edit_pending = false;
    match decision {
        RunDecision::Submit { .. } if duplicate => {
            acc.argo.duplicates += 1;
            if acc.argo.duplicates == 1 {
                acc.report.notes.push(format!(
                    "two schedules fired together at {}: Argo takes the scheduled time as the latest Prev of the \
                     CronWorkflow's entries, so both runs submit the same Workflow name and the second is refused \
                     AlreadyExists and dropped: one Workflow per instant (docs/fidelity/argo.md#argo-9)",
                    format_rfc3339(scheduled.unix(), acc.zone)
                ));
            }
        }
        RunDecision::Submit { .. } => {}
        RunDecision::Forbidden => acc.note_at_or_before(at, |n| n.forbid = true),
        RunDecision::Suspended => acc.note_at_or_before(at, |n| n.suspended = true),
        RunDecision::Stopped => {
            acc.argo.stopped = true;
            acc.note_at_or_before(at, |n| n.argo.stopped = true);
        }
        RunDecision::WhenFalse => acc.note_at_or_before(at, |n| n.argo.when_false = true),
        RunDecision::PolicyError { .. } | RunDecision::StopError { .. } => {
            acc.note_at_or_before(at, |n| n.argo.expression_error = true)
        }
        RunDecision::Invalid { .. } => acc.note_at_or_before(at, |n| n.invalid = true),
    }
    // Without startingDeadlineSeconds no catch-up can bring a skipped tick
    // back: it is settled now, with the reason it was skipped for.
    if !matches!(decision, RunDecision::Submit { .. }) && acc.meta.starting_deadline_seconds.is_none() {
        acc.resolve(scheduled, TickOutcome::NotStarted, None, None, cause);
    }
}

/// The schedules were registered at `t` (the ticks up to `t` drawn): a
/// tick at that very instant never fires, since the runner's first fire
/// is `Next(t)`.
pub(super) fn on_registered(acc: &mut Account, t: Time) {
    acc.argo.registered = true;
    for p in acc.pending.iter_mut().filter(|p| p.tick == t) {
        p.notes.argo.at_registration = true;
    }
}

/// A schedule or timezone edit: until a Run records the new schedules,
/// the missed-run check takes them as just edited; the rest of the edit
/// is left (false) to the account's common handling.
pub(super) fn spec_change(acc: &mut Account, change: &crate::sim::edit::SpecEdit) -> bool {
    if change.moves_ticks() {
        acc.argo.edit_pending = true;
        // The check reads the new schedules: the old ones' missed ticks too.
        acc.note_all(|n| n.argo.edit_pending = true);
    }
    false
}

/// Why an Argo tick that passed while nothing could fire it was lost.
fn lost(n: &Notes) -> &'static str {
    if n.argo.edit_pending {
        "robfig's runner never fires a tick that passed, and the schedule had been edited since the last run: \
         the last-used-schedule annotation no longer matches, so the missed-run check runs nothing"
    } else if n.argo.deadline_set {
        "robfig's runner never fires a tick that passed, and the missed-run check at the restart runs only the \
         latest missed tick within startingDeadlineSeconds"
    } else {
        "robfig's runner never fires a tick that passed, and without startingDeadlineSeconds the missed-run \
         check runs nothing (argo-workflows#9632, #4210)"
    }
}

/// The cause behind a tick nothing submitted, as a clause.
fn cause(n: &Notes) -> String {
    if n.invalid {
        "the CronWorkflow was invalid (SpecError): Run submits nothing".into()
    } else if n.argo.stopped {
        "the stop strategy had stopped the CronWorkflow (phase Stopped); its entries keep firing and every Run \
         is skipped"
            .into()
    } else if n.down_at_tick {
        format!("the workflow-controller was down at the tick; {}", lost(n))
    } else if n.argo.at_registration {
        format!(
            "the schedules were registered at this very instant (the workflow-controller's start): the runner \
             fires first at the next tick; {}",
            lost(n).trim_start_matches("robfig's runner never fires a tick that passed, and ")
        )
    } else if n.argo.no_entries {
        "the CronWorkflow had no cron-runner entries: after the restart the missed-run check's Run was skipped, \
         so processNextCronItem returned before re-registering the schedules, and no update came to register \
         them (docs/fidelity/argo.md#argo-5)"
            .into()
    } else if n.suspended {
        "suspended (spec.suspend): Run skipped the tick".into()
    } else if n.argo.when_false {
        "spec.when was false".into()
    } else if n.argo.expression_error {
        "the when or stop expression failed to evaluate: a condition on the CronWorkflow, the tick skipped (a \
         when error counts in status.failed, docs/fidelity/argo.md#argo-8)"
            .into()
    } else if n.forbid {
        "Forbid: a Workflow was still in status.active (which syncAll reconciles only every 10 s)".into()
    } else {
        String::new()
    }
}

/// Why a tick that started late was late.
pub(super) fn late_reason(n: &Notes) -> String {
    if n.down_at_tick {
        "the workflow-controller was down at the tick; at its restart the missed-run check \
         (startingDeadlineSeconds) ran this, the latest missed tick, once"
            .into()
    } else if n.argo.no_entries {
        "the CronWorkflow had no cron-runner entries; a later re-registration's missed-run check \
         (startingDeadlineSeconds) ran it"
            .into()
    } else if n.forbid {
        "Forbid skipped it while a Workflow was active; when that one finished, the status patch re-registered \
         the CronWorkflow and the missed-run check (startingDeadlineSeconds) ran it late \
         (docs/fidelity/argo.md#argo-6)"
            .into()
    } else if n.suspended {
        "suspended at the tick; the resume re-registered the CronWorkflow and the missed-run check \
         (startingDeadlineSeconds) ran it"
            .into()
    } else {
        "the controller submitted it late".into()
    }
}

/// Why a tick never started once a newer one (`newer`) did.
pub(super) fn superseded_reason(n: &Notes, newer: Time, zone: Zone) -> String {
    match cause(n) {
        c if c.is_empty() => {
            format!("nothing submitted it; {} ran", format_rfc3339(newer.unix(), zone))
        }
        c => c,
    }
}

/// What a tick still open at the horizon's end is, and why.
pub(super) fn unresolved_at_end(p: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
    let n = &p.notes;
    let c = cause(n);
    if !c.is_empty() {
        return (TickOutcome::NotStarted, c);
    }
    if down {
        return (TickOutcome::NotStarted, "the workflow-controller was down until the horizon end".into());
    }
    if end.since(p.tick) <= ON_TIME {
        return (TickOutcome::Pending, "due at the horizon end; the runner had not fired yet".into());
    }
    (TickOutcome::NotStarted, "never submitted".into())
}

/// One Workflow as the accountant follows it.
#[derive(Debug, Default)]
struct WfState {
    cronworkflow: SmolStr,
    /// When it was fulfilled, and its phase.
    finished: Option<(Time, SmolStr)>,
}

/// The Workflows of every CronWorkflow, by key.
#[derive(Debug, Default)]
pub(super) struct Workflows {
    wfs: BTreeMap<SmolStr, WfState>,
}

impl Workflows {
    /// Accounts one Workflow record; ticks of its CronWorkflow must be
    /// drawn up to `t`.
    pub(super) fn record(&mut self, accounts: &mut Accounts, t: Time, entry: &Entry) {
        match entry {
            Entry::WorkflowCreated { workflow, cronworkflow, scheduled_time, .. } => {
                let st = WfState { cronworkflow: cronworkflow.clone(), finished: None };
                self.wfs.insert(workflow.clone(), st);
                let Some(acc) = accounts.get_mut(cronworkflow.as_str()) else { return };
                acc.report.outcomes.created += 1;
                acc.overlap.start(t, &mut acc.report.overlaps);
                acc.started(*scheduled_time, t, workflow);
            }
            Entry::WorkflowFinished { workflow, phase, message } => {
                let Some(st) = self.wfs.get_mut(workflow) else { return };
                st.finished = Some((t, phase.clone()));
                let Some(acc) = accounts.get_mut(&st.cronworkflow) else { return };
                let o = &mut acc.report.outcomes;
                match (phase.as_str(), message.as_str()) {
                    ("Succeeded", _) => o.succeeded += 1,
                    (_, TERMINATED) => o.replaced += 1,
                    (_, DEADLINE_EXCEEDED) => o.deadline_exceeded += 1,
                    _ => o.failed_other += 1,
                }
                acc.overlap.stop(t, false, &mut acc.report.overlaps);
            }
            Entry::WorkflowDeleted { workflow, by } => {
                let Some(st) = self.wfs.remove(workflow) else { return };
                let Some(acc) = accounts.get_mut(&st.cronworkflow) else { return };
                if *by == DeletedBy::HistoryGc {
                    acc.record_deletion(workflow, *by, t, t, st.finished.as_ref());
                }
                if st.finished.is_none() {
                    acc.overlap.stop(t, false, &mut acc.report.overlaps);
                }
            }
            _ => {}
        }
    }

    /// Counts the Workflows still unfinished at the horizon end.
    pub(super) fn count_unfinished(&self, accounts: &mut Accounts) {
        for st in self.wfs.values().filter(|s| s.finished.is_none()) {
            if let Some(acc) = accounts.get_mut(&st.cronworkflow) {
                acc.report.outcomes.unfinished += 1;
            }
        }
    }
}
