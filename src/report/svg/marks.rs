//! Instants drawn as marks (ticks, deletions), collected as a log streams
//! by: each instant while there are few enough to draw one by one, and
//! always a count per bucket, so memory stays flat however many there are.

use crate::model::Time;

/// More instants than this are drawn as a density band.
pub const MAX_MARKS: usize = 2_000;
/// Buckets over the horizon for histograms and density bands.
pub const BUCKETS: usize = 300;

/// Equal buckets over `[start, end)`: `(from, to)` of bucket `i`.
pub(super) fn bucket_bounds(start: Time, end: Time, i: usize) -> (i64, i64) {
    let span = end.since(start).max(1);
    let at = |k: usize| start.0 + span.saturating_mul(k as i64) / BUCKETS as i64;
    (at(i), at(i + 1))
}

/// The bucket `t` falls in (clamped to the horizon).
pub(super) fn bucket_of(start: Time, end: Time, t: Time) -> usize {
    let span = end.since(start).max(1);
    let k = t.since(start).clamp(0, span - 1).saturating_mul(BUCKETS as i64) / span;
    (k as usize).min(BUCKETS - 1)
}

/// Instants over `[start, end)`, in the order they came.
#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct Marks {
    start: Time,
    end: Time,
    count: usize,
    /// Every instant, while there are at most [`MAX_MARKS`].
    times: Vec<Time>,
    /// Instants per bucket (empty until the first).
    buckets: Vec<u64>,
}

impl Marks {
    pub(super) fn new(start: Time, end: Time) -> Marks {
        Marks { start, end, ..Marks::default() }
    }

    pub(super) fn push(&mut self, t: Time) {
        self.count += 1;
        if self.count <= MAX_MARKS {
            self.times.push(t);
        } else if !self.times.is_empty() {
            self.times = Vec::new();
        }
        if self.buckets.is_empty() {
            self.buckets = vec![0; BUCKETS];
        }
        self.buckets[bucket_of(self.start, self.end, t)] += 1;
    }

    /// How many instants it keeps.
    pub(super) fn held(&self) -> usize {
        self.times.len()
    }

    /// How many instants came.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Each instant, when there are at most [`MAX_MARKS`]; else the count
    /// per bucket.
    pub(super) fn drawn(&self) -> Result<&[Time], &[u64]> {
        if self.count <= MAX_MARKS { Ok(&self.times) } else { Err(&self.buckets) }
    }
}
