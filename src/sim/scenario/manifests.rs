//! A workload's objects: read with the model layer's manifest reader (kind
//! dispatch, located errors, did-you-mean warnings), then defaulted and
//! validated as the API server would on create.
//!
//! Inline manifests are read from their subtrees of the scenario's own
//! located tree, so their errors point at the scenario file's lines and
//! columns, and a scenario's text is parsed once however many workloads it
//! holds.

use super::{Scenario, ScenarioError, err, located, located_all};
use crate::model::argo::{CronWorkflow, validate_cronworkflow};
use crate::model::manifest::{Located, Manifests};
use crate::model::validation::admit;
use crate::model::yaml::{Node, Position, Value, YamlError, parse_documents};
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
    /// The text's YAML documents with positions, parsed once: the
    /// scenario is read from them, every diagnostic about a scenario field
    /// is positioned in them, and every inline manifest's objects are read
    /// from its subtree.
    pub docs: Vec<Node>,
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
        // A manifest text of its own is parsed here, once, for both the
        // object reader and the Application renderer.
        let parsed: Vec<Node>;
        let json_name: String;
        let (file, groups): (&str, Vec<&[Node]>) = match (&w.manifest, &self.source) {
            (_, Some(src)) if src.files.contains_key(&i) => {
                let (file, text) = &src.files[&i];
                parsed = parse_documents(text, file).map_err(located)?;
                (file, vec![parsed.as_slice()])
            }
            (Some(_), Some(src)) => (&src.file, inline_documents(src, i)?),
            (Some(v), None) => {
                let text = serde_json::to_string_pretty(v).map_err(|e| err(&what, e))?;
                json_name = format!("{what}.manifest");
                parsed = parse_documents(&text, &json_name).map_err(located)?;
                (&json_name, vec![parsed.as_slice()])
            }
            (None, _) => {
                return Err(err(&what, "the manifest file was not read (load the scenario from its file)"));
            }
        };
        let mut m = Manifests::default();
        for docs in &groups {
            let read = Manifests::read_documents(docs, file).map_err(located_all)?;
            m.merge(read).map_err(located_all)?;
        }
        let unknown = m.validate_fields(self.validate);
        if !unknown.is_empty() {
            return Err(located_all(unknown));
        }
        self.render_application(i, &mut m, file, &groups)?;
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

/// Workload `i`'s inline manifest as its subtrees of the scenario's tree
/// (positions are the scenario file's), grouped as they are read: one
/// group for a single object or `List`, one per item of a YAML sequence
/// (each item read on its own, since a bare sequence is not a Kubernetes
/// document).
pub(super) fn inline_documents(src: &Source, i: usize) -> Result<Vec<&[Node]>, ScenarioError> {
    let workload = src.docs.first().and_then(|d| d.find(&format!("workloads[{i}]")));
    let Some(value) = workload.and_then(|w| w.get("manifest")) else {
        return Err(err(&src.file, format!("workloads[{i}]: no manifest")));
    };
    Ok(match &value.value {
        Value::Seq(items) => items.iter().map(std::slice::from_ref).collect(),
        _ => vec![std::slice::from_ref(value)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml::PARSES;

    /// Two single-object manifests and a sequence of two.
    const SCENARIO: &str = r#"horizon: {start: "2025-01-01T00:00:00Z", end: "2025-01-02T00:00:00Z"}
workloads:
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: a}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: b}
      spec: {schedule: "*/5 * * * *", jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}
  - manifest:
      - apiVersion: batch/v1
        kind: CronJob
        metadata: {name: c}
        spec: {schedule: "@hourly", jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}
      - apiVersion: batch/v1
        kind: CronJob
        metadata: {name: d}
        spec: {schedule: "@daily", jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}
"#;

    #[test]
    fn a_scenario_with_inline_manifests_is_parsed_once() {
        let before = PARSES.with(|n| n.get());
        let sc = Scenario::from_yaml(SCENARIO, "s.yaml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(PARSES.with(|n| n.get()) - before, 1);
        let read: Vec<(String, Position)> = (0..sc.workloads.len())
            .map(|i| {
                let m = sc.read_manifests(i).unwrap_or_else(|e| panic!("{e}"));
                let cj = &m.cronjobs[0];
                (cj.metadata.name.to_string(), cj.pos)
            })
            .collect();
        // Each object is located at its own lines of the scenario file.
        let at = |line, column| Position { line, column };
        let expected = [("a", at(4, 7)), ("b", at(9, 7)), ("c", at(14, 9)), ("d", at(18, 9))];
        let expected: Vec<(String, Position)> = expected.iter().map(|(n, p)| (n.to_string(), *p)).collect();
        assert_eq!(read, expected);
        assert_eq!(PARSES.with(|n| n.get()) - before, 1);
    }

    #[test]
    fn an_alias_to_another_workloads_anchor_reads_as_yaml_defines_it() {
        // Cutting each manifest's text out of the scenario (as set-up once
        // did) lost the anchor and refused this file.
        let text = SCENARIO.replacen("spec: {schedule", "spec: &spec {schedule", 1).replacen(
            "spec: {schedule: \"*/5 * * * *\", jobTemplate: {spec: {template: {spec: {containers: [{name: c}]}}}}}",
            "spec: *spec",
            1,
        );
        assert!(text.contains("spec: *spec"), "{text}");
        let sc = Scenario::from_yaml(&text, "s.yaml").unwrap_or_else(|e| panic!("{e}"));
        let m = sc.read_manifests(1).unwrap_or_else(|e| panic!("{e}"));
        let b = &m.cronjobs[0];
        assert_eq!((b.metadata.name.as_str(), b.spec.schedule.as_str()), ("b", "*/5 * * * *"));
    }

    #[test]
    fn a_path_file_is_parsed_once_for_its_objects_and_its_applications() {
        // Two workloads render components of one KubeVela Application file.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/kubevela-app-timezone.yaml");
        let before = PARSES.with(|n| n.get());
        let sc = Scenario::load(std::path::Path::new(path)).unwrap_or_else(|e| panic!("{e}"));
        let files = sc.source.as_ref().map_or(0, |s| s.files.len());
        assert_eq!(files, 2);
        assert_eq!(PARSES.with(|n| n.get()) - before, 1 + files);
        let rendered =
            (0..sc.workloads.len()).map(|i| sc.workload_objects(i).map(|o| o.cronjob.metadata.name));
        assert_eq!(rendered.filter(Result::is_ok).count(), 2);
    }
}
