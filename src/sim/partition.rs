//! Running a scenario as independent partitions, one per workload, in
//! windows of virtual time, on as many threads as asked, into one merged
//! log or one sink per partition.
//!
//! Upstream runs every CronJob in one kube-controller-manager, but no
//! decision of its CronJob, Job or TTL controller reads another CronJob's
//! objects: the work queues, backoff records and listers are per key, and
//! with the ideal controller a sync takes no virtual time, so no CronJob
//! waits for another's (with kube-controller-manager's capacity modelled,
//! `run` puts the CronJobs' partitions in one engine, in lanes). The only
//! shared inputs are the controller's downtime, which every partition
//! replays, and the API server's uid and resourceVersion counters, which
//! only need to be unique (uids: each partition has its own uid space) or
//! ordered within one object (resourceVersions). The same holds for the
//! Crossplane pod: a CronOperation's reconcile lists only its own
//! Operations. So a scenario whose workloads do not reach into each other
//! runs as one engine per workload (see [`plan`]).
//! That is what makes a fleet fast: each engine's state stays in the CPU's
//! caches while it runs a window, where one engine for a thousand CronJobs
//! touched all of them at every instant (a Job run cost half again as
//! much).
//!
//! A merged log goes by (time, partition): at one instant, a partition's
//! records come together, in workload order, whatever the thread count.
//! A sink per partition sees that partition's records and the shared
//! faults, fed by whichever thread runs it. The engines only ever see their
//! own partition, so the output is the same for 1 thread or 64.
//! docs/design.md#partitions-one-engine-per-independent-workload has the note on it.

use super::api_server::key;
use super::engine::Engine;
use super::log::{LogSink, Record};
use super::scenario::WorkloadSpec;
use crate::model::crossplane::LABEL_CRONOPERATION_NAME;
use crate::model::{Millis, SECOND, Time};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex, MutexGuard, PoisonError, RwLock};

/// How far all partitions advance before their records are merged: the
/// log buffered meanwhile is at most this much virtual time.
pub const WINDOW: Millis = 3600 * SECOND;

/// With a sink per partition, how far a partition runs before its records
/// are handed over (while they are still in the CPU's caches).
pub const LOCAL_STEP: Millis = 600 * SECOND;

/// Where a partitioned run's records go.
pub enum Sinks<'a, S> {
    /// One log, merged by (time, partition).
    Merged(&'a mut dyn LogSink),
    /// One sink per partition, in partition order, and what to do with
    /// them after each window, when every partition has reached its end
    /// (gather what they measured across partitions, say).
    Local(&'a [Mutex<S>], &'a mut dyn FnMut(&[Mutex<S>])),
}

const DAY: Millis = 24 * 3600 * SECOND;

/// Groups workloads into partitions, by index: a property of object
/// ownership. Each workload is its own partition unless some reach into
/// others, in which case all share one:
/// - two workloads with the same owner (CronJob key or uid, CronOperation
///   name or uid) or the same seeded child (Job key, Operation name): the
///   store rejects the second; one engine reports it as before;
/// - a seeded child whose owner reference (by name or uid) or
///   `crossplane.io/cronoperation` label names another workload's owner
///   (that owner's controller lists it, and the garbage collector checks
///   the owner exists);
/// - a CronJob whose `status.active` names another workload's seeded Job.
///
/// CronJobs and CronOperations never reach into each other: their
/// controllers run in different processes and watch different kinds.
pub fn plan(specs: &[WorkloadSpec]) -> Vec<Vec<usize>> {
    let together = || vec![(0..specs.len()).collect::<Vec<_>>()];
    if specs.len() < 2 {
        return together();
    }
    // Owners and children by identity; Kubernetes keys (`ns/name`) and
    // Crossplane names (no `/`) cannot collide, uids are unique anyway.
    let mut owners: FxHashMap<SmolStr, usize> = FxHashMap::default();
    let mut uids: FxHashMap<SmolStr, usize> = FxHashMap::default();
    let mut children: FxHashMap<SmolStr, usize> = FxHashMap::default();
    for (i, spec) in specs.iter().enumerate() {
        let (owner, uid, kids): (SmolStr, &SmolStr, Vec<SmolStr>) = match spec {
            WorkloadSpec::CronJob(o) => {
                let meta = &o.cronjob.metadata;
                let kids = o.jobs.iter().map(|j| key(&j.metadata.namespace, &j.metadata.name)).collect();
                (key(&meta.namespace, &meta.name), &meta.uid, kids)
            }
            WorkloadSpec::CronOperation(x) => {
                let meta = &x.cronoperation.metadata;
                let kids = x.operations.iter().map(|o| o.metadata.name.clone()).collect();
                (meta.name.clone(), &meta.uid, kids)
            }
            WorkloadSpec::CronWorkflow(a) => {
                let meta = &a.cronworkflow.metadata;
                (key(&meta.namespace, &meta.name), &meta.uid, Vec::new())
            }
        };
        if owners.insert(owner, i).is_some() || (!uid.is_empty() && uids.insert(uid.clone(), i).is_some()) {
            return together();
        }
        for k in kids {
            if children.insert(k, i).is_some() {
                return together();
            }
        }
    }
    let other = |map: &FxHashMap<SmolStr, usize>, k: &str, i: usize| map.get(k).is_some_and(|&w| w != i);
    for (i, spec) in specs.iter().enumerate() {
        match spec {
            WorkloadSpec::CronJob(o) => {
                for j in &o.jobs {
                    for r in &j.metadata.owner_references {
                        if other(&owners, &key(&j.metadata.namespace, &r.name), i) || other(&uids, &r.uid, i)
                        {
                            return together();
                        }
                    }
                }
                let ns = &o.cronjob.metadata.namespace;
                for a in &o.cronjob.status.active {
                    let ans = if a.namespace.is_empty() { ns } else { &a.namespace };
                    if other(&children, &key(ans, &a.name), i) {
                        return together();
                    }
                }
            }
            WorkloadSpec::CronOperation(x) => {
                for op in &x.operations {
                    let label = op.metadata.labels.get(LABEL_CRONOPERATION_NAME);
                    let refs = op.metadata.owner_references.iter();
                    if label.is_some_and(|l| other(&owners, l, i))
                        || refs.clone().any(|r| other(&owners, &r.name, i) || other(&uids, &r.uid, i))
                    {
                        return together();
                    }
                }
            }
            // A CronWorkflow's Workflows are its own: nothing to share.
            WorkloadSpec::CronWorkflow(_) => {}
        }
    }
    (0..specs.len()).map(|i| vec![i]).collect()
}

thread_local! {
    /// The buffer a thread's partitions take turns to emit into when their
    /// records go to a sink of their own (see `Shared::advance`).
    static STEP_RECORDS: std::cell::RefCell<Vec<Record>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Moves an engine's buffered records into `sink`, keeping the buffer.
fn hand_over<S: LogSink + ?Sized>(out: &mut Vec<Record>, sink: &mut S) {
    for r in out.drain(..) {
        sink.record(r);
    }
}

fn lock(e: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    // A panicking engine already failed the run; its state is not read.
    e.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Why a partitioned run stopped early: the first partition (by time, then
/// index) whose instant never ended.
type Stall = Mutex<Option<(Time, usize)>>;

/// What the threads share while running a window.
struct Shared<'a, S> {
    engines: &'a [Mutex<Engine>],
    /// Per-partition sinks, fed by the thread that runs the partition
    /// (`None`: the records are merged into one log instead).
    locals: Option<&'a [Mutex<S>]>,
    /// Each partition's next event time (`i64::MAX` once it has none).
    next_at: Vec<AtomicI64>,
    /// The partitions with an event before the window's end, in order;
    /// written only between windows.
    due: RwLock<Vec<usize>>,
    /// How many of `due` have been taken.
    taken: AtomicUsize,
    stall: Stall,
}

fn next_event(e: &Engine) -> i64 {
    e.core.queue.peek_time().map_or(i64::MAX, |t| t.0)
}

impl<S: LogSink + Send> Shared<'_, S> {
    /// Advances every due partition not yet taken to `end`, one at a time
    /// (threads share the work; which thread runs which partition changes
    /// nothing).
    fn work(&self, end: Time) {
        let due = self.due.read().unwrap_or_else(PoisonError::into_inner);
        loop {
            let k = self.taken.fetch_add(1, Ordering::Relaxed);
            let Some(&i) = due.get(k) else { return };
            let mut e = lock(&self.engines[i]);
            if let Err(t) = self.advance(&mut e, i, end) {
                let mut s = self.stall.lock().unwrap_or_else(PoisonError::into_inner);
                if s.is_none_or(|first| (t, i) < first) {
                    *s = Some((t, i));
                }
            }
            self.next_at[i].store(next_event(&e), Ordering::Relaxed);
        }
    }

    /// Runs partition `i` to `end`. With a local sink, in steps of
    /// [`LOCAL_STEP`], handing each step's records over while they are
    /// still in the cache.
    fn advance(&self, e: &mut Engine, i: usize, end: Time) -> Result<(), Time> {
        let Some(locals) = self.locals else { return e.run_until(end) };
        let mut sink = locals[i].lock().unwrap_or_else(PoisonError::into_inner);
        // The records of a step go straight to the sink, so the engine
        // borrows its thread's buffer for them: a thousand partitions then
        // keep two buffers' capacity, not a thousand (records left from
        // before the first step stay in the engine's own, and go first).
        let borrowed = e.core.out.is_empty();
        if borrowed {
            STEP_RECORDS.with(|b| std::mem::swap(&mut e.core.out, &mut b.borrow_mut()));
        }
        let mut result = Ok(());
        while let Some(t) = e.core.queue.peek_time().filter(|t| *t < end) {
            let step = t.add(LOCAL_STEP).min(end);
            result = e.run_until(step);
            hand_over(&mut e.core.out, &mut *sink);
            if result.is_err() {
                break;
            }
        }
        if borrowed {
            STEP_RECORDS.with(|b| std::mem::swap(&mut e.core.out, &mut b.borrow_mut()));
        }
        result
    }

    /// Lists the partitions with work before `end`; returns how many.
    fn plan_window(&self, end: Time) -> usize {
        let mut due = self.due.write().unwrap_or_else(PoisonError::into_inner);
        due.clear();
        due.extend((0..self.next_at.len()).filter(|&i| self.next_at[i].load(Ordering::Relaxed) < end.0));
        self.taken.store(0, Ordering::Relaxed);
        due.len()
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
    fn merge(&mut self, engines: &[Mutex<Engine>], which: &[usize], sink: &mut dyn LogSink) {
        if let [only] = which {
            hand_over(&mut lock(&engines[*only]).core.out, sink);
            return;
        }
        for &i in which {
            let buf = &mut self.bufs[i];
            std::mem::swap(&mut lock(&engines[i]).core.out, buf);
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
/// on `threads` threads, and calls `progress` about once per simulated
/// day. The records go to `sinks`: one merged log, written after each
/// window, or one sink per partition. Fails with the first stalled
/// instant.
pub fn run<S: LogSink + Send>(
    engines: &[Mutex<Engine>],
    (start, end): (Time, Time),
    threads: usize,
    mut sinks: Sinks<'_, S>,
    progress: &mut dyn FnMut(Time),
) -> Result<(), Time> {
    let mut merger = Merger::new(engines.len());
    // Each engine learns whether its sink reads detail records; set-up
    // wrote before the sink was known, so what it wrote is trimmed to match.
    for (i, e) in engines.iter().enumerate() {
        let detail = match &sinks {
            Sinks::Merged(sink) => sink.wants_detail(),
            Sinks::Local(locals, _) => {
                locals.get(i).is_none_or(|s| s.lock().unwrap_or_else(PoisonError::into_inner).wants_detail())
            }
        };
        let mut e = lock(e);
        e.core.detail = detail;
        if !detail {
            e.core.out.retain(|r| !r.entry.is_detail());
        }
    }
    let locals = match &mut sinks {
        Sinks::Merged(sink) => {
            let all: Vec<usize> = (0..engines.len()).collect();
            merger.merge(engines, &all, *sink);
            None
        }
        Sinks::Local(locals, _) => {
            for (e, sink) in engines.iter().zip(locals.iter()) {
                let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                hand_over(&mut lock(e).core.out, &mut *sink);
            }
            Some(*locals)
        }
    };
    let window = if locals.is_some() { DAY } else { WINDOW };
    let sh = Shared {
        engines,
        locals,
        next_at: engines.iter().map(|e| AtomicI64::new(next_event(&lock(e)))).collect(),
        due: RwLock::new(Vec::with_capacity(engines.len())),
        taken: AtomicUsize::new(0),
        stall: Mutex::new(None),
    };
    let threads = threads.clamp(1, engines.len().max(1));
    let mut last_report = start;
    // Runs one window: `parallel` when several partitions are due, else
    // on this thread alone (waking the others costs more than it saves).
    let mut step = |w: Time, parallel: &dyn Fn()| -> Result<(), Time> {
        match sh.plan_window(w) {
            0 => {}
            1 => sh.work(w),
            _ => parallel(),
        }
        match &mut sinks {
            Sinks::Merged(sink) => {
                merger.merge(engines, &sh.due.read().unwrap_or_else(PoisonError::into_inner), *sink)
            }
            Sinks::Local(locals, after_window) => after_window(locals),
        }
        if let Some((t, _)) = *sh.stall.lock().unwrap_or_else(PoisonError::into_inner) {
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
                w = if end.since(w) > window { w.add(window) } else { end };
                w
            })
        })
    };
    if threads == 1 {
        for w in windows() {
            step(w, &|| sh.work(w))?;
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
                    sh.work(Time(window_end.load(Ordering::Acquire)));
                    barrier.wait();
                }
            });
        }
        let mut result = Ok(());
        for w in windows() {
            window_end.store(w.0, Ordering::Release);
            result = step(w, &|| {
                barrier.wait();
                sh.work(w);
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
