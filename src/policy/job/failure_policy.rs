//! `spec.podFailurePolicy` matching (`pkg/controller/job/pod_failure_policy.go`).

use crate::model::{ContainerStatus, OnExitCodes, OnPodCondition, Pod, PodFailurePolicy};
use serde::Serialize;

/// A rule's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PolicyAction {
    /// Fail the whole Job now.
    FailJob,
    /// Do not count the failure toward backoffLimit (the pod is still replaced).
    Ignore,
    /// Count the failure as usual.
    Count,
    /// Fail the pod's index (Indexed Jobs with backoffLimitPerIndex).
    FailIndex,
}

impl PolicyAction {
    fn parse(s: &str) -> Option<PolicyAction> {
        match s {
            "FailJob" => Some(PolicyAction::FailJob),
            "Ignore" => Some(PolicyAction::Ignore),
            "Count" => Some(PolicyAction::Count),
            "FailIndex" => Some(PolicyAction::FailIndex),
            _ => None,
        }
    }
}

/// The first rule that matched a failed pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyMatch {
    /// The matched rule's action.
    pub action: PolicyAction,
    /// Index of the rule in `rules`.
    pub rule_index: usize,
    /// For `FailJob`/`FailIndex`: the message upstream writes into the
    /// `FailureTarget` condition.
    pub message: Option<String>,
}

impl PolicyMatch {
    /// Whether the failure counts toward `status.failed` (`countFailed`).
    pub fn counts(&self) -> bool {
        self.action != PolicyAction::Ignore
    }
}

/// `matchPodFailurePolicy`: the first rule matching the failed `pod`, or
/// `None` (the failure counts as usual). Exit-code rules look at regular
/// containers then init containers, terminated with a non-zero exit code
/// only; condition rules at the pod's conditions (type and status, an empty
/// status meaning the API default `True`). A rule with an action this
/// version does not know matches nothing, as upstream's `switch` falls
/// through to the next rule.
pub fn match_pod_failure_policy(policy: &PodFailurePolicy, pod: &Pod) -> Option<PolicyMatch> {
    let ns = &pod.metadata.namespace;
    let name = &pod.metadata.name;
    for (rule_index, rule) in policy.rules.iter().enumerate() {
        let Some(action) = PolicyAction::parse(&rule.action) else {
            continue;
        };
        let message = if let Some(req) = &rule.on_exit_codes {
            let Some(cs) = match_on_exit_codes(pod, req) else {
                continue;
            };
            let code = cs.terminated.as_ref().map_or(0, |t| t.exit_code);
            format!(
                "Container {} for pod {ns}/{name} failed with exit code {code} matching {} rule at index {rule_index}",
                cs.name, rule.action
            )
        } else if !rule.on_pod_conditions.is_empty() {
            let Some(cond) = match_on_pod_conditions(pod, &rule.on_pod_conditions) else {
                continue;
            };
            format!(
                "Pod {ns}/{name} has condition {cond} matching {} rule at index {rule_index}",
                rule.action
            )
        } else {
            continue;
        };
        let message = matches!(action, PolicyAction::FailJob | PolicyAction::FailIndex).then_some(message);
        return Some(PolicyMatch { action, rule_index, message });
    }
    None
}

/// `matchOnExitCodes`: the first terminated container (regular, then init)
/// with a non-zero exit code the requirement accepts.
fn match_on_exit_codes<'p>(pod: &'p Pod, req: &OnExitCodes) -> Option<&'p ContainerStatus> {
    let matching = |cs: &&ContainerStatus| {
        let Some(t) = &cs.terminated else { return false };
        req.container_name.as_ref().is_none_or(|n| *n == cs.name)
            && t.exit_code != 0
            && exit_code_matches(t.exit_code, req)
    };
    pod.status
        .container_statuses
        .iter()
        .find(matching)
        .or_else(|| pod.status.init_container_statuses.iter().find(matching))
}

/// `isOnExitCodesOperatorMatching`: an unknown operator matches nothing.
fn exit_code_matches(code: i32, req: &OnExitCodes) -> bool {
    match req.operator.as_str() {
        "In" => req.values.contains(&code),
        "NotIn" => !req.values.contains(&code),
        _ => false,
    }
}

/// `matchOnPodConditions`: the type of the first pod condition (in the
/// pod's order) that any pattern matches.
fn match_on_pod_conditions<'p>(pod: &'p Pod, patterns: &[OnPodCondition]) -> Option<&'p str> {
    pod.status.conditions.iter().find_map(|c| {
        patterns
            .iter()
            .any(|p| {
                let want = if p.status.is_empty() { "True" } else { p.status.as_str() };
                p.type_ == c.type_ && want == c.status
            })
            .then_some(c.type_.as_str())
    })
}
