//! The scenario's `expect:` block, as plain data (the report layer
//! evaluates it, see `report::expect`), and the selection of the workloads
//! each of its groups bounds.
//!
//! Three scopes:
//!
//! - **every workload**: the bounds written directly under `expect:` (the
//!   original form: `maxMissed: 0` holds for each CronJob);
//! - **selected workloads**: `groups:`, each a `select:` (namespace and
//!   name globs, labels) with its own bounds;
//! - **the fleet**: `maxConcurrentJobs`, `maxConcurrentPods`,
//!   `maxRequestedCpu` and `maxRequestedMemory`, counted across all
//!   workloads at once.

use super::{Scenario, ScenarioError, WorkloadSpec};
use crate::model::quantity::Quantity;
use crate::model::select::{Identity, Select};
use crate::sim::duration::DurationSpec;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Expectations, as plain data; `report` evaluates them against the log.
///
/// The per-workload bounds written here apply to every workload; those in
/// a group (`groups:`) to the workloads it selects. Every bound a file
/// declares counts as one check.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Expect {
    /// At most this many schedule ticks without a Job (per CronJob; the
    /// older name of `maxNotStarted`).
    pub max_missed: Option<u64>,
    /// Every tick in the horizon gets a Job.
    pub no_missed_runs: Option<bool>,
    /// At most this many Jobs of one CronJob active at once.
    pub max_concurrent: Option<u64>,
    /// Every failed Job that history GC or TTL deleted was kept at least
    /// this long after it failed (how long failure evidence survives).
    pub min_failed_retention: Option<DurationSpec>,
    /// At least this many Jobs created per CronJob.
    pub min_jobs: Option<u64>,
    /// At most this many Jobs created per CronJob.
    pub max_jobs: Option<u64>,
    /// No started tick of any workload started later than this after the
    /// tick (each late tick is named).
    pub max_lateness: Option<DurationSpec>,
    /// At most this many ticks of each workload not started (the first is
    /// named, with why).
    pub max_not_started: Option<u64>,
    /// At least this many Jobs (or Operations) of each workload succeeded.
    pub min_succeeded: Option<u64>,
    /// `true`: no two Jobs of one workload ran at once (each overlap is
    /// named).
    pub no_overlap: Option<bool>,
    /// Bounds for the workloads a selector picks; each group's selector
    /// must pick at least one workload.
    pub groups: Vec<ExpectGroup>,
    /// At most this many pods (created, not yet terminated) at any instant,
    /// across all workloads.
    pub max_concurrent_pods: Option<u64>,
    /// At most this many unfinished Jobs (and Operations) at any instant,
    /// across all workloads.
    pub max_concurrent_jobs: Option<u64>,
    /// At most this much CPU requested by the live pods of all workloads
    /// at any instant (a quantity: `"8"`, `"2500m"`).
    pub max_requested_cpu: Option<Quantity>,
    /// At most this much memory requested by the live pods of all
    /// workloads at any instant (a quantity: `"16Gi"`, `"20G"`).
    pub max_requested_memory: Option<Quantity>,
}

/// Bounds for the workloads `select` picks.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectGroup {
    /// Which workloads: every condition given must hold. It must match at
    /// least one workload of the scenario.
    pub select: Select,
    /// The workload keys `select` stands for, fixed when the scenario was
    /// converted to another controller's form (`cronwarp compare`), so that
    /// the group bounds the same workloads on both sides.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub pinned: Option<Vec<String>>,
    /// At most this many ticks without a Job, per selected workload (the
    /// older name of `maxNotStarted`).
    #[serde(default)]
    pub max_missed: Option<u64>,
    /// Every tick of each selected workload gets a Job.
    #[serde(default)]
    pub no_missed_runs: Option<bool>,
    /// At most this many Jobs of one selected workload active at once.
    #[serde(default)]
    pub max_concurrent: Option<u64>,
    /// Every failed Job that history GC or TTL deleted was kept at least
    /// this long after it failed.
    #[serde(default)]
    pub min_failed_retention: Option<DurationSpec>,
    /// At least this many Jobs created per selected workload.
    #[serde(default)]
    pub min_jobs: Option<u64>,
    /// At most this many Jobs created per selected workload.
    #[serde(default)]
    pub max_jobs: Option<u64>,
    /// No started tick started later than this after the tick.
    #[serde(default)]
    pub max_lateness: Option<DurationSpec>,
    /// At most this many ticks not started, per selected workload.
    #[serde(default)]
    pub max_not_started: Option<u64>,
    /// At least this many Jobs (or Operations) succeeded, per selected
    /// workload.
    #[serde(default)]
    pub min_succeeded: Option<u64>,
    /// `true`: no two Jobs of one selected workload ran at once.
    #[serde(default)]
    pub no_overlap: Option<bool>,
}

/// The workload keys each of `expect.groups` selects, in group order.
pub type Selection = Vec<BTreeSet<String>>;

impl Expect {
    /// Whether a fleet-wide bound is declared (the run then accounts the
    /// merged log, which alone sees every workload at one instant).
    pub fn has_fleet_bounds(&self) -> bool {
        self.fleet_bounds() > 0
    }

    /// How many fleet-wide bounds are declared.
    pub fn fleet_bounds(&self) -> usize {
        [
            self.max_concurrent_pods.is_some(),
            self.max_concurrent_jobs.is_some(),
            self.max_requested_cpu.is_some(),
            self.max_requested_memory.is_some(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }

    /// The selection by report keys alone (`namespace/name`, a
    /// CronOperation's `name`): label conditions cannot be checked, so a
    /// selector with labels matches nothing here. [`Scenario::select_workloads`]
    /// reads the labels.
    pub fn select_by_keys<'a>(&self, keys: impl Iterator<Item = &'a str> + Clone) -> Selection {
        self.groups
            .iter()
            .map(|g| match &g.pinned {
                Some(p) => p.iter().cloned().collect(),
                None => keys
                    .clone()
                    .filter(|k| g.select.matches(Identity::of_key(k)))
                    .map(str::to_string)
                    .collect(),
            })
            .collect()
    }
}

impl ExpectGroup {
    /// Whether the group declares any bound.
    fn bounds_any(&self) -> bool {
        self.max_missed.is_some()
            || self.no_missed_runs.is_some()
            || self.max_concurrent.is_some()
            || self.min_failed_retention.is_some()
            || self.min_jobs.is_some()
            || self.max_jobs.is_some()
            || self.max_lateness.is_some()
            || self.max_not_started.is_some()
            || self.min_succeeded.is_some()
            || self.no_overlap.is_some()
    }
}

impl Scenario {
    /// The workloads each `expect.groups[i].select` picks, by report key;
    /// `keys` are the workloads' keys in scenario order.
    /// A selector that picks no workload, or a group without a bound, is an
    /// error located at it: a check that can never fail is a mistake, not
    /// a pass. Reads (so converts) every workload's manifest when a
    /// selector asks for labels.
    pub fn select_workloads(&self, keys: &[String]) -> Result<Selection, ScenarioError> {
        let groups = &self.expect.groups;
        if groups.is_empty() {
            return Ok(Vec::new());
        }
        let specs = if groups.iter().any(|g| !g.select.labels.is_empty() && g.pinned.is_none()) {
            (0..self.workloads.len()).map(|i| self.workload(i).map(Some)).collect::<Result<Vec<_>, _>>()?
        } else {
            Vec::new()
        };
        let mut out = Vec::with_capacity(groups.len());
        for (g, group) in groups.iter().enumerate() {
            let path = format!("expect.groups[{g}]");
            if !group.bounds_any() {
                return Err(self.expect_error(&path, format!("{path}: the group declares no bound"), None));
            }
            if let Some(p) = &group.pinned {
                out.push(p.iter().cloned().collect());
                continue;
            }
            let picked: BTreeSet<String> = keys
                .iter()
                .enumerate()
                .filter(|(i, k)| {
                    let mut id = Identity::of_key(k);
                    id.labels = specs.get(*i).and_then(Option::as_ref).map(labels_of);
                    group.select.matches(id)
                })
                .map(|(_, k)| k.clone())
                .collect();
            if picked.is_empty() {
                let path = format!("{path}.select");
                let listed: Vec<&str> = keys.iter().map(String::as_str).take(8).collect();
                let more = if keys.len() > 8 { ", …" } else { "" };
                let hint = format!(
                    "the scenario's workloads are {}{more}; `*` matches any run of characters, `?` one",
                    listed.join(", ")
                );
                return Err(self.expect_error(&path, format!("{path}: selects no workload"), Some(hint)));
            }
            out.push(picked);
        }
        Ok(out)
    }

    /// An error at `path` of the scenario text, when it is known.
    fn expect_error(&self, path: &str, message: String, hint: Option<String>) -> ScenarioError {
        let Some(src) = &self.source else { return ScenarioError { message } };
        let pos = src.docs.first().map(|d| d.position_of(path)).unwrap_or_default();
        let mut e = crate::model::yaml::YamlError::at(&src.file, pos, message);
        e.hint = hint;
        ScenarioError { message: e.to_string() }
    }
}

fn labels_of(spec: &WorkloadSpec) -> &BTreeMap<smol_str::SmolStr, smol_str::SmolStr> {
    match spec {
        WorkloadSpec::CronJob(o) => &o.cronjob.metadata.labels,
        WorkloadSpec::CronOperation(x) => &x.cronoperation.metadata.labels,
        WorkloadSpec::CronWorkflow(a) => &a.cronworkflow.metadata.labels,
    }
}
