//! Next-fire throughput: cronwarp against the `cron` and `croner` crates on
//! the same schedules, in UTC and in America/New_York.
//!
//! Each measurement walks `next` [`STEPS`] times from a fixed start just
//! before the 2025 spring-forward, feeding each result back in, the way a
//! controller (or the simulator) iterates a schedule. The other crates are
//! driven through their own iterators, which is how they are meant to be
//! iterated. Schedules are translated to each crate's dialect (the `cron`
//! crate wants a seconds field and numbers DOW 1–7, so DOW is written as
//! names); the translations fire at the same instants in these ranges.
//!
//! After the criterion groups, a plain table prints ns per `next` and the
//! ratios from one timing pass (best of several interleaved batches), so
//! one run gives comparable numbers. Run with `cargo bench --bench schedule`;
//! `CRONWARP_BENCH_TABLE_ONLY=1` prints just the table.

use chrono::{DateTime, TimeZone};
use chrono_tz::Tz;
use criterion::{Criterion, Throughput};
use cronwarp::schedule::{Schedule, Zone};
use std::hint::black_box;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// `next` calls per measured iteration.
const STEPS: usize = 100;

/// 2025-03-08T00:00:00Z: the daily schedules cross New York's spring-forward.
const START: i64 = 1_741_392_000;

/// One schedule in the three dialects.
struct Case {
    name: &'static str,
    robfig: &'static str,
    cron: &'static str,
    croner: &'static str,
}

const CASES: &[Case] = &[
    Case { name: "minute-step", robfig: "*/5 * * * *", cron: "0 */5 * * * *", croner: "*/5 * * * *" },
    Case { name: "hourly", robfig: "0 * * * *", cron: "0 0 * * * *", croner: "0 * * * *" },
    Case { name: "daily", robfig: "30 2 * * *", cron: "0 30 2 * * *", croner: "30 2 * * *" },
    Case { name: "weekdays", robfig: "0 9 * * 1-5", cron: "0 0 9 * * Mon-Fri", croner: "0 9 * * 1-5" },
    Case { name: "monthly", robfig: "0 0 1 * *", cron: "0 0 0 1 * *", croner: "0 0 1 * *" },
];

const ZONES: &[(&str, Tz)] = &[("UTC", Tz::UTC), ("New_York", Tz::America__New_York)];

/// The three evaluators, ready to walk one case in one zone.
struct Contenders {
    warp: Schedule,
    warp_zone: Zone,
    cron: cron::Schedule,
    croner: croner::Cron,
    tz: Tz,
}

impl Contenders {
    fn new(case: &Case, tz: Tz) -> Contenders {
        let warp_zone = if tz == Tz::UTC { Zone::Utc } else { Zone::Tz(tz) };
        Contenders {
            warp: Schedule::parse(case.robfig).expect("robfig spec parses"),
            warp_zone,
            cron: cron::Schedule::from_str(case.cron).expect("cron spec parses"),
            croner: croner::Cron::from_str(case.croner).expect("croner spec parses"),
            tz,
        }
    }

    fn start(&self) -> DateTime<Tz> {
        self.tz.timestamp_opt(START, 0).single().expect("start instant")
    }

    /// Walks cronwarp; returns the last fire time so the work is observable.
    fn run_warp(&self) -> i64 {
        let mut t = START;
        for _ in 0..STEPS {
            t = self.warp.next(black_box(t), self.warp_zone).expect("fires");
        }
        t
    }

    fn run_cron(&self) -> i64 {
        let start = self.start();
        self.cron.after(&start).take(STEPS).last().expect("fires").timestamp()
    }

    fn run_croner(&self) -> i64 {
        self.croner.iter_after(self.start()).take(STEPS).last().expect("fires").timestamp()
    }
}

fn criterion_groups(c: &mut Criterion) {
    for case in CASES {
        for &(zname, tz) in ZONES {
            let k = Contenders::new(case, tz);
            let mut g = c.benchmark_group(format!("next/{}/{zname}", case.name));
            g.throughput(Throughput::Elements(STEPS as u64));
            g.bench_function("cronwarp", |b| b.iter(|| k.run_warp()));
            g.bench_function("cron", |b| b.iter(|| k.run_cron()));
            g.bench_function("croner", |b| b.iter(|| k.run_croner()));
            g.finish();
        }
    }
}

/// Nanoseconds per `next` for each contender: the best of several ~30 ms
/// batches, taken in rounds that time every contender in turn, so a
/// neighbouring process slowing the machine down hits all of them alike and
/// the ratios stay comparable.
fn ns_per_next(contenders: &[&dyn Fn() -> i64]) -> Vec<f64> {
    let reps: Vec<u32> = contenders
        .iter()
        .map(|f| {
            let mut reps = 1u32;
            loop {
                let t0 = Instant::now();
                for _ in 0..reps {
                    black_box(f());
                }
                if t0.elapsed() >= Duration::from_millis(30) {
                    return reps;
                }
                reps *= 2;
            }
        })
        .collect();
    let mut best = vec![f64::INFINITY; contenders.len()];
    for _ in 0..ROUNDS {
        for (i, f) in contenders.iter().enumerate() {
            let t0 = Instant::now();
            for _ in 0..reps[i] {
                black_box(f());
            }
            let ns = t0.elapsed().as_nanos() as f64 / f64::from(reps[i]) / STEPS as f64;
            best[i] = best[i].min(ns);
        }
    }
    best
}

/// Timing rounds per table row.
const ROUNDS: usize = 7;

fn ratio_table() {
    println!();
    println!("ns per next() (best of {ROUNDS} interleaved batches), {STEPS} steps from 2025-03-08T00:00Z");
    println!(
        "{:<12} {:<9} {:>9} {:>9} {:>9} {:>10} {:>11}",
        "schedule", "zone", "cronwarp", "cron", "croner", "cron/warp", "croner/warp"
    );
    for case in CASES {
        for &(zname, tz) in ZONES {
            let k = Contenders::new(case, tz);
            // The translations must agree here, or the comparison is moot.
            assert_eq!(k.run_warp(), k.run_cron(), "{} {zname}: cron crate disagrees", case.name);
            let ns = ns_per_next(&[&|| k.run_warp(), &|| k.run_cron(), &|| k.run_croner()]);
            let (warp, cron, croner) = (ns[0], ns[1], ns[2]);
            println!(
                "{:<12} {:<9} {:>9.1} {:>9.1} {:>9.1} {:>9.1}x {:>10.1}x",
                case.name,
                zname,
                warp,
                cron,
                croner,
                cron / warp,
                croner / warp
            );
        }
    }
}

fn main() {
    // A quick look while tuning: just the table.
    if std::env::var_os("CRONWARP_BENCH_TABLE_ONLY").is_some() {
        ratio_table();
        return;
    }
    let mut c = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    criterion_groups(&mut c);
    c.final_summary();
    // `cargo bench -- <filter>` narrows the criterion groups; the table is
    // printed only for a full run.
    let filtered = std::env::args().skip(1).any(|a| !a.starts_with('-'));
    if !filtered {
        ratio_table();
    }
}
