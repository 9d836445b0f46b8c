//! The object half of a conversion: a CronJob (with its seeded Jobs) as a
//! Crossplane CronOperation (with Operations), and back. Pure functions of
//! the objects; every field that has no counterpart becomes a note.

use crate::model::crossplane::{
    ANNOTATION_PAUSED, CronOperation, CronOperationSpec, DEFAULT_RETRY_LIMIT, FunctionReference,
    OPS_API_VERSION, Operation, OperationSpec, OperationTemplate, PipelineStep, XpCondition,
};
use crate::model::{
    Condition, Container, CronJob, CronJobSpec, CronJobStatus, Job, JobSpec, JobTemplateSpec, ObjectMeta,
    ObjectReference, PodSpec, PodTemplateSpec, TemplateMeta,
};
use crate::policy::cronjob::job_slot;
use crate::policy::crossplane::{new_operation, slot_from_name};
use crate::schedule::{Location, Zone, load_location};

/// The step name of the one-step pipeline a converted CronJob runs.
pub const PIPELINE_STEP: &str = "run";
/// The function a converted CronJob's pipeline calls; the workload's
/// behaviour decides how its calls go, so which function does not matter.
pub const DUMMY_FUNCTION: &str = "function-dummy";
/// The container image of a converted CronOperation's Job template.
pub const DUMMY_IMAGE: &str = "busybox";
/// The Job API's `backoffLimit` default (`SetDefaults_Job`).
const DEFAULT_BACKOFF_LIMIT: i32 = 6;

/// The Crossplane form of one CronJob.
#[derive(Debug, Clone, PartialEq)]
pub struct AsCronOperation {
    /// The converted object.
    pub cronoperation: CronOperation,
    /// The seeded Jobs that map (those with a known slot).
    pub operations: Vec<Operation>,
    /// What did not map one to one.
    pub notes: Vec<String>,
}

/// The Kubernetes form of one CronOperation.
#[derive(Debug, Clone, PartialEq)]
pub struct AsCronJob {
    /// The converted object.
    pub cronjob: CronJob,
    /// The seeded Operations that map (those with a known slot).
    pub jobs: Vec<Job>,
    /// What did not map one to one.
    pub notes: Vec<String>,
}

/// `spec.schedule` with `spec.timeZone` folded in as the `CRON_TZ=<zone> `
/// prefix robfig's `ParseStandard` honours (Crossplane does not document
/// it). A schedule that already names a zone is kept verbatim, as the
/// CronJob controller's `formatSchedule` then ignores `spec.timeZone`.
pub fn schedule_with_zone(schedule: &str, time_zone: Option<&str>) -> String {
    match time_zone {
        Some(z) if !z.is_empty() && !schedule.contains("TZ") => format!("CRON_TZ={z} {schedule}"),
        _ => schedule.to_string(),
    }
}

/// Splits a leading `CRON_TZ=<zone> ` or `TZ=<zone> ` prefix off a
/// schedule: `(zone, rest)`. Without a prefix the zone is `None`.
pub fn split_zone(schedule: &str) -> (Option<String>, String) {
    let trimmed = schedule.trim_start();
    let body = trimmed.strip_prefix("CRON_TZ=").or_else(|| trimmed.strip_prefix("TZ="));
    match body.and_then(|b| b.split_once(char::is_whitespace)) {
        Some((zone, rest)) if !zone.is_empty() => (Some(zone.to_string()), rest.trim_start().to_string()),
        _ => (None, schedule.to_string()),
    }
}

/// A CronJob as a CronOperation named `name` (the CronJob's name unless it
/// collided with another cluster-scoped name). The Job template becomes a
/// one-step pipeline with `retryLimit = backoffLimit + 1`, so both allow the
/// same number of attempts.
pub fn cronoperation_from_cronjob(cj: &CronJob, jobs: &[Job], name: &str) -> AsCronOperation {
    let mut notes = Vec::new();
    let s = &cj.spec;
    let schedule = schedule_with_zone(&s.schedule, s.time_zone.as_deref());
    match s.time_zone.as_deref() {
        Some(z) if schedule != s.schedule => notes.push(format!(
            "spec.timeZone {z} became the schedule prefix CRON_TZ={z} (robfig honours it; Crossplane does not document it)"
        )),
        Some(z) => notes.push(format!(
            "spec.timeZone {z} dropped: the schedule already names a zone, and the CronJob controller ignores timeZone then too"
        )),
        None => {}
    }
    let mut metadata = ObjectMeta {
        name: name.into(),
        creation_timestamp: cj.metadata.creation_timestamp,
        labels: cj.metadata.labels.clone(),
        annotations: cj.metadata.annotations.clone(),
        ..ObjectMeta::default()
    };
    if s.suspended() {
        metadata.annotations.insert(ANNOTATION_PAUSED.into(), "true".into());
        notes.push(format!("spec.suspend: true became the annotation {ANNOTATION_PAUSED}: \"true\""));
    }
    let job = &s.job_template.spec;
    let backoff = job.backoff_limit.unwrap_or(DEFAULT_BACKOFF_LIMIT);
    let retry_limit = i64::from(backoff) + 1;
    notes.push(format!(
        "retryLimit {retry_limit} = backoffLimit {backoff} + 1: the same total attempts (a Job's backoffLimit counts retries, an Operation's retryLimit counts attempts)"
    ));
    notes.extend(unmapped_job_fields(job));
    let template = OperationTemplate {
        metadata: ObjectMeta {
            labels: s.job_template.metadata.labels.clone(),
            annotations: s.job_template.metadata.annotations.clone(),
            ..ObjectMeta::default()
        },
        spec: OperationSpec {
            mode: "Pipeline".into(),
            pipeline: vec![PipelineStep {
                step: PIPELINE_STEP.into(),
                function_ref: FunctionReference { name: DUMMY_FUNCTION.into() },
                ..PipelineStep::default()
            }],
            retry_limit: Some(retry_limit),
        }
        .into(),
    };
    let mut co = CronOperation {
        api_version: OPS_API_VERSION.into(),
        kind: "CronOperation".into(),
        metadata,
        spec: CronOperationSpec {
            schedule,
            starting_deadline_seconds: s.starting_deadline_seconds,
            concurrency_policy: Some(s.policy().as_str().to_string()),
            successful_history_limit: s.successful_jobs_history_limit,
            failed_history_limit: s.failed_jobs_history_limit,
            operation_template: template,
        }
        .into(),
        ..CronOperation::default()
    };
    co.status.last_schedule_time = cj.status.last_schedule_time;
    if cj.status.last_schedule_time.is_some() {
        notes.push(
            "status.lastScheduleTime kept; Crossplane reads it as its cursor only while no Operation exists"
                .into(),
        );
    }
    let mut operations = Vec::new();
    for j in jobs {
        match operation_from_job(&co, j, &cj.metadata.name) {
            Ok(op) => operations.push(op),
            Err(why) => notes.push(format!("seeded Job {} dropped: {why}", j.metadata.name)),
        }
    }
    if !operations.is_empty() {
        let running = operations.iter().filter(|o| o.is_running()).count();
        notes.push(format!(
            "{} seeded Job(s) became Operations{}",
            operations.len(),
            match running {
                0 => String::new(),
                n => format!(" ({n} still running: re-run from step 1 when the simulation starts)"),
            }
        ));
    }
    AsCronOperation { cronoperation: co, operations, notes }
}

/// Job template fields an Operation has no counterpart for.
fn unmapped_job_fields(job: &JobSpec) -> Vec<String> {
    let mut out = Vec::new();
    let mut say = |field: &str, what: &str| out.push(format!("jobTemplate {field} not mapped: {what}"));
    if let Some(d) = job.active_deadline_seconds {
        say(&format!("activeDeadlineSeconds {d}"), "an Operation has only the 2-minute attempt timeout");
    }
    if let Some(t) = job.ttl_seconds_after_finished {
        say(&format!("ttlSecondsAfterFinished {t}"), "Operations are deleted only by history GC");
    }
    if job.pod_failure_policy.is_some() {
        say("podFailurePolicy", "every failed attempt counts toward retryLimit");
    }
    if job.parallelism.is_some_and(|p| p != 1) || job.completions.is_some_and(|c| c != 1) {
        say("parallelism/completions", "an Operation runs its pipeline once per attempt");
    }
    if job.backoff_limit_per_index.is_some() {
        say("backoffLimitPerIndex", "an Operation has no indexes");
    }
    if job.template.spec.active_deadline_seconds.is_some() {
        say("pod activeDeadlineSeconds", "an Operation has only the 2-minute attempt timeout");
    }
    out
}

/// A seeded Job as the Operation the CronOperation would have made for its
/// slot: finished ones with their outcome, unfinished ones Running (the
/// simulated Crossplane pod re-runs them from step 1 at the start). A Job
/// without a known slot does not map.
fn operation_from_job(co: &CronOperation, job: &Job, cronjob: &str) -> Result<Operation, String> {
    let slot = job_slot(job, cronjob).ok_or("its scheduled time is neither annotated nor in its name")?;
    let mut op = new_operation(co, slot);
    op.metadata.creation_timestamp = job.metadata.creation_timestamp.or(Some(slot));
    op.status.failures = i64::from(job.status.failed);
    op.status.conditions = vec![match job.finished_condition() {
        Some(c) => {
            let at = c.last_transition_time.or(job.status.completion_time).unwrap_or(slot);
            if c.type_ == "Complete" {
                XpCondition::complete(at)
            } else {
                XpCondition::failed(format!("converted from a failed Job ({})", c.reason), at)
            }
        }
        None => {
            XpCondition::running(job.status.start_time.or(op.metadata.creation_timestamp).unwrap_or(slot))
        }
    }];
    Ok(op)
}

/// A CronOperation as a CronJob `namespace/name`: the `CRON_TZ=` prefix
/// becomes `spec.timeZone`, the paused annotation `spec.suspend`, and the
/// pipeline a busybox pod with `backoffLimit = retryLimit - 1`.
pub fn cronjob_from_cronoperation(
    co: &CronOperation,
    ops: &[Operation],
    namespace: &str,
    name: &str,
) -> AsCronJob {
    let mut notes = Vec::new();
    let s = &co.spec;
    let (time_zone, schedule) = split_zone(&s.schedule);
    if let Some(z) = &time_zone {
        notes.push(format!("the schedule's zone prefix became spec.timeZone {z}"));
    }
    let mut annotations = co.metadata.annotations.clone();
    let paused = annotations.remove(ANNOTATION_PAUSED);
    if paused.as_deref() == Some("true") {
        notes.push(format!("the annotation {ANNOTATION_PAUSED}: \"true\" became spec.suspend: true"));
    }
    let retry_limit = s.operation_template.spec.retry_limit();
    let backoff = i32::try_from(retry_limit.saturating_sub(1).max(0)).unwrap_or(i32::MAX);
    if retry_limit < 1 {
        notes.push(format!(
            "retryLimit {retry_limit} fails an Operation without running it; a Job always runs once, so backoffLimit 0"
        ));
    } else {
        notes.push(format!(
            "backoffLimit {backoff} = retryLimit {retry_limit} - 1: the same total attempts{}",
            if s.operation_template.spec.retry_limit.is_none() {
                format!(" (retryLimit unset: Crossplane's code default {DEFAULT_RETRY_LIMIT})")
            } else {
                String::new()
            }
        ));
    }
    notes.push(format!(
        "the {}-step function pipeline became one {DUMMY_IMAGE} container; the behaviour drives both",
        s.operation_template.spec.pipeline.len()
    ));
    let template = JobTemplateSpec {
        metadata: TemplateMeta {
            labels: s.operation_template.metadata.labels.clone(),
            annotations: s.operation_template.metadata.annotations.clone(),
        },
        spec: JobSpec {
            backoff_limit: Some(backoff),
            template: PodTemplateSpec {
                metadata: TemplateMeta::default(),
                spec: PodSpec {
                    restart_policy: "Never".into(),
                    containers: vec![Container {
                        name: PIPELINE_STEP.into(),
                        image: DUMMY_IMAGE.into(),
                        ..Container::default()
                    }],
                    ..PodSpec::default()
                },
            },
            ..JobSpec::default()
        }
        .into(),
    };
    let mut cj = CronJob {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        metadata: ObjectMeta {
            name: name.into(),
            namespace: namespace.into(),
            creation_timestamp: co.metadata.creation_timestamp,
            labels: co.metadata.labels.clone(),
            annotations,
            ..ObjectMeta::default()
        },
        spec: CronJobSpec {
            schedule: schedule.into(),
            time_zone: time_zone.map(Into::into),
            starting_deadline_seconds: s.starting_deadline_seconds,
            concurrency_policy: s.policy().as_str().into(),
            suspend: Some(paused.as_deref() == Some("true")),
            job_template: template,
            successful_jobs_history_limit: s.successful_history_limit,
            failed_jobs_history_limit: s.failed_history_limit,
        }
        .into(),
        status: CronJobStatus {
            last_schedule_time: co.status.last_schedule_time,
            ..CronJobStatus::default()
        },
    };
    if co.status.last_schedule_time.is_some() {
        notes.push(
            "status.lastScheduleTime kept; the CronJob controller reads it as the last slot it ran".into(),
        );
    }
    let mut jobs = Vec::new();
    for op in ops {
        match job_from_operation(&cj, op, &co.metadata.name) {
            Ok(j) => jobs.push(j),
            Err(why) => notes.push(format!("seeded Operation {} dropped: {why}", op.metadata.name)),
        }
    }
    // The CronJob controller counts only Jobs in status.active as running
    // (an unlisted one is an UnexpectedJob), so unfinished ones are listed.
    for j in jobs.iter().filter(|j| !j.is_finished()) {
        let name = j.metadata.name.clone();
        let namespace = j.metadata.namespace.clone();
        cj.status.active.push(ObjectReference {
            kind: "Job".into(),
            name,
            namespace,
            ..ObjectReference::default()
        });
    }
    if !jobs.is_empty() {
        let running = cj.status.active.len();
        notes.push(format!(
            "{} seeded Operation(s) became Jobs{}",
            jobs.len(),
            match running {
                0 => String::new(),
                n => format!(" ({n} unfinished: listed in status.active, their pods created anew)"),
            }
        ));
    }
    AsCronJob { cronjob: cj, jobs, notes }
}

/// A seeded Operation as the Job the CronJob would have made for its slot:
/// finished ones with their outcome, others unfinished (the Job controller
/// creates their pods anew).
fn job_from_operation(cj: &CronJob, op: &Operation, cronop: &str) -> Result<Job, String> {
    let slot = slot_from_name(cronop, &op.metadata.name)
        .ok_or("its name does not carry a slot (<cronoperation>-<unix seconds>)")?;
    let zone = match cj.spec.time_zone.as_deref().map(load_location) {
        Some(Ok(Location::Zone(z))) => z,
        _ => Zone::Utc,
    };
    let mut job = crate::policy::cronjob::job_from_template_in(cj, slot, zone).map_err(|e| e.to_string())?;
    job.metadata.namespace = cj.metadata.namespace.clone();
    job.metadata.creation_timestamp = op.metadata.creation_timestamp.or(Some(slot));
    job.status.start_time = job.metadata.creation_timestamp;
    if !op.is_complete() {
        return Ok(job);
    }
    let succeeded = op.succeeded_status() == "True";
    let at = op
        .condition(crate::model::crossplane::TYPE_SUCCEEDED)
        .and_then(|c| c.last_transition_time)
        .unwrap_or(slot);
    let (type_, reason) = if succeeded { ("Complete", "") } else { ("Failed", "BackoffLimitExceeded") };
    job.status.conditions = vec![Condition::true_(type_, reason, "", at)];
    job.status.completion_time = succeeded.then_some(at);
    if succeeded {
        job.status.succeeded = 1;
    } else {
        job.status.failed = i32::try_from(op.status.failures.max(1)).unwrap_or(i32::MAX);
    }
    Ok(job)
}
