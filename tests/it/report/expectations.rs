//! `expect:` per workload and across the fleet (issue #15, part 4): each bound
//! passes at the measured value and fails one step past it, naming the
//! workload, the tick, Job or instant and the measured value against the
//! bound; groups bound only what their selector picks; every mistake in the
//! block is a located error.
//!
//! The fleet: `ops/nightly` (02:00, Forbid, 10 min, label app=backup) and
//! `ops/every-10` (every 10 min, Allow, 25 min: three at once, four while a
//! finished Job waits to be marked so; label app=web), over six hours,
//! with kube-controller-manager down 02:00–02:25. So `nightly`'s 02:00 tick
//! starts 25 min late; `every-10` loses 02:00 and 02:10 (only the most
//! recent missed tick, 02:20, starts, 5 min late).

use cronwarp::{Error, Run, RunOptions, Scenario, Violation};

const WORKLOADS: &str = r#"
horizon: {start: "2025-03-03T00:00:00Z", end: "2025-03-03T06:00:00Z"}
controller:
  downtime:
    - {start: "2025-03-03T02:00:00Z", end: "2025-03-03T02:25:00Z"}
workloads:
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: nightly, namespace: ops, labels: {app: backup}, creationTimestamp: "2025-03-01T00:00:00Z"}
      spec:
        schedule: "0 2 * * *"
        concurrencyPolicy: Forbid
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers: [{name: c, image: busybox}]
      status: {lastScheduleTime: "2025-03-02T02:00:00Z"}
    behaviour: {duration: 10m}
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: every-10, namespace: ops, labels: {app: web}, creationTimestamp: "2025-03-01T00:00:00Z"}
      spec:
        schedule: "*/10 * * * *"
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                containers: [{name: c, image: busybox}]
      status: {lastScheduleTime: "2025-03-02T23:50:00Z"}
    behaviour: {duration: 25m}
"#;

/// The fleet with `expect` (YAML lines indented under `expect:`).
fn text(expect: &str) -> String {
    let body: String = expect.lines().map(|l| format!("  {l}\n")).collect();
    format!("{WORKLOADS}expect:\n{body}")
}

fn load(expect: &str) -> Result<Scenario, Error> {
    let sc = Scenario::from_yaml(&text(expect), "fleet.yaml")?;
    sc.validate()?;
    Ok(sc)
}

fn run(expect: &str) -> Run {
    let sc = load(expect).unwrap_or_else(|e| panic!("{e}"));
    cronwarp::run(&sc, RunOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn violations(expect: &str) -> Vec<Violation> {
    run(expect).report().violations.clone()
}

fn keys(v: &[Violation]) -> Vec<(String, String)> {
    v.iter().map(|v| (v.expectation.clone(), v.cronjob.clone())).collect()
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

fn error(expect: &str) -> String {
    match load(expect) {
        Ok(_) => panic!("expected an error for:\n{expect}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn max_lateness_names_each_late_tick_against_the_bound() {
    let r = run("groups:\n  - select: {name: nightly}\n    maxLateness: 26m");
    assert!(r.check().is_ok(), "{:?}", r.report().violations);
    assert_eq!(r.report().expectations_checked, 1);
    let v = violations("groups:\n  - select: {name: nightly}\n    maxLateness: 20m");
    assert_eq!(keys(&v), [pair("groups[0].maxLateness", "ops/nightly")]);
    let x = &v[0];
    assert_eq!(x.tick.map(|t| t.to_string()).as_deref(), Some("2025-03-03T02:00:00Z"));
    assert!(x.job.as_deref().is_some_and(|j| j.starts_with("nightly-")), "{x:?}");
    assert_eq!(x.bound, Some(20 * 60_000));
    assert!(x.measured.is_some_and(|m| m >= 25 * 60_000), "{x:?}");
    assert!(
        x.message.starts_with("tick 2025-03-03T02:00:00Z started 25m0s late (Job nightly-")
            && x.message.ends_with("), over maxLateness 20m0s"),
        "{}",
        x.message
    );
}

#[test]
fn max_lateness_under_a_second_still_fails_without_a_row() {
    // A zero-length downtime is a restart: every tick starts within a
    // second, so none is a row, but the bound still sees the worst.
    let text = text("groups:\n  - select: {name: every-10}\n    maxLateness: 0s")
        .replace("02:25:00Z\"}", "02:00:00Z\"}");
    let sc = Scenario::from_yaml(&text, "fleet.yaml").expect("loads");
    let run = cronwarp::run(&sc, RunOptions::default()).expect("runs");
    let v = &run.report().violations;
    assert_eq!(keys(v), [pair("groups[0].maxLateness", "ops/every-10")]);
    assert!(
        v[0].message.starts_with("ticks started within a second of the tick are not listed; worst lateness")
    );
    assert!(v[0].measured.is_some_and(|m| m > 0 && m <= 1000), "{v:?}");
    assert!(run.workload("ops/every-10").is_some_and(|w| w.late() == 0));
}

#[test]
fn max_not_started_counts_and_names_the_first_tick() {
    assert!(run("groups:\n  - select: {name: every-10}\n    maxNotStarted: 2").check().is_ok());
    let v = violations("groups:\n  - select: {name: every-10}\n    maxNotStarted: 1");
    assert_eq!(keys(&v), [pair("groups[0].maxNotStarted", "ops/every-10")]);
    assert_eq!((v[0].measured, v[0].bound), (Some(2), Some(1)));
    assert_eq!(v[0].tick.map(|t| t.to_string()).as_deref(), Some("2025-03-03T02:00:00Z"));
    assert!(
        v[0].message.starts_with("2 ticks not started, over maxNotStarted 1; first: 2025-03-03T02:00:00Z")
    );
}

#[test]
fn min_succeeded_counts_successful_runs() {
    assert!(run("groups:\n  - select: {name: nightly}\n    minSucceeded: 1").check().is_ok());
    let v = violations("groups:\n  - select: {name: nightly}\n    minSucceeded: 2");
    assert_eq!(keys(&v), [pair("groups[0].minSucceeded", "ops/nightly")]);
    assert_eq!((v[0].measured, v[0].bound), (Some(1), Some(2)));
    assert!(v[0].message.starts_with("1 Jobs succeeded, under minSucceeded 2"), "{}", v[0].message);
}

#[test]
fn no_overlap_names_each_overlap() {
    assert!(run("groups:\n  - select: {name: nightly}\n    noOverlap: true").check().is_ok());
    let v = violations("groups:\n  - select: {name: every-10}\n    noOverlap: true");
    // Two long overlaps: up to the outage, and from the restart's second
    // Job on.
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v.iter().all(|x| x.expectation == "groups[0].noOverlap" && x.cronjob == "ops/every-10"));
    assert_eq!(v[0].at.map(|t| t.to_string()).as_deref(), Some("2025-03-03T00:10:00.100Z"));
    assert_eq!((v[0].measured, v[0].bound), (Some(3), Some(1)));
    assert_eq!(
        v[0].message,
        "3 Jobs ran at once from 2025-03-03T00:10:00.100Z to 2025-03-03T02:25:00Z (2h14m59.9s), but noOverlap"
    );
    // `noOverlap: false` declares nothing.
    let r = run("groups:\n  - select: {name: every-10}\n    noOverlap: false\n    minJobs: 1");
    assert_eq!(r.report().expectations_checked, 1);
}

#[test]
fn fleet_bounds_count_all_workloads_at_once() {
    let r = run("maxConcurrentJobs: 100\nmaxConcurrentPods: 100");
    let f = r.report().fleet.clone().expect("a scenario with fleet bounds has fleet peaks");
    // every-10 has three pods at once; four Jobs when one whose pod has
    // ended is not yet marked finished as the next is created.
    assert_eq!((f.max_jobs, f.max_pods), (4, 3), "{f:?}");
    let at = f.max_jobs_at.map(|t| t.to_string());
    let bounds = format!("maxConcurrentJobs: {}\nmaxConcurrentPods: {}", f.max_jobs, f.max_pods);
    assert!(run(&bounds).check().is_ok());
    let v = violations("maxConcurrentJobs: 3\nmaxConcurrentPods: 2");
    assert_eq!(keys(&v), [pair("maxConcurrentJobs", "*"), pair("maxConcurrentPods", "*")]);
    assert_eq!((v[0].measured, v[0].bound), (Some(4), Some(3)));
    assert_eq!((v[1].measured, v[1].bound), (Some(3), Some(2)));
    assert_eq!(v[0].at.map(|t| t.to_string()), at);
    assert!(v[0].message.starts_with("4 Jobs at once at 2025-03-03T"), "{}", v[0].message);
    // Without fleet bounds, two workloads still get their fleet load
    // counted (the report's fleet-load section), with the same peaks.
    let unbounded = run("maxMissed: 5");
    let g = unbounded.report().fleet.as_ref().expect("two workloads: the fleet load is counted");
    assert_eq!((g.max_jobs, g.max_pods, g.max_jobs_at), (f.max_jobs, f.max_pods, f.max_jobs_at));
}

#[test]
fn fleet_peaks_are_the_same_on_one_thread_or_two() {
    let sc = load("maxConcurrentJobs: 3").expect("loads");
    let one = cronwarp::run(&sc, RunOptions::default().threads(1)).expect("runs");
    let two = cronwarp::run(&sc, RunOptions::default().threads(2)).expect("runs");
    assert_eq!(one.report(), two.report());
}

#[test]
fn top_level_bounds_hold_for_every_workload_and_groups_only_for_theirs() {
    let v = violations("minSucceeded: 100");
    assert_eq!(keys(&v), [pair("minSucceeded", "ops/every-10"), pair("minSucceeded", "ops/nightly")]);
    let v = violations("groups:\n  - select: {labels: {app: web}}\n    minSucceeded: 100");
    assert_eq!(keys(&v), [pair("groups[0].minSucceeded", "ops/every-10")]);
    let v = violations("groups:\n  - select: {namespace: \"o?s\", name: \"*-10\"}\n    minSucceeded: 100");
    assert_eq!(keys(&v), [pair("groups[0].minSucceeded", "ops/every-10")]);
    let v = violations("groups:\n  - select: {}\n    minSucceeded: 100");
    assert_eq!(v.len(), 2);
    // The old form still works beside groups.
    let r = run("maxMissed: 2\nmaxConcurrent: 4\ngroups:\n  - select: {name: nightly}\n    maxLateness: 1h");
    assert!(r.check().is_ok(), "{:?}", r.report().violations);
    assert_eq!(r.report().expectations_checked, 3);
}

#[test]
fn the_library_check_selects_by_name_only() {
    let r = run("minJobs: 0");
    let expect: cronwarp::sim::scenario::Expect = serde_json::from_value(serde_json::json!({
        "groups": [
            {"select": {"name": "nightly"}, "minSucceeded": 100},
            {"select": {"labels": {"app": "web"}}, "minSucceeded": 100}
        ]
    }))
    .expect("an Expect");
    let v = cronwarp::report::check(&expect, r.report());
    // Labels are not in the report: only the name selector picks.
    assert_eq!(keys(&v), [pair("groups[0].minSucceeded", "ops/nightly")]);
}

#[test]
fn a_selector_that_picks_nothing_is_a_located_error() {
    let e = error("groups:\n  - select: {name: \"nigthly\"}\n    maxLateness: 5m");
    // Line 50 of the text is `  - select: …`; the error points at `select`.
    let line = text("").lines().count() + 2;
    assert!(
        e.starts_with(&format!("fleet.yaml:{line}:7: expect.groups[0].select: selects no workload")),
        "{e}"
    );
    assert!(e.contains("ops/nightly, ops/every-10"), "{e}");
    let e = error("groups:\n  - select: {labels: {app: db}}\n    maxLateness: 5m");
    assert!(e.contains("expect.groups[0].select: selects no workload"), "{e}");
    let e = error("groups:\n  - select: {namespace: ops}\n  - select: {namespace: dev}\n    minJobs: 1");
    assert!(e.contains("expect.groups[0]: the group declares no bound"), "{e}");
}

#[test]
fn unknown_keys_get_did_you_mean() {
    let e = error("groups:\n  - select: {name: nightly}\n    maxLatness: 5m");
    assert!(e.contains("expect.groups[0]: unknown field `maxLatness`"), "{e}");
    assert!(e.contains("did you mean `maxLateness`?"), "{e}");
    let e = error("groups:\n  - select: {nmae: nightly}\n    maxLateness: 5m");
    assert!(e.contains("did you mean `name`?"), "{e}");
    let e = error("maxConcurentJobs: 3");
    assert!(e.contains("did you mean `maxConcurrentJobs`?"), "{e}");
    let e = error("maxNotStrted: 3");
    assert!(e.contains("did you mean `maxNotStarted`?"), "{e}");
    let e = error("groups:\n  - maxLateness: 5m");
    assert!(e.contains("missing field `select`"), "{e}");
}

#[test]
fn bad_values_are_located() {
    let line = text("").lines().count() + 3;
    let e = error("groups:\n  - select: {name: nightly}\n    maxLateness: 5 min");
    assert!(e.starts_with(&format!("fleet.yaml:{line}:")), "{e}");
    assert!(e.contains("expect.groups[0].maxLateness: invalid duration \"5 min\""), "{e}");
    let e = error("groups:\n  - select: {name: nightly}\n    minFailedRetention: -1h");
    assert!(e.contains("durations must not be negative"), "{e}");
    let e = error("maxLateness: 5");
    assert!(e.contains("expect.maxLateness"), "{e}");
    let e = error("maxConcurrentPods: many");
    assert!(e.contains("expect.maxConcurrentPods"), "{e}");
    let e = error("groups:\n  - select: {name: nightly}\n    minSucceeded: -1");
    assert!(e.contains("expect.groups[0].minSucceeded"), "{e}");
    let e = error("groups:\n  - select: {name: nightly}\n    noOverlap: yes please");
    assert!(e.contains("expect.groups[0].noOverlap"), "{e}");
}

#[test]
fn compare_bounds_the_same_workloads_under_both_controllers() {
    // A CronOperation has no namespace: the group is pinned to the
    // converted workloads rather than selecting nothing there.
    let sc =
        load("groups:\n  - select: {namespace: ops, name: nightly}\n    minSucceeded: 100").expect("loads");
    let forms = cronwarp::sim::scenario::convert::both_forms(sc.as_sim()).expect("converts");
    for (form, name) in [(forms.kubernetes, "ops/nightly"), (forms.crossplane, "nightly")] {
        let run =
            cronwarp::run(&Scenario::from_sim(form, "fleet.yaml"), RunOptions::default()).expect("runs");
        assert_eq!(keys(&run.report().violations), [pair("groups[0].minSucceeded", name)]);
    }
}
