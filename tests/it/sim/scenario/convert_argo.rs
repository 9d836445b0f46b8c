//! A CronJob as the CronWorkflow that means the same thing
//! (docs/fidelity/argo.md#argo-11): what carries over, and a note for
//! everything that does not or behaves differently.

use crate::support::t;
use cronwarp::model::CronJob;
use cronwarp::model::argo::{ANNOTATION_LAST_USED_SCHEDULE, validate_cronworkflow};
use cronwarp::policy::argo::missed_execution;
use cronwarp::sim::scenario::convert::{ENTRYPOINT, cronworkflow_from_cronjob};

fn cronjob(spec: serde_json::Value) -> CronJob {
    let mut v = serde_json::json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "backup", "namespace": "ops", "labels": {"team": "db"}},
        "spec": {
            "schedule": "30 2 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
                            "containers": [{"name": "c", "image": "i"}]}}}}
        },
        "status": {"lastScheduleTime": "2025-03-02T07:30:00Z"}
    });
    for (k, val) in spec.as_object().unwrap() {
        v["spec"][k] = val.clone();
    }
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_fields_that_carry_over() {
    let cj = cronjob(serde_json::json!({
        "timeZone": "America/New_York", "startingDeadlineSeconds": 600, "concurrencyPolicy": "Forbid",
        "suspend": true, "successfulJobsHistoryLimit": 5, "failedJobsHistoryLimit": 2
    }));
    let out = cronworkflow_from_cronjob(&cj);
    let cw = &out.cronworkflow;
    assert_eq!((cw.metadata.namespace.as_str(), cw.metadata.name.as_str()), ("ops", "backup"));
    assert_eq!(cw.spec.schedules_with_timezone(), ["CRON_TZ=America/New_York 30 2 * * *"]);
    assert_eq!(cw.spec.concurrency_policy, "Forbid");
    assert!(cw.spec.suspend);
    assert_eq!(cw.spec.starting_deadline_seconds, Some(600));
    assert_eq!((cw.spec.successful_limit(), cw.spec.failed_limit()), (5, 2));
    assert_eq!(cw.spec.workflow_spec.entrypoint, ENTRYPOINT);
    assert_eq!(validate_cronworkflow(cw), None);
    // The last tick and the annotation: the converted object catches up
    // like a running one would (within 600 s of the 2025-03-03 tick).
    assert_eq!(cw.status.last_scheduled_time, Some(t("2025-03-02T07:30:00Z")));
    assert!(cw.metadata.annotations.contains_key(ANNOTATION_LAST_USED_SCHEDULE));
    assert_eq!(missed_execution(cw, t("2025-03-03T07:35:00Z")), Ok(Some(t("2025-03-03T07:30:00Z"))));
    let notes = out.notes.join("\n");
    for want in ["only for the one catch-up", "Forbid reads status.active", "backoffLimit 6 dropped"] {
        assert!(notes.contains(want), "{want}: {notes}");
    }
}

#[test]
fn what_does_not_carry_over_is_named() {
    let mut cj = cronjob(serde_json::json!({
        "schedule": "CRON_TZ=Europe/Berlin 0 * * * *", "timeZone": "Asia/Tokyo", "concurrencyPolicy": "Replace"
    }));
    cj.spec.job_template.spec.ttl_seconds_after_finished = Some(60);
    cj.spec.job_template.spec.backoff_limit = Some(0);
    cj.metadata.name = "a".repeat(53).into();
    let out = cronworkflow_from_cronjob(&cj);
    assert_eq!(out.cronworkflow.spec.timezone, "");
    let notes = out.notes.join("\n");
    for want in [
        "spec.timeZone Asia/Tokyo dropped",
        "never catches up",
        "Replace terminates",
        "ttlSecondsAfterFinished 60 dropped",
        "Argo refuses CronWorkflow names over 52",
        "Argo would refuse it: metadata.name",
    ] {
        assert!(notes.contains(want), "{want}: {notes}");
    }
    assert!(!notes.contains("backoffLimit"), "backoffLimit 0 means no retries either way: {notes}");
}
