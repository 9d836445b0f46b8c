//! The library facade as a crate user sees it: only the names at the crate
//! root (`cronwarp::{run, Scenario, RunOptions, Run, Error, Report, Record,
//! …}`), none of `cronwarp::sim` or `cronwarp::report`.

use cronwarp::{Error, Record, Report, RunOptions, Scenario, TickOutcome};
use std::path::{Path, PathBuf};

fn bundled(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)
}

/// The simulation scenarios under `scenarios/` (files with a top-level
/// `horizon:`), in name order.
fn bundled_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.lines().any(|l| l.starts_with("horizon:"))))
        .collect();
    files.sort();
    files
}

/// A `*/5` CronJob whose 10:00 run already happened.
const REPORT_CRONJOB: &str = r#"
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
      namespace: default
      creationTimestamp: "2025-03-03T09:00:00Z"
    spec:
      schedule: "*/5 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: report
                  image: busybox
    status:
      lastScheduleTime: "2025-03-03T10:00:00Z"
"#;

fn one_hour() -> cronwarp::ScenarioBuilder {
    Scenario::builder()
        .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
        .seed(1)
        .workload(REPORT_CRONJOB)
        .behaviour("duration: 40s")
}

#[test]
fn a_bundled_scenario_runs_and_its_expectations_hold() {
    let scenario = Scenario::from_path(bundled("downtime-catchup.yaml")).expect("the scenario reads");
    let run = cronwarp::run(&scenario, RunOptions::default()).expect("the scenario runs");
    let w = run.workload("default/report").expect("the CronJob is in the report");
    // 10:00 … 10:55: the controller is down 10:02-10:31, so 10:05 … 10:25
    // never run and 10:30 runs at the restart.
    assert_eq!(w.ticks.total, 11);
    assert_eq!((w.on_time(), w.late(), w.not_started()), (5, 1, 5));
    assert_eq!((w.jobs_created(), w.succeeded()), (6, 6));
    let missed: Vec<&str> = w.not_started_ticks().map(|t| t.local.as_str()).collect();
    assert_eq!(missed.first(), Some(&"2025-03-03T10:05:00Z"));
    assert_eq!(missed.len(), 5);
    assert!(w.not_started_ticks().all(|t| t.why.contains("the controller was down")));
    let late = w.late_ticks().next().expect("one late tick");
    assert_eq!((late.outcome, late.late_by), (TickOutcome::Late, Some(60_000)));
    assert_eq!(run.workloads().len(), 1);
    assert_eq!(run.report().header.scenario, scenario.name());
    assert!(run.events().is_none(), "events are kept only when asked");
    assert!(run.warnings().is_empty());
    // `maxMissed: 5`.
    run.check().expect("the scenario's expectations hold");
    assert_eq!(run.report().expectations_checked, 1);
}

#[test]
fn a_built_scenario_means_what_the_same_file_means() {
    let built =
        one_hour().downtime("2025-03-03T10:02:00Z", "2025-03-03T10:31:00Z").name("built").build().unwrap();
    let run = cronwarp::run(&built, RunOptions::default()).unwrap();
    let w = run.workload("default/report").unwrap();
    assert_eq!((w.on_time(), w.late(), w.not_started()), (5, 1, 5));
    assert_eq!(run.report().header.scenario, "built");
    // The same, as a file.
    let file = Scenario::from_path(bundled("downtime-catchup.yaml")).unwrap();
    let from_file = cronwarp::run(&file, RunOptions::default()).unwrap();
    assert_eq!(run.workloads(), from_file.workloads());
}

#[test]
fn downtime_length_decides_how_many_ticks_are_missed() {
    let missed = |length: &str| {
        let scenario = one_hour().downtime_for("2025-03-03T10:02:00Z", length).build().unwrap();
        cronwarp::run(&scenario, RunOptions::default())
            .unwrap()
            .workload("default/report")
            .unwrap()
            .not_started()
    };
    assert_eq!(missed("0s"), 0);
    assert_eq!(missed("9m"), 1); // down 10:02-10:11: 10:05 is lost, 10:10 runs at 10:11
    assert_eq!(missed("29m"), 5);
}

#[test]
fn failed_expectations_are_listed_not_errors() {
    let scenario = one_hour()
        .downtime_for("2025-03-03T10:02:00Z", "29m")
        .expect("noMissedRuns: true\nmaxJobs: 3")
        .build()
        .unwrap();
    let run = cronwarp::run(&scenario, RunOptions::default()).expect("the run itself succeeds");
    let failures = run.check().expect_err("both checks fail");
    let keys: Vec<&str> = failures.violations.iter().map(|v| v.expectation.as_str()).collect();
    assert_eq!(keys, ["noMissedRuns", "maxJobs"]);
    assert!(
        failures.to_string().starts_with("2 expectations failed\n  noMissedRuns (default/report): 5 of 11")
    );
    assert_eq!(run.report().violations, failures.violations);
}

#[test]
fn assert_no_missed_passes_without_downtime_and_names_the_misses_with_it() {
    let quiet = cronwarp::run(&one_hour().build().unwrap(), RunOptions::default()).unwrap();
    quiet.assert_no_missed();
    let down = one_hour().downtime_for("2025-03-03T10:02:00Z", "29m").build().unwrap();
    let run = cronwarp::run(&down, RunOptions::default()).unwrap();
    let panic = std::panic::catch_unwind(|| run.assert_no_missed()).expect_err("ticks were missed");
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert!(
        message
            .contains("default/report: 5 of 11 ticks not started; the first, 2025-03-03T10:05:00Z, because"),
        "{message}"
    );
}

#[test]
fn the_seed_and_the_thread_count_are_options() {
    let scenario = Scenario::from_path(bundled("backoff-limit.yaml")).unwrap();
    let a = cronwarp::run(&scenario, RunOptions::default().threads(1)).unwrap();
    let b = cronwarp::run(&scenario, RunOptions::default().threads(3)).unwrap();
    assert_eq!(a.report(), b.report());
    let reseeded = cronwarp::run(&scenario, RunOptions::default().seed(99)).unwrap();
    assert_eq!(reseeded.report().header.seed, 99);
    assert_eq!(a.report().header.seed, scenario.seed());
}

#[test]
fn kept_events_match_what_the_callback_saw_and_the_report_is_the_same() {
    let scenario = Scenario::from_path(bundled("downtime-catchup.yaml")).unwrap();
    let mut seen = Vec::new();
    let mut days = 0;
    let mut on_record = |r: &Record| seen.push(r.to_json_line());
    let mut progress = |_| days += 1;
    let opts = RunOptions::default().keep_events(true).on_record(&mut on_record).progress(&mut progress);
    let run = cronwarp::run(&scenario, opts).unwrap();
    let events = run.events().expect("kept");
    assert!(!events.is_empty());
    let kept: Vec<String> = events.iter().map(Record::to_json_line).collect();
    assert_eq!(kept, seen);
    let lean = cronwarp::run(&scenario, RunOptions::default()).unwrap();
    assert_eq!(run.report(), lean.report());
}

/// The JSON report and every event-log line of every bundled scenario
/// parse back into cronwarp's types and serialize to the same bytes.
#[test]
fn reports_and_event_logs_read_back_byte_for_byte() {
    let files = bundled_scenarios();
    assert!(files.len() >= 12, "found {} scenarios", files.len());
    for path in files {
        let scenario = Scenario::from_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let run = cronwarp::run(&scenario, RunOptions::default().keep_events(true)).unwrap();
        let json = serde_json::to_string_pretty(run.report()).unwrap();
        let back: Report = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(&back, run.report(), "{}", path.display());
        assert_eq!(serde_json::to_string_pretty(&back).unwrap(), json, "{}", path.display());
        for record in run.events().unwrap() {
            let line = record.to_json_line();
            let back: Record =
                serde_json::from_str(&line).unwrap_or_else(|e| panic!("{}: {e}: {line}", path.display()));
            assert_eq!(back.to_json_line(), line, "{}", path.display());
        }
    }
}

#[test]
fn errors_say_what_to_fix() {
    // A file that is not there.
    let e = Scenario::from_path(bundled("no-such-scenario.yaml")).unwrap_err();
    assert!(matches!(&e, Error::Io { path, .. } if path.ends_with("no-such-scenario.yaml")), "{e:?}");
    // A typo, located.
    let e = Scenario::from_yaml("horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T11:00:00Z\"\nsed: 1\nworkloads: []\n", "typo.yaml")
        .unwrap_err();
    match &e {
        Error::InvalidScenario { path, line, column, message } => {
            assert_eq!(path.as_deref(), Some(Path::new("typo.yaml")));
            assert_eq!((*line, *column), (Some(4), Some(1)));
            assert!(message.contains("sed"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().starts_with("typo.yaml:4:1: "), "{e}");
    // A horizon that ends before it starts.
    let e = Scenario::builder().horizon("2025-03-03T11:00:00Z", "2025-03-03T10:00:00Z").build().unwrap_err();
    assert!(matches!(e, Error::InvalidScenario { .. }), "{e:?}");
    // A manifest the API server would reject: found before the run.
    let bad = Scenario::builder()
        .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
        .workload(REPORT_CRONJOB.replace("*/5 * * * *", "*/5 * * *"))
        .build()
        .expect("the file itself is well-formed");
    let e = bad.validate().unwrap_err();
    assert!(matches!(e, Error::InvalidScenario { line: Some(_), .. }), "{e:?}");
    let e = cronwarp::run(&bad, RunOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidScenario { .. }), "{e:?}");
    // Every error is a std error.
    let _: &dyn std::error::Error = &e;
}

#[test]
fn files_are_read_within_a_limit_and_listed() {
    // The scenario file over the limit: an I/O error, before any parsing.
    let e = Scenario::from_path_with_limit(bundled("downtime-catchup.yaml"), 1024).unwrap_err();
    let too_large = |e: &Error| matches!(e, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::FileTooLarge);
    assert!(too_large(&e), "{e:?}");
    // A `path:` manifest over it: said at the `path:` key.
    let e = Scenario::from_path_with_limit(bundled("from-cluster.yaml"), 1024).unwrap_err();
    match &e {
        Error::InvalidScenario { line, column, message, .. } => {
            assert_eq!((*line, *column), (Some(16), Some(5)), "{e}");
            assert!(message.starts_with("workloads[0].path: cannot read "), "{message}");
            assert!(message.contains("over the input limit of 1 KiB"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let scenario = Scenario::from_path(bundled("from-cluster.yaml")).unwrap();
    assert_eq!(
        scenario.input_files(),
        [bundled("from-cluster.yaml"), bundled("manifests/backup-from-cluster.yaml")]
    );
    let built = Scenario::builder()
        .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
        .workload(REPORT_CRONJOB)
        .build()
        .unwrap();
    assert!(built.input_files().is_empty());
}
