//! The scenario file: what to simulate (horizon, seed, controller set-up and
//! faults, workloads with their manifests, behaviour and timed changes) and
//! what to expect. YAML on disk; docs/scenario-reference.md has the format.
//!
//! Workloads are real manifests, status and existing Jobs included, so a
//! run can start from a live cluster's state.

mod argo;
pub mod convert;
mod crossplane;
mod downtime;
mod expect;
mod first_list;
mod fleet;
mod from_manifests;
mod kubevela;
mod manifests;
pub mod variants;

pub use super::edit::SpecEdit;
pub use argo::ArgoWorkloadObjects;
pub use crossplane::{WorkloadSpec, XpWorkloadObjects};
pub use downtime::Downtime;
pub use expect::{Expect, ExpectGroup, Selection};
pub use first_list::FirstList;
pub use from_manifests::{DEFAULT_LENGTH, ManifestRun, newest_in};
pub use manifests::{Source, WorkloadObjects};

use super::behaviour::Behaviour;
use super::duration::DurationSpec;
use crate::model::Select;
use crate::model::input::{DEFAULT_MAX_INPUT, read_text};
use crate::model::manifest::{FieldValidation, Manifests};
use crate::model::{Millis, Time};
use crate::policy::Settings;
use crate::policy::crossplane::CrossplaneSettings;
use serde::{Deserialize, Deserializer};
use std::path::Path;

/// How a scenario file and its manifests are read.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadOptions {
    /// The most bytes read from any one file.
    pub max_input: u64,
    /// Overrides the scenario's `validate:` (the command line's
    /// `--validate`).
    pub validate: Option<FieldValidation>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions { max_input: DEFAULT_MAX_INPUT, validate: None }
    }
}

/// A whole scenario.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Scenario {
    /// The simulated interval.
    pub horizon: Horizon,
    /// Seed of every random draw (per-entity streams, see `sim::rng`).
    #[serde(default)]
    pub seed: u64,
    /// kube-controller-manager's set-up and faults.
    #[serde(default)]
    pub controller: ControllerConfig,
    /// The CronJobs and Crossplane CronOperations to simulate.
    pub workloads: Vec<Workload>,
    /// What the run should satisfy (the report layer evaluates these).
    #[serde(default)]
    pub expect: Expect,
    /// The same scenario under several settings, compared side by side
    /// by `cronwarp compare` (docs/scenario-reference.md#variants): a list of axes, each a
    /// field and its values; the variants are every combination.
    #[serde(default)]
    pub variants: Vec<variants::Axis>,
    /// What unknown fields in the manifests do, as `kubectl apply
    /// --validate` chooses: `strict` (default: an error, since the API
    /// server would refuse the object), `warn` or `ignore`.
    #[serde(default)]
    pub validate: FieldValidation,
    /// The text the scenario was read from, to locate manifest errors.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub source: Option<Source>,
}

/// `[start, end)` of the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Horizon {
    /// The first instant simulated.
    pub start: Time,
    /// The end, excluded.
    pub end: Time,
}

impl Horizon {
    /// What is wrong with a horizon the command-line flags made (`--from`,
    /// `--until`, `--horizon`): an end before the start, or past the last
    /// instant RFC 3339 writes (a scenario file's own horizon cannot be,
    /// as its instants are read as RFC 3339).
    pub fn flag_problem(&self) -> Option<String> {
        let Horizon { start, end } = *self;
        if end <= start {
            return Some(format!("the horizon ends ({end}) before it starts ({start})"));
        }
        (end.unix() > crate::model::LAST_RFC3339_UNIX).then(|| {
            format!(
                "the horizon from {start} ends past 9999-12-31T23:59:59Z, the last instant RFC 3339 writes: \
                 shorten --horizon or give --until"
            )
        })
    }
}

/// The controller manager.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct ControllerConfig {
    /// kube-controller-manager's local zone (`TZ` of the process); schedules
    /// without `timeZone` follow it. Default `UTC`.
    pub local_zone: Option<String>,
    /// Version-dependent behaviour.
    pub settings: Settings,
    /// Windows in which kube-controller-manager is down.
    pub downtime: Vec<Downtime>,
    /// How far the controller clock runs ahead of the API server's (Go
    /// duration, may be negative: `"-2s"`).
    #[serde(deserialize_with = "de_signed_duration")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub clock_skew: Millis,
    /// How late the controllers' informers see API changes.
    pub informer_lag: DurationSpec,
    /// The Crossplane pod's CronOperation controller: upstream by default,
    /// or with the fixes proposed for crossplane#7524.
    pub crossplane: CrossplaneSettings,
    /// kube-controller-manager's own capacity: its controllers' workers,
    /// their clients' rate limits and the API request latency (upstream's
    /// defaults; `unlimited: true` is the ideal controller).
    pub capacity: crate::sim::capacity::Capacity,
    /// Requests of the controllers the API server refuses, by verb,
    /// resource, namespace and window, with a probability.
    pub api_faults: Vec<crate::sim::api_server::ApiFault>,
    /// Windows in which the API server does not answer (the controllers
    /// keep running, unlike `downtime`), `{start, end}` or `{at, for}`.
    pub api_server_down: Vec<Downtime>,
    /// The Kubernetes release whose controllers to simulate (`"1.27"`,
    /// 1.21 to 1.36): picks every `settings` key the scenario leaves out
    /// (docs/fidelity/kubernetes-cronjob.md#cj-23). Default: the current
    /// release.
    pub kubernetes_version: Option<String>,
    /// The Crossplane release (`"2.0"`, any 2.x): picks every `crossplane`
    /// key the scenario leaves out. Default: the current release.
    pub crossplane_version: Option<String>,
    /// The `settings` keys the scenario wrote, which a version profile
    /// does not replace.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub settings_given: Vec<String>,
    /// The `crossplane` keys the scenario wrote.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub crossplane_given: Vec<String>,
}

impl ControllerConfig {
    /// Applies `kubernetesVersion` and `crossplaneVersion`: each key of
    /// `settings` (and `crossplane`) the scenario did not write takes the
    /// release's value. Running it again after a version changed (the
    /// command line's `--k8s-version`) gives the new release's profile
    /// under the same written keys. `(field, message)` on an unknown
    /// release.
    pub fn apply_versions(&mut self) -> Result<(), (&'static str, String)> {
        use crate::policy::versions::{parse_crossplane_version, parse_kubernetes_version};
        if let Some(v) = &self.kubernetes_version {
            let minor = parse_kubernetes_version(v).map_err(|e| ("controller.kubernetesVersion", e))?;
            let mut s = Settings::for_kubernetes(minor);
            s.keep_given(&self.settings, &self.settings_given);
            self.settings = s;
        }
        if let Some(v) = &self.crossplane_version {
            let release = parse_crossplane_version(v).map_err(|e| ("controller.crossplaneVersion", e))?;
            let mut s = CrossplaneSettings::for_crossplane(release);
            s.keep_given(&self.crossplane, &self.crossplane_given);
            self.crossplane = s;
            // Crossplane 2.1 removed the global reconcile limiter
            // (docs/fidelity/crossplane.md#xp-b8).
            self.capacity.crossplane.release_has_global_limiter = release == (2, 0);
        }
        Ok(())
    }
}

/// One CronJob with its Jobs, how its pods behave, and scripted edits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workload {
    /// Inline manifest: one object, a list of objects, or a `List` (a
    /// CronJob plus, optionally, Jobs it owns; or a CronOperation plus,
    /// optionally, its Operations).
    #[serde(default)]
    pub manifest: Option<serde_json::Value>,
    /// A manifest file, relative to the scenario file (multi-document YAML
    /// allowed, as `kubectl get -o yaml` prints). Read by [`Scenario::load`].
    #[serde(default)]
    pub path: Option<String>,
    /// The pod behaviour model.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Timed edits of the CronJob.
    #[serde(default)]
    pub changes: Vec<Change>,
    /// For a KubeVela Application manifest with several `cron-task`
    /// components: the one this workload simulates (each needs its own
    /// behaviour, so each gets its own workload).
    #[serde(default)]
    pub component: Option<String>,
    /// Which CronJobs (or CronOperations) of the manifest this workload
    /// simulates, each with the Jobs it owns; all of them when left out.
    /// A manifest with several becomes one workload per object, sharing
    /// this workload's behaviour and changes.
    #[serde(default)]
    pub select: Option<Select>,
    /// What kube-controller-manager's first list holds at the horizon
    /// start where it lags the store: Jobs it has not seen, an older
    /// CronJob. The watch delivers the stored objects `controller.informerLag`
    /// after the start (docs/scenario-reference.md#first-list).
    #[serde(default)]
    pub first_list: Option<FirstList>,
    /// The objects this workload simulates, read once when the scenario
    /// was loaded (see `fleet`), or why they could not be read (said when
    /// the workload is used, as for one read on demand); `None` reads
    /// `manifest` or `path` on demand.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub objects: Option<std::sync::Arc<Result<Manifests, ScenarioError>>>,
}

/// A timed edit: `at` plus exactly one of the other fields.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Change {
    /// When the edit takes effect.
    pub at: Time,
    /// `suspend: true` sets `spec.suspend`.
    #[serde(default)]
    pub suspend: bool,
    /// `resume: true` clears `spec.suspend`.
    #[serde(default)]
    pub resume: bool,
    /// CronOperations: `pause: true` sets the `crossplane.io/paused`
    /// annotation.
    #[serde(default)]
    pub pause: bool,
    /// CronOperations: `unpause: true` removes the annotation (which the
    /// controller does not notice, bug B3).
    #[serde(default)]
    pub unpause: bool,
    /// A new `spec.schedule`.
    #[serde(default)]
    pub schedule: Option<String>,
    /// A zone name; `""` removes `spec.timeZone`.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// A new `spec.concurrencyPolicy`.
    #[serde(default)]
    pub concurrency_policy: Option<String>,
    /// Seconds; a negative value removes the deadline.
    #[serde(default)]
    pub starting_deadline_seconds: Option<i64>,
    /// `delete: true` deletes the CronJob (Background: its Jobs go too).
    #[serde(default)]
    pub delete: bool,
}

impl Change {
    /// The single edit this change names, for a CronJob.
    pub fn edit(&self) -> Result<SpecEdit, String> {
        Ok(match self.single()? {
            "suspend" => SpecEdit::Suspend(true),
            "resume" => SpecEdit::Suspend(false),
            "schedule" => SpecEdit::Schedule(self.schedule.clone().unwrap_or_default()),
            "timeZone" => SpecEdit::TimeZone(self.time_zone.clone().filter(|z| !z.is_empty())),
            "concurrencyPolicy" => {
                SpecEdit::ConcurrencyPolicy(self.concurrency_policy.clone().unwrap_or_default())
            }
            "startingDeadlineSeconds" => {
                SpecEdit::StartingDeadlineSeconds(self.starting_deadline_seconds.filter(|d| *d >= 0))
            }
            "delete" => SpecEdit::Delete,
            _ => return Err("CronJobs have no pause annotation; use suspend/resume".into()),
        })
    }
}

/// A signed duration: an optional `-` before a [`DurationSpec`].
fn de_signed_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    let s = String::deserialize(d)?;
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.as_str()),
    };
    let ms = DurationSpec::parse(body).map_err(serde::de::Error::custom)?.millis();
    Ok(if neg { -ms } else { ms })
}

/// The keys of a YAML mapping (none for anything else).
fn map_keys(node: Option<&crate::model::yaml::Node>) -> Vec<String> {
    match node.map(|n| &n.value) {
        Some(crate::model::yaml::Value::Map(entries)) => {
            entries.iter().filter_map(|(k, _)| k.as_str().map(str::to_string)).collect()
        }
        _ => Vec::new(),
    }
}

/// A scenario error with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// `file` or `file:line:col` and what is wrong.
    pub message: String,
}

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Several located errors, one per line.
fn located_all(errs: Vec<crate::model::yaml::YamlError>) -> ScenarioError {
    let lines: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
    ScenarioError { message: lines.join("\n") }
}

/// A located YAML error (`file:line:col: message`, and a hint such as
/// "did you mean").
fn located(e: crate::model::yaml::YamlError) -> ScenarioError {
    ScenarioError { message: e.to_string() }
}

fn err(origin: &str, e: impl std::fmt::Display) -> ScenarioError {
    ScenarioError { message: format!("{origin}: {e}") }
}

impl Scenario {
    /// Parses scenario YAML; `origin` names it in errors. `path:` manifests
    /// are not read (see [`Scenario::load`]); inline manifests holding
    /// several CronJobs are split into one workload each, as
    /// [`Scenario::load`] splits files.
    pub fn from_yaml(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        let mut sc = Scenario::parse(text, origin)?;
        if sc.workloads.iter().all(|w| w.path.is_none()) {
            sc.split_fleets()?;
        }
        Ok(sc)
    }

    /// Parses and checks scenario YAML without reading or splitting
    /// manifests.
    fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
        // One parse: the scenario is read from the located tree, which
        // then positions every later diagnostic and holds the inline
        // manifests (see `manifests::inline_documents`).
        let docs = crate::model::yaml::parse_documents(text, origin).map_err(located)?;
        let mut sc: Scenario = crate::model::yaml::from_documents(&docs, origin).map_err(located)?;
        let checked =
            sc.check().map_err(|(path, message)| (path, message, None)).and_then(|()| sc.check_local_zone());
        if let Err((path, message, hint)) = checked {
            let pos = docs.first().map(|d| d.position_of(&path)).unwrap_or_default();
            let mut e = crate::model::yaml::YamlError::at(origin, pos, message);
            e.hint = hint;
            return Err(located(e));
        }
        if let Some(doc) = docs.first() {
            sc.controller.settings_given = map_keys(doc.find("controller.settings"));
            sc.controller.crossplane_given = map_keys(doc.find("controller.crossplane"));
        }
        if let Err((path, message)) = sc.controller.apply_versions() {
            let pos = docs.first().map(|d| d.position_of(path)).unwrap_or_default();
            let e = crate::model::yaml::YamlError::at(origin, pos, format!("{path}: {message}"));
            return Err(located(e));
        }
        sc.source =
            Some(Source { file: origin.to_string(), text: text.to_string(), docs, ..Source::default() });
        Ok(sc)
    }

    /// Reads a scenario file and every `path:` manifest it names (relative
    /// to the scenario's directory), inlining them. Each file must be a
    /// regular file of at most [`DEFAULT_MAX_INPUT`] bytes.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load_with(path, &LoadOptions::default())
    }

    /// [`Scenario::load`] with another limit on the size of each file, in
    /// bytes.
    pub fn load_with_limit(path: &Path, max_input: u64) -> Result<Scenario, ScenarioError> {
        Scenario::load_with(path, &LoadOptions { max_input, ..LoadOptions::default() })
    }

    /// [`Scenario::load`] with `options`.
    pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Scenario, ScenarioError> {
        let text = read_text(path, options.max_input).map_err(|e| err(&path.display().to_string(), e))?;
        Scenario::from_file_text_with(&text, path, options)
    }

    /// Parses `text`, already read from the scenario file `path`, and reads
    /// the `path:` manifests it names (relative to `path`'s directory, each
    /// at most `max_input` bytes). A manifest that cannot be read is
    /// reported at its `path:` line.
    pub fn from_file_text(text: &str, path: &Path, max_input: u64) -> Result<Scenario, ScenarioError> {
        Scenario::from_file_text_with(text, path, &LoadOptions { max_input, ..LoadOptions::default() })
    }

    /// [`Scenario::from_file_text`] with `options`.
    pub fn from_file_text_with(
        text: &str,
        path: &Path,
        options: &LoadOptions,
    ) -> Result<Scenario, ScenarioError> {
        let mut sc = Scenario::parse(text, &path.display().to_string())?;
        if let Some(v) = options.validate {
            sc.validate = v;
        }
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut files = std::collections::BTreeMap::new();
        let mut read = vec![path.to_path_buf()];
        for (i, w) in sc.workloads.iter().enumerate() {
            if let Some(p) = &w.path {
                let file = dir.join(p);
                let forigin = file.display().to_string();
                let text = read_text(&file, options.max_input)
                    .map_err(|e| sc.unreadable_manifest(i, &forigin, &e))?;
                files.insert(i, (forigin, text));
                read.push(file);
            }
        }
        if let Some(src) = &mut sc.source {
            src.files = files;
            src.read = read;
        }
        sc.split_fleets()?;
        Ok(sc)
    }

    /// Workload `i`'s `path:` file could not be read: said at its `path:`
    /// key in the scenario.
    fn unreadable_manifest(&self, i: usize, file: &str, e: &std::io::Error) -> ScenarioError {
        let field = format!("workloads[{i}].path");
        let Some(src) = &self.source else { return err(file, e) };
        let pos = src.docs.first().map(|d| d.position_of(&field)).unwrap_or_default();
        let mut y =
            crate::model::yaml::YamlError::at(&src.file, pos, format!("{field}: cannot read {file}: {e}"));
        if e.kind() == std::io::ErrorKind::NotFound {
            y = y.with_hint("a `path:` is relative to the scenario file's directory");
        }
        located(y)
    }

    /// `controller.localZone` names a zone kube-controller-manager could
    /// load (Go's `time.LoadLocation`, as [`load_location`] mirrors it), so a
    /// typo fails at its line when the scenario is read, not when the
    /// simulation starts. `(field path, message, hint)`.
    ///
    /// [`load_location`]: crate::schedule::load_location
    fn check_local_zone(&self) -> Result<(), (String, String, Option<String>)> {
        let Some(name) = &self.controller.local_zone else { return Ok(()) };
        let Err(e) = crate::schedule::load_location(name) else { return Ok(()) };
        let hint = match crate::model::validation::closest_zone(name) {
            Some(c) => format!("did you mean `{c}`? (IANA zone names are case-sensitive)"),
            None => "use an IANA zone name such as Europe/Berlin, or leave localZone out for UTC".to_string(),
        };
        Err(("controller.localZone".into(), format!("controller.localZone: {e}"), Some(hint)))
    }

    /// What the types cannot check: `(field path, message)` of the first
    /// problem.
    fn check(&self) -> Result<(), (String, String)> {
        if self.horizon.end <= self.horizon.start {
            return Err(("horizon.end".into(), "horizon.end must be after horizon.start".into()));
        }
        for (i, d) in self.controller.downtime.iter().enumerate() {
            let (s, e) = d.window();
            if e < s {
                let path = format!("controller.downtime[{i}]");
                return Err((path.clone(), format!("{path}: the window ends before it starts")));
            }
        }
        let (start, end) = (self.horizon.start, self.horizon.end);
        for (i, f) in self.controller.api_faults.iter().enumerate() {
            let path = format!("controller.apiFaults[{i}]");
            f.check(start, end).map_err(|e| (path.clone(), format!("{path}: {e}")))?;
        }
        for (i, d) in self.controller.api_server_down.iter().enumerate() {
            let (s, e) = d.window();
            let path = format!("controller.apiServerDown[{i}]");
            if e < s {
                return Err((path.clone(), format!("{path}: the window ends before it starts")));
            }
            if e <= start || s >= end {
                return Err((
                    path.clone(),
                    format!("{path}: the window lies outside the horizon; move it into [{start}, {end})"),
                ));
            }
        }
        self.controller.capacity.check().map_err(|e| {
            let field = e.split(':').next().unwrap_or("controller.capacity").to_string();
            (field, e)
        })?;
        variants::check_axes(&self.variants).map_err(|(i, e)| {
            let path = format!("variants[{i}]");
            (path.clone(), format!("{path}: {e}"))
        })?;
        for (i, w) in self.workloads.iter().enumerate() {
            let path = format!("workloads[{i}]");
            if w.manifest.is_some() == w.path.is_some() {
                return Err((path.clone(), format!("{path}: give exactly one of manifest or path")));
            }
            if w.first_list.is_some() && self.controller.informer_lag.millis() == 0 {
                let fpath = format!("{path}.firstList");
                return Err((
                    fpath.clone(),
                    format!(
                        "{fpath}: a first list behind the store needs controller.informerLag, the time the \
                         watch takes to deliver what the list missed (e.g. informerLag: 2s)"
                    ),
                ));
            }
            let bpath = format!("{path}.behaviour");
            let (start, end) = (self.horizon.start, self.horizon.end);
            w.behaviour
                .check_faults()
                .and_then(|()| w.behaviour.check_horizon(start, end))
                .map_err(|(field, e)| (format!("{bpath}.{field}"), format!("{bpath}.{field}: {e}")))?;
            w.behaviour.validate().map_err(|e| (bpath.clone(), format!("{bpath}: {e}")))?;
            // The kind of a `path:` manifest is known only once it is read.
            let inline_xp = w.manifest.as_ref().map(crossplane::mentions_cronoperation);
            let inline_argo = w.manifest.as_ref().is_some_and(argo::mentions_cronworkflow);
            for (j, c) in w.changes.iter().enumerate() {
                let cpath = format!("{path}.changes[{j}]");
                let checked = match inline_xp {
                    _ if inline_argo => c.argo_edit().map(drop),
                    Some(xp) => c.edit_for(xp).map(drop),
                    None => c.single().map(drop),
                };
                checked.map_err(|e| (cpath.clone(), format!("{cpath}: {e}")))?;
            }
        }
        Ok(())
    }
}
