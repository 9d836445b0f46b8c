//! Ports of the limit tests in kubernetes
//! `pkg/controller/job/job_controller_test.go`, case names kept:
//! `TestSyncJobPastDeadline`, `TestSingleJobFailedCondition`,
//! `TestSyncJobComplete`, `TestJobBackoffForOnFailure`,
//! `TestJobBackoffOnRestartPolicyNever`.
//!
//! Left out: the `TestJobBackoffForOnFailure` case "finished job", which
//! combines JobSuccessPolicy on with JobPodReplacementPolicy and
//! JobManagedBy off; no release shipped that combination and
//! [`Settings::job_delay_terminal_condition`] models both with one switch.

use crate::support::upstream_job::*;
use cronwarp::model::{Condition, ContainerStatus, PodPhase, SECOND};
use cronwarp::policy::job::{BackoffRecord, sync_job};

type Cond = (&'static str, &'static str, &'static str, &'static str);

#[test]
fn test_sync_job_past_deadline() {
    // (name, parallelism, completions, ads, started secs ago, backoffLimit,
    //  suspend, active, succeeded, failed, delay gates,
    //  want deletions, active, succeeded, failed, conditions)
    type Row = (
        &'static str,
        i32,
        i32,
        i64,
        i64,
        i32,
        bool,
        usize,
        usize,
        usize,
        bool,
        usize,
        i32,
        i32,
        i32,
        Vec<Cond>,
    );
    let dl = |t| (t, "True", "DeadlineExceeded", DEADLINE_MSG);
    let bl = |t| (t, "True", "BackoffLimitExceeded", BACKOFF_MSG);
    #[rustfmt::skip]
    let cases: Vec<Row> = vec![
        ("activeDeadlineSeconds less than single pod execution", 1, 1, 10, 15, 6, false, 1, 0, 0, false, 1, 0, 0, 1, vec![dl("Failed")]),
        ("activeDeadlineSeconds bigger than single pod execution", 1, 2, 10, 15, 6, false, 1, 1, 0, false, 1, 0, 1, 1, vec![dl("Failed")]),
        ("activeDeadlineSeconds times-out before any pod starts", 1, 1, 10, 10, 6, false, 0, 0, 0, false, 0, 0, 0, 0, vec![dl("Failed")]),
        ("activeDeadlineSeconds with backofflimit reach", 1, 1, 1, 10, 0, false, 0, 0, 1, false, 0, 0, 0, 1, vec![bl("Failed")]),
        ("activeDeadlineSeconds is not triggered when Job is suspended", 1, 2, 10, 15, 6, true, 0, 0, 0, false, 0, 0, 0, 0,
            vec![("Suspended", "True", "JobSuspended", "Job suspended")]),
        ("activeDeadlineSeconds exceeded; JobPodReplacementPolicy enabled", 1, 2, 10, 15, 6, false, 1, 1, 0, true, 1, 0, 1, 1, vec![dl("FailureTarget")]),
        ("activeDeadlineSeconds exceeded; JobManagedBy enabled", 1, 2, 10, 15, 6, false, 1, 1, 0, true, 1, 0, 1, 1, vec![dl("FailureTarget")]),
        ("activeDeadlineSeconds exceeded and backofflimit reached; JobManagedBy enabled", 1, 1, 1, 10, 0, false, 0, 0, 1, true, 0, 0, 0, 1,
            vec![bl("FailureTarget"), bl("Failed")]),
    ];
    for (
        name,
        par,
        comp,
        ads,
        ago,
        limit,
        suspend,
        active,
        succ,
        failed,
        delay,
        w_del,
        w_act,
        w_succ,
        w_failed,
        w_cond,
    ) in cases
    {
        let mut job = new_job(par, comp, limit);
        job.spec.active_deadline_seconds = Some(ads);
        job.spec.suspend = Some(suspend);
        job.status.start_time = Some(now().add(-ago * SECOND));
        let mut pods = new_pods("running", active, PodPhase::Running);
        pods.extend(new_pods("succeeded", succ, PodPhase::Succeeded));
        pods.extend(new_pods("failed", failed, PodPhase::Failed));
        let out = sync_job(&job, &pods, &BackoffRecord::default(), now(), &gates(delay));
        assert_eq!(out.pods_to_create, 0, "{name}: creations");
        assert_eq!(out.pods_to_delete.len(), w_del, "{name}: deletions");
        assert_eq!(out.status.active, w_act, "{name}: active");
        assert_eq!(out.status.succeeded, w_succ, "{name}: succeeded");
        assert_eq!(out.status.failed, w_failed, "{name}: failed");
        assert!(out.status.start_time.is_some(), "{name}: startTime");
        assert_eq!(conditions(&out.status), w_cond, "{name}: conditions");
    }
}

#[test]
fn active_deadline_wakes_the_controller_exactly_at_the_deadline() {
    let mut job = new_job(1, 1, 6);
    job.spec.active_deadline_seconds = Some(10);
    job.status.start_time = Some(now().add(-4 * SECOND));
    let pods = new_pods("running", 1, PodPhase::Running);
    let out = sync_job(&job, &pods, &BackoffRecord::default(), now(), &gates(true));
    assert_eq!(out.requeue_after, Some(6 * SECOND));
    // At the deadline itself (>=) the Job fails and its pod is deleted.
    let out = sync_job(&job, &pods, &BackoffRecord::default(), now().add(6 * SECOND), &gates(true));
    assert_eq!(conditions(&out.status), vec![("FailureTarget", "True", "DeadlineExceeded", DEADLINE_MSG)]);
    assert_eq!(out.pods_to_delete.len(), 1);
    assert_eq!(out.status.terminating, Some(1), "the terminal condition waits for the pod");
    assert_eq!(out.finished, None);
}

#[test]
fn test_single_job_failed_condition() {
    let mut job = new_job(1, 1, 6);
    job.spec.active_deadline_seconds = Some(10);
    job.status.start_time = Some(now().add(-15 * SECOND));
    job.status.conditions.push(cond(("Failed", "False", "DeadlineExceeded", DEADLINE_MSG)));
    let out = sync_job(&job, &[], &BackoffRecord::default(), now(), &gates(false));
    assert!(out.pods_to_delete.is_empty());
    let failed: Vec<&Condition> = out.status.conditions.iter().filter(|c| c.type_ == "Failed").collect();
    assert_eq!(failed.len(), 1, "the False condition is replaced, not duplicated");
    assert_eq!(failed[0].status, "True");
}

#[test]
fn test_sync_job_complete() {
    let mut job = new_job(1, 1, 6);
    job.status.conditions.push(cond(("Complete", "True", "", "")));
    let record = BackoffRecord { failures_after_last_success: 3, last_failure_time: Some(now()) };
    let out = sync_job(&job, &new_pods("running", 1, PodPhase::Running), &record, now(), &gates(true));
    assert_eq!(out.status, job.status, "a finished Job is left alone");
    assert_eq!(out.backoff, BackoffRecord::default(), "and its backoff record dropped");
    assert_eq!(out.pods_to_create + out.pods_to_delete.len() as u32, 0);
}

#[test]
fn test_job_backoff_for_on_failure() {
    // (name, parallelism, completions, backoffLimit, suspend, restart counts,
    //  phase, delay gates, want active, succeeded, failed, conditions)
    type Row = (&'static str, i32, i32, i32, bool, Vec<i32>, PodPhase, bool, i32, i32, i32, Vec<Cond>);
    let bl = |t| (t, "True", "BackoffLimitExceeded", BACKOFF_MSG);
    let done = |t| (t, "True", "CompletionsReached", "Reached expected number of succeeded pods");
    use PodPhase::{Pending, Running, Succeeded};
    #[rustfmt::skip]
    let cases: Vec<Row> = vec![
        ("backoffLimit 0 should have 1 pod active", 1, 1, 0, false, vec![0], Running, false, 1, 0, 0, vec![]),
        ("backoffLimit 1 with restartCount 0 should have 1 pod active", 1, 1, 1, false, vec![0], Running, false, 1, 0, 0, vec![]),
        ("backoffLimit 1 with restartCount 1 and podRunning should have 0 pod active", 1, 1, 1, false, vec![1], Running, false, 0, 0, 1, vec![bl("Failed")]),
        ("backoffLimit 1 with restartCount 1 and podPending should have 0 pod active", 1, 1, 1, false, vec![1], Pending, false, 0, 0, 1, vec![bl("Failed")]),
        ("too many job failures with podRunning - single pod", 1, 5, 2, false, vec![2], Running, false, 0, 0, 1, vec![bl("Failed")]),
        ("too many job failures with podPending - single pod", 1, 5, 2, false, vec![2], Pending, false, 0, 0, 1, vec![bl("Failed")]),
        ("too many job failures with podRunning - multiple pods", 2, 5, 2, false, vec![1, 1], Running, false, 0, 0, 2, vec![bl("Failed")]),
        ("too many job failures with podPending - multiple pods", 2, 5, 2, false, vec![1, 1], Pending, false, 0, 0, 2, vec![bl("Failed")]),
        ("not enough failures", 2, 5, 3, false, vec![1, 1], Running, false, 2, 0, 0, vec![]),
        ("suspending a job", 2, 4, 6, true, vec![1, 1], Running, false, 0, 0, 0, vec![("Suspended", "True", "JobSuspended", "Job suspended")]),
        ("finished job; JobPodReplacementPolicy enabled", 2, 4, 6, true, vec![1, 1, 2, 0], Succeeded, true, 0, 4, 0,
            vec![done("SuccessCriteriaMet"), done("Complete")]),
        ("finished job; JobManagedBy enabled", 2, 4, 6, true, vec![1, 1, 2, 0], Succeeded, true, 0, 4, 0,
            vec![done("SuccessCriteriaMet"), done("Complete")]),
        ("too many job failures with podRunning - multiple pods; JobPodReplacementPolicy enabled", 2, 5, 2, false, vec![1, 1], Running, true, 0, 0, 2,
            vec![bl("FailureTarget")]),
        ("too many job failures with podRunning - multiple pods; JobManagedBy enabled", 2, 5, 2, false, vec![1, 1], Running, true, 0, 0, 2,
            vec![bl("FailureTarget")]),
    ];
    for (name, par, comp, limit, suspend, restarts, phase, delay, w_act, w_succ, w_failed, w_cond) in cases {
        let mut job = new_job(par, comp, limit);
        job.spec.template.spec.restart_policy = "OnFailure".into();
        job.spec.suspend = Some(suspend);
        let mut pods = new_pods("p", restarts.len(), phase);
        for (p, r) in pods.iter_mut().zip(&restarts) {
            p.status.container_statuses =
                vec![ContainerStatus { restart_count: *r, ..ContainerStatus::default() }];
        }
        let out = sync_job(&job, &pods, &BackoffRecord::default(), now(), &gates(delay));
        assert_eq!(out.status.active, w_act, "{name}: active");
        assert_eq!(out.status.succeeded, w_succ, "{name}: succeeded");
        assert_eq!(out.status.failed, w_failed, "{name}: failed");
        assert_eq!(conditions(&out.status), w_cond, "{name}: conditions");
    }
}

#[test]
fn test_job_backoff_on_restart_policy_never() {
    // (name, parallelism, completions, backoffLimit, active phase, active,
    //  failed, want active, succeeded, failed, conditions); current gates.
    type Row = (&'static str, i32, i32, i32, PodPhase, usize, usize, i32, i32, i32, Vec<Cond>);
    let bl = |t| (t, "True", "BackoffLimitExceeded", BACKOFF_MSG);
    use PodPhase::{Pending, Running};
    #[rustfmt::skip]
    let cases: Vec<Row> = vec![
        ("not enough failures with backoffLimit 0 - single pod", 1, 1, 0, Running, 1, 0, 1, 0, 0, vec![]),
        ("not enough failures with backoffLimit 1 - single pod", 1, 1, 1, Pending, 0, 1, 1, 0, 1, vec![]),
        ("too many failures with backoffLimit 1 - single pod", 1, 1, 1, Pending, 0, 2, 0, 0, 2, vec![bl("FailureTarget"), bl("Failed")]),
        ("not enough failures with backoffLimit 6 - multiple pods", 2, 2, 6, Running, 1, 6, 2, 0, 6, vec![]),
        ("too many failures with backoffLimit 6 - multiple pods", 2, 2, 6, Pending, 0, 7, 0, 0, 7, vec![bl("FailureTarget"), bl("Failed")]),
    ];
    for (name, par, comp, limit, phase, active, failed, w_act, w_succ, w_failed, w_cond) in cases {
        let mut job = new_job(par, comp, limit);
        job.spec.template.spec.restart_policy = "Never".into();
        let mut pods = new_pods("failed", failed, PodPhase::Failed);
        pods.extend(new_pods("active", active, phase));
        let out = sync_job(&job, &pods, &BackoffRecord::default(), now(), &gates(true));
        assert_eq!(out.status.active, w_act, "{name}: active");
        assert_eq!(out.status.succeeded, w_succ, "{name}: succeeded");
        assert_eq!(out.status.failed, w_failed, "{name}: failed");
        assert_eq!(conditions(&out.status), w_cond, "{name}: conditions");
    }
}
