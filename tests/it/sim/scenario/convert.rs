//! Converting workloads between the Kubernetes and Crossplane forms
//! (`cronwarp compare`): every mapped field, the notes for what does not
//! map, and whole scenarios.

use crate::support::t;
use cronwarp::model::crossplane::{ANNOTATION_PAUSED, CronOperation, LABEL_CRONOPERATION_NAME, Operation};
use cronwarp::model::{Condition, CronJob, Job};
use cronwarp::sim::Scenario;
use cronwarp::sim::scenario::convert::{
    Controller, both_forms, cronjob_from_cronoperation, cronoperation_from_cronjob, schedule_with_zone,
    split_zone,
};
use std::path::Path;

fn cronjob() -> CronJob {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "backup", "namespace": "ops", "creationTimestamp": "2025-03-01T00:00:00Z",
                     "labels": {"team": "db"}},
        "spec": {
            "schedule": "30 2 * * *", "timeZone": "America/New_York",
            "startingDeadlineSeconds": 600, "concurrencyPolicy": "Forbid", "suspend": true,
            "successfulJobsHistoryLimit": 5, "failedJobsHistoryLimit": 2,
            "jobTemplate": {"metadata": {"labels": {"run": "backup"}},
                            "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never",
                                     "containers": [{"name": "c", "image": "i"}]}}}}
        },
        "status": {"lastScheduleTime": "2025-03-02T07:30:00Z"}
    }))
    .unwrap()
}

fn finished_job(name: &str, complete: bool) -> Job {
    let mut j = Job::default();
    j.metadata.name = name.into();
    j.metadata.namespace = "ops".into();
    j.metadata.creation_timestamp = Some(t("2025-03-02T07:30:00Z"));
    let (type_, reason) = if complete { ("Complete", "") } else { ("Failed", "BackoffLimitExceeded") };
    j.status.conditions = vec![Condition::true_(type_, reason, "", t("2025-03-02T07:31:00Z"))];
    j
}

mod zone_prefix {
    use super::*;

    #[test]
    fn a_time_zone_becomes_a_cron_tz_prefix() {
        assert_eq!(schedule_with_zone("0 * * * *", Some("Europe/Paris")), "CRON_TZ=Europe/Paris 0 * * * *");
        assert_eq!(schedule_with_zone("0 * * * *", None), "0 * * * *");
    }

    #[test]
    fn a_schedule_that_names_a_zone_is_kept_verbatim_as_kubernetes_ignores_time_zone_then() {
        assert_eq!(schedule_with_zone("TZ=UTC 0 * * * *", Some("Europe/Paris")), "TZ=UTC 0 * * * *");
    }

    #[test]
    fn either_prefix_splits_back_into_zone_and_schedule() {
        assert_eq!(
            split_zone("CRON_TZ=Asia/Tokyo  5 4 * * *"),
            (Some("Asia/Tokyo".into()), "5 4 * * *".into())
        );
        assert_eq!(split_zone("TZ=UTC @hourly"), (Some("UTC".into()), "@hourly".into()));
        assert_eq!(split_zone("@hourly"), (None, "@hourly".into()));
    }
}

mod cronjob_to_cronoperation {
    use super::*;

    #[test]
    fn every_spec_field_maps() {
        let c = cronoperation_from_cronjob(&cronjob(), &[], "backup");
        let co = &c.cronoperation;
        assert_eq!(co.kind, "CronOperation");
        assert_eq!(co.metadata.name, "backup");
        assert_eq!(co.metadata.namespace, "", "cluster-scoped");
        assert_eq!(co.metadata.creation_timestamp, Some(t("2025-03-01T00:00:00Z")));
        assert_eq!(co.metadata.labels.get("team").map(|s| s.as_str()), Some("db"));
        assert_eq!(co.spec.schedule, "CRON_TZ=America/New_York 30 2 * * *");
        assert_eq!(co.spec.starting_deadline_seconds, Some(600));
        assert_eq!(co.spec.concurrency_policy.as_deref(), Some("Forbid"));
        assert_eq!(co.spec.successful_history_limit, Some(5));
        assert_eq!(co.spec.failed_history_limit, Some(2));
        assert!(co.is_paused(), "suspend became the paused annotation");
        assert_eq!(co.status.last_schedule_time, Some(t("2025-03-02T07:30:00Z")));
        let tmpl = &co.spec.operation_template;
        assert_eq!(tmpl.metadata.labels.get("run").map(|s| s.as_str()), Some("backup"));
        assert_eq!(tmpl.spec.retry_limit, Some(3), "backoffLimit 2 + 1");
        assert_eq!(tmpl.spec.pipeline.len(), 1);
        assert_eq!(tmpl.spec.mode, "Pipeline");
    }

    #[test]
    fn the_notes_explain_the_retry_limit_zone_and_pause() {
        let notes = cronoperation_from_cronjob(&cronjob(), &[], "backup").notes.join("\n");
        assert!(notes.contains("retryLimit 3 = backoffLimit 2 + 1: the same total attempts"), "{notes}");
        assert!(notes.contains("CRON_TZ=America/New_York"), "{notes}");
        assert!(notes.contains(ANNOTATION_PAUSED), "{notes}");
    }

    #[test]
    fn an_unset_backoff_limit_is_the_job_default_six_so_seven_attempts() {
        let mut cj = cronjob();
        cj.spec.job_template.spec.backoff_limit = None;
        let c = cronoperation_from_cronjob(&cj, &[], "backup");
        assert_eq!(c.cronoperation.spec.operation_template.spec.retry_limit, Some(7));
    }

    #[test]
    fn job_fields_without_a_counterpart_are_noted() {
        let mut cj = cronjob();
        cj.spec.job_template.spec.active_deadline_seconds = Some(30);
        cj.spec.job_template.spec.ttl_seconds_after_finished = Some(60);
        let notes = cronoperation_from_cronjob(&cj, &[], "backup").notes.join("\n");
        assert!(notes.contains("activeDeadlineSeconds 30 not mapped"), "{notes}");
        assert!(notes.contains("ttlSecondsAfterFinished 60 not mapped"), "{notes}");
    }

    #[test]
    fn a_finished_seeded_job_becomes_the_operation_of_its_slot() {
        let slot = t("2025-03-02T07:30:00Z");
        let job = finished_job(&format!("backup-{}", slot.unix() / 60), true);
        let c = cronoperation_from_cronjob(&cronjob(), &[job], "backup");
        assert_eq!(c.operations.len(), 1);
        let op: &Operation = &c.operations[0];
        assert_eq!(op.metadata.name, format!("backup-{}", slot.unix()));
        assert_eq!(op.metadata.labels.get(LABEL_CRONOPERATION_NAME).map(|s| s.as_str()), Some("backup"));
        assert_eq!(op.succeeded_status(), "True");
        assert_eq!(op.metadata.creation_timestamp, Some(slot));
    }

    #[test]
    fn a_failed_seeded_job_becomes_a_failed_operation() {
        let job = finished_job("backup-29022210", false);
        let c = cronoperation_from_cronjob(&cronjob(), &[job], "backup");
        assert_eq!(c.operations.len(), 1);
        assert_eq!(c.operations[0].succeeded_status(), "False");
    }

    #[test]
    fn a_running_seeded_job_becomes_a_running_operation_keeping_its_failures() {
        let mut job = finished_job("backup-29022210", true);
        job.status.conditions.clear();
        job.status.failed = 2;
        let c = cronoperation_from_cronjob(&cronjob(), &[job], "backup");
        assert_eq!(c.operations.len(), 1);
        assert!(c.operations[0].is_running());
        assert_eq!(c.operations[0].status.failures, 2);
        assert!(c.notes.iter().any(|n| n.contains("1 still running")), "{:?}", c.notes);
    }

    #[test]
    fn a_seeded_job_without_a_slot_is_dropped_with_a_note() {
        let job = finished_job("hand-made", true);
        let c = cronoperation_from_cronjob(&cronjob(), &[job], "backup");
        assert!(c.operations.is_empty());
        assert!(c.notes.iter().any(|n| n.contains("seeded Job hand-made dropped")), "{:?}", c.notes);
    }
}

mod cronoperation_to_cronjob {
    use super::*;

    fn cronoperation() -> CronOperation {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "ops.crossplane.io/v1alpha1", "kind": "CronOperation",
            "metadata": {"name": "nightly", "creationTimestamp": "2025-03-03T00:00:00Z",
                         "annotations": {"crossplane.io/paused": "true", "note": "x"}},
            "spec": {
                "schedule": "CRON_TZ=Europe/Berlin 0 3 * * *", "startingDeadlineSeconds": 120,
                "concurrencyPolicy": "Replace", "successfulHistoryLimit": 4, "failedHistoryLimit": 0,
                "operationTemplate": {"spec": {"mode": "Pipeline",
                    "pipeline": [{"step": "a", "functionRef": {"name": "f"}}]}}
            },
            "status": {"lastScheduleTime": "2025-03-03T02:00:00Z"}
        }))
        .unwrap()
    }

    #[test]
    fn every_spec_field_maps() {
        let c = cronjob_from_cronoperation(&cronoperation(), &[], "default", "nightly");
        let cj = &c.cronjob;
        assert_eq!((cj.metadata.namespace.as_str(), cj.metadata.name.as_str()), ("default", "nightly"));
        assert_eq!(cj.spec.schedule, "0 3 * * *");
        assert_eq!(cj.spec.time_zone.as_deref(), Some("Europe/Berlin"));
        assert_eq!(cj.spec.starting_deadline_seconds, Some(120));
        assert_eq!(cj.spec.concurrency_policy, "Replace");
        assert_eq!(cj.spec.successful_jobs_history_limit, Some(4));
        assert_eq!(cj.spec.failed_jobs_history_limit, Some(0));
        assert_eq!(cj.spec.suspend, Some(true));
        assert!(!cj.metadata.annotations.contains_key(ANNOTATION_PAUSED));
        assert_eq!(cj.metadata.annotations.get("note").map(|s| s.as_str()), Some("x"));
        assert_eq!(cj.status.last_schedule_time, Some(t("2025-03-03T02:00:00Z")));
        assert_eq!(cj.spec.job_template.spec.backoff_limit, Some(4), "retryLimit unset = 5 attempts");
        let pod = &cj.spec.job_template.spec.template.spec;
        assert_eq!(pod.restart_policy, "Never");
        assert_eq!(pod.containers[0].image, "busybox");
    }

    #[test]
    fn retry_limit_zero_cannot_map_and_says_so() {
        let mut co = cronoperation();
        co.spec.operation_template.spec.retry_limit = Some(0);
        let c = cronjob_from_cronoperation(&co, &[], "default", "nightly");
        assert_eq!(c.cronjob.spec.job_template.spec.backoff_limit, Some(0));
        assert!(c.notes.iter().any(|n| n.contains("retryLimit 0 fails an Operation without running it")));
    }

    #[test]
    fn a_finished_seeded_operation_becomes_the_job_of_its_slot() {
        let slot = t("2025-03-03T02:00:00Z");
        let mut op = Operation::default();
        op.metadata.name = format!("nightly-{}", slot.unix()).into();
        op.metadata.creation_timestamp = Some(slot);
        op.status.conditions = vec![cronwarp::model::crossplane::XpCondition::complete(slot.add(5_000))];
        let c = cronjob_from_cronoperation(&cronoperation(), &[op], "default", "nightly");
        assert_eq!(c.jobs.len(), 1);
        assert_eq!(c.jobs[0].metadata.name, format!("nightly-{}", slot.unix() / 60));
        assert!(c.jobs[0].is_complete());
    }

    #[test]
    fn a_running_seeded_operation_becomes_an_unfinished_job_listed_as_active() {
        let slot = t("2025-03-03T02:00:00Z");
        let mut op = Operation::default();
        op.metadata.name = format!("nightly-{}", slot.unix()).into();
        op.metadata.creation_timestamp = Some(slot);
        op.status.conditions = vec![cronwarp::model::crossplane::XpCondition::running(slot)];
        let c = cronjob_from_cronoperation(&cronoperation(), &[op], "default", "nightly");
        assert_eq!(c.jobs.len(), 1);
        assert!(!c.jobs[0].is_finished());
        let active: Vec<&str> = c.cronjob.status.active.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(active, [c.jobs[0].metadata.name.as_str()]);
    }

    #[test]
    fn a_round_trip_keeps_the_schedule_policy_and_limits() {
        let back = cronjob_from_cronoperation(
            &cronoperation_from_cronjob(&cronjob(), &[], "backup").cronoperation,
            &[],
            "ops",
            "backup",
        )
        .cronjob;
        let orig = cronjob();
        assert_eq!(back.spec.schedule, orig.spec.schedule);
        assert_eq!(back.spec.time_zone, orig.spec.time_zone);
        assert_eq!(back.spec.starting_deadline_seconds, orig.spec.starting_deadline_seconds);
        assert_eq!(back.spec.concurrency_policy, orig.spec.concurrency_policy);
        assert_eq!(back.spec.suspend, orig.spec.suspend);
        assert_eq!(back.spec.job_template.spec.backoff_limit, orig.spec.job_template.spec.backoff_limit);
        assert_eq!(back.spec.successful_jobs_history_limit, orig.spec.successful_jobs_history_limit);
    }
}

mod whole_scenarios {
    use super::*;

    #[test]
    fn a_kubernetes_scenario_keeps_its_cronjob_and_gains_a_cronoperation() {
        let sc = Scenario::load(Path::new("scenarios/downtime-catchup.yaml")).unwrap();
        let both = both_forms(&sc).unwrap();
        assert_eq!(both.pairs.len(), 1);
        let p = &both.pairs[0];
        assert_eq!(p.original, Controller::Kubernetes);
        assert_eq!(
            (p.kubernetes.as_deref(), p.crossplane.as_deref()),
            (Some("default/report"), Some("report"))
        );
        assert_eq!(both.kubernetes.workload_objects(0).unwrap(), sc.workload_objects(0).unwrap());
        let (_, text) = &both.crossplane.source.as_ref().unwrap().files[&0];
        assert!(text.contains("\"kind\": \"CronOperation\""), "{text}");
        assert!(text.contains("\"retryLimit\": 7"), "{text}");
        assert_eq!(both.crossplane.horizon, sc.horizon);
        assert_eq!(both.crossplane.controller, sc.controller);
        assert!(both.notes.iter().all(|n| n.workload == "default/report"));
    }

    #[test]
    fn same_named_cronjobs_in_two_namespaces_get_distinct_cronoperation_names() {
        let text = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      kind: CronJob
      metadata: {name: a, namespace: one}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}
  - manifest:
      kind: CronJob
      metadata: {name: a, namespace: two}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}
"#;
        let sc = Scenario::from_yaml(text, "two.yaml").unwrap();
        let both = both_forms(&sc).unwrap();
        let names: Vec<&str> = both.pairs.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["a", "a-two"]);
        assert!(
            both.notes
                .iter()
                .any(|n| n.workload == "two/a" && n.message.contains("renamed to CronOperation a-two"))
        );
    }

    #[test]
    fn a_behaviour_longer_than_the_attempt_timeout_is_warned_about() {
        let text = std::fs::read_to_string("scenarios/downtime-catchup.yaml")
            .unwrap()
            .replace("duration: 40s", "duration: 3m");
        let sc = Scenario::from_yaml(&text, "long.yaml").unwrap();
        let both = both_forms(&sc).unwrap();
        assert!(
            both.notes.iter().any(|n| n.message.starts_with("warning: an attempt can run 3m")
                && n.message.contains("times out after 2m")),
            "{:?}",
            both.notes
        );
    }
}

mod timed_changes {
    use super::*;
    use cronwarp::sim::scenario::SpecEdit;
    use cronwarp::sim::{SimOptions, simulate};

    const CRONJOB: &str = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T12:00:00Z"}
workloads:
  - manifest:
      kind: CronJob
      metadata: {name: a, namespace: ns}
      spec:
        schedule: "*/10 * * * *"
        timeZone: Europe/Paris
        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
    changes:
      - {at: "2025-03-03T10:20:00Z", resume: true}
      - {at: "2025-03-03T10:05:00Z", suspend: true}
      - {at: "2025-03-03T10:30:00Z", timeZone: Asia/Tokyo}
      - {at: "2025-03-03T10:40:00Z", schedule: "*/15 * * * *"}
      - {at: "2025-03-03T10:50:00Z", concurrencyPolicy: Forbid}
"#;

    const CRONOPERATION: &str = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T12:00:00Z"}
workloads:
  - manifest:
      apiVersion: ops.crossplane.io/v1alpha1
      kind: CronOperation
      metadata: {name: nightly, creationTimestamp: "2025-03-03T00:00:00Z"}
      spec:
        schedule: "CRON_TZ=Europe/Paris */10 * * * *"
        operationTemplate:
          spec:
            mode: Pipeline
            pipeline: [{step: run, functionRef: {name: function-dummy}}]
    changes:
      - {at: "2025-03-03T10:05:00Z", pause: true}
      - {at: "2025-03-03T10:20:00Z", unpause: true}
      - {at: "2025-03-03T10:30:00Z", schedule: "*/15 * * * *"}
      - {at: "2025-03-03T10:40:00Z", startingDeadlineSeconds: 60}
"#;

    #[test]
    fn cronjob_changes_become_cronoperation_changes_in_time_order() {
        let sc = Scenario::from_yaml(CRONJOB, "cj.yaml").unwrap();
        let both = both_forms(&sc).unwrap();
        let edits: Vec<SpecEdit> =
            both.crossplane.workloads[0].changes.iter().map(|c| c.xp_edit().unwrap()).collect();
        assert_eq!(
            edits,
            [
                SpecEdit::Paused(true),
                SpecEdit::Paused(false),
                SpecEdit::Schedule("CRON_TZ=Asia/Tokyo */10 * * * *".into()),
                SpecEdit::Schedule("CRON_TZ=Asia/Tokyo */15 * * * *".into()),
                SpecEdit::ConcurrencyPolicy("Forbid".into()),
            ]
        );
        assert!(both.notes.iter().any(|n| n.message.contains("became unpause") && n.message.contains("B3")));
        // The Kubernetes form is the scenario as written.
        assert_eq!(both.kubernetes.workloads[0].changes, sc.workloads[0].changes);
    }

    #[test]
    fn cronoperation_changes_become_cronjob_changes_and_the_zone_prefix_a_time_zone_edit() {
        let sc = Scenario::from_yaml(CRONOPERATION, "co.yaml").unwrap();
        let both = both_forms(&sc).unwrap();
        assert_eq!(both.pairs[0].original, Controller::Crossplane);
        assert_eq!(both.pairs[0].kubernetes.as_deref(), Some("default/nightly"));
        let edits: Vec<SpecEdit> =
            both.kubernetes.workloads[0].changes.iter().map(|c| c.edit().unwrap()).collect();
        assert_eq!(
            edits,
            [
                SpecEdit::Suspend(true),
                SpecEdit::Suspend(false),
                SpecEdit::TimeZone(None),
                SpecEdit::Schedule("*/15 * * * *".into()),
                SpecEdit::StartingDeadlineSeconds(Some(60)),
            ]
        );
        let cj = both.kubernetes.workload_objects(0).unwrap().cronjob;
        assert_eq!(cj.spec.time_zone.as_deref(), Some("Europe/Paris"));
        assert_eq!(cj.spec.schedule, "*/10 * * * *");
    }

    #[test]
    fn both_forms_of_both_scenarios_simulate() {
        for (text, name) in [(CRONJOB, "cj.yaml"), (CRONOPERATION, "co.yaml")] {
            let both = both_forms(&Scenario::from_yaml(text, name).unwrap()).unwrap();
            for form in [&both.kubernetes, &both.crossplane] {
                let out = simulate(form, SimOptions::default());
                assert!(out.is_ok(), "{name}: {:?}", out.err());
                assert!(!out.unwrap().log.is_empty());
            }
        }
    }
}

mod rejected_conversions {
    use super::*;

    const TEXT: &str = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      apiVersion: ops.crossplane.io/v1alpha1
      kind: CronOperation
      metadata: {name: last-day, creationTimestamp: "2025-03-03T00:00:00Z"}
      spec:
        schedule: "0 2 1,L * *"
        operationTemplate: {spec: {mode: Pipeline, pipeline: [{step: run, functionRef: {name: f}}]}}
  - manifest:
      kind: CronJob
      metadata: {name: b}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}
"#;

    #[test]
    fn a_cronoperation_the_api_server_would_reject_as_a_cronjob_has_no_kubernetes_run() {
        let sc = Scenario::from_yaml(TEXT, "l.yaml").unwrap();
        let both = both_forms(&sc).unwrap();
        assert_eq!(both.pairs[0].kubernetes, None);
        assert_eq!(both.pairs[0].crossplane.as_deref(), Some("last-day"));
        let note = both
            .notes
            .iter()
            .find(|n| n.workload == "last-day" && n.message.starts_with("Kubernetes would reject"));
        assert!(note.is_some_and(|n| n.message.contains("spec.schedule")), "{:?}", both.notes);
        // The later inline CronJob moved up one index and still reads right.
        assert_eq!(both.kubernetes.workloads.len(), 1);
        assert_eq!(both.kubernetes.workload_objects(0).unwrap().cronjob.metadata.name, "b");
        assert_eq!(both.crossplane.workloads.len(), 2);
    }
}

mod mixed_scenarios {
    use super::*;

    const TEXT: &str = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      kind: CronJob
      metadata: {name: a}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}
  - manifest:
      apiVersion: ops.crossplane.io/v1alpha1
      kind: CronOperation
      metadata: {name: a, creationTimestamp: "2025-03-03T00:00:00Z"}
      spec:
        schedule: "*/10 * * * *"
        operationTemplate: {spec: {mode: Pipeline, pipeline: [{step: run, functionRef: {name: f}}]}}
"#;

    #[test]
    fn a_cronjob_and_a_cronoperation_of_one_name_both_get_distinct_names_on_the_other_side() {
        let both = both_forms(&Scenario::from_yaml(TEXT, "mixed.yaml").unwrap()).unwrap();
        let keys: Vec<(Option<&str>, Option<&str>)> =
            both.pairs.iter().map(|p| (p.kubernetes.as_deref(), p.crossplane.as_deref())).collect();
        assert_eq!(keys, [(Some("default/a"), Some("a-2")), (Some("default/a-2"), Some("a"))]);
        assert_eq!(both.pairs[0].original, Controller::Kubernetes);
        assert_eq!(both.pairs[1].original, Controller::Crossplane);
        assert!(
            both.notes
                .iter()
                .any(|n| n.workload == "a" && n.message.contains("renamed to CronJob default/a-2"))
        );
        assert!(
            both.notes
                .iter()
                .any(|n| n.workload == "default/a" && n.message.contains("renamed to CronOperation a-2"))
        );
    }
}

mod scenario_wide_notes {
    use super::*;
    use cronwarp::sim::scenario::convert::SCENARIO_WIDE;

    #[test]
    fn settings_only_one_controller_reads_are_noted_and_defaults_are_not() {
        let text = std::fs::read_to_string("scenarios/downtime-catchup.yaml").unwrap();
        let plain = both_forms(&Scenario::from_yaml(&text, "a.yaml").unwrap()).unwrap();
        assert!(plain.notes.iter().all(|n| n.workload != SCENARIO_WIDE), "{:?}", plain.notes);
        let fixed = text.replace("controller:\n", "controller:\n  crossplane: {cursor: nameEncodedSlot}\n");
        let both = both_forms(&Scenario::from_yaml(&fixed, "b.yaml").unwrap()).unwrap();
        let wide: Vec<&str> =
            both.notes.iter().filter(|n| n.workload == SCENARIO_WIDE).map(|n| n.message.as_str()).collect();
        assert_eq!(
            wide,
            ["controller.crossplane (proposed Crossplane fixes) apply to the Crossplane side only"]
        );
    }
}
