//! A workload's objects: read with the model layer's manifest reader (kind
//! dispatch, located errors, did-you-mean warnings), then defaulted and
//! validated as the API server would on create.
//!
//! Inline manifests are read from the scenario's own text, so their errors
//! point at the scenario file's lines and columns: every line outside the
//! manifest is blanked, which leaves positions unchanged (YAML allows the
//! root node at any indentation).

use super::{Scenario, ScenarioError, err, located, located_all};
use crate::model::argo::{CronWorkflow, validate_cronworkflow};
use crate::model::manifest::{Located, Manifests};
use crate::model::validation::admit;
use crate::model::yaml::{Node, Position, Value, YamlError};
use crate::model::{CronJob, Job};
use crate::policy::argo::{parse_stop, parse_when};
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
    /// The files read from disk, as opened: the scenario file, then each
    /// `path:` manifest in workload order. Empty for a scenario read from
    /// text.
    pub read: Vec<std::path::PathBuf>,
    /// The text's YAML documents with positions, parsed once: every inline
    /// manifest is located in them (re-parsing per workload made a
    /// thousand-workload scenario quadratic).
    pub docs: Vec<Node>,
    /// Byte offsets where the text's lines start (line n at n - 1), so that
    /// cutting one workload's manifest out does not rescan the text before
    /// it; empty means not computed.
    pub line_starts: Vec<usize>,
}

/// The byte offsets where `text`'s lines start.
pub(super) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// A workload's objects, defaulted and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadObjects {
    /// The CronJob, defaulted and validated.
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

    /// Reads workload `i`'s manifest, whatever kinds it holds, as written
    /// (no API defaults), each object located in its file: an inline
    /// manifest at its lines in the scenario file when the scenario was
    /// read from one.
    pub fn read_manifests(&self, i: usize) -> Result<Manifests, ScenarioError> {
        let what = format!("workloads[{i}]");
        let w = self.workloads.get(i).ok_or_else(|| err(&what, "no such workload"))?;
        if let Some(objects) = &w.objects {
            return Result::clone(objects);
        }
        let mut m = match (&w.manifest, &self.source) {
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
        let unknown = m.validate_fields(self.validate);
        if !unknown.is_empty() {
            return Err(located_all(unknown));
        }
        self.render_application(i, &mut m)?;
        Ok(m)
    }

    /// A CronJob workload's objects from its manifests.
    pub(super) fn cronjob_objects(
        &self,
        i: usize,
        mut m: Manifests,
    ) -> Result<WorkloadObjects, ScenarioError> {
        let errors = admit(&mut m);
        if !errors.is_empty() {
            return Err(located_all(errors));
        }
        let mut warnings: Vec<String> = m.warnings.iter().map(|w| w.to_string()).collect();
        // One line for all of a dump's pods, not one each.
        if let Some(p) = m.pods.first() {
            let more = match m.pods.len() {
                1 => String::new(),
                n => format!(" and {} more", n - 1),
            };
            warnings.push(format!(
                "{}:{}: Pod {}{more} ignored: the Job controller creates pods anew",
                p.file, p.pos, p.metadata.name
            ));
        }
        let mut cronjobs = m.cronjobs.into_iter();
        let Some(cronjob) = cronjobs.next() else { return Err(self.no_cronjob(i, &warnings)) };
        self.check_container_names(i, &cronjob.value)?;
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

impl Scenario {
    /// Every container workload `i`'s behaviour names (`container`, and a
    /// script outcome's) is one of the CronJob's pod template: a located
    /// error at the first that is not.
    fn check_container_names(&self, i: usize, cronjob: &CronJob) -> Result<(), ScenarioError> {
        let Some(w) = self.workloads.get(i) else { return Ok(()) };
        let b = &w.behaviour;
        let pod = &cronjob.spec.job_template.spec.template.spec;
        let known = |n: &str| pod.containers.iter().chain(&pod.init_containers).any(|c| c.name == n);
        let base = format!("workloads[{i}].behaviour");
        let mut named: Vec<(String, &str)> =
            b.container.iter().map(|c| (format!("{base}.container"), c.as_str())).collect();
        for (j, o) in b.script.iter().enumerate() {
            named.extend(o.container.as_deref().map(|c| (format!("{base}.script[{j}]"), c)));
        }
        for (run, outcomes) in &b.runs {
            for (j, o) in outcomes.iter().enumerate() {
                named.extend(o.container.as_deref().map(|c| (format!("{base}.runs.{run}[{j}]"), c)));
            }
        }
        let Some((field, name)) = named.into_iter().find(|(_, n)| !known(n)) else { return Ok(()) };
        let names: Vec<&str> =
            pod.containers.iter().chain(&pod.init_containers).map(|c| c.name.as_str()).collect();
        let message = format!("{field}: the Job template has no container named {name:?}");
        let hint = format!("its containers (regular, then init) are: {}", names.join(", "));
        let Some(src) = &self.source else { return Err(err(&field, format!("{message}; {hint}"))) };
        let pos = src.docs.first().map(|d| d.position_of(&field)).unwrap_or_default();
        Err(located(YamlError::at(&src.file, pos, message).with_hint(hint)))
    }

    /// A workload without a CronJob, located at its `manifest:` key (or the
    /// top of its `path:` file), followed by the objects that were skipped.
    fn no_cronjob(&self, i: usize, skipped: &[String]) -> ScenarioError {
        let what = format!("workloads[{i}]");
        let Some(src) = &self.source else { return err(&what, "no CronJob in the manifest") };
        let (file, pos) = match src.files.get(&i) {
            Some((file, _)) => (file.as_str(), Position { line: 1, column: 1 }),
            None => {
                let pos = src.docs.first().map(|d| d.position_of(&format!("{what}.manifest")));
                (src.file.as_str(), pos.unwrap_or_default())
            }
        };
        let e = YamlError::at(file, pos, format!("{what}: no CronJob in the manifest")).with_hint(
            "a workload simulates one batch/v1 CronJob (with any Jobs it owns), a KubeVela Application or a \
             Crossplane CronOperation (with its Operations); \
             objects of other kinds are skipped",
        );
        let mut lines = vec![e.to_string()];
        lines.extend(skipped.iter().cloned());
        ScenarioError { message: lines.join("\n") }
    }
}

/// What cronwarp's expression subset holds (docs/fidelity/argo.md#argo-7).
const EXPR_HINT: &str = "cronwarp evaluates a subset of expr-lang: cronworkflow.name, .namespace, .failed, \
     .succeeded, .lastScheduledTime, now(), arithmetic, comparisons, && || !, and .Seconds()/.Minutes()/.Hours() \
     of a duration";

/// What is wrong with a CronWorkflow in a workload: Argo's validation
/// error (docs/fidelity/argo.md#argo-2), or a `when` or stop expression
/// outside cronwarp's subset; `None` when it can be simulated.
pub(super) fn cronworkflow_problem(cw: &Located<CronWorkflow>) -> Option<YamlError> {
    if let Some(bad) = validate_cronworkflow(cw) {
        return Some(cw.error_at(&bad.field, bad.message).with_hint(
            "Argo's controller would set a SpecError condition and never schedule it; `argo cron lint` refuses it",
        ));
    }
    if !cw.spec.when.is_empty()
        && let Err(e) = parse_when(&cw.spec.when)
    {
        return Some(cw.error_at("spec.when", format!("spec.when: {e}")).with_hint(EXPR_HINT));
    }
    let stop = cw.spec.stop_strategy.as_ref().map(|s| s.expression.as_str());
    if let Some(Err(e)) = stop.map(parse_stop) {
        return Some(
            cw.error_at("spec.stopStrategy.expression", format!("spec.stopStrategy.expression: {e}"))
                .with_hint(EXPR_HINT),
        );
    }
    None
}

/// Reads workload `i`'s inline manifest from the scenario text: one
/// object or `List`, or a YAML sequence of them (read item by item, since
/// a bare sequence is not a Kubernetes document).
fn read_inline(src: &Source, i: usize) -> Result<Manifests, ScenarioError> {
    let mut all = Manifests::default();
    for text in inline_texts(src, i)? {
        let m = Manifests::read(&text, &src.file).map_err(located_all)?;
        all.merge(m).map_err(located_all)?;
    }
    Ok(all)
}

/// Workload `i`'s inline manifest as texts a manifest reader takes: one for
/// a single object or `List`, one per item of a YAML sequence, each with
/// every other line blanked so positions stay the scenario file's.
pub(super) fn inline_texts(src: &Source, i: usize) -> Result<Vec<String>, ScenarioError> {
    let workload = src.docs.first().and_then(|d| d.find(&format!("workloads[{i}]")));
    let Some((key, value)) = workload.and_then(|w| w.entry("manifest")) else {
        return Err(err(&src.file, format!("workloads[{i}]: no manifest")));
    };
    let key_col = key.pos.column as usize;
    let Value::Seq(items) = &value.value else {
        return Ok(vec![blank_except(src, value.pos, None, key_col)]);
    };
    let texts = items.iter().enumerate().map(|(j, item)| {
        let until = items.get(j + 1).map(|n| n.pos.line as usize);
        blank_except(src, item.pos, until, key_col)
    });
    Ok(texts.collect())
}

/// `text` with every line outside one node blanked: the node starts at
/// `from` and runs over the following lines indented past `key_col`
/// (1-based), stopping at line `until` if given. Positions stay those of
/// the original text.
fn blank_except(src: &Source, from: Position, until: Option<usize>, key_col: usize) -> String {
    let text = src.text.as_str();
    let first = from.line as usize;
    let mut out = String::with_capacity(text.len());
    // Lines before the node only count: jump over them by their newlines
    // (a byte scan), so a scenario with many workloads stays linear.
    let skip_to = first.checked_sub(1).filter(|_| until.is_none_or(|u| u >= first));
    let start = skip_to.and_then(|n| {
        if src.line_starts.is_empty() {
            line_starts(text).get(n).copied()
        } else {
            src.line_starts.get(n).copied()
        }
    });
    let (skipped, rest) = match (skip_to, start) {
        (Some(n), Some(at)) => (n, text.get(at..).unwrap_or("")),
        _ => (0, text),
    };
    out.extend(std::iter::repeat_n('\n', skipped));
    for (n, line) in rest.lines().enumerate() {
        let n = n + 1 + skipped;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str, indexed: bool) -> Source {
        let line_starts = if indexed { line_starts(text) } else { Vec::new() };
        Source { text: text.into(), line_starts, ..Source::default() }
    }

    #[test]
    fn line_starts_are_the_offsets_after_each_newline() {
        assert_eq!(line_starts("a\nbb\r\n\nc"), vec![0, 2, 6, 7]);
    }

    #[test]
    fn blanking_keeps_line_numbers_with_or_without_the_line_index() {
        let text = "workloads:\n  - manifest:\n      a: 1\n      b: 2\n  - manifest:\n      c: 3\n";
        let from = Position { line: 3, column: 7 };
        let indexed = blank_except(&source(text, true), from, Some(5), 5);
        assert_eq!(indexed, "\n\n      a: 1\n      b: 2\n");
        assert_eq!(blank_except(&source(text, false), from, Some(5), 5), indexed);
    }
}
