//! `validate.CronWorkflow` (`workflow/validate/validate.go`): what the
//! Argo server refuses on `argo cron create`/`lint`, and what the
//! controller writes as a `SpecError` condition (and then never schedules)
//! when the object reached the cluster anyway through `kubectl apply`.
//!
//! Upstream stops at the first problem; so does this. The Workflow part is
//! a subset of `validate.Workflow`: template names, the entrypoint and that
//! it names a template (docs/fidelity/argo.md#argo-2).

use super::{CronWorkflow, MAX_NAME_LEN};
use crate::schedule::{Schedule, load_location};

/// The first problem `validate.CronWorkflow` finds: the field it is about
/// (a path for locating it in the manifest) and upstream's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgoInvalid {
    /// The field path, e.g. `spec.schedules[1]`.
    pub field: String,
    /// The message as the controller's `SpecError` condition words it.
    pub message: String,
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> Option<ArgoInvalid> {
    Some(ArgoInvalid { field: field.into(), message: message.into() })
}

/// `validate.CronWorkflow`, in upstream's order; `None` when valid.
pub fn validate_cronworkflow(cw: &CronWorkflow) -> Option<ArgoInvalid> {
    let name = cw.metadata.name.as_str();
    if name.len() > MAX_NAME_LEN {
        return invalid(
            "metadata.name",
            format!(
                "cron workflow name {name:?} must not be more than {MAX_NAME_LEN} characters long (currently {})",
                name.len()
            ),
        );
    }
    if cw.spec.schedules.is_empty() {
        return invalid("spec.schedules", "cron workflow must have at least one schedule");
    }
    // Upstream parses the schedules *without* the timezone prefix here.
    for (i, s) in cw.spec.schedules.iter().enumerate() {
        if let Err(e) = Schedule::parse(s) {
            return invalid(
                format!("spec.schedules[{i}]"),
                format!("cron schedule {s} is malformed: {}", e.robfig_text()),
            );
        }
    }
    if !cw.spec.timezone.is_empty()
        && let Err(e) = load_location(&cw.spec.timezone)
    {
        return invalid("spec.timezone", format!("invalid timezone {:?}: {e}", cw.spec.timezone));
    }
    if cw.spec.policy().is_none() {
        return invalid(
            "spec.concurrencyPolicy",
            format!("'{}' is not a valid concurrencyPolicy", cw.spec.concurrency_policy),
        );
    }
    if cw.spec.starting_deadline_seconds.is_some_and(|d| d < 0) {
        return invalid("spec.startingDeadlineSeconds", "startingDeadlineSeconds must be positive");
    }
    validate_workflow(cw).map(|mut e| {
        e.message = format!("cannot validate Workflow: {}", e.message);
        e
    })
}

/// The subset of `validate.Workflow` that a scheduling model can check.
fn validate_workflow(cw: &CronWorkflow) -> Option<ArgoInvalid> {
    let spec = &cw.spec.workflow_spec;
    let mut seen = std::collections::BTreeSet::new();
    for (i, t) in spec.templates.iter().enumerate() {
        let field = format!("spec.workflowSpec.templates[{i}].name");
        if t.name.is_empty() {
            return invalid(field, format!("spec.templates[{i}].name is required"));
        }
        let problems = field_name_problems(&t.name);
        if !problems.is_empty() {
            return invalid(
                field,
                format!("spec.templates[{i}].name: '{}' is invalid: {}", t.name, problems.join(";")),
            );
        }
        if !seen.insert(t.name.as_str()) {
            return invalid(field, format!("spec.templates[{i}].name '{}' is not unique", t.name));
        }
    }
    if spec.workflow_template_ref.is_some() {
        // The referenced WorkflowTemplate is not modelled.
        return None;
    }
    if spec.entrypoint.is_empty() {
        return invalid("spec.workflowSpec", "spec.entrypoint is required");
    }
    if !seen.contains(spec.entrypoint.as_str()) {
        return invalid(
            "spec.workflowSpec.entrypoint",
            format!("template name '{}' undefined", spec.entrypoint),
        );
    }
    None
}

/// `isValidWorkflowFieldName`: at most 128 characters, matching
/// `[a-zA-Z0-9][-a-zA-Z0-9]*`.
fn field_name_problems(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if name.len() > 128 {
        out.push("must be no more than 128 characters".to_string());
    }
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric() || c == '-') {
        out.push(
            "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric \
             character (e.g. My-name1-2, 123-NAME)"
                .to_string(),
        );
    }
    out
}
