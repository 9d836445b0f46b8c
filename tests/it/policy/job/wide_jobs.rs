//! A wide Job (issue #14, item 3): a sync reads the tallies and the pods it
//! may count, not every pod, so the pods a Job's syncs visit grow with its
//! size, not with its size times its syncs. Before, every sync scanned
//! every pod, and `parallelism: 100000` took 27 s of syncs (99 s in the
//! issue's run).

use cronwarp::model::{ContainerStatus, ContainerTerminated, Job, Pod, PodPhase, SECOND, Time};
use cronwarp::policy::Settings;
use cronwarp::policy::job::{
    BackoffRecord, JOB_TRACKING_FINALIZER, JobPods, PodRefs, PodTally, sync_job_view,
};
use std::cell::Cell;

/// A Job's pods in name order, counting every pod a sync asks for.
struct Counting<'a> {
    pods: &'a [Pod],
    visited: Cell<usize>,
}

impl<'a> JobPods<'a> for Counting<'a> {
    fn all(&self) -> PodRefs<'a> {
        self.visited.set(self.visited.get() + self.pods.len());
        self.pods.iter().collect()
    }

    fn tally(&self) -> PodTally {
        let refs: Vec<&Pod> = self.pods.iter().collect();
        refs.as_slice().tally()
    }

    fn settled(&self) -> PodRefs<'a> {
        let refs: Vec<&Pod> = self.pods.iter().collect();
        let settled = refs.as_slice().settled();
        self.visited.set(self.visited.get() + settled.len());
        settled
    }
}

fn pod(i: usize, at: Time) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = format!("wide-{i:06}").into();
    p.metadata.namespace = "default".into();
    p.metadata.finalizers = vec![JOB_TRACKING_FINALIZER.into()].into();
    p.metadata.creation_timestamp = Some(at);
    p.status.phase = PodPhase::Running;
    p.status.container_statuses = vec![ContainerStatus { name: "main".into(), ..ContainerStatus::default() }];
    p
}

/// Plays a `parallelism = completions = n` Job to completion, `per_second`
/// pods succeeding each second; returns (syncs, pods visited, the Job).
fn play(n: i32, per_second: usize) -> (usize, usize, Job) {
    let mut job = Job::default();
    job.metadata.name = "wide".into();
    job.metadata.namespace = "default".into();
    job.spec.parallelism = Some(n);
    job.spec.completions = Some(n);
    job.spec.template.spec.restart_policy = "Never".into();
    let settings = Settings::default();
    let mut now = Time::from_unix(1_767_225_600);
    let (mut pods, mut backoff) = (Vec::<Pod>::new(), BackoffRecord::default());
    let (mut syncs, mut visited) = (0, 0);
    while !job.is_finished() && syncs < 100_000 {
        let view = Counting { pods: &pods, visited: Cell::new(0) };
        let out = sync_job_view(&job, &view, &backoff, now, &settings);
        visited += view.visited.get();
        syncs += 1;
        job.status = out.status;
        backoff = out.backoff;
        for name in &out.pods_to_count {
            let i: usize = name.trim_start_matches("wide-").parse().unwrap();
            pods[i].metadata.finalizers.clear();
        }
        let first = pods.len();
        pods.extend((first..first + out.pods_to_create as usize).map(|i| pod(i, now)));
        now = now.add(SECOND);
        let finishing = pods.iter_mut().filter(|p| p.status.phase == PodPhase::Running).take(per_second);
        for p in finishing {
            p.status.phase = PodPhase::Succeeded;
            for c in &mut p.status.container_statuses {
                c.terminated = Some(ContainerTerminated { finished_at: Some(now), ..Default::default() });
            }
        }
    }
    (syncs, visited, job)
}

#[test]
fn a_wide_job_visits_each_pod_a_few_times_not_once_per_sync() {
    let n = 20_000;
    let (syncs, visited, job) = play(n, 400);
    assert!(job.is_finished(), "the Job never finished in {syncs} syncs");
    assert_eq!(job.status.succeeded, n);
    // Counting 500 pods a sync takes at least 40 syncs: a scan per sync
    // would visit 800,000 pods or more.
    assert!(syncs >= 40, "{syncs} syncs");
    assert!(visited <= 3 * n as usize, "{visited} pods visited in {syncs} syncs of a {n}-pod Job");
}
