//! A CronJob as the Argo Workflows CronWorkflow that "means the same
//! thing", with a note for everything that does not carry over
//! (docs/fidelity/argo.md#argo-11). The third side of a future
//! three-way `compare`; today it answers "what would my CronJob be as a
//! CronWorkflow, and what would change?".

use super::objects::split_zone;
use crate::model::CronJob;
use crate::model::ObjectMeta;
use crate::model::argo::{
    ARGO_API_VERSION, CronWorkflow, CronWorkflowSpec, MAX_NAME_LEN, WorkflowSpec, WorkflowTemplate,
    validate_cronworkflow,
};

/// The template name of the one-template Workflow a converted CronJob
/// runs (its entrypoint).
pub const ENTRYPOINT: &str = "main";

/// The Argo form of one CronJob.
#[derive(Debug, Clone, PartialEq)]
pub struct AsCronWorkflow {
    /// The converted object.
    pub cronworkflow: CronWorkflow,
    /// What did not map one to one, or behaves differently under the
    /// same name.
    pub notes: Vec<String>,
}

/// A CronJob as a CronWorkflow of the same name and namespace. Seeded
/// Jobs are not converted (Workflows are not modelled).
pub fn cronworkflow_from_cronjob(cj: &CronJob) -> AsCronWorkflow {
    let s = &cj.spec;
    let mut notes = Vec::new();
    let (prefix_zone, _) = split_zone(&s.schedule);
    let timezone = match (s.time_zone.as_deref(), prefix_zone) {
        (Some(z), None) if !z.is_empty() => z.to_string(),
        (Some(z), Some(p)) => {
            notes.push(format!(
                "spec.timeZone {z} dropped: the schedule already names {p}, and a CronWorkflow would prefix \
                 CRON_TZ= a second time, which robfig refuses"
            ));
            String::new()
        }
        _ => String::new(),
    };
    if let Some(d) = s.starting_deadline_seconds {
        notes.push(format!(
            "startingDeadlineSeconds {d} kept, but Argo reads it only for the one catch-up when the \
             CronWorkflow is (re)registered, e.g. after a controller restart; a CronJob's deadline bounds \
             every late start (docs/fidelity/argo.md#argo-5)"
        ));
    } else {
        notes.push(
            "no startingDeadlineSeconds: a CronJob catches up the most recent missed tick, a CronWorkflow \
             never catches up (docs/fidelity/argo.md#argo-5)"
                .into(),
        );
    }
    match s.policy().as_str() {
        "Replace" => notes.push(
            "Replace terminates the running Workflow (it ends Failed and counts in status.failed) where a \
             CronJob deletes its Job"
                .into(),
        ),
        "Forbid" => notes.push(
            "Forbid reads status.active, which the controller reconciles every 10 s: a tick right after a \
             Workflow finished can still be skipped"
                .into(),
        ),
        _ => {}
    }
    let job = &s.job_template.spec;
    if job.backoff_limit.is_none_or(|b| b > 0) {
        notes.push(format!(
            "backoffLimit {} dropped: a Workflow retries only with a template retryStrategy, which cronwarp \
             does not model",
            job.backoff_limit.unwrap_or(6)
        ));
    }
    if let Some(ttl) = job.ttl_seconds_after_finished {
        notes.push(format!("ttlSecondsAfterFinished {ttl} dropped: Argo's ttlStrategy is not modelled"));
    }
    let name = cj.metadata.name.as_str();
    if name.len() > MAX_NAME_LEN {
        notes.push(format!(
            "the name is {} characters: Argo refuses CronWorkflow names over {MAX_NAME_LEN}",
            name.len()
        ));
    }
    let mut cw = CronWorkflow {
        api_version: ARGO_API_VERSION.into(),
        kind: "CronWorkflow".into(),
        metadata: ObjectMeta {
            name: cj.metadata.name.clone(),
            namespace: cj.metadata.namespace.clone(),
            creation_timestamp: cj.metadata.creation_timestamp,
            labels: cj.metadata.labels.clone(),
            annotations: cj.metadata.annotations.clone(),
            ..ObjectMeta::default()
        },
        spec: CronWorkflowSpec {
            workflow_spec: WorkflowSpec {
                entrypoint: ENTRYPOINT.into(),
                templates: vec![WorkflowTemplate { name: ENTRYPOINT.into() }],
                workflow_template_ref: None,
                active_deadline_seconds: job.active_deadline_seconds,
            },
            concurrency_policy: s.policy().as_str().into(),
            suspend: s.suspended(),
            starting_deadline_seconds: s.starting_deadline_seconds,
            successful_jobs_history_limit: s.successful_jobs_history_limit,
            failed_jobs_history_limit: s.failed_jobs_history_limit,
            timezone,
            schedules: vec![s.schedule.to_string()],
            ..CronWorkflowSpec::default()
        },
        ..CronWorkflow::default()
    };
    if let Some(last) = cj.status.last_schedule_time {
        // Without the last-used-schedule annotation the controller takes the
        // schedule as just edited and would not catch up.
        cw.status.last_scheduled_time = Some(last);
        cw.set_schedule_used();
        notes.push(
            "status.lastScheduleTime became status.lastScheduledTime, with the last-used-schedule annotation \
             so that the controller takes the schedule as already in use"
                .into(),
        );
    }
    if let Some(bad) = validate_cronworkflow(&cw) {
        notes.push(format!("Argo would refuse it: {}: {}", bad.field, bad.message));
    }
    AsCronWorkflow { cronworkflow: cw, notes }
}
