//! `cronwarp lint`'s rules: the CronJob settings whose effect surprises,
//! found from the manifest alone, without simulating. Each finding says
//! why (what the controller does), how to fix it, and where upstream
//! documents it, so the lint teaches what `cronwarp run` would show.
//!
//! Pure functions: the instant DST is looked at from is the caller's,
//! never the wall clock, so the same manifest lints the same way twice.

use crate::model::manifest::Located;
use crate::model::{ConcurrencyPolicy, CronJob};
use crate::schedule::kube::controller_schedule;
use crate::schedule::{AnomalyKind, DayRule, ScheduleKind, Zone, analyze, day_rule, group_anomalies};
use serde::Serialize;

/// How much a finding matters; `--deny warnings` fails on warnings only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The CronJob will not do what it says (no run, or another schedule).
    Warning,
    /// A trade-off worth knowing; it may be what was meant.
    Note,
}

/// A rule, as SARIF's `tool.driver.rules` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`CW-L1`): never renumbered, so suppressions keep working.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Upstream issue or documentation.
    pub link: &'static str,
}

const LIMITATIONS: &str =
    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#cron-job-limitations";

/// Every rule, in the order they are checked.
pub const RULES: [Rule; 7] = [
    Rule { id: "CW-L1", title: "startingDeadlineSeconds: 0 never runs", link: LIMITATIONS },
    Rule {
        id: "CW-L2",
        title: "startingDeadlineSeconds under 10s: a late sync drops the tick without an event",
        link: "https://github.com/kubernetes/website/issues/23622",
    },
    Rule {
        id: "CW-L3",
        title: "TZ=/CRON_TZ= prefix in spec.schedule",
        link: "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
    },
    Rule {
        id: "CW-L4",
        title: "day-of-month and day-of-week both restricted: robfig ORs them",
        link: "https://pkg.go.dev/github.com/robfig/cron/v3#hdr-CRON_Expression_Format",
    },
    Rule {
        id: "CW-L5",
        title: "schedule falls in a DST gap or fold",
        link: "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
    },
    Rule { id: "CW-L6", title: "Forbid with startingDeadlineSeconds skips ticks", link: LIMITATIONS },
    Rule {
        id: "CW-L7",
        title: "history limit 0 without a TTL deletes finished Jobs at once",
        link: "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#jobs-history-limits",
    },
];

/// The deadline under which CW-L2 speaks: the v1 controller's poll
/// period, which the old docs' warning was about; in v2 such a deadline
/// only bites when the controller is late.
pub const SYNC_DELAY_SECONDS: i64 = 10;

/// One finding about one CronJob field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable id (`CW-L1`).
    pub rule: &'static str,
    /// Warning or note.
    pub severity: Severity,
    /// `namespace/name`.
    pub object: String,
    /// The field path (`spec.startingDeadlineSeconds`).
    pub field: &'static str,
    /// What is wrong, with the values involved.
    pub message: String,
    /// What the controller does about it.
    pub why: String,
    /// What to write instead.
    pub fix: String,
    /// Upstream issue or documentation.
    pub link: &'static str,
    /// The file; empty for [`lint_cronjob`].
    pub file: String,
    /// 1-based line of the field (or its nearest written ancestor); 0 unknown.
    pub line: u32,
    /// 1-based column; 0 unknown.
    pub column: u32,
}

/// The span CW-L5 looks for DST surprises in, Unix seconds: `(from, to]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DstWindow {
    /// Start, excluded.
    pub from: i64,
    /// End, included.
    pub to: i64,
}

/// The rule's link.
fn link(id: &str) -> &'static str {
    RULES.iter().find(|r| r.id == id).map_or(LIMITATIONS, |r| r.link)
}

/// Lints one CronJob as written (no API defaults needed: an absent field
/// is the default). `local` is kube-controller-manager's zone, the one a
/// schedule without a time zone runs in.
pub fn lint_cronjob(cj: &CronJob, local: Zone, dst: DstWindow) -> Vec<Finding> {
    let object = format!("{}/{}", cj.metadata.namespace, cj.metadata.name);
    let mut out = Vec::new();
    let mut push = |rule: &'static str, severity, field, message: String, why: &str, fix: String| {
        out.push(Finding {
            rule,
            severity,
            object: object.clone(),
            field,
            message,
            why: why.into(),
            fix,
            link: link(rule),
            file: String::new(),
            line: 0,
            column: 0,
        });
    };
    let spec = &cj.spec;
    let sds = "spec.startingDeadlineSeconds";
    match spec.starting_deadline_seconds {
        Some(0) => push(
            "CW-L1",
            Severity::Warning,
            sds,
            "startingDeadlineSeconds: 0: this CronJob never runs".into(),
            "the controller looks for ticks after now - 0s, and every tick is already past its deadline \
             when the controller sees it, so each one is recorded as missed",
            "remove startingDeadlineSeconds, or set it to at least 10 (a minute or more is usual)".into(),
        ),
        Some(d) if d > 0 && d < SYNC_DELAY_SECONDS => push(
            "CW-L2",
            Severity::Note,
            sds,
            format!(
                "startingDeadlineSeconds: {d}: a tick the controller sees more than {d}s late is dropped"
            ),
            "the v2 controller wakes about 100 ms after each tick, so normal operation is unaffected (the \
             old docs' \"under 10 s may never schedule\" was the v1 controller's 10 s poll); but after a \
             controller restart, a leader election or a slow sync, every tick older than the deadline is \
             dropped, with no MissSchedule event",
            "if a late run is better than none, allow minutes (or remove the deadline)".to_string(),
        ),
        _ => {}
    }
    let text = spec.schedule.trim_start();
    if text.starts_with("TZ=") || text.starts_with("CRON_TZ=") {
        let zone = text.split_whitespace().next().and_then(|p| p.split_once('=')).map_or("", |(_, z)| z);
        push(
            "CW-L3",
            Severity::Warning,
            "spec.schedule",
            format!("{:?} carries a time zone prefix", spec.schedule.as_str()),
            "the API server rejects TZ= and CRON_TZ= in spec.schedule on create (use spec.timeZone); an \
             object stored with one keeps it, and the controller follows the prefix",
            format!("remove the prefix and set spec.timeZone: {zone}"),
        );
    }
    let (_, parsed) = controller_schedule(&spec.schedule, spec.time_zone.as_deref());
    if let Ok(schedule) = parsed
        && let ScheduleKind::Spec(fields) = schedule.kind()
    {
        if day_rule(fields) == DayRule::Or {
            push(
                "CW-L4",
                Severity::Warning,
                "spec.schedule",
                format!("{:?} restricts both day of month and day of week", spec.schedule.as_str()),
                "robfig/cron runs on a day matching EITHER field (OR), not both: `0 0 1 * 1` runs on the \
                 1st and on every Monday",
                "keep one day field and set the other to `*`; to run only on a Monday that is the 1st, \
                 check the date inside the Job"
                    .into(),
            );
        }
        let anomalies = analyze(&schedule, local, dst.from, dst.to);
        let surprising: Vec<_> = anomalies
            .into_iter()
            .filter(|a| matches!(a.kind, AnomalyKind::Gap | AnomalyKind::Fold))
            .collect();
        let dates: Vec<String> = group_anomalies(&surprising)
            .iter()
            .map(|g| {
                let (wall, offsets) = g[0].heading();
                format!("{wall} {} [{offsets}]", g[0].kind.label())
            })
            .collect();
        if !dates.is_empty() {
            push(
                "CW-L5",
                Severity::Warning,
                "spec.schedule",
                format!(
                    "{} in {}: {}",
                    spec.schedule.as_str(),
                    schedule.zone(local).name(),
                    dates.join("; ")
                ),
                "a wall time skipped by spring-forward has no tick, and Kubernetes does not run it later; \
                 one repeated by fall-back runs twice",
                "schedule outside the zone's DST switch hours (often 01:00-03:00), or set spec.timeZone: \
                 Etc/UTC"
                    .into(),
            );
        }
    }
    if spec.policy() == ConcurrencyPolicy::Forbid
        && let Some(d) = spec.starting_deadline_seconds
    {
        push(
            "CW-L6",
            Severity::Note,
            sds,
            format!("concurrencyPolicy: Forbid with startingDeadlineSeconds: {d}"),
            "a tick that comes while a Job still runs waits; once the deadline has passed it is skipped, not \
             run late, so a long run silently costs ticks",
            "accept the skips, or remove startingDeadlineSeconds so the missed tick runs when the Job ends"
                .into(),
        );
    }
    if spec.job_template.spec.ttl_seconds_after_finished.is_none() {
        let limits = [
            ("spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit, "failed"),
            ("spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit, "successful"),
        ];
        for (field, limit, what) in limits {
            if limit == Some(0) {
                push(
                    "CW-L7",
                    Severity::Note,
                    field,
                    format!("{what} Jobs are deleted as soon as they finish"),
                    "with a history limit of 0 the controller deletes each finished Job at its next sync, \
                     and its pods and logs go with it: nothing is left to debug",
                    format!("keep at least 1 ({field}: 1), or set jobTemplate.spec.ttlSecondsAfterFinished"),
                );
            }
        }
    }
    out
}

/// [`lint_cronjob`], each finding located at its field in the manifest.
pub fn lint_located(cj: &Located<CronJob>, local: Zone, dst: DstWindow) -> Vec<Finding> {
    let mut out = lint_cronjob(cj, local, dst);
    for f in &mut out {
        let pos = cj.position_of(f.field);
        (f.file, f.line, f.column) = (cj.file.clone(), pos.line, pos.column);
    }
    out
}
