//! CW-L15, the one rule about a fleet rather than an object: too many
//! CronJobs firing in the same minute (the top-of-hour stampede).

use super::timing::ticks;
use super::{DstWindow, Finding, Out, Severity, locate};
use crate::model::CronJob;
use crate::model::manifest::Located;
use crate::schedule::kube::controller_schedule;
use crate::schedule::{ScheduleKind, Zone, format_rfc3339, load_location};
use std::collections::BTreeMap;

/// CW-L15 speaks when more than this many CronJobs fire in one minute:
/// a round number a small cluster's API server and scheduler absorb
/// without delaying pods (each CronJob makes a Job and a pod or more).
pub const STAMPEDE_THRESHOLD: usize = 10;

const DAY: i64 = 86_400;

/// Most ticks looked at per CronJob: a day of minutes, with room for
/// `@every 30s`.
const MAX_TICKS: usize = 3_000;

const MINUTES_A_DAY: usize = 1_440;

/// At most this many CronJobs are named in the suggested spread.
const NAMED: usize = 6;

/// Counts, over the first day of `window`, the CronJobs whose ticks fall
/// in each minute; when the busiest minute holds more than
/// [`STAMPEDE_THRESHOLD`], one finding names it, the count and a spread,
/// located at the first of those CronJobs (input order). Suspended
/// CronJobs and those the controller never runs (unknown zone, invalid
/// schedule) do not fire and are not counted.
pub fn lint_fleet(cronjobs: &[&Located<CronJob>], local: Zone, window: DstWindow) -> Vec<Finding> {
    let mut by_minute: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    let mut movable = Vec::with_capacity(cronjobs.len());
    for (i, cj) in cronjobs.iter().enumerate() {
        let (minutes, can_move) = minutes(cj, local, window.from);
        for minute in minutes {
            by_minute.entry(minute).or_default().push(i);
        }
        movable.push(can_move);
    }
    let crowded = by_minute.values().filter(|v| v.len() > STAMPEDE_THRESHOLD).count();
    // The busiest minute, the earliest of equals.
    let Some((&minute, members)) = by_minute.iter().rev().max_by_key(|(_, v)| v.len()) else {
        return Vec::new();
    };
    if members.len() <= STAMPEDE_THRESHOLD {
        return Vec::new();
    }
    let first = cronjobs[members[0]];
    let name = |i: usize| format!("{}/{}", cronjobs[i].metadata.namespace, cronjobs[i].metadata.name);
    let mut out = Out::new(name(members[0]));
    let n = members.len();
    let others = match crowded - 1 {
        0 => String::new(),
        k => format!(" (and over {STAMPEDE_THRESHOLD} in {k} other minutes of the day)"),
    };
    out.push(
        "CW-L15",
        Severity::Warning,
        "spec.schedule",
        format!("{n} CronJobs fire in the minute of {}{others}", format_rfc3339(minute * 60, local)),
        "the controller creates each CronJob's Job within a second of its tick, so the Jobs and their pods \
         reach the API server, the scheduler, image registries and any shared database together; pods wait \
         for capacity and start late, and under Forbid or a startingDeadlineSeconds late starts cost runs",
        spread(
            &members.iter().filter(|&&i| movable[i]).map(|&i| name(i)).collect::<Vec<_>>(),
            members.iter().filter(|&&i| !movable[i]).count(),
        ),
    );
    locate(out.findings, first)
}

/// The distinct minutes (Unix minutes) `cj` fires in during the day after
/// `from`, and whether a minute offset can move it: not an `@every`
/// (phased from its last run) nor a schedule firing every minute.
fn minutes(cj: &CronJob, local: Zone, from: i64) -> (Vec<i64>, bool) {
    let spec = &cj.spec;
    if spec.suspended() || spec.time_zone.as_deref().is_some_and(|tz| load_location(tz).is_err()) {
        return (Vec::new(), false);
    }
    let Ok(schedule) = controller_schedule(&spec.schedule, spec.time_zone.as_deref()).1 else {
        return (Vec::new(), false);
    };
    let mut minutes: Vec<i64> =
        ticks(&schedule, local, from, from + DAY, MAX_TICKS).iter().map(|t| t.div_euclid(60)).collect();
    minutes.dedup();
    let movable = matches!(schedule.kind(), ScheduleKind::Spec(_)) && minutes.len() < MINUTES_A_DAY;
    (minutes, movable)
}

/// Distinct minute offsets for the `names` that can move, spread evenly
/// over the hour (several per minute only past 60 of them).
fn spread(names: &[String], fixed: usize) -> String {
    let stuck = match fixed {
        0 => String::new(),
        k => {
            format!("; {k} more fire every minute or count from their last run (@every) and cannot be spread")
        }
    };
    let n = names.len();
    if n == 0 {
        return format!("run fewer of them, or fold them into fewer CronJobs{stuck}");
    }
    let step = (60 / n).max(1);
    let per_minute = n.div_ceil(60);
    let shown: Vec<String> = names
        .iter()
        .take(NAMED)
        .enumerate()
        .map(|(i, name)| format!("{name} at :{:02}", (i / per_minute * step) % 60))
        .collect();
    let more = if n > NAMED { ", …" } else { "" };
    let density =
        if per_minute > 1 { format!("{per_minute} per minute") } else { format!("one every {step} min") };
    format!(
        "give them distinct minute offsets in spec.schedule ({density}): {}{more}{stuck}",
        shown.join(", ")
    )
}
