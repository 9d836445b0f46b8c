//! A scenario made from manifests alone: `cronwarp run cronjob.yaml`, `cronwarp
//! run dump.yaml --horizon 7d`, `kubectl get cronjobs,jobs -A -o yaml |
//! cronwarp run -`. What a scenario file would say comes from
//! [`ManifestRun`] (the command line's flags); every CronJob and
//! CronOperation in the files becomes a workload with the same behaviour.
//!
//! The horizon starts where the cluster was: at the newest timestamp the
//! objects carry (creation, last schedule, Job start and completion,
//! condition transitions), because a dump is a snapshot and "what happens
//! next" starts from it. A manifest with no timestamp at all (one written
//! by hand) needs an explicit start: the wall clock is never read here.

use super::{Downtime, Horizon, Scenario, ScenarioError, Source, Workload, err};
use crate::model::manifest::{FieldValidation, Manifests};
use crate::model::{HOUR, Millis, Time};
use crate::sim::behaviour::Behaviour;

/// What a scenario file would say, for manifests run on their own.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestRun {
    /// The first instant simulated; `None`: the newest timestamp in the
    /// manifests.
    pub from: Option<Time>,
    /// The end of the horizon (excluded); `None`: `from` plus `length`.
    pub until: Option<Time>,
    /// The horizon's length when `until` is not given.
    pub length: Millis,
    /// The seed.
    pub seed: u64,
    /// Controller downtime windows.
    pub downtime: Vec<Downtime>,
    /// kube-controller-manager's zone; `None` is UTC.
    pub local_zone: Option<String>,
    /// How every workload's pods behave.
    pub behaviour: Behaviour,
    /// What unknown fields do.
    pub validate: FieldValidation,
    /// The Kubernetes release whose controllers to simulate (`"1.27"`);
    /// `None`: the current one.
    pub kubernetes_version: Option<String>,
}

/// The horizon's length when none is asked for: a day shows every daily
/// and hourly schedule at least once without a long report.
pub const DEFAULT_LENGTH: Millis = 24 * HOUR;

impl Default for ManifestRun {
    fn default() -> Self {
        ManifestRun {
            from: None,
            until: None,
            length: DEFAULT_LENGTH,
            seed: 0,
            downtime: Vec::new(),
            local_zone: None,
            behaviour: Behaviour::default(),
            validate: FieldValidation::default(),
            kubernetes_version: None,
        }
    }
}

impl Scenario {
    /// A scenario simulating every CronJob and CronOperation of `files`
    /// (`(name, text)`: the name is what errors print, `-` for standard
    /// input), each with the Jobs or Operations it owns. Objects of other
    /// kinds are skipped with one summary line per file.
    pub fn from_manifests(
        files: Vec<(String, String)>,
        run: &ManifestRun,
    ) -> Result<Scenario, ScenarioError> {
        let mut workloads = Vec::with_capacity(files.len());
        let mut texts = std::collections::BTreeMap::new();
        for (i, (name, text)) in files.into_iter().enumerate() {
            workloads.push(Workload {
                manifest: None,
                path: Some(name.clone()),
                behaviour: run.behaviour.clone(),
                changes: Vec::new(),
                component: None,
                select: None,
                first_list: None,
                objects: None,
            });
            texts.insert(i, (name, text));
        }
        let origin = texts.values().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
        let mut sc = Scenario {
            horizon: Horizon { start: Time::from_unix(0), end: Time::from_unix(0) },
            seed: run.seed,
            controller: super::ControllerConfig {
                local_zone: run.local_zone.clone(),
                downtime: run.downtime.clone(),
                kubernetes_version: run.kubernetes_version.clone(),
                ..Default::default()
            },
            workloads,
            expect: Default::default(),
            variants: Vec::new(),
            validate: run.validate,
            source: Some(Source { file: origin.clone(), files: texts, ..Source::default() }),
        };
        sc.controller.apply_versions().map_err(|(_, message)| err(&origin, message))?;
        sc.split_fleets()?;
        // Manifests alone have nothing else to say: their errors come now.
        for w in &sc.workloads {
            if let Some(Err(e)) = w.objects.as_deref() {
                return Err(e.clone());
            }
        }
        let start = match run.from {
            Some(t) => t,
            None => newest_timestamp(&sc).ok_or_else(|| {
                err(
                    &origin,
                    "no timestamp in the manifests to start from (they were not read from a cluster): \
                     give the start with --from 2025-03-03T00:00:00Z, or --from now",
                )
            })?,
        };
        let end = run.until.unwrap_or_else(|| start.add(run.length));
        let horizon = Horizon { start, end };
        if let Some(problem) = horizon.flag_problem() {
            return Err(err(&origin, problem));
        }
        sc.horizon = horizon;
        sc.check_local_zone().map_err(|(_, message, hint)| {
            let hint = hint.map(|h| format!("\n  hint: {h}")).unwrap_or_default();
            err(&origin, format!("{message}{hint}"))
        })?;
        Ok(sc)
    }
}

/// The newest instant any object of the scenario records.
fn newest_timestamp(sc: &Scenario) -> Option<Time> {
    let read = sc.workloads.iter().filter_map(|w| w.objects.as_deref().and_then(|o| o.as_ref().ok()));
    read.filter_map(newest_in).max()
}

/// The newest instant the objects of `m` record (creation, last schedule
/// and success, Job start and completion, condition transitions): where a
/// dump was taken, as near as the objects tell. `cronwarp lint` starts its
/// DST window there too.
pub fn newest_in(m: &Manifests) -> Option<Time> {
    let cronjobs = m.cronjobs.iter().flat_map(|c| {
        let s = &c.status;
        let conditions = s.conditions.iter().flat_map(|c| [c.last_transition_time, c.last_probe_time]);
        [c.metadata.creation_timestamp, s.last_schedule_time, s.last_successful_time]
            .into_iter()
            .chain(conditions)
    });
    let jobs = m.jobs.iter().flat_map(|j| {
        let s = &j.status;
        let conditions = s.conditions.iter().flat_map(|c| [c.last_transition_time, c.last_probe_time]);
        [j.metadata.creation_timestamp, s.start_time, s.completion_time].into_iter().chain(conditions)
    });
    let cronops = m.cronoperations.iter().flat_map(|c| {
        [c.metadata.creation_timestamp, c.status.last_schedule_time, c.status.last_successful_time]
    });
    let ops = m.operations.iter().map(|o| o.metadata.creation_timestamp);
    cronjobs.chain(jobs).chain(cronops).chain(ops).flatten().max()
}
