//! The facade's [`Scenario`]: a scenario file (or one built in code with
//! [`ScenarioBuilder`]) together with the name its report is headed with.

#![deny(missing_docs)]

use crate::Error;
use crate::model::Time;
use crate::model::input::{DEFAULT_MAX_INPUT, read_text};
use crate::report::ReportInput;
use crate::sim;
use crate::sim::scenario::LoadOptions;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scenario, ready to [`run`](crate::run): the horizon, seed, controller
/// set-up and faults, the workloads with their behaviour, and the `expect:`
/// checks.
///
/// Read one from a file with [`Scenario::from_path`], from text with
/// [`Scenario::from_yaml`], or build one in code with
/// [`Scenario::builder`]. The format is the scenario file format of
/// `cronwarp run` (`cronwarp schema` prints its JSON Schema).
#[derive(Debug, Clone)]
pub struct Scenario {
    inner: sim::Scenario,
    name: String,
    /// What the report needs besides the log, worked out once (it converts
    /// every workload's manifest): by [`Scenario::validate`] or the first
    /// run.
    input: OnceLock<ReportInput>,
    /// The workloads each `expect:` group selects, worked out with `input`.
    selection: OnceLock<sim::scenario::Selection>,
}

impl Scenario {
    /// Parses scenario YAML. `origin` names the text in errors and in the
    /// report's header (a file name, say). Workloads that name a manifest
    /// file (`path:`) need [`Scenario::from_path`], which reads them.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Scenario, Error> {
        let inner =
            sim::Scenario::from_yaml(text, origin).map_err(|e| Error::invalid(e.message, Some(origin)))?;
        Ok(Scenario::from_sim(inner, origin))
    }

    /// Reads a scenario file and every manifest file it names (relative to
    /// the scenario's directory). The report is headed with the path as
    /// given. Each file must be a regular file of at most
    /// [`DEFAULT_MAX_INPUT`] (64 MiB); see
    /// [`Scenario::from_path_with_limit`].
    pub fn from_path(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        Scenario::from_path_with_limit(path, DEFAULT_MAX_INPUT)
    }

    /// [`Scenario::from_path`] with another limit on the size of each file
    /// read, in bytes (`cronwarp --max-input`). A FIFO, a device or a
    /// directory is refused whatever the limit, as is a file that turns out
    /// longer than the limit while it is read.
    pub fn from_path_with_limit(path: impl AsRef<Path>, max_input: u64) -> Result<Scenario, Error> {
        Scenario::from_path_with(path, &LoadOptions { max_input, ..LoadOptions::default() })
    }

    /// [`Scenario::from_path`] with every reading option: the size limit,
    /// and what unknown manifest fields do (`--validate`).
    pub fn from_path_with(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = read_text(path, options.max_input)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        let inner = sim::Scenario::from_file_text_with(&text, path, options)
            .map_err(|e| Error::invalid(e.message, Some(&origin)))?;
        Ok(Scenario::from_sim(inner, origin))
    }

    /// The files the scenario was read from, as opened: the scenario file,
    /// then each `path:` manifest. Empty for a scenario from text or the
    /// builder. (`cronwarp run` refuses to write its outputs over them.)
    pub fn input_files(&self) -> &[PathBuf] {
        self.inner.source.as_ref().map_or(&[][..], |s| s.read.as_slice())
    }

    /// Starts a scenario in code: one or more CronJob manifests, a horizon,
    /// a seed, downtime, behaviour.
    pub fn builder() -> ScenarioBuilder {
        ScenarioBuilder::default()
    }

    /// Wraps a scenario of the simulator's own type (for instance one of
    /// the two forms `cronwarp compare` converts to); `name` heads its
    /// report.
    pub fn from_sim(scenario: sim::Scenario, name: impl Into<String>) -> Scenario {
        Scenario { inner: scenario, name: name.into(), input: OnceLock::new(), selection: OnceLock::new() }
    }

    /// The name the report is headed with (`header.scenario`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The seed of every random draw (a run may override it, see
    /// [`RunOptions::seed`](crate::RunOptions::seed)).
    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// The simulated interval, `[start, end)`.
    pub fn horizon(&self) -> (Time, Time) {
        (self.inner.horizon.start, self.inner.horizon.end)
    }

    /// The simulator's view of the scenario, every field public.
    pub fn as_sim(&self) -> &sim::Scenario {
        &self.inner
    }

    /// The simulator's scenario, to edit or to hand to the lower layers.
    pub fn into_sim(self) -> sim::Scenario {
        self.inner
    }

    /// Checks what parsing alone cannot: every workload's manifest
    /// converts to the object the simulation stores (API-server validation
    /// included), and every `expect:` group selects some workload.
    /// [`run`](crate::run) does this first; calling it earlier only moves
    /// the error, and the work is not repeated.
    pub fn validate(&self) -> Result<(), Error> {
        self.report_input().map(drop)
    }

    /// The report's input for this scenario, at its own seed.
    pub(crate) fn report_input(&self) -> Result<&ReportInput, Error> {
        if let Some(input) = self.input.get() {
            return Ok(input);
        }
        let input = ReportInput::from_scenario(&self.name, &self.inner)
            .map_err(|e| Error::from_sim(e, Some(&self.name)))?;
        let keys: Vec<String> = input.workloads.iter().map(|m| m.key.clone()).collect();
        let selection =
            self.inner.select_workloads(&keys).map_err(|e| Error::invalid(e.message, Some(&self.name)))?;
        let _ = self.selection.set(selection);
        Ok(self.input.get_or_init(|| input))
    }

    /// The workloads each `expect:` group selects (see
    /// [`sim::Scenario::select_workloads`]).
    pub(crate) fn selection(&self) -> Result<&sim::scenario::Selection, Error> {
        self.report_input()?;
        self.selection
            .get()
            .ok_or_else(|| Error::Internal { message: "the expect: selection was not made".into() })
    }
}

/// Builds a [`Scenario`] in code, for the common case: CronJob manifests
/// (YAML, as `kubectl` prints them), a horizon, a seed, controller downtime
/// and how the pods behave.
///
/// The builder writes the scenario file these calls describe
/// ([`ScenarioBuilder::to_yaml`]) and reads it as
/// [`Scenario::from_yaml`] would, so a built scenario means exactly what
/// the same file would, and an error's `line:column` refers to that text.
/// YAML arguments may be indented as a whole (a raw string in a test,
/// say): the common indentation is removed.
///
/// ```
/// let scenario = cronwarp::Scenario::builder()
///     .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
///     .workload(
///         "
///         apiVersion: batch/v1
///         kind: CronJob
///         metadata: {name: report, namespace: default, creationTimestamp: '2025-03-03T09:00:00Z'}
///         spec:
///           schedule: '*/5 * * * *'
///           jobTemplate:
///             spec:
///               template:
///                 spec:
///                   restartPolicy: Never
///                   containers: [{name: report, image: busybox}]
///         ",
///     )
///     .behaviour("duration: 40s")
///     .downtime_for("2025-03-03T10:02:00Z", "29m")
///     .build()?;
/// assert_eq!(scenario.name(), "builder");
/// # Ok::<(), cronwarp::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ScenarioBuilder {
    name: Option<String>,
    horizon: Option<(String, String)>,
    seed: u64,
    local_zone: Option<String>,
    /// `(start, end)` or `(at, for)` windows.
    downtime: Vec<Downtime>,
    workloads: Vec<(String, Option<String>)>,
    expect: Option<String>,
    /// A call out of order ([`ScenarioBuilder::behaviour`] before any
    /// workload), reported by [`ScenarioBuilder::build`].
    misuse: Option<String>,
}

#[derive(Debug, Clone)]
enum Downtime {
    Window(String, String),
    For(String, String),
}

impl ScenarioBuilder {
    /// The name in errors and in the report's header (default `builder`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The simulated interval `[start, end)`, as RFC 3339 times
    /// (`2025-03-03T10:00:00Z`). Required.
    pub fn horizon(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.horizon = Some((start.into(), end.into()));
        self
    }

    /// The seed of every random draw (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// kube-controller-manager's local zone, which schedules without
    /// `timeZone` follow (default UTC).
    pub fn local_zone(mut self, zone: impl Into<String>) -> Self {
        self.local_zone = Some(zone.into());
        self
    }

    /// kube-controller-manager is down from `start` to `end` (RFC 3339).
    pub fn downtime(mut self, start: impl Into<String>, end: impl Into<String>) -> Self {
        self.downtime.push(Downtime::Window(start.into(), end.into()));
        self
    }

    /// kube-controller-manager is down from `at` (RFC 3339) for `length`
    /// (a Go duration such as `29m` or `1h30m`; `0s` is a restart).
    pub fn downtime_for(mut self, at: impl Into<String>, length: impl Into<String>) -> Self {
        self.downtime.push(Downtime::For(at.into(), length.into()));
        self
    }

    /// Adds a workload: a CronJob manifest (or a Crossplane CronOperation;
    /// a list of objects may add the Jobs it owns), as YAML. Its pods start
    /// at once, run 1 s and succeed unless [`ScenarioBuilder::behaviour`]
    /// says otherwise.
    pub fn workload(mut self, manifest: impl Into<String>) -> Self {
        self.workloads.push((manifest.into(), None));
        self
    }

    /// How the pods of the workload added last behave, as the scenario
    /// file's `behaviour:` block in YAML (`"duration: 40s"`,
    /// `"failureProbability: 0.1"`, `"script: [fail, succeed]"`).
    pub fn behaviour(mut self, yaml: impl Into<String>) -> Self {
        match self.workloads.last_mut() {
            Some(w) => w.1 = Some(yaml.into()),
            None => {
                self.misuse.get_or_insert_with(|| "behaviour() was called before any workload()".into());
            }
        }
        self
    }

    /// What the run should satisfy, as the scenario file's `expect:` block
    /// in YAML (`"maxMissed: 5"`); see [`Run::check`](crate::Run::check).
    pub fn expect(mut self, yaml: impl Into<String>) -> Self {
        self.expect = Some(yaml.into());
        self
    }

    /// The scenario file these calls describe; `cronwarp run` reads it the
    /// same way.
    pub fn to_yaml(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let mut out = String::new();
        if let Some((start, end)) = &self.horizon {
            out += &format!("horizon:\n  start: {}\n  end: {}\n", q(start), q(end));
        }
        out += &format!("seed: {}\n", self.seed);
        if self.local_zone.is_some() || !self.downtime.is_empty() {
            out += "controller:\n";
            if let Some(z) = &self.local_zone {
                out += &format!("  localZone: {}\n", q(z));
            }
            if !self.downtime.is_empty() {
                out += "  downtime:\n";
            }
            for d in &self.downtime {
                out += &match d {
                    Downtime::Window(s, e) => format!("    - start: {}\n      end: {}\n", q(s), q(e)),
                    Downtime::For(at, len) => format!("    - at: {}\n      for: {}\n", q(at), q(len)),
                };
            }
        }
        out += "workloads:\n";
        if self.workloads.is_empty() {
            out.truncate(out.len() - 1);
            out += " []\n";
        }
        for (manifest, behaviour) in &self.workloads {
            out += "  - manifest:\n";
            out += &block(manifest, 6);
            if let Some(b) = behaviour {
                out += "    behaviour:\n";
                out += &block(b, 6);
            }
        }
        if let Some(e) = &self.expect {
            out += "expect:\n";
            out += &block(e, 2);
        }
        out
    }

    /// The scenario, read from [`ScenarioBuilder::to_yaml`]'s text.
    pub fn build(&self) -> Result<Scenario, Error> {
        let name = self.name.as_deref().unwrap_or("builder");
        let misuse = |message: &str| Error::InvalidScenario {
            path: Some(name.into()),
            line: None,
            column: None,
            message: message.into(),
        };
        if let Some(m) = &self.misuse {
            return Err(misuse(m));
        }
        if self.horizon.is_none() {
            return Err(misuse("no horizon: call horizon(start, end)"));
        }
        Scenario::from_yaml(&self.to_yaml(), name)
    }
}

/// `text` without its common indentation (and without blank lines at
/// either end), every line indented by `indent` spaces.
fn block(text: &str, indent: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let blank = |l: &&str| l.trim().is_empty();
    let first = lines.iter().position(|l| !blank(l)).unwrap_or(lines.len());
    let last = lines.iter().rposition(|l| !blank(l)).map_or(first, |i| i + 1);
    let lines = &lines[first..last];
    let common = lines.iter().filter(|l| !blank(l)).map(|l| l.len() - l.trim_start_matches(' ').len()).min();
    let common = common.unwrap_or(0);
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for l in lines {
        if !blank(l) {
            out += &pad;
            out += &l[common..];
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_lose_their_common_indentation() {
        assert_eq!(block("\n    a:\n      b: 1\n\n    c: 2\n  ", 2), "  a:\n    b: 1\n\n  c: 2\n");
        assert_eq!(block("duration: 40s", 6), "      duration: 40s\n");
    }

    #[test]
    fn the_builder_writes_a_scenario_file() {
        let b = Scenario::builder()
            .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
            .seed(3)
            .downtime_for("2025-03-03T10:02:00Z", "29m")
            .workload("kind: CronJob")
            .behaviour("duration: 40s")
            .expect("maxMissed: 5");
        assert_eq!(
            b.to_yaml(),
            "horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T11:00:00Z\"\nseed: 3\n\
             controller:\n  downtime:\n    - at: \"2025-03-03T10:02:00Z\"\n      for: \"29m\"\n\
             workloads:\n  - manifest:\n      kind: CronJob\n    behaviour:\n      duration: 40s\n\
             expect:\n  maxMissed: 5\n"
        );
    }

    #[test]
    fn misuse_and_a_missing_horizon_are_invalid_scenarios() {
        let e = Scenario::builder().behaviour("duration: 1s").build().unwrap_err();
        assert_eq!(e.to_string(), "builder: behaviour() was called before any workload()");
        let e = Scenario::builder().name("t").build().unwrap_err();
        assert_eq!(e.to_string(), "t: no horizon: call horizon(start, end)");
    }
}
