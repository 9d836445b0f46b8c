//! CronWorkflow workloads: a manifest holding one Argo `argoproj.io`
//! CronWorkflow, validated as Argo's `validate.CronWorkflow` does (plus
//! cronwarp's expression subset for `when` and `stopStrategy`), and the
//! timed changes that make sense for it (suspend/resume, schedule,
//! timezone, concurrency policy, deadline, delete). Workflows in the
//! manifest are not read: the controller's own are the only runs.

use super::manifests::cronworkflow_problem;
use super::{Change, ScenarioError, SpecEdit, located};
use crate::model::argo::CronWorkflow;
use crate::model::manifest::Manifests;

/// A CronWorkflow workload's objects.
#[derive(Debug, Clone, PartialEq)]
pub struct ArgoWorkloadObjects {
    /// The CronWorkflow, validated.
    pub cronworkflow: CronWorkflow,
    /// Warnings about the manifest, for the user.
    pub warnings: Vec<String>,
}

impl Change {
    /// The edit this change makes to a CronWorkflow: `schedule` replaces
    /// `spec.schedules` with the one schedule, `timeZone` sets
    /// `spec.timezone`.
    pub fn argo_edit(&self) -> Result<SpecEdit, String> {
        match self.single()? {
            "pause" | "unpause" => {
                Err("CronWorkflows have no pause annotation; use suspend/resume (spec.suspend)".into())
            }
            _ => self.edit(),
        }
    }
}

/// Whether an inline manifest (one object, a `List`, or a sequence) holds
/// a CronWorkflow.
pub(super) fn mentions_cronworkflow(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(items) => items.iter().any(mentions_cronworkflow),
        serde_json::Value::Object(m) => {
            m.get("kind").and_then(|k| k.as_str()) == Some("CronWorkflow")
                || m.get("items").is_some_and(mentions_cronworkflow)
        }
        _ => false,
    }
}

/// A CronWorkflow workload from its manifests: exactly one CronWorkflow
/// and nothing else scheduled.
pub(super) fn argo_objects(m: Manifests) -> Result<ArgoWorkloadObjects, ScenarioError> {
    let mut cws = m.cronworkflows.into_iter();
    let Some(cw) = cws.next() else {
        return Err(ScenarioError { message: "no CronWorkflow in the manifest".into() });
    };
    if let Some(problem) = cronworkflow_problem(&cw) {
        return Err(located(problem));
    }
    if let Some(extra) = cws.next() {
        return Err(located(
            extra.error_at("metadata.name", "a workload holds one CronWorkflow; give each its own workload"),
        ));
    }
    if let Some(cj) = m.cronjobs.first() {
        return Err(located(
            cj.error_at("kind", "a workload holds one CronJob or one CronWorkflow, not both"),
        ));
    }
    if let Some(co) = m.cronoperations.first() {
        return Err(located(
            co.error_at("kind", "a workload holds one CronOperation or one CronWorkflow, not both"),
        ));
    }
    let mut warnings: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    for j in &m.jobs {
        warnings.push(format!(
            "{}:{}: Job {} ignored: a CronWorkflow submits Workflows",
            j.file, j.pos, j.metadata.name
        ));
    }
    let mut cronworkflow = cw.value;
    if cronworkflow.metadata.namespace.is_empty() {
        cronworkflow.metadata.namespace = "default".into();
    }
    Ok(ArgoWorkloadObjects { cronworkflow, warnings })
}
