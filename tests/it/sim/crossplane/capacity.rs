//! The Crossplane pod's capacity: its controllers' workers and Crossplane
//! 2.0's global reconcile limiter, against timelines computed by hand
//! (docs/fidelity/crossplane.md#xp-b8).

use crate::support::sim_crossplane::*;
use cronwarp::model::SECOND;
use cronwarp::sim::log::Controller;

/// `n` hourly CronOperations (created 00:30), each Operation running
/// `duration`, from 00:30 to 01:10, with `controller` lines.
fn fleet(n: usize, duration: &str, controller: &[&str]) -> SimOutput {
    let behaviour = format!("duration: {duration}");
    let ws: Vec<String> = (0..n)
        .map(|i| cronop(&format!("co-{i:02}"), "2026-01-01T00:30:00Z", &[HOURLY], &[behaviour.as_str()]))
        .collect();
    run(&scenario("2026-01-01T00:30:00Z", "2026-01-01T01:10:00Z", controller, &ws))
}

/// Seconds after 01:00 of each record `f` picks.
fn seconds(out: &SimOutput, f: impl Fn(&Entry) -> bool) -> Vec<i64> {
    let t0 = d("01:00:00");
    out.log.iter().filter(|r| f(&r.entry)).map(|r| r.time.since(t0) / SECOND).collect()
}

fn throttled(out: &SimOutput, who: Controller) -> Vec<(i64, i64)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Throttled { controller, waited, queued, .. } if *controller == who => {
                Some((*waited / SECOND, i64::from(*queued)))
            }
            _ => None,
        })
        .collect()
}

const LIMITER_AT_1_QPS: [&str; 2] = [
    "crossplaneVersion: \"2.0\"",
    "capacity: {crossplane: {maxReconcileRate: 1, maxConcurrentReconciles: 100}}",
];

#[test]
fn two_workers_run_six_thirty_second_attempts_in_three_waves() {
    // The CronOperation reconciles take no time, so every Operation is
    // created at the slot; each attempt then holds one of the Operation
    // controller's two workers for its 30 s, and the other four wait in
    // line (first in, first out).
    let out = fleet(6, "30s", &["capacity: {crossplane: {maxConcurrentReconciles: 2}}"]);
    let t = |f: fn(&Entry) -> bool| seconds(&out, f);
    assert_eq!(t(|e| matches!(e, Entry::OperationCreated { .. })), [0; 6]);
    assert_eq!(t(|e| matches!(e, Entry::OperationAttemptStarted { .. })), [0, 0, 30, 30, 60, 60]);
    assert_eq!(throttled(&out, Controller::Operation), [(30, 3), (30, 2), (60, 1), (60, 0)]);
    assert!(throttled(&out, Controller::Cronoperation).is_empty());
}

#[test]
fn the_default_hundred_workers_and_no_limiter_leave_the_timeline_ideal() {
    let out = fleet(6, "30s", &[]);
    let starts = seconds(&out, |e| matches!(e, Entry::OperationAttemptStarted { .. }));
    assert_eq!(starts, [0; 6]);
    assert!(!out.log.iter().any(|r| matches!(r.entry, Entry::Throttled { .. })));
}

#[test]
fn crossplane_2_0s_limiter_passes_its_burst_then_one_reconcile_a_second() {
    // Burst 10 at 1 a second. Each CronOperation whose Operation ends at
    // once takes four tokens at the slot: its reconcile that creates the
    // Operation, the one the creation triggers (Owns), the Operation's
    // reconcile and the CronOperation's again on its status. co-00 and
    // co-01 take 8; co-02's two reconciles the 9th and 10th, so its
    // Operation's reconcile is held back (1 s), and the first reconciles
    // of co-03, co-04, co-05 take the 12th to 14th tokens: 2, 3 and 4 s.
    let out = fleet(6, "0s", &LIMITER_AT_1_QPS);
    let created = seconds(&out, |e| matches!(e, Entry::OperationCreated { .. }));
    assert_eq!(created, [0, 0, 0, 2, 3, 4]);
    let held: Vec<(i64, i64)> = throttled(&out, Controller::Cronoperation).into_iter().take(3).collect();
    assert_eq!(held, [(2, 3), (3, 4), (4, 5)]);
    assert_eq!(throttled(&out, Controller::Operation)[0], (1, 3));
}

#[test]
fn a_slot_the_limiter_made_late_says_the_crossplane_pod_was_saturated() {
    let ws: Vec<String> = (0..6)
        .map(|i| cronop(&format!("co-{i:02}"), "2026-01-01T00:30:00Z", &[HOURLY], &["duration: 0s"]))
        .collect();
    let text = yaml("2026-01-01T00:30:00Z", "2026-01-01T01:10:00Z", &LIMITER_AT_1_QPS, &ws);
    let sc = cronwarp::Scenario::from_yaml(&text, "t.yaml").unwrap();
    let run = cronwarp::run(&sc, cronwarp::RunOptions::default()).unwrap();
    let report = run.report();
    let row = report.capacity.iter().find(|c| c.controller == "cronoperation").expect("a capacity row");
    // The longest wait is a later reconcile's: co-05's on its Operation's status.
    assert_eq!(row.longest_wait, 6 * SECOND);
    let text = cronwarp::report::render_text(report);
    assert!(text.contains("Crossplane pod capacity"), "{text}");
    assert!(text.contains("late     4s"), "{text}");
    assert!(text.contains("the Crossplane pod was saturated"), "{text}");
}
