//! A workload's objects: read with the model layer's manifest reader (kind
//! dispatch, located errors, did-you-mean warnings), then defaulted and
//! validated as the API server would on create.
//!
//! Inline manifests are read from the scenario's own text, so their errors
//! point at the scenario file's lines and columns: every line outside the
//! manifest is blanked, which leaves positions unchanged (YAML allows the
//! root node at any indentation).

use super::{Scenario, ScenarioError, err, located, located_all};
use crate::model::manifest::Manifests;
use crate::model::validation::admit;
use crate::model::yaml::{Node, Position, Value};
use crate::model::{CronJob, Job};
use std::collections::BTreeMap;

/// Where a scenario came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Source {
    /// The scenario file's name, as errors print it.
    pub file: String,
    /// Its text.
    pub text: String,
    /// `path:` manifests by workload index: (file name, text).
    pub files: BTreeMap<usize, (String, String)>,
    /// The text's YAML documents with positions, parsed once: every inline
    /// manifest is located in them (re-parsing per workload made a
    /// thousand-workload scenario quadratic).
    pub docs: Vec<Node>,
}

/// A workload's objects, defaulted and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadObjects {
    pub cronjob: CronJob,
    /// Jobs in the manifest (existing runs), in manifest order.
    pub jobs: Vec<Job>,
    /// Skipped objects and suspicious fields (reading still succeeded).
    pub warnings: Vec<String>,
}

impl Scenario {
    /// Reads workload `i`'s manifest: its one CronJob and any Jobs, with
    /// API defaults applied. Errors are located (`file:line:col`); Pods and
    /// other kinds are skipped with a warning, since the Job controller
    /// creates pods anew.
    pub fn workload_objects(&self, i: usize) -> Result<WorkloadObjects, ScenarioError> {
        let m = self.read_manifests(i)?;
        self.cronjob_objects(i, m)
    }

    /// Reads workload `i`'s manifest, whatever kinds it holds.
    pub(super) fn read_manifests(&self, i: usize) -> Result<Manifests, ScenarioError> {
        let what = format!("workloads[{i}]");
        let w = self.workloads.get(i).ok_or_else(|| err(&what, "no such workload"))?;
        let m = match (&w.manifest, &self.source) {
            (_, Some(src)) if src.files.contains_key(&i) => {
                let (file, text) = &src.files[&i];
                Manifests::read(text, file).map_err(located_all)?
            }
            (Some(_), Some(src)) => read_inline(src, i)?,
            (Some(v), None) => {
                let text = serde_json::to_string_pretty(v).map_err(|e| err(&what, e))?;
                Manifests::read(&text, &format!("{what}.manifest")).map_err(located_all)?
            }
            (None, _) => {
                return Err(err(&what, "the manifest file was not read (load the scenario from its file)"));
            }
        };
        Ok(m)
    }

    /// A CronJob workload's objects from its manifests.
    pub(super) fn cronjob_objects(
        &self,
        i: usize,
        mut m: Manifests,
    ) -> Result<WorkloadObjects, ScenarioError> {
        let what = format!("workloads[{i}]");
        let errors = admit(&mut m);
        if !errors.is_empty() {
            return Err(located_all(errors));
        }
        let mut warnings: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
        for p in &m.pods {
            warnings.push(format!(
                "{}:{}: Pod {} ignored: the Job controller creates pods anew",
                p.file, p.pos, p.metadata.name
            ));
        }
        let mut cronjobs = m.cronjobs.into_iter();
        let cronjob = cronjobs.next().ok_or_else(|| err(&what, "no CronJob in the manifest"))?;
        if let Some(extra) = cronjobs.next() {
            return Err(located(
                extra.error_at("metadata.name", "a workload holds one CronJob; give each its own workload"),
            ));
        }
        Ok(WorkloadObjects {
            cronjob: cronjob.value,
            jobs: m.jobs.into_iter().map(|j| j.value).collect(),
            warnings,
        })
    }
}

/// Reads workload `i`'s inline manifest from the scenario text: one
/// object or `List`, or a YAML sequence of them (read item by item, since
/// a bare sequence is not a Kubernetes document).
fn read_inline(src: &Source, i: usize) -> Result<Manifests, ScenarioError> {
    let workload = src.docs.first().and_then(|d| d.find(&format!("workloads[{i}]")));
    let Some((key, value)) = workload.and_then(|w| w.entry("manifest")) else {
        return Err(err(&src.file, format!("workloads[{i}]: no manifest")));
    };
    let key_col = key.pos.column as usize;
    let Value::Seq(items) = &value.value else {
        let text = blank_except(&src.text, value.pos, None, key_col);
        return Manifests::read(&text, &src.file).map_err(located_all);
    };
    let mut all = Manifests::default();
    for (j, item) in items.iter().enumerate() {
        let until = items.get(j + 1).map(|n| n.pos.line as usize);
        let text = blank_except(&src.text, item.pos, until, key_col);
        let m = Manifests::read(&text, &src.file).map_err(located_all)?;
        all.merge(m).map_err(located_all)?;
    }
    Ok(all)
}

/// `text` with every line outside one node blanked: the node starts at
/// `from` and runs over the following lines indented past `key_col`
/// (1-based), stopping at line `until` if given. Positions stay those of
/// the original text.
fn blank_except(text: &str, from: Position, until: Option<usize>, key_col: usize) -> String {
    let first = from.line as usize;
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        if until.is_some_and(|u| n >= u) {
            break;
        }
        if n < first {
            // Only the line count matters before the node.
            out.push('\n');
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let blank_or_comment = line.trim().is_empty() || line.trim_start().starts_with('#');
        if n == first {
            let from_col = (from.column as usize).saturating_sub(1).min(line.len());
            out.push_str(&" ".repeat(from_col));
            out.push_str(line.get(from_col..).unwrap_or(""));
        } else if n > first && (blank_or_comment || indent + 1 > key_col) {
            out.push_str(line);
        } else if n > first {
            break;
        }
        out.push('\n');
    }
    out
}
