//! The event queue and the work-queue model.

use cronwarp::model::Time;
use cronwarp::sim::queue::{EventQueue, Wake, WorkQueue, backoff};

#[test]
fn events_at_the_same_instant_run_in_insertion_order() {
    let mut q = EventQueue::new(Time(0));
    q.push(Time(10), "b1");
    q.push(Time(5), "a");
    q.push(Time(10), "b2");
    q.push(Time(10), "b3");
    let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
    assert_eq!(order, vec![(Time(5), "a"), (Time(10), "b1"), (Time(10), "b2"), (Time(10), "b3")]);
    assert_eq!(q.now(), Time(10));
}

/// Instants before 1970 are negative milliseconds; the queue's packed
/// (time, sequence) key must still put them first, the extremes included.
#[test]
fn instants_before_1970_and_extreme_times_keep_their_order() {
    let mut q = EventQueue::new(Time(i64::MIN));
    for t in [i64::MAX, 0, -1, 1, i64::MIN, -86_400_000, 86_400_000] {
        q.push(Time(t), t);
    }
    let order: Vec<i64> = std::iter::from_fn(|| q.pop())
        .map(|(at, t)| {
            assert_eq!(at, Time(t));
            t
        })
        .collect();
    assert_eq!(order, vec![i64::MIN, -86_400_000, -1, 0, 1, 86_400_000, i64::MAX]);
    assert_eq!(q.peek_time(), None);
}

/// Pushes and pops interleaved at random, thousands pending at a time
/// (as when a fleet shares one engine), give exactly the (time, insertion)
/// order a sorted list gives.
#[test]
fn a_large_queue_pops_in_time_then_insertion_order() {
    let mut q = EventQueue::new(Time(0));
    let mut model: std::collections::BTreeSet<(i64, u64)> = std::collections::BTreeSet::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut seq = 0u64;
    for round in 0..20_000u64 {
        // Fill for the first half, drain in the second; few distinct
        // instants, so ties between equal times are common.
        let pushes = if round < 10_000 { 2 } else { 1 };
        for _ in 0..pushes {
            let at = q.now().0 + (next() % 50) as i64;
            q.push(Time(at), seq);
            model.insert((at, seq));
            seq += 1;
        }
        for _ in 0..(next() % 3) {
            let got = q.pop().map(|(at, s)| (at.0, s));
            assert_eq!(got, model.pop_first(), "round {round}");
        }
    }
    while let Some(expected) = model.pop_first() {
        assert_eq!(q.pop().map(|(at, s)| (at.0, s)), Some(expected));
    }
    assert!(q.is_empty());
}

#[test]
fn the_clock_never_goes_backwards() {
    let mut q = EventQueue::new(Time(100));
    q.push(Time(50), ());
    assert_eq!(q.pop(), Some((Time(100), ())));
}

#[test]
fn add_after_keeps_the_earlier_ready_time() {
    let mut wq = WorkQueue::new();
    let k = smol_str::SmolStr::new_static("k");
    assert_eq!(wq.add_after(&k, 1000, Time(0)), Wake::At(Time(1000)));
    assert_eq!(wq.add_after(&k, 5000, Time(0)), Wake::Nothing);
    assert_eq!(wq.waiting_until(&k), Some(Time(1000)));
    assert_eq!(wq.add_after(&k, 500, Time(0)), Wake::At(Time(500)));
    // The superseded timer is stale when it fires.
    assert_eq!(wq.fire(&k, Time(1000)), Wake::Nothing);
    assert_eq!(wq.fire(&k, Time(500)), Wake::At(Time(500)));
}

#[test]
fn an_immediate_add_is_deduplicated_until_processed() {
    let mut wq = WorkQueue::new();
    let k = smol_str::SmolStr::new_static("k");
    assert_eq!(wq.add(&k, Time(0)), Wake::At(Time(0)));
    assert_eq!(wq.add(&k, Time(0)), Wake::Nothing);
    assert!(wq.take(&k));
    assert!(!wq.take(&k));
    assert_eq!(wq.add(&k, Time(1)), Wake::At(Time(1)));
}

#[test]
fn rate_limited_retries_double_from_5ms_to_1000s() {
    let mut wq = WorkQueue::new();
    let k = smol_str::SmolStr::new_static("k");
    assert_eq!(wq.add_rate_limited(&k, Time(0)), Wake::At(Time(5)));
    wq.fire(&k, Time(5));
    wq.take(&k);
    assert_eq!(wq.add_rate_limited(&k, Time(5)), Wake::At(Time(15)));
    wq.forget(&k);
    wq.fire(&k, Time(15));
    wq.take(&k);
    assert_eq!(wq.add_rate_limited(&k, Time(20)), Wake::At(Time(25)));
    assert_eq!(backoff(5, 1_000_000, 30), 1_000_000);
    assert_eq!(backoff(5, 1_000_000, 3), 40);
}
