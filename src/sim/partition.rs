//! Running a scenario as independent partitions, one per CronJob, in
//! windows of virtual time, on as many threads as asked, with one merged
//! log.
//!
//! Upstream runs every CronJob in one kube-controller-manager, but no
//! decision of its CronJob, Job or TTL controller reads another CronJob's
//! objects: the work queues, backoff records and listers are per key, and a
//! sync takes no virtual time, so no CronJob waits for another's. The only
//! shared inputs are the controller's downtime, which every partition
//! replays, and the API server's uid and resourceVersion counters, which
//! only need to be unique (uids: each partition has its own uid space) or
//! ordered within one object (resourceVersions). So a scenario whose
//! workloads do not reach into each other runs as one engine per CronJob.
//! That is what makes a fleet fast: each engine's state stays in the CPU's
//! caches while it runs a window, where one engine for a thousand CronJobs
//! touched all of them at every instant (it ran at half the speed per Job).
//!
//! Records are merged by (time, partition): at one instant, a partition's
//! records come together, in workload order, whatever the thread count.
//! The engines only ever see their own partition, so the output is the
//! same for 1 thread or 64. DESIGN.md has the note on it.

use super::engine::Engine;
use super::log::{LogSink, Record};
use super::scenario::WorkloadSpec;
use super::world::key;
use crate::model::{Millis, SECOND, Time};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, MutexGuard, PoisonError};

/// How far all partitions advance before their records are merged: the
/// log buffered meanwhile is at most this much virtual time.
pub const WINDOW: Millis = 3600 * SECOND;

const DAY: Millis = 24 * 3600 * SECOND;

/// Groups workloads into partitions, by index. Each workload is its own
/// partition unless some reach into others, in which case all share one:
/// - a CronOperation (the Crossplane pod has one store and one clock);
/// - two workloads with the same CronJob key, CronJob uid or seeded Job key
///   (the store rejects the second; one engine reports it as before);
/// - a seeded Job whose owner reference names, by name or uid, another
///   workload's CronJob (that CronJob's controller lists it, and the
///   garbage collector checks the owner exists);
/// - a CronJob whose `status.active` names another workload's seeded Job.
pub fn plan(specs: &[WorkloadSpec]) -> Vec<Vec<usize>> {
    let together = || vec![(0..specs.len()).collect::<Vec<_>>()];
    if specs.len() < 2 {
        return together();
    }
    let mut cronjobs: FxHashMap<SmolStr, usize> = FxHashMap::default();
    let mut uids: FxHashMap<SmolStr, usize> = FxHashMap::default();
    let mut jobs: FxHashMap<SmolStr, usize> = FxHashMap::default();
    let mut objects = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let WorkloadSpec::CronJob(o) = spec else { return together() };
        let meta = &o.cronjob.metadata;
        if cronjobs.insert(key(&meta.namespace, &meta.name), i).is_some()
            || (!meta.uid.is_empty() && uids.insert(meta.uid.clone(), i).is_some())
        {
            return together();
        }
        for j in &o.jobs {
            if jobs.insert(key(&j.metadata.namespace, &j.metadata.name), i).is_some() {
                return together();
            }
        }
        objects.push(o);
    }
    let other = |map: &FxHashMap<SmolStr, usize>, k: &str, i: usize| map.get(k).is_some_and(|&w| w != i);
    for (i, o) in objects.iter().enumerate() {
        for j in &o.jobs {
            for r in &j.metadata.owner_references {
                if other(&cronjobs, &key(&j.metadata.namespace, &r.name), i) || other(&uids, &r.uid, i) {
                    return together();
                }
            }
        }
        let ns = &o.cronjob.metadata.namespace;
        for a in &o.cronjob.status.active {
            let ans = if a.namespace.is_empty() { ns } else { &a.namespace };
            if other(&jobs, &key(ans, &a.name), i) {
                return together();
            }
        }
    }
    (0..specs.len()).map(|i| vec![i]).collect()
}

fn lock(e: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    // A panicking engine already failed the run; its state is not read.
    e.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a partitioned run stopped early: the first partition (by time, then
/// index) whose instant never ended.
type Stall = Mutex<Option<(Time, usize)>>;

/// Advances every partition not yet taken to `end`, taking them one at a
/// time from `next` (threads share the work; which thread runs which
/// partition changes nothing).
fn work(engines: &[Mutex<Engine>], next: &AtomicUsize, end: Time, stall: &Stall) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(e) = engines.get(i) else { return };
        if let Err(t) = lock(e).run_until(end) {
            let mut s = stall.lock().unwrap_or_else(PoisonError::into_inner);
            if s.is_none_or(|first| (t, i) < first) {
                *s = Some((t, i));
            }
        }
    }
}

/// Merges the partitions' buffered records. Its buffers and heap live as
/// long as the run, and swap places with the engines' (which keep their
/// capacity), so a merge allocates nothing: freeing large scratch buffers
/// at every window made glibc's allocator consolidate its free lists,
/// which cost a tenth of a fleet's run time.
struct Merger {
    bufs: Vec<Vec<Record>>,
    heap: BinaryHeap<Reverse<(Time, usize)>>,
}

impl Merger {
    fn new(n: usize) -> Self {
        Merger { bufs: (0..n).map(|_| Vec::new()).collect(), heap: BinaryHeap::with_capacity(n) }
    }

    /// Writes the partitions' buffered records into `sink` in (time,
    /// partition) order.
    fn merge(&mut self, engines: &[Mutex<Engine>], sink: &mut dyn LogSink) {
        if let [only] = engines {
            for r in lock(only).out.drain(..) {
                sink.record(r);
            }
            return;
        }
        for (i, (e, buf)) in engines.iter().zip(&mut self.bufs).enumerate() {
            std::mem::swap(&mut lock(e).out, buf);
            // Popped from the back, so reversed: the earliest comes first.
            buf.reverse();
            if let Some(r) = buf.last() {
                self.heap.push(Reverse((r.time, i)));
            }
        }
        while let Some(Reverse((_, i))) = self.heap.pop() {
            // Everything before the next partition's head goes in one run.
            let bound = self.heap.peek().map(|Reverse(b)| *b);
            let buf = &mut self.bufs[i];
            while let Some(r) = buf.pop_if(|r| bound.is_none_or(|b| (r.time, i) < b)) {
                sink.record(r);
            }
            if let Some(r) = buf.last() {
                self.heap.push(Reverse((r.time, i)));
            }
        }
    }
}

/// Runs all partitions from their current time to `end`, window by window,
/// on `threads` threads; writes the merged log to `sink` after each window
/// and calls `progress` about once per simulated day. Fails with the
/// first stalled instant.
pub fn run(
    engines: &[Mutex<Engine>],
    start: Time,
    end: Time,
    threads: usize,
    sink: &mut dyn LogSink,
    progress: &mut dyn FnMut(Time),
) -> Result<(), Time> {
    let mut merger = Merger::new(engines.len());
    merger.merge(engines, sink);
    let threads = threads.clamp(1, engines.len().max(1));
    let next = AtomicUsize::new(0);
    let stall: Stall = Mutex::new(None);
    let mut last_report = start;
    let mut step = |w: Time, parallel: &dyn Fn()| -> Result<(), Time> {
        next.store(0, Ordering::Relaxed);
        parallel();
        merger.merge(engines, sink);
        if let Some((t, _)) = *stall.lock().unwrap_or_else(PoisonError::into_inner) {
            return Err(t);
        }
        if w.since(last_report) >= DAY && w < end {
            last_report = w;
            progress(w);
        }
        Ok(())
    };
    let windows = || {
        let mut w = start;
        std::iter::from_fn(move || {
            (w < end).then(|| {
                w = if end.since(w) > WINDOW { w.add(WINDOW) } else { end };
                w
            })
        })
    };
    if threads == 1 {
        for w in windows() {
            step(w, &|| work(engines, &next, w, &stall))?;
        }
        return Ok(());
    }
    let window_end = AtomicI64::new(start.0);
    let done = AtomicBool::new(false);
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(|| {
                loop {
                    barrier.wait();
                    if done.load(Ordering::Acquire) {
                        return;
                    }
                    work(engines, &next, Time(window_end.load(Ordering::Acquire)), &stall);
                    barrier.wait();
                }
            });
        }
        let mut result = Ok(());
        for w in windows() {
            window_end.store(w.0, Ordering::Release);
            result = step(w, &|| {
                barrier.wait();
                work(engines, &next, w, &stall);
                barrier.wait();
            });
            if result.is_err() {
                break;
            }
        }
        done.store(true, Ordering::Release);
        barrier.wait();
        result
    })
}
