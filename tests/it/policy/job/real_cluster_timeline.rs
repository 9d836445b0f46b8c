//! The real-cluster timeline from kubernetes/website PR #54415 (v1.34):
//! completions 8, parallelism 2, backoffLimit 6, restartPolicy Never, every
//! pod runs `sleep 30; exit 42`. The cluster ran the Job for 9m06s with 8
//! failed pods, creating pod waves at +0 s, +51 s, +2m42s and +8m33s.
//!
//! A small driver plays the cluster around `sync_job`:
//! * the Job controller syncs at once on Job creation, 1 s after any pod
//!   event or status write (`syncJobBatchPeriod`), and at the
//!   `requeue_after` the sync asks for; the delaying queue keeps only the
//!   earliest pending time;
//! * a pod's container starts 1 s after the pod is created and its
//!   `finishedAt` is 30 s later; the kubelet reports phase Failed 1 s after
//!   that (its 1 s PLEG relist).
//!
//! Both 1 s latencies are needed: with pods starting the instant they are
//! created, the second wave comes at +50 s, not +51 s.
//!
//! The simulator has both as behaviour options (`startLatency: 1s`,
//! `statusReportDelay: 1s`): `scenarios/job-backoff-timeline.yaml`, checked
//! in `tests/it/sim/pod_faults.rs`, gives the same waves and 9m06s through
//! the kubelet, the Job controller's queue and the API server.

use cronwarp::model::{
    Condition, ContainerStatus, ContainerTerminated, Job, MINUTE, Millis, ObjectMeta, Pod, PodPhase, SECOND,
    Time,
};
use cronwarp::policy::Settings;
use cronwarp::policy::job::{BackoffRecord, JOB_TRACKING_FINALIZER, SYNC_JOB_BATCH_PERIOD, sync_job};

const START_LATENCY: Millis = SECOND;
const RUN: Millis = 30 * SECOND;
const STATUS_LATENCY: Millis = SECOND;

fn job() -> Job {
    let mut j = Job::default();
    j.metadata.name = "backoff-demo".into();
    j.metadata.namespace = "default".into();
    j.spec.completions = Some(8);
    j.spec.parallelism = Some(2);
    j.spec.backoff_limit = Some(6);
    j.spec.template.spec.restart_policy = "Never".into();
    j
}

struct Run {
    pod_created: Vec<Millis>,
    failed_at: Option<Millis>,
    job: Job,
    events: Vec<(Millis, String)>,
}

fn drive(settings: &Settings) -> Run {
    let t0 = Time::from_unix(1_767_225_600);
    let mut job = job();
    job.metadata.creation_timestamp = Some(t0);
    let mut pods: Vec<Pod> = Vec::new();
    let mut backoff = BackoffRecord::default();
    let mut next_sync = Some(t0);
    let mut run = Run { pod_created: Vec::new(), failed_at: None, job: Job::default(), events: Vec::new() };
    let wake = |next: &mut Option<Time>, at: Time| *next = Some(next.map_or(at, |n| n.min(at)));
    for _ in 0..10_000 {
        // The next pod that turns Failed, if it comes before the next sync.
        let next_pod = pods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.status.phase != PodPhase::Failed)
            .map(|(i, p)| {
                (p.metadata.creation_timestamp.unwrap().add(START_LATENCY + RUN + STATUS_LATENCY), i)
            })
            .min();
        match (next_pod, next_sync) {
            (Some((at, i)), s) if s.is_none_or(|s| at < s) => {
                let finished = at.add(-STATUS_LATENCY);
                let p = &mut pods[i];
                p.status.phase = PodPhase::Failed;
                p.status.conditions = vec![Condition {
                    type_: "Ready".into(),
                    status: "False".into(),
                    last_transition_time: Some(finished),
                    ..Condition::default()
                }];
                p.status.container_statuses = vec![ContainerStatus {
                    name: "main".into(),
                    terminated: Some(ContainerTerminated {
                        exit_code: 42,
                        reason: "Error".into(),
                        started_at: Some(finished.add(-RUN)),
                        finished_at: Some(finished),
                    }),
                    ..ContainerStatus::default()
                }];
                wake(&mut next_sync, at.add(SYNC_JOB_BATCH_PERIOD));
            }
            (_, Some(now)) => {
                next_sync = None;
                let out = sync_job(&job, &pods, &backoff, now, settings);
                backoff = out.backoff;
                for e in &out.events {
                    run.events.push((now.since(t0), format!("{:?} {} {}", e.type_, e.reason, e.message)));
                }
                for name in &out.pods_to_count {
                    let p = pods.iter_mut().find(|p| &p.metadata.name == name).unwrap();
                    p.metadata.finalizers.retain(|f| f != JOB_TRACKING_FINALIZER);
                    wake(&mut next_sync, now.add(SYNC_JOB_BATCH_PERIOD));
                }
                for _ in 0..out.pods_to_create {
                    run.pod_created.push(now.since(t0));
                    pods.push(Pod {
                        metadata: ObjectMeta {
                            name: format!("backoff-demo-{}", pods.len()).into(),
                            namespace: "default".into(),
                            creation_timestamp: Some(now.trunc_seconds()),
                            finalizers: vec![JOB_TRACKING_FINALIZER.into()].into(),
                            ..ObjectMeta::default()
                        },
                        ..Pod::default()
                    });
                    wake(&mut next_sync, now.add(SYNC_JOB_BATCH_PERIOD));
                }
                if out.status != job.status {
                    job.status = out.status;
                    wake(&mut next_sync, now.add(SYNC_JOB_BATCH_PERIOD));
                }
                if let Some(after) = out.requeue_after {
                    wake(&mut next_sync, now.add(after));
                }
                if out.finished.is_some() {
                    run.failed_at = Some(now.since(t0));
                    break;
                }
            }
            _ => break,
        }
    }
    run.job = job;
    run
}

fn secs(v: &[Millis]) -> Vec<Millis> {
    v.iter().map(|m| m / SECOND).collect()
}

#[test]
fn pod_waves_follow_the_finish_time_backoff() {
    let run = drive(&Settings::default());
    // +0 s, +51 s, +2m42s, +8m33s: after 20 s, 80 s and 320 s of backoff.
    assert_eq!(secs(&run.pod_created), vec![0, 0, 51, 51, 162, 162, 513, 513]);
}

#[test]
fn job_fails_with_backoff_limit_exceeded_after_9m06s() {
    let run = drive(&Settings::default());
    assert_eq!(run.failed_at, Some(9 * MINUTE + 6 * SECOND));
    assert_eq!(run.job.status.failed, 8, "two parallel failures overshoot the limit of 6");
    let failed = run.job.finished_condition().unwrap();
    assert_eq!((failed.type_.as_str(), failed.reason.as_str()), ("Failed", "BackoffLimitExceeded"));
    assert_eq!(failed.message, "Job has reached the specified backoff limit");
    assert!(run.job.status.conditions.iter().any(|c| c.is_true("FailureTarget")));
    assert_eq!(run.job.status.completion_time, None, "Failed sets no completionTime");
    assert_eq!(
        run.events,
        vec![(
            9 * MINUTE + 6 * SECOND,
            "Warning BackoffLimitExceeded Job has reached the specified backoff limit".to_string()
        )]
    );
}

#[test]
fn older_six_minute_cap_gives_the_same_waves_here() {
    // 320 s is under both caps; the caps differ only from the 7th failure.
    let old = Settings { pod_failure_backoff_cap: 6 * MINUTE, ..Settings::default() };
    let run = drive(&old);
    assert_eq!(secs(&run.pod_created), vec![0, 0, 51, 51, 162, 162, 513, 513]);
}
