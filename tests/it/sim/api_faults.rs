//! API faults and API server outages as the controllers meet them
//! (docs/fidelity/kubernetes-cronjob.md#cj-31).

use crate::support::sim::*;
use cronwarp::sim::log::{Controller, Entry, Fault, Record};

fn one(controller: &str, extra_spec: &str) -> Vec<Record> {
    let ws = [workload(&cronjob("report", "5 10 * * *", extra_spec, ""), "duration: 1m")];
    run(&scenario("11:00:00", controller, &ws)).log
}

fn retries(log: &[Record]) -> Vec<i64> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::Sync { controller: Controller::Cronjob, retry_at: Some(at), .. } => Some(at.since(r.time)),
            _ => None,
        })
        .collect()
}

fn created_at(log: &[Record]) -> Vec<String> {
    log.iter()
        .filter(|r| matches!(&r.entry, Entry::JobCreated { cronjob, .. } if !cronjob.is_empty()))
        .map(|r| r.time.to_string())
        .collect()
}

#[test]
fn a_refused_create_is_a_failed_create_event_and_a_retry_that_doubles_from_5ms() {
    let log = one(
        "apiFaults:\n  - {verb: create, resource: jobs, error: internalError, from: \"2025-03-03T10:05:00Z\", until: \"2025-03-03T10:05:01Z\"}",
        "",
    );
    let r = retries(&log);
    assert_eq!(&r[..8], &[5, 10, 20, 40, 80, 160, 320, 640]);
    let failed = log
        .iter()
        .filter(|r| {
            matches!(&r.entry, Entry::Event(e) if e.reason == "FailedCreate"
            && e.message.starts_with("Error creating job: Internal error occurred"))
        })
        .count();
    assert_eq!(failed, r.len());
    // 5+10+…+640 = 1275 ms after 10:05:00.100 the window is over.
    assert_eq!(created_at(&log), vec!["2025-03-03T10:05:01.375Z"]);
    assert!(log.iter().any(|r| matches!(&r.entry, Entry::Fault(Fault::ApiRequestFailed { .. }))));
}

#[test]
fn a_namespace_filter_and_a_zero_probability_refuse_nothing() {
    for rule in [
        "{verb: create, resource: jobs, namespace: other, error: quotaExceeded}",
        "{verb: '*', resource: '*', error: quotaExceeded, probability: 0}",
    ] {
        let log = one(&format!("apiFaults:\n  - {rule}"), "");
        assert!(retries(&log).is_empty(), "{rule}");
        assert_eq!(created_at(&log), vec!["2025-03-03T10:05:00.100Z"], "{rule}");
    }
}

#[test]
fn draws_are_reproducible_and_follow_the_seed() {
    let rule = "apiFaults:\n  - {verb: create, resource: jobs, error: webhookDenied, probability: 0.5}";
    let ws: Vec<String> =
        (0..6).map(|i| workload(&cronjob(&format!("c{i}"), "*/5 * * * *", "", ""), "duration: 1m")).collect();
    let a = lines(&run(&scenario("11:00:00", rule, &ws)));
    assert_eq!(a, lines(&run(&scenario("11:00:00", rule, &ws))));
    let refused = a.iter().filter(|l| l.contains("apiRequestFailed")).count();
    assert!(refused > 10, "{refused}");
}

#[test]
fn during_an_api_outage_pods_finish_but_the_controllers_hear_of_it_when_it_ends() {
    // The Job runs 10:05:00-10:06:00; the API server is down 10:05:30-10:20.
    let log = one("apiServerDown:\n  - {start: \"2025-03-03T10:05:30Z\", end: \"2025-03-03T10:20:00Z\"}", "");
    let finished_pod = log.iter().find(|r| matches!(r.entry, Entry::PodFinished { .. })).unwrap();
    assert!(finished_pod.time < at("10:06:30"), "{}", finished_pod.time);
    let finished_job = log.iter().find(|r| matches!(r.entry, Entry::JobFinished { .. })).unwrap();
    assert!(finished_job.time >= at("10:20:00"), "{}", finished_job.time);
    let faults: Vec<&Fault> = log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::Fault(f @ (Fault::ApiServerDown { .. } | Fault::ApiServerUp)) => Some(f),
            _ => None,
        })
        .collect();
    assert_eq!(faults.len(), 2);
}

#[test]
fn a_refused_pod_create_is_retried_by_the_job_controller_after_a_second() {
    let log = one(
        "apiFaults:\n  - {verb: create, resource: pods, error: quotaExceeded, until: \"2025-03-03T10:05:00.500Z\"}",
        "",
    );
    let warn = log
        .iter()
        .find(|r| matches!(&r.entry, Entry::Event(e) if e.reason == "FailedCreate" && e.object.starts_with("Job/")))
        .expect("a FailedCreate on the Job");
    let pod = log.iter().find(|r| matches!(r.entry, Entry::PodCreated { .. })).unwrap();
    assert_eq!(pod.time.since(warn.time), 1000);
}

#[test]
fn a_deadline_passes_while_the_controller_backs_off_and_the_report_says_why() {
    let ws = [workload(&cronjob("report", "5 10 * * *", "startingDeadlineSeconds: 60", ""), "duration: 1m")];
    let sc = scenario(
        "11:00:00",
        "apiFaults:\n  - {verb: create, resource: jobs, error: quotaExceeded, until: \"2025-03-03T10:08:00Z\"}",
        &ws,
    );
    let run = cronwarp::run(&cronwarp::Scenario::from_sim(sc, "t"), cronwarp::RunOptions::default()).unwrap();
    let text = cronwarp::report::render_text(run.report());
    assert!(text.contains("not started"), "{text}");
    assert!(text.contains("quotaExceeded"), "{text}");
    assert!(text.contains("startingDeadlineSeconds"), "{text}");
}
