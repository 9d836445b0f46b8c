//! JobSpec validation shared by Jobs and CronJob job templates: mirrors
//! `validateJobSpec` and the pod-failure-policy helpers of kubernetes
//! `pkg/apis/batch/validation/validation.go`, plus the container checks of
//! core `ValidatePodTemplateSpec` that a rendered manifest can trip.

use super::field::{BadValue, FieldError, dns1123_label_errors};
use super::job::{JobSpec, OnExitCodes, PodFailurePolicyRule, PodSpec};
use super::yaml::closest;

/// At most this many pod failure policy rules (`maxPodFailurePolicyRules`).
const MAX_RULES: usize = 20;
/// At most this many exit codes per rule.
const MAX_EXIT_CODES: usize = 255;
/// At most this many pod condition patterns per rule.
const MAX_POD_CONDITIONS: usize = 20;

const ACTIONS: [&str; 4] = ["Count", "FailIndex", "FailJob", "Ignore"];
const OPERATORS: [&str; 2] = ["In", "NotIn"];
const STATUSES: [&str; 3] = ["False", "True", "Unknown"];

/// "use one of …", plus "did you mean" when the value is a near miss.
fn choose(value: &str, allowed: &[&str]) -> String {
    let list = allowed.join(", ");
    match closest(value, allowed) {
        Some(c) => format!("did you mean `{c}`? (allowed: {list}; case matters)"),
        None => format!("use one of: {list}"),
    }
}

/// Go's `%q` of a `[]string`: `["a" "b"]`.
fn go_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| super::field::go_quote(v)).collect();
    format!("[{}]", quoted.join(" "))
}

/// Mirrors `validateJobSpec(spec, fldPath)`: `path` is `spec` for a Job
/// and `spec.jobTemplate.spec` for a CronJob.
pub(crate) fn validate_job_spec(spec: &JobSpec, path: &str, errs: &mut Vec<FieldError>) {
    let counts = [
        ("parallelism", spec.parallelism.map(i64::from), "use 0 or more pods (0 pauses the Job)"),
        ("completions", spec.completions.map(i64::from), "use 0 or more completions, or remove it"),
        (
            "activeDeadlineSeconds",
            spec.active_deadline_seconds,
            "use a positive number of seconds, or remove it for no deadline",
        ),
        (
            "backoffLimit",
            spec.backoff_limit.map(i64::from),
            "use 0 or more retries (0 fails the Job on the first pod failure)",
        ),
        (
            "ttlSecondsAfterFinished",
            spec.ttl_seconds_after_finished.map(i64::from),
            "use 0 or more seconds (0 deletes the Job as soon as it finishes), or remove it to keep it",
        ),
        (
            "backoffLimitPerIndex",
            spec.backoff_limit_per_index.map(i64::from),
            "use 0 or more retries per index",
        ),
    ];
    for (name, value, hint) in counts {
        errs.extend(FieldError::nonnegative(&format!("{path}.{name}"), value, hint));
    }
    if let Some(mode) = spec.completion_mode.as_deref() {
        if mode != "NonIndexed" && mode != "Indexed" {
            let allowed = ["NonIndexed", "Indexed"];
            errs.push(
                FieldError::not_supported(
                    format!("{path}.completionMode"),
                    BadValue::Str(mode.into()),
                    &allowed,
                )
                .with_hint(choose(mode, &allowed)),
            );
        }
        if mode == "Indexed" && spec.completions.is_none() {
            errs.push(
                FieldError::required(format!("{path}.completions"), "when completion mode is Indexed")
                    .with_hint("an Indexed Job needs completions: set it to the number of indexes"),
            );
        }
    }
    let non_indexed = matches!(spec.completion_mode.as_deref(), None | Some("NonIndexed"));
    if let (true, Some(n)) = (non_indexed, spec.backoff_limit_per_index) {
        errs.push(
            FieldError::invalid(
                format!("{path}.backoffLimitPerIndex"),
                BadValue::Int(n.into()),
                "requires indexed completion mode",
            )
            .with_hint("set completionMode: Indexed, or use backoffLimit instead"),
        );
    }
    if let Some(pfp) = &spec.pod_failure_policy {
        let rules_path = format!("{path}.podFailurePolicy.rules");
        if pfp.rules.len() > MAX_RULES {
            errs.push(
                FieldError::too_many(&rules_path, pfp.rules.len(), MAX_RULES)
                    .with_hint("merge or drop rules"),
            );
        }
        let names = container_names(&spec.template.spec);
        for (i, rule) in pfp.rules.iter().enumerate() {
            validate_rule(spec, rule, &format!("{rules_path}[{i}]"), &names, errs);
        }
    }
    validate_replacement_policy(spec, path, errs);
    validate_containers(&spec.template.spec, &format!("{path}.template.spec"), errs);
    validate_restart_policy(spec, path, errs);
}

fn container_names(pod: &PodSpec) -> Vec<&str> {
    pod.containers.iter().chain(&pod.init_containers).map(|c| c.name.as_str()).collect()
}

/// Mirrors `validatePodReplacementPolicy`.
fn validate_replacement_policy(spec: &JobSpec, path: &str, errs: &mut Vec<FieldError>) {
    let Some(p) = spec.pod_replacement_policy.as_deref() else { return };
    let field = format!("{path}.podReplacementPolicy");
    if spec.pod_failure_policy.is_some() {
        if p != "Failed" {
            errs.push(FieldError::not_supported(field, BadValue::Str(p.into()), &["Failed"]).with_hint(
                "with a podFailurePolicy only `Failed` is allowed; remove the field or set Failed",
            ));
        }
    } else if p != "Failed" && p != "TerminatingOrFailed" {
        let allowed = ["Failed", "TerminatingOrFailed"];
        errs.push(
            FieldError::not_supported(field, BadValue::Str(p.into()), &allowed)
                .with_hint(choose(p, &allowed)),
        );
    }
}

/// The restart-policy tail of `validateJobSpec`: the defaulted `Always`
/// (or an empty value) is reported as missing.
fn validate_restart_policy(spec: &JobSpec, path: &str, errs: &mut Vec<FieldError>) {
    let rp = spec.template.spec.restart_policy.as_str();
    let field = format!("{path}.template.spec.restartPolicy");
    let allowed = ["OnFailure", "Never"];
    if rp == "Always" || rp.is_empty() {
        errs.push(FieldError::required(field, "valid values: \"OnFailure\", \"Never\"").with_hint(
            "set restartPolicy: Never (or OnFailure); a Job's pods cannot use Always, the pod default",
        ));
    } else if !allowed.contains(&rp) {
        errs.push(
            FieldError::not_supported(field, BadValue::Str(rp.into()), &allowed)
                .with_hint(choose(rp, &allowed)),
        );
    } else if spec.pod_failure_policy.is_some() && rp != "Never" {
        errs.push(
            FieldError::invalid(
                field,
                BadValue::Str(rp.into()),
                "only \"Never\" is supported when podFailurePolicy is specified",
            )
            .with_hint("set restartPolicy: Never, or remove podFailurePolicy"),
        );
    }
}

/// The container checks of core `ValidatePodSpec` that matter for a
/// manifest: at least one container, each named (a DNS-1123 label, unique)
/// and with an image.
fn validate_containers(pod: &PodSpec, path: &str, errs: &mut Vec<FieldError>) {
    if pod.containers.is_empty() {
        errs.push(
            FieldError::required(format!("{path}.containers"), "").with_hint("add at least one container"),
        );
    }
    let mut seen: Vec<&str> = Vec::new();
    let groups = [("containers", &pod.containers), ("initContainers", &pod.init_containers)];
    for (group, list) in groups {
        for (i, c) in list.iter().enumerate() {
            let at = format!("{path}.{group}[{i}]");
            if c.name.is_empty() {
                errs.push(
                    FieldError::required(format!("{at}.name"), "").with_hint("give the container a name"),
                );
            } else {
                for msg in dns1123_label_errors(&c.name) {
                    errs.push(
                        FieldError::invalid(format!("{at}.name"), BadValue::Str(c.name.to_string()), msg)
                            .with_hint("use lower-case letters, digits and '-', at most 63 characters"),
                    );
                }
                if seen.contains(&c.name.as_str()) {
                    errs.push(
                        FieldError::duplicate(format!("{at}.name"), BadValue::Str(c.name.to_string()))
                            .with_hint("container names must be unique within the pod"),
                    );
                }
                seen.push(&c.name);
            }
            if c.image.is_empty() {
                errs.push(
                    FieldError::required(format!("{at}.image"), "").with_hint("set the container image"),
                );
            }
            validate_resources(&c.resources, &format!("{at}.resources"), errs);
        }
    }
}

/// The quantity checks of core `ValidateResourceRequirements`: nothing
/// negative, and no request above its limit.
fn validate_resources(r: &crate::model::Resources, path: &str, errs: &mut Vec<FieldError>) {
    for (group, map) in [("limits", &r.limits), ("requests", &r.requests)] {
        for (name, q) in map {
            if q.is_negative() {
                errs.push(
                    FieldError::invalid(
                        format!("{path}.{group}.{name}"),
                        BadValue::Str(q.to_string()),
                        "must be greater than or equal to 0",
                    )
                    .with_hint("a request or limit cannot be negative"),
                );
            }
        }
    }
    for (name, q) in &r.requests {
        if let Some(limit) = r.limits.get(name)
            && q.nanos() > limit.nanos()
        {
            errs.push(
                FieldError::invalid(
                    format!("{path}.requests.{name}"),
                    BadValue::Str(q.to_string()),
                    format!("must be less than or equal to {name} limit of {limit}"),
                )
                .with_hint("raise the limit or lower the request"),
            );
        }
    }
}

/// Mirrors `validatePodFailurePolicyRule`.
fn validate_rule(
    spec: &JobSpec,
    rule: &PodFailurePolicyRule,
    path: &str,
    names: &[&str],
    errs: &mut Vec<FieldError>,
) {
    let action_path = format!("{path}.action");
    let action = rule.action.as_str();
    if action.is_empty() {
        errs.push(
            FieldError::required(action_path, format!("valid values: {}", go_list(&ACTIONS)))
                .with_hint(format!("set action to one of: {}", ACTIONS.join(", "))),
        );
    } else if action == "FailIndex" {
        if spec.backoff_limit_per_index.is_none() {
            errs.push(
                FieldError::invalid(
                    action_path,
                    BadValue::Str(action.into()),
                    "requires the backoffLimitPerIndex to be set",
                )
                .with_hint("set backoffLimitPerIndex (with completionMode: Indexed), or use FailJob"),
            );
        }
    } else if !ACTIONS.contains(&action) {
        errs.push(
            FieldError::not_supported(action_path, BadValue::Str(action.into()), &ACTIONS)
                .with_hint(choose(action, &ACTIONS)),
        );
    }
    if let Some(codes) = &rule.on_exit_codes {
        validate_exit_codes(codes, &format!("{path}.onExitCodes"), names, errs);
    }
    if !rule.on_pod_conditions.is_empty() {
        let cpath = format!("{path}.onPodConditions");
        if rule.on_pod_conditions.len() > MAX_POD_CONDITIONS {
            errs.push(FieldError::too_many(&cpath, rule.on_pod_conditions.len(), MAX_POD_CONDITIONS));
        }
        for (j, pattern) in rule.on_pod_conditions.iter().enumerate() {
            let status_path = format!("{cpath}[{j}].status");
            let status = pattern.status.as_str();
            if status.is_empty() {
                errs.push(
                    FieldError::required(status_path, format!("valid values: {}", go_list(&STATUSES)))
                        .with_hint("set status: True (or False, Unknown)"),
                );
            } else if !STATUSES.contains(&status) {
                errs.push(
                    FieldError::not_supported(status_path, BadValue::Str(status.into()), &STATUSES)
                        .with_hint(choose(status, &STATUSES)),
                );
            }
        }
    }
    let (codes, conds) = (rule.on_exit_codes.is_some(), !rule.on_pod_conditions.is_empty());
    if codes == conds {
        let detail = if codes {
            "specifying both OnExitCodes and OnPodConditions is not supported"
        } else {
            "specifying one of OnExitCodes and OnPodConditions is required"
        };
        errs.push(
            FieldError::invalid(path, BadValue::Omit, detail)
                .with_hint("give each rule exactly one of onExitCodes and onPodConditions"),
        );
    }
}

/// Go's `%#v` of a `[]int32`.
fn go_int_slice(values: &[i32]) -> String {
    let parts: Vec<String> = values.iter().map(i32::to_string).collect();
    format!("[]int32{{{}}}", parts.join(", "))
}

/// Mirrors `validatePodFailurePolicyRuleOnExitCodes`.
fn validate_exit_codes(req: &OnExitCodes, path: &str, names: &[&str], errs: &mut Vec<FieldError>) {
    let op_path = format!("{path}.operator");
    let op = req.operator.as_str();
    if op.is_empty() {
        errs.push(
            FieldError::required(op_path, format!("valid values: {}", go_list(&OPERATORS)))
                .with_hint("set operator: In (or NotIn)"),
        );
    } else if !OPERATORS.contains(&op) {
        errs.push(
            FieldError::not_supported(op_path, BadValue::Str(op.into()), &OPERATORS)
                .with_hint(choose(op, &OPERATORS)),
        );
    }
    if let Some(name) = req.container_name.as_ref().filter(|n| !names.contains(&n.as_str())) {
        let hint = match closest(name, names) {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!("name one of: {}", names.join(", ")),
        };
        errs.push(
            FieldError::invalid(
                format!("{path}.containerName"),
                BadValue::Str(name.to_string()),
                "must be one of the container or initContainer names in the pod template",
            )
            .with_hint(hint),
        );
    }
    let values_path = format!("{path}.values");
    if req.values.is_empty() {
        errs.push(
            FieldError::invalid(
                &values_path,
                BadValue::Raw(go_int_slice(&req.values)),
                "at least one value is required",
            )
            .with_hint("list at least one exit code"),
        );
    } else if req.values.len() > MAX_EXIT_CODES {
        errs.push(FieldError::too_many(&values_path, req.values.len(), MAX_EXIT_CODES));
    }
    let mut seen: Vec<i32> = Vec::new();
    for (j, &v) in req.values.iter().enumerate() {
        let vpath = format!("{values_path}[{j}]");
        if op == "In" && v == 0 {
            errs.push(
                FieldError::invalid(&vpath, BadValue::Int(0), "must not be 0 for the In operator")
                    .with_hint("exit code 0 is success; remove it, or use NotIn"),
            );
        }
        if seen.contains(&v) {
            errs.push(
                FieldError::duplicate(&vpath, BadValue::Int(v.into())).with_hint("list each exit code once"),
            );
        } else {
            seen.push(v);
        }
    }
    if req.values.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
        errs.push(
            FieldError::invalid(values_path, BadValue::Raw(go_int_slice(&req.values)), "must be ordered")
                .with_hint("sort the exit codes in ascending order"),
        );
    }
}
