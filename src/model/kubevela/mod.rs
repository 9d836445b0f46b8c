//! KubeVela Applications (`core.oam.dev/v1beta1`) and the CronJobs their
//! `cron-task` components render to.
//!
//! Rendering follows KubeVela's pipeline for one component:
//!
//! 1. the `cron-task` template turns `properties` into a `batch/v1`
//!    CronJob (`crontask::output`; defaults as the definition declares
//!    them, `count` → `parallelism` and `completions`, `restart` →
//!    `restartPolicy`, the two `app.oam.dev` labels on both templates);
//! 2. each `json-merge-patch` trait, in order, is applied to that output as
//!    an RFC 7386 merge patch (`cron-task` has no `timeZone` parameter: the
//!    trait is how one sets it);
//! 3. the appfile step names the object after the component (unless the
//!    output already has a name), places it in the Application's namespace
//!    (unless it has one), and sets the six workload labels
//!    (`app.oam.dev/{name,namespace,component,appRevision,resourceType}`,
//!    `workload.oam.dev/type`), overriding any the patch wrote.
//!
//! Components of any other type are **skipped with a warning**, since an
//! Application commonly mixes a `webservice` with its `cron-task`s;
//! traits other than `json-merge-patch` are skipped with a warning as well.
//! An Application with no `cron-task` component at all is an error.
//! Not modelled: clusters older than 1.25 (`batch/v1beta1`), `json-patch`
//! and other patch traits, policies and workflow steps, and application
//! labels propagated to workloads.

mod crontask;
mod merge_patch;
mod props;
mod read;
mod volumes;

pub use crontask::{CRON_TASK, DEAD_PARAMETERS, PARAMETERS};
pub use merge_patch::merge_patch;
pub use read::{
    ReadApplications, is_application, read_applications, read_applications_in, repeated_cronjob,
    validate_rendered,
};

use super::cronjob::CronJob;
use super::meta::ObjectMeta;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::fmt;

/// The Application API version this module reads.
pub const API_VERSION: &str = "core.oam.dev/v1beta1";
/// The trait type applied as a merge patch.
pub const JSON_MERGE_PATCH: &str = "json-merge-patch";

/// `core.oam.dev/v1beta1` Application, the parts rendering reads. Unknown
/// fields (policies, workflow, most of status) are ignored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Application {
    /// `apiVersion`, normally `core.oam.dev/v1beta1`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    /// `kind`, normally `Application`; empty when omitted.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// `metadata`: name, namespace, labels.
    pub metadata: ObjectMeta,
    /// `spec`: the components.
    pub spec: ApplicationSpec,
    /// `status`: only `latestRevision` is read; empty when the manifest has none.
    #[serde(skip_serializing_if = "ApplicationStatus::is_empty")]
    pub status: ApplicationStatus,
}

/// `spec` of an Application.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationSpec {
    /// `spec.components`, rendered in order.
    pub components: Vec<Component>,
}

/// One component: a type (ComponentDefinition name), its properties, and
/// the traits attached to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Component {
    /// `name` of the component, unique within the Application.
    pub name: String,
    /// `type`: the ComponentDefinition that renders it.
    #[serde(rename = "type")]
    pub type_: String,
    /// The definition's parameters, free-form until the definition reads them.
    pub properties: Value,
    /// `traits` attached to the component; empty for none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traits: Vec<Trait>,
}

/// A trait attached to a component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Trait {
    /// `type`: the TraitDefinition name, e.g. `json-merge-patch`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `properties`: the trait's parameters, free-form.
    pub properties: Value,
}

/// The part of an Application's status that names the revision.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ApplicationStatus {
    /// `status.latestRevision`; None for a freshly applied Application.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_revision: Option<Revision>,
}

impl ApplicationStatus {
    fn is_empty(&self) -> bool {
        self.latest_revision.is_none()
    }
}

/// `status.latestRevision`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Revision {
    /// `name` of the revision, e.g. `<app>-v1`.
    pub name: String,
}

impl Application {
    /// The namespace KubeVela renders into: the Application's, else
    /// `default` (as `kubectl apply` places an unqualified manifest).
    pub fn namespace(&self) -> &str {
        if self.metadata.namespace.is_empty() { "default" } else { &self.metadata.namespace }
    }

    /// The `app.oam.dev/appRevision` label: `status.latestRevision.name`
    /// when the manifest carries it (a `kubectl get -o yaml` export), else
    /// `<app>-v1`, the first revision of a newly applied Application.
    pub fn revision_name(&self) -> String {
        match &self.status.latest_revision {
            Some(r) if !r.name.is_empty() => r.name.clone(),
            _ => format!("{}-v1", self.metadata.name),
        }
    }
}

/// A problem with an Application, at a field path of it
/// (`spec.components[0].properties.count`). Also used for warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError {
    /// The Application field the problem is about.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
}

impl RenderError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> RenderError {
        RenderError { path: path.into(), message: message.into(), hint: None }
    }

    /// The same problem with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> RenderError {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " (hint: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RenderError {}

/// One rendered CronJob: the manifest exactly as KubeVela would apply it
/// (every field the template writes, in JSON form) and its typed view.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedCronJob {
    /// Index of the component in `spec.components`.
    pub component_index: usize,
    /// The component's name.
    pub component: String,
    /// The full manifest (container resources, volumes and so on included).
    pub manifest: Value,
    /// The manifest read as a [`CronJob`] (fields cronwarp models).
    pub cronjob: CronJob,
}

/// Everything one Application renders to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendering {
    /// The CronJobs rendered, in component order.
    pub items: Vec<RenderedCronJob>,
    /// Problems that did not stop rendering (skipped components and traits,
    /// unknown or dead properties).
    pub warnings: Vec<RenderError>,
}

/// Renders every `cron-task` component of `app` to a CronJob.
pub fn render(app: &Application) -> Result<Vec<CronJob>, RenderError> {
    Ok(render_all(app)?.items.into_iter().map(|r| r.cronjob).collect())
}

/// Renders every `cron-task` component of `app`, with the full manifests
/// and warnings. Stops at the first error.
pub fn render_all(app: &Application) -> Result<Rendering, RenderError> {
    if app.metadata.name.is_empty() {
        return Err(RenderError::new("metadata.name", "the Application has no name"));
    }
    let mut out = Rendering::default();
    let mut names = BTreeSet::new();
    for (i, comp) in app.spec.components.iter().enumerate() {
        let path = format!("spec.components[{i}]");
        if comp.name.is_empty() {
            return Err(RenderError::new(format!("{path}.name"), "a component needs a name"));
        }
        if comp.type_.is_empty() {
            return Err(RenderError::new(
                format!("{path}.type"),
                format!("component \"{}\" has no type", comp.name),
            )
            .with_hint("set `type: cron-task`"));
        }
        if !names.insert(comp.name.as_str()) {
            return Err(RenderError::new(
                format!("{path}.name"),
                format!("duplicate component name \"{}\"", comp.name),
            )
            .with_hint("component names must be unique within an Application"));
        }
        if comp.type_ != CRON_TASK {
            out.warnings.push(
                RenderError::new(
                    format!("{path}.type"),
                    format!("component \"{}\" of type \"{}\" skipped", comp.name, comp.type_),
                )
                .with_hint("cronwarp renders only cron-task components"),
            );
            continue;
        }
        out.items.push(render_component(app, i, comp, &mut out.warnings)?);
    }
    if out.items.is_empty() {
        return Err(RenderError::new("spec.components", "the Application has no cron-task component")
            .with_hint("cronwarp renders components of `type: cron-task`"));
    }
    Ok(out)
}

/// Template, traits, then the appfile's name, namespace and labels.
fn render_component(
    app: &Application,
    i: usize,
    comp: &Component,
    warnings: &mut Vec<RenderError>,
) -> Result<RenderedCronJob, RenderError> {
    let path = format!("spec.components[{i}]");
    let props_path = format!("{path}.properties");
    let empty = Map::new();
    let map = match &comp.properties {
        Value::Object(m) => m,
        Value::Null => &empty,
        v => {
            return Err(RenderError::new(
                props_path,
                format!("properties must be a mapping, not {}", props::type_name(v)),
            ));
        }
    };
    warnings.extend(property_warnings(map, &props_path));
    let ctx = crontask::Context { app_name: &app.metadata.name, name: &comp.name };
    let mut manifest = crontask::output(&ctx, props::Props { map, path: &props_path })?;
    for (j, t) in comp.traits.iter().enumerate() {
        let tpath = format!("{path}.traits[{j}]");
        if t.type_ != JSON_MERGE_PATCH {
            warnings.push(
                RenderError::new(format!("{tpath}.type"), format!("trait \"{}\" not applied", t.type_))
                    .with_hint("cronwarp applies only json-merge-patch traits to a cron-task"),
            );
            continue;
        }
        if !t.properties.is_object() {
            return Err(RenderError::new(
                format!("{tpath}.properties"),
                format!("a json-merge-patch needs a mapping, not {}", props::type_name(&t.properties)),
            ));
        }
        merge_patch(&mut manifest, &t.properties);
        check_still_cronjob(&manifest, &tpath)?;
    }
    assemble(app, comp, &mut manifest);
    let cronjob = serde_json::from_value(manifest.clone()).map_err(|e| {
        RenderError::new(path.clone(), format!("the rendered CronJob does not decode: {e}"))
            .with_hint("a json-merge-patch trait probably wrote a value of the wrong type")
    })?;
    Ok(RenderedCronJob { component_index: i, component: comp.name.clone(), manifest, cronjob })
}

/// A patch may rewrite anything, but cronwarp renders CronJobs only.
fn check_still_cronjob(manifest: &Value, tpath: &str) -> Result<(), RenderError> {
    let (av, kind) = (&manifest["apiVersion"], &manifest["kind"]);
    if av == "batch/v1" && kind == "CronJob" {
        return Ok(());
    }
    Err(RenderError::new(
        format!("{tpath}.properties"),
        format!("the patch turns the workload into {av} {kind}, not batch/v1 CronJob"),
    ))
}

/// The appfile's part: name, namespace, and the workload labels.
fn assemble(app: &Application, comp: &Component, manifest: &mut Value) {
    let Value::Object(root) = manifest else { return };
    let meta = root.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !meta.is_object() {
        *meta = Value::Object(Map::new());
    }
    let Value::Object(meta) = meta else { return };
    if meta.get("name").and_then(Value::as_str).is_none_or(str::is_empty) {
        meta.insert("name".into(), Value::String(comp.name.clone()));
    }
    if meta.get("namespace").and_then(Value::as_str).is_none_or(str::is_empty) {
        meta.insert("namespace".into(), Value::String(app.namespace().to_string()));
    }
    let labels = meta.entry("labels").or_insert_with(|| Value::Object(Map::new()));
    if !labels.is_object() {
        *labels = Value::Object(Map::new());
    }
    if let Value::Object(labels) = labels {
        for (k, v) in [
            ("app.oam.dev/name", app.metadata.name.to_string()),
            ("app.oam.dev/namespace", app.namespace().to_string()),
            ("app.oam.dev/component", comp.name.to_string()),
            ("app.oam.dev/appRevision", app.revision_name()),
            ("workload.oam.dev/type", CRON_TASK.to_string()),
            ("app.oam.dev/resourceType", "WORKLOAD".to_string()),
        ] {
            labels.insert(k.into(), Value::String(v));
        }
    }
}

/// Unknown properties (with a "did you mean"), a `timeZone` property, and
/// the probe parameters the template never renders.
fn property_warnings(map: &Map<String, Value>, props_path: &str) -> Vec<RenderError> {
    let mut out = Vec::new();
    for key in map.keys() {
        let path = props::join(props_path, key);
        if key.eq_ignore_ascii_case("timeZone") {
            out.push(
                RenderError::new(path, "cron-task has no timeZone parameter: ignored")
                    .with_hint("set spec.timeZone with a json-merge-patch trait"),
            );
        } else if DEAD_PARAMETERS.contains(&key.as_str()) {
            out.push(RenderError::new(path, format!("cron-task declares `{key}` but never renders it")));
        } else if !PARAMETERS.contains(&key.as_str()) {
            let mut w = RenderError::new(path, format!("cron-task has no parameter `{key}`: ignored"));
            if let Some(near) = super::yaml::closest(key, &PARAMETERS) {
                w = w.with_hint(format!("did you mean `{near}`?"));
            }
            out.push(w);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn keys(warnings: &[RenderError]) -> Vec<(&str, Option<&str>)> {
        warnings.iter().map(|w| (w.path.as_str(), w.hint.as_deref())).collect()
    }

    #[test]
    fn probes_and_unknown_properties_warn_without_failing() {
        let props = json!({ "livenessProbe": {}, "imagePullPolicyy": "Always", "zzz": 1, "timezone": "UTC" });
        let Value::Object(map) = props else { return };
        assert_eq!(
            keys(&property_warnings(&map, "p")),
            [
                ("p.imagePullPolicyy", Some("did you mean `imagePullPolicy`?")),
                ("p.livenessProbe", None),
                ("p.timezone", Some("set spec.timeZone with a json-merge-patch trait")),
                ("p.zzz", None),
            ]
        );
    }

    #[test]
    fn a_patch_changing_the_kind_is_an_error() {
        let m = json!({ "apiVersion": "batch/v1", "kind": "Job" });
        assert_eq!(check_still_cronjob(&m, "t").map_err(|e| e.path), Err("t.properties".to_string()));
    }

    #[test]
    fn render_error_display_names_path_and_hint() {
        let e = RenderError::new("spec.x", "bad").with_hint("fix it");
        assert_eq!(e.to_string(), "spec.x: bad (hint: fix it)");
    }
}
