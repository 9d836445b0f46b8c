//! What the timeline shows, read from the event log as it streams by: one
//! bar per run (Job or Operation) with its outcome and lane, schedule
//! ticks, downtime, deletions and spec changes of one workload.
//!
//! Memory stays flat however long the horizon: runs are followed while
//! they are in the store; finished ones are kept as bars only while there
//! are at most [`MAX_BARS`], then only counted per bucket for the
//! histogram; ticks and deletions are [`Marks`]; the ticks still waiting
//! for their run are the one list that grows (8 bytes a tick, when a
//! workload misses its ticks, up to [`super::ticks::MAX_TICKS`]).

use super::marks::{BUCKETS, Marks, bucket_of};
use super::ticks::{TickWalk, Ticks};
use super::{MAX_BARS, MAX_LANES};
use crate::model::Time;
use crate::sim::edit::SpecEdit;
use crate::sim::log::{DeletedBy, Entry, Fault, LogSink, Record};
use crate::sim::{WorkloadKind, WorkloadMeta};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// How a run's bar is coloured.
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

/// One run's bar.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bar {
    pub job: SmolStr,
    pub created: Time,
    /// Finish, else deletion, else the horizon end.
    pub end: Time,
    pub outcome: Outcome,
    /// 0-based lane; overlapping bars get different lanes.
    pub lane: usize,
}

/// Runs created per histogram bucket, by outcome.
pub(super) type Histogram = Vec<BTreeMap<Outcome, u64>>;

/// Deletion marks by who deleted.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Deletions {
    /// All of them.
    pub total: usize,
    pub by_kind: BTreeMap<DeletedBy, Marks>,
}

/// Everything drawn for one workload.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Timeline {
    /// CronJob or CronOperation (its runs are Operations).
    pub kind: WorkloadKind,
    pub start: Time,
    pub end: Time,
    /// Runs created.
    pub runs: usize,
    /// Every run's bar, in creation order, when there are at most
    /// [`MAX_BARS`].
    pub bars: Vec<Bar>,
    pub lanes: usize,
    /// Runs per bucket, when there are too many runs or lanes for bars.
    pub histogram: Option<Histogram>,
    pub ticks: Ticks,
    pub deletions: Deletions,
    pub downtime: Vec<(Time, Time)>,
    /// Spec changes and the workload's deletion ([`SpecEdit::Delete`]).
    pub changes: Vec<(Time, SpecEdit)>,
    /// Windows with `spec.suspend: true` (a CronOperation: paused by
    /// annotation).
    pub suspended: Vec<(Time, Time)>,
}

#[derive(Debug, Clone)]
struct RunFacts {
    /// Creation order.
    ord: usize,
    created: Time,
    finished: Option<(Time, Outcome)>,
    deleted: Option<(Time, DeletedBy)>,
    removed: Option<Time>,
    /// Already in the histogram.
    counted: bool,
}

impl RunFacts {
    /// The bar's end and outcome: finish, else deletion, else removal or
    /// the horizon end.
    fn outcome(&self, horizon_end: Time) -> (Time, Outcome) {
        let (end, outcome) = match (self.finished, self.deleted) {
            (Some((t, o)), _) => (t, o),
            (None, Some((t, _))) => (t, Outcome::Replaced),
            (None, None) => (self.removed.unwrap_or(horizon_end), Outcome::Unfinished),
        };
        (end.max(self.created), outcome)
    }
}

/// One workload's timeline, built as the log streams by.
#[derive(Debug)]
pub(super) struct Builder {
    meta: WorkloadMeta,
    end: Time,
    runs: usize,
    /// Runs still in the store, by name.
    live: FxHashMap<SmolStr, RunFacts>,
    /// Bars of runs that are gone, while there are at most [`MAX_BARS`] runs.
    gone: Vec<(usize, Bar)>,
    histogram: Option<Histogram>,
    ticks: TickWalk,
    deletions: Deletions,
    downtime: Vec<(Time, Time)>,
    changes: Vec<(Time, SpecEdit)>,
}

impl Builder {
    fn new(meta: &WorkloadMeta) -> Builder {
        Builder {
            end: meta.horizon_end.max(meta.horizon_start),
            runs: 0,
            live: FxHashMap::default(),
            gone: Vec::new(),
            histogram: None,
            ticks: TickWalk::new(meta),
            deletions: Deletions::default(),
            downtime: Vec::new(),
            changes: Vec::new(),
            meta: meta.clone(),
        }
    }

    fn count(hist: &mut Histogram, start: Time, end: Time, created: Time, o: Outcome) {
        if let Some(m) = hist.get_mut(bucket_of(start, end, created)) {
            *m.entry(o).or_insert(0) += 1;
        }
    }

    fn created(&mut self, t: Time, run: &SmolStr, scheduled: Option<Time>) {
        self.ticks.created(t, scheduled);
        let facts = RunFacts {
            ord: self.runs,
            created: t,
            finished: None,
            deleted: None,
            removed: None,
            counted: false,
        };
        self.runs += 1;
        if let Some(old) = self.live.insert(run.clone(), facts) {
            self.retire(run.clone(), old);
        }
        if self.runs > MAX_BARS && self.histogram.is_none() {
            // Too many for bars: from now on runs are counted per bucket.
            let (start, end) = (self.meta.horizon_start, self.end);
            let mut hist = vec![BTreeMap::new(); BUCKETS];
            for (_, b) in std::mem::take(&mut self.gone) {
                Self::count(&mut hist, start, end, b.created, b.outcome);
            }
            for f in self.live.values_mut().filter(|f| f.finished.is_some()) {
                let (_, o) = f.outcome(end);
                Self::count(&mut hist, start, end, f.created, o);
                f.counted = true;
            }
            self.histogram = Some(hist);
        }
    }

    fn finished(&mut self, run: &str, t: Time, o: Outcome) {
        let (start, end) = (self.meta.horizon_start, self.end);
        let Some(f) = self.live.get_mut(run) else { return };
        f.finished.get_or_insert((t, o));
        if let Some(hist) = self.histogram.as_mut()
            && !f.counted
        {
            let (_, o) = f.outcome(end);
            Self::count(hist, start, end, f.created, o);
            f.counted = true;
        }
    }

    /// A run leaves the store (or is seen for the last time): its bar is
    /// final.
    fn retire(&mut self, run: SmolStr, f: RunFacts) {
        let (start, end) = (self.meta.horizon_start, self.end);
        let (bar_end, outcome) = f.outcome(end);
        match self.histogram.as_mut() {
            Some(hist) if !f.counted => Self::count(hist, start, end, f.created, outcome),
            Some(_) => {}
            None => {
                let bar = Bar { job: run, created: f.created, end: bar_end, outcome, lane: 0 };
                self.gone.push((f.ord, bar));
            }
        }
    }

    fn record(&mut self, r: &Record, fact: Option<RunFact<'_>>) -> Option<SmolStr> {
        let t = r.time;
        match fact {
            Some(RunFact::Created(run, scheduled)) => self.created(t, run, scheduled),
            Some(RunFact::Finished(run, o)) => self.finished(run, t, o),
            Some(RunFact::Deleted(run, by, gone)) => {
                let f = self.live.get_mut(run)?;
                f.deleted.get_or_insert((t, by));
                self.deletions.total += 1;
                let (start, end) = (self.meta.horizon_start, self.end);
                self.deletions.by_kind.entry(by).or_insert_with(|| Marks::new(start, end)).push(t);
                if gone {
                    return self.remove(run);
                }
            }
            Some(RunFact::Removed(run)) => {
                self.live.get_mut(run)?.removed.get_or_insert(t);
                return self.remove(run);
            }
            None => {}
        }
        match &r.entry {
            Entry::Fault(Fault::DowntimeStart { until }) => self.downtime.push((t, (*until).min(self.end))),
            Entry::Fault(Fault::SpecChange { change, .. }) => {
                self.ticks.changed(t, change);
                self.changes.push((t, change.clone()));
            }
            Entry::Fault(Fault::CronJobDeleted { .. }) => self.changes.push((t, SpecEdit::Delete)),
            _ => {}
        }
        None
    }

    fn remove(&mut self, run: &str) -> Option<SmolStr> {
        let (name, f) = self.live.remove_entry(run)?;
        self.retire(name.clone(), f);
        Some(name)
    }

    /// Everything as at the horizon end.
    pub(super) fn finish(mut self) -> Timeline {
        let (start, end) = (self.meta.horizon_start, self.end);
        let mut live: Vec<(SmolStr, RunFacts)> = std::mem::take(&mut self.live).into_iter().collect();
        live.sort_by_key(|(_, f)| f.ord);
        for (name, f) in live {
            self.retire(name, f);
        }
        let mut gone = std::mem::take(&mut self.gone);
        gone.sort_by_key(|(ord, _)| *ord);
        let mut bars: Vec<Bar> = gone.into_iter().map(|(_, b)| b).collect();
        // Lanes show real overlap: a run created the instant another
        // finished shares its lane.
        let lanes = assign_lanes(&mut bars, 0);
        let mut histogram = self.histogram;
        if histogram.is_none() && lanes > MAX_LANES {
            let mut hist = vec![BTreeMap::new(); BUCKETS];
            for b in &bars {
                Self::count(&mut hist, start, end, b.created, b.outcome);
            }
            histogram = Some(hist);
        }
        let suspended = suspended_windows(self.meta.suspended, start, end, &self.changes);
        Timeline {
            kind: self.meta.kind,
            start,
            end,
            runs: self.runs,
            bars,
            lanes,
            histogram,
            ticks: self.ticks.finish(),
            deletions: self.deletions,
            downtime: self.downtime,
            changes: self.changes,
            suspended,
        }
    }
}

/// The timelines of every workload of a run, fed its records in log order
/// ([`LogSink`]): what `--out` draws, without keeping the log.
#[derive(Debug)]
pub struct Timelines {
    builders: Vec<Builder>,
    /// The fleet load's changes, when the report shows a fleet load
    /// (several workloads, or pods that request CPU or memory).
    pub(super) load: Option<super::load::LoadDeltas>,
    by_key: FxHashMap<SmolStr, usize>,
    /// Which workload each run in the store belongs to.
    runs: FxHashMap<SmolStr, usize>,
}

impl Timelines {
    /// Timelines for these workloads.
    pub fn new(metas: &[WorkloadMeta]) -> Timelines {
        Timelines {
            builders: metas.iter().map(Builder::new).collect(),
            load: (metas.len() > 1 || metas.iter().any(|m| !m.pod_requests.is_zero()))
                .then(|| super::load::LoadDeltas::new(metas)),
            by_key: metas.iter().enumerate().map(|(i, m)| (SmolStr::from(m.key.as_str()), i)).collect(),
            runs: FxHashMap::default(),
        }
    }

    /// Reads one record.
    pub fn feed(&mut self, r: &Record) {
        if let Some(load) = &mut self.load {
            load.feed(r);
        }
        let fact = run_fact(&r.entry);
        let owner = match &fact {
            Some(RunFact::Created(run, _)) => {
                let key = match &r.entry {
                    Entry::JobCreated { cronjob, .. } => cronjob,
                    Entry::OperationCreated { cronoperation, .. } => cronoperation,
                    Entry::WorkflowCreated { cronworkflow, .. } => cronworkflow,
                    _ => return,
                };
                let Some(&i) = self.by_key.get(key) else { return };
                self.runs.insert((*run).clone(), i);
                Some(i)
            }
            Some(RunFact::Finished(run, _) | RunFact::Deleted(run, ..) | RunFact::Removed(run)) => {
                self.runs.get(*run).copied()
            }
            None => None,
        };
        if let Some(i) = owner {
            if let Some(gone) = self.builders[i].record(r, fact) {
                self.runs.remove(&gone);
            }
            return;
        }
        match &r.entry {
            Entry::Fault(Fault::DowntimeStart { .. }) => {
                for b in &mut self.builders {
                    b.record(r, None);
                }
            }
            Entry::Fault(Fault::SpecChange { object, .. } | Fault::CronJobDeleted { object }) => {
                if let Some(&i) = self.by_key.get(object.as_str()) {
                    self.builders[i].record(r, None);
                }
            }
            _ => {}
        }
    }

    /// How many items the timelines hold now (runs followed, bars, ticks
    /// and marks kept): what their memory grows with.
    pub fn held(&self) -> usize {
        let per_builder = |b: &Builder| {
            let deletions: usize = b.deletions.by_kind.values().map(Marks::held).sum();
            b.live.len() + b.gone.len() + b.ticks.held() + deletions + b.downtime.len() + b.changes.len()
        };
        self.runs.len() + self.builders.iter().map(per_builder).sum::<usize>()
    }

    /// Each workload's timeline, by key.
    pub(super) fn finish(self) -> BTreeMap<String, Timeline> {
        self.builders.into_iter().map(|b| (b.meta.key.clone(), b.finish())).collect()
    }
}

impl LogSink for Timelines {
    fn record(&mut self, record: Record) {
        self.feed(&record);
    }

    fn wants_detail(&self) -> bool {
        false
    }
}

/// What a record says about one run (a Job, or a CronOperation's
/// Operation), so both kinds draw the same way.
enum RunFact<'a> {
    Created(&'a SmolStr, Option<Time>),
    Finished(&'a SmolStr, Outcome),
    /// Deleted; also gone from the store when the flag says so.
    Deleted(&'a SmolStr, DeletedBy, bool),
    Removed(&'a SmolStr),
}

fn run_fact(entry: &Entry) -> Option<RunFact<'_>> {
    Some(match entry {
        Entry::JobCreated { job, scheduled_time, .. } => RunFact::Created(job, *scheduled_time),
        Entry::OperationCreated { operation, scheduled_time, .. } => {
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
        Entry::JobDeleted { job, by, .. } => RunFact::Deleted(job, *by, false),
        // An Operation has no finalizers or pods: it leaves the store at
        // once, so its deletion is also its removal.
        Entry::OperationDeleted { operation, by } => RunFact::Deleted(operation, *by, true),
        Entry::JobRemoved { job } => RunFact::Removed(job),
        Entry::WorkflowCreated { workflow, scheduled_time, .. } => {
            RunFact::Created(workflow, Some(*scheduled_time))
        }
        Entry::WorkflowFinished { workflow, phase, message } => {
            let o = match (phase.as_str(), message.as_str()) {
                ("Succeeded", _) => Outcome::Succeeded,
                (_, crate::sim::actors::cronworkflow::TERMINATED) => Outcome::Replaced,
                (_, crate::sim::actors::workflow::DEADLINE_EXCEEDED) => Outcome::DeadlineExceeded,
                _ => Outcome::Failed,
            };
            RunFact::Finished(workflow, o)
        }
        // A Workflow's pods are not modelled: it leaves the store at once.
        Entry::WorkflowDeleted { workflow, by } => RunFact::Deleted(workflow, *by, true),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(c: i64, e: i64) -> Bar {
        Bar { job: SmolStr::default(), created: Time(c), end: Time(e), outcome: Outcome::Succeeded, lane: 9 }
    }

    #[test]
    fn overlapping_bars_get_separate_lanes_and_lanes_are_reused() {
        let mut bars = vec![bar(0, 100), bar(50, 150), bar(120, 200), bar(160, 170)];
        assert_eq!(assign_lanes(&mut bars, 10), 2);
        let lanes: Vec<usize> = bars.iter().map(|b| b.lane).collect();
        assert_eq!(lanes, [0, 1, 0, 1]);
    }
}
