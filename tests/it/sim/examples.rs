//! The example scenarios in `scenarios/` do what their comments say.

use crate::support::sim::{created, events};
use crate::support::t;
use cronwarp::sim::log::Entry;
use cronwarp::sim::{Scenario, SimOutput};
use std::path::Path;

fn run_example(name: &str) -> SimOutput {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    cronwarp::sim::simulate(&sc, Default::default()).unwrap()
}

#[test]
fn downtime_catchup_starts_one_job_for_10_30_at_10_31() {
    let out = run_example("downtime-catchup.yaml");
    let got = created(&out);
    assert_eq!(got[0].0, t("2025-03-03T10:31:00Z"));
    assert_eq!(got[0].2, Some(t("2025-03-03T10:30:00Z")));
    assert_eq!(got[1].0, t("2025-03-03T10:35:00.100Z"));
}

#[test]
fn forbid_long_jobs_never_runs_two_at_once_and_starts_late_runs() {
    let out = run_example("forbid-long-jobs.yaml");
    let mut active = 0i32;
    for r in &out.log {
        match &r.entry {
            Entry::JobCreated { .. } => active += 1,
            Entry::JobFinished { .. } => active -= 1,
            _ => {}
        }
        assert!(active <= 1, "two Jobs active at {}", r.time);
    }
    assert!(!events(&out, "JobAlreadyActive").is_empty());
    assert!(created(&out).iter().any(|(at, _, s)| s.is_some_and(|s| at.since(s) > 60_000)));
}

#[test]
fn dst_new_york_skips_the_spring_gap_and_runs_the_fall_fold_twice() {
    let out = run_example("dst-new-york.yaml");
    let got = created(&out);
    let on = |prefix: &str, day: &str| {
        got.iter()
            .filter(|(_, j, s)| j.starts_with(prefix) && s.is_some_and(|s| s.to_string().starts_with(day)))
            .count()
    };
    // 02:30 EST/EDT on 03-09 would be 07:30Z or 06:30Z: neither exists.
    assert_eq!(on("default/spring-", "2025-03-09"), 0);
    assert_eq!(on("default/spring-", "2025-03-10"), 1);
    assert_eq!(on("default/fall-", "2025-11-02"), 2);
    // Resumed 2025-03-10 13:00Z: the 01:30 EDT tick (05:30Z) starts at once.
    assert!(
        got.iter()
            .any(|(at, _, s)| *at == t("2025-03-10T13:00:00Z") && *s == Some(t("2025-03-10T05:30:00Z")))
    );
}

#[test]
fn from_cluster_keeps_the_running_job_and_delays_the_next_run() {
    let out = run_example("from-cluster.yaml");
    let got = created(&out);
    assert!(got[0].1.ends_with("backup-29016600"));
    assert_eq!(got[1].2, Some(t("2025-03-03T12:00:00Z")));
    assert!(got[1].0 > t("2025-03-03T12:00:01Z"));
    assert!(out.summary.warnings.is_empty(), "{:?}", out.summary.warnings);
}
