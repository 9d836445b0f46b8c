//! `startingDeadlineSeconds` and outages: deadlines that never let a
//! CronJob run (CW-L1), short ones (CW-L2), Forbid with one (CW-L6), and
//! the outage length after which ticks are lost (CW-L10).

use super::timing::{Gaps, TOO_MANY_MISSED_WITHIN, Timing};
use super::{Out, SYNC_DELAY_SECONDS, Severity, words};
use crate::model::{ConcurrencyPolicy, CronJob};
use crate::schedule::ScheduleKind;

/// More estimated misses than this and `nextScheduleTime` records Warning
/// `TooManyMissedTimes` (kubernetes `pkg/controller/cronjob/utils.go`).
const TOO_MANY_MISSED: i64 = 100;

const SDS: &str = "spec.startingDeadlineSeconds";

pub(super) fn lint(cj: &CronJob, timing: Option<&Timing>, out: &mut Out) {
    let spec = &cj.spec;
    let every = timing.and_then(|t| match t.schedule.kind() {
        ScheduleKind::Every(secs) => i64::try_from(*secs).ok(),
        ScheduleKind::Spec(_) => None,
    });
    let never = match spec.starting_deadline_seconds {
        Some(0) => {
            out.push(
                "CW-L1",
                Severity::Warning,
                SDS,
                "startingDeadlineSeconds: 0: this CronJob never runs".into(),
                "the controller looks for ticks after now - 0s, and every tick is already past its deadline \
                 when the controller sees it, so each one is recorded as missed",
                "remove startingDeadlineSeconds, or set it to at least 10 (a minute or more is usual)",
            );
            true
        }
        Some(d) if every.is_some_and(|e| d < e) => {
            let e = every.unwrap_or_default();
            out.push(
                "CW-L1",
                Severity::Warning,
                SDS,
                format!(
                    "startingDeadlineSeconds: {d} under the @every interval ({}): this CronJob never runs",
                    words(e)
                ),
                "an @every schedule counts from the instant it is given, and mostRecentScheduleTime gives it \
                 now - startingDeadlineSeconds, so the next tick is always in the future",
                format!("set startingDeadlineSeconds to at least {e}, or remove it"),
            );
            true
        }
        Some(d) if d > 0 && d < SYNC_DELAY_SECONDS => {
            out.push(
                "CW-L2",
                Severity::Note,
                SDS,
                format!(
                    "startingDeadlineSeconds: {d}: a tick the controller sees more than {d}s late is dropped"
                ),
                "the v2 controller wakes about 100 ms after each tick, so normal operation is unaffected (the \
                 old docs' \"under 10 s may never schedule\" was the v1 controller's 10 s poll); but after a \
                 controller restart, a leader election or a slow sync, every tick older than the deadline is \
                 dropped, with no MissSchedule event",
                "if a late run is better than none, allow minutes (or remove the deadline)",
            );
            false
        }
        _ => false,
    };
    if spec.policy() == ConcurrencyPolicy::Forbid
        && let Some(d) = spec.starting_deadline_seconds
    {
        out.push(
            "CW-L6",
            Severity::Note,
            SDS,
            format!("concurrencyPolicy: Forbid with startingDeadlineSeconds: {d}"),
            "a tick that comes while a Job still runs waits; once the deadline has passed it is skipped, not \
             run late, so a long run silently costs ticks",
            "accept the skips, or remove startingDeadlineSeconds so the missed tick runs when the Job ends",
        );
    }
    if !never && let Some(gaps) = timing.and_then(|t| t.gaps) {
        outage(cj, gaps, out);
    }
}

/// CW-L10: how long kube-controller-manager may be down before ticks are
/// lost beyond the usual "only the most recent missed tick runs".
///
/// Mirrors the estimate in kubernetes `mostRecentScheduleTime`
/// (`pkg/controller/cronjob/utils.go`): the search starts at
/// `max(lastScheduleTime, now - startingDeadlineSeconds)`, the interval is
/// taken from the first two ticks, and `elapsed / interval + 1` missed
/// ticks over 100 make `nextScheduleTime` warn `TooManyMissedTimes`. The
/// shortest gap stands for the interval: an outage starting there needs
/// the fewest seconds to reach 101.
fn outage(cj: &CronJob, gaps: Gaps, out: &mut Out) {
    let spec = &cj.spec;
    let gap = gaps.min;
    let too_many = gap.saturating_mul(TOO_MANY_MISSED);
    match spec.starting_deadline_seconds {
        // A deadline under the gap drops a late tick outright; CW-L2 says
        // so already for deadlines under 10 s.
        Some(d) if (SYNC_DELAY_SECONDS..gap).contains(&d) => out.push(
            "CW-L10",
            Severity::Note,
            SDS,
            format!(
                "an outage that passes a tick by more than {} drops it: nothing runs until the next tick, {} \
                 later",
                words(d),
                words(gaps.typical)
            ),
            "after an outage the controller only looks for ticks after now - startingDeadlineSeconds \
             (mostRecentScheduleTime); an older one is neither started nor reported (no event)",
            format!("if a late run beats none, set startingDeadlineSeconds to at least {gap}"),
        ),
        // The window [now - deadline, now] holds at most 100 ticks.
        Some(d) if d < too_many => {}
        _ if too_many <= TOO_MANY_MISSED_WITHIN => out.push(
            "CW-L10",
            Severity::Note,
            if spec.starting_deadline_seconds.is_some() { SDS } else { "spec.schedule" },
            format!(
                "an outage over {} (100 ticks of {:?}) ends in Warning TooManyMissedTimes, and only the \
                 latest missed tick runs",
                words(too_many),
                spec.schedule.as_str()
            ),
            "after an outage the controller estimates the missed ticks as elapsed / interval + 1 \
             (mostRecentScheduleTime); over 100 it warns \"too many missed start times\", then starts one Job \
             for the most recent tick and drops the others without an event. Before Kubernetes 1.21 (the v1 \
             controller) the CronJob never ran again",
            format!(
                "set startingDeadlineSeconds between {gap} and {} so only ticks inside it count, and alert \
                 on controller outages",
                too_many - 1
            ),
        ),
        _ => {}
    }
}
