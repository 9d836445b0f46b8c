//! The horizon is `[start, end)`: a tick at the start itself is one of its
//! ticks when the controller can still run it (its `lastScheduleTime`, else
//! its `creationTimestamp`, is before the start), and not when it already
//! ran or the CronJob only exists from then on.

use cronwarp::{RunOptions, Scenario};

fn half_hourly(status: &str) -> String {
    format!(
        r#"
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: report
      namespace: default
      creationTimestamp: "2025-03-03T09:00:00Z"
    spec:
      schedule: "*/30 * * * *"
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: report
                  image: busybox
{status}"#
    )
}

fn run(manifest: &str, expect: &str) -> cronwarp::Run {
    let scenario = Scenario::builder()
        .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
        .seed(1)
        .workload(manifest)
        .behaviour("duration: 40s")
        .expect(expect)
        .build()
        .unwrap();
    cronwarp::run(&scenario, RunOptions::default()).unwrap()
}

#[test]
fn a_tick_at_the_horizon_start_that_runs_is_counted() {
    // Last run 09:30: the 10:00 tick is due at the start and starts then.
    let status = "    status:\n      lastScheduleTime: \"2025-03-03T09:30:00Z\"\n";
    let r = run(&half_hourly(status), "maxJobs: 2\nnoMissedRuns: true");
    let w = r.workload("default/report").unwrap();
    assert_eq!((w.ticks.total, w.on_time(), w.jobs_created()), (2, 2, 2));
    r.check().expect("2 ticks, 2 Jobs: maxJobs 2 holds");
}

#[test]
fn without_status_the_creation_time_is_the_origin() {
    let r = run(&half_hourly(""), "maxJobs: 2");
    let w = r.workload("default/report").unwrap();
    assert_eq!((w.ticks.total, w.on_time(), w.jobs_created()), (2, 2, 2));
}

#[test]
fn a_tick_at_the_start_that_already_ran_is_not_counted() {
    let status = "    status:\n      lastScheduleTime: \"2025-03-03T10:00:00Z\"\n";
    let r = run(&half_hourly(status), "maxJobs: 1");
    let w = r.workload("default/report").unwrap();
    assert_eq!((w.ticks.total, w.on_time(), w.jobs_created()), (1, 1, 1));
    r.check().unwrap();
}

#[test]
fn a_cronjob_created_at_the_start_does_not_fire_at_its_creation() {
    let manifest = half_hourly("").replace("2025-03-03T09:00:00Z", "2025-03-03T10:00:00Z");
    let r = run(&manifest, "maxJobs: 1");
    let w = r.workload("default/report").unwrap();
    assert_eq!((w.ticks.total, w.jobs_created()), (1, 1));
}
