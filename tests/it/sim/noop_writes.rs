//! An update that changes nothing is a no-op in the API server: no new
//! resourceVersion and no watch event, so a controller that writes the
//! status it read (upstream's CronJob controller does, for a Complete Job
//! without `completionTime`) does not wake itself up again.

use crate::support::sim::*;
use cronwarp::model::{CronJob, ObjectMeta, Time};
use cronwarp::sim::api_server::{ApiServer as World, Change};
use cronwarp::sim::log::{Controller, Entry};

/// A Job that is Complete but has no `completionTime` (hand-written, or
/// from an old cluster), owned by an hourly CronJob whose
/// `lastSuccessfulTime` is unset.
const SEEDED: &str = r#"horizon:
  start: "2025-03-03T10:20:00Z"
  end: "2025-03-03T12:20:00Z"
seed: 1
workloads:
  - manifest:
      apiVersion: v1
      kind: List
      items:
        - apiVersion: batch/v1
          kind: CronJob
          metadata:
            name: backup
            namespace: ops
            uid: 7d3f2c1e-0000-4000-8000-00000000b001
            creationTimestamp: "2025-01-10T08:00:00Z"
          spec:
            schedule: "0 * * * *"
            jobTemplate:
              spec:
                template:
                  spec:
                    restartPolicy: Never
                    containers:
                      - name: backup
                        image: example/backup:2.1
          status:
            lastScheduleTime: "2025-03-03T10:00:00Z"
        - apiVersion: batch/v1
          kind: Job
          metadata:
            name: backup-29016600
            namespace: ops
            uid: 7d3f2c1e-0000-4000-8000-00000000b002
            creationTimestamp: "2025-03-03T10:00:00Z"
            ownerReferences:
              - apiVersion: batch/v1
                kind: CronJob
                name: backup
                uid: 7d3f2c1e-0000-4000-8000-00000000b001
                controller: true
          spec:
            template:
              spec:
                restartPolicy: Never
                containers:
                  - name: backup
                    image: example/backup:2.1
          status:
            startTime: "2025-03-03T10:00:01Z"
            succeeded: 1
            conditions:
              - type: Complete
                status: "True"
    behaviour:
      duration: 40s
"#;

#[test]
fn a_complete_job_without_completion_time_does_not_make_the_cronjob_controller_loop() {
    let sc = cronwarp::sim::Scenario::from_yaml(SEEDED, "seeded.yaml").unwrap();
    // Every sync sets lastSuccessfulTime to the Job's nil completionTime
    // and calls UpdateStatus (upstream's `syncCronJob` does); the write
    // changes nothing, so it must not trigger another sync.
    let out = run(&sc);
    let start = Time::parse_rfc3339("2025-03-03T10:20:00Z").unwrap();
    let syncs_at_start = find(&out, |e| matches!(e, Entry::Sync { controller: Controller::Cronjob, .. }))
        .iter()
        .filter(|r| r.time == start)
        .count();
    assert_eq!(syncs_at_start, 1, "the initial list's sync, and no echo of its own write");
    // The schedule goes on: 11:00 and 12:00.
    let got = created(&out);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[1].2, Time::parse_rfc3339("2025-03-03T11:00:00Z").ok());
}

fn stored_cronjob(w: &mut World) -> CronJob {
    let cj = CronJob {
        metadata: ObjectMeta { name: "c".into(), namespace: "ns".into(), ..Default::default() },
        ..Default::default()
    };
    w.create_cronjob(cj).unwrap();
    w.changes.clear();
    (*w.cronjobs["ns/c"]).clone()
}

#[test]
fn a_status_write_that_changes_nothing_keeps_the_resource_version_and_sends_no_event() {
    let mut w = World::new(0);
    let cj = stored_cronjob(&mut w);
    let rv = cj.metadata.resource_version.clone();
    w.update_cronjob_status(&cj).unwrap();
    assert_eq!(w.cronjobs["ns/c"].metadata.resource_version, rv);
    assert!(w.changes.is_empty(), "{:?}", w.changes);
    // A real change still writes, and the same write again does not.
    let mut changed = cj.clone();
    changed.status.last_schedule_time = Some(Time(60_000));
    w.update_cronjob_status(&changed).unwrap();
    assert_ne!(w.cronjobs["ns/c"].metadata.resource_version, rv);
    assert!(matches!(w.changes.pop_front(), Some(Change::CronJob { .. })));
    let again = (*w.cronjobs["ns/c"]).clone();
    w.update_cronjob_status_owned(again).unwrap();
    assert!(w.changes.is_empty(), "{:?}", w.changes);
}

#[test]
fn a_status_write_handed_an_arc_stores_that_very_allocation() {
    let mut w = World::new(0);
    let mut cj = stored_cronjob(&mut w);
    cj.status.last_schedule_time = Some(Time(60_000));
    let written = std::sync::Arc::new(cj);
    let at = std::sync::Arc::as_ptr(&written);
    w.update_cronjob_status_shared(written).unwrap();
    assert!(std::ptr::eq(std::sync::Arc::as_ptr(&w.cronjobs["ns/c"]), at), "stored without a copy");
    assert_eq!(w.cronjobs["ns/c"].status.last_schedule_time, Some(Time(60_000)));
    assert!(matches!(w.changes.pop_front(), Some(Change::CronJob { .. })));
}

#[test]
fn a_spec_edit_or_job_status_write_that_changes_nothing_sends_no_event() {
    let mut w = World::new(0);
    let cj = stored_cronjob(&mut w);
    let rv = cj.metadata.resource_version.clone();
    w.update_cronjob_spec("ns/c", |c| c.spec.suspend = cj.spec.suspend).unwrap();
    assert_eq!(w.cronjobs["ns/c"].metadata.resource_version, rv);
    assert!(w.changes.is_empty(), "{:?}", w.changes);
    w.update_cronjob_spec("ns/c", |c| c.spec.suspend = Some(true)).unwrap();
    assert_eq!(w.changes.len(), 1);
    w.changes.clear();

    let job = cronwarp::model::Job {
        metadata: ObjectMeta { name: "j".into(), namespace: "ns".into(), ..Default::default() },
        ..Default::default()
    };
    let stored = w.insert_job(job).unwrap();
    w.changes.clear();
    w.update_job_status(&"ns/j".into(), stored.status.clone()).unwrap();
    assert_eq!(w.jobs["ns/j"].metadata.resource_version, stored.metadata.resource_version);
    assert!(w.changes.is_empty(), "{:?}", w.changes);
}
