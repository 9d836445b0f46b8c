//! Object builders for the upstream sync table and the quirk scenarios
//! (`policy::cronjob::{upstream_sync, quirks}`): the CronJob and Job shapes
//! upstream's `cronjob_controllerv2_test.go` uses (`cronJob()`,
//! `jobSpec()`), and the Job the controller would have made for a tick,
//! written out independently of the implementation.

use cronwarp::model::{
    Condition, Container, CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec, ObjectMeta, ObjectReference,
    OwnerReference, PodSpec, PodTemplateSpec, TemplateMeta, Time,
};

/// The fixture CronJob's name, namespace and uid (upstream's values).
pub const CJ_NAME: &str = "mycronjob";
pub const CJ_NAMESPACE: &str = "snazzycats";
pub const CJ_UID: &str = "1a2b3c";
/// The annotation `getJobFromTemplate2` adds.
pub const SCHEDULED_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

fn map(pairs: &[(&str, &str)]) -> cronwarp::model::Labels {
    pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect()
}

/// Upstream's `jobSpec()`: one pod, one completion, label foo=bar.
pub fn job_spec() -> JobSpec {
    JobSpec {
        parallelism: Some(1),
        completions: Some(1),
        template: PodTemplateSpec {
            metadata: TemplateMeta { labels: map(&[("foo", "bar")]), ..Default::default() },
            spec: PodSpec {
                containers: vec![Container { image: "foo/bar".into(), ..Default::default() }],
                ..Default::default()
            },
        },
        ..Default::default()
    }
}

/// Upstream's `cronJob()` with a schedule and a concurrency policy; no
/// history limits (so history GC is off), created at `created`.
pub fn cronjob(schedule: &str, policy: &str, created: Time) -> CronJob {
    CronJob {
        metadata: ObjectMeta {
            name: CJ_NAME.into(),
            namespace: CJ_NAMESPACE.into(),
            uid: CJ_UID.into(),
            creation_timestamp: Some(created),
            ..Default::default()
        },
        spec: CronJobSpec {
            schedule: schedule.into(),
            concurrency_policy: policy.into(),
            job_template: JobTemplateSpec {
                metadata: TemplateMeta { labels: map(&[("a", "b")]), annotations: map(&[("x", "y")]) },
                spec: job_spec().into(),
            },
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

/// `<cronjob>-<minutes since the epoch>`, written out independently of the
/// implementation so that the tests check its naming.
pub fn name_for(cj_name: &str, scheduled: Time) -> String {
    format!("{cj_name}-{}", scheduled.unix().div_euclid(60))
}

/// The controller reference a CronJob's Jobs carry.
pub fn controller_ref(cj: &CronJob) -> OwnerReference {
    OwnerReference {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        name: cj.metadata.name.clone(),
        uid: cj.metadata.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// A Job as the controller would have created it for `scheduled`, stored
/// with `uid` (creation timestamp = the scheduled time, as upstream's test
/// leaves it).
pub fn job_for(cj: &CronJob, scheduled: Time, uid: &str) -> Job {
    let mut annotations = cj.spec.job_template.metadata.annotations.clone();
    annotations.insert(SCHEDULED_ANNOTATION.into(), scheduled.rfc3339().into());
    Job {
        metadata: ObjectMeta {
            name: name_for(&cj.metadata.name, scheduled).into(),
            namespace: cj.metadata.namespace.clone(),
            uid: uid.into(),
            creation_timestamp: Some(scheduled),
            owner_references: vec![controller_ref(cj)].into(),
            labels: cj.spec.job_template.metadata.labels.clone(),
            annotations,
            ..Default::default()
        },
        spec: cj.spec.job_template.spec.clone(),
        ..Default::default()
    }
}

/// Marks a Job `Complete=True` at `at`.
pub fn complete(job: &mut Job, at: Time) {
    job.status.completion_time = Some(at);
    job.status.conditions.push(Condition::true_("Complete", "", "", at));
}

/// The `status.active` entry for a Job (`getRef`).
pub fn object_ref(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: "batch/v1".into(),
        kind: "Job".into(),
        name: job.metadata.name.clone(),
        namespace: job.metadata.namespace.clone(),
        uid: job.metadata.uid.clone(),
        ..Default::default()
    }
}
