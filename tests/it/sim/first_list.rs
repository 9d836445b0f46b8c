//! `firstList`: kube-controller-manager's first list behind the store
//! (docs/fidelity/kubernetes-cronjob.md#cj-24), end to end on
//! `scenarios/stale-lister-at-start.yaml`.

use crate::support::t;
use cronwarp::model::Time;
use cronwarp::policy::cronjob::Decision;
use cronwarp::sim::log::{Entry, Record};
use cronwarp::sim::{Scenario, SimOptions, simulate};
use std::path::Path;

fn log() -> Vec<Record> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/stale-lister-at-start.yaml");
    let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{}", e.message));
    simulate(&sc, SimOptions::default()).unwrap_or_else(|e| panic!("{}", e.message)).log
}

/// `(time, job)` of the Jobs `cronjob` created in the horizon.
fn created(log: &[Record], cronjob: &str) -> Vec<(Time, String)> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::JobCreated { job, cronjob: owner, seeded: false, .. } if owner == cronjob => {
                Some((r.time, job.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn an_unseen_job_is_adopted_through_already_exists_until_the_watch_catches_up() {
    let log = log();
    let adopted: Vec<Time> =
        log.iter()
            .filter_map(|r| match &r.entry {
                Entry::Sync {
                    object, decision: Some(Decision::Adopted { .. }), retry_at: Some(_), ..
                } if object == "data/hourly-export" => Some(r.time),
                _ => None,
            })
            .collect();
    // Retried with backoff (5 ms doubling) from the start until 06:00:25.
    assert_eq!(adopted.first(), Some(&t("2025-03-03T06:00:20Z")));
    assert!(adopted.len() >= 8, "{adopted:?}");
    assert!(adopted.iter().all(|a| *a < t("2025-03-03T06:00:25Z")), "{adopted:?}");
    // No second 06:00 Job: only the horizon's two ticks.
    let jobs = created(&log, "data/hourly-export");
    let names: Vec<&str> = jobs.iter().map(|(_, j)| j.as_str()).collect();
    assert_eq!(names, ["data/hourly-export-29016420", "data/hourly-export-29016480"]);
    // The Job controller shares the list: the unseen Job's pod waits for the watch.
    let pod = log.iter().find_map(|r| match &r.entry {
        Entry::PodCreated { job, .. } if job == "data/hourly-export-29016360" => Some(r.time),
        _ => None,
    });
    assert_eq!(pod, Some(t("2025-03-03T06:00:25Z")));
}

#[test]
fn an_older_listed_schedule_runs_the_tick_the_edit_removed() {
    let log = log();
    assert_eq!(
        created(&log, "web/cache-warm"),
        [(t("2025-03-03T06:00:20Z"), "web/cache-warm-29016360".to_string())]
    );
    let unexpected = log
        .iter()
        .filter(|r| matches!(&r.entry, Entry::Event(e) if e.reason == "UnexpectedJob" && e.object.contains("cache-warm")))
        .count();
    assert!(unexpected > 0);
}
