//! The API store: admission, deletion with propagation, conflicts.

use cronwarp::model::{Job, ObjectMeta, OwnerReference, Pod, PodPhase, Time};
use cronwarp::policy::{ApiError, Propagation};
use cronwarp::sim::api_server::{ApiServer as World, Change};

fn job(name: &str) -> Job {
    Job {
        metadata: ObjectMeta { name: name.into(), namespace: "ns".into(), ..Default::default() },
        ..Default::default()
    }
}

fn pod_of(world: &mut World, job_key: &str, name: &str) -> String {
    let j = &world.jobs[job_key];
    let owner = OwnerReference {
        kind: "Job".into(),
        name: j.metadata.name.clone(),
        uid: j.metadata.uid.clone(),
        controller: Some(true),
        ..Default::default()
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: name.into(),
            namespace: "ns".into(),
            owner_references: vec![owner].into(),
            ..Default::default()
        },
        ..Default::default()
    };
    world.create_pod(&job_key.into(), pod).unwrap();
    format!("ns/{name}")
}

#[test]
fn the_api_server_assigns_uids_whole_second_timestamps_in_its_own_clock_and_defaults() {
    let mut w = World::new(2_500);
    w.now = Time(10_000_700);
    let a = w.insert_job(job("a")).unwrap();
    let b = w.insert_job(job("b")).unwrap();
    assert_ne!(a.metadata.uid, b.metadata.uid);
    // 10_000.7 s controller time, 2.5 s skew: API time 9_998.2 s.
    assert_eq!(a.metadata.creation_timestamp, Some(Time(9_998_000)));
    assert_eq!(a.spec.backoff_limit, Some(6));
    assert_ne!(a.metadata.resource_version, b.metadata.resource_version);
    assert_eq!(w.insert_job(job("a")).unwrap_err(), ApiError::AlreadyExists);
}

#[test]
fn background_deletion_removes_the_job_at_once_and_deletes_its_pods() {
    let mut w = World::new(0);
    w.insert_job(job("a")).unwrap();
    let p = pod_of(&mut w, "ns/a", "a-1");
    w.changes.clear();
    w.delete_job_key("ns", "a", Propagation::Background).unwrap();
    assert!(!w.jobs.contains_key("ns/a"));
    // The running pod stays until the kubelet ends it, then leaves.
    assert!(w.pods[p.as_str()].metadata.deletion_timestamp.is_some());
    w.update_pod(&p.as_str().into(), |p| p.status.phase = PodPhase::Failed).unwrap();
    assert!(w.pods.is_empty());
    assert!(w.changes.iter().any(|c| matches!(c, Change::Job { new: None, .. })));
}

#[test]
fn foreground_deletion_keeps_the_job_until_its_pods_are_gone() {
    let mut w = World::new(0);
    w.insert_job(job("a")).unwrap();
    let p = pod_of(&mut w, "ns/a", "a-1");
    w.delete_job_key("ns", "a", Propagation::Foreground).unwrap();
    assert!(w.jobs["ns/a"].metadata.deletion_timestamp.is_some());
    w.update_pod(&p.as_str().into(), |p| p.status.phase = PodPhase::Succeeded).unwrap();
    assert!(w.pods.is_empty());
    assert!(w.jobs.is_empty());
    assert_eq!(w.delete_job_key("ns", "a", Propagation::Foreground).unwrap_err(), ApiError::NotFound);
}

#[test]
fn a_status_write_from_a_stale_copy_conflicts() {
    let mut w = World::new(0);
    let cj = cronwarp::model::CronJob {
        metadata: ObjectMeta { name: "c".into(), namespace: "ns".into(), ..Default::default() },
        ..Default::default()
    };
    let stale = w.create_cronjob(cj).unwrap();
    w.update_cronjob_spec("ns/c", |c| c.spec.suspend = Some(true)).unwrap();
    assert_eq!(w.update_cronjob_status(&stale).unwrap_err(), ApiError::Conflict);
    let fresh = w.cronjobs["ns/c"].clone();
    assert!(w.update_cronjob_status(&fresh).is_ok());
}
