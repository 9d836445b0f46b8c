//! The kubelet side of a Job's pods: container statuses by the template's
//! names (podFailurePolicy `containerName`), the status-report delay, and
//! the pod and node faults of `behaviour` (disruptions with
//! `DisruptionTarget`, `Pending` holds, node loss), each as upstream's
//! controllers react (docs/fidelity/kubernetes-job.md#job-13 to #job-16).

use crate::support::sim::*;
use cronwarp::model::{MINUTE, SECOND, Time};
use cronwarp::sim::behaviour::DisruptionReason;
use cronwarp::sim::log::{Entry, Fault};

/// One Job at 10:01 from a CronJob whose pods have an init container
/// `setup` and two regular containers, `main` and `sidecar`.
fn two_containers(job_spec: &str) -> String {
    cronjob("batch", "1 10 * * *", "", job_spec).replace(
        "                containers:\n                  - name: main\n                    image: busybox\n",
        "                initContainers:\n                  - {name: setup, image: busybox}\n                containers:\n                  - {name: main, image: busybox}\n                  - {name: sidecar, image: busybox}\n",
    )
}

const FAIL_JOB_ON_SIDECAR_42: &str = "backoffLimit: 6
podFailurePolicy:
  rules:
    - action: FailJob
      onExitCodes: {containerName: sidecar, operator: In, values: [42]}";

fn finished(out: &cronwarp::sim::SimOutput) -> Vec<(Time, String, String, String)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::JobFinished { condition, reason, message, .. } => {
                Some((r.time, condition.to_string(), reason.to_string(), message.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_fail_job_rule_on_a_named_container_matches_the_container_that_failed() {
    let w = workload(
        &two_containers(FAIL_JOB_ON_SIDECAR_42),
        "duration: 1m\nfailureProbability: 1\nexitCode: 42\ncontainer: sidecar",
    );
    let out = run(&scenario("10:30:00", "", &[w]));
    let f = finished(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].1.as_str(), f[0].2.as_str()), ("Failed", "PodFailurePolicy"));
    assert!(
        f[0].3.starts_with("Container sidecar for pod default/batch-")
            && f[0].3.ends_with("failed with exit code 42 matching FailJob rule at index 0"),
        "the message names the real container: {}",
        f[0].3
    );
}

#[test]
fn the_rule_does_not_match_when_another_container_fails() {
    // `main` (the default) fails with 42: the sidecar rule matches nothing,
    // so the failures count toward backoffLimit instead.
    let w = workload(
        &two_containers(&FAIL_JOB_ON_SIDECAR_42.replace("backoffLimit: 6", "backoffLimit: 0")),
        "duration: 1m\nfailureProbability: 1\nexitCode: 42",
    );
    let f = finished(&run(&scenario("10:30:00", "", &[w])));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].2, "BackoffLimitExceeded");
}

#[test]
fn a_failing_init_container_is_matched_after_the_regular_ones() {
    let spec = FAIL_JOB_ON_SIDECAR_42.replace("containerName: sidecar", "containerName: setup");
    let w = workload(&two_containers(&spec), "duration: 1m\nscript: [{exit: 42, container: setup}]");
    let f = finished(&run(&scenario("10:30:00", "", &[w])));
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].3.starts_with("Container setup for pod"), "{}", f[0].3);
}

#[test]
fn a_container_the_template_lacks_is_a_located_error() {
    let text = format!(
        "horizon: {{start: \"2025-03-03T10:00:00Z\", end: \"2025-03-03T11:00:00Z\"}}\nworkloads:\n{}",
        workload(&two_containers(""), "container: sidecarr")
    );
    let sc = cronwarp::sim::Scenario::from_yaml(&text, "t.yaml").unwrap();
    let e = cronwarp::sim::simulate(&sc, Default::default()).unwrap_err().to_string();
    assert!(e.starts_with("t.yaml:"), "{e}");
    assert!(
        e.contains("workloads[0].behaviour.container: the Job template has no container named \"sidecarr\""),
        "{e}"
    );
    assert!(e.contains("setup"), "the hint lists the names: {e}");
}

#[test]
fn the_terminal_phase_is_reported_status_report_delay_after_the_exit() {
    let pod_finished = |behaviour: &str| {
        let out = run(&scenario("10:30:00", "", &[workload(&cronjob("d", "1 10 * * *", "", ""), behaviour)]));
        let started = find(&out, |e| matches!(e, Entry::PodStarted { .. }))[0].time;
        let done = find(&out, |e| matches!(e, Entry::PodFinished { .. }))[0].time;
        done.since(started)
    };
    assert_eq!(pod_finished("duration: 30s"), 30 * SECOND);
    assert_eq!(pod_finished("duration: 30s\nstatusReportDelay: 1s"), 31 * SECOND);
}

#[test]
fn the_bundled_backoff_timeline_fails_the_job_after_9m06s() {
    let sc =
        cronwarp::sim::Scenario::load(std::path::Path::new("scenarios/job-backoff-timeline.yaml")).unwrap();
    let out = run(&sc);
    let created = find(&out, |e| matches!(e, Entry::JobCreated { .. }))[0].time;
    let waves: Vec<i64> = find(&out, |e| matches!(e, Entry::PodCreated { .. }))
        .iter()
        .map(|r| r.time.since(created) / SECOND)
        .collect();
    assert_eq!(waves, vec![0, 0, 51, 51, 162, 162, 513, 513]);
    let f = finished(&out);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].2, "BackoffLimitExceeded");
    assert_eq!(f[0].0.since(created), 9 * MINUTE + 6 * SECOND);
}

const IGNORE_DISRUPTIONS: &str = "backoffLimit: 0
podFailurePolicy:
  rules:
    - action: Ignore
      onPodConditions: [{type: DisruptionTarget}]";

fn evicted_at_10_03(job_spec: &str, reason: &str) -> cronwarp::sim::SimOutput {
    let behaviour =
        format!("duration: 5m\ndisruptions:\n  - {{at: \"2025-03-03T10:03:00Z\", reason: {reason}}}");
    run(&scenario("10:30:00", "", &[workload(&cronjob("batch", "1 10 * * *", "", job_spec), &behaviour)]))
}

#[test]
fn an_ignore_rule_on_disruption_target_keeps_an_evicted_pod_out_of_the_backoff_limit() {
    let out = evicted_at_10_03(IGNORE_DISRUPTIONS, "EvictionByEvictionAPI");
    let faults = find(&out, |e| {
        matches!(e, Entry::Fault(Fault::PodDisrupted { reason: DisruptionReason::EvictionByEvictionAPI, .. }))
    });
    assert_eq!(faults.len(), 1);
    assert_eq!(faults[0].time, at("10:03:00"));
    // Deleted, the pod stops at the end of its 30 s grace period (137).
    let killed = find(&out, |e| matches!(e, Entry::PodFinished { exit_code: 137, .. }));
    assert_eq!(killed[0].time, at("10:03:30"));
    let f = finished(&out);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].1, "Complete", "the replacement pod completes: {f:?}");
}

#[test]
fn without_the_rule_the_eviction_counts_toward_the_backoff_limit() {
    let f = finished(&evicted_at_10_03("backoffLimit: 0", "EvictionByEvictionAPI"));
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].2, "BackoffLimitExceeded");
}

#[test]
fn a_drawn_disruption_comes_after_the_container_starts_and_only_when_it_hits() {
    let disrupted = |p: &str| {
        let behaviour = format!(
            "duration: 5m\ndisruptions:\n  - {{probability: {p}, after: 1m, reason: PreemptionByScheduler}}"
        );
        let out = run(&scenario(
            "10:30:00",
            "",
            &[workload(&cronjob("b", "1 10 * * *", "", IGNORE_DISRUPTIONS), &behaviour)],
        ));
        find(&out, |e| matches!(e, Entry::Fault(Fault::PodDisrupted { .. })))
            .iter()
            .map(|r| r.time)
            .collect::<Vec<_>>()
    };
    // Every pod is preempted a minute in, the replacement too.
    assert_eq!(disrupted("1")[..2], [at("10:02:00.100"), at("10:03:40")]);
    assert!(disrupted("0").is_empty());
}

#[test]
fn the_kubelet_ends_its_own_disrupted_pod_at_once_without_a_delete() {
    let out = evicted_at_10_03(IGNORE_DISRUPTIONS, "TerminationByKubelet");
    assert!(find(&out, |e| matches!(e, Entry::PodDeleted { .. })).is_empty());
    let killed = find(&out, |e| matches!(e, Entry::PodFinished { exit_code: 137, .. }));
    assert_eq!(killed[0].time, at("10:03:00"));
    assert_eq!(finished(&out)[0].1, "Complete");
}

#[test]
fn a_pending_window_delays_the_start_and_the_deadline_counts_from_the_job_start() {
    // The Job starts at 10:01; its pod cannot start before 10:06 and runs
    // 3 min, past the 6-minute activeDeadlineSeconds.
    let behaviour =
        "duration: 3m\npending:\n  - {from: \"2025-03-03T10:00:00Z\", until: \"2025-03-03T10:06:00Z\"}";
    let w = workload(&cronjob("slow", "1 10 * * *", "", "activeDeadlineSeconds: 360"), behaviour);
    let out = run(&scenario("10:30:00", "", &[w]));
    let held = find(&out, |e| matches!(e, Entry::Fault(Fault::PodHeldPending { .. })));
    assert_eq!(held.len(), 1);
    assert_eq!(find(&out, |e| matches!(e, Entry::PodStarted { .. }))[0].time, at("10:06:00"));
    let f = finished(&out);
    assert_eq!(f[0].2, "DeadlineExceeded", "{f:?}");
}

#[test]
fn a_lost_nodes_pod_is_deleted_by_the_taint_manager_after_50s_and_300s() {
    let behaviour =
        "duration: 20m\nnodeLoss:\n  - {at: \"2025-03-03T10:03:00Z\", until: \"2025-03-03T10:20:00Z\"}";
    let w = workload(&cronjob("batch", "1 10 * * *", "", IGNORE_DISRUPTIONS), behaviour);
    let out = run(&scenario("10:40:00", "", &[w]));
    let taint = find(&out, |e| {
        matches!(
            e,
            Entry::Fault(Fault::PodDisrupted { reason: DisruptionReason::DeletionByTaintManager, .. })
        )
    });
    assert_eq!(taint.len(), 1);
    assert_eq!(taint[0].time, at("10:08:50"));
    // Under a podFailurePolicy a terminating pod is not replaced until it
    // is terminal, which it becomes only when its node is back.
    let created: Vec<Time> =
        find(&out, |e| matches!(e, Entry::PodCreated { .. })).iter().map(|r| r.time).collect();
    assert_eq!(created.len(), 2, "{created:?}");
    let lost_pod_done = find(&out, |e| matches!(e, Entry::PodFinished { exit_code: 137, .. }))[0].time;
    assert_eq!(lost_pod_done, at("10:20:00"));
    assert!(created[1] > lost_pod_done);
}

#[test]
fn the_report_lists_each_fault_with_how_its_job_ended() {
    let behaviour = "duration: 5m\ndisruptions:\n  - {at: \"2025-03-03T10:03:00Z\"}";
    let sc = scenario(
        "10:30:00",
        "",
        &[workload(&cronjob("batch", "1 10 * * *", "", IGNORE_DISRUPTIONS), behaviour)],
    );
    let input = cronwarp::report::ReportInput::from_scenario("t", &sc).unwrap();
    let mut acc = cronwarp::report::Accountant::new(input);
    for r in run(&sc).log {
        cronwarp::sim::log::LogSink::record(&mut acc, r);
    }
    let report = acc.finish();
    let rows = &report.workloads[0].pod_faults;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].fault.contains("DisruptionTarget/EvictionByEvictionAPI"), "{:?}", rows[0]);
    assert_eq!(rows[0].job_outcome, "Complete");
}
