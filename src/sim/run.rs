//! `simulate`: builds the world from a scenario, runs the engine to the end
//! of the horizon, and returns the log with what the report needs.

use super::api_server::key;
use super::engine::Engine;
use super::log::{LogSink, Record};
use super::partition::{self, Sinks};
use super::scenario::{Scenario, ScenarioError, WorkloadSpec};
use super::setup::Setup;
use crate::model::argo::CronWorkflow;
use crate::model::crossplane::{CronOperation, Operation};
use crate::model::quantity::PodRequests;
use crate::model::{CronJob, Job, Time};
use crate::schedule::{Location, Zone, load_location};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    /// What went wrong, for the user.
    pub message: String,
    /// Which kind of failure it is.
    pub kind: SimErrorKind,
}

/// What a [`SimError`] asks of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimErrorKind {
    /// The scenario asks for something the API server or the engine
    /// refuses (a rejected workload, a CronJob named twice): fix the input.
    Invalid,
    /// One instant kept producing events (the controllers kept reacting to
    /// each other without virtual time advancing): worth a bug report.
    Livelock {
        /// The instant that never ended.
        at: Time,
    },
}

impl SimError {
    /// An input the engine refuses.
    pub fn invalid(message: String) -> SimError {
        SimError { message, kind: SimErrorKind::Invalid }
    }

    /// A livelock at `at`.
    pub fn livelock(at: Time) -> SimError {
        SimError {
            message: format!(
                "the simulation stopped advancing at {at}: the controllers keep reacting to each other"
            ),
            kind: SimErrorKind::Livelock { at },
        }
    }
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SimError {}

impl From<ScenarioError> for SimError {
    fn from(e: ScenarioError) -> Self {
        SimError::invalid(e.message)
    }
}

/// Options of a run.
#[derive(Default)]
pub struct SimOptions<'p> {
    /// Called about once per simulated day with the current time.
    pub progress: Option<&'p mut dyn FnMut(Time)>,
    /// Threads to run partitions on; 0 means one per available core. The
    /// output does not depend on it.
    pub threads: usize,
}

/// Per-workload facts the report needs besides the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadMeta {
    /// `namespace/name` (a CronOperation, being cluster-scoped: `name`).
    pub key: String,
    /// Which controller runs it.
    #[serde(skip_serializing_if = "WorkloadKind::is_cronjob")]
    pub kind: WorkloadKind,
    /// `spec.schedule` at the start.
    pub schedule: String,
    /// `spec.timeZone` at the start.
    pub time_zone: Option<String>,
    /// kube-controller-manager's zone, for schedules without `timeZone`.
    pub local_zone: String,
    /// `spec.concurrencyPolicy` at the start.
    pub concurrency_policy: String,
    /// `spec.startingDeadlineSeconds` at the start, in seconds; `None` when unset.
    pub starting_deadline_seconds: Option<i64>,
    /// `spec.suspend` at the start (a CronOperation: the `crossplane.io/paused` annotation).
    pub suspended: bool,
    /// The horizon's start.
    pub horizon_start: Time,
    /// The horizon's end.
    pub horizon_end: Time,
    /// Where the schedule's ticks count from: `status.lastScheduleTime`, else
    /// `creationTimestamp` (an `@every` schedule's phase comes from it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase_origin: Option<Time>,
    /// What one pod of its Jobs requests (the Job template's at the
    /// start); zero for a CronOperation.
    #[serde(skip_serializing_if = "PodRequests::is_zero")]
    pub pod_requests: PodRequests,
    /// A CronOperation whose cursor is the newest Operation's name-encoded
    /// slot (crossplane PR #7535): a catch-up creates every owed slot in
    /// turn, where upstream's creation-time cursor drops them.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub name_cursor: bool,
    /// A CronWorkflow's schedules after the first (`spec.schedules`): its
    /// ticks are those of every schedule, one per instant.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub more_schedules: Vec<String>,
}

/// What kind of scheduled object a workload is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum WorkloadKind {
    /// batch/v1 CronJob (kube-controller-manager).
    #[default]
    CronJob,
    /// ops.crossplane.io/v1alpha1 CronOperation (the Crossplane pod).
    CronOperation,
    /// argoproj.io/v1alpha1 CronWorkflow (Argo's workflow-controller).
    CronWorkflow,
}

impl WorkloadKind {
    /// For `skip_serializing_if`.
    pub fn is_cronjob(&self) -> bool {
        *self == WorkloadKind::CronJob
    }
}

/// The store at the end of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FinalState {
    /// The end of the horizon.
    pub time: Time,
    /// CronJobs by key (`namespace/name`).
    pub cronjobs: BTreeMap<String, CronJob>,
    /// Jobs by key (`namespace/name`).
    pub jobs: BTreeMap<String, Job>,
    /// Pods left, by phase name.
    pub pods_by_phase: BTreeMap<String, u64>,
    /// Crossplane CronOperations by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cronoperations: BTreeMap<String, CronOperation>,
    /// Crossplane Operations by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub operations: BTreeMap<String, Operation>,
    /// Argo CronWorkflows by key (`namespace/name`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub cronworkflows: BTreeMap<String, CronWorkflow>,
    /// Argo Workflows left, by key: their phase.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub workflows: BTreeMap<String, String>,
}

/// What a run produced besides the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimSummary {
    /// Per-workload facts, in scenario order.
    pub workloads: Vec<WorkloadMeta>,
    /// The store at the end of the horizon.
    pub final_state: FinalState,
    /// Log records written.
    pub records: u64,
    /// Events the engines' queues carried (timers, work items, kubelet
    /// steps, notifications): what the simulator's cost grows with.
    #[serde(skip)]
    pub events: u64,
    /// Manifest warnings (skipped objects, suspicious fields).
    pub warnings: Vec<String>,
}

/// A run with its whole log in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOutput {
    /// The whole event log, in time order.
    pub log: Vec<Record>,
    /// What the run produced besides the log.
    pub summary: SimSummary,
}

/// Runs `scenario` to the end of its horizon, keeping the log in memory.
/// Same scenario and seed, same log, byte for byte.
pub fn simulate(scenario: &Scenario, opts: SimOptions<'_>) -> Result<SimOutput, SimError> {
    let mut log = Vec::new();
    let summary = simulate_into(scenario, &mut log, opts)?;
    Ok(SimOutput { log, summary })
}

/// Runs `scenario`, streaming records into `sink` (memory stays flat in the
/// horizon length). Workloads that do not reach into each other run as
/// separate partitions, on up to [`SimOptions::threads`] threads (see
/// [`super::partition`]); the records are the same for any thread count.
pub fn simulate_into(
    scenario: &Scenario,
    sink: &mut dyn LogSink,
    opts: SimOptions<'_>,
) -> Result<SimSummary, SimError> {
    let prepared = Prepared::new(scenario, scenario.seed, read_specs(scenario)?, false)?;
    prepared.run::<Vec<Record>>(scenario, Sinks::Merged(sink), opts)
}

/// Runs `scenario` with one sink per partition instead of one merged log:
/// `make` gets the indices of a partition's workloads and returns its sink,
/// which sees that partition's records (and the control plane's faults) in
/// time order. Faster than [`simulate_into`] for a fleet, since nothing is
/// merged or buffered; the sinks come back in partition order.
pub fn simulate_split<S: LogSink + Send>(
    scenario: &Scenario,
    make: impl FnMut(&[usize]) -> S,
    opts: SimOptions<'_>,
) -> Result<(SimSummary, Vec<S>), SimError> {
    let prepared = Prepared::new(scenario, scenario.seed, read_specs(scenario)?, true)?;
    prepared.run_split(scenario, make, &mut |_| {}, opts)
}

/// A scenario with its workloads read: manifests parsed, defaulted and
/// validated once, to simulate any number of times at any seed (a seed
/// sweep runs one scenario thousands of times; reading YAML for each run
/// would cost as much as simulating a short horizon).
#[derive(Debug, Clone)]
pub struct Loaded<'a> {
    scenario: &'a Scenario,
    specs: Vec<WorkloadSpec>,
}

impl<'a> Loaded<'a> {
    /// Reads every workload of `scenario` (the errors [`simulate`] would
    /// give for a bad manifest).
    pub fn new(scenario: &'a Scenario) -> Result<Loaded<'a>, SimError> {
        Ok(Loaded { scenario, specs: read_specs(scenario)? })
    }

    /// The scenario it was read from.
    pub fn scenario(&self) -> &'a Scenario {
        self.scenario
    }

    /// [`simulate_into`] with `seed` in place of the scenario's.
    pub fn simulate_into(
        &self,
        seed: u64,
        sink: &mut dyn LogSink,
        opts: SimOptions<'_>,
    ) -> Result<SimSummary, SimError> {
        let prepared = Prepared::new(self.scenario, seed, self.specs.clone(), false)?;
        prepared.run::<Vec<Record>>(self.scenario, Sinks::Merged(sink), opts)
    }

    /// [`simulate_split`] with `seed` in place of the scenario's.
    pub fn simulate_split<S: LogSink + Send>(
        &self,
        seed: u64,
        make: impl FnMut(&[usize]) -> S,
        opts: SimOptions<'_>,
    ) -> Result<(SimSummary, Vec<S>), SimError> {
        self.simulate_split_with(seed, make, &mut |_| {}, opts)
    }

    /// [`Loaded::simulate_split`], calling `after_window` with the sinks
    /// each time every partition has reached the end of a window of
    /// virtual time (a day): what the sinks gathered until then is
    /// complete, so measures across partitions (the fleet load) can be
    /// taken window by window.
    pub fn simulate_split_with<S: LogSink + Send>(
        &self,
        seed: u64,
        make: impl FnMut(&[usize]) -> S,
        after_window: &mut dyn FnMut(&[std::sync::Mutex<S>]),
        opts: SimOptions<'_>,
    ) -> Result<(SimSummary, Vec<S>), SimError> {
        let prepared = Prepared::new(self.scenario, seed, self.specs.clone(), true)?;
        prepared.run_split(self.scenario, make, after_window, opts)
    }
}

/// Every workload of `scenario`, read and converted.
fn read_specs(scenario: &Scenario) -> Result<Vec<WorkloadSpec>, SimError> {
    (0..scenario.workloads.len()).map(|i| scenario.workload(i).map_err(SimError::from)).collect()
}

/// Whether the partitions must run in one engine: more than one of them
/// holds CronJobs (or CronOperations), and the controllers' capacity is
/// modelled, so their syncs share its workers and its clients' token
/// buckets (the Crossplane pod's workers and reconcile limiter). (Lanes
/// keep each partition's order, so while the capacity does not bind the
/// output is byte for byte what separate engines give.) More partitions
/// than lanes run apart, as the ideal controller.
fn coupled(scenario: &Scenario, groups: &[Vec<usize>], specs: &[Option<WorkloadSpec>]) -> bool {
    if !scenario.controller.capacity.limited() || groups.len() > usize::from(u16::MAX) {
        return false;
    }
    let holding = |kind: fn(&WorkloadSpec) -> bool| {
        groups.iter().filter(|g| g.iter().any(|&i| specs[i].as_ref().is_some_and(kind))).count()
    };
    holding(|s| matches!(s, WorkloadSpec::CronJob(_))) > 1 || crossplane_coupled(scenario, &holding)
}

/// Whether the CronOperations' partitions must share the Crossplane pod's
/// workers (and, on 2.0, its global reconcile limiter): always with the
/// limiter or an API latency; otherwise only when they could keep every
/// worker busy at once. A CronOperation has a few attempts running at
/// most (each is cut at 2 minutes, a slot comes every minute or less
/// often), so a fleet of fewer than a third as many CronOperations as
/// workers runs apart: one engine would change nothing but the
/// fast-forwarding of retry loops, which a fault or edit of any workload
/// in the engine interrupts (docs/fidelity/crossplane.md#xp-b8).
fn crossplane_coupled(scenario: &Scenario, holding: &dyn Fn(fn(&WorkloadSpec) -> bool) -> usize) -> bool {
    const ATTEMPTS_AT_ONCE: usize = 3;
    let c = &scenario.controller.capacity;
    let groups = holding(|s| matches!(s, WorkloadSpec::CronOperation(_)));
    groups > 1
        && (c.crossplane.reconcile_rate().is_some()
            || c.api_latency.millis() > 0
            || groups * ATTEMPTS_AT_ONCE > c.crossplane.workers() as usize)
}

/// A scenario's partitions, built and started.
struct Prepared {
    groups: Vec<Vec<usize>>,
    engines: Vec<std::sync::Mutex<Engine>>,
    metas: Vec<(usize, WorkloadMeta)>,
    warnings: Vec<(usize, Vec<String>)>,
}

impl Prepared {
    /// `local`: each partition logs the control plane's faults too (its
    /// sink sees nothing else of the others).
    fn new(
        scenario: &Scenario,
        seed: u64,
        specs: Vec<WorkloadSpec>,
        local: bool,
    ) -> Result<Prepared, SimError> {
        let local_name = scenario.controller.local_zone.clone().unwrap_or_else(|| "UTC".into());
        let zone = match load_location(&local_name) {
            Ok(Location::Zone(z)) => z,
            Ok(Location::Local) => Zone::Utc,
            Err(e) => return Err(SimError::invalid(format!("controller.localZone: {e}"))),
        };
        let mut groups = partition::plan(&specs);
        let mut specs: Vec<Option<WorkloadSpec>> = specs.into_iter().map(Some).collect();
        let (mut metas, mut warnings) = (Vec::new(), Vec::new());
        if coupled(scenario, &groups, &specs) {
            // The CronJobs share kube-controller-manager's workers and
            // clients: one engine runs every partition, each in its own lane.
            let mut lanes = vec![0u16; specs.len()];
            for (p, group) in groups.iter().enumerate() {
                for &i in group {
                    lanes[i] = p as u16;
                }
            }
            let all: Vec<usize> = groups.iter().flatten().copied().collect();
            let members = all.iter().filter_map(|&i| Some((i, specs[i].take()?)));
            let setup = Setup {
                scenario,
                seed,
                local: zone,
                local_name: &local_name,
                partition: 0,
                logs_faults: true,
                lanes: Some(&lanes),
            };
            let engine = setup.build(members, &mut metas, &mut warnings)?;
            groups = vec![all];
            return Ok(Prepared { groups, engines: vec![std::sync::Mutex::new(engine)], metas, warnings });
        }
        let mut engines = Vec::with_capacity(groups.len());
        for (p, group) in groups.iter().enumerate() {
            let members = group.iter().filter_map(|&i| Some((i, specs[i].take()?)));
            let setup = Setup {
                scenario,
                seed,
                local: zone,
                local_name: &local_name,
                partition: p as u64,
                logs_faults: local || p == 0,
                lanes: None,
            };
            engines.push(std::sync::Mutex::new(setup.build(members, &mut metas, &mut warnings)?));
        }
        Ok(Prepared { groups, engines, metas, warnings })
    }

    /// Runs with a sink per partition, made by `make` from the
    /// partition's workload indices.
    fn run_split<S: LogSink + Send>(
        self,
        scenario: &Scenario,
        mut make: impl FnMut(&[usize]) -> S,
        after_window: &mut dyn FnMut(&[std::sync::Mutex<S>]),
        opts: SimOptions<'_>,
    ) -> Result<(SimSummary, Vec<S>), SimError> {
        let sinks: Vec<std::sync::Mutex<S>> =
            self.groups.iter().map(|g| std::sync::Mutex::new(make(g))).collect();
        let summary = self.run(scenario, Sinks::Local(&sinks, after_window), opts)?;
        let sinks =
            sinks.into_iter().map(|s| s.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner));
        Ok((summary, sinks.collect()))
    }

    fn run<S: LogSink + Send>(
        self,
        scenario: &Scenario,
        sinks: Sinks<'_, S>,
        mut opts: SimOptions<'_>,
    ) -> Result<SimSummary, SimError> {
        let mut noop = |_: Time| {};
        let progress: &mut dyn FnMut(Time) = match opts.progress.take() {
            Some(p) => p,
            None => &mut noop,
        };
        let threads = match opts.threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => n,
        };
        let (start, end) = (scenario.horizon.start, scenario.horizon.end);
        partition::run(&self.engines, (start, end), threads, sinks, progress).map_err(SimError::livelock)?;
        let mut final_state = FinalState {
            time: end,
            cronjobs: BTreeMap::new(),
            jobs: BTreeMap::new(),
            pods_by_phase: BTreeMap::new(),
            cronoperations: BTreeMap::new(),
            operations: BTreeMap::new(),
            cronworkflows: BTreeMap::new(),
            workflows: BTreeMap::new(),
        };
        let (mut records, mut events) = (0, 0);
        for e in self.engines {
            let mut e = e.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
            e.core.api.now = end;
            records += e.core.records;
            events += e.core.queue.pushed();
            collect_final(&e, &mut final_state);
        }
        let (mut metas, mut warnings) = (self.metas, self.warnings);
        metas.sort_by_key(|(i, _)| *i);
        warnings.sort_by_key(|(i, _)| *i);
        Ok(SimSummary {
            workloads: metas.into_iter().map(|(_, m)| m).collect(),
            final_state,
            records,
            events,
            warnings: warnings.into_iter().flat_map(|(_, w)| w).collect(),
        })
    }
}

/// Adds one partition's store at the end of the horizon to `out`.
fn collect_final(e: &Engine, out: &mut FinalState) {
    let api = &e.core.api;
    for p in api.pods.values() {
        *out.pods_by_phase.entry(format!("{:?}", p.status.phase)).or_insert(0) += 1;
    }
    out.cronjobs.extend(api.cronjobs.iter().map(|(k, c)| (k.to_string(), (**c).clone())));
    out.jobs.extend(api.jobs.iter().map(|(k, j)| (k.to_string(), (**j).clone())));
    out.cronoperations
        .extend(api.cronoperations.iter().map(|(k, c)| (k.to_string(), CronOperation::clone(c))));
    out.operations.extend(api.operations.iter().map(|(k, o)| (k.to_string(), Operation::clone(o))));
    out.cronworkflows.extend(api.cronworkflows.iter().map(|(k, c)| (k.to_string(), c.clone())));
    let phase =
        |w: &crate::sim::api_server::StoredWorkflow| crate::sim::api_server::phase_name(w.phase).to_string();
    out.workflows.extend(api.workflows.iter().map(|(k, w)| (k.to_string(), phase(w))));
}

/// The report's facts about one CronJob.
pub(super) fn meta_of(cj: &CronJob, local_zone: &str, scenario: &Scenario) -> WorkloadMeta {
    WorkloadMeta {
        key: key(&cj.metadata.namespace, &cj.metadata.name).to_string(),
        kind: WorkloadKind::CronJob,
        schedule: cj.spec.schedule.to_string(),
        time_zone: cj.spec.time_zone.as_ref().map(ToString::to_string),
        local_zone: local_zone.to_string(),
        concurrency_policy: cj.spec.policy().as_str().into(),
        starting_deadline_seconds: cj.spec.starting_deadline_seconds,
        suspended: cj.spec.suspended(),
        horizon_start: scenario.horizon.start,
        horizon_end: scenario.horizon.end,
        phase_origin: cj.status.last_schedule_time.or(cj.metadata.creation_timestamp),
        pod_requests: cj.spec.job_template.spec.template.spec.requests(),
        name_cursor: false,
        more_schedules: Vec::new(),
    }
}

/// The per-workload facts of a scenario (CronJobs and CronOperations),
/// known before it runs, so that a report can account for the log as it
/// streams.
pub fn cronjob_metas(scenario: &Scenario) -> Result<Vec<WorkloadMeta>, SimError> {
    let local_name = scenario.controller.local_zone.clone().unwrap_or_else(|| "UTC".into());
    (0..scenario.workloads.len())
        .map(|i| {
            Ok(match scenario.workload(i)? {
                WorkloadSpec::CronJob(objs) => meta_of(&objs.cronjob, &local_name, scenario),
                WorkloadSpec::CronOperation(x) => xp_meta_of(&x.cronoperation, &local_name, scenario),
                WorkloadSpec::CronWorkflow(a) => argo_meta_of(&a.cronworkflow, &local_name, scenario),
            })
        })
        .collect()
}

/// The report's facts about one CronOperation: the schedule verbatim
/// (`CRON_TZ=` prefix included), the pod's zone, and `suspended` = paused.
pub(super) fn xp_meta_of(co: &CronOperation, local_zone: &str, scenario: &Scenario) -> WorkloadMeta {
    WorkloadMeta {
        key: co.metadata.name.to_string(),
        kind: WorkloadKind::CronOperation,
        schedule: co.spec.schedule.clone(),
        time_zone: None,
        local_zone: local_zone.to_string(),
        concurrency_policy: co.spec.policy().as_str().into(),
        starting_deadline_seconds: co.spec.starting_deadline_seconds,
        suspended: co.is_paused(),
        horizon_start: scenario.horizon.start,
        horizon_end: scenario.horizon.end,
        phase_origin: co.status.last_schedule_time.or(co.metadata.creation_timestamp),
        pod_requests: PodRequests::default(),
        name_cursor: scenario.controller.crossplane.cursor
            == crate::policy::crossplane::CursorSource::NameEncodedSlot,
        more_schedules: Vec::new(),
    }
}

/// The report's facts about one CronWorkflow: its first schedule (the
/// others in `more_schedules`), `spec.timezone` as the zone, the
/// workflow-controller's zone otherwise.
pub(super) fn argo_meta_of(cw: &CronWorkflow, local_zone: &str, scenario: &Scenario) -> WorkloadMeta {
    let mut schedules = cw.spec.schedules.iter().cloned();
    WorkloadMeta {
        key: key(&cw.metadata.namespace, &cw.metadata.name).to_string(),
        kind: WorkloadKind::CronWorkflow,
        schedule: schedules.next().unwrap_or_default(),
        time_zone: (!cw.spec.timezone.is_empty()).then(|| cw.spec.timezone.clone()),
        local_zone: local_zone.to_string(),
        concurrency_policy: cw.spec.policy().map_or("Allow", |p| p.as_str()).into(),
        starting_deadline_seconds: cw.spec.starting_deadline_seconds,
        suspended: cw.spec.suspend,
        horizon_start: scenario.horizon.start,
        horizon_end: scenario.horizon.end,
        phase_origin: cw.status.last_scheduled_time.or(cw.metadata.creation_timestamp),
        pod_requests: PodRequests::default(),
        name_cursor: false,
        more_schedules: schedules.collect(),
    }
}
