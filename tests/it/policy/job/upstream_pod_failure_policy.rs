//! Port of kubernetes `job_controller_test.go`
//! `TestSyncJobWithJobPodFailurePolicy` (NonIndexed cases, names kept), and
//! of `pod_failure_policy_test.go`'s first-match rule.
//!
//! Left out: "fail indexed job based on OnExitCodes" (Indexed Jobs are not
//! modelled).

use crate::support::upstream_job::*;
use cronwarp::model::{
    Condition, ContainerStatus, ContainerTerminated, Job, OnExitCodes, OnPodCondition, Pod, PodFailurePolicy,
    PodFailurePolicyRule, PodPhase,
};
use cronwarp::policy::job::{
    BackoffRecord, JOB_TRACKING_FINALIZER, PolicyAction, match_pod_failure_policy, sync_job,
};

fn exit_rule(action: &str, container: Option<&str>, operator: &str, values: &[i32]) -> PodFailurePolicyRule {
    PodFailurePolicyRule {
        action: action.into(),
        on_exit_codes: Some(OnExitCodes {
            container_name: container.map(Into::into),
            operator: operator.into(),
            values: values.to_vec(),
        }),
        on_pod_conditions: vec![],
    }
}

fn cond_rule(action: &str, type_: &str) -> PodFailurePolicyRule {
    PodFailurePolicyRule {
        action: action.into(),
        on_exit_codes: None,
        on_pod_conditions: vec![OnPodCondition { type_: type_.into(), status: "True".into() }],
    }
}

/// Upstream's `onExitCodeRules`: Ignore 1,2,3 then FailJob 5,6,7.
fn on_exit_code_rules() -> Vec<PodFailurePolicyRule> {
    vec![exit_rule("Ignore", None, "In", &[1, 2, 3]), exit_rule("FailJob", None, "In", &[5, 6, 7])]
}

/// A terminated container: (name, exit code, with `finishedAt` =
/// `testFinishedAt`).
fn exited(name: &str, code: i32, finished: bool) -> ContainerStatus {
    ContainerStatus {
        name: name.into(),
        terminated: Some(ContainerTerminated {
            exit_code: code,
            finished_at: finished.then(test_finished_at),
            ..ContainerTerminated::default()
        }),
        ..ContainerStatus::default()
    }
}

fn pod(phase: PodPhase, containers: Vec<ContainerStatus>) -> Pod {
    let mut p = Pod::default();
    p.status.phase = phase;
    p.status.container_statuses = containers;
    p
}

fn with_conditions(mut p: Pod, types: &[&str]) -> Pod {
    p.status.conditions = types
        .iter()
        .map(|t| Condition { type_: (*t).into(), status: "True".into(), ..Condition::default() })
        .collect();
    p
}

fn deleted(mut p: Pod) -> Pod {
    p.metadata.deletion_timestamp = Some(now());
    p
}

struct Case {
    name: &'static str,
    parallelism: i32,
    completions: Option<i32>,
    backoff_limit: i32,
    rules: Vec<PodFailurePolicyRule>,
    existing: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    pods: Vec<Pod>,
    delay: bool,
    want_conditions: Vec<(&'static str, &'static str, &'static str, &'static str)>,
    want_active: i32,
    want_failed: i32,
}

fn case(name: &'static str, backoff_limit: i32, rules: Vec<PodFailurePolicyRule>, pods: Vec<Pod>) -> Case {
    Case {
        name,
        parallelism: 1,
        completions: Some(1),
        backoff_limit,
        rules,
        existing: vec![],
        pods,
        delay: false,
        want_conditions: vec![],
        want_active: 0,
        want_failed: 0,
    }
}

impl Case {
    fn want(mut self, active: i32, failed: i32) -> Case {
        (self.want_active, self.want_failed) = (active, failed);
        self
    }
    /// FailureTarget then Failed, both with `reason`/`message`.
    fn fails(mut self, reason: &'static str, message: &'static str) -> Case {
        self.want_conditions =
            vec![("FailureTarget", "True", reason, message), ("Failed", "True", reason, message)];
        self
    }
}

fn run(c: Case) {
    let mut job: Job = new_job(c.parallelism, c.completions.unwrap_or(-1), c.backoff_limit);
    job.spec.pod_failure_policy = Some(PodFailurePolicy { rules: c.rules });
    // The upstream harness defaults podReplacementPolicy to Failed.
    job.spec.pod_replacement_policy = Some("Failed".into());
    job.status.conditions = c.existing.iter().map(|x| cond(*x)).collect();
    let pods: Vec<Pod> = c
        .pods
        .into_iter()
        .enumerate()
        .map(|(i, mut p)| {
            p.metadata.name = format!("mypod-{i}").into();
            p.metadata.namespace = "default".into();
            p.metadata.finalizers = vec![JOB_TRACKING_FINALIZER.into()].into();
            p
        })
        .collect();
    let out = sync_job(&job, &pods, &BackoffRecord::default(), now(), &gates(c.delay));
    let name = c.name;
    assert_eq!(conditions(&out.status), c.want_conditions, "{name}: conditions");
    assert_eq!(out.status.active, c.want_active, "{name}: active");
    assert_eq!(out.status.failed, c.want_failed, "{name}: failed");
    assert_eq!(out.status.succeeded, 0, "{name}: succeeded");
    // The delayed cases turn on JobManagedBy alone, which upstream runs
    // without reporting status.terminating; our one switch reports it.
    if !c.delay {
        assert_eq!(out.status.terminating, None, "{name}: terminating");
    }
}

const PFP: &str = "PodFailurePolicy";

#[test]
fn test_sync_job_with_job_pod_failure_policy() {
    use PodPhase::{Failed, Pending, Running};
    let main5 = || vec![exited("main-container", 5, false)];
    let fail_job_0 = "Container main-container for pod default/mypod-0 failed with exit code 5 matching FailJob rule at index 1";
    let mut two_pods = case(
        "fail job with multiple pods",
        6,
        on_exit_code_rules(),
        vec![pod(Running, vec![]), pod(Failed, main5())],
    );
    (two_pods.parallelism, two_pods.completions) = (2, Some(2));
    let msg1 = "Container main-container for pod default/mypod-1 failed with exit code 5 matching FailJob rule at index 1";
    let mut two_pods_delayed = case(
        "fail job with multiple pods; JobManagedBy enabled delays setting terminal condition",
        6,
        on_exit_code_rules(),
        vec![pod(Running, vec![]), pod(Failed, main5())],
    );
    (two_pods_delayed.parallelism, two_pods_delayed.completions, two_pods_delayed.delay) = (2, Some(2), true);
    two_pods_delayed.want_conditions = vec![("FailureTarget", "True", PFP, msg1)];
    let mut marked = case(
        "job marked already as failure target with failed pod",
        6,
        on_exit_code_rules(),
        vec![pod(Failed, main5())],
    );
    marked.existing = vec![("FailureTarget", "True", PFP, fail_job_0)];
    let gone = "Container main-container for pod default/already-deleted-pod failed with exit code 5 matching FailJob rule at index 1";
    let mut marked_gone = case(
        "job marked already as failure target with failed pod, message based on already deleted pod",
        6,
        on_exit_code_rules(),
        vec![pod(Failed, main5())],
    );
    marked_gone.existing = vec![("FailureTarget", "True", PFP, gone)];
    let mut default_delayed = case(
        "default job based on OnExitCodes; JobManagedBy enabled triggers adding interim condition",
        0,
        on_exit_code_rules(),
        vec![pod(Failed, vec![exited("", 10, false)])],
    );
    default_delayed.delay = true;
    let mut terminating = case(
        "terminating Pod not considered failed when JobPodFailurePolicy is enabled and used",
        0,
        vec![cond_rule("Count", "DisruptionTarget")],
        vec![deleted(pod(Pending, vec![]))],
    );
    terminating.completions = None;

    let cases = vec![
        case(
            "default handling for pod failure if the container matching the exit codes does not match the containerName restriction",
            6,
            vec![
                exit_rule("Ignore", Some("main-container"), "In", &[1, 2, 3]),
                exit_rule("FailJob", Some("main-container"), "In", &[5, 6, 7]),
            ],
            vec![pod(Failed, vec![exited("monitoring-container", 5, false), exited("main-container", 42, true)])],
        )
        .want(1, 1),
        case("running pod should not result in job fail based on OnExitCodes", 6, on_exit_code_rules(), vec![pod(Running, main5())])
            .want(1, 0),
        case("fail job based on OnExitCodes", 6, on_exit_code_rules(), vec![pod(Failed, main5())]).want(0, 1).fails(PFP, fail_job_0),
        marked.want(0, 1).fails(PFP, fail_job_0),
        marked_gone.want(0, 1).fails(PFP, gone),
        two_pods.want(0, 2).fails(PFP, msg1),
        two_pods_delayed.want(0, 2),
        case(
            "fail job based on OnExitCodes with NotIn operator",
            6,
            vec![exit_rule("FailJob", None, "NotIn", &[5, 6, 7])],
            vec![pod(Failed, vec![exited("main-container", 42, false)])],
        )
        .want(0, 1)
        .fails(PFP, "Container main-container for pod default/mypod-0 failed with exit code 42 matching FailJob rule at index 0"),
        case(
            "default handling job based on OnExitCodes with NotIn operator",
            6,
            vec![exit_rule("FailJob", None, "NotIn", &[5, 6, 7])],
            vec![pod(Failed, vec![exited("main-container", 5, true)])],
        )
        .want(1, 1),
        case("fail job based on OnExitCodes for InitContainer", 6, on_exit_code_rules(), vec![{
            let mut p = pod(Failed, vec![exited("main-container", 143, false)]);
            p.status.init_container_statuses = vec![exited("init-container", 5, false)];
            p
        }])
        .want(0, 1)
        .fails(PFP, "Container init-container for pod default/mypod-0 failed with exit code 5 matching FailJob rule at index 1"),
        case(
            "ignore pod failure; both rules are matching, the first is executed only",
            0,
            on_exit_code_rules(),
            vec![pod(Failed, vec![exited("container1", 2, false), exited("container2", 6, false)])],
        )
        .want(1, 0),
        case("ignore pod failure based on OnExitCodes", 0, on_exit_code_rules(), vec![pod(Failed, vec![exited("", 1, false)])]).want(1, 0),
        {
            let mut c = case("default job based on OnExitCodes", 0, on_exit_code_rules(), vec![pod(Failed, vec![exited("", 10, false)])]).want(0, 1);
            c.want_conditions = vec![("Failed", "True", "BackoffLimitExceeded", BACKOFF_MSG)];
            c
        },
        default_delayed.want(0, 1).fails("BackoffLimitExceeded", BACKOFF_MSG),
        case(
            "count pod failure based on OnExitCodes; both rules are matching, the first is executed only",
            6,
            vec![exit_rule("Count", None, "In", &[1, 2]), exit_rule("Ignore", None, "In", &[2, 3])],
            vec![pod(Failed, vec![exited("", 2, true)])],
        )
        .want(1, 1),
        case(
            "count pod failure based on OnPodConditions; both rules are matching, the first is executed only",
            6,
            vec![cond_rule("Count", "ResourceLimitExceeded"), cond_rule("Ignore", "DisruptionTarget")],
            vec![with_conditions(pod(Failed, vec![exited("", 0, true)]), &["ResourceLimitExceeded", "DisruptionTarget"])],
        )
        .want(1, 1),
        case(
            "ignore pod failure based on OnPodConditions",
            0,
            vec![cond_rule("Ignore", "DisruptionTarget")],
            vec![with_conditions(pod(Failed, vec![]), &["DisruptionTarget"])],
        )
        .want(1, 0),
        case(
            "ignore pod failure based on OnPodConditions, ignored failures delays pod recreation",
            0,
            vec![cond_rule("Ignore", "DisruptionTarget")],
            vec![deleted(with_conditions(pod(Failed, vec![]), &["DisruptionTarget"]))],
        )
        .want(0, 0),
        case(
            "fail job based on OnPodConditions",
            6,
            vec![cond_rule("FailJob", "DisruptionTarget")],
            vec![with_conditions(pod(Failed, vec![]), &["DisruptionTarget"])],
        )
        .want(0, 1)
        .fails(PFP, "Pod default/mypod-0 has condition DisruptionTarget matching FailJob rule at index 0"),
        terminating.want(0, 0),
    ];
    assert_eq!(cases.len(), 20);
    for c in cases {
        run(c);
    }
}

#[test]
fn unknown_actions_and_zero_exit_codes_match_nothing() {
    let mut p = pod(PodPhase::Failed, vec![exited("main", 0, true), exited("side", 7, true)]);
    p.metadata.name = "p".into();
    let policy = PodFailurePolicy {
        rules: vec![
            exit_rule("Explode", None, "In", &[7]),
            exit_rule("FailJob", None, "In", &[0]),
            exit_rule("Ignore", Some("side"), "NotIn", &[1]),
        ],
    };
    let m = match_pod_failure_policy(&policy, &p).unwrap();
    assert_eq!((m.action, m.rule_index, m.counts(), m.message), (PolicyAction::Ignore, 2, false, None));
}
