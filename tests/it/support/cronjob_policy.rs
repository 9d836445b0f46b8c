//! Fixtures for the one-sync CronJob policy tests (`policy::cronjob`'s
//! `sync`, `template`, `hung_schedule` and `upstream_utils`): upstream's
//! test CronJob (`mycronjob` in `snazzycats`), Jobs, and a fake API server.
//!
//! A lighter kit than [`super::fixtures`] with [`super::fake_api`], which
//! the upstream sync table and the quirk scenarios use: here Jobs are made
//! by `job_from_template` itself, and the fake keys Jobs by name alone and
//! gives them the uid `uid-<name>`.

use cronwarp::model::{Condition, CronJob, Job, ObjectMeta, OwnerReference, Time};
use cronwarp::policy::cronjob::{SyncContext, SyncOutcome, job_from_template};
use cronwarp::policy::{Api, ApiError, Propagation, Settings};
use cronwarp::schedule::Zone;
use std::collections::BTreeMap;

/// Current-Kubernetes settings.
pub fn defaults() -> Settings {
    Settings::default()
}

/// A sync context in UTC.
pub fn ctx(now: Time, settings: &Settings) -> SyncContext<'_> {
    SyncContext { now, local: Zone::Utc, settings, detail: true }
}

/// Upstream's `cronJob()` fixture with a schedule, creation time and
/// lastScheduleTime.
pub fn cronjob(schedule: &str, created: Time, last: Option<Time>) -> CronJob {
    let mut cj = CronJob {
        metadata: ObjectMeta {
            name: "mycronjob".into(),
            namespace: "snazzycats".into(),
            uid: "1a2b3c".into(),
            creation_timestamp: Some(created),
            ..ObjectMeta::default()
        },
        ..CronJob::default()
    };
    cj.spec.schedule = schedule.into();
    cj.spec.concurrency_policy = "Allow".into();
    cj.spec.job_template.metadata.labels = BTreeMap::from([("a".into(), "b".into())]).into();
    cj.status.last_schedule_time = last;
    cj
}

/// The Job the controller made for `tick`, with a uid, in the CronJob's
/// namespace.
pub fn job_for(cj: &CronJob, tick: Time) -> Job {
    let mut j = job_from_template(cj, tick);
    j.metadata.namespace = cj.metadata.namespace.clone();
    j.metadata.uid = format!("uid-{}", j.metadata.name).into();
    j.metadata.creation_timestamp = Some(tick);
    j
}

/// A Job owned by `cj` named `name` (uid `uid-<name>`).
pub fn owned_job(cj: &CronJob, name: &str) -> Job {
    let mut j = Job::default();
    j.metadata.name = name.into();
    j.metadata.namespace = cj.metadata.namespace.clone();
    j.metadata.uid = format!("uid-{name}").into();
    j.metadata.owner_references = vec![OwnerReference {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        name: cj.metadata.name.clone(),
        uid: cj.metadata.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }]
    .into();
    j
}

/// Marks a Job finished with `Complete` or `Failed` at `at`.
pub fn finish(mut j: Job, type_: &str, at: Time) -> Job {
    j.status.conditions.push(Condition::true_(type_, "", "", at));
    if type_ == "Complete" {
        j.status.completion_time = Some(at);
    }
    j
}

/// A fake API server: stores Jobs, records calls, injects errors.
#[derive(Default)]
pub struct FakeApi {
    pub cronjob: Option<CronJob>,
    pub jobs: BTreeMap<smol_str::SmolStr, Job>,
    pub created: Vec<Job>,
    pub deleted: Vec<(String, Propagation)>,
    pub create_error: Option<ApiError>,
    pub get_job_error: Option<ApiError>,
    pub delete_error: Option<ApiError>,
    pub get_cronjob_calls: usize,
}

impl FakeApi {
    /// A fake holding these Jobs.
    pub fn with_jobs(jobs: &[Job]) -> FakeApi {
        FakeApi {
            jobs: jobs.iter().map(|j| (j.metadata.name.clone(), j.clone())).collect(),
            ..FakeApi::default()
        }
    }
}

impl Api for FakeApi {
    fn get_cronjob(&mut self, _ns: &str, _name: &str) -> Result<CronJob, ApiError> {
        self.get_cronjob_calls += 1;
        self.cronjob.clone().ok_or(ApiError::NotFound)
    }
    fn get_job(&mut self, _ns: &str, name: &str) -> Result<Job, ApiError> {
        if let Some(e) = &self.get_job_error {
            return Err(e.clone());
        }
        self.jobs.get(name).cloned().ok_or(ApiError::NotFound)
    }
    fn create_job(&mut self, mut job: Job) -> Result<std::sync::Arc<Job>, ApiError> {
        if let Some(e) = &self.create_error {
            return Err(e.clone());
        }
        if self.jobs.contains_key(&job.metadata.name) {
            return Err(ApiError::AlreadyExists);
        }
        job.metadata.uid = format!("uid-{}", job.metadata.name).into();
        self.created.push(job.clone());
        self.jobs.insert(job.metadata.name.clone(), job.clone());
        Ok(job.into())
    }
    fn delete_job(&mut self, _ns: &str, name: &str, p: Propagation) -> Result<(), ApiError> {
        if let Some(e) = &self.delete_error {
            return Err(e.clone());
        }
        self.deleted.push((name.into(), p));
        self.jobs.remove(name).map(|_| ()).ok_or(ApiError::NotFound)
    }
}

/// The reasons of a sync's events, in order.
pub fn reasons(out: &SyncOutcome) -> Vec<&str> {
    out.events.iter().map(|e| e.reason.as_str()).collect()
}

/// The messages of a sync's events, in order.
pub fn messages(out: &SyncOutcome) -> Vec<&str> {
    out.events.iter().map(|e| e.message.as_str()).collect()
}
