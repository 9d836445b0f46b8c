//! Why a tick was not started on time: the notes gathered while it waits,
//! and the Kubernetes CronJob controller's reasons in plain words (the
//! Crossplane ones are in [`super::crossplane`]).

use super::ON_TIME;
use super::types::TickOutcome;
use crate::model::Time;
use crate::schedule::{Zone, format_rfc3339};

/// Why a pending tick may end up not started; gathered while it waits.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Notes {
    /// The controller (kube-controller-manager, or the Crossplane pod) was
    /// down at the tick.
    pub down_at_tick: bool,
    /// Suspended (CronJob) or paused by annotation (CronOperation).
    pub suspended: bool,
    pub forbid: bool,
    pub estimate: bool,
    pub collision: bool,
    pub deadline: bool,
    pub invalid: bool,
    /// Crossplane: the pause annotation was removed, but no reconcile has
    /// noticed yet (bug B3).
    pub unpause_unnoticed: bool,
    /// Crossplane: stalled on an owed slot past its deadline (bug B1).
    pub stalled: bool,
    /// Crossplane: CREATE keeps failing with AlreadyExists (crossplane#7524).
    pub already_exists: bool,
    /// Crossplane: the same slot's AlreadyExists is counted as done every
    /// reconcile (PR #7834 without a slot cursor): a silent stall.
    pub tolerated: bool,
    /// Crossplane: a slot of an edited schedule that lay between the last
    /// run and the edit, owed from the moment of the edit.
    pub owed_by_edit: bool,
}

/// A tick drawn from the schedule and not yet accounted.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub tick: Time,
    pub fold_repeat: bool,
    pub notes: Notes,
}

/// Why a CronJob tick started late.
pub(super) fn late_reason(n: &Notes) -> String {
    if n.down_at_tick {
        "the controller was down at the tick; it started the run when it came back".into()
    } else if n.suspended {
        "the CronJob was suspended at the tick; resuming started the most recent missed tick".into()
    } else if n.forbid {
        "Forbid: the previous Job was still active; the run started when it finished".into()
    } else {
        "the controller synced late".into()
    }
}

/// Why a CronJob tick was passed over for a newer one.
pub(super) fn superseded_reason(n: &Notes, newer: Time, zone: Zone) -> String {
    let newer = format_rfc3339(newer.unix(), zone);
    if n.invalid {
        "the controller could not evaluate the schedule (see the events)".into()
    } else if n.deadline {
        "outside the startingDeadlineSeconds window when the controller looked".into()
    } else if n.suspended {
        format!("suspended; on resume only the most recent missed tick ({newer}) was started")
    } else if n.down_at_tick {
        format!("the controller was down; on restart only the most recent missed tick ({newer}) was started")
    } else if n.forbid {
        format!("Forbid: the previous Job was still active, and a newer tick ({newer}) superseded this one")
    } else if n.estimate {
        format!(
            "the controller's missed-count estimate (from the first two ticks) skipped it; {newer} was started"
        )
    } else {
        format!("superseded by a newer tick ({newer}); only the most recent due tick is ever started")
    }
}

/// What an unresolved CronJob tick counts as at the horizon end, and why.
pub(super) fn unresolved_at_end(p: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
    let n = &p.notes;
    let (outcome, why) = if n.invalid {
        (TickOutcome::NotStarted, "the controller could not evaluate the schedule (see the events)")
    } else if n.suspended {
        (TickOutcome::NotStarted, "suspended until the horizon end")
    } else if n.deadline {
        (TickOutcome::NotStarted, "outside the startingDeadlineSeconds window when the controller looked")
    } else if n.estimate {
        (
            TickOutcome::NotStarted,
            "the controller's missed-count estimate (from the first two ticks) found nothing due: a silent \
             miss (reference Q1)",
        )
    } else if n.forbid {
        (TickOutcome::NotStarted, "Forbid: the previous Job was still active at the horizon end")
    } else if down || n.down_at_tick {
        (TickOutcome::NotStarted, "the controller was down until the horizon end")
    } else if n.collision {
        (
            TickOutcome::NotStarted,
            "same-minute name collision: the Job with this minute's name was already active",
        )
    } else if end.since(p.tick) <= ON_TIME {
        (TickOutcome::Pending, "due at the horizon end; the controller had not synced yet")
    } else {
        (TickOutcome::NotStarted, "never started (no sync decided it)")
    };
    (outcome, why.into())
}
