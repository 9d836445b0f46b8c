//! Crossplane CronOperations: the two ways crossplane's reconciler
//! (`internal/controller/ops/cronoperation/reconciler.go` `Reconcile`)
//! stops scheduling for good, found from the manifest.

use super::{Out, Severity};
use crate::model::crossplane::CronOperation;
use crate::schedule::{Schedule, ScheduleKind};

pub(super) fn lint(co: &CronOperation, out: &mut Out) {
    if let Some(d) = co.spec.starting_deadline_seconds {
        out.push(
            "CW-L13",
            Severity::Warning,
            "spec.startingDeadlineSeconds",
            format!(
                "startingDeadlineSeconds: {d}: one slot missed by more than {d}s stops this CronOperation for \
                 good"
            ),
            "the reconciler only looks at the first owed slot, Next(newest Operation's creationTimestamp); \
             when that slot is past its deadline it skips it without moving that cursor, so every later \
             reconcile finds the same overdue slot and skips it again, with no event. An outage longer than \
             the deadline is enough, or under Forbid a run longer than the interval plus the deadline",
            "remove startingDeadlineSeconds (a missed slot then runs late, once); to restart a stalled one, \
             create a labelled Operation by hand or recreate the CronOperation",
        );
    }
    // `@every` slots count from the cursor itself, so the next slot is a
    // new one whatever the cursor's rounding; an unparsable schedule never
    // creates anything to loop on.
    let calendar =
        Schedule::parse(&co.spec.schedule).is_ok_and(|s| matches!(s.kind(), ScheduleKind::Spec(_)));
    if calendar {
        out.push(
            "CW-L14",
            Severity::Note,
            "spec.schedule",
            "if the Crossplane pod's clock runs ahead of the API server's, this CronOperation can loop on \
             AlreadyExists for ever (crossplane#7524)"
                .into(),
            "each Operation is named after its slot, but the cursor is its creationTimestamp, which the API \
             server stamps in whole seconds by its own clock: a controller clock a few tenths of a second \
             ahead puts the cursor before the slot, Next(cursor) is the same slot again, and every later \
             CREATE fails with AlreadyExists (Warning CreateOperation), retried with backoff up to 60 s, while \
             no other slot runs",
            "keep node clocks synchronised (chrony/NTP) and alert on Warning CreateOperation events; the fixes \
             proposed upstream (crossplane PRs #7535 and #7834) end the loop",
        );
    }
}
