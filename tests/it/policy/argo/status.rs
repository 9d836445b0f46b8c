//! `syncAll`'s half of the controller (history GC, `reconcileActiveWfs`)
//! and the run-policy order of `enforceRuntimePolicy`
//! (docs/fidelity/argo.md#argo-6, #argo-8, #argo-10).

use super::cw;
use crate::support::t;
use cronwarp::model::argo::{CONDITION_SUBMISSION_ERROR, LABEL_CRON_WORKFLOW_COMPLETED, StopStrategy};
use cronwarp::model::{ObjectReference, Time};
use cronwarp::policy::argo::{
    ChildWorkflow, PHASE_STOPPED, RunDecision, WorkflowPhase, history_to_delete, reconcile_active,
    record_submission, run,
};

const CW: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
  namespace: ops
spec:
  schedules: ["0 * * * *"]
  workflowSpec:
    entrypoint: main
    templates: [{name: main}]
"#;

fn child(name: &str, phase: WorkflowPhase, finished: Option<&str>) -> ChildWorkflow {
    ChildWorkflow {
        name: name.into(),
        uid: format!("uid-{name}").into(),
        phase,
        finished_at: finished.map(t),
        cron_label: Some("nightly".into()),
    }
}

fn active(name: &str) -> ObjectReference {
    ObjectReference { name: name.into(), uid: format!("uid-{name}").into(), ..Default::default() }
}

#[test]
fn history_keeps_three_succeeded_and_one_failed_by_finish_time() {
    use WorkflowPhase::*;
    let c = cw(CW);
    let children = [
        child("a", Succeeded, Some("2026-01-01T01:00:00Z")),
        child("b", Succeeded, Some("2026-01-01T04:00:00Z")),
        child("c", Succeeded, Some("2026-01-01T02:00:00Z")),
        child("d", Succeeded, Some("2026-01-01T03:00:00Z")),
        child("e", Failed, Some("2026-01-01T01:30:00Z")),
        child("f", Error, Some("2026-01-01T02:30:00Z")),
        child("g", Running, None),
    ];
    // Error counts as failed; the oldest finishers go.
    assert_eq!(history_to_delete(&c, &children), ["a", "e"]);
    // An unlabelled child is not this CronWorkflow's history.
    let mut other = children.clone();
    other[0].cron_label = None;
    assert_eq!(history_to_delete(&c, &other), ["e"]);
    // A negative limit is the default, zero deletes all.
    let mut c0 = c.clone();
    c0.spec.successful_jobs_history_limit = Some(-4);
    c0.spec.failed_jobs_history_limit = Some(0);
    assert_eq!(history_to_delete(&c0, &children), ["a", "f", "e"]);
}

#[test]
fn reconcile_counts_finishes_and_the_stop_strategy_fires_there() {
    let mut c = cw(CW);
    c.spec.stop_strategy = Some(StopStrategy { expression: "cronworkflow.failed >= 2".into() });
    c.status.active = vec![active("x"), active("y"), active("gone")];
    let now = t("2026-01-01T05:00:00Z");
    let children = [
        child("x", WorkflowPhase::Failed, Some("2026-01-01T04:00:00Z")),
        child("y", WorkflowPhase::Running, None),
        child("z", WorkflowPhase::Pending, None),
    ];
    assert_eq!(reconcile_active(&mut c, &children, now), Ok(true));
    let names: Vec<&str> = c.status.active.iter().map(|r| r.name.as_str()).collect();
    // z adopted, x finished, gone vanished (not counted).
    assert_eq!(names, ["y", "z"]);
    assert_eq!((c.status.succeeded, c.status.failed), (0, 1));
    assert_ne!(c.status.phase, PHASE_STOPPED);
    let children = [child("y", WorkflowPhase::Error, Some("2026-01-01T05:00:00Z"))];
    assert_eq!(reconcile_active(&mut c, &children, now), Ok(true));
    assert_eq!(c.status.failed, 2);
    assert_eq!(c.status.phase, PHASE_STOPPED);
    assert_eq!(c.metadata.labels.get(LABEL_CRON_WORKFLOW_COMPLETED).map(|s| s.as_str()), Some("true"));
    // Stopped: every later tick is skipped.
    assert_eq!(run(&mut c, now, now), RunDecision::Stopped);
    // Nothing left to change: no patch.
    assert_eq!(reconcile_active(&mut c, &[], now), Ok(false));
}

#[test]
fn runtime_policy_order_suspend_stopped_when_then_forbid() {
    let now = t("2026-01-01T05:00:00Z");
    let mut c = cw(CW);
    c.spec.concurrency_policy = "Forbid".into();
    c.status.active = vec![active("x")];
    assert_eq!(run(&mut c.clone(), now, now), RunDecision::Forbidden);
    c.spec.when = "false".into();
    assert_eq!(run(&mut c.clone(), now, now), RunDecision::WhenFalse);
    c.spec.suspend = true;
    assert_eq!(run(&mut c.clone(), now, now), RunDecision::Suspended);
    c.spec.suspend = false;
    c.spec.concurrency_policy = "Replace".into();
    c.spec.when = String::new();
    let want =
        RunDecision::Submit { name: format!("nightly-{}", now.unix()).into(), terminate: vec!["x".into()] };
    assert_eq!(run(&mut c, now, now), want);
}

#[test]
fn a_when_that_fails_to_evaluate_counts_as_a_failed_run() {
    let now = t("2026-01-01T05:00:00Z");
    let mut c = cw(CW);
    // Upstream: nil arithmetic is an expr-lang runtime error; the
    // SubmissionError it reports bumps status.failed.
    c.spec.when = "{{= (now() - cronworkflow.lastScheduledTime).Hours() > 1 }}".into();
    let d = run(&mut c, now, now);
    assert!(matches!(d, RunDecision::PolicyError { .. }), "{d:?}");
    assert_eq!(c.status.failed, 1);
    assert_eq!(c.status.conditions[0].type_, CONDITION_SUBMISSION_ERROR);
    // The annotation is written whatever the outcome.
    assert!(!c.is_using_new_schedule());
    // A successful submission clears the condition and records the tick.
    c.spec.when.clear();
    let RunDecision::Submit { name, .. } = run(&mut c, now, now) else { panic!("submits") };
    record_submission(&mut c, active(&name), now);
    assert!(c.status.conditions.is_empty());
    assert_eq!(c.status.last_scheduled_time, Some(now));
    assert_eq!(c.status.phase, "Active");
    let _ = Time::from_unix(0);
}
