//! kube-controller-manager's capacity: workers and client-side token
//! buckets against timelines computed by hand
//! (docs/fidelity/kubernetes-cronjob.md#cj-30).

use crate::support::sim::*;
use cronwarp::sim::log::{Controller, Entry, Record};
use cronwarp::sim::{SimOptions, simulate};

/// `n` CronJobs firing at 10:01, each Job running a minute.
fn stampede(n: usize, capacity: &str) -> Vec<Record> {
    let ws: Vec<String> = (0..n)
        .map(|i| workload(&cronjob(&format!("cj-{i:02}"), "1 10 * * *", "", ""), "duration: 1m"))
        .collect();
    let sc = scenario("10:05:00", &format!("capacity: {capacity}"), &ws);
    simulate(&sc, SimOptions::default()).unwrap().log
}

/// When each CronJob's Job was created, in ms after 10:01 (the controller
/// syncs 100 ms after a tick: `nextScheduleDelta`).
fn creations(log: &[Record]) -> Vec<i64> {
    let tick = at("10:01:00");
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::JobCreated { cronjob, .. } if !cronjob.is_empty() => Some(r.time.since(tick)),
            _ => None,
        })
        .collect()
}

#[test]
fn forty_cronjobs_with_burst_30_and_20_qps_create_ten_at_once_then_one_every_50ms() {
    // Each sync sends three requests (create the Job, its SuccessfulCreate
    // Event, the status update): ten syncs empty the bucket of 30. With a
    // worker for every key, the other 30 take their first token at 10:01
    // too, one every 50 ms, and create their Job when it comes.
    let log = stampede(40, "{concurrentCronJobSyncs: 40}");
    let mut expected = vec![100; 10];
    expected.extend((1..=30).map(|k| 100 + k * 50));
    assert_eq!(creations(&log), expected);
    let waited: Vec<i64> = log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Throttled { controller: Controller::Cronjob, waited, .. } => Some(*waited),
            _ => None,
        })
        .collect();
    assert_eq!(waited, (1..=30).map(|k| k * 50).collect::<Vec<_>>());
}

#[test]
fn five_workers_hold_each_sync_for_its_further_requests() {
    // With the default five workers a sync also holds its worker until its
    // status update's token comes: after the first ten, a Job every 150 ms
    // (three tokens a sync), and the queue says how many keys wait.
    let log = stampede(40, "{}");
    let c = creations(&log);
    assert_eq!(c.len(), 40);
    assert!(c.windows(2).all(|w| w[0] <= w[1]), "{c:?}");
    assert_eq!(&c[..10], &[100; 10]);
    let last = *c.last().unwrap();
    assert!((4_000..=6_000).contains(&last), "{last}");
    let most_queued = log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Throttled { queued, .. } => Some(*queued),
            _ => None,
        })
        .max();
    assert!(most_queued.is_some_and(|q| q >= 20), "{most_queued:?}");
}

#[test]
fn the_ideal_controller_creates_every_job_at_the_tick() {
    let log = stampede(40, "{unlimited: true}");
    assert_eq!(creations(&log), vec![100; 40]);
    assert!(!log.iter().any(|r| matches!(r.entry, Entry::Throttled { .. })));
}

#[test]
fn request_latency_delays_each_sync_even_without_contention() {
    let log = stampede(1, "{apiLatency: 250ms}");
    assert_eq!(creations(&log), vec![350]);
}

#[test]
fn the_report_names_the_saturated_controller_for_each_late_tick() {
    let ws: Vec<String> = (0..40)
        .map(|i| workload(&cronjob(&format!("cj-{i:02}"), "1 10 * * *", "", ""), "duration: 1m"))
        .collect();
    let sc = scenario("10:05:00", "capacity: {kubeApiQps: 1, kubeApiBurst: 3}", &ws);
    let run = cronwarp::run(&cronwarp::Scenario::from_sim(sc, "t"), cronwarp::RunOptions::default()).unwrap();
    let report = run.report();
    let row = report.capacity.iter().find(|c| c.controller == "cronjob").expect("a capacity row");
    assert!(row.delayed_syncs >= 39, "{}", row.delayed_syncs);
    let text = cronwarp::report::render_text(report);
    assert!(text.contains("kube-controller-manager was saturated"), "{text}");
    assert!(text.contains("kubernetes#90801"), "{text}");
}
