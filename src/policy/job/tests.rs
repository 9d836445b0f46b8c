//! Behaviour of `sync_job` across syncs and at its edges.

use super::*;
use crate::model::{ContainerStatus, ContainerTerminated, Job, Pod, PodPhase, SECOND, Time};
use crate::policy::{EventType, Settings};

fn t0() -> Time {
    Time::parse_rfc3339("2025-03-01T10:00:00Z").unwrap()
}

fn job(parallelism: i32, completions: Option<i32>) -> Job {
    let mut j = Job::default();
    j.metadata.name = "j".into();
    j.metadata.namespace = "ns".into();
    j.spec.parallelism = Some(parallelism);
    j.spec.completions = completions;
    j.spec.backoff_limit = Some(6);
    j.spec.template.spec.restart_policy = "Never".into();
    j
}

fn pod(name: &str, phase: PodPhase, finished: Option<Time>) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = name.into();
    p.metadata.finalizers = vec![JOB_TRACKING_FINALIZER.into()].into();
    p.metadata.creation_timestamp = Some(t0());
    p.status.phase = phase;
    if let Some(at) = finished {
        p.status.container_statuses = vec![ContainerStatus {
            name: "c".into(),
            terminated: Some(ContainerTerminated {
                exit_code: if phase == PodPhase::Failed { 1 } else { 0 },
                finished_at: Some(at),
                ..ContainerTerminated::default()
            }),
            ..ContainerStatus::default()
        }];
    }
    p
}

fn sync(j: &Job, pods: &[Pod], now: Time) -> JobSyncOutcome {
    sync_job(j, pods, &BackoffRecord::default(), now, &Settings::default())
}

fn types(o: &JobSyncOutcome) -> Vec<&str> {
    o.status.conditions.iter().map(|c| c.type_.as_str()).collect()
}

#[test]
fn failing_job_waits_for_its_pods_to_be_gone_before_failed() {
    let mut j = job(2, Some(2));
    j.spec.active_deadline_seconds = Some(60);
    j.status.start_time = Some(t0());
    let running = vec![pod("a", PodPhase::Running, None), pod("b", PodPhase::Running, None)];
    let first = sync(&j, &running, t0().add(60 * SECOND));
    assert_eq!(types(&first), vec!["FailureTarget"]);
    assert_eq!(first.pods_to_delete.len(), 2);
    assert!(first.pods_to_delete.iter().all(|d| !d.cause.removes_finalizer()));
    assert_eq!(first.pods_to_count, vec!["a", "b"], "deleted pods are counted at once");
    assert_eq!((first.status.failed, first.status.terminating), (2, Some(2)));
    assert!(first.events.is_empty() && first.finished.is_none());

    // Still terminating (finalizers gone, deletionTimestamp set): no Failed yet.
    j.status = first.status.clone();
    let mut terminating = running.clone();
    for p in &mut terminating {
        p.metadata.finalizers.clear();
        p.metadata.deletion_timestamp = Some(t0().add(60 * SECOND));
    }
    let second = sync(&j, &terminating, t0().add(61 * SECOND));
    assert_eq!(types(&second), vec!["FailureTarget"]);
    assert_eq!(second.status.failed, 2, "no double counting");

    // Pods gone: Failed with the interim reason, a Warning, no completionTime.
    j.status = second.status;
    let done = sync(&j, &[], t0().add(90 * SECOND));
    assert_eq!(types(&done), vec!["FailureTarget", "Failed"]);
    let failed = &done.status.conditions[1];
    assert_eq!(
        (failed.reason.as_str(), failed.last_transition_time),
        ("DeadlineExceeded", Some(t0().add(90 * SECOND)))
    );
    assert_eq!(done.status.completion_time, None);
    assert_eq!(done.events.len(), 1);
    assert_eq!(done.events[0].type_, EventType::Warning);
    assert_eq!(done.events[0].object, "Job/ns/j");
    assert_eq!(done.events[0].message, "Job was active longer than specified deadline");
    assert_eq!(
        done.finished,
        Some(Finished { condition: "Failed".into(), reason: "DeadlineExceeded".into() })
    );
}

#[test]
fn older_controller_sets_failed_at_once() {
    let mut j = job(1, Some(1));
    j.spec.active_deadline_seconds = Some(60);
    j.status.start_time = Some(t0());
    let old = Settings { job_delay_terminal_condition: false, ..Settings::default() };
    let out = sync_job(
        &j,
        &[pod("a", PodPhase::Running, None)],
        &BackoffRecord::default(),
        t0().add(60 * SECOND),
        &old,
    );
    assert_eq!(types(&out), vec!["Failed"]);
    assert_eq!(out.status.terminating, None);
    assert!(out.finished.is_some());
}

#[test]
fn completion_is_same_sync_with_completion_time_and_events() {
    let mut j = job(2, Some(1));
    j.status.start_time = Some(t0());
    let now = t0().add(31_500);
    let pods = vec![pod("a", PodPhase::Succeeded, Some(t0())), pod("b", PodPhase::Succeeded, Some(t0()))];
    let out = sync(&j, &pods, now);
    assert_eq!(types(&out), vec!["SuccessCriteriaMet", "Complete"]);
    assert_eq!(out.status.conditions[1].reason, "CompletionsReached");
    assert_eq!(out.status.completion_time, Some(now.trunc_seconds()));
    let reasons: Vec<&str> = out.events.iter().map(|e| e.reason.as_str()).collect();
    assert_eq!(reasons, vec!["TooManySucceededPods", "Completed"]);
    assert_eq!(out.events[1].message, "Job completed");
}

#[test]
fn status_active_reads_zero_while_backoff_delays_a_replacement() {
    let mut j = job(2, Some(4));
    j.status.start_time = Some(t0());
    let pods =
        vec![pod("a", PodPhase::Running, None), pod("b", PodPhase::Failed, Some(t0().add(10 * SECOND)))];
    let out = sync(&j, &pods, t0().add(11 * SECOND));
    assert_eq!(out.pods_to_create, 0);
    assert_eq!(out.requeue_after, Some(9 * SECOND));
    assert_eq!(out.status.active, 0, "upstream's manageJob returns 0 on the backoff path");
    assert_eq!(out.backoff.failures_after_last_success, 1);
}

#[test]
fn backoff_requeue_is_at_least_one_second() {
    let mut j = job(1, Some(1));
    j.status.start_time = Some(t0());
    let record = BackoffRecord { failures_after_last_success: 1, last_failure_time: Some(t0()) };
    let out = sync_job(&j, &[], &record, t0().add(9_700), &Settings::default());
    assert_eq!(out.requeue_after, Some(SECOND));
}

#[test]
fn suspend_and_resume() {
    let mut j = job(2, Some(2));
    j.spec.suspend = Some(true);
    let out = sync(&j, &[], t0());
    assert_eq!(out.status.start_time, None, "no start time while suspended");
    assert_eq!(out.events[0].reason, "Suspended");
    assert_eq!(out.pods_to_create, 0);

    j.status = out.status;
    j.status.start_time = Some(t0()); // started before, then suspended
    j.spec.suspend = Some(false);
    let resumed = sync(&j, &[], t0().add(300 * SECOND));
    assert_eq!(resumed.events[0].reason, "Resumed");
    assert_eq!(resumed.status.start_time, Some(t0().add(300 * SECOND)));
    assert_eq!(resumed.status.conditions[0].status, "False");
    assert_eq!(resumed.pods_to_create, 2);
}

#[test]
fn on_failure_counts_init_and_regular_restarts_of_live_pods() {
    let mut j = job(1, Some(1));
    j.spec.template.spec.restart_policy = "OnFailure".into();
    j.spec.backoff_limit = Some(3);
    let mut p = pod("a", PodPhase::Running, None);
    p.status.init_container_statuses =
        vec![ContainerStatus { restart_count: 1, ..ContainerStatus::default() }];
    p.status.container_statuses = vec![ContainerStatus { restart_count: 2, ..ContainerStatus::default() }];
    assert!(past_backoff_limit_on_failure(&j, std::slice::from_ref(&p)));
    p.status.phase = PodPhase::Succeeded;
    assert!(!past_backoff_limit_on_failure(&j, &[p]), "terminal pods do not count");
}

#[test]
fn unknown_completion_mode_is_skipped_with_a_warning() {
    let mut j = job(1, Some(1));
    j.spec.completion_mode = Some("Sideways".into());
    let out = sync(&j, &[], t0());
    assert_eq!(out.status, j.status);
    assert_eq!(out.events[0].reason, "UnknownCompletionMode");
}

#[test]
fn slow_start_batches_double() {
    assert_eq!(slow_start_batches(10), vec![1, 2, 4, 3]);
    assert_eq!(slow_start_batches(0), Vec::<u32>::new());
    assert_eq!(want_active(&job(3, None), 1, 1), 1);
    assert_eq!(want_active(&job(3, Some(5)), 0, 4), 1);
}

#[test]
fn pods_without_the_finalizer_are_never_recounted() {
    let mut j = job(1, Some(2));
    j.status.succeeded = 1;
    j.status.start_time = Some(t0());
    let mut counted = pod("a", PodPhase::Succeeded, Some(t0()));
    counted.metadata.finalizers.clear();
    let out = sync(&j, &[counted], t0().add(SECOND));
    assert_eq!(out.status.succeeded, 1);
    assert!(out.pods_to_count.is_empty());
    assert_eq!(out.pods_to_create, 1);
}
