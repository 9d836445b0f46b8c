//! The virtual clock and the simulator's event queue, plus a model of
//! client-go's rate-limited delaying work queue that each controller owns.
//!
//! Events are ordered by (time in ms, insertion sequence): two events at the
//! same instant run in the order they were scheduled, which makes every run
//! reproducible. There is no wall clock: time only moves when an event is
//! popped.

use super::capacity::TokenBucket;
use crate::model::{Millis, Time};
use rustc_hash::{FxHashMap, FxHashSet};
use smol_str::SmolStr;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A discrete-event queue with a virtual clock.
///
/// The heap orders 24-byte entries, (time, lane and sequence, slot), and
/// the events themselves wait in a slab: a sift moves the small entries,
/// not the events, so a large queue (a fleet sharing one engine) stays
/// cheap to reorder and its hot part stays in cache.
#[derive(Debug, Clone)]
pub struct EventQueue<E> {
    /// A binary heap on (time, lane, sequence): cheaper per push and pop
    /// than an ordered map, and the key is unique, so the order is total.
    heap: BinaryHeap<Entry>,
    /// The pending events, by slot.
    slab: Vec<Option<E>>,
    /// Slots free for reuse.
    free: Vec<u32>,
    seq: u64,
    now: Time,
    /// The lane of the event last popped, which events pushed now join.
    lane: u16,
}

/// One pending event's place in the order, earliest first (the heap is a
/// max-heap): the time with its sign bit flipped, so that negative
/// instants sort first; the lane and sequence packed into one word; the
/// event's slot.
#[derive(Debug, Clone, Copy)]
struct Entry {
    time: u64,
    order: u64,
    slot: u32,
}

/// (lane, sequence) as one number with the same order. The sequence keeps
/// 48 bits (2.8 · 10^14 events).
fn order_key(lane: u16, seq: u64) -> u64 {
    (u64::from(lane) << 48) | (seq & SEQ_MASK)
}

const SEQ_MASK: u64 = (1 << 48) - 1;

fn entry_time(e: &Entry) -> Time {
    Time((e.time ^ (1 << 63)) as i64)
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.order) == (other.time, other.order)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.order).cmp(&(self.time, self.order))
    }
}

impl<E> EventQueue<E> {
    /// An empty queue whose clock reads `start`.
    pub fn new(start: Time) -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slab: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now: start,
            lane: 0,
        }
    }

    /// The lane events pushed now join. At one instant, lane 0's events all
    /// run before lane 1's: an engine that runs several partitions together
    /// (sharing kube-controller-manager's capacity) keeps each partition's
    /// order and the merged log's (time, partition) order.
    pub fn lane(&self) -> u16 {
        self.lane
    }

    /// Sets the lane for the events pushed next (set-up of one partition).
    pub fn set_lane(&mut self, lane: u16) {
        self.lane = lane;
    }

    /// The virtual clock: the time of the last popped event (or the start).
    pub fn now(&self) -> Time {
        self.now
    }

    /// Schedules `event` at `at`; an instant in the past runs now (the clock
    /// never goes backwards).
    pub fn push(&mut self, at: Time, event: E) {
        let at = at.max(self.now);
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                // More than 4 · 10^9 events pending at once would exhaust
                // memory long before the slot index.
                (self.slab.len() - 1) as u32
            }
        };
        let time = (at.0 as u64) ^ (1 << 63);
        self.heap.push(Entry { time, order: order_key(self.lane, self.seq), slot });
        self.seq += 1;
    }

    /// Schedules `event` `delay` ms from now.
    pub fn push_after(&mut self, delay: Millis, event: E) {
        self.push(self.now.add(delay.max(0)), event);
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(entry_time)
    }

    /// Removes the earliest event (ties: first scheduled) and advances the
    /// clock to its time.
    pub fn pop(&mut self) -> Option<(Time, E)> {
        let entry = self.heap.pop()?;
        let event = self.slab.get_mut(entry.slot as usize).and_then(Option::take)?;
        self.free.push(entry.slot);
        let at = entry_time(&entry);
        self.now = at;
        self.lane = (entry.order >> 48) as u16;
        Some((at, event))
    }

    /// Events pushed so far (each handled once popped, stale or not): the
    /// engine's event count.
    pub fn pushed(&self) -> u64 {
        self.seq
    }

    /// Pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

/// client-go's `DefaultTypedControllerRateLimiter` per-item part: 5 ms ·
/// 2^failures, capped at 1000 s. Its other part, an overall bucket of 10
/// qps and burst 100 over every rate-limited requeue, is [`OVERALL_QPS`].
pub const RATE_LIMIT_BASE: Millis = 5;
/// The per-item cap of the default controller rate limiter.
pub const RATE_LIMIT_CAP: Millis = 1_000_000;
/// The default controller rate limiter's overall bucket
/// (`BucketRateLimiter{rate.NewLimiter(rate.Limit(10), 100)}`): it binds
/// only when more than 100 keys fail within seconds (an API outage over a
/// fleet).
pub const OVERALL_QPS: f64 = 10.0;
/// Its burst.
pub const OVERALL_BURST: u32 = 100;

/// One controller's work queue (`workqueue.TypedRateLimitingInterface`) as
/// far as timing goes. Syncs take no simulated time, so "being processed"
/// never overlaps another event and de-duplication reduces to: a key added
/// while already queued for processing is queued once.
///
/// The caller turns the instants this returns into simulator events and
/// hands them back to [`WorkQueue::fire`], which filters stale ones.
#[derive(Debug, Clone)]
pub struct WorkQueue {
    base: Millis,
    cap: Millis,
    /// Keys waiting in the delaying queue, with their ready time.
    waiting: FxHashMap<SmolStr, Time>,
    /// Keys added and not yet processed.
    queued: FxHashSet<SmolStr>,
    /// Rate-limiter failure counts (`NumRequeues`).
    failures: FxHashMap<SmolStr, u32>,
    /// The default controller rate limiter also has an overall bucket
    /// (the Job controller's has none).
    overall_bucket: bool,
    /// That bucket, from the first rate-limited requeue on.
    overall: Option<TokenBucket>,
}

/// What the caller must schedule after an add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wake {
    /// Nothing new: the key is already queued or waiting for an earlier time.
    Nothing,
    /// Process the key at this instant (now for an immediate add).
    At(Time),
}

impl WorkQueue {
    /// A queue with the default controller rate limiter.
    pub fn new() -> Self {
        WorkQueue { overall_bucket: true, ..Self::with_backoff(RATE_LIMIT_BASE, RATE_LIMIT_CAP) }
    }

    /// A queue whose rate limiter starts at `base` and doubles up to `cap`
    /// (the Job controller uses 1 s / 1 min).
    pub fn with_backoff(base: Millis, cap: Millis) -> Self {
        WorkQueue {
            base,
            cap,
            waiting: FxHashMap::default(),
            queued: FxHashSet::default(),
            failures: FxHashMap::default(),
            overall_bucket: false,
            overall: None,
        }
    }

    /// `Add`: process as soon as possible. Any waiting timer for the key
    /// stays (client-go keeps it, so it causes one more sync later).
    pub fn add(&mut self, key: &SmolStr, now: Time) -> Wake {
        if self.queued.insert(key.clone()) { Wake::At(now) } else { Wake::Nothing }
    }

    /// `AddAfter`: `d <= 0` is an `Add`; otherwise the key waits, and a key
    /// already waiting keeps the earlier of its two ready times.
    pub fn add_after(&mut self, key: &SmolStr, delay: Millis, now: Time) -> Wake {
        if delay <= 0 {
            return self.add(key, now);
        }
        let at = now.add(delay);
        match self.waiting.get_mut(key) {
            Some(t) if *t <= at => Wake::Nothing,
            Some(t) => {
                *t = at;
                Wake::At(at)
            }
            None => {
                self.waiting.insert(key.clone(), at);
                Wake::At(at)
            }
        }
    }

    /// `AddRateLimited`: wait `base · 2^n` (capped) where n counts the
    /// key's failures since the last `Forget`.
    pub fn add_rate_limited(&mut self, key: &SmolStr, now: Time) -> Wake {
        let n = match self.failures.get_mut(key) {
            Some(n) => n,
            None => self.failures.entry(key.clone()).or_insert(0),
        };
        let mut delay = backoff(self.base, self.cap, *n);
        *n = n.saturating_add(1);
        if self.overall_bucket {
            let bucket =
                self.overall.get_or_insert_with(|| TokenBucket::new(OVERALL_QPS, OVERALL_BURST, now));
            delay = delay.max(bucket.reserve(now).since(now));
        }
        self.add_after(key, delay, now)
    }

    /// Drops a key's pending timer (its timer event then fires nothing);
    /// when it was due.
    pub fn cancel_timer(&mut self, key: &SmolStr) -> Option<Time> {
        self.waiting.remove(key)
    }

    /// A key's rate-limited requeues since its last `Forget`.
    pub fn failures(&self, key: &str) -> u32 {
        if self.failures.is_empty() {
            return 0;
        }
        self.failures.get(key).copied().unwrap_or(0)
    }

    /// Sets a key's count of rate-limited requeues (restoring it after a
    /// fast-forward).
    pub fn set_failures(&mut self, key: &SmolStr, n: u32) {
        self.failures.insert(key.clone(), n);
    }

    /// `Forget`: reset the key's rate-limiter history.
    pub fn forget(&mut self, key: &SmolStr) {
        // Called after every sync; a key is rarely failing, and an empty
        // map still hashes the key.
        if !self.failures.is_empty() {
            self.failures.remove(key);
        }
    }

    /// Called when a scheduled wake-up for `key` at `at` comes due. A
    /// wake-up superseded by an earlier one, or already served, gives
    /// [`Wake::Nothing`]; otherwise the key moves into the queue as by
    /// [`WorkQueue::add`].
    pub fn fire(&mut self, key: &SmolStr, at: Time) -> Wake {
        // One lookup for the common case, a due timer; a superseded one
        // (rare) goes back.
        match self.waiting.remove(key) {
            Some(t) if t == at => self.add(key, at),
            Some(t) => {
                self.waiting.insert(key.clone(), t);
                Wake::Nothing
            }
            None => Wake::Nothing,
        }
    }

    /// Whether the key waits to be processed.
    pub fn is_queued(&self, key: &SmolStr) -> bool {
        self.queued.contains(key)
    }

    /// `Get` + the start of processing: true when the key was queued.
    pub fn take(&mut self, key: &SmolStr) -> bool {
        self.queued.remove(key)
    }

    /// The ready time of a waiting key.
    pub fn waiting_until(&self, key: &str) -> Option<Time> {
        self.waiting.get(key).copied()
    }

    /// Drops everything: a controller restart loses its in-memory queue.
    pub fn clear(&mut self) {
        self.waiting.clear();
        self.queued.clear();
        self.failures.clear();
        self.overall = None;
    }
}

impl Default for WorkQueue {
    fn default() -> Self {
        Self::new()
    }
}

/// `base · 2^n`, capped.
pub fn backoff(base: Millis, cap: Millis, n: u32) -> Millis {
    let mut d = base;
    for _ in 0..n {
        d = d.saturating_mul(2);
        if d >= cap {
            return cap;
        }
    }
    d.min(cap)
}
