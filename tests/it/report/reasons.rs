//! The reasons the report gives for a tick not started on time, where two
//! causes meet: downtime and the missed-count estimate, and a schedule
//! edit that makes a past tick of the new schedule due.

use cronwarp::{RunOptions, Scenario, TickOutcome};
use std::path::Path;

/// Weekdays 10:30, 11:30 and 12:30 UTC, last run Thursday 2025-03-06 10:30.
const WEEKDAYS: &str = r#"
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: weekdays
      namespace: default
      creationTimestamp: "2025-03-01T00:00:00Z"
    spec:
      schedule: "30 10,11,12 * * 1-5"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: main
                  image: busybox
    status:
      lastScheduleTime: "2025-03-06T10:30:00Z"
"#;

#[test]
fn when_downtime_and_the_estimate_both_drop_ticks_the_estimate_is_named() {
    // Down Thursday 10:45 to Friday 16:30. At the restart the estimate
    // (interval 1 h from Thursday's first two ticks) walks from Friday
    // 15:30 and finds nothing due (CJ-5): nothing starts until Monday
    // 10:30, on time, three days later.
    let scenario = Scenario::builder()
        .horizon("2025-03-06T10:40:00Z", "2025-03-10T11:00:00Z")
        .seed(1)
        .workload(WEEKDAYS)
        .behaviour("duration: 5m")
        .downtime("2025-03-06T10:45:00Z", "2025-03-07T16:30:00Z")
        .build()
        .unwrap();
    let run = cronwarp::run(&scenario, RunOptions::default()).unwrap();
    let w = run.workload("default/weekdays").unwrap();
    assert_eq!((w.ticks.total, w.on_time(), w.not_started()), (6, 1, 5));
    for row in w.not_started_ticks() {
        assert!(
            row.why.contains("missed-count estimate") && row.why.contains("started nothing"),
            "{}: {}",
            row.local,
            row.why
        );
        assert!(!row.why.contains("on restart only the most recent"), "{}: {}", row.local, row.why);
        assert!(row.why.contains("2025-03-10T10:30:00Z"), "{}", row.why);
    }
}

#[test]
fn a_run_made_due_by_a_schedule_edit_names_the_edit() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/schedule-edit.yaml");
    let run = cronwarp::run(&Scenario::from_path(path).unwrap(), RunOptions::default()).unwrap();
    for (workload, tick) in [
        ("default/edited-while-running", "2025-03-03T12:00:00Z"),
        ("default/moved-earlier", "2025-03-03T09:00:00Z"),
    ] {
        let w = run.workload(workload).unwrap();
        let row =
            w.exceptions.iter().find(|r| r.local == tick).unwrap_or_else(|| panic!("{workload} {tick}"));
        assert_eq!(row.outcome, TickOutcome::Late);
        assert!(row.why.contains("schedule edit"), "{workload}: {}", row.why);
        assert!(!row.why.contains("synced late"), "{workload}: {}", row.why);
    }
    // The new schedule's earlier past ticks were passed over for the most
    // recent one, also because of the edit.
    let w = run.workload("default/edited-while-running").unwrap();
    let passed: Vec<&str> = w.not_started_ticks().map(|r| r.why.as_str()).collect();
    assert_eq!(passed.len(), 2);
    assert!(passed.iter().all(|why| why.contains("schedule edit")), "{passed:?}");
}

#[test]
fn a_deadline_that_overflows_go_says_why_nothing_runs() {
    // 9223372036854775807 s: Go's Duration product wraps, the window starts
    // 1 s after now (docs/fidelity/kubernetes-cronjob.md#cj-9), and no
    // Job ever starts.
    let manifest = WEEKDAYS.replace("30 10,11,12 * * 1-5", "0 * * * *").replace(
        "    spec:\n      schedule",
        "    spec:\n      startingDeadlineSeconds: 9223372036854775807\n      schedule",
    );
    let scenario = Scenario::builder()
        .horizon("2025-03-06T10:40:00Z", "2025-03-06T14:00:00Z")
        .workload(manifest)
        .build()
        .unwrap();
    let run = cronwarp::run(&scenario, RunOptions::default()).unwrap();
    let w = run.workload("default/weekdays").unwrap();
    assert_eq!((w.ticks.total, w.not_started(), w.jobs_created()), (3, 3, 0));
    for row in w.not_started_ticks() {
        assert!(row.why.contains("too large for Go"), "{}: {}", row.local, row.why);
        assert!(!row.why.contains("no sync decided it"), "{}", row.why);
    }
}
