//! `Schedule::next` never touches the heap: the simulator calls it for every
//! CronJob on every sync, so it must cost no allocation, in UTC and in DST
//! zones alike, for cron specs and `@every`.
//!
//! A counting global allocator wraps the system one; the test counts the
//! allocations made by this thread while it walks schedules. The zone
//! offset tables are built in static memory on a zone's first use, so even
//! the first call into a fresh zone must not allocate: the zones below are
//! used here for the first time inside the counted section.

use chrono_tz::Tz;
use cronwarp::schedule::{Schedule, Zone};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    /// Allocations by this thread; other test threads do not disturb it.
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCS.with(Cell::get);
    f();
    ALLOCS.with(Cell::get) - before
}

/// Walks `next` from `from` `n` times; returns how many fire times it saw.
fn walk(s: &Schedule, from: i64, local: Zone, n: usize) -> usize {
    let mut t = from;
    let mut seen = 0;
    for _ in 0..n {
        match s.next(t, local) {
            Some(u) if u > t => {
                t = u;
                seen += 1;
            }
            _ => break,
        }
    }
    seen
}

/// 2025-01-01T00:00:00Z; the walks below cross both 2025 DST changes.
const FROM: i64 = 1_735_689_600;

#[test]
fn next_does_not_allocate_for_cron_specs_in_utc_and_dst_zones() {
    // Parsing allocates (field splitting); only `next` is under test.
    let specs: Vec<Schedule> =
        ["*/5 * * * *", "30 2 * * *", "0 9 * * 1-5", "0 0 1 * *", "0 0 1 1,7 *", "0 0 13 * 5", "@weekly"]
            .iter()
            .map(|s| Schedule::parse(s).expect("parses"))
            .collect();
    let zones = [Zone::Utc, Zone::Tz(Tz::America__Chicago), Zone::Tz(Tz::Australia__Lord_Howe)];
    let mut seen = 0;
    let allocs = allocations_during(|| {
        for s in &specs {
            for &z in &zones {
                seen += walk(s, FROM, z, 400);
            }
        }
    });
    assert_eq!(allocs, 0, "Schedule::next allocated");
    assert!(seen > 6_000, "the walks fired only {seen} times");
}

#[test]
fn next_does_not_allocate_with_a_tz_prefix_or_every() {
    let specs: Vec<Schedule> =
        ["TZ=Europe/Berlin 30 2 * * *", "CRON_TZ=Pacific/Chatham 45 2 * * *", "@every 1h30m"]
            .iter()
            .map(|s| Schedule::parse(s).expect("parses"))
            .collect();
    let mut seen = 0;
    let allocs = allocations_during(|| {
        for s in &specs {
            seen += walk(s, FROM, Zone::Utc, 500);
            seen += walk(s, FROM, Zone::Tz(Tz::America__Sao_Paulo), 500);
        }
    });
    assert_eq!(allocs, 0, "Schedule::next allocated");
    assert!(seen > 2_000, "the walks fired only {seen} times");
}

#[test]
fn the_counter_sees_allocations() {
    let allocs = allocations_during(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert_eq!(allocs, 1);
}
