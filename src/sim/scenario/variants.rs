//! Variants: one scenario under several settings, for side-by-side
//! comparison (`variants:` in a scenario, `cronwarp compare --vary`).
//!
//! A variant sets fields of every workload's object (the CronJob, or the
//! CronOperation, as written or as a dump holds it) before the run, so the
//! changed object is admitted, defaulted and validated like any other: a
//! value the API server would refuse is refused with its message. Axes
//! multiply: `concurrencyPolicy` × `startingDeadlineSeconds` with three
//! values each is nine variants, in row-major order (the last axis varies
//! fastest).
//!
//! What stays the same across variants is as important as what changes:
//! the horizon, faults, timed changes and behaviour, and, because a run's
//! random draws are keyed by its tick (`sim::rng::run_stream`), the
//! duration and outcome of the Job for any given tick. Differences
//! between variants are the policy's, not noise.

use super::convert::{Controller, put_manifest, to_value, with_source};
use super::{Scenario, ScenarioError, WorkloadSpec, err};
use serde::Deserialize;
use serde_json::Value;

/// How many variants a matrix may have unless the caller allows more
/// (`--max-variants`): each is a full run.
pub const MAX_VARIANTS: usize = 10_000;

/// One axis of a variant matrix: a field and the values it takes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Axis {
    /// A field name from the list in docs/scenario-reference.md#variants
    /// (`concurrencyPolicy`, `startingDeadlineSeconds`, `backoffLimit` …),
    /// `controller` (`kubernetes`, `crossplane` or `argo`), or a dotted path into
    /// the CronJob or CronOperation that starts with `spec.`
    /// (`spec.jobTemplate.spec.parallelism`).
    pub vary: String,
    /// The values, one variant each; `none` (or `null`) removes the field,
    /// so its default applies.
    pub values: Vec<Value>,
}

/// A field a variant can set, by its short name, and where it lives in
/// each kind of object (`None`: that kind has no such field).
struct Field {
    name: &'static str,
    cronjob: Option<&'static str>,
    cronoperation: Option<&'static str>,
}

/// The short names; anything else must be `controller` or a `spec.` path.
const FIELDS: [Field; 10] = [
    Field {
        name: "concurrencyPolicy",
        cronjob: Some("spec.concurrencyPolicy"),
        cronoperation: Some("spec.concurrencyPolicy"),
    },
    Field {
        name: "startingDeadlineSeconds",
        cronjob: Some("spec.startingDeadlineSeconds"),
        cronoperation: Some("spec.startingDeadlineSeconds"),
    },
    Field { name: "schedule", cronjob: Some("spec.schedule"), cronoperation: Some("spec.schedule") },
    Field { name: "timeZone", cronjob: Some("spec.timeZone"), cronoperation: None },
    Field { name: "suspend", cronjob: Some("spec.suspend"), cronoperation: None },
    Field {
        name: "successfulJobsHistoryLimit",
        cronjob: Some("spec.successfulJobsHistoryLimit"),
        cronoperation: Some("spec.successfulHistoryLimit"),
    },
    Field {
        name: "failedJobsHistoryLimit",
        cronjob: Some("spec.failedJobsHistoryLimit"),
        cronoperation: Some("spec.failedHistoryLimit"),
    },
    Field {
        name: "ttlSecondsAfterFinished",
        cronjob: Some("spec.jobTemplate.spec.ttlSecondsAfterFinished"),
        cronoperation: None,
    },
    Field { name: "backoffLimit", cronjob: Some("spec.jobTemplate.spec.backoffLimit"), cronoperation: None },
    Field {
        name: "activeDeadlineSeconds",
        cronjob: Some("spec.jobTemplate.spec.activeDeadlineSeconds"),
        cronoperation: None,
    },
];

/// The axis that picks the controller instead of a field.
pub const CONTROLLER_AXIS: &str = "controller";

/// Every short name an axis may use, for help and errors.
pub fn field_names() -> Vec<&'static str> {
    FIELDS.iter().map(|f| f.name).chain([CONTROLLER_AXIS]).collect()
}

/// One cell of the matrix: a value per axis.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The values in axis order, as the report prints them (`Forbid, 300`).
    pub name: String,
    /// (axis, value) in axis order.
    pub set: Vec<(String, Value)>,
}

impl Variant {
    /// The controller this variant runs under, when it has a
    /// [`CONTROLLER_AXIS`].
    pub fn controller(&self) -> Option<Controller> {
        self.set.iter().find(|(k, _)| k == CONTROLLER_AXIS).map(|(_, v)| match v.as_str() {
            Some("crossplane") => Controller::Crossplane,
            Some("argo") => Controller::Argo,
            _ => Controller::Kubernetes,
        })
    }
}

/// How a value prints in a variant's name: strings bare, `null` as `none`.
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Checks one axis; the error names the axis's field and says what is
/// accepted.
pub fn check_axis(axis: &Axis) -> Result<(), String> {
    let known = FIELDS.iter().any(|f| f.name == axis.vary);
    if axis.vary == CONTROLLER_AXIS {
        if let Some(bad) =
            axis.values.iter().find(|v| !matches!(v.as_str(), Some("kubernetes" | "crossplane" | "argo")))
        {
            return Err(format!(
                "controller takes `kubernetes`, `crossplane` or `argo`, not `{}`",
                show(bad)
            ));
        }
    } else if !known && !axis.vary.starts_with("spec.") {
        let hint = crate::model::yaml::closest(&axis.vary, &field_names())
            .map(|c| format!("did you mean `{c}`? "))
            .unwrap_or_default();
        return Err(format!(
            "cannot vary `{}`: {hint}use one of {}, or a path into the object that starts with `spec.`",
            axis.vary,
            field_names().join(", ")
        ));
    } else if axis.vary.split('.').any(str::is_empty) {
        return Err(format!("`{}` is not a dotted path (an empty segment)", axis.vary));
    }
    if axis.values.is_empty() {
        return Err(format!("`{}` has no values: give at least one", axis.vary));
    }
    if let Some(bad) = axis.values.iter().find(|v| v.is_array() || v.is_object()) {
        return Err(format!(
            "`{}`: values are scalars (a string, number, boolean or none), not {bad}",
            axis.vary
        ));
    }
    Ok(())
}

/// Checks every axis, and that none repeats; the error comes with the
/// index of the axis at fault.
pub fn check_axes(axes: &[Axis]) -> Result<(), (usize, String)> {
    for (i, a) in axes.iter().enumerate() {
        check_axis(a).map_err(|e| (i, e))?;
        if axes[..i].iter().any(|b| b.vary == a.vary) {
            return Err((i, format!("`{}` is varied twice: give all its values in one axis", a.vary)));
        }
    }
    Ok(())
}

/// The matrix's cells, row-major. Fails when an axis repeats, or the
/// matrix has more than `max` cells.
pub fn matrix(axes: &[Axis], max: usize) -> Result<Vec<Variant>, String> {
    check_axes(axes).map_err(|(_, e)| e)?;
    let cells = axes.iter().try_fold(1usize, |n, a| n.checked_mul(a.values.len())).unwrap_or(usize::MAX);
    if cells > max {
        return Err(format!(
            "the variant matrix has {cells} cells, more than the limit of {max}: each is a full run; \
             vary fewer fields or values, or raise the limit with --max-variants"
        ));
    }
    let mut out = vec![Variant { name: String::new(), set: Vec::new() }];
    for a in axes {
        out = out
            .into_iter()
            .flat_map(|v| {
                a.values.iter().map(normalise).map(move |x| {
                    let mut set = v.set.clone();
                    set.push((a.vary.clone(), x));
                    Variant { name: set.iter().map(|(_, x)| show(x)).collect::<Vec<_>>().join(", "), set }
                })
            })
            .collect();
    }
    Ok(out)
}

/// YAML has no `none`: the word stands for "remove the field", as on the
/// command line.
fn normalise(v: &Value) -> Value {
    match v {
        Value::String(s) if s == "none" => Value::Null,
        v => v.clone(),
    }
}

/// A variant of a scenario, ready to run, and what it could not set.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The scenario with every workload's object changed.
    pub scenario: Scenario,
    /// Settings a workload's kind has no field for, left as they were:
    /// (workload index, message).
    pub notes: Vec<(usize, String)>,
}

impl Scenario {
    /// This scenario with `variant`'s fields set in every workload's object
    /// (the [`CONTROLLER_AXIS`] is the caller's to apply). Reads every
    /// workload's manifest; errors are located as `cronwarp run` locates
    /// them.
    pub fn with_variant(&self, variant: &Variant) -> Result<Applied, ScenarioError> {
        let mut sc = with_source(self);
        let mut notes = Vec::new();
        let fields: Vec<&(String, Value)> =
            variant.set.iter().filter(|(k, _)| k != CONTROLLER_AXIS).collect();
        if fields.is_empty() {
            return Ok(Applied { scenario: sc, notes });
        }
        for i in 0..self.workloads.len() {
            let spec = self.workload(i)?;
            let (kind, mut docs) = match &spec {
                WorkloadSpec::CronJob(o) => {
                    let mut docs = vec![to_value(&o.cronjob)?];
                    for j in &o.jobs {
                        docs.push(to_value(j)?);
                    }
                    ("CronJob", docs)
                }
                WorkloadSpec::CronOperation(x) => {
                    let mut docs = vec![to_value(&x.cronoperation)?];
                    for op in &x.operations {
                        docs.push(to_value(op)?);
                    }
                    ("CronOperation", docs)
                }
                WorkloadSpec::CronWorkflow(_) => {
                    return Err(err(
                        &format!("workloads[{i}]"),
                        "variants set CronJob and CronOperation fields; a CronWorkflow workload takes none yet",
                    ));
                }
            };
            for (axis, value) in &fields {
                match path_in(axis, kind) {
                    Some(path) => set_path(&mut docs[0], path, value),
                    None => notes.push((i, format!("a {kind} has no {axis}: left as it is in this variant"))),
                }
            }
            let origin = format!("workloads[{i}] in variant ({})", variant.name);
            put_manifest(&mut sc, i, &origin, &docs)?;
        }
        Ok(Applied { scenario: sc, notes })
    }
}

/// Where `axis` lives in an object of `kind`.
fn path_in<'a>(axis: &'a str, kind: &str) -> Option<&'a str> {
    match FIELDS.iter().find(|f| f.name == axis) {
        Some(f) if kind == "CronJob" => f.cronjob,
        Some(f) => f.cronoperation,
        None => Some(axis),
    }
}

/// Sets (or, for `null`, removes) the field at a dotted path, making the
/// maps on the way. A step through something that is not a map replaces
/// it: the object's validation then says what is wrong.
fn set_path(doc: &mut Value, path: &str, value: &Value) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let Some(last) = parts.pop() else { return };
    let mut at = doc;
    for p in parts {
        if !at.is_object() {
            *at = Value::Object(serde_json::Map::new());
        }
        let Value::Object(map) = at else { return };
        at = map.entry(p).or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    if !at.is_object() {
        *at = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = at {
        match value {
            Value::Null => {
                map.remove(last);
            }
            v => {
                map.insert(last.to_string(), v.clone());
            }
        }
    }
}

/// Reads `--vary FIELD=V1,V2,…`: values split on commas outside double
/// quotes (`schedule="0,30 * * * *","@hourly"`), each read as a YAML
/// scalar (`300` a number, `true` a boolean, `none` removes the field).
pub fn parse_vary(arg: &str) -> Result<Axis, String> {
    let (field, list) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}`: write FIELD=VALUE,VALUE… (e.g. concurrencyPolicy=Allow,Forbid)"))?;
    let mut values = Vec::new();
    let (mut cur, mut quoted, mut was_quoted) = (String::new(), false, false);
    for ch in list.chars().chain([',']) {
        match ch {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            ',' if !quoted => {
                values.push(scalar(std::mem::take(&mut cur).trim(), was_quoted));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(format!("`{arg}`: a double quote is not closed"));
    }
    let axis = Axis { vary: field.trim().to_string(), values };
    check_axis(&axis)?;
    Ok(axis)
}

/// A command-line value as YAML would read it; quoted text stays a string.
fn scalar(text: &str, quoted: bool) -> Value {
    if quoted {
        return Value::String(text.to_string());
    }
    match text {
        "none" | "null" | "~" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        t => t.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::String(t.to_string())),
    }
}
