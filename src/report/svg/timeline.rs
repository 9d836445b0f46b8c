//! What the timeline shows, read from the event log: one bar per Job with
//! its outcome and lane, schedule ticks, downtime, deletions and spec
//! changes of one CronJob.

use super::super::account::first_cursor;
use super::super::semantics;
use crate::model::Time;
use crate::schedule::kube::controller_schedule;
use crate::schedule::{Location, ScheduleKind, Zone, load_location};
use crate::sim::edit::SpecEdit;
use crate::sim::log::{DeletedBy, Entry, Fault, Record};
use crate::sim::{WorkloadKind, WorkloadMeta};
use std::collections::{BTreeMap, BTreeSet};

/// Schedule ticks beyond this many are not enumerated (a year of minutely
/// ticks is 525,600; `@every 1s` would be 31.5 million).
pub(super) const MAX_TICKS: usize = 600_000;

/// How a Job's bar is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Condition `Complete`.
    Succeeded,
    /// Condition `Failed` for any reason but `DeadlineExceeded` (mostly
    /// `BackoffLimitExceeded`).
    Failed,
    /// Condition `Failed`, reason `DeadlineExceeded`.
    DeadlineExceeded,
    /// Deleted before finishing (`concurrencyPolicy: Replace`, a scenario
    /// deletion, or its CronJob's deletion).
    Replaced,
    /// Still running at the end of the horizon.
    Unfinished,
}

impl Outcome {
    /// Every outcome, in legend order.
    pub const ALL: [Outcome; 5] = [
        Outcome::Succeeded,
        Outcome::Failed,
        Outcome::DeadlineExceeded,
        Outcome::Replaced,
        Outcome::Unfinished,
    ];
}

/// One Job's bar.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bar {
    pub job: String,
    pub created: Time,
    /// Finish, else deletion, else the horizon end.
    pub end: Time,
    pub outcome: Outcome,
    /// 0-based lane; overlapping bars get different lanes.
    pub lane: usize,
}

/// Schedule ticks over the horizon.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Ticks {
    /// Tick instants (at most [`MAX_TICKS`]).
    pub times: Vec<Time>,
    /// Ticks that got no Job (no `JobCreated` with that `scheduledTime`).
    pub missed: Vec<Time>,
    /// More ticks exist than were enumerated.
    pub capped: bool,
    /// Why ticks stop early (parse error, `Next` not advancing).
    pub note: Option<String>,
}

/// Everything drawn for one CronJob.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Timeline {
    /// CronJob or CronOperation (its runs are Operations).
    pub kind: WorkloadKind,
    pub start: Time,
    pub end: Time,
    pub bars: Vec<Bar>,
    pub lanes: usize,
    pub ticks: Ticks,
    pub deletions: Vec<(Time, DeletedBy)>,
    pub downtime: Vec<(Time, Time)>,
    /// Spec changes and the workload's deletion ([`SpecEdit::Delete`]).
    pub changes: Vec<(Time, SpecEdit)>,
    /// Windows with `spec.suspend: true` (a CronOperation: paused by
    /// annotation).
    pub suspended: Vec<(Time, Time)>,
}

#[derive(Default)]
struct JobFacts {
    created: Time,
    scheduled: Option<Time>,
    finished: Option<(Time, Outcome)>,
    deleted: Option<(Time, DeletedBy)>,
    removed: Option<Time>,
}

impl Timeline {
    /// Reads the records of `meta`'s CronJob (Jobs it created or was seeded
    /// with) and the global downtime windows. `min_gap` is the smallest
    /// separation (ms) two bars in one lane need to be told apart.
    pub(super) fn build(records: &[Record], meta: &WorkloadMeta, min_gap: i64) -> Timeline {
        let (start, end) = (meta.horizon_start, meta.horizon_end.max(meta.horizon_start));
        let mut jobs: BTreeMap<&str, JobFacts> = BTreeMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut deletions = Vec::new();
        let mut downtime = Vec::new();
        let mut changes = Vec::new();
        for r in records {
            match run_fact(&r.entry, &meta.key) {
                Some(RunFact::Created(job, scheduled)) => {
                    order.push(job);
                    jobs.insert(job, JobFacts { created: r.time, scheduled, ..Default::default() });
                }
                Some(RunFact::Finished(job, o)) => {
                    if let Some(f) = jobs.get_mut(job) {
                        f.finished.get_or_insert((r.time, o));
                    }
                }
                Some(RunFact::Deleted(job, by)) => {
                    if let Some(f) = jobs.get_mut(job) {
                        f.deleted.get_or_insert((r.time, by));
                        deletions.push((r.time, by));
                    }
                }
                Some(RunFact::Removed(job)) => {
                    if let Some(f) = jobs.get_mut(job) {
                        f.removed.get_or_insert(r.time);
                    }
                }
                None => {}
            }
            match &r.entry {
                Entry::Fault(Fault::DowntimeStart { until }) => downtime.push((r.time, (*until).min(end))),
                Entry::Fault(Fault::SpecChange { object, change }) if *object == meta.key => {
                    changes.push((r.time, change.clone()));
                }
                Entry::Fault(Fault::CronJobDeleted { object }) if *object == meta.key => {
                    changes.push((r.time, SpecEdit::Delete));
                }
                _ => {}
            }
        }
        let scheduled: BTreeSet<Time> = jobs.values().filter_map(|f| f.scheduled).collect();
        let mut creations: Vec<Time> = jobs.values().map(|f| f.created).collect();
        creations.sort();
        let ticks = schedule_ticks(meta, &changes, &scheduled, &creations);
        let mut bars: Vec<Bar> = order
            .iter()
            .filter_map(|name| jobs.get(name).map(|f| (name, f)))
            .map(|(name, f)| {
                let (bar_end, outcome) = match (f.finished, f.deleted) {
                    (Some((t, o)), _) => (t, o),
                    (None, Some((t, _))) => (t, Outcome::Replaced),
                    (None, None) => (f.removed.unwrap_or(end), Outcome::Unfinished),
                };
                Bar {
                    job: name.to_string(),
                    created: f.created,
                    end: bar_end.max(f.created),
                    outcome,
                    lane: 0,
                }
            })
            .collect();
        let lanes = assign_lanes(&mut bars, min_gap);
        let suspended = suspended_windows(meta.suspended, start, end, &changes);
        Timeline { kind: meta.kind, start, end, bars, lanes, ticks, deletions, downtime, changes, suspended }
    }
}

/// What a record says about one run (a Job, or a CronOperation's
/// Operation), so both kinds draw the same way.
enum RunFact<'a> {
    Created(&'a str, Option<Time>),
    Finished(&'a str, Outcome),
    Deleted(&'a str, DeletedBy),
    Removed(&'a str),
}

/// The run fact in `entry`; creations only for the workload `key` (later
/// facts are matched by run name).
fn run_fact<'a>(entry: &'a Entry, key: &str) -> Option<RunFact<'a>> {
    Some(match entry {
        Entry::JobCreated { job, cronjob, scheduled_time, .. } if cronjob == key => {
            RunFact::Created(job, *scheduled_time)
        }
        Entry::OperationCreated { operation, cronoperation, scheduled_time, .. } if cronoperation == key => {
            RunFact::Created(operation, *scheduled_time)
        }
        Entry::JobFinished { job, condition, reason, .. } => {
            let o = match (condition.as_str(), reason.as_str()) {
                ("Complete", _) => Outcome::Succeeded,
                (_, "DeadlineExceeded") => Outcome::DeadlineExceeded,
                _ => Outcome::Failed,
            };
            RunFact::Finished(job, o)
        }
        Entry::OperationFinished { operation, succeeded, .. } => {
            RunFact::Finished(operation, if *succeeded { Outcome::Succeeded } else { Outcome::Failed })
        }
        Entry::JobDeleted { job, by, .. } => RunFact::Deleted(job, *by),
        // An Operation has no finalizers or pods: it leaves the store at
        // once, so its deletion is also its removal.
        Entry::OperationDeleted { operation, by } => RunFact::Deleted(operation, *by),
        Entry::JobRemoved { job } => RunFact::Removed(job),
        _ => return None,
    })
}

/// The spans with `suspend: true` (or paused), from the initial value and
/// the `suspend=` (pause) changes.
fn suspended_windows(
    initially: bool,
    start: Time,
    end: Time,
    changes: &[(Time, SpecEdit)],
) -> Vec<(Time, Time)> {
    let mut out = Vec::new();
    let mut since = initially.then_some(start);
    for (t, c) in changes {
        match (c, since) {
            (SpecEdit::Suspend(true) | SpecEdit::Paused(true), None) => since = Some(*t),
            (SpecEdit::Suspend(false) | SpecEdit::Paused(false), Some(s)) => {
                out.push((s, *t));
                since = None;
            }
            _ => {}
        }
    }
    if let Some(s) = since {
        out.push((s, end));
    }
    out
}

/// First-fit lanes in creation order: a bar takes the lowest lane whose
/// last bar ended at least `min_gap` before it starts. Returns the lane
/// count.
fn assign_lanes(bars: &mut [Bar], min_gap: i64) -> usize {
    let mut lane_end: Vec<Time> = Vec::new();
    for b in bars.iter_mut() {
        let free = lane_end.iter().position(|e| e.add(min_gap) <= b.created);
        let lane = match free {
            Some(l) => l,
            None => {
                lane_end.push(b.created);
                lane_end.len() - 1
            }
        };
        if let Some(e) = lane_end.get_mut(lane) {
            *e = b.end.max(b.created.add(min_gap));
        }
        b.lane = lane;
    }
    lane_end.len()
}

/// The schedule in force over time: the initial one, then each
/// `schedule=`/`timeZone=` change (later edits are drawn from their time on).
fn schedule_segments(
    meta: &WorkloadMeta,
    changes: &[(Time, SpecEdit)],
) -> Vec<(Time, String, Option<String>)> {
    let mut segs = vec![(meta.horizon_start, meta.schedule.clone(), meta.time_zone.clone())];
    for (t, c) in changes {
        let (mut sched, mut tz) = match segs.last() {
            Some((_, s, z)) => (s.clone(), z.clone()),
            None => continue,
        };
        match c {
            SpecEdit::Schedule(s) => sched = s.clone(),
            SpecEdit::TimeZone(z) => tz = z.clone(),
            _ => continue,
        }
        segs.push((*t, sched, tz));
    }
    segs
}

/// Ticks of each schedule segment, walked with robfig's
/// `Next` the way the controller does (from `formatSchedule` and
/// `ParseStandard`), stopping where `Next` no longer advances. A
/// CronOperation's `@every` slots count from its cursor, which each
/// Operation's creation (`creations`, sorted) moves, as the report does.
fn schedule_ticks(
    meta: &WorkloadMeta,
    changes: &[(Time, SpecEdit)],
    scheduled: &BTreeSet<Time>,
    creations: &[Time],
) -> Ticks {
    let local = match load_location(&meta.local_zone) {
        Ok(Location::Zone(z)) => z,
        _ => Zone::Utc,
    };
    let segs = schedule_segments(meta, changes);
    let mut ticks = Ticks::default();
    for (i, (from, sched, tz)) in segs.iter().enumerate() {
        // Segments cover `(from, until]`; the horizon end itself is
        // excluded, as its Job would be created after the horizon.
        let (until, last) = match segs.get(i + 1) {
            Some(s) => (s.0, false),
            None => (meta.horizon_end, true),
        };
        let parsed = match controller_schedule(sched, tz.as_deref()).1 {
            Ok(p) => p,
            Err(e) => {
                ticks.note.get_or_insert(format!("schedule {sched:?}: {e}"));
                continue;
            }
        };
        let every = semantics::of(meta.kind).every_counts_from_cursor()
            && matches!(parsed.kind(), ScheduleKind::Every(_));
        let mut cur = if every && i == 0 { first_cursor(meta, Some(&parsed)) } else { from.unix() };
        let mut ci = 0;
        while let Some(next) = parsed.next(cur, local) {
            if every {
                while creations.get(ci).is_some_and(|c| c.unix() <= cur) {
                    ci += 1;
                }
                if let Some(c) = creations.get(ci)
                    && *c < Time::from_unix(next)
                {
                    // No slot lies before this creation: the cursor jumps.
                    cur = c.unix();
                    ci += 1;
                    continue;
                }
            }
            if next <= cur {
                ticks.note.get_or_insert(format!("Next stopped advancing at {}", Time::from_unix(cur)));
                break;
            }
            let t = Time::from_unix(next);
            if t > until || (last && t == until) {
                break;
            }
            if ticks.times.len() >= MAX_TICKS {
                ticks.capped = true;
                break;
            }
            ticks.times.push(t);
            if !scheduled.contains(&t) {
                ticks.missed.push(t);
            }
            cur = next;
        }
    }
    ticks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::test_meta as meta;

    fn bar(c: i64, e: i64) -> Bar {
        Bar { job: String::new(), created: Time(c), end: Time(e), outcome: Outcome::Succeeded, lane: 9 }
    }

    #[test]
    fn overlapping_bars_get_separate_lanes_and_lanes_are_reused() {
        let mut bars = vec![bar(0, 100), bar(50, 150), bar(120, 200), bar(160, 170)];
        assert_eq!(assign_lanes(&mut bars, 10), 2);
        let lanes: Vec<usize> = bars.iter().map(|b| b.lane).collect();
        assert_eq!(lanes, [0, 1, 0, 1]);
    }

    #[test]
    fn a_schedule_change_starts_a_new_segment() {
        let meta = meta(WorkloadKind::CronJob, "default/a", "0 * * * *", 4, None);
        let changes = vec![(Time::from_unix(7200), SpecEdit::Schedule("*/30 * * * *".into()))];
        let t = schedule_ticks(&meta, &changes, &BTreeSet::new(), &[]);
        let secs: Vec<i64> = t.times.iter().map(|t| t.unix()).collect();
        assert_eq!(secs, [3600, 7200, 9000, 10800, 12600]);
        assert_eq!(t.missed.len(), 5);
    }

    #[test]
    fn cronoperation_every_slots_restart_at_each_creation() {
        let meta = meta(WorkloadKind::CronOperation, "co", "@every 1h", 6, Some(Time::from_unix(0)));
        let creations = [Time::from_unix(3600), Time(3 * 3_600_000 + 600_400)];
        let t = schedule_ticks(&meta, &[], &BTreeSet::new(), &creations);
        let mins: Vec<i64> = t.times.iter().map(|t| t.unix() / 60).collect();
        assert_eq!(mins, [60, 120, 180, 250, 310]);
    }
}
