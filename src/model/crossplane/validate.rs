//! What the API server's CRD schemas reject for CronOperation and Operation
//! (`cluster/crds/ops.crossplane.io_{cronoperations,operations}.yaml`).
//!
//! The schedule is deliberately **not** checked: upstream validates it only
//! at reconcile time (`Scheduling=False/ScheduleInvalid`).

use super::cronoperation::CronOperation;
use super::operation::{Operation, OperationSpec};
use crate::model::validation::validate_object_name;
use std::collections::BTreeSet;

/// CRD validation of a CronOperation, as `field: message` strings in the
/// API server's wording; empty when it would be admitted.
pub fn validate_cronoperation(co: &CronOperation) -> Vec<String> {
    // Cluster-scoped: the API server clears any namespace before it
    // validates, so only the name is checked.
    let mut name = Vec::new();
    validate_object_name(&co.metadata.name, &mut name);
    let mut errs: Vec<String> = name.iter().map(ToString::to_string).collect();
    if let Some(p) = &co.spec.concurrency_policy
        && !matches!(p.as_str(), "Allow" | "Forbid" | "Replace")
    {
        errs.push(unsupported("spec.concurrencyPolicy", p, &["Allow", "Forbid", "Replace"]));
    }
    validate_spec(&co.spec.operation_template.spec, "spec.operationTemplate.spec", &mut errs);
    errs
}

/// CRD validation of an Operation; empty when it would be admitted.
pub fn validate_operation(op: &Operation) -> Vec<String> {
    let mut errs = Vec::new();
    validate_spec(&op.spec, "spec", &mut errs);
    errs
}

fn unsupported(field: &str, value: &str, allowed: &[&str]) -> String {
    let list: Vec<String> = allowed.iter().map(|a| format!("{a:?}")).collect();
    format!("{field}: Unsupported value: {value:?}: supported values: {}", list.join(", "))
}

/// `OperationSpec`: mode enum, 1–99 steps with unique names, credential
/// sources, and the requirement selectors' "name xor matchLabels" rule.
fn validate_spec(spec: &OperationSpec, at: &str, errs: &mut Vec<String>) {
    // An absent mode is defaulted to Pipeline by the CRD.
    if !spec.mode.is_empty() && spec.mode != "Pipeline" {
        errs.push(unsupported(&format!("{at}.mode"), &spec.mode, &["Pipeline"]));
    }
    let n = spec.pipeline.len();
    if n == 0 {
        errs.push(format!(
            "{at}.pipeline: Invalid value: {n}: {at}.pipeline in body should have at least 1 items"
        ));
    } else if n > 99 {
        errs.push(format!("{at}.pipeline: Too many: {n}: must have at most 99 items"));
    }
    let mut steps = BTreeSet::new();
    for (i, step) in spec.pipeline.iter().enumerate() {
        let here = format!("{at}.pipeline[{i}]");
        if step.step.is_empty() {
            errs.push(format!("{here}.step: Required value"));
        } else if !steps.insert(step.step.as_str()) {
            errs.push(format!(
                "{here}: Duplicate value: map[string]interface {{}}{{\"step\":{:?}}}",
                step.step
            ));
        }
        if step.function_ref.name.is_empty() {
            errs.push(format!("{here}.functionRef.name: Required value"));
        }
        if let Some(input) = &step.input
            && !input.is_object()
        {
            errs.push(format!("{here}.input: Invalid value: {input}: must be an object"));
        }
        let mut creds = BTreeSet::new();
        for (j, c) in step.credentials.iter().enumerate() {
            let cat = format!("{here}.credentials[{j}]");
            if !creds.insert(c.name.as_str()) {
                errs.push(format!(
                    "{cat}: Duplicate value: map[string]interface {{}}{{\"name\":{:?}}}",
                    c.name
                ));
            }
            if !matches!(c.source.as_str(), "None" | "Secret") {
                errs.push(unsupported(&format!("{cat}.source"), &c.source, &["None", "Secret"]));
            }
        }
        if let Some(req) = &step.requirements {
            for (j, sel) in req.required_resources.iter().enumerate() {
                if sel.name.is_some() == sel.match_labels.is_some() {
                    errs.push(format!(
                        "{here}.requirements.requiredResources[{j}]: Invalid value: \"object\": Either name or matchLabels must be specified, but not both"
                    ));
                }
            }
        }
    }
    // retryLimit has no minimum in the CRD: a negative limit is admitted and,
    // like 0, fails the Operation before its first attempt.
}
