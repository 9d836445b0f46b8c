//! Reading Applications from YAML with positions, and pointing problems
//! with a rendered CronJob back at the Application line that caused them.

use super::merge_patch::patched_paths;
use super::{API_VERSION, Application, JSON_MERGE_PATCH, RenderError, RenderedCronJob};
use crate::model::defaults::set_object_defaults_cronjob;
use crate::model::manifest::Located;
use crate::model::validation::validate_cronjob_create;
use crate::model::yaml::{self, Value as YamlValue, YamlError};
use std::collections::BTreeMap;

/// The Applications of one file, and the documents skipped on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadApplications {
    /// The Applications read, each with where it was found.
    pub apps: Vec<Located<Application>>,
    /// Documents of other kinds, which are skipped.
    pub warnings: Vec<YamlError>,
}

/// Whether a YAML document is an OAM Application (`kind: Application`,
/// `apiVersion: core.oam.dev/...`), the documents [`read_applications`] reads.
pub fn is_application(doc: &yaml::Node) -> bool {
    let field = |k: &str| doc.get(k).and_then(|n| n.as_str()).unwrap_or("");
    field("kind") == "Application" && field("apiVersion").starts_with("core.oam.dev/")
}

/// Reads every `kind: Application` document of a `---` stream (named
/// `file` in diagnostics). Other kinds are skipped with a warning; a file
/// without any Application is an error.
pub fn read_applications(text: &str, file: &str) -> Result<ReadApplications, Vec<YamlError>> {
    let docs = yaml::parse_documents(text, file).map_err(|e| vec![e])?;
    read_applications_in(&docs, file)
}

/// [`read_applications`] on documents already parsed (a scenario's inline
/// manifest is a subtree of the scenario's tree).
pub fn read_applications_in(docs: &[yaml::Node], file: &str) -> Result<ReadApplications, Vec<YamlError>> {
    let mut out = ReadApplications::default();
    let mut errors = Vec::new();
    for doc in docs {
        if matches!(doc.value, YamlValue::Null) {
            continue;
        }
        if !matches!(doc.value, YamlValue::Map(_)) {
            errors.push(YamlError::at(
                file,
                doc.pos,
                "expected a Kubernetes object (a mapping with apiVersion and kind)",
            ));
            continue;
        }
        let kind = doc.get("kind").and_then(|n| n.as_str()).unwrap_or("");
        let api_version = doc.get("apiVersion").and_then(|n| n.as_str()).unwrap_or("");
        if !is_application(doc) {
            let what = if kind.is_empty() {
                "an object without kind".to_string()
            } else {
                format!("{api_version} {kind}")
            };
            out.warnings.push(YamlError::at(
                file,
                doc.pos,
                format!("{what} skipped: not a KubeVela Application"),
            ));
            continue;
        }
        if api_version != API_VERSION {
            let pos = doc.entry("apiVersion").map_or(doc.pos, |(k, _)| k.pos);
            out.warnings.push(
                YamlError::at(file, pos, format!("{api_version} read as {API_VERSION}")).with_hint(
                    "KubeVela serves Applications as core.oam.dev/v1beta1; older versions may differ",
                ),
            );
        }
        match yaml::from_node::<Application>(doc, file) {
            Ok(value) => {
                out.apps.push(Located { value, file: file.to_string(), pos: doc.pos, node: doc.clone() })
            }
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() && out.apps.is_empty() {
        let pos = docs.first().map_or(yaml::Position { line: 1, column: 1 }, |d| d.pos);
        errors.push(
            YamlError::at(file, pos, "no KubeVela Application in this file")
                .with_hint(format!("expected `apiVersion: {API_VERSION}` and `kind: Application`")),
        );
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

impl RenderError {
    /// This problem at its line and column in the Application's file.
    pub fn locate(&self, app: &Located<Application>) -> YamlError {
        let d = app.error_at(&self.path, self.message.clone());
        match &self.hint {
            Some(h) => d.with_hint(h.clone()),
            None => d,
        }
    }
}

/// A CronJob another Application of the same file already rendered: the
/// same namespace and name, so the cluster would hold one of the two.
/// KubeVela refuses to apply a resource another Application owns, and the
/// same Application twice is one object applied twice (the second
/// replaces the first), so printing both would show a cluster that cannot
/// exist. `seen` maps `namespace/name` to where it was first rendered;
/// the repeat is reported at its component's name.
pub fn repeated_cronjob(
    seen: &mut BTreeMap<String, String>,
    app: &Located<Application>,
    r: &RenderedCronJob,
) -> Option<YamlError> {
    let meta = &r.cronjob.metadata;
    let key = format!("{}/{}", meta.namespace, meta.name);
    let path = format!("spec.components[{}].name", r.component_index);
    let pos = app.position_of(&path);
    let first = format!("Application \"{}\" at {}:{}:{}", app.metadata.name, app.file, pos.line, pos.column);
    let earlier = match seen.entry(key.clone()) {
        std::collections::btree_map::Entry::Vacant(v) => {
            v.insert(first);
            return None;
        }
        std::collections::btree_map::Entry::Occupied(o) => o.get().clone(),
    };
    Some(
        app.error_at(
            &path,
            format!(
                "component \"{}\" renders CronJob {key}, which {earlier} already renders: a cluster holds \
                 one CronJob per namespace and name",
                r.component
            ),
        )
        .with_hint(
            "rename the component (the CronJob takes its name) or move the Application to another namespace; \
             the same Application twice is one object, so keep one copy",
        ),
    )
}

/// Runs the API server's create path (defaults, then
/// `ValidateCronJobCreate`) on a rendered CronJob. Each rejection is
/// reported at the Application field it came from: the trait that patched
/// the field, else the property that set it, else the component.
pub fn validate_rendered(app: &Located<Application>, r: &RenderedCronJob) -> Vec<YamlError> {
    let mut cj = r.cronjob.clone();
    set_object_defaults_cronjob(&mut cj);
    validate_cronjob_create(&cj)
        .iter()
        .map(|fe| {
            let d = app.error_at(
                &source_path(app, r.component_index, &fe.field),
                format!("component \"{}\" renders a CronJob the API server rejects: {fe}", r.component),
            );
            if fe.hint.is_empty() { d } else { d.with_hint(fe.hint.clone()) }
        })
        .collect()
}

/// CronJob field paths and the `cron-task` property that writes them.
const SOURCES: [(&str, &str); 17] = [
    ("spec.schedule", "schedule"),
    ("spec.startingDeadlineSeconds", "startingDeadlineSeconds"),
    ("spec.concurrencyPolicy", "concurrencyPolicy"),
    ("spec.suspend", "suspend"),
    ("spec.successfulJobsHistoryLimit", "successfulJobsHistoryLimit"),
    ("spec.failedJobsHistoryLimit", "failedJobsHistoryLimit"),
    ("spec.jobTemplate.metadata", "labels"),
    ("spec.jobTemplate.spec.parallelism", "count"),
    ("spec.jobTemplate.spec.completions", "count"),
    ("spec.jobTemplate.spec.backoffLimit", "backoffLimit"),
    ("spec.jobTemplate.spec.activeDeadlineSeconds", "activeDeadlineSeconds"),
    ("spec.jobTemplate.spec.ttlSecondsAfterFinished", "ttlSecondsAfterFinished"),
    ("spec.jobTemplate.spec.template.metadata", "labels"),
    ("spec.jobTemplate.spec.template.spec.restartPolicy", "restart"),
    ("spec.jobTemplate.spec.template.spec.containers[0].image", "image"),
    ("spec.jobTemplate.spec.template.spec.containers[0].command", "cmd"),
    ("spec.jobTemplate.spec.template.spec.containers[0].env", "env"),
];

/// Whether `field` is `prefix` or lies under it.
fn under(field: &str, prefix: &str) -> bool {
    field.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The Application field path a CronJob field came from.
fn source_path(app: &Application, i: usize, field: &str) -> String {
    let base = format!("spec.components[{i}]");
    let Some(comp) = app.spec.components.get(i) else { return base };
    for (j, t) in comp.traits.iter().enumerate().rev() {
        if t.type_ != JSON_MERGE_PATCH {
            continue;
        }
        if let Some(p) = patched_paths(&t.properties).into_iter().find(|p| under(field, p) || under(p, field))
        {
            return format!("{base}.traits[{j}].properties.{p}");
        }
    }
    if under(field, "metadata.name") {
        return format!("{base}.name");
    }
    SOURCES
        .iter()
        .filter(|(f, _)| under(field, f))
        .max_by_key(|(f, _)| f.len())
        .map_or(base.clone(), |(_, prop)| format!("{base}.properties.{prop}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn under_matches_whole_segments_only() {
        assert!(under("spec.schedule", "spec.schedule"));
        assert!(under("spec.jobTemplate.spec.template.spec.containers[0].image", "spec.jobTemplate.spec"));
        assert!(!under("spec.scheduleX", "spec.schedule"));
    }

    #[test]
    fn a_file_without_applications_is_an_error() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\n";
        let Err(errs) = read_applications(text, "f.yaml") else { panic!("must fail") };
        assert_eq!(errs.len(), 1);
        assert!(errs.iter().all(|e| e.message == "no KubeVela Application in this file"));
    }

    #[test]
    fn other_kinds_are_skipped_with_a_warning() {
        let text = "apiVersion: v1\nkind: ConfigMap\n---\napiVersion: core.oam.dev/v1beta1\nkind: Application\n\
                    metadata: {name: a}\n";
        let read = read_applications(text, "f.yaml").unwrap_or_default();
        assert_eq!(read.apps.len(), 1);
        assert_eq!(read.warnings.len(), 1);
        assert_eq!(read.warnings.first().map(|w| w.line), Some(1));
    }
}
