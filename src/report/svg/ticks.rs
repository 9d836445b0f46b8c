//! The schedule's ticks for a timeline, walked as the log streams by: each
//! tick is drawn once every record before it has been seen, and matched
//! with the Jobs (or Operations) created for it, so nothing is kept per
//! tick but the ticks still waiting for their run.

use super::super::account::first_cursor;
use super::super::semantics;
use super::marks::Marks;
use crate::model::Time;
use crate::schedule::kube::controller_schedule;
use crate::schedule::{Location, Schedule, ScheduleKind, Zone, load_location};
use crate::sim::edit::SpecEdit;
use crate::sim::{WorkloadKind, WorkloadMeta};
use std::collections::{BTreeSet, VecDeque};

/// Schedule ticks beyond this many are not enumerated (a year of minutely
/// ticks is 525,600; `@every 1s` would be 31.5 million).
pub(super) const MAX_TICKS: usize = 600_000;

/// Schedule ticks over the horizon.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Ticks {
    /// Tick instants (at most [`MAX_TICKS`]).
    pub times: Marks,
    /// Ticks that got no run (no creation with that `scheduledTime`).
    pub missed: Marks,
    /// More ticks exist than were enumerated.
    pub capped: bool,
    /// Why ticks stop early (parse error, `Next` not advancing).
    pub note: Option<String>,
}

/// One stretch of the horizon under one schedule and zone.
#[derive(Debug)]
struct Segment {
    /// 0 for the scenario's own schedule, then one per edit.
    index: usize,
    schedule: String,
    zone: Option<String>,
    parsed: Option<Schedule>,
    /// `@every` slots that count from the cursor (a CronOperation's).
    every: bool,
    cur: i64,
    /// No more ticks in this segment.
    stopped: bool,
}

/// How far to walk.
#[derive(Debug, Clone, Copy)]
enum Until {
    /// Ticks before this instant; the segment goes on.
    Before(Time),
    /// Ticks up to this instant (the horizon end itself excluded when
    /// `last`); the segment ends there.
    Through(Time, bool),
}

/// The ticks of one workload, walked with robfig's `Next` the way the
/// controller does (from `formatSchedule` and `ParseStandard`), segment by
/// segment as `schedule=`/`timeZone=` edits come, stopping where `Next` no
/// longer advances. A CronOperation's `@every` slots count from its cursor,
/// which each Operation's creation moves, as the report does.
#[derive(Debug)]
pub(super) struct TickWalk {
    kind: WorkloadKind,
    local: Zone,
    horizon_end: Time,
    seg: Segment,
    /// Creations not yet behind the cursor (for `@every` slots).
    creations: VecDeque<Time>,
    /// Ticks drawn that no creation has claimed yet, in order.
    pending: VecDeque<Time>,
    /// Scheduled times of creations ahead of the last tick drawn.
    early: BTreeSet<Time>,
    last_tick: Option<Time>,
    ticks: Ticks,
}

impl TickWalk {
    pub(super) fn new(meta: &WorkloadMeta) -> TickWalk {
        let local = match load_location(&meta.local_zone) {
            Ok(Location::Zone(z)) => z,
            _ => Zone::Utc,
        };
        let (start, end) = (meta.horizon_start, meta.horizon_end.max(meta.horizon_start));
        let mut w = TickWalk {
            kind: meta.kind,
            local,
            horizon_end: meta.horizon_end,
            seg: Segment {
                index: 0,
                schedule: String::new(),
                zone: None,
                parsed: None,
                every: false,
                cur: 0,
                stopped: true,
            },
            creations: VecDeque::new(),
            pending: VecDeque::new(),
            early: BTreeSet::new(),
            last_tick: None,
            ticks: Ticks {
                times: Marks::new(start, end),
                missed: Marks::new(start, end),
                capped: false,
                note: None,
            },
        };
        w.seg = w.segment(0, meta.horizon_start, meta.schedule.clone(), meta.time_zone.clone(), Some(meta));
        w
    }

    fn segment(
        &mut self,
        index: usize,
        from: Time,
        schedule: String,
        zone: Option<String>,
        meta: Option<&WorkloadMeta>,
    ) -> Segment {
        let parsed = match controller_schedule(&schedule, zone.as_deref()).1 {
            Ok(p) => Some(p),
            Err(e) => {
                self.ticks.note.get_or_insert(format!("schedule {schedule:?}: {e}"));
                None
            }
        };
        let every = parsed.as_ref().is_some_and(|p| {
            semantics::of(self.kind).every_counts_from_cursor() && matches!(p.kind(), ScheduleKind::Every(_))
        });
        let cur = match meta {
            Some(m) if every => first_cursor(m, parsed.as_ref()),
            _ => from.unix(),
        };
        let stopped = parsed.is_none();
        Segment { index, schedule, zone, parsed, every, cur, stopped }
    }

    /// How many instants it keeps.
    pub(super) fn held(&self) -> usize {
        self.creations.len() + self.pending.len() + self.early.len() + self.ticks.times.held()
    }

    /// A record at `t` is about to be read: every tick before it is drawn.
    pub(super) fn advance(&mut self, t: Time) {
        self.walk(Until::Before(t));
    }

    /// A run was created at `at` for the tick `scheduled`.
    pub(super) fn created(&mut self, at: Time, scheduled: Option<Time>) {
        self.advance(at);
        if let Some(s) = scheduled {
            if let Ok(i) = self.pending.binary_search(&s) {
                self.pending.remove(i);
            } else if self.last_tick.is_none_or(|l| s > l) {
                self.early.insert(s);
            }
        }
        if self.seg.every {
            self.creations.push_back(at);
        }
    }

    /// The workload's spec changed at `at`: a schedule or zone edit starts
    /// a new segment (later ticks are drawn under it).
    pub(super) fn changed(&mut self, at: Time, edit: &SpecEdit) {
        let (mut schedule, mut zone) = (self.seg.schedule.clone(), self.seg.zone.clone());
        match edit {
            SpecEdit::Schedule(s) => schedule = s.clone(),
            SpecEdit::TimeZone(z) => zone = z.clone(),
            _ => return,
        }
        self.walk(Until::Through(at, false));
        self.seg = self.segment(self.seg.index + 1, at, schedule, zone, None);
    }

    /// The ticks up to the horizon end (excluded: its run would come after).
    pub(super) fn finish(mut self) -> Ticks {
        self.walk(Until::Through(self.horizon_end, true));
        for t in std::mem::take(&mut self.pending) {
            self.ticks.missed.push(t);
        }
        self.ticks
    }

    fn walk(&mut self, until: Until) {
        if self.seg.stopped {
            return;
        }
        let Some(parsed) = self.seg.parsed.take() else { return };
        self.walk_with(&parsed, until);
        self.seg.parsed = Some(parsed);
    }

    fn walk_with(&mut self, parsed: &Schedule, until: Until) {
        while let Some(next) = parsed.next(self.seg.cur, self.local) {
            if self.seg.every {
                while self.creations.front().is_some_and(|c| c.unix() <= self.seg.cur) {
                    self.creations.pop_front();
                }
                if let Some(c) = self.creations.front().copied()
                    && c < Time::from_unix(next)
                {
                    // No slot lies before this creation: the cursor jumps.
                    self.seg.cur = c.unix();
                    self.creations.pop_front();
                    continue;
                }
            }
            if next <= self.seg.cur {
                self.ticks
                    .note
                    .get_or_insert(format!("Next stopped advancing at {}", Time::from_unix(self.seg.cur)));
                self.seg.stopped = true;
                return;
            }
            let t = Time::from_unix(next);
            match until {
                Until::Before(bound) if t >= bound => return,
                Until::Through(end, last) if t > end || (last && t == end) => {
                    self.seg.stopped = true;
                    return;
                }
                _ => {}
            }
            if self.ticks.times.len() >= MAX_TICKS {
                self.ticks.capped = true;
                self.seg.stopped = true;
                return;
            }
            self.ticks.times.push(t);
            self.last_tick = Some(t);
            // Scheduled times that were not ticks can no longer match.
            while self.early.first().is_some_and(|s| *s < t) {
                self.early.pop_first();
            }
            if !self.early.remove(&t) {
                self.pending.push_back(t);
            }
            self.seg.cur = next;
        }
        self.seg.stopped = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::svg::test_meta as meta;

    fn instants(m: &Marks) -> Vec<i64> {
        m.drawn().unwrap_or_default().iter().map(|t| t.unix()).collect()
    }

    #[test]
    fn a_schedule_change_starts_a_new_segment() {
        let meta = meta(WorkloadKind::CronJob, "default/a", "0 * * * *", 4, None);
        let mut w = TickWalk::new(&meta);
        w.changed(Time::from_unix(7200), &SpecEdit::Schedule("*/30 * * * *".into()));
        let t = w.finish();
        assert_eq!(instants(&t.times), [3600, 7200, 9000, 10800, 12600]);
        assert_eq!(t.missed.len(), 5);
    }

    #[test]
    fn cronoperation_every_slots_restart_at_each_creation() {
        let meta = meta(WorkloadKind::CronOperation, "co", "@every 1h", 6, Some(Time::from_unix(0)));
        let mut w = TickWalk::new(&meta);
        w.created(Time::from_unix(3600), Some(Time::from_unix(3600)));
        w.created(Time(3 * 3_600_000 + 600_400), None);
        let t = w.finish();
        let mins: Vec<i64> = instants(&t.times).iter().map(|s| s / 60).collect();
        assert_eq!(mins, [60, 120, 180, 250, 310]);
        assert_eq!(instants(&t.missed).iter().map(|s| s / 60).collect::<Vec<_>>(), [120, 180, 250, 310]);
    }

    #[test]
    fn a_run_created_late_still_claims_its_tick() {
        let meta = meta(WorkloadKind::CronJob, "default/a", "0 * * * *", 4, None);
        let mut w = TickWalk::new(&meta);
        w.advance(Time::from_unix(3 * 3600 + 10));
        w.created(Time::from_unix(3 * 3600 + 10), Some(Time::from_unix(3600)));
        assert_eq!(instants(&w.finish().missed), [7200, 10800]);
    }
}
