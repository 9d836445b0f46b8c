//! Port of kubernetes `pkg/controller/job/job_controller_test.go`
//! `TestControllerSyncJob` (the v1.31+ table), case names kept.
//!
//! Left out: Indexed cases (not modelled), cases with pod-control errors,
//! a creation limit or unsatisfied expectations (the simulator's pod store
//! is always in sync with the controller's decisions). Feature gates map to
//! [`Settings::job_delay_terminal_condition`], which stands for
//! JobPodReplacementPolicy or JobManagedBy being on.

use crate::support::upstream_job::*;
use cronwarp::model::{Condition, PodPhase, SECOND};
use cronwarp::policy::job::{BackoffRecord, JobSyncOutcome, sync_job};

#[derive(Default)]
struct Case {
    parallelism: i32,
    completions: i32,
    backoff_limit: i32,
    deleting: bool,
    was_suspended: bool,
    suspend: bool,
    pod_replacement_policy: Option<&'static str>,
    pod_failure_policy: bool,
    initial: Option<(i32, i32, i32)>,
    initial_conditions: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    backoff: Option<BackoffRecord>,
    pending: usize,
    active: usize,
    ready: usize,
    succeeded: usize,
    failed: usize,
    terminating: usize,
    want_creations: u32,
    want_deletions: usize,
    want_active: i32,
    want_ready: i32,
    want_succeeded: i32,
    want_failed: i32,
    want_terminating: Option<i32>,
    want_conditions: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    want_patches: usize,
    gate_pod_replacement_policy: bool,
}

fn run(name: &str, c: Case) {
    let mut job = new_job(c.parallelism, c.completions, c.backoff_limit);
    job.spec.suspend = Some(c.suspend);
    if c.gate_pod_replacement_policy {
        job.spec.pod_replacement_policy = c.pod_replacement_policy.map(Into::into);
    }
    if c.pod_failure_policy {
        job.spec.pod_failure_policy = Some(Default::default());
    }
    if let Some((active, succeeded, failed)) = c.initial {
        job.status.start_time = Some(now());
        job.status.active = active;
        job.status.succeeded = succeeded;
        job.status.failed = failed;
    }
    job.status.conditions.extend(c.initial_conditions.iter().map(|x| cond(*x)));
    if c.was_suspended {
        job.status.conditions.push(Condition::true_("Suspended", "JobSuspended", "Job suspended", now()));
    }
    if c.deleting {
        job.metadata.deletion_timestamp = Some(now());
    }
    let mut pods = new_pods("pending", c.pending, PodPhase::Pending);
    let mut running = new_pods("running", c.active, PodPhase::Running);
    for p in running.iter_mut().take(c.ready) {
        p.status.conditions.push(ready());
    }
    pods.extend(running);
    pods.extend(new_pods("succeeded", c.succeeded, PodPhase::Succeeded));
    pods.extend(new_pods("failed", c.failed, PodPhase::Failed));
    let mut terminating = new_pods("terminating", c.terminating, PodPhase::Running);
    for p in &mut terminating {
        p.metadata.deletion_timestamp = Some(now());
    }
    pods.extend(terminating);

    let out: JobSyncOutcome =
        sync_job(&job, &pods, &c.backoff.unwrap_or_default(), now(), &gates(c.gate_pod_replacement_policy));
    let s = &out.status;
    assert_eq!(out.pods_to_create, c.want_creations, "{name}: creations");
    assert_eq!(out.pods_to_delete.len(), c.want_deletions, "{name}: deletions");
    assert_eq!(s.active, c.want_active, "{name}: active");
    assert_eq!(s.ready, Some(c.want_ready), "{name}: ready");
    assert_eq!(s.succeeded, c.want_succeeded, "{name}: succeeded");
    assert_eq!(s.failed, c.want_failed, "{name}: failed");
    assert_eq!(s.terminating, c.want_terminating, "{name}: terminating");
    assert_eq!(s.start_time.is_some(), !c.suspend, "{name}: startTime set iff not suspended");
    assert_eq!(conditions(s), c.want_conditions, "{name}: conditions");
    let patches =
        out.pods_to_count.len() + out.pods_to_delete.iter().filter(|d| d.cause.removes_finalizer()).count();
    assert_eq!(patches, c.want_patches, "{name}: pod patches");
}

#[test]
fn test_controller_sync_job() {
    let reference = now();
    #[rustfmt::skip]
    let cases: Vec<(&str, Case)> = vec![
        ("job start", Case { parallelism: 2, completions: 5, backoff_limit: 6, want_creations: 2, want_active: 2, ..Case::default() }),
        ("WQ job start", Case { parallelism: 2, completions: -1, backoff_limit: 6, want_creations: 2, want_active: 2, ..Case::default() }),
        ("pending pods", Case { parallelism: 2, completions: 5, backoff_limit: 6, pending: 2, want_active: 2, ..Case::default() }),
        ("correct # of pods", Case { parallelism: 3, completions: 5, backoff_limit: 6, active: 3, ready: 2, want_active: 3, want_ready: 2, ..Case::default() }),
        ("WQ job: correct # of pods", Case { parallelism: 2, completions: -1, backoff_limit: 6, active: 2, want_active: 2, ..Case::default() }),
        ("too few active pods", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 1, succeeded: 1, want_creations: 1, want_active: 2, want_succeeded: 1, want_patches: 1, ..Case::default() }),
        ("WQ job: recreate pods when failed", Case { parallelism: 1, completions: -1, backoff_limit: 6, active: 1, failed: 1, terminating: 1, pod_replacement_policy: Some("Failed"), gate_pod_replacement_policy: true, want_terminating: Some(1), want_patches: 1, want_failed: 1, want_active: 1, ..Case::default() }),
        ("WQ job: turn on PodReplacementPolicy but not set PodReplacementPolicy", Case { parallelism: 1, completions: 1, backoff_limit: 6, active: 1, failed: 1, terminating: 1, gate_pod_replacement_policy: true, want_terminating: Some(1), want_active: 1, want_patches: 2, want_failed: 2, ..Case::default() }),
        ("WQ job: recreate pods when terminating or failed", Case { parallelism: 1, completions: -1, backoff_limit: 6, active: 1, failed: 1, terminating: 1, pod_replacement_policy: Some("TerminatingOrFailed"), gate_pod_replacement_policy: true, want_terminating: Some(1), want_active: 1, want_patches: 2, want_failed: 2, ..Case::default() }),
        ("more terminating pods than parallelism", Case { parallelism: 1, completions: 1, backoff_limit: 6, active: 2, terminating: 4, pod_replacement_policy: Some("Failed"), gate_pod_replacement_policy: true, want_terminating: Some(5), want_active: 1, want_deletions: 1, want_patches: 1, ..Case::default() }),
        ("more terminating pods than parallelism; PodFailurePolicy used", Case { parallelism: 1, completions: 1, backoff_limit: 6, active: 2, terminating: 4, pod_failure_policy: true, want_terminating: None, want_active: 1, want_deletions: 1, want_patches: 1, ..Case::default() }),
        ("too few active pods and active back-off", Case { parallelism: 1, completions: 1, backoff_limit: 6, backoff: Some(BackoffRecord { failures_after_last_success: 1, last_failure_time: Some(reference) }), initial: Some((0, 0, 0)), ..Case::default() }),
        ("too few active pods and no back-offs", Case { parallelism: 1, completions: 1, backoff_limit: 6, backoff: Some(BackoffRecord { failures_after_last_success: 0, last_failure_time: Some(reference) }), want_creations: 1, want_active: 1, ..Case::default() }),
        ("too few active pods with a dynamic job", Case { parallelism: 2, completions: -1, backoff_limit: 6, active: 1, want_creations: 1, want_active: 2, ..Case::default() }),
        ("too many active pods", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 3, want_deletions: 1, want_active: 2, want_patches: 1, ..Case::default() }),
        ("too many active pods; PodReplacementPolicy enabled", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 3, gate_pod_replacement_policy: true, want_deletions: 1, want_active: 2, want_patches: 1, want_terminating: Some(1), ..Case::default() }),
        ("count ready pods when too many active pods", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 3, ready: 3, want_deletions: 1, want_active: 2, want_patches: 1, want_ready: 2, ..Case::default() }),
        ("failed + succeeded pods: reset backoff delay", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 1, succeeded: 1, failed: 1, want_creations: 1, want_active: 2, want_succeeded: 1, want_failed: 1, want_patches: 2, ..Case::default() }),
        ("new failed pod", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 1, failed: 1, want_creations: 1, want_active: 2, want_failed: 1, want_patches: 1, ..Case::default() }),
        ("no new pod; possible finalizer update of failed pod", Case { parallelism: 1, completions: 1, backoff_limit: 6, initial: Some((1, 0, 1)), active: 1, want_active: 1, want_failed: 1, ..Case::default() }),
        ("job finish", Case { parallelism: 2, completions: 5, backoff_limit: 6, succeeded: 5, want_succeeded: 5, want_conditions: vec![("Complete", "True", "", "")], want_patches: 5, ..Case::default() }),
        ("WQ job finishing", Case { parallelism: 2, completions: -1, backoff_limit: 6, active: 1, succeeded: 1, want_active: 1, want_succeeded: 1, want_patches: 1, ..Case::default() }),
        ("WQ job all finished", Case { parallelism: 2, completions: -1, backoff_limit: 6, succeeded: 2, want_succeeded: 2, want_conditions: vec![("Complete", "True", "", "")], want_patches: 2, ..Case::default() }),
        ("WQ job all finished despite one failure", Case { parallelism: 2, completions: -1, backoff_limit: 6, succeeded: 1, failed: 1, want_succeeded: 1, want_failed: 1, want_conditions: vec![("Complete", "True", "", "")], want_patches: 2, ..Case::default() }),
        ("more active pods than parallelism", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 10, want_deletions: 8, want_active: 2, want_patches: 8, ..Case::default() }),
        ("more active pods than remaining completions", Case { parallelism: 3, completions: 4, backoff_limit: 6, active: 3, succeeded: 2, want_deletions: 1, want_active: 2, want_succeeded: 2, want_patches: 3, ..Case::default() }),
        ("status change", Case { parallelism: 2, completions: 5, backoff_limit: 6, active: 2, succeeded: 2, want_active: 2, want_succeeded: 2, want_patches: 2, ..Case::default() }),
        ("deleting job", Case { parallelism: 2, completions: 5, backoff_limit: 6, deleting: true, pending: 1, active: 1, succeeded: 1, want_active: 2, want_succeeded: 1, want_patches: 3, ..Case::default() }),
        ("too many job failures", Case { parallelism: 2, completions: 5, deleting: true, failed: 1, want_failed: 1, want_conditions: vec![("Failed", "True", "BackoffLimitExceeded", BACKOFF_MSG)], want_patches: 1, ..Case::default() }),
        ("count ready pods when job fails", Case { parallelism: 2, completions: 3, backoff_limit: 0, active: 2, ready: 2, failed: 1, want_failed: 3, want_conditions: vec![("Failed", "True", "BackoffLimitExceeded", BACKOFF_MSG)], want_patches: 3, want_deletions: 2, ..Case::default() }),
        ("suspending a job with satisfied expectations", Case { suspend: true, parallelism: 2, active: 2, completions: 4, backoff_limit: 6, want_deletions: 2, want_conditions: vec![("Suspended", "True", "JobSuspended", "Job suspended")], want_patches: 2, ..Case::default() }),
        ("suspending a job with satisfied expectations; PodReplacementPolicy enabled", Case { suspend: true, parallelism: 2, active: 2, completions: 4, backoff_limit: 6, gate_pod_replacement_policy: true, want_deletions: 2, want_conditions: vec![("Suspended", "True", "JobSuspended", "Job suspended")], want_patches: 2, want_terminating: Some(2), ..Case::default() }),
        ("count ready pods when suspending a job with satisfied expectations", Case { suspend: true, parallelism: 2, active: 2, ready: 2, completions: 4, backoff_limit: 6, want_deletions: 2, want_conditions: vec![("Suspended", "True", "JobSuspended", "Job suspended")], want_patches: 2, ..Case::default() }),
        ("resuming a suspended job", Case { was_suspended: true, parallelism: 2, completions: 4, backoff_limit: 6, want_creations: 2, want_active: 2, want_conditions: vec![("Suspended", "False", "JobResumed", "Job resumed")], ..Case::default() }),
        ("suspending a deleted job", Case { suspend: true, deleting: true, parallelism: 2, active: 2, completions: 4, backoff_limit: 6, want_active: 2, want_patches: 2, ..Case::default() }),
        ("suspending a deleted job; PodReplacementPolicy enabled", Case { suspend: true, deleting: true, parallelism: 2, active: 2, completions: 4, backoff_limit: 6, gate_pod_replacement_policy: true, want_active: 2, want_patches: 2, want_terminating: Some(0), ..Case::default() }),
        ("FailureTarget=False condition added manually is ignored", Case { parallelism: 1, completions: 1, active: 1, ready: 1, initial: Some((1, 0, 0)), initial_conditions: vec![("FailureTarget", "False", "ConditionAddedManually", "Testing")], want_active: 1, want_ready: 1, want_conditions: vec![("FailureTarget", "False", "ConditionAddedManually", "Testing")], ..Case::default() }),
        ("SuccessCriteriaMet=False condition added manually is ignored", Case { parallelism: 1, completions: 1, active: 1, ready: 1, initial: Some((1, 0, 0)), initial_conditions: vec![("SuccessCriteriaMet", "False", "ConditionAddedManually", "Testing")], want_active: 1, want_ready: 1, want_conditions: vec![("SuccessCriteriaMet", "False", "ConditionAddedManually", "Testing")], ..Case::default() }),
    ];
    assert_eq!(cases.len(), 38);
    for (name, c) in cases {
        run(name, c);
    }
}

#[test]
fn test_controller_sync_job_backoff_requeue() {
    // The "active back-off" case also asks for a wake-up when the 10 s
    // backoff ends (enqueueSyncJobWithDelay).
    let mut job = new_job(1, 1, 6);
    job.status.start_time = Some(now());
    let record = BackoffRecord { failures_after_last_success: 1, last_failure_time: Some(now()) };
    let out = sync_job(&job, &[], &record, now().add(3 * SECOND), &gates(true));
    assert_eq!(out.pods_to_create, 0);
    assert_eq!(out.requeue_after, Some(7 * SECOND));
}
