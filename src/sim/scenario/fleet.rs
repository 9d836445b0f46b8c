//! A manifest holding many CronJobs (a `kubectl get cronjobs,jobs -A -o
//! yaml` dump, a `helm template` or `kustomize build` output) becomes one
//! workload per CronJob, each with the Jobs it owns, sharing the behaviour
//! and changes of the workload that named the file.
//!
//! Jobs go with the CronJob their controller ownerReference names, and a Job
//! without one with the CronJob whose name its own extends by `-<digits>`
//! (the controller's `<cronjob>-<scheduled minutes>` naming, from
//! `getJobFromTemplate2` in kubernetes `pkg/controller/cronjob/utils.go`),
//! so a hand-trimmed dump still attaches. Which Jobs the controller then
//! treats as its own is its decision, made in the simulation exactly as
//! upstream makes it (by controller reference).
//!
//! Every readable workload's objects are read here, once, and kept with the
//! workload: later reads (and indices shifted by a split) do not re-parse.

use super::{Scenario, ScenarioError, located};
use crate::model::crossplane::LABEL_CRONOPERATION_NAME;
use crate::model::manifest::{Located, Manifests};
use crate::model::select::Identity;
use crate::model::yaml::{Position, YamlError};
use crate::model::{ObjectMeta, Select};
use std::collections::BTreeMap;
use std::sync::Arc;

/// (kind, namespace, name) of a simulated object.
type ObjectKey = (&'static str, String, String);

impl Scenario {
    /// Reads every workload whose manifest is at hand and splits the ones
    /// holding several CronJobs or CronOperations (or with a `select:`).
    /// An object selected by two workloads is an error naming both.
    pub(super) fn split_fleets(&mut self) -> Result<(), ScenarioError> {
        let mut out = Vec::with_capacity(self.workloads.len());
        let mut taken: BTreeMap<ObjectKey, (usize, Place)> = BTreeMap::new();
        for i in 0..self.workloads.len() {
            let w = &self.workloads[i];
            let readable = w.objects.is_some()
                || w.manifest.is_some()
                || self.source.as_ref().is_some_and(|s| s.files.contains_key(&i));
            if !readable {
                out.push(w.clone());
                continue;
            }
            // A manifest that does not read is kept with its error, which
            // comes when the workload is used, as it would unsplit.
            let groups = match self.read_manifests(i) {
                Ok(m) => self.split(i, m)?,
                Err(e) => {
                    let mut piece = w.clone();
                    piece.objects = Some(Arc::new(Err(e)));
                    out.push(piece);
                    continue;
                }
            };
            for group in groups {
                for (key, at) in simulated(&group) {
                    if let Some((first, first_at)) = taken.insert(key.clone(), (i, at.clone())) {
                        return Err(located(self.selected_twice(i, (first, &first_at), &key, at)));
                    }
                }
                let mut piece = self.workloads[i].clone();
                piece.objects = Some(Arc::new(Ok(group)));
                out.push(piece);
            }
        }
        self.workloads = out;
        Ok(())
    }

    /// Workload `i`'s objects, one group per simulated object.
    fn split(&self, i: usize, m: Manifests) -> Result<Vec<Manifests>, ScenarioError> {
        let select = self.workloads[i].select.as_ref();
        let total = m.cronjobs.len() + m.cronoperations.len();
        if select.is_none() && total <= 1 {
            return Ok(vec![m]);
        }
        let all = Select::default();
        let sel = select.unwrap_or(&all);
        let chosen_cj: Vec<usize> =
            (0..m.cronjobs.len()).filter(|&k| sel.matches(Identity::of(&m.cronjobs[k].metadata))).collect();
        let chosen_co: Vec<usize> = (0..m.cronoperations.len())
            .filter(|&k| sel.matches(Identity::of(&m.cronoperations[k].metadata)))
            .collect();
        if chosen_cj.is_empty() && chosen_co.is_empty() {
            if total == 0 {
                // No scheduled object at all: the usual "no CronJob" error,
                // with what was skipped, comes when the workload is read.
                return Ok(vec![m]);
            }
            return Err(located(self.matches_nothing(i, sel, &m)));
        }
        // Which CronJob each Job belongs to, by index into m.cronjobs.
        let cj_index: BTreeMap<(&str, &str), usize> = m
            .cronjobs
            .iter()
            .enumerate()
            .map(|(k, c)| ((c.metadata.namespace.as_str(), c.metadata.name.as_str()), k))
            .collect();
        let co_index: BTreeMap<&str, usize> =
            m.cronoperations.iter().enumerate().map(|(k, c)| (c.metadata.name.as_str(), k)).collect();
        let mut groups: Vec<Manifests> = Vec::with_capacity(chosen_cj.len() + chosen_co.len());
        let mut slot_cj = vec![None; m.cronjobs.len()];
        let mut slot_co = vec![None; m.cronoperations.len()];
        for &k in &chosen_cj {
            slot_cj[k] = Some(groups.len());
            groups.push(Manifests { cronjobs: vec![m.cronjobs[k].clone()], ..Manifests::default() });
        }
        for &k in &chosen_co {
            slot_co[k] = Some(groups.len());
            groups.push(Manifests {
                cronoperations: vec![m.cronoperations[k].clone()],
                ..Manifests::default()
            });
        }
        let mut orphans = Vec::new();
        for job in &m.jobs {
            let owner = owner_name(&job.metadata, "CronJob", None)
                .and_then(|n| cj_index.get(&(job.metadata.namespace.as_str(), n)));
            match owner {
                Some(&k) => {
                    if let Some(g) = slot_cj[k] {
                        groups[g].jobs.push(job.clone());
                    }
                }
                None => orphans.push(format!("Job {}/{}", job.metadata.namespace, job.metadata.name)),
            }
        }
        for op in &m.operations {
            let owner = owner_name(&op.metadata, "CronOperation", Some(LABEL_CRONOPERATION_NAME))
                .and_then(|n| co_index.get(n));
            match owner {
                Some(&k) => {
                    if let Some(g) = slot_co[k] {
                        groups[g].operations.push(op.clone());
                    }
                }
                None => orphans.push(format!("Operation {}", op.metadata.name)),
            }
        }
        // What concerns the file rather than one object is said once.
        let first = &mut groups[0];
        first.warnings = m.warnings;
        first.pods = m.pods;
        if !orphans.is_empty() {
            first.warnings.push(orphan_warning(&m.jobs, &m.operations, &orphans));
        }
        Ok(groups)
    }

    /// `select:` of workload `i` took none of the file's objects.
    fn matches_nothing(&self, i: usize, sel: &Select, m: &Manifests) -> YamlError {
        let names: Vec<String> = m
            .cronjobs
            .iter()
            .map(|c| format!("{}/{}", c.metadata.namespace, c.metadata.name))
            .chain(m.cronoperations.iter().map(|c| c.metadata.name.to_string()))
            .collect();
        let shown = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
        let more = if names.len() > 8 { format!(" and {} more", names.len() - 8) } else { String::new() };
        self.field_error(
            &format!("workloads[{i}].select"),
            &format!("selects nothing ({}): the manifest holds {shown}{more}", sel.describe()),
        )
        .with_hint("a name is a glob (`backup-*`), a namespace is exact, labels must all match")
    }

    /// Workload `i` selects an object workload `first` already simulates;
    /// `at` and `first_at` are where each copy is (the object's mapping).
    /// Without a scenario file (`cronwarp run a.yaml b.yaml`) the second
    /// copy is the place to point at, not a workload number.
    fn selected_twice(&self, i: usize, first: (usize, &Place), key: &ObjectKey, at: Place) -> YamlError {
        let (kind, ns, name) = key;
        let what = if ns.is_empty() { format!("{kind} {name}") } else { format!("{kind} {ns}/{name}") };
        if self.source.as_ref().is_none_or(|s| s.docs.is_empty()) {
            let (file, pos) = first.1;
            let message = format!(
                "{what} is also at {file}:{}:{}: a cluster holds one {kind} per namespace and name",
                pos.line, pos.column
            );
            return YamlError::at(&at.0, at.1, message).with_hint("remove one of the two copies");
        }
        let field = if self.workloads[i].select.is_some() { "select" } else { "path" };
        let field = if self.workloads[i].manifest.is_some() { "manifest" } else { field };
        self.field_error(
            &format!("workloads[{i}].{field}"),
            &format!("{what} is already simulated by workloads[{}]", first.0),
        )
        .with_hint(
            "one object is simulated by one workload: narrow this workload's `select:` (or the other's) \
             so that each object is chosen once",
        )
    }
}

/// A file and a position in it.
type Place = (String, Position);

/// The objects a group simulates, each with where its mapping starts.
fn simulated(m: &Manifests) -> impl Iterator<Item = (ObjectKey, Place)> + '_ {
    let cjs = m.cronjobs.iter().map(|c| {
        (("CronJob", c.metadata.namespace.to_string(), c.metadata.name.to_string()), (c.file.clone(), c.pos))
    });
    let cos = m
        .cronoperations
        .iter()
        .map(|c| (("CronOperation", String::new(), c.metadata.name.to_string()), (c.file.clone(), c.pos)));
    cjs.chain(cos)
}

/// The name of the `kind` that owns an object: its controller reference,
/// else the `label` naming it, else its own name less a `-<digits>`
/// suffix (which the caller checks against the objects it has).
fn owner_name<'a>(meta: &'a ObjectMeta, kind: &str, label: Option<&str>) -> Option<&'a str> {
    if let Some(r) = meta.controller_ref().filter(|r| r.kind == kind) {
        return Some(r.name.as_str());
    }
    if let Some(v) = label.and_then(|l| meta.labels.get(l)) {
        return Some(v.as_str());
    }
    let (base, digits) = meta.name.rsplit_once('-')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(base)
}

/// One line for the Jobs and Operations no CronJob or CronOperation of the
/// file owns, located at the first of them.
fn orphan_warning<A, B>(jobs: &[Located<A>], ops: &[Located<B>], orphans: &[String]) -> YamlError {
    let (file, pos) = jobs
        .first()
        .map(|j| (j.file.clone(), j.pos))
        .or_else(|| ops.first().map(|o| (o.file.clone(), o.pos)))
        .unwrap_or_default();
    let shown = orphans.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
    let more = if orphans.len() > 5 { format!(" and {} more", orphans.len() - 5) } else { String::new() };
    YamlError::at(
        &file,
        pos,
        format!("{} skipped: no CronJob or CronOperation in the file owns them ({shown}{more})", orphans.len()),
    )
    .with_hint("a Job belongs to the CronJob its controller ownerReference names, or whose name it extends by -<digits>")
}
