//! Reading manifests the way `kubectl get cronjob,job -o yaml` prints them.
//!
//! Accepted shapes, freely mixed in one file: a single object, a `kind:
//! List` (or `CronJobList`/`JobList`/`PodList`) with `items`, and `---`
//! streams of either. Objects are dispatched on `kind`:
//!
//! * `CronJob` (`batch/v1`; `batch/v1beta1` is read as v1 with a warning),
//!   `Job` (`batch/v1`) and `Pod` (`v1`) are read;
//! * any other kind, or a known kind from another API group (a kubebuilder
//!   tutorial `CronJob` CRD, say), is **skipped with a warning**, so that
//!   `kubectl get all -o yaml` output can be fed in unchanged;
//! * a document without `kind`, or that is not a mapping, is an error.
//!
//! Fields cronwarp does not model (`managedFields`, most of the pod spec)
//! are ignored. Misspelt fields of the CronJob, Job and CronOperation specs
//! and of every object's `metadata` (closed, known sets) are collected in
//! [`Manifests::unknown_fields`] with a "did you mean" hint; what becomes of
//! them is the caller's [`FieldValidation`] choice, as with `kubectl apply
//! --validate`. `status` is read, not checked: a dump's status carries
//! fields of newer releases. An object without
//! `metadata.namespace` is placed in `default`, as `kubectl apply` does in
//! the default context. The same kind, namespace and name twice is an
//! error.

use super::argo::{ARGO_API_VERSION, CronWorkflow};
use super::cronjob::CronJob;
use super::crossplane::{CronOperation, OPS_API_VERSION, Operation};
use super::job::Job;
use super::pod::{ContainerTerminated, Pod};
use super::yaml::{self, Node, Position, Value, YamlError, closest};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// The kinds cronwarp reads.
pub const SUPPORTED_KINDS: [&str; 3] = ["CronJob", "Job", "Pod"];

/// An object with where it was read from; dereferences to the object.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The object itself.
    pub value: T,
    /// The file it was read from.
    pub file: String,
    /// Where the object's mapping starts.
    pub pos: Position,
    /// The object's YAML tree, for positioning diagnostics about fields.
    pub node: Node,
}

impl<T> Located<T> {
    /// The position of a field path (`spec.jobTemplate.spec.parallelism`):
    /// its key, or the nearest written ancestor when it is absent.
    pub fn position_of(&self, field_path: &str) -> Position {
        self.node.position_of(field_path)
    }

    /// A diagnostic about a field of this object.
    pub fn error_at(&self, field_path: &str, message: impl Into<String>) -> YamlError {
        YamlError::at(&self.file, self.position_of(field_path), message)
    }
}

impl<T> std::ops::Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> std::ops::DerefMut for Located<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.value
    }
}

/// Everything read from one or more manifest files, in document order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Manifests {
    /// `batch/v1` CronJobs.
    pub cronjobs: Vec<Located<CronJob>>,
    /// `batch/v1` Jobs.
    pub jobs: Vec<Located<Job>>,
    /// `v1` Pods.
    pub pods: Vec<Located<Pod>>,
    /// `ops.crossplane.io/v1alpha1` CronOperations (cluster-scoped: no
    /// namespace is set).
    pub cronoperations: Vec<Located<CronOperation>>,
    /// `ops.crossplane.io/v1alpha1` Operations (cluster-scoped).
    pub operations: Vec<Located<Operation>>,
    /// `argoproj.io/v1alpha1` CronWorkflows (read and validated; not yet
    /// simulated).
    pub cronworkflows: Vec<Located<CronWorkflow>>,
    /// Skipped objects and other doubts; reading still succeeded.
    pub warnings: Vec<YamlError>,
    /// Keys that are not fields of the object (`spec.timezone`,
    /// `metadata.namespce`), each with a "did you mean" hint where one is
    /// close. [`Manifests::validate_fields`] turns them into errors or
    /// warnings.
    pub unknown_fields: Vec<YamlError>,
}

/// What unknown fields do, as `kubectl apply --validate` (server-side
/// field validation) chooses: `Strict` is the API server's answer to
/// `kubectl apply` since Kubernetes 1.27, so it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum FieldValidation {
    /// An unknown field is an error: the API server refuses the object.
    #[default]
    Strict,
    /// An unknown field is a warning, and the object is read without it
    /// (the API server's `Warn`).
    Warn,
    /// Unknown fields are dropped silently.
    Ignore,
}

impl std::str::FromStr for FieldValidation {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "strict" | "true" => Ok(FieldValidation::Strict),
            "warn" => Ok(FieldValidation::Warn),
            "ignore" | "false" => Ok(FieldValidation::Ignore),
            _ => Err(format!(
                "{s:?} is not a validation mode: use strict, warn or ignore (kubectl's --validate)"
            )),
        }
    }
}

impl Manifests {
    /// Reads every object of `text` (named `file` in diagnostics). All
    /// errors are collected; a YAML syntax error stops at the first.
    pub fn read(text: &str, file: &str) -> Result<Manifests, Vec<YamlError>> {
        let docs = yaml::parse_documents(text, file).map_err(|e| vec![e])?;
        Manifests::read_documents(&docs, file)
    }

    /// [`Manifests::read`] on documents already parsed: a manifest written
    /// inside a scenario is a subtree of the scenario's own tree, whose
    /// positions are already the scenario file's.
    pub fn read_documents(docs: &[Node], file: &str) -> Result<Manifests, Vec<YamlError>> {
        let mut out = Manifests::default();
        let mut errors = Vec::new();
        let mut skipped = Skipped::default();
        for doc in docs {
            out.read_object(doc, file, 0, &mut errors, &mut skipped);
        }
        out.warnings.extend(skipped.warning(file));
        errors.extend(out.duplicates());
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// Appends `other` (another file, say); duplicates across the two are
    /// errors.
    pub fn merge(&mut self, other: Manifests) -> Result<(), Vec<YamlError>> {
        self.cronjobs.extend(other.cronjobs);
        self.jobs.extend(other.jobs);
        self.pods.extend(other.pods);
        self.cronoperations.extend(other.cronoperations);
        self.operations.extend(other.operations);
        self.cronworkflows.extend(other.cronworkflows);
        self.warnings.extend(other.warnings);
        self.unknown_fields.extend(other.unknown_fields);
        let dups = self.duplicates();
        if dups.is_empty() { Ok(()) } else { Err(dups) }
    }

    /// Applies `mode` to [`Manifests::unknown_fields`]: under `Strict`
    /// they are returned as errors, under `Warn` they join the warnings,
    /// under `Ignore` they are dropped. Each says what the API server does
    /// and how to read on.
    pub fn validate_fields(&mut self, mode: FieldValidation) -> Vec<YamlError> {
        let found = std::mem::take(&mut self.unknown_fields);
        let consequence = match mode {
            FieldValidation::Strict => {
                "the API server's strict field validation (kubectl apply's default) refuses the object; \
                 fix the key, or read on without it with --validate=warn"
            }
            FieldValidation::Warn => "the API server rejects unknown fields; cronwarp ignores it",
            FieldValidation::Ignore => return Vec::new(),
        };
        let with_consequence = found.into_iter().map(|mut e| {
            e.hint = Some(match e.hint.take() {
                Some(h) => format!("{h} ({consequence})"),
                None => consequence.to_string(),
            });
            e
        });
        match mode {
            FieldValidation::Strict => with_consequence.collect(),
            _ => {
                self.warnings.extend(with_consequence);
                Vec::new()
            }
        }
    }

    fn read_object(
        &mut self,
        node: &Node,
        file: &str,
        depth: usize,
        errors: &mut Vec<YamlError>,
        skipped: &mut Skipped,
    ) {
        if matches!(node.value, Value::Null) {
            return;
        }
        if !matches!(node.value, Value::Map(_)) {
            errors.push(
                YamlError::at(
                    file,
                    node.pos,
                    "expected a Kubernetes object (a mapping with apiVersion and kind)",
                )
                .with_hint("each `---` document must be one object or a `kind: List`"),
            );
            return;
        }
        let api_version = node.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let Some(kind) = node.get("kind").and_then(Node::as_str) else {
            let pos = node.entry("kind").map_or(node.pos, |(k, _)| k.pos);
            errors.push(
                YamlError::at(file, pos, "object has no `kind`")
                    .with_hint(format!("add `kind:` ({}, or List)", SUPPORTED_KINDS.join(", "))),
            );
            return;
        };
        match (kind, api_version) {
            (
                "List" | "CronJobList" | "JobList" | "PodList" | "CronOperationList" | "OperationList"
                | "CronWorkflowList",
                _,
            ) if depth < 8 => match node.get("items").map(|n| &n.value) {
                Some(Value::Seq(items)) => {
                    for item in items {
                        self.read_object(item, file, depth + 1, errors, skipped);
                    }
                }
                None | Some(Value::Null) => {}
                Some(_) => errors.push(YamlError::at(file, node.pos, "`items` of a List must be a sequence")),
            },
            ("CronJob", "batch/v1" | "") => self.cronjobs.extend(located(node, file, errors)),
            ("CronJob", "batch/v1beta1") => {
                self.warnings.push(
                    YamlError::at(file, node.pos, "batch/v1beta1 CronJob read as batch/v1").with_hint(
                        "batch/v1beta1 was removed in Kubernetes 1.25; change apiVersion to batch/v1",
                    ),
                );
                self.cronjobs.extend(located(node, file, errors));
            }
            ("Job", "batch/v1" | "") => self.jobs.extend(located(node, file, errors)),
            ("CronOperation", OPS_API_VERSION) => self.cronoperations.extend(located(node, file, errors)),
            ("Operation", OPS_API_VERSION) => self.operations.extend(located(node, file, errors)),
            ("CronWorkflow", ARGO_API_VERSION) => self.cronworkflows.extend(located(node, file, errors)),
            ("Pod", "v1" | "") => {
                let pod = located::<Pod>(node, file, errors).map(|p| with_container_states(p, errors));
                self.pods.extend(pod);
            }
            _ => skipped.add(kind, api_version, node.pos),
        }
        if matches!(kind, "CronJob" | "Job")
            || (kind == "CronOperation" && api_version == OPS_API_VERSION)
            || (kind == "CronWorkflow" && api_version == ARGO_API_VERSION)
        {
            self.unknown_fields.extend(unknown_fields(node, kind, file));
        }
    }

    /// Same kind, namespace and name more than once: one error per repeat,
    /// pointing back at the first.
    fn duplicates(&self) -> Vec<YamlError> {
        let mut errs = Vec::new();
        dup_check("CronJob", self.cronjobs.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos)), &mut errs);
        dup_check("Job", self.jobs.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos)), &mut errs);
        dup_check("Pod", self.pods.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos)), &mut errs);
        let cos = self.cronoperations.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos));
        dup_check("CronOperation", cos, &mut errs);
        let ops = self.operations.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos));
        dup_check("Operation", ops, &mut errs);
        let cws = self.cronworkflows.iter().map(|o| (&o.metadata, o.file.as_str(), o.pos));
        dup_check("CronWorkflow", cws, &mut errs);
        errs
    }
}

/// Objects of kinds cronwarp does not read, counted per kind so that a
/// `helm template` or `kubectl get all` output gives one line, not one per
/// Deployment.
#[derive(Default)]
struct Skipped {
    /// (kind, apiVersion) → count, in first-seen order.
    kinds: Vec<((String, String), usize)>,
    first: Option<Position>,
}

impl Skipped {
    fn add(&mut self, kind: &str, api_version: &str, pos: Position) {
        self.first.get_or_insert(pos);
        match self.kinds.iter_mut().find(|((k, a), _)| k == kind && a == api_version) {
            Some((_, n)) => *n += 1,
            None => self.kinds.push(((kind.to_string(), api_version.to_string()), 1)),
        }
    }

    /// The one warning, at the first skipped object.
    fn warning(self, file: &str) -> Option<YamlError> {
        let pos = self.first?;
        let message = match self.kinds.as_slice() {
            [((kind, api), 1)] => format!("skipped {kind} ({api}): not a kind cronwarp reads"),
            kinds => {
                let total: usize = kinds.iter().map(|(_, n)| n).sum();
                let each: Vec<String> = kinds.iter().map(|((k, a), n)| format!("{n} {k} ({a})")).collect();
                format!("skipped {total} objects of kinds cronwarp does not read: {}", each.join(", "))
            }
        };
        let hint = format!("cronwarp reads {} (batch/v1 and v1)", SUPPORTED_KINDS.join(", "));
        Some(YamlError::at(file, pos, message).with_hint(hint))
    }
}

fn dup_check<'a>(
    kind: &str,
    objs: impl Iterator<Item = (&'a super::meta::ObjectMeta, &'a str, Position)>,
    errs: &mut Vec<YamlError>,
) {
    let mut seen: BTreeMap<(&str, &str), (&str, Position)> = BTreeMap::new();
    for (meta, file, pos) in objs {
        let key = (meta.namespace.as_str(), meta.name.as_str());
        match seen.get(&key) {
            Some((f0, p0)) => errs.push(
                YamlError::at(file, pos, format!("duplicate {kind} {}/{}", meta.namespace, meta.name))
                    .with_hint(format!("first defined at {f0}:{p0}; names must be unique per namespace")),
            ),
            None => {
                seen.insert(key, (file, pos));
            }
        }
    }
}

/// Reads one object and sets the `default` namespace if none is given.
fn located<T: DeserializeOwned + HasMeta>(
    node: &Node,
    file: &str,
    errors: &mut Vec<YamlError>,
) -> Option<Located<T>> {
    match yaml::from_node::<T>(node, file) {
        Ok(mut value) => {
            let namespaced = T::NAMESPACED;
            let meta = value.meta_mut();
            if namespaced && meta.namespace.is_empty() {
                meta.namespace = "default".into();
            }
            Some(Located { value, file: file.to_string(), pos: node.pos, node: node.clone() })
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// The API nests a container's end as `state.terminated` and
/// `lastState.terminated`; the model keeps them flat
/// (`ContainerStatus::terminated`, `last_terminated`), so copy them over.
fn with_container_states(mut pod: Located<Pod>, errors: &mut Vec<YamlError>) -> Located<Pod> {
    let Some(Value::Seq(items)) = pod.node.find("status.containerStatuses").map(|n| &n.value) else {
        return pod;
    };
    let mut found = Vec::new();
    for (i, item) in items.iter().enumerate() {
        for (path, last) in [("state.terminated", false), ("lastState.terminated", true)] {
            if let Some(n) = item.find(path) {
                match yaml::from_node::<ContainerTerminated>(n, &pod.file) {
                    Ok(t) => found.push((i, last, t)),
                    Err(e) => errors.push(e),
                }
            }
        }
    }
    for (i, last, t) in found {
        if let Some(cs) = pod.value.status.container_statuses.get_mut(i) {
            let slot = if last { &mut cs.last_terminated } else { &mut cs.terminated };
            slot.get_or_insert(t);
        }
    }
    pod
}

/// Objects with `metadata`.
trait HasMeta {
    /// Cluster-scoped kinds get no `default` namespace.
    const NAMESPACED: bool = true;
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta;
}

impl HasMeta for CronJob {
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}
impl HasMeta for Job {
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}
impl HasMeta for CronOperation {
    const NAMESPACED: bool = false;
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}
impl HasMeta for Operation {
    const NAMESPACED: bool = false;
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}
impl HasMeta for CronWorkflow {
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}
impl HasMeta for Pod {
    fn meta_mut(&mut self) -> &mut super::meta::ObjectMeta {
        &mut self.metadata
    }
}

/// The fields of `batch/v1` CronJobSpec.
const CRONJOB_SPEC_FIELDS: [&str; 8] = [
    "schedule",
    "timeZone",
    "startingDeadlineSeconds",
    "concurrencyPolicy",
    "suspend",
    "jobTemplate",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
];

/// The fields of `batch/v1` JobSpec as of Kubernetes 1.34.
const JOB_SPEC_FIELDS: [&str; 16] = [
    "parallelism",
    "completions",
    "activeDeadlineSeconds",
    "podFailurePolicy",
    "successPolicy",
    "backoffLimit",
    "backoffLimitPerIndex",
    "maxFailedIndexes",
    "selector",
    "manualSelector",
    "template",
    "ttlSecondsAfterFinished",
    "completionMode",
    "suspend",
    "podReplacementPolicy",
    "managedBy",
];

/// The fields of `ops.crossplane.io/v1alpha1` CronOperationSpec.
const CRONOPERATION_SPEC_FIELDS: [&str; 6] = [
    "schedule",
    "startingDeadlineSeconds",
    "concurrencyPolicy",
    "successfulHistoryLimit",
    "failedHistoryLimit",
    "operationTemplate",
];

/// CronJob fields people carry over to a CronOperation, and what it has
/// instead.
const CRONOPERATION_INSTEAD: [(&str, &str); 2] = [
    ("timeZone", "a CronOperation has no timeZone: prefix the schedule with CRON_TZ=<zone> instead"),
    ("suspend", "a CronOperation has no suspend: annotate it crossplane.io/paused: \"true\" instead"),
];

/// The fields of `argoproj.io/v1alpha1` CronWorkflowSpec (v4).
const CRONWORKFLOW_SPEC_FIELDS: [&str; 11] = [
    "workflowSpec",
    "concurrencyPolicy",
    "suspend",
    "startingDeadlineSeconds",
    "successfulJobsHistoryLimit",
    "failedJobsHistoryLimit",
    "timezone",
    "workflowMetadata",
    "stopStrategy",
    "schedules",
    "when",
];

/// Keys people write on a CronWorkflow that it does not have (any more),
/// and what it has instead.
const CRONWORKFLOW_INSTEAD: [(&str, &str); 2] = [
    ("schedule", "Argo Workflows v4 removed spec.schedule: write `schedules: [\"<cron>\"]`"),
    ("timeZone", "a CronWorkflow spells it `timezone` (lower-case z)"),
];

/// The fields of a JobTemplateSpec and of any top-level object.
const TEMPLATE_FIELDS: [&str; 2] = ["metadata", "spec"];
const OBJECT_FIELDS: [&str; 5] = ["apiVersion", "kind", "metadata", "spec", "status"];

/// The fields of `metadata` (apimachinery's ObjectMeta).
const METADATA_FIELDS: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

/// Keys that are not fields of the (closed) CronJob, Job or CronOperation
/// spec structures, or of their `metadata`.
fn unknown_fields(node: &Node, kind: &str, file: &str) -> Vec<YamlError> {
    let mut out = Vec::new();
    check_keys(node, "", &OBJECT_FIELDS, file, &mut out);
    check_keys_at(node, "metadata", &METADATA_FIELDS, file, &mut out);
    let (template, job_spec) = match kind {
        "CronJob" => {
            check_keys_at(node, "spec", &CRONJOB_SPEC_FIELDS, file, &mut out);
            check_keys_at(node, "spec.jobTemplate", &TEMPLATE_FIELDS, file, &mut out);
            ("spec.jobTemplate", "spec.jobTemplate.spec")
        }
        "CronOperation" => {
            let start = out.len();
            check_keys_at(node, "spec", &CRONOPERATION_SPEC_FIELDS, file, &mut out);
            check_keys_at(node, "spec.operationTemplate", &TEMPLATE_FIELDS, file, &mut out);
            check_keys_at(node, "spec.operationTemplate.metadata", &METADATA_FIELDS, file, &mut out);
            for w in &mut out[start..] {
                let instead =
                    CRONOPERATION_INSTEAD.iter().find(|(k, _)| w.message.starts_with(&format!("spec.{k}:")));
                if let Some((_, hint)) = instead {
                    w.hint = Some(hint.to_string());
                }
            }
            return out;
        }
        "CronWorkflow" => {
            let start = out.len();
            check_keys_at(node, "spec", &CRONWORKFLOW_SPEC_FIELDS, file, &mut out);
            check_keys_at(node, "spec.workflowMetadata", &METADATA_FIELDS, file, &mut out);
            for w in &mut out[start..] {
                let instead =
                    CRONWORKFLOW_INSTEAD.iter().find(|(k, _)| w.message.starts_with(&format!("spec.{k}:")));
                if let Some((_, hint)) = instead {
                    w.hint = Some(hint.to_string());
                }
            }
            return out;
        }
        _ => ("", "spec"),
    };
    if !template.is_empty() {
        check_keys_at(node, &format!("{template}.metadata"), &METADATA_FIELDS, file, &mut out);
    }
    check_keys_at(node, job_spec, &JOB_SPEC_FIELDS, file, &mut out);
    out
}

fn check_keys_at(root: &Node, path: &str, known: &[&str], file: &str, out: &mut Vec<YamlError>) {
    if let Some(node) = root.find(path) {
        check_keys(node, path, known, file, out);
    }
}

fn check_keys(node: &Node, path: &str, known: &[&str], file: &str, out: &mut Vec<YamlError>) {
    let Value::Map(entries) = &node.value else { return };
    for (key, _) in entries {
        let Some(k) = key.as_str() else { continue };
        if known.contains(&k) {
            continue;
        }
        let field = if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
        let mut e = YamlError::at(file, key.pos, format!("{field}: unknown field \"{k}\""));
        e.hint = closest(k, known).map(|c| format!("did you mean `{c}`?"));
        out.push(e);
    }
}
