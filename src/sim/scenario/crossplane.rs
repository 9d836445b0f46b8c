//! CronOperation workloads: a manifest holding one `ops.crossplane.io`
//! CronOperation (plus, optionally, its Operations), and the timed changes
//! that make sense for it (pause/unpause by annotation, spec edits,
//! delete). `suspend`, `resume` and `timeZone` do not exist on a
//! CronOperation and are located errors with a fix hint.

use super::{Change, Scenario, ScenarioError, SpecEdit, WorkloadObjects, located, located_all};
use crate::model::crossplane::{CronOperation, Operation, validate_cronoperation, validate_operation};
use crate::model::manifest::{Located, Manifests};
use crate::model::yaml::YamlError;

/// A CronOperation workload's objects, validated as the CRDs would.
#[derive(Debug, Clone, PartialEq)]
pub struct XpWorkloadObjects {
    /// The CronOperation, defaulted and validated.
    pub cronoperation: CronOperation,
    /// Operations in the manifest (existing runs), in manifest order.
    pub operations: Vec<Operation>,
    /// Warnings about the manifest, for the user.
    pub warnings: Vec<String>,
}

/// What a workload's manifest holds.
// One per workload, built once at set-up: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadSpec {
    /// A CronJob workload.
    CronJob(WorkloadObjects),
    /// A Crossplane CronOperation workload.
    CronOperation(XpWorkloadObjects),
    /// An Argo CronWorkflow workload.
    CronWorkflow(super::argo::ArgoWorkloadObjects),
}

/// The error for a CronJob-only change on a CronOperation.
fn cronjob_only(field: &str) -> String {
    match field {
        "timeZone" => {
            "CronOperations have no spec.timeZone; put a CRON_TZ=<zone> prefix in the schedule".into()
        }
        _ => "CronOperations have no spec.suspend; use pause/unpause".into(),
    }
}

impl Change {
    /// The fields this change sets, by their scenario names.
    pub(super) fn named(&self) -> Vec<&'static str> {
        let set = [
            ("suspend", self.suspend),
            ("resume", self.resume),
            ("pause", self.pause),
            ("unpause", self.unpause),
            ("schedule", self.schedule.is_some()),
            ("timeZone", self.time_zone.is_some()),
            ("concurrencyPolicy", self.concurrency_policy.is_some()),
            ("startingDeadlineSeconds", self.starting_deadline_seconds.is_some()),
            ("delete", self.delete),
        ];
        set.iter().filter(|(_, on)| *on).map(|(n, _)| *n).collect()
    }

    /// The one field this change sets.
    pub(super) fn single(&self) -> Result<&'static str, String> {
        match self.named().as_slice() {
            [one] => Ok(one),
            [] => Err(format!(
                "change at {} names no edit (suspend, resume, pause, unpause, schedule, timeZone, concurrencyPolicy, startingDeadlineSeconds or delete)",
                self.at
            )),
            many => Err(format!("change at {} names {} edits; give one per change", self.at, many.len())),
        }
    }

    /// The edit this change makes to a CronOperation.
    pub fn xp_edit(&self) -> Result<SpecEdit, String> {
        Ok(match self.single()? {
            "pause" => SpecEdit::Paused(true),
            "unpause" => SpecEdit::Paused(false),
            "schedule" => SpecEdit::Schedule(self.schedule.clone().unwrap_or_default()),
            "concurrencyPolicy" => {
                SpecEdit::ConcurrencyPolicy(self.concurrency_policy.clone().unwrap_or_default())
            }
            "startingDeadlineSeconds" => {
                SpecEdit::StartingDeadlineSeconds(self.starting_deadline_seconds.filter(|d| *d >= 0))
            }
            "delete" => SpecEdit::Delete,
            other => return Err(cronjob_only(other)),
        })
    }

    /// The edit for a workload of either kind.
    pub fn edit_for(&self, cronoperation: bool) -> Result<SpecEdit, String> {
        if cronoperation { self.xp_edit() } else { self.edit() }
    }
}

/// Whether an inline manifest (one object, a `List`, or a sequence) holds
/// a CronOperation.
pub(super) fn mentions_cronoperation(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Array(items) => items.iter().any(mentions_cronoperation),
        serde_json::Value::Object(m) => {
            m.get("kind").and_then(|k| k.as_str()) == Some("CronOperation")
                || m.get("items").is_some_and(mentions_cronoperation)
        }
        _ => false,
    }
}

/// A CRD validation message `field: text` as a located error.
fn crd_error<T>(obj: &Located<T>, message: &str, prefix: &str) -> YamlError {
    let field = message.split(':').next().unwrap_or("").trim();
    let field = field.split('[').next().unwrap_or(field);
    obj.error_at(&format!("{prefix}{field}"), message)
}

impl Scenario {
    /// Reads workload `i`: a CronJob (see [`Scenario::workload_objects`]),
    /// a CronOperation with its Operations, or a CronWorkflow.
    pub fn workload(&self, i: usize) -> Result<WorkloadSpec, ScenarioError> {
        let m = self.read_manifests(i)?;
        if !m.cronworkflows.is_empty() {
            return super::argo::argo_objects(m).map(WorkloadSpec::CronWorkflow);
        }
        if m.cronoperations.is_empty() {
            return self.cronjob_objects(i, m).map(WorkloadSpec::CronJob);
        }
        xp_objects(m).map(WorkloadSpec::CronOperation)
    }
}

fn xp_objects(m: Manifests) -> Result<XpWorkloadObjects, ScenarioError> {
    let mut errors = Vec::new();
    for co in &m.cronoperations {
        for e in validate_cronoperation(co) {
            errors.push(crd_error(co, &e, ""));
        }
    }
    for op in &m.operations {
        for e in validate_operation(op) {
            errors.push(crd_error(op, &e, ""));
        }
    }
    if let Some(cj) = m.cronjobs.first() {
        errors.push(cj.error_at("kind", "a workload holds one CronJob or one CronOperation, not both"));
    }
    if !errors.is_empty() {
        return Err(located_all(errors));
    }
    let mut warnings: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
    for j in &m.jobs {
        warnings.push(format!(
            "{}:{}: Job {} ignored: a CronOperation creates Operations",
            j.file, j.pos, j.metadata.name
        ));
    }
    let mut cos = m.cronoperations.into_iter();
    let Some(co) = cos.next() else {
        return Err(ScenarioError { message: "no CronOperation in the manifest".into() });
    };
    if let Some(extra) = cos.next() {
        return Err(located(
            extra.error_at("metadata.name", "a workload holds one CronOperation; give each its own workload"),
        ));
    }
    Ok(XpWorkloadObjects {
        cronoperation: co.value,
        operations: m.operations.into_iter().map(|o| o.value).collect(),
        warnings,
    })
}
