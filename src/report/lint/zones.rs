//! The schedule and its zone: `TZ=` prefixes (CW-L3), the day-field OR
//! (CW-L4), DST gaps and folds (CW-L5), robfig's walk deviations
//! (CW-L16) and zones the tz database lacks (CW-L17).

use super::timing::Timing;
use super::{DstWindow, Out, Severity};
use crate::model::CronJob;
use crate::model::validation::closest_zone;
use crate::schedule::kube::controller_schedule;
use crate::schedule::{
    Anomaly, AnomalyKind, DayRule, ScheduleKind, Zone, analyze, day_rule, group_anomalies,
};
use crate::schedule::{Schedule, load_location};
use std::cell::RefCell;
use std::collections::BTreeMap;

/// The schedule rules; returns the parsed schedule for the interval
/// rules, or `None` when the controller never gets to use it (no zone,
/// or no valid schedule).
pub(super) fn lint(cj: &CronJob, local: Zone, dst: DstWindow, out: &mut Out) -> Option<Timing> {
    let spec = &cj.spec;
    let text = spec.schedule.trim_start();
    if text.starts_with("TZ=") || text.starts_with("CRON_TZ=") {
        let zone = text.split_whitespace().next().and_then(|p| p.split_once('=')).map_or("", |(_, z)| z);
        out.push(
            "CW-L3",
            Severity::Warning,
            "spec.schedule",
            format!("{:?} carries a time zone prefix", spec.schedule.as_str()),
            "the API server rejects TZ= and CRON_TZ= in spec.schedule on create (use spec.timeZone); an \
             object stored with one keeps it, and the controller follows the prefix",
            format!("remove the prefix and set spec.timeZone: {zone}"),
        );
    }
    if unknown_zone(cj, out) {
        return None;
    }
    let (_, parsed) = controller_schedule(&spec.schedule, spec.time_zone.as_deref());
    let schedule = parsed.ok()?;
    if let ScheduleKind::Spec(fields) = schedule.kind()
        && day_rule(fields) == DayRule::Or
    {
        out.push(
            "CW-L4",
            Severity::Warning,
            "spec.schedule",
            format!("{:?} restricts both day of month and day of week", spec.schedule.as_str()),
            "robfig/cron runs on a day matching EITHER field (OR), not both: `0 0 1 * 1` runs on the 1st \
             and on every Monday",
            "keep one day field and set the other to `*`; to run only on a Monday that is the 1st, check \
             the date inside the Job",
        );
    }
    let key = (spec.schedule.to_string(), spec.time_zone.as_ref().map(ToString::to_string), local.name());
    dst_surprises(key, &schedule, local, dst, out);
    Some(Timing::new(schedule, local, dst))
}

/// CW-L17: `syncCronJob` loads `spec.timeZone` before anything else and,
/// when the controller-manager's tz database lacks it, records Warning
/// `UnknownTimeZone` and returns without a requeue. Stored objects keep
/// such zones (a name later dropped from the database, US/Pacific-New).
fn unknown_zone(cj: &CronJob, out: &mut Out) -> bool {
    let Some(tz) = cj.spec.time_zone.as_deref() else { return false };
    if load_location(tz).is_ok() {
        return false;
    }
    let fix = match closest_zone(tz) {
        Some(c) => format!("did you mean `{c}`? set spec.timeZone: {c} (IANA names are case-sensitive)"),
        None => "use an IANA zone name such as Europe/Berlin, or remove timeZone for the controller's zone"
            .to_string(),
    };
    out.push(
        "CW-L17",
        Severity::Warning,
        "spec.timeZone",
        format!("spec.timeZone {tz:?} is not in the tz database: this CronJob never runs"),
        "the controller loads the zone first on every sync; when it is unknown it records Warning \
         UnknownTimeZone and stops there, with no Job and no requeue (the API server refuses such a zone on \
         create, but a stored object keeps one dropped from the database since)",
        fix,
    );
    true
}

/// CW-L5 (the clock's own gaps and folds) and CW-L16 (where robfig's
/// `SpecSchedule.Next` field walk departs from the wall clock), from one
/// analysis of the window.
fn dst_surprises(key: Written, schedule: &Schedule, local: Zone, dst: DstWindow, out: &mut Out) {
    let written = key.0.clone();
    let (clock, mut walk): (Vec<Anomaly>, Vec<Anomaly>) =
        analysed(key, schedule, local, dst).into_iter().partition(|a| !a.kind.is_exotic());
    // Once `Next` is stuck the controller schedules nothing more, so what
    // the walk would do from that instant on (an off-schedule run there
    // included: its successor is the same instant) never happens.
    if let Some(stuck) = walk.iter().position(|a| a.kind == AnomalyKind::NotAdvancing) {
        let at = walk[stuck].at;
        let kept: Vec<Anomaly> =
            walk.drain(..).enumerate().filter(|(i, a)| *i == stuck || a.at < at).map(|(_, a)| a).collect();
        walk = kept;
    }
    let where_ = format!("{written} in {}", schedule.zone(local).name());
    if !clock.is_empty() {
        out.push(
            "CW-L5",
            Severity::Warning,
            "spec.schedule",
            format!("{where_}: {}", dates(&clock)),
            "a wall time skipped by spring-forward has no tick, and Kubernetes does not run it later; one \
             repeated by fall-back runs twice",
            "schedule outside the zone's DST switch hours (often 01:00-03:00), or set spec.timeZone: Etc/UTC",
        );
    }
    if !walk.is_empty() {
        let stuck = walk.iter().any(|a| a.kind == AnomalyKind::NotAdvancing);
        out.push(
            "CW-L16",
            Severity::Warning,
            "spec.schedule",
            format!("{where_}: {}", dates(&walk)),
            if stuck {
                "robfig/cron walks the wall-clock fields rather than searching instants; here its Next returns \
                 the instant it was given, the controller fails with \"time difference between two schedules \
                 is less than 1 second\" (Warning InvalidSchedule) and never schedules this CronJob again"
            } else {
                "robfig/cron walks the wall-clock fields rather than searching instants, so around a DST \
                 switch that is not a whole hour at 02:00 (Lord Howe's 30 minutes, Chatham's 02:45) or that \
                 happens at midnight it skips runs whose time exists or fires at times that do not match"
            },
            "schedule away from the zone's DST switch time, or use spec.timeZone: Etc/UTC and convert",
        );
    }
}

/// A schedule as written: `spec.schedule`, `spec.timeZone` and the
/// controller's zone.
type Written = (String, Option<String>, &'static str);

/// How many analyses [`analysed`] keeps per thread.
const ANALYSED_MAX: usize = 4096;

thread_local! {
    /// Fleets repeat schedules (a thousand `0 * * * *`), and a year of an
    /// every-minute schedule takes tens of milliseconds to analyse.
    static ANALYSED: RefCell<BTreeMap<(Written, i64, i64), Vec<Anomaly>>> = const { RefCell::new(BTreeMap::new()) };
}

/// [`analyze`] over the window, remembered per schedule as written.
fn analysed(key: Written, schedule: &Schedule, local: Zone, dst: DstWindow) -> Vec<Anomaly> {
    let key = (key, dst.from, dst.to);
    ANALYSED.with_borrow_mut(|memo| {
        if let Some(found) = memo.get(&key) {
            return found.clone();
        }
        let found = analyze(schedule, local, dst.from, dst.to);
        if memo.len() >= ANALYSED_MAX {
            memo.clear();
        }
        memo.insert(key, found.clone());
        found
    })
}

/// `2025-03-09 02:30 no run (DST gap) [-05:00 -> -04:00]; ...`, one per
/// run of same-day anomalies.
fn dates(anomalies: &[Anomaly]) -> String {
    let dates: Vec<String> = group_anomalies(anomalies)
        .iter()
        .map(|g| {
            let (wall, offsets) = g[0].heading();
            format!("{wall} {} [{offsets}]", g[0].kind.label())
        })
        .collect();
    dates.join("; ")
}
