//! The rule table: ids, titles and links, as SARIF's `tool.driver.rules`
//! and the guide list them.

use super::Rule;

const LIMITATIONS: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations";
const TIME_ZONES: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones";
const HISTORY: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits";
const TTL: &str = "https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/";
const BACKOFF: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/job/#pod-backoff-failure-policy";
const ROBFIG: &str = "https://pkg.go.dev/github.com/robfig/cron/v3#hdr-CRON_Expression_Format";
const CRONOPERATION: &str = "https://docs.crossplane.io/latest/operations/cronoperation/";

/// Every rule, in id order. Ids are never renumbered or reused, so
/// suppressions and dashboards keep working.
pub const RULES: [Rule; 17] = [
    rule(
        "CW-L1",
        "startingDeadlineSeconds that never lets the CronJob run (0, or under an @every interval)",
        LIMITATIONS,
    ),
    rule(
        "CW-L2",
        "startingDeadlineSeconds under 10s: a late sync drops the tick without an event",
        "https://github.com/kubernetes/website/issues/23622",
    ),
    rule("CW-L3", "TZ=/CRON_TZ= prefix in spec.schedule", TIME_ZONES),
    rule("CW-L4", "day-of-month and day-of-week both restricted: robfig ORs them", ROBFIG),
    rule("CW-L5", "schedule falls in a DST gap or fold", TIME_ZONES),
    rule("CW-L6", "Forbid with startingDeadlineSeconds skips ticks", LIMITATIONS),
    rule("CW-L7", "history limit 0 without a TTL deletes finished Jobs at once", HISTORY),
    rule(
        "CW-L8",
        "ttlSecondsAfterFinished shorter than the schedule's interval: no Job outlives the next run",
        TTL,
    ),
    rule(
        "CW-L9",
        "history limit 0 with a TTL: the CronJob deletes finished Jobs before the TTL can keep them",
        HISTORY,
    ),
    rule(
        "CW-L10",
        "the outage after which the controller drops ticks or warns TooManyMissedTimes",
        "https://github.com/kubernetes/kubernetes/issues/42649",
    ),
    rule("CW-L11", "backoffLimit retries that can never happen", BACKOFF),
    rule("CW-L12", "backoffLimit 0: one failure fails the run", BACKOFF),
    rule(
        "CW-L13",
        "CronOperation startingDeadlineSeconds: one missed deadline stops it for good",
        CRONOPERATION,
    ),
    rule(
        "CW-L14",
        "CronOperation: a controller clock ahead of the API server loops on AlreadyExists",
        "https://github.com/crossplane/crossplane/issues/7524",
    ),
    rule(
        "CW-L15",
        "too many CronJobs fire in the same minute",
        "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax",
    ),
    rule("CW-L16", "robfig's field walk skips, adds or stalls runs around this zone's DST switch", ROBFIG),
    rule("CW-L17", "spec.timeZone not in the tz database: the CronJob never runs", TIME_ZONES),
];

const fn rule(id: &'static str, title: &'static str, link: &'static str) -> Rule {
    Rule { id, title, link }
}

/// A rule's link.
pub(super) fn link(id: &str) -> &'static str {
    RULES.iter().find(|r| r.id == id).map_or(LIMITATIONS, |r| r.link)
}
