//! The fleet load (issue #16, section 3): pods, requested CPU and memory of all
//! workloads at once, their peaks, the busiest minutes of the hour, the
//! `maxRequestedCpu` / `maxRequestedMemory` bounds, and located errors for
//! bad quantities.
//!
//! Two CronJobs in two namespaces, over two hours from 00:00:
//! - `team-a/hourly` (`0 * * * *`, parallelism 2): each pod has two
//!   containers of 250m / 256Mi, so 500m / 512Mi a pod, 1 CPU / 1Gi a Job;
//!   10 minutes.
//! - `team-b/half-hourly` (`*/30 * * * *`): a 1 CPU / 1Gi container after
//!   an init container of 2 CPU / 128Mi, so the scheduler reserves 2 CPU /
//!   1Gi (the larger of the two); 5 minutes.
//!
//! At 00:00 (and 01:00) both start: 3 pods, 3 CPU, 2Gi. Starts: 4 in
//! minute :00 (two each), 2 in :30.

use cronwarp::{Error, RunOptions, Scenario};

const FLEET: &str = r#"
horizon: {start: "2025-03-03T00:00:00Z", end: "2025-03-03T02:00:00Z"}
workloads:
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: hourly, namespace: team-a, creationTimestamp: "2025-03-01T00:00:00Z"}
      spec:
        schedule: "0 * * * *"
        jobTemplate:
          spec:
            parallelism: 2
            completions: 2
            template:
              spec:
                restartPolicy: Never
                containers:
                  - {name: main, image: busybox, resources: {requests: {cpu: 250m, memory: 256Mi}}}
                  - {name: side, image: busybox, resources: {requests: {cpu: "0.25", memory: 268435456}}}
      status: {lastScheduleTime: "2025-03-02T23:00:00Z"}
    behaviour: {duration: 10m}
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: half-hourly, namespace: team-b, creationTimestamp: "2025-03-01T00:00:00Z"}
      spec:
        schedule: "*/30 * * * *"
        jobTemplate:
          spec:
            template:
              spec:
                restartPolicy: Never
                initContainers: [{name: init, image: busybox, resources: {requests: {cpu: 2, memory: 128Mi}}}]
                containers: [{name: main, image: busybox, resources: {requests: {cpu: "1", memory: 1Gi}, limits: {cpu: "1"}}}]
      status: {lastScheduleTime: "2025-03-02T23:30:00Z"}
    behaviour: {duration: 5m}
"#;

fn scenario(expect: &str) -> Result<Scenario, Error> {
    let body: String = expect.lines().map(|l| format!("  {l}\n")).collect();
    let text = if expect.is_empty() { FLEET.to_string() } else { format!("{FLEET}expect:\n{body}") };
    let sc = Scenario::from_yaml(&text, "fleet.yaml")?;
    sc.validate()?;
    Ok(sc)
}

fn run(expect: &str, options: RunOptions<'_>) -> cronwarp::Run {
    let sc = scenario(expect).unwrap_or_else(|e| panic!("{e}"));
    cronwarp::run(&sc, options).unwrap_or_else(|e| panic!("{e}"))
}

fn error(yaml: &str) -> String {
    match Scenario::from_yaml(yaml, "fleet.yaml").and_then(|s| s.validate().map(|_| s)) {
        Ok(_) => panic!("expected an error for:\n{yaml}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn peaks_match_the_hand_computed_load() {
    let r = run("", RunOptions::default());
    let f = r.report().fleet_load().expect("two workloads: the report shows the fleet load");
    assert_eq!((f.max_jobs, f.max_pods), (2, 3), "{f:?}");
    assert_eq!(f.max_cpu_millis, 3000, "{f:?}");
    assert_eq!(f.max_memory_bytes, 2 << 30, "{f:?}");
    let first = f.max_cpu_at.expect("a peak has an instant").to_string();
    assert!(first.starts_with("2025-03-03T00:00:0"), "{first}");
    let mut busy: Vec<(usize, u64)> =
        f.starts_by_minute.iter().copied().enumerate().filter(|(_, n)| *n > 0).collect();
    busy.sort();
    assert_eq!(busy, [(0, 4), (30, 2)]);
}

#[test]
fn the_split_run_and_the_merged_log_measure_the_same_on_any_thread_count() {
    // Without events the run splits into partitions and sweeps their
    // deltas window by window; with them one accountant reads the merged
    // log. Both must agree, byte for byte.
    let split1 = run("", RunOptions::default().threads(1));
    let split2 = run("", RunOptions::default().threads(2));
    let merged = run("", RunOptions::default().keep_events(true).threads(2));
    assert_eq!(split1.report(), split2.report());
    assert_eq!(split1.report(), merged.report());
}

#[test]
fn the_report_shows_the_load_and_the_busiest_minutes() {
    let r = run("", RunOptions::default());
    let text = cronwarp::report::render_text(r.report());
    for want in ["Fleet load (2 workloads)", "requested CPU", "3 CPU", "2Gi", ":00", ":30", "66.7%"] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    let svg = run("", RunOptions::default().keep_events(true)).fleet_load_svg().expect("events kept");
    assert!(
        svg.starts_with("<svg") && svg.contains("<title>Fleet load</title>"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    // A lone workload without requests has no fleet section.
    let one = FLEET.split("  - manifest:").take(2).collect::<Vec<_>>().join("  - manifest:");
    let lone = one
        .replace("resources: {requests: {cpu: 250m, memory: 256Mi}}", "")
        .replace(", resources: {requests: {cpu: \"0.25\", memory: 268435456}}", "");
    let sc = Scenario::from_yaml(&lone, "lone.yaml").unwrap_or_else(|e| panic!("{e}\n{lone}"));
    let r = cronwarp::run(&sc, RunOptions::default()).expect("runs");
    assert!(r.report().fleet.is_none());
    assert!(!cronwarp::report::render_text(r.report()).contains("Fleet load"));
}

#[test]
fn cpu_and_memory_bounds_pass_at_the_peak_and_fail_past_it() {
    let r = run("maxRequestedCpu: \"3\"\nmaxRequestedMemory: 2Gi", RunOptions::default());
    assert!(r.check().is_ok(), "{:?}", r.report().violations);
    assert_eq!(r.report().expectations_checked, 2);
    let r = run("maxRequestedCpu: 2900m\nmaxRequestedMemory: 2G", RunOptions::default());
    let v = &r.report().violations;
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!((v[0].expectation.as_str(), v[0].cronjob.as_str()), ("maxRequestedCpu", "*"));
    assert_eq!((v[0].measured, v[0].bound), (Some(3000), Some(2900)));
    assert!(v[0].message.contains("requested 3 CPU at 2025-03-03T00:00:0"), "{}", v[0].message);
    assert!(v[0].message.ends_with("over maxRequestedCpu 2.9 CPU"), "{}", v[0].message);
    assert_eq!((v[1].measured, v[1].bound), (Some(2 << 30), Some(2_000_000_000)));
    assert!(v[1].message.contains("2Gi") && v[1].message.contains("1.9Gi"), "{}", v[1].message);
}

#[test]
fn bad_quantities_are_located_errors() {
    let e = error(&FLEET.replace("cpu: 250m", "cpu: 250x"));
    assert!(e.contains("fleet.yaml:") && e.contains("unknown suffix \"x\""), "{e}");
    let e = error(&FLEET.replace("memory: 1Gi", "memory: 1GB"));
    assert!(e.contains("unknown suffix \"GB\""), "{e}");
    let e = error(&FLEET.replace("cpu: 250m", "cpu: \"-1\""));
    assert!(e.contains("resources.requests.cpu") && e.contains("must be greater than or equal to 0"), "{e}");
    let e = error(&FLEET.replace("limits: {cpu: \"1\"}", "limits: {cpu: 500m}"));
    assert!(e.contains("must be less than or equal to cpu limit of 500m"), "{e}");
    let e = scenario("maxRequestedCpu: lots").map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("expect.maxRequestedCpu") && e.contains("does not start with a number"), "{e}");
    let e = scenario("maxRequestedMemory: 1Gb").map(|_| ()).unwrap_err().to_string();
    assert!(e.contains("expect.maxRequestedMemory") && e.contains("unknown suffix"), "{e}");
}
