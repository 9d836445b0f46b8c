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
    /// `startingDeadlineSeconds` overflows Go's `time.Duration` and the
    /// wrapped window left this tick out ([`deadline_wrap`]).
    pub deadline_overflow: bool,
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
    /// A tick of an edited schedule (`schedule` or `timeZone`) that lay
    /// between the last run and the edit: due from the moment of the edit
    /// (CronJob: kubernetes#130838, #57853; CronOperation: owed at once).
    pub owed_by_edit: bool,
    /// The controller's capacity (kube-controller-manager's, or the
    /// Crossplane pod's) held the CronJob (CronOperation) controller's sync
    /// back this long (ms), with this many keys queued behind it.
    pub throttled: (crate::model::Millis, u32),
    /// The API server refused the controller's requests for this tick
    /// (the Job's creation, or the CronJob's status update).
    pub api_fault: Option<crate::sim::api_server::FaultError>,
    /// Crossplane with the name-encoded cursor (PR #7535): a catch-up runs
    /// every owed slot in turn, not only the earliest.
    pub every_owed: bool,
    /// Argo's own reasons (CronWorkflows only).
    pub argo: super::argo::ArgoNotes,
}

/// Where a `startingDeadlineSeconds` too large for Go's `time.Duration`
/// puts the start of the controller's search window, in milliseconds from
/// now; `None` when the product does not overflow. Mirrors
/// `mostRecentScheduleTime`'s
/// `now.Add(-time.Duration(*cj.Spec.StartingDeadlineSeconds) * time.Second)`
/// (`pkg/controller/cronjob/utils.go`): the `int64` product of nanoseconds
/// wraps (past 9,223,372,036 s, about 292 years), so 9223372036854775807
/// gives a window that starts 1 s *after* now, and nothing is ever due.
pub(super) fn deadline_wrap(seconds: i64) -> Option<i64> {
    if seconds.checked_mul(1_000_000_000).is_some() {
        return None;
    }
    let ns = seconds.wrapping_neg().wrapping_mul(1_000_000_000);
    Some(ns.div_euclid(1_000_000))
}

/// Why a tick the overflowing deadline left out never started.
const DEADLINE_OVERFLOW: &str = "startingDeadlineSeconds is too large for Go: time.Duration(seconds) * \
                                 time.Second overflows int64 (past 9223372036 s, about 292 years) and wraps, \
                                 so the window in which the controller looks for a due tick started after \
                                 this tick, and it never found one due (upstream does the same)";

/// A tick drawn from the schedule and not yet accounted.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    pub tick: Time,
    pub fold_repeat: bool,
    pub notes: Notes,
}

/// Why a CronJob tick started late. A past tick of an edited schedule is
/// late because of the edit, whatever else held at an instant the old
/// schedule governed; a tick the missed-count estimate dropped at first
/// was started by a later sync, not by the restart.
pub(super) fn late_reason(n: &Notes) -> String {
    if let Some(f) = n.api_fault {
        format!(
            "the API server refused the controller's requests ({}: {}); it retried with backoff \
             (FailedCreate events) and started the run once a request went through",
            f.name(),
            f.plain()
        )
    } else if n.owed_by_edit {
        let held = if n.forbid { "; Forbid held it until the previous Job finished" } else { "" };
        format!(
            "a past tick of the new schedule: the schedule edit made it due (kubernetes#130838, #57853), \
             and the next sync started it{held}"
        )
    } else if n.estimate {
        let down = if n.down_at_tick { "the controller was down at the tick, and " } else { "" };
        format!(
            "{down}the controller's missed-count estimate (from the first two ticks) found nothing due at \
             first; a later sync started the run"
        )
    } else if n.down_at_tick {
        "the controller was down at the tick; it started the run when it came back".into()
    } else if n.suspended {
        "the CronJob was suspended at the tick; resuming started the most recent missed tick".into()
    } else if n.forbid {
        "Forbid: the previous Job was still active; the run started when it finished".into()
    } else if n.throttled.0 > 0 {
        // Concatenated, not formatted: a fleet that saturates the
        // controller has a row like this for each of thousands of ticks.
        let (waited, queued) = n.throttled;
        let mut digits = crate::schedule::text::Digits::new();
        crate::schedule::text::concat(&[
            "kube-controller-manager was saturated: the CronJob controller's sync waited ",
            &crate::model::format_duration(waited),
            " for a free worker and its client's rate limit, with ",
            crate::schedule::text::decimal(u64::from(queued), &mut digits),
            " more keys queued behind it (kubernetes#90801)",
        ])
    } else {
        "the controller synced late".into()
    }
}

/// A tick whose Job the API server kept refusing: until its deadline
/// passed, else until `otherwise`.
fn refused_until(f: crate::sim::api_server::FaultError, deadline: bool, otherwise: &str) -> String {
    let until =
        if deadline { "until the tick fell outside the startingDeadlineSeconds window" } else { otherwise };
    format!("the API server refused the Job's creation ({}: {}) {until}", f.name(), f.plain())
}

/// Why a CronJob tick was passed over for a newer one.
pub(super) fn superseded_reason(n: &Notes, newer: Time, zone: Zone) -> String {
    let newer = format_rfc3339(newer.unix(), zone);
    if let Some(f) = n.api_fault {
        refused_until(f, n.deadline, &format!("until the next tick ({newer}) was the one to start"))
    } else if n.invalid {
        "the controller could not evaluate the schedule (see the events)".into()
    } else if n.deadline_overflow {
        DEADLINE_OVERFLOW.into()
    } else if n.deadline {
        "outside the startingDeadlineSeconds window when the controller looked".into()
    } else if n.owed_by_edit {
        format!(
            "a past tick of the new schedule, due from the schedule edit on; only the most recent such \
             tick ({newer}) was started"
        )
    } else if n.suspended {
        format!("suspended; on resume only the most recent missed tick ({newer}) was started")
    } else if n.estimate {
        // Checked before the downtime: the restart started nothing, so the
        // newer tick is a later run, not the restart's catch-up.
        let down = if n.down_at_tick {
            "the controller was down at the tick, and on restart its"
        } else {
            "the controller's"
        };
        format!(
            "{down} missed-count estimate (from the first two ticks) found nothing due, so it started \
             nothing; the next run started was {newer}"
        )
    } else if n.down_at_tick {
        format!("the controller was down; on restart only the most recent missed tick ({newer}) was started")
    } else if n.forbid {
        format!("Forbid: the previous Job was still active, and a newer tick ({newer}) superseded this one")
    } else {
        format!("superseded by a newer tick ({newer}); only the most recent due tick is ever started")
    }
}

/// What an unresolved CronJob tick counts as at the horizon end, and why.
pub(super) fn unresolved_at_end(p: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
    let n = &p.notes;
    if let Some(f) = n.api_fault {
        return (TickOutcome::NotStarted, refused_until(f, n.deadline, "until the horizon end"));
    }
    let (outcome, why) = if n.invalid {
        (TickOutcome::NotStarted, "the controller could not evaluate the schedule (see the events)")
    } else if n.suspended {
        (TickOutcome::NotStarted, "suspended until the horizon end")
    } else if n.deadline_overflow {
        (TickOutcome::NotStarted, DEADLINE_OVERFLOW)
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
