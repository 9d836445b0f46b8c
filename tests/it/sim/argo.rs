//! Argo CronWorkflows in the simulator (docs/fidelity/argo.md#argo-12):
//! the Workflows the controller submits, their phases from the
//! behaviour, the garbage collector, downtime, and the same bytes for the
//! same seed.

use crate::support::sim::{at, lines, run, scenario, workload};
use cronwarp::sim::log::{DeletedBy, Entry};
use cronwarp::sim::{SimOutput, WorkloadKind};

/// A CronWorkflow manifest (indented for a workload item) with extra
/// spec lines and Workflow spec lines.
fn cronworkflow(name: &str, schedule: &str, extra_spec: &str, workflow_spec: &str) -> String {
    let mut s = format!(
        "      apiVersion: argoproj.io/v1alpha1\n      kind: CronWorkflow\n      metadata:\n        name: {name}\n        namespace: argo\n        creationTimestamp: \"2025-03-03T09:00:00Z\"\n      spec:\n        schedules: [\"{schedule}\"]\n"
    );
    for l in extra_spec.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("        {l}\n"));
    }
    s.push_str("        workflowSpec:\n          entrypoint: main\n          templates: [{name: main}]\n");
    for l in workflow_spec.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("          {l}\n"));
    }
    s
}

/// `(workflow, phase, message)` of every WorkflowFinished.
fn finished(out: &SimOutput) -> Vec<(String, String, String)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::WorkflowFinished { workflow, phase, message } => {
                Some((workflow.to_string(), phase.to_string(), message.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_submitted_workflow_carries_the_label_annotation_and_owner_upstream_sets() {
    let sc =
        scenario("11:00:30", "", &[workload(&cronworkflow("tidy", "*/30 * * * *", "", ""), "duration: 1m")]);
    let out = run(&sc);
    assert_eq!(out.summary.workloads[0].kind, WorkloadKind::CronWorkflow);
    let cw = &out.summary.final_state.cronworkflows["argo/tidy"];
    assert_eq!(cw.status.last_scheduled_time, Some(at("11:00:00")));
    assert_eq!(cw.status.succeeded, 1, "10:30's succeeded; 11:00's is still running at 11:00:30");
    assert!(cw.status.active.iter().any(|r| r.name == "tidy-1740999600"), "{:?}", cw.status.active);
    assert_eq!(
        cw.metadata.annotations.get("cronworkflows.argoproj.io/last-used-schedule").map(|s| s.as_str()),
        Some("*/30 * * * *")
    );
    let created: Vec<String> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::WorkflowCreated { workflow, scheduled_time, .. } => {
                Some(format!("{workflow} {scheduled_time}"))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        created,
        ["argo/tidy-1740997800 2025-03-03T10:30:00Z", "argo/tidy-1740999600 2025-03-03T11:00:00Z"],
        "10:00 is the instant the controller starts and registers the schedule: the runner fires first at Next(10:00)"
    );
}

#[test]
fn active_deadline_seconds_fails_a_workflow_still_running_then() {
    let cw = cronworkflow("slow", "5 * * * *", "", "activeDeadlineSeconds: 300");
    let out = run(&scenario("11:00:30", "", &[workload(&cw, "duration: 10m")]));
    let got = finished(&out);
    assert_eq!(got, [("argo/slow-1740996300".into(), "Failed".into(), "Step exceeded its deadline".into())]);
    let at_deadline =
        out.log.iter().find(|r| matches!(r.entry, Entry::WorkflowFinished { .. })).map(|r| r.time);
    assert_eq!(at_deadline, Some(at("10:10:00")));
}

#[test]
fn a_workflow_ending_while_the_controller_is_down_gets_its_phase_at_the_restart() {
    let cw = cronworkflow("nightly", "5 * * * *", "", "");
    let controller = "downtime:\n  - {start: \"2025-03-03T10:07:00Z\", end: \"2025-03-03T10:20:00Z\"}";
    let out = run(&scenario("10:30:00", controller, &[workload(&cw, "duration: 5m")]));
    let when: Vec<_> = out
        .log
        .iter()
        .filter(|r| matches!(r.entry, Entry::WorkflowFinished { .. }))
        .map(|r| r.time)
        .collect();
    assert_eq!(when, [at("10:20:00")]);
}

#[test]
fn deleting_the_cronworkflow_garbage_collects_its_workflows() {
    let mut item = workload(&cronworkflow("gone", "*/10 * * * *", "", ""), "duration: 1m");
    item.push_str("    changes:\n      - {at: \"2025-03-03T10:25:00Z\", delete: true}\n");
    let out = run(&scenario("10:40:00", "", &[item]));
    let deleted: Vec<_> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::WorkflowDeleted { workflow, by: DeletedBy::CronWorkflowDeleted } => {
                Some(workflow.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(deleted, ["argo/gone-1740996600", "argo/gone-1740997200"], "10:10 and 10:20");
    assert!(out.summary.final_state.workflows.is_empty());
    assert!(out.summary.final_state.cronworkflows.is_empty());
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_draws() {
    let cw = cronworkflow("flaky", "*/5 * * * *", "concurrencyPolicy: Replace", "");
    let behaviour = "duration: {uniform: {min: 1m, max: 9m}}\nfailureProbability: 0.5";
    let sc = scenario("12:00:00", "", &[workload(&cw, behaviour)]);
    let (a, b) = (lines(&run(&sc)), lines(&run(&sc)));
    assert_eq!(a, b);
    let mut other = sc.clone();
    other.seed = 8;
    assert_ne!(lines(&run(&other)), a, "the draws come from the seed");
}
