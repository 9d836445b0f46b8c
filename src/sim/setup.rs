//! Building a partition's engine: the API server seeded with the
//! partition's workloads (CronJobs with their Jobs, CronOperations with
//! their Operations), the scenario's edits, downtime and API outages on
//! the queue, and the control plane started as after a restart.

use super::actor::{Core, Ev, Process, WorkloadState};
use super::actors;
use super::api_server::{ApiServer, key};
use super::engine::Engine;
use super::log::{Entry, Fault};
use super::run::{SimError, WorkloadKind, WorkloadMeta, argo_meta_of, meta_of, xp_meta_of};
use super::scenario::{ArgoWorkloadObjects, Scenario, WorkloadSpec, XpWorkloadObjects};
use crate::model::crossplane::{CronOperation, LABEL_CRONOPERATION_NAME, OPS_API_VERSION, Operation};
use crate::model::{CronJob, Job, OwnerReference, Time};
use crate::schedule::Zone;

/// What every partition's engine is built from.
pub(super) struct Setup<'a> {
    pub(super) scenario: &'a Scenario,
    /// The run's seed (a sweep overrides the scenario's).
    pub(super) seed: u64,
    pub(super) local: Zone,
    pub(super) local_name: &'a str,
    pub(super) partition: u64,
    /// Logs clock skew, informer lag and downtime.
    pub(super) logs_faults: bool,
    /// By workload index: its lane, when one engine runs several
    /// partitions.
    pub(super) lanes: Option<&'a [u16]>,
}

impl Setup<'_> {
    /// One partition's engine, with its workloads stored and its
    /// controllers started, as after a kube-controller-manager restart.
    /// Metas and warnings are pushed with their workload's index.
    pub(super) fn build(
        &self,
        members: impl Iterator<Item = (usize, WorkloadSpec)>,
        metas: &mut Vec<(usize, WorkloadMeta)>,
        warnings: &mut Vec<(usize, Vec<String>)>,
    ) -> Result<Engine, SimError> {
        let scenario = self.scenario;
        let start = scenario.horizon.start;
        let mut api = ApiServer::new(scenario.controller.clock_skew);
        api.now = start;
        api.uid_space = self.partition;
        let mut core = Core::new(start, api, scenario.controller.settings.clone(), self.local, self.seed);
        core.logs_faults = self.logs_faults;
        core.capacity = scenario.controller.capacity.clone();
        core.api.faults = crate::sim::api_server::Faults::new(
            scenario.controller.api_faults.clone(),
            scenario.controller.api_server_down.iter().map(|d| d.window()).collect(),
            self.seed,
        );
        let mut engine = Engine::new(core, actors::register(&scenario.controller.crossplane));
        let core = &mut engine.core;
        if self.logs_faults && scenario.controller.clock_skew != 0 {
            core.emit(Entry::Fault(Fault::ClockSkew { skew: scenario.controller.clock_skew }));
        }
        if self.logs_faults && scenario.controller.informer_lag.millis() != 0 {
            core.emit(Entry::Fault(Fault::InformerLag { lag: scenario.controller.informer_lag.millis() }));
        }
        core.api.seeding = true;
        engine.lanes = self.lanes.is_some();
        let core = &mut engine.core;
        for (i, spec) in members {
            if let Some(lanes) = self.lanes {
                core.queue.set_lane(lanes[i]);
                core.api.uid_space = u64::from(lanes[i]);
            }
            let w = &scenario.workloads[i];
            let what = format!("workloads[{i}]");
            let objs = match spec {
                WorkloadSpec::CronJob(objs) => objs,
                WorkloadSpec::CronOperation(_) | WorkloadSpec::CronWorkflow(_) if w.first_list.is_some() => {
                    let kind = if matches!(spec, WorkloadSpec::CronOperation(_)) {
                        "CronOperation"
                    } else {
                        "CronWorkflow"
                    };
                    return Err(SimError::invalid(format!(
                        "{what}.firstList: only kube-controller-manager's first list is modelled; this workload \
                         is a {kind}"
                    )));
                }
                WorkloadSpec::CronOperation(x) => {
                    warnings.push((i, x.warnings.clone()));
                    let meta = seed_cronoperation(core, x, w, &what, self.local_name, scenario)?;
                    metas.push((i, meta));
                    continue;
                }
                WorkloadSpec::CronWorkflow(a) => {
                    warnings.push((i, a.warnings.clone()));
                    let meta = seed_cronworkflow(core, a, w, &what, self.local_name, scenario)?;
                    metas.push((i, meta));
                    continue;
                }
            };
            warnings.push((i, objs.warnings));
            let cj = objs.cronjob;
            let k = key(&cj.metadata.namespace, &cj.metadata.name);
            if core.workloads.contains_key(&k) {
                return Err(SimError::invalid(format!("{what}: CronJob {k} appears twice")));
            }
            core.workloads.insert(
                k.clone(),
                WorkloadState {
                    behaviour: w.behaviour.clone(),
                    runs: 0,
                    settled: false,
                    lane: core.queue.lane(),
                },
            );
            let cj = core.api.create_cronjob(cj).map_err(|e| SimError::invalid(format!("{what}: {e}")))?;
            metas.push((i, meta_of(&cj, self.local_name, scenario)));
            for mut job in objs.jobs {
                adopt_seeded(&mut job, &cj);
                let jk = key(&job.metadata.namespace, &job.metadata.name);
                core.api.insert_job(job).map_err(|e| SimError::invalid(format!("{what}: Job {jk}: {e}")))?;
            }
            link_active_refs(&mut core.api, &k);
            if let Some(first) = &w.first_list {
                let behind = first
                    .changes(&core.api, &k)
                    .map_err(|e| SimError::invalid(format!("{what}.firstList: {e}")))?;
                core.first_list.extend(behind);
            }
            for c in &w.changes {
                let edit = c.edit().map_err(|e| SimError::invalid(format!("{what}: {e}")))?;
                core.queue.push(c.at, Ev::Edit { kind: WorkloadKind::CronJob, object: k.clone(), edit });
            }
        }
        core.queue.set_lane(0);
        core.api.uid_space = self.partition;
        for d in &scenario.controller.api_server_down {
            let (s, e) = d.window();
            core.queue.push(s.max(start), Ev::ApiDown { until: e });
            core.queue.push(e, Ev::ApiUp);
        }
        for (s, e) in downtime_windows(scenario) {
            core.queue.push(s.max(start), Ev::DowntimeStart { end: e });
            core.queue.push(e, Ev::DowntimeEnd { start: s });
        }
        core.api.seeding = false;
        // Set-up changes reach the simulator's bookkeeping only (the control
        // plane is not running yet); the controllers see the objects
        // through their initial list.
        engine.pump();
        engine.core.process_mut(Process::ControllerManager).informer_lag =
            scenario.controller.informer_lag.millis();
        engine.start_control_plane();
        Ok(engine)
    }
}

/// A seeded Job naming its CronJob by name only gets the CronJob's uid, so
/// a manifest written by hand behaves like one read from a cluster.
fn adopt_seeded(job: &mut Job, cj: &CronJob) {
    for r in job.metadata.owner_references.iter_mut() {
        if r.kind == "CronJob" && r.name == cj.metadata.name && r.uid.is_empty() {
            r.uid = cj.metadata.uid.clone();
            if r.controller.is_none() {
                r.controller = Some(true);
            }
        }
    }
}

/// `status.active` refs written by hand (no uid) get the uid of the seeded
/// Job of that name, as they would carry in a real cluster.
fn link_active_refs(world: &mut ApiServer, cronjob: &str) {
    let Some(mut cj) = world.cronjobs.get(cronjob).map(|c| (**c).clone()) else { return };
    let mut changed = false;
    for r in &mut cj.status.active {
        let ns = if r.namespace.is_empty() { cj.metadata.namespace.clone() } else { r.namespace.clone() };
        if r.uid.is_empty()
            && let Some(j) = world.jobs.get(&key(&ns, &r.name))
        {
            r.uid = j.metadata.uid.clone();
            r.namespace = ns;
            changed = true;
        }
    }
    if changed {
        // Only the store's own object can be missing here, and it is not.
        let _ = world.update_cronjob_status(&cj);
    }
}

/// Downtime windows sorted, with overlapping ones merged.
fn downtime_windows(scenario: &Scenario) -> Vec<(Time, Time)> {
    let mut ws: Vec<(Time, Time)> = scenario.controller.downtime.iter().map(|d| d.window()).collect();
    ws.sort();
    let mut out: Vec<(Time, Time)> = Vec::new();
    for (s, e) in ws {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out.retain(|(s, e)| *e > scenario.horizon.start && *s < scenario.horizon.end);
    out
}

/// Stores a CronOperation workload, its seeded Operations and its timed
/// changes; returns its meta.
fn seed_cronoperation(
    core: &mut Core,
    x: XpWorkloadObjects,
    w: &super::scenario::Workload,
    what: &str,
    local_name: &str,
    scenario: &Scenario,
) -> Result<WorkloadMeta, SimError> {
    let fail = |e: String| SimError::invalid(format!("{what}: {e}"));
    let name = x.cronoperation.metadata.name.clone();
    if core.workloads.contains_key(&name) {
        return Err(fail(format!("CronOperation {name} appears twice")));
    }
    core.workloads.insert(
        name.clone(),
        WorkloadState { behaviour: w.behaviour.clone(), runs: 0, settled: false, lane: core.queue.lane() },
    );
    let co = core.api.create_cronoperation(x.cronoperation).map_err(|e| fail(e.to_string()))?;
    for mut op in x.operations {
        adopt_seeded_operation(&mut op, &co);
        let op_name = op.metadata.name.clone();
        core.api.seed_operation(op).map_err(|e| fail(format!("Operation {op_name}: {e}")))?;
    }
    for (j, c) in w.changes.iter().enumerate() {
        let edit = c.xp_edit().map_err(|e| fail(format!("changes[{j}]: {e}")))?;
        core.queue.push(c.at, Ev::Edit { kind: WorkloadKind::CronOperation, object: name.clone(), edit });
    }
    Ok(xp_meta_of(&co, local_name, scenario))
}

/// Stores a CronWorkflow workload and its timed changes; returns its meta.
fn seed_cronworkflow(
    core: &mut Core,
    a: ArgoWorkloadObjects,
    w: &super::scenario::Workload,
    what: &str,
    local_name: &str,
    scenario: &Scenario,
) -> Result<WorkloadMeta, SimError> {
    let fail = |e: String| SimError::invalid(format!("{what}: {e}"));
    let cw = core.api.create_cronworkflow(a.cronworkflow).map_err(|e| fail(format!("{e:?}")))?;
    let k = key(&cw.metadata.namespace, &cw.metadata.name);
    if core.workloads.contains_key(&k) {
        return Err(fail(format!("{k} appears twice")));
    }
    core.workloads.insert(
        k.clone(),
        WorkloadState { behaviour: w.behaviour.clone(), runs: 0, settled: false, lane: core.queue.lane() },
    );
    for (j, c) in w.changes.iter().enumerate() {
        let edit = c.argo_edit().map_err(|e| fail(format!("changes[{j}]: {e}")))?;
        core.queue.push(c.at, Ev::Edit { kind: WorkloadKind::CronWorkflow, object: k.clone(), edit });
    }
    Ok(argo_meta_of(&cw, local_name, scenario))
}

/// A seeded Operation that names its CronOperation by label or by owner
/// reference gets both, with the CronOperation's uid, as if the
/// CronOperation had created it (`NewOperation`).
fn adopt_seeded_operation(op: &mut Operation, co: &CronOperation) {
    let name = &co.metadata.name;
    let labelled = op.metadata.labels.get(LABEL_CRONOPERATION_NAME) == Some(name);
    let owned = op.metadata.owner_references.iter().any(|r| r.kind == "CronOperation" && &r.name == name);
    if !labelled && !owned {
        return;
    }
    op.metadata.labels.insert(LABEL_CRONOPERATION_NAME.into(), name.clone());
    match op.metadata.owner_references.iter_mut().find(|r| r.kind == "CronOperation" && &r.name == name) {
        Some(r) => {
            if r.uid.is_empty() {
                r.uid = co.metadata.uid.clone();
            }
            r.controller.get_or_insert(true);
        }
        None => op.metadata.owner_references.push(OwnerReference {
            api_version: OPS_API_VERSION.into(),
            kind: "CronOperation".into(),
            name: name.clone(),
            uid: co.metadata.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }),
    }
}
