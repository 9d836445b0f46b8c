//! A CronJob as the Argo Workflows CronWorkflow that "means the same
//! thing", with a note for everything that does not carry over
//! (docs/fidelity/argo.md#argo-11): the third side of `compare --vary
//! controller=kubernetes,crossplane,argo`, and the answer to "what would
//! my CronJob be as a CronWorkflow, and what would change?".

use super::objects::{cronjob_from_cronoperation, split_zone};
use super::{CONVERTED_NAMESPACE, put_manifest, to_value, with_source};
use crate::model::CronJob;
use crate::model::ObjectMeta;
use crate::model::argo::{
    ARGO_API_VERSION, CronWorkflow, CronWorkflowSpec, MAX_NAME_LEN, WorkflowSpec, WorkflowTemplate,
    validate_cronworkflow,
};
use crate::sim::scenario::{Scenario, ScenarioError, WorkloadSpec, err};

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

/// A scenario with every workload as a CronWorkflow: CronJobs through
/// [`cronworkflow_from_cronjob`], CronOperations through their CronJob
/// form first, CronWorkflows as written. The Argo side of a `compare
/// --vary controller=…,argo`. Returns the scenario, each workload's key
/// in it (`namespace/name`) and the conversion notes by workload index.
/// Timed changes are not converted yet: a workload with `changes:` is
/// refused, located.
pub fn argo_form(sc: &Scenario) -> Result<ArgoForm, ScenarioError> {
    let mut out = with_source(sc);
    let mut keys = Vec::new();
    // Each workload's key as the scenario writes it, which `expect:`
    // selects by.
    let mut written = Vec::new();
    let mut notes = Vec::new();
    for (i, w) in sc.workloads.iter().enumerate() {
        let spec = sc.workload(i)?;
        let cronjob = match &spec {
            WorkloadSpec::CronWorkflow(a) => {
                let m = &a.cronworkflow.metadata;
                keys.push(format!("{}/{}", m.namespace, m.name));
                written.push(format!("{}/{}", m.namespace, m.name));
                continue;
            }
            WorkloadSpec::CronJob(o) => {
                written.push(format!("{}/{}", o.cronjob.metadata.namespace, o.cronjob.metadata.name));
                if !o.jobs.is_empty() {
                    notes.push((i, "its Jobs left out: Workflows are not seeded from Jobs".to_string()));
                }
                o.cronjob.clone()
            }
            WorkloadSpec::CronOperation(x) => {
                let name = x.cronoperation.metadata.name.to_string();
                written.push(name.clone());
                let conv =
                    cronjob_from_cronoperation(&x.cronoperation, &x.operations, CONVERTED_NAMESPACE, &name);
                notes.push((
                    i,
                    format!("placed in namespace {CONVERTED_NAMESPACE} (a CronWorkflow is namespaced)"),
                ));
                notes.extend(conv.notes.into_iter().map(|n| (i, n)));
                if !x.operations.is_empty() {
                    notes.push((
                        i,
                        "its Operations left out: Workflows are not seeded from Operations".into(),
                    ));
                }
                conv.cronjob
            }
        };
        if !w.changes.is_empty() {
            return Err(err(
                &format!("workloads[{i}].changes"),
                "timed changes are not converted to the Argo form yet: compare this workload under \
                 kubernetes and crossplane only, or give its CronWorkflow with Argo's field paths",
            ));
        }
        let conv = cronworkflow_from_cronjob(&cronjob);
        notes.extend(conv.notes.into_iter().map(|n| (i, n)));
        let m = &conv.cronworkflow.metadata;
        keys.push(format!("{}/{}", m.namespace, m.name));
        put_manifest(
            &mut out,
            i,
            &format!("workloads[{i}] as a CronWorkflow"),
            &[to_value(&conv.cronworkflow)?],
        )?;
        if out.workloads[i].first_list.take().is_some() {
            notes.push((i, "firstList left out: it is kube-controller-manager's first list".into()));
        }
    }
    // `expect:` groups select the workloads as the scenario names them;
    // a CronOperation's key changes, so each group is pinned to its
    // workloads' keys in this form.
    if !sc.expect.groups.is_empty() {
        let selection = sc.select_workloads(&written)?;
        for (g, picked) in selection.iter().enumerate() {
            let pinned =
                written.iter().zip(&keys).filter(|(w, _)| picked.contains(*w)).map(|(_, k)| k.clone());
            if let Some(group) = out.expect.groups.get_mut(g) {
                group.pinned = Some(pinned.collect());
            }
        }
    }
    Ok(ArgoForm { scenario: out, keys, notes })
}

/// A scenario in its Argo form (see [`argo_form`]).
#[derive(Debug, Clone)]
pub struct ArgoForm {
    /// Every workload as a CronWorkflow.
    pub scenario: Scenario,
    /// Each workload's report key in that form, in workload order.
    pub keys: Vec<String>,
    /// (workload index, what did not carry over).
    pub notes: Vec<(usize, String)>,
}
