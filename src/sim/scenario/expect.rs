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
//! - **the fleet**: `maxConcurrentJobs` and `maxConcurrentPods`, counted
//!   across all workloads at once.

use super::{Scenario, ScenarioError, WorkloadSpec};
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
}

/// Bounds for the workloads `select` picks.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExpectGroup {
    /// Which workloads: every condition given must hold. It must match at
    /// least one workload of the scenario.
    pub select: Selector,
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

/// Which workloads a group bounds. Every condition given must hold; `{}`
/// selects every workload.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Selector {
    /// The CronJob's namespace, a glob (`*` any run of characters, `?` one
    /// character). A CronOperation, being cluster-scoped, has none and
    /// never matches.
    pub namespace: Option<String>,
    /// The CronJob's (or CronOperation's) name, a glob: `backup-*`.
    pub name: Option<String>,
    /// Labels the workload's `metadata.labels` must all have, with exactly
    /// these values.
    pub labels: BTreeMap<String, String>,
    /// The workload keys this selector stands for, fixed when the scenario
    /// was converted to another controller's form (`cronwarp compare`), so
    /// that a group bounds the same workloads on both sides.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub pinned: Option<Vec<String>>,
}

/// What a [`Selector`] is matched against: one workload's identity.
#[derive(Debug, Clone, Copy)]
pub struct Identity<'a> {
    /// `None` for a CronOperation.
    pub namespace: Option<&'a str>,
    /// `metadata.name`.
    pub name: &'a str,
    /// `metadata.labels`, when known.
    pub labels: Option<&'a BTreeMap<smol_str::SmolStr, smol_str::SmolStr>>,
}

impl Selector {
    /// Whether `id` satisfies every condition. Labels required of an
    /// identity whose labels are unknown do not match.
    pub fn matches(&self, id: Identity<'_>) -> bool {
        let ns = match (&self.namespace, id.namespace) {
            (None, _) => true,
            (Some(p), Some(ns)) => glob_match(p, ns),
            (Some(_), None) => false,
        };
        let name = self.name.as_deref().is_none_or(|p| glob_match(p, id.name));
        let labels = self.labels.is_empty()
            || id.labels.is_some_and(|have| {
                self.labels.iter().all(|(k, v)| have.get(k.as_str()).is_some_and(|h| h == v))
            });
        ns && name && labels
    }

    /// The identity a report's workload key gives (`namespace/name`, or
    /// a CronOperation's `name`), without labels.
    pub fn identity_of_key(key: &str) -> Identity<'_> {
        match key.split_once('/') {
            Some((ns, name)) => Identity { namespace: Some(ns), name, labels: None },
            None => Identity { namespace: None, name: key, labels: None },
        }
    }
}

/// `pattern` matches all of `text`: `*` stands for any run of characters
/// (none included), `?` for exactly one; every other character for itself.
///
/// Written here rather than taken from a glob crate: selectors match short
/// object names, never paths, and need only these two wildcards (no
/// classes, braces or `**`), which is a dozen lines with a linear
/// backtracking walk and no allocation.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    // Byte offsets into both strings, always on character boundaries.
    let (mut pi, mut ti) = (0, 0);
    // The last `*` seen and the text offset it currently swallows up to.
    let mut star: Option<(usize, usize)> = None;
    while let Some(tc) = text[ti..].chars().next() {
        match pattern[pi..].chars().next() {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(pc) if pc == '?' || pc == tc => {
                pi += pc.len_utf8();
                ti += tc.len_utf8();
            }
            _ => match star {
                // Let the last `*` swallow one more character and retry.
                Some((sp, st)) => {
                    let next = st + text[st..].chars().next().map_or(1, char::len_utf8);
                    (pi, ti) = (sp + 1, next);
                    star = Some((sp, next));
                }
                None => return false,
            },
        }
    }
    pattern[pi..].chars().all(|c| c == '*')
}

/// The workload keys each of `expect.groups` selects, in group order.
pub type Selection = Vec<BTreeSet<String>>;

impl Expect {
    /// Whether a fleet-wide bound is declared (the run then accounts the
    /// merged log, which alone sees every workload at one instant).
    pub fn has_fleet_bounds(&self) -> bool {
        self.max_concurrent_pods.is_some() || self.max_concurrent_jobs.is_some()
    }

    /// The selection by report keys alone (`namespace/name`, a
    /// CronOperation's `name`): label conditions cannot be checked, so a
    /// selector with labels matches nothing here. [`Scenario::select_workloads`]
    /// reads the labels.
    pub fn select_by_keys<'a>(&self, keys: impl Iterator<Item = &'a str> + Clone) -> Selection {
        self.groups
            .iter()
            .map(|g| match &g.select.pinned {
                Some(p) => p.iter().cloned().collect(),
                None => keys
                    .clone()
                    .filter(|k| g.select.matches(Selector::identity_of_key(k)))
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
        let specs = if groups.iter().any(|g| !g.select.labels.is_empty() && g.select.pinned.is_none()) {
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
            if let Some(p) = &group.select.pinned {
                out.push(p.iter().cloned().collect());
                continue;
            }
            let picked: BTreeSet<String> = keys
                .iter()
                .enumerate()
                .filter(|(i, k)| {
                    let mut id = Selector::identity_of_key(k);
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        for (p, t) in [
            ("backup-*", "backup-db"),
            ("backup-*", "backup-"),
            ("*", ""),
            ("b?ckup", "backup"),
            ("*-db", "nightly-backup-db"),
            ("a*b*c", "axxbyyc"),
            ("a*b", "abab"),
            ("exact", "exact"),
        ] {
            assert!(glob_match(p, t), "{p} should match {t}");
        }
        for (p, t) in
            [("backup-*", "backup"), ("b?ckup", "bckup"), ("a*b", "abac"), ("exact", "exactly"), ("", "x")]
        {
            assert!(!glob_match(p, t), "{p} should not match {t}");
        }
    }

    #[test]
    fn selectors() {
        let labels: BTreeMap<smol_str::SmolStr, smol_str::SmolStr> = [("team".into(), "x".into())].into();
        let id = Identity { namespace: Some("data"), name: "backup-db", labels: Some(&labels) };
        let sel = |ns: Option<&str>, name: Option<&str>, team: Option<&str>| Selector {
            namespace: ns.map(Into::into),
            name: name.map(Into::into),
            labels: team.map(|t| [("team".to_string(), t.to_string())].into()).unwrap_or_default(),
            pinned: None,
        };
        assert!(sel(None, None, None).matches(id));
        assert!(sel(Some("d*"), Some("backup-*"), Some("x")).matches(id));
        assert!(!sel(Some("ops"), None, None).matches(id));
        assert!(!sel(None, None, Some("y")).matches(id));
        let co = Identity { namespace: None, name: "backup-db", labels: None };
        assert!(sel(None, Some("backup-*"), None).matches(co));
        assert!(!sel(Some("*"), None, None).matches(co));
        assert!(!sel(None, None, Some("x")).matches(co));
    }
}
