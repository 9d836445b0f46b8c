//! `cronwarp::sweep`: seed ranges, nearest-rank percentiles, the figures
//! read off a run's report, and sweeps of the bundled
//! `sweep-nightly-backup.yaml` (thread-count independence, the worst seed
//! replayed with `run`, expectation failures counted per seed).

use cronwarp::sweep::{
    Distribution, Figure, MAX_SEEDS, RunFigures, SeedRange, SweepOptions, Unit, percentile,
};
use cronwarp::{Error, RunOptions, Scenario};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

fn bundled(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    Scenario::from_path(path).expect("the bundled scenario reads")
}

fn seeds(s: &str) -> SeedRange {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

mod percentiles {
    use super::*;

    #[test]
    fn nearest_rank_on_hand_computed_inputs() {
        // The textbook example: rank ⌈p/100 · 5⌉.
        let v = [15, 20, 35, 40, 50];
        let at = |p| percentile(&v, p);
        assert_eq!(
            [at(5), at(30), at(40), at(50), at(100)],
            [Some(15), Some(20), Some(20), Some(35), Some(50)]
        );
        // 10, 20, … 200: p50 is the 10th value, p90 the 18th, p95 the
        // 19th, p99 ⌈19.8⌉ = the 20th; p6 is ⌈1.2⌉ = the 2nd.
        let v: Vec<i64> = (1..=20).map(|i| i * 10).collect();
        let got: Vec<Option<i64>> = [1, 6, 50, 90, 95, 99, 100].iter().map(|&p| percentile(&v, p)).collect();
        assert_eq!(got, [10, 20, 100, 180, 190, 200, 200].map(Some));
        // 1 … 7: p50 is ⌈3.5⌉ = the 4th, p90 ⌈6.3⌉ = the 7th.
        let v: Vec<i64> = (1..=7).collect();
        assert_eq!((percentile(&v, 50), percentile(&v, 90)), (Some(4), Some(7)));
        assert_eq!(percentile(&[], 50), None);
        assert_eq!(percentile(&[42], 1), Some(42));
    }

    #[test]
    fn a_distribution_sorts_its_values_first() {
        let mut v: Vec<i64> = (1..=20).rev().map(|i| i * 10).collect();
        let d = Distribution::of(Figure::WorstLateness, &mut v).expect("values");
        assert_eq!((d.min, d.p50, d.p90, d.p95, d.p99, d.max), (10, 100, 180, 190, 200, 200));
        assert_eq!(d.unit, Unit::Ms);
        assert_eq!(Distribution::of(Figure::Late, &mut []), None);
    }
}

mod seed_ranges {
    use super::*;

    #[test]
    fn both_forms_parse() {
        let r = seeds("0..1000");
        assert_eq!((r.start(), r.end(), r.count()), (0, 1000, 1000));
        assert_eq!(seeds("3..=5").seeds().collect::<Vec<_>>(), [3, 4, 5]);
        assert_eq!(seeds(" 7..8 ").to_string(), "7..8");
        assert_eq!(seeds("0..=999999").count(), MAX_SEEDS);
        assert!(SeedRange::new(5, 5 + MAX_SEEDS).is_ok());
    }

    #[test]
    fn empty_malformed_and_too_long_ranges_are_refused_with_a_reason() {
        let err = |s: &str| s.parse::<SeedRange>().expect_err(s).to_string();
        for empty in ["5..2", "5..5", "5..=4"] {
            assert!(err(empty).contains("is empty"), "{empty}: {}", err(empty));
        }
        for bad in ["abc", "1..", "..5", "-1..3", "+1..3", "1...3", "0x1..5", "12"] {
            assert!(err(bad).contains("START..END"), "{bad}: {}", err(bad));
        }
        assert!(err("0..1000001").contains("at most 1000000"), "{}", err("0..1000001"));
        assert!(err("0..=18446744073709551615").contains("invalid seed range"));
        assert!(err("0..18446744073709551616").contains("seed must be 0..=18446744073709551615"));
        assert!(err("18446744073709551616").contains("seed must be 0..=18446744073709551615"));
        assert!(err("12").ends_with("for this seed alone, 12..=12"), "{}", err("12"));
        assert!(SeedRange::new(0, MAX_SEEDS + 1).is_err());
    }

    #[test]
    fn json_round_trips_and_is_checked_on_the_way_in() {
        let r = seeds("4..9");
        let text = serde_json::to_string(&r).unwrap();
        assert_eq!(text, r#"{"start":4,"end":9}"#);
        assert_eq!(serde_json::from_str::<SeedRange>(&text).unwrap(), r);
        assert!(serde_json::from_str::<SeedRange>(r#"{"start":9,"end":4}"#).is_err());
    }
}

/// The figures are the report's own numbers; p95 lateness counts on-time
/// ticks as 0.
#[test]
fn figures_are_read_off_the_report() {
    let run = cronwarp::run(&bundled("downtime-catchup.yaml"), RunOptions::default()).unwrap();
    let f = RunFigures::of(9, run.report());
    let w = f.workloads[0];
    let v = |x: Figure| w[x.index()];
    // 5 on time, 10:30 a minute late, 10:05-10:25 never run (see facade.rs).
    assert_eq!((v(Figure::OnTime), v(Figure::Late), v(Figure::NotStarted)), (5, 1, 5));
    assert_eq!(v(Figure::WorstLateness), 60_000);
    // Six started ticks, five at 0: the 95th percentile is rank ⌈5.7⌉ = 6,
    // the late one.
    assert_eq!(v(Figure::P95Lateness), 60_000);
    assert_eq!((v(Figure::Succeeded), v(Figure::Failed), v(Figure::PeakConcurrency)), (6, 0, 1));
    assert_eq!(f.fleet, w, "one workload: the fleet is that workload");
    assert_eq!((f.seed, f.p95_approximate, f.failed_checks.len()), (9, false, 0));
}

/// Fleet-wide, per run: counts and overlap time are the workloads' sum,
/// worst lateness and peak concurrency the highest workload's.
#[test]
fn fleet_figures_combine_the_workloads() {
    let s = bundled("history-limits-ttl.yaml");
    let run = cronwarp::run(&s, RunOptions::default().seed(3)).unwrap();
    let f = RunFigures::of(3, run.report());
    assert!(f.workloads.len() > 1);
    let highest = [Figure::WorstLateness, Figure::PeakConcurrency];
    for x in cronwarp::sweep::FIGURES.into_iter().filter(|&x| x != Figure::P95Lateness) {
        let each = f.workloads.iter().map(|w| w[x.index()]);
        let want = if highest.contains(&x) { each.max().unwrap() } else { each.sum() };
        assert_eq!(f.fleet[x.index()], want, "{x:?}");
    }
    // Over the runs: the fleet's worst run is the worst workload's worst
    // run for the highest-of figures, and within the workloads' sums
    // for the others.
    let sweep = cronwarp::sweep(&s, SweepOptions::new(seeds("0..6")).threads(2)).unwrap();
    assert_eq!(sweep.fleet.len(), 9);
    for d in &sweep.fleet {
        let each = sweep.workloads.iter().map(|w| w.figure(d.figure).unwrap());
        if highest.contains(&d.figure) {
            assert_eq!(d.max, each.map(|w| w.max).max().unwrap(), "{:?}", d.figure);
        } else if d.figure != Figure::P95Lateness {
            let (lo, hi) = each.fold((0, 0), |(lo, hi), w| (lo + w.min, hi + w.max));
            assert!(lo <= d.min && d.max <= hi, "{:?}: {lo} <= {d:?} <= {hi}", d.figure);
        }
    }
}

#[test]
fn one_and_two_threads_give_the_same_bytes() {
    let s = bundled("sweep-nightly-backup.yaml");
    let one = cronwarp::sweep(&s, SweepOptions::new(seeds("0..24")).threads(1)).unwrap();
    let two = cronwarp::sweep(&s, SweepOptions::new(seeds("0..24")).threads(2)).unwrap();
    assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&two).unwrap());
    assert_eq!(one.runs(), 24);
    assert_eq!(one.fleet, one.workloads[0].figures, "one workload: the fleet is that workload");
}

#[test]
fn the_worst_seed_replays_with_run() {
    let s = bundled("sweep-nightly-backup.yaml");
    let sweep = cronwarp::sweep(&s, SweepOptions::new(seeds("0..40")).threads(2)).unwrap();
    let ranks: Vec<(i64, i64)> =
        sweep.worst_seeds.iter().map(|w| (-w.not_started, -w.worst_lateness)).collect();
    assert!(ranks.is_sorted(), "worst first: {:?}", sweep.worst_seeds);
    let worst = &sweep.worst_seeds[0];
    let most_missed = sweep.workload("ops/backup").unwrap().figure(Figure::NotStarted).unwrap().max;
    assert_eq!(worst.not_started, most_missed);
    assert!(worst.not_started > 0, "40 seeds of 3% slow runs lose a night somewhere");
    let run = cronwarp::run(&s, RunOptions::default().seed(worst.seed)).unwrap();
    let w = run.workload("ops/backup").unwrap();
    assert_eq!(run.report().header.seed, worst.seed);
    assert_eq!(
        (w.not_started() as i64, w.late() as i64, w.max_lateness, w.outcomes.failed() as i64),
        (worst.not_started, worst.late, worst.worst_lateness, worst.failed)
    );
}

/// Each seed's `run` decides whether it failed `expect:`; the sweep counts
/// the same seeds.
#[test]
fn seeds_failing_expectations_are_those_whose_run_fails() {
    let s = bundled("sweep-nightly-backup.yaml");
    let range = seeds("0..40");
    let failing: Vec<u64> = range
        .seeds()
        .filter(|&seed| cronwarp::run(&s, RunOptions::default().seed(seed)).unwrap().check().is_err())
        .collect();
    assert!(!failing.is_empty(), "some seed loses two nights");
    let sweep = cronwarp::sweep(&s, SweepOptions::new(range)).unwrap();
    let e = &sweep.expectations;
    assert_eq!(e.checked, 2);
    assert_eq!(e.seeds_failed, failing.len() as u64);
    assert_eq!(e.failing_seeds, failing.iter().take(5).copied().collect::<Vec<_>>());
    assert_eq!(e.by_check.len(), 1);
    assert_eq!(
        (e.by_check[0].expectation.as_str(), e.by_check[0].seeds),
        ("maxMissed", failing.len() as u64)
    );
}

#[test]
fn progress_is_called_once_per_run() {
    let done = AtomicU64::new(0);
    let tick = || {
        done.fetch_add(1, Ordering::Relaxed);
    };
    let s = bundled("downtime-catchup.yaml");
    let sweep = cronwarp::sweep(&s, SweepOptions::new(seeds("10..=16")).threads(2).progress(&tick)).unwrap();
    assert_eq!(done.load(Ordering::Relaxed), 7);
    // Nothing random in it: every seed is the same night.
    let d = sweep.workload("default/report").unwrap().figure(Figure::NotStarted).unwrap();
    assert_eq!((d.min, d.max), (5, 5));
}

#[test]
fn an_invalid_scenario_is_an_error_before_any_run() {
    let s = Scenario::builder()
        .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
        .workload(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x, namespace: default}\nspec:\n  \
             schedule: '*/5 * * *'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, \
             containers: [{name: c, image: busybox}]}}}}",
        )
        .build()
        .unwrap();
    let called = AtomicU64::new(0);
    let tick = || {
        called.fetch_add(1, Ordering::Relaxed);
    };
    let e = cronwarp::sweep(&s, SweepOptions::new(seeds("0..3")).progress(&tick)).unwrap_err();
    assert!(matches!(e, Error::InvalidScenario { .. }), "{e:?}");
    assert_eq!(called.load(Ordering::Relaxed), 0);
}
