//! The `cron-task` ComponentDefinition's template (KubeVela
//! `vela-templates/definitions/internal/component/cron-task.cue`): its
//! parameters with their defaults, and the CronJob it outputs.

use super::RenderError;
use super::props::{Owned, Props, join};
use super::volumes;
use serde_json::{Map, Value, json};

/// The component type this module renders.
pub const CRON_TASK: &str = "cron-task";

/// Every parameter the definition declares, for unknown-property warnings.
pub const PARAMETERS: [&str; 25] = [
    "labels",
    "annotations",
    "schedule",
    "startingDeadlineSeconds",
    "suspend",
    "concurrencyPolicy",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "count",
    "image",
    "imagePullPolicy",
    "imagePullSecrets",
    "restart",
    "cmd",
    "env",
    "cpu",
    "memory",
    "volumeMounts",
    "volumes",
    "hostAliases",
    "ttlSecondsAfterFinished",
    "activeDeadlineSeconds",
    "backoffLimit",
    "livenessProbe",
    "readinessProbe",
];

/// Parameters the definition declares but its template never reads.
pub const DEAD_PARAMETERS: [&str; 2] = ["livenessProbe", "readinessProbe"];

/// What the template reads from its CUE `context`.
pub(super) struct Context<'a> {
    /// `context.appName`.
    pub app_name: &'a str,
    /// `context.name`: the component's name.
    pub name: &'a str,
}

/// Evaluates the template's `output`: the CronJob as KubeVela hands it to
/// the cluster before traits and the appfile labels (cluster ≥ 1.25, so
/// `batch/v1`).
pub(super) fn output(ctx: &Context, props: Props) -> Result<Value, RenderError> {
    let mut spec = Map::new();
    spec.insert("schedule".into(), json!(props.str_req("schedule")?));
    let policy = props.enum_opt("concurrencyPolicy", &["Allow", "Forbid", "Replace"])?;
    spec.insert("concurrencyPolicy".into(), json!(policy.unwrap_or("Allow")));
    spec.insert("suspend".into(), json!(props.bool_or("suspend", false)?));
    spec.insert(
        "successfulJobsHistoryLimit".into(),
        json!(props.int_or("successfulJobsHistoryLimit", 32, 3)?),
    );
    spec.insert("failedJobsHistoryLimit".into(), json!(props.int_or("failedJobsHistoryLimit", 32, 1)?));
    if let Some(d) = props.int_opt("startingDeadlineSeconds", 64)? {
        spec.insert("startingDeadlineSeconds".into(), json!(d));
    }
    let meta = template_meta(ctx, props)?;
    spec.insert(
        "jobTemplate".into(),
        json!({ "metadata": meta.clone(), "spec": job_spec(ctx, props, meta)? }),
    );
    Ok(json!({ "apiVersion": "batch/v1", "kind": "CronJob", "spec": spec }))
}

/// `jobTemplate.metadata` and the pod template's metadata: the `labels`
/// property unified with the two OAM labels, and `annotations` if set.
fn template_meta(ctx: &Context, props: Props) -> Result<Value, RenderError> {
    let mut labels = props.string_map_opt("labels")?.unwrap_or_default();
    for (key, value) in [("app.oam.dev/name", ctx.app_name), ("app.oam.dev/component", ctx.name)] {
        // CUE unification: the same key with another value is a conflict,
        // not an override.
        match labels.get(key) {
            Some(Value::String(s)) if s != value => {
                return Err(RenderError::new(
                    join(&props.at("labels"), key),
                    format!(
                        "conflicting values \"{s}\" and \"{value}\": the template sets this label itself"
                    ),
                )
                .with_hint("remove the label from `labels`"));
            }
            _ => {
                labels.insert(key.into(), json!(value));
            }
        }
    }
    let mut meta = Map::new();
    meta.insert("labels".into(), Value::Object(labels));
    if let Some(a) = props.string_map_opt("annotations")? {
        meta.insert("annotations".into(), Value::Object(a));
    }
    Ok(Value::Object(meta))
}

/// `jobTemplate.spec`: `count` becomes both `parallelism` and
/// `completions`, `restart` the pod's `restartPolicy`.
fn job_spec(ctx: &Context, props: Props, meta: Value) -> Result<Value, RenderError> {
    let count = props.int_or("count", 32, 1)?;
    let mut spec = Map::new();
    spec.insert("parallelism".into(), json!(count));
    spec.insert("completions".into(), json!(count));
    if let Some(t) = props.int_opt("ttlSecondsAfterFinished", 32)? {
        spec.insert("ttlSecondsAfterFinished".into(), json!(t));
    }
    if let Some(d) = props.int_opt("activeDeadlineSeconds", 64)? {
        spec.insert("activeDeadlineSeconds".into(), json!(d));
    }
    spec.insert("backoffLimit".into(), json!(props.int_or("backoffLimit", 32, 6)?));
    spec.insert("template".into(), json!({ "metadata": meta, "spec": pod_spec(ctx, props)? }));
    Ok(Value::Object(spec))
}

fn pod_spec(ctx: &Context, props: Props) -> Result<Value, RenderError> {
    let mut spec = Map::new();
    spec.insert("restartPolicy".into(), json!(props.str_or("restart", "Never")?));
    let mut container = container(ctx, props)?;
    let (mounts, vols) = volumes::render(props)?;
    if let Some(m) = mounts {
        container.insert("volumeMounts".into(), m);
    }
    spec.insert("containers".into(), json!([container]));
    if let Some(v) = vols {
        spec.insert("volumes".into(), v);
    }
    if let Some(secrets) = props.strings_opt("imagePullSecrets")? {
        let refs: Vec<Value> = secrets.iter().map(|s| json!({ "name": s })).collect();
        spec.insert("imagePullSecrets".into(), Value::Array(refs));
    }
    if let Some(aliases) = props.obj_list_opt("hostAliases")? {
        let mut out = Vec::with_capacity(aliases.len());
        for a in &aliases {
            let p = a.props();
            out.push(json!({ "ip": p.str_req("ip")?, "hostnames": p.strings_opt("hostnames")?.unwrap_or_default() }));
        }
        spec.insert("hostAliases".into(), Value::Array(out));
    }
    Ok(Value::Object(spec))
}

/// The single container, named after the component.
fn container(ctx: &Context, props: Props) -> Result<Map<String, Value>, RenderError> {
    let mut c = Map::new();
    c.insert("name".into(), json!(ctx.name));
    c.insert("image".into(), json!(props.str_req("image")?));
    if let Some(p) = props.enum_opt("imagePullPolicy", &["Always", "Never", "IfNotPresent"])? {
        c.insert("imagePullPolicy".into(), json!(p));
    }
    if let Some(cmd) = props.strings_opt("cmd")? {
        c.insert("command".into(), json!(cmd));
    }
    if let Some(env) = props.obj_list_opt("env")? {
        c.insert("env".into(), Value::Array(env_vars(&env)?));
    }
    // `cpu` and `memory` each fill both requests and limits.
    let mut resources = Map::new();
    for key in ["cpu", "memory"] {
        if let Some(q) = props.str_opt(key)? {
            for side in ["limits", "requests"] {
                let entry = resources.entry(side).or_insert_with(|| json!({}));
                if let Value::Object(m) = entry {
                    m.insert(key.into(), json!(q));
                }
            }
        }
    }
    if !resources.is_empty() {
        c.insert("resources".into(), Value::Object(resources));
    }
    Ok(c)
}

/// `env` is copied as written, after checking the declared shape: a
/// `name` string, an optional `value` string, an optional `valueFrom`.
fn env_vars(env: &[Owned]) -> Result<Vec<Value>, RenderError> {
    let mut out = Vec::with_capacity(env.len());
    for e in env {
        let p = e.props();
        p.str_req("name")?;
        p.str_opt("value")?;
        p.obj_opt("valueFrom")?;
        // CUE structs are open: extra keys pass through too.
        out.push(Value::Object(e.map.clone()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props_of(v: &Value) -> Props<'_> {
        match v {
            Value::Object(map) => Props { map, path: "properties" },
            _ => panic!("test input must be an object"),
        }
    }

    const CTX: Context = Context { app_name: "app", name: "task" };

    #[test]
    fn cpu_alone_fills_only_cpu_on_both_sides() {
        let v = json!({ "schedule": "* * * * *", "image": "busybox", "cpu": "1" });
        let out = output(&CTX, props_of(&v)).unwrap_or_default();
        let res = &out["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["resources"];
        assert_eq!(res, &json!({ "limits": { "cpu": "1" }, "requests": { "cpu": "1" } }));
    }

    #[test]
    fn unquoted_cpu_number_is_a_type_conflict_with_a_quoting_hint() {
        let v = json!({ "schedule": "* * * * *", "image": "busybox", "cpu": 1 });
        let Err(e) = output(&CTX, props_of(&v)) else { panic!("an int cpu must be rejected") };
        assert_eq!(e.path, "properties.cpu");
        assert_eq!(e.hint.as_deref(), Some("quote the value: cpu: \"1\""));
    }

    #[test]
    fn label_conflicting_with_the_template_is_an_error() {
        let v = json!({ "schedule": "@daily", "image": "x", "labels": { "app.oam.dev/name": "other" } });
        let Err(e) = output(&CTX, props_of(&v)) else { panic!("conflict must be rejected") };
        assert_eq!(e.path, "properties.labels.app.oam.dev/name");
    }

    #[test]
    fn unknown_concurrency_policy_is_rejected_with_a_suggestion() {
        let v = json!({ "schedule": "@daily", "image": "x", "concurrencyPolicy": "forbid" });
        let Err(e) = output(&CTX, props_of(&v)) else { panic!("must be rejected") };
        assert_eq!(e.hint.as_deref(), Some("did you mean \"Forbid\"?"));
    }

    #[test]
    fn host_aliases_and_pull_secrets_render_on_the_pod() {
        let v = json!({ "schedule": "@daily", "image": "x", "imagePullSecrets": ["reg"],
            "hostAliases": [{ "ip": "10.0.0.1", "hostnames": ["db"] }] });
        let out = output(&CTX, props_of(&v)).unwrap_or_default();
        let pod = &out["spec"]["jobTemplate"]["spec"]["template"]["spec"];
        assert_eq!(pod["imagePullSecrets"], json!([{ "name": "reg" }]));
        assert_eq!(pod["hostAliases"], json!([{ "ip": "10.0.0.1", "hostnames": ["db"] }]));
    }
}
