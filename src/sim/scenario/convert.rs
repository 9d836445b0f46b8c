//! A scenario in both controllers' forms, for `cronwarp compare`: every
//! Kubernetes CronJob also as a Crossplane CronOperation and every
//! CronOperation also as a CronJob, with the same horizon, seed, controller
//! set-up and faults, behaviour and timed changes.
//!
//! What does not map one to one becomes a [`ConversionNote`]; nothing is
//! dropped silently. Converted manifests are handed to the simulator as
//! synthetic manifest files (one JSON document per object), so workloads
//! that are not converted keep their own text and error positions.

mod argo;
mod objects;

pub use argo::{ArgoForm, AsCronWorkflow, ENTRYPOINT, argo_form, cronworkflow_from_cronjob};
pub use objects::{
    AsCronJob, AsCronOperation, DUMMY_FUNCTION, DUMMY_IMAGE, PIPELINE_STEP, cronjob_from_cronoperation,
    cronoperation_from_cronjob, schedule_with_zone, split_zone,
};

use super::{Change, Scenario, ScenarioError, Source, SpecEdit, WorkloadSpec, err};
use crate::model::{Millis, format_duration};
use crate::policy::crossplane::ATTEMPT_TIMEOUT;
use crate::sim::behaviour::{Behaviour, Distribution, Timing, Z99};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeSet;

/// The two controllers a workload can run under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Controller {
    /// kube-controller-manager's CronJob and Job controllers.
    Kubernetes,
    /// Crossplane's CronOperation and Operation controllers.
    Crossplane,
    /// Argo Workflows' workflow-controller (CronWorkflows); only as a
    /// variant (`--vary controller=…,argo`), see [`argo_form`].
    Argo,
}

impl Controller {
    /// The name reports print.
    pub fn label(self) -> &'static str {
        match self {
            Controller::Kubernetes => "Kubernetes",
            Controller::Crossplane => "Crossplane",
            Controller::Argo => "Argo",
        }
    }
}

/// Something about a workload that did not map one to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversionNote {
    /// The workload as the scenario names it (`namespace/name` or `name`).
    pub workload: String,
    /// What did not map, and what was done instead.
    pub message: String,
}

/// One workload under both controllers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadPair {
    /// Index in the scenario's `workloads`.
    pub index: usize,
    /// The form the scenario wrote.
    pub original: Controller,
    /// Report key on the Kubernetes side: `namespace/name`; `None` when
    /// the API server would reject the converted CronJob (see the notes).
    pub kubernetes: Option<String>,
    /// Report key on the Crossplane side: `name` (cluster-scoped); `None`
    /// when the CRD would reject the converted CronOperation.
    pub crossplane: Option<String>,
}

/// A scenario in both forms.
#[derive(Debug, Clone)]
pub struct BothForms {
    /// Every workload as a CronJob.
    pub kubernetes: Scenario,
    /// Every workload as a CronOperation.
    pub crossplane: Scenario,
    /// Workloads in scenario order.
    pub pairs: Vec<WorkloadPair>,
    /// In workload order.
    pub notes: Vec<ConversionNote>,
}

/// The namespace a converted CronOperation's CronJob lands in (a
/// CronOperation has none).
pub const CONVERTED_NAMESPACE: &str = "default";

/// Builds both forms of `sc`. Reads (and so validates) every workload's
/// manifest; errors are located as `cronwarp run` locates them.
pub fn both_forms(sc: &Scenario) -> Result<BothForms, ScenarioError> {
    let mut k8s = with_source(sc);
    let mut xp = with_source(sc);
    let specs: Vec<WorkloadSpec> =
        (0..sc.workloads.len()).map(|i| sc.workload(i)).collect::<Result<_, _>>()?;
    // Names each side already holds, so a converted name cannot collide.
    let mut xp_names = BTreeSet::new();
    let mut k8s_names = BTreeSet::new();
    for spec in &specs {
        match spec {
            WorkloadSpec::CronOperation(x) => xp_names.insert(x.cronoperation.metadata.name.to_string()),
            WorkloadSpec::CronWorkflow(_) => false,
            WorkloadSpec::CronJob(o) => {
                k8s_names.insert(format!("{}/{}", o.cronjob.metadata.namespace, o.cronjob.metadata.name))
            }
        };
    }
    let mut pairs = Vec::new();
    let mut notes = Vec::new();
    for (i, (spec, w)) in specs.iter().zip(&sc.workloads).enumerate() {
        let (pair, mut messages) = match spec {
            WorkloadSpec::CronWorkflow(a) => {
                return Err(err(
                    &format!("workloads[{i}]"),
                    format!(
                        "CronWorkflow {}: compare converts between CronJobs and CronOperations; give the \
                         CronJob it stands for (its Argo form is the third side of a three-way compare)",
                        a.cronworkflow.metadata.name
                    ),
                ));
            }
            WorkloadSpec::CronJob(objs) => {
                let cj = &objs.cronjob;
                let key = format!("{}/{}", cj.metadata.namespace, cj.metadata.name);
                let (name, collided) =
                    free_name(&cj.metadata.name, Some(&cj.metadata.namespace), &mut xp_names);
                let conv = cronoperation_from_cronjob(cj, &objs.jobs, &name);
                let mut messages = Vec::new();
                if collided {
                    messages.push(format!(
                        "renamed to CronOperation {name}: CronOperations are cluster-scoped and {} was taken",
                        cj.metadata.name
                    ));
                }
                messages.extend(conv.notes);
                let mut docs = vec![to_value(&conv.cronoperation)?];
                for op in &conv.operations {
                    docs.push(to_value(op)?);
                }
                put_manifest(&mut xp, i, &format!("workloads[{i}] as a CronOperation"), &docs)?;
                let (changes, more) = changes_to_crossplane(
                    &w.changes,
                    cj.spec.schedule.as_str(),
                    cj.spec.time_zone.as_ref().map(ToString::to_string),
                )?;
                messages.extend(more);
                xp.workloads[i].changes = changes;
                if xp.workloads[i].first_list.take().is_some() {
                    messages.push(
                        "firstList left out: it is kube-controller-manager's first list, and the Crossplane \
                         pod lists the store as it is"
                            .into(),
                    );
                }
                (
                    WorkloadPair {
                        index: i,
                        original: Controller::Kubernetes,
                        kubernetes: Some(key),
                        crossplane: Some(name),
                    },
                    messages,
                )
            }
            WorkloadSpec::CronOperation(x) => {
                let (co, ops) = (&x.cronoperation, &x.operations);
                let name = &co.metadata.name;
                let (cj_name, collided) = free_name(name, None, &mut k8s_names);
                let conv = cronjob_from_cronoperation(co, ops, CONVERTED_NAMESPACE, &cj_name);
                let mut messages = Vec::new();
                if collided {
                    messages.push(format!(
                        "renamed to CronJob {CONVERTED_NAMESPACE}/{cj_name}: {name} was taken"
                    ));
                }
                messages.push(format!("placed in namespace {CONVERTED_NAMESPACE} (a CronJob is namespaced)"));
                messages.extend(conv.notes);
                let mut docs = vec![to_value(&conv.cronjob)?];
                for j in &conv.jobs {
                    docs.push(to_value(j)?);
                }
                put_manifest(&mut k8s, i, &format!("workloads[{i}] as a CronJob"), &docs)?;
                k8s.workloads[i].changes = changes_to_kubernetes(&w.changes, &co.spec.schedule)?;
                let key = format!("{CONVERTED_NAMESPACE}/{cj_name}");
                (
                    WorkloadPair {
                        index: i,
                        original: Controller::Crossplane,
                        kubernetes: Some(key),
                        crossplane: Some(name.to_string()),
                    },
                    messages,
                )
            }
        };
        messages.extend(behaviour_notes(&w.behaviour));
        let workload = pair.key(pair.original).unwrap_or_default().to_string();
        notes.extend(
            messages.into_iter().map(|message| ConversionNote { workload: workload.clone(), message }),
        );
        pairs.push(pair);
    }
    drop_rejected(&mut k8s, &mut xp, &mut pairs, &mut notes);
    pin_selection(sc, &specs, &pairs, &mut k8s, &mut xp)?;
    notes.extend(one_sided_settings(sc));
    Ok(BothForms { kubernetes: k8s, crossplane: xp, pairs, notes })
}

/// Each `expect:` group bounds, in both forms, the workloads it selects in
/// the scenario as written: a converted CronOperation has no namespace, a
/// converted CronJob a new one, so the selectors are resolved once, here,
/// and pinned to the keys each side gives those workloads.
fn pin_selection(
    sc: &Scenario,
    specs: &[WorkloadSpec],
    pairs: &[WorkloadPair],
    k8s: &mut Scenario,
    xp: &mut Scenario,
) -> Result<(), ScenarioError> {
    if sc.expect.groups.is_empty() {
        return Ok(());
    }
    let keys: Vec<String> = specs
        .iter()
        .map(|s| match s {
            WorkloadSpec::CronJob(o) => {
                format!("{}/{}", o.cronjob.metadata.namespace, o.cronjob.metadata.name)
            }
            WorkloadSpec::CronOperation(x) => x.cronoperation.metadata.name.to_string(),
            WorkloadSpec::CronWorkflow(a) => {
                format!("{}/{}", a.cronworkflow.metadata.namespace, a.cronworkflow.metadata.name)
            }
        })
        .collect();
    let selection = sc.select_workloads(&keys)?;
    for (g, picked) in selection.iter().enumerate() {
        for (side, controller) in [(&mut *k8s, Controller::Kubernetes), (&mut *xp, Controller::Crossplane)] {
            let pinned = pairs
                .iter()
                .filter(|p| keys.get(p.index).is_some_and(|k| picked.contains(k)))
                .filter_map(|p| p.key(controller).map(str::to_string))
                .collect();
            if let Some(group) = side.expect.groups.get_mut(g) {
                group.pinned = Some(pinned);
            }
        }
    }
    Ok(())
}

impl WorkloadPair {
    /// The report key under `controller`, if the workload exists there.
    pub fn key(&self, controller: Controller) -> Option<&str> {
        match controller {
            Controller::Kubernetes => self.kubernetes.as_deref(),
            Controller::Crossplane => self.crossplane.as_deref(),
            // A pair is the two-way form; the Argo form keys its own.
            Controller::Argo => None,
        }
    }

    /// The name files and headings use: the CronOperation's (unique
    /// cluster-wide), else the CronJob's.
    pub fn name(&self) -> &str {
        self.crossplane.as_deref().or(self.kubernetes.as_deref()).unwrap_or_default()
    }
}

/// The scenario-wide settings only one controller reads, when they are
/// not the defaults.
fn one_sided_settings(sc: &Scenario) -> Vec<ConversionNote> {
    let c = &sc.controller;
    let mut out = Vec::new();
    let mut note = |message: &str| {
        out.push(ConversionNote { workload: SCENARIO_WIDE.into(), message: message.into() });
    };
    if c.settings != crate::policy::Settings::default() {
        note("controller.settings (Kubernetes version behaviour) apply to the Kubernetes side only");
    }
    if c.crossplane != crate::policy::crossplane::CrossplaneSettings::default() {
        note("controller.crossplane (proposed Crossplane fixes) apply to the Crossplane side only");
    }
    out
}

/// The `workload` of a note about the whole scenario.
pub const SCENARIO_WIDE: &str = "(scenario)";

/// Converted workloads the other controller's admission would reject (an
/// invalid schedule is fine for a CronOperation but not for a CronJob) are
/// left out of that form, with a note.
fn drop_rejected(
    k8s: &mut Scenario,
    xp: &mut Scenario,
    pairs: &mut [WorkloadPair],
    notes: &mut Vec<ConversionNote>,
) {
    let mut gone = (Vec::new(), Vec::new());
    for p in pairs.iter_mut() {
        let (form, other, list) = match p.original {
            Controller::Kubernetes => (&*xp, Controller::Crossplane, &mut gone.1),
            Controller::Crossplane => (&*k8s, Controller::Kubernetes, &mut gone.0),
            // Never an original here: both_forms refuses CronWorkflows.
            Controller::Argo => continue,
        };
        if let Err(e) = form.workload(p.index) {
            let workload = p.key(p.original).unwrap_or_default().to_string();
            let what = if other == Controller::Kubernetes { "CronJob" } else { "CronOperation" };
            notes.push(ConversionNote {
                workload,
                message: format!(
                    "{} would reject the converted {what}, so it has no {} run: {}",
                    other.label(),
                    other.label(),
                    e.message.lines().map(str::trim).collect::<Vec<_>>().join("; ")
                ),
            });
            list.push(p.index);
            match other {
                Controller::Kubernetes => p.kubernetes = None,
                Controller::Crossplane => p.crossplane = None,
                Controller::Argo => {}
            }
        }
    }
    remove_workloads(k8s, &gone.0);
    remove_workloads(xp, &gone.1);
}

/// Removes workloads by index, renumbering the manifest files that follow.
fn remove_workloads(sc: &mut Scenario, indices: &[usize]) {
    if indices.is_empty() {
        return;
    }
    let old = std::mem::take(&mut sc.workloads);
    let mut files = sc.source.as_mut().map(|s| std::mem::take(&mut s.files)).unwrap_or_default();
    let mut kept = std::collections::BTreeMap::new();
    for (i, mut w) in old.into_iter().enumerate() {
        if indices.contains(&i) {
            continue;
        }
        // An inline manifest is found by its index in the scenario text,
        // which no longer matches: it becomes a synthetic file too.
        let file = files.remove(&i).or_else(|| {
            let text = serde_json::to_string_pretty(w.manifest.as_ref()?).ok()?;
            w.manifest = None;
            w.path = Some(format!("workloads[{i}].manifest"));
            Some((format!("workloads[{i}].manifest"), text))
        });
        if let Some(f) = file {
            kept.insert(sc.workloads.len(), f);
        }
        sc.workloads.push(w);
    }
    if let Some(src) = sc.source.as_mut() {
        src.files = kept;
    }
}

/// A copy of `sc` with the schedules of some CronJobs replaced, by
/// workload index (the `--stagger` what-if): each such workload's manifest
/// becomes its CronJob (defaulted, as read) and Jobs with the new
/// schedule. A CronOperation index is left as it is.
pub fn with_schedules(
    sc: &Scenario,
    schedules: &std::collections::BTreeMap<usize, String>,
) -> Result<Scenario, ScenarioError> {
    let mut out = with_source(sc);
    for (&i, schedule) in schedules {
        let WorkloadSpec::CronJob(objs) = sc.workload(i)? else { continue };
        let mut cj = objs.cronjob.clone();
        cj.spec.schedule = schedule.as_str().into();
        let mut docs = vec![to_value(&cj)?];
        for j in &objs.jobs {
            docs.push(to_value(j)?);
        }
        put_manifest(&mut out, i, &format!("workloads[{i}].manifest (schedule {schedule:?})"), &docs)?;
    }
    Ok(out)
}

/// A copy of `sc` whose workloads all read from its [`Source`]: inline
/// manifests of a scenario built without one become synthetic files too.
pub(super) fn with_source(sc: &Scenario) -> Scenario {
    let mut out = sc.clone();
    if out.source.is_none() {
        let mut src = Source { file: "scenario".into(), ..Source::default() };
        for (i, w) in out.workloads.iter_mut().enumerate() {
            if let Some(v) = w.manifest.take() {
                let text = serde_json::to_string_pretty(&v).unwrap_or_default();
                src.files.insert(i, (format!("workloads[{i}].manifest"), text));
                w.path = Some(format!("workloads[{i}].manifest"));
            }
        }
        out.source = Some(src);
    }
    out
}

/// Replaces workload `i`'s manifest by `docs` (a multi-document stream).
pub(super) fn put_manifest(
    sc: &mut Scenario,
    i: usize,
    origin: &str,
    docs: &[Value],
) -> Result<(), ScenarioError> {
    let mut text = String::new();
    for d in docs {
        text.push_str("---\n");
        text.push_str(&serde_json::to_string_pretty(d).map_err(|e| err(origin, e))?);
        text.push('\n');
    }
    let src = sc.source.as_mut().ok_or_else(|| err(origin, "the scenario has no source"))?;
    src.files.insert(i, (origin.to_string(), text));
    let w = sc.workloads.get_mut(i).ok_or_else(|| err(origin, "no such workload"))?;
    w.manifest = None;
    w.objects = None;
    w.path = Some(origin.to_string());
    Ok(())
}

pub(super) fn to_value<T: Serialize>(v: &T) -> Result<Value, ScenarioError> {
    serde_json::to_value(v).map_err(|e| err("conversion", e))
}

/// `name` if free, else `name-<namespace>`, then `name-2`, `name-3` … ;
/// the chosen name is taken. `true` when it had to be changed.
fn free_name(name: &str, namespace: Option<&str>, taken: &mut BTreeSet<String>) -> (String, bool) {
    let full = |n: &str| match namespace {
        Some(_) => n.to_string(),
        None => format!("{CONVERTED_NAMESPACE}/{n}"),
    };
    let mut candidates = vec![name.to_string()];
    if let Some(ns) = namespace.filter(|ns| !ns.is_empty() && *ns != CONVERTED_NAMESPACE) {
        candidates.push(format!("{name}-{ns}"));
    }
    candidates.extend((2..).take(1000).map(|n| format!("{name}-{n}")));
    for (k, c) in candidates.iter().enumerate() {
        if taken.insert(full(c)) {
            return (c.clone(), k > 0);
        }
    }
    (name.to_string(), false)
}

/// A CronJob's changes in CronOperation terms: suspend/resume become
/// pause/unpause, and schedule and timeZone edits become schedule edits
/// carrying the zone prefix. Processed in time order.
fn changes_to_crossplane(
    changes: &[Change],
    schedule: &str,
    zone: Option<String>,
) -> Result<(Vec<Change>, Vec<String>), ScenarioError> {
    let (mut schedule, mut zone) = (schedule.to_string(), zone);
    let mut out = Vec::new();
    let mut notes = Vec::new();
    for c in in_time_order(changes) {
        let at = c.at;
        let converted = match c.edit().map_err(|e| err("changes", e))? {
            SpecEdit::Suspend(true) => Change { at, pause: true, ..Change::default() },
            SpecEdit::Suspend(false) => {
                notes.push(format!(
                    "resume at {at} became unpause: an annotation-only change, which the CronOperation controller may not notice (bug B3)"
                ));
                Change { at, unpause: true, ..Change::default() }
            }
            SpecEdit::Schedule(s) => {
                schedule = s;
                Change {
                    at,
                    schedule: Some(schedule_with_zone(&schedule, zone.as_deref())),
                    ..Change::default()
                }
            }
            SpecEdit::TimeZone(z) => {
                zone = z;
                notes.push(format!("timeZone edit at {at} became a schedule edit (zone prefix)"));
                Change {
                    at,
                    schedule: Some(schedule_with_zone(&schedule, zone.as_deref())),
                    ..Change::default()
                }
            }
            SpecEdit::ConcurrencyPolicy(_)
            | SpecEdit::StartingDeadlineSeconds(_)
            | SpecEdit::Delete
            | SpecEdit::Paused(_) => c.clone(),
        };
        out.push(converted);
    }
    Ok((out, notes))
}

/// A CronOperation's changes in CronJob terms: pause/unpause become
/// suspend/resume, and a schedule edit whose zone prefix changes also edits
/// `spec.timeZone`.
fn changes_to_kubernetes(changes: &[Change], schedule: &str) -> Result<Vec<Change>, ScenarioError> {
    let mut zone = split_zone(schedule).0;
    let mut out = Vec::new();
    for c in in_time_order(changes) {
        let at = c.at;
        match c.xp_edit().map_err(|e| err("changes", e))? {
            SpecEdit::Paused(true) => out.push(Change { at, suspend: true, ..Change::default() }),
            SpecEdit::Paused(false) => out.push(Change { at, resume: true, ..Change::default() }),
            SpecEdit::Schedule(s) => {
                let (z, rest) = split_zone(&s);
                if z != zone {
                    zone = z;
                    // `""` removes spec.timeZone.
                    out.push(Change {
                        at,
                        time_zone: Some(zone.clone().unwrap_or_default()),
                        ..Change::default()
                    });
                }
                out.push(Change { at, schedule: Some(rest), ..Change::default() });
            }
            SpecEdit::ConcurrencyPolicy(_)
            | SpecEdit::StartingDeadlineSeconds(_)
            | SpecEdit::Delete
            | SpecEdit::Suspend(_)
            | SpecEdit::TimeZone(_) => out.push(c.clone()),
        }
    }
    Ok(out)
}

/// Changes sorted by time, ties in scenario order.
fn in_time_order(changes: &[Change]) -> Vec<&Change> {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by_key(|c| c.at);
    sorted
}

/// What of a behaviour one controller ignores or cuts short.
fn behaviour_notes(b: &Behaviour) -> Vec<String> {
    let mut out = Vec::new();
    if b.start_latency != Behaviour::default().start_latency {
        out.push("behaviour.startLatency applies to pods only: Operations ignore it".into());
    }
    if b.exit_code != Behaviour::default().exit_code {
        out.push(
            "behaviour.exitCode applies to pods only: a failed Operation attempt has no exit code".into(),
        );
    }
    let scripted =
        b.script.iter().chain(b.runs.values().flatten()).filter_map(|o| o.duration).map(|d| d.millis());
    let longest = scripted.chain(upper_bound(&b.duration)).max().unwrap_or(0);
    if longest >= ATTEMPT_TIMEOUT {
        out.push(format!(
            "warning: an attempt can run {} but a Crossplane attempt times out after {}: it fails, and its status write (same expired context) fails too, so the failure is never counted and the Operation retries for ever; Kubernetes pods run to the end",
            format_duration(longest),
            format_duration(ATTEMPT_TIMEOUT)
        ));
    }
    out
}

/// The longest span a timing draws in practice: its maximum, or its 99th
/// percentile when unbounded, times the slow factor.
fn upper_bound(t: &Timing) -> Option<Millis> {
    let base = match &t.distribution {
        Distribution::Fixed(d) => d.millis(),
        Distribution::Uniform { max, .. } => max.millis(),
        Distribution::Normal { mean, stddev } => {
            mean.millis().saturating_add((stddev.millis() as f64 * Z99) as Millis)
        }
        Distribution::LogNormal { p99, .. } => p99.millis(),
        Distribution::List(v) | Distribution::Cycle(v) => v.iter().map(|d| d.millis()).max()?,
    };
    let factor = t.slow.as_ref().filter(|s| s.probability.get() > 0.0).map_or(1.0, |s| s.factor);
    Some((base as f64 * factor) as Millis)
}
