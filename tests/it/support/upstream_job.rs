//! Builders shared by the ports of `job_controller_test.go`, mirroring its
//! `newJob`, `newPodList` and `testFinishedAt`.

use cronwarp::model::{Condition, ContainerStatus, ContainerTerminated, Job, JobStatus, Pod, PodPhase, Time};
use cronwarp::policy::Settings;
use cronwarp::policy::job::JOB_TRACKING_FINALIZER;

/// Upstream's `testFinishedAt`: one second after Go's zero time, so any
/// backoff has long expired.
pub fn test_finished_at() -> Time {
    Time::from_unix(-62_135_596_800 + 1)
}

/// The controller's clock in these ports.
pub fn now() -> Time {
    Time::parse_rfc3339("2024-06-01T12:00:00Z").unwrap()
}

/// `newJob` ("foobar" in "default"): -1 leaves completions or parallelism
/// unset.
pub fn new_job(parallelism: i32, completions: i32, backoff_limit: i32) -> Job {
    let mut j = Job::default();
    j.metadata.name = "foobar".into();
    j.metadata.namespace = "default".into();
    j.spec.parallelism = (parallelism >= 0).then_some(parallelism);
    j.spec.completions = (completions >= 0).then_some(completions);
    j.spec.backoff_limit = Some(backoff_limit);
    j
}

/// `newPodList`: pods with the tracking finalizer and one container
/// terminated at `testFinishedAt`.
pub fn new_pods(kind: &str, count: usize, phase: PodPhase) -> Vec<Pod> {
    (0..count)
        .map(|i| {
            let mut p = Pod::default();
            p.metadata.name = format!("pod-{kind}-{i}").into();
            p.metadata.namespace = "default".into();
            p.metadata.finalizers = vec![JOB_TRACKING_FINALIZER.into()].into();
            p.status.phase = phase;
            p.status.container_statuses = vec![ContainerStatus {
                terminated: Some(ContainerTerminated {
                    finished_at: Some(test_finished_at()),
                    ..ContainerTerminated::default()
                }),
                ..ContainerStatus::default()
            }];
            p
        })
        .collect()
}

/// A `Ready=True` pod condition.
pub fn ready() -> Condition {
    Condition { type_: "Ready".into(), status: "True".into(), ..Condition::default() }
}

/// A condition from (type, status, reason, message).
pub fn cond(c: (&str, &str, &str, &str)) -> Condition {
    let mut x = Condition::true_(c.0, c.2, c.3, now());
    x.status = c.1.into();
    x
}

/// Conditions as (type, status, reason, message), upstream's comparison
/// with the timestamps ignored.
pub fn conditions(s: &JobStatus) -> Vec<(&str, &str, &str, &str)> {
    s.conditions
        .iter()
        .map(|x| (x.type_.as_str(), x.status.as_str(), x.reason.as_str(), x.message.as_str()))
        .collect()
}

/// Settings for a test's feature gates: JobPodReplacementPolicy or
/// JobManagedBy on means delayed terminal conditions.
pub fn gates(delay_terminal_condition: bool) -> Settings {
    Settings { job_delay_terminal_condition: delay_terminal_condition, ..Settings::default() }
}

pub const BACKOFF_MSG: &str = "Job has reached the specified backoff limit";
pub const DEADLINE_MSG: &str = "Job was active longer than specified deadline";
