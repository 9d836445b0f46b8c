//! The CronWorkflow controller actor: Argo's `workflow/cron/controller.go`
//! around [`policy::argo::Controller`](crate::policy::argo::Controller)
//! (docs/fidelity/argo.md#argo-3 to #argo-10).
//!
//! Three clocks drive it, as upstream's `Controller.Run` starts them:
//! - the informer handlers (`addCronWorkflowInformerHandler`) add a
//!   CronWorkflow's key to the work queue on every add, update (the
//!   controller's own status patches included) and delete, and
//!   `processNextCronItem` ([`Controller::process`]) checks for the one
//!   missed tick and re-registers the schedules with the cron runner;
//!   the informer's resync (`cronWorkflowResyncPeriod`, 20 minutes) adds
//!   every key again;
//! - robfig/cron's runner fires each registered entry on its wall-clock
//!   timer ([`Controller::fire`], a wake-up of this actor per CronWorkflow);
//! - `wait.Until(syncAll, cronSyncPeriod)` every 10 s from the start
//!   ([`Controller::sync`]: history GC and `reconcileActiveWfs`). A sync
//!   with no Workflow changed since the last one changes nothing, so the
//!   actor only wakes for the 10 s grid points that follow a Workflow
//!   change: the same instants, without a million idle wake-ups a year.
//!
//! The runner, its entries and the grid are in-memory: when Argo's
//! workflow-controller stops they are gone, and at its start the initial
//! list re-registers every CronWorkflow not labelled completed (the
//! informer's filter).

use crate::model::argo::{CronWorkflow, LABEL_CRON_WORKFLOW, LABEL_CRON_WORKFLOW_COMPLETED};
use crate::model::{ObjectReference, Time};
use crate::policy::ApiError;
use crate::policy::argo::{
    ArgoApi, CRON_SYNC_PERIOD_MS, ChildWorkflow, Controller, Outcome, RESYNC_PERIOD_MS, SubmitError,
    WorkflowPhase,
};
use crate::policy::crossplane::Trigger;
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{ApiServer, Change, Kinds, key};
use crate::sim::log::{DeletedBy, Entry};
use crate::sim::queue::WorkQueue;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// The wake-up key of `syncAll` (no CronWorkflow key is empty).
const SYNC: &str = "";
/// The wake-up key of the informer's resync (no CronWorkflow key is `*`).
const RESYNC: &str = "*";

/// `TerminateWorkflow`'s outcome as the Workflow operator writes it.
pub const TERMINATED: &str = "Stopped with strategy 'Terminate'";

/// One CronWorkflow in the controller: its runner entries and the
/// wake-up armed for them.
#[derive(Debug, Clone)]
struct Cron {
    ctl: Controller,
    /// The instant and token of the runner wake-up set.
    armed: Option<(Time, u64)>,
}

/// The CronWorkflow controller.
#[derive(Debug)]
pub struct CronWorkflowController {
    queue: WorkQueue,
    crons: BTreeMap<SmolStr, Cron>,
    /// The next token of a wake-up (stale ones carry an older one).
    tokens: u64,
    /// When `syncAll` first ran after the start: the 10 s grid's origin.
    grid: Time,
    /// The sync wake-up armed, and its token.
    sync: Option<(Time, u64)>,
    /// The resync wake-up's token.
    resync: u64,
}

impl Default for CronWorkflowController {
    fn default() -> Self {
        CronWorkflowController {
            queue: WorkQueue::new(),
            crons: BTreeMap::new(),
            tokens: 1,
            grid: Time(0),
            sync: None,
            resync: 0,
        }
    }
}

/// [`ArgoApi`] over the simulator's store, for one CronWorkflow.
struct SimArgo<'a> {
    api: &'a mut ApiServer,
    key: &'a str,
    /// Submissions now come from the missed-run check.
    catch_up: bool,
}

impl ArgoApi for SimArgo<'_> {
    fn submit(
        &mut self,
        cw: &CronWorkflow,
        name: &SmolStr,
        scheduled: Time,
    ) -> Result<ObjectReference, SubmitError> {
        self.api.submit_workflow(cw, name, scheduled, self.catch_up).map_err(|e| match e {
            ApiError::AlreadyExists => SubmitError::AlreadyExists,
            other => SubmitError::Other(format!("{other:?}")),
        })
    }

    fn terminate(&mut self, name: &SmolStr) {
        let (namespace, _) = self.key.split_once('/').unwrap_or(("", self.key));
        self.api.set_workflow_phase(&key(namespace, name), WorkflowPhase::Failed, TERMINATED);
    }

    fn delete(&mut self, name: &SmolStr) {
        let (namespace, _) = self.key.split_once('/').unwrap_or(("", self.key));
        let _ = self.api.delete_workflow(&key(namespace, name), DeletedBy::HistoryGc);
    }

    fn children(&self, cw: &CronWorkflow) -> Vec<ChildWorkflow> {
        // `groupWorkflows`: by the controller owner's uid.
        let uid = &cw.metadata.uid;
        self.api
            .workflows_of(self.key)
            .filter(|w| w.metadata.controller_ref().is_some_and(|r| r.uid == *uid))
            .map(|w| ChildWorkflow {
                name: w.metadata.name.clone(),
                uid: w.metadata.uid.clone(),
                phase: w.phase,
                finished_at: w.finished_at,
                cron_label: w.metadata.labels.get(LABEL_CRON_WORKFLOW).cloned(),
            })
            .collect()
    }

    fn patch(&mut self, cw: &CronWorkflow) -> bool {
        self.api.patch_cronworkflow(self.key, cw)
    }
}

fn completed(cw: &CronWorkflow) -> bool {
    cw.metadata.labels.get(LABEL_CRON_WORKFLOW_COMPLETED).is_some_and(|v| v == "true")
}

impl Actor for CronWorkflowController {
    fn process(&self) -> Process {
        Process::Argo
    }

    fn watches(&self) -> Kinds {
        Kinds::CRONWORKFLOW.with(Kinds::WORKFLOW)
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::CronWorkflow { key, trigger } => {
                // The informer's filter drops a completed CronWorkflow's
                // updates; a deletion still reaches processNextCronItem.
                let shown = core.api.cronworkflows.get(key).is_none_or(|cw| !completed(cw));
                if shown || *trigger == Trigger::Deleted {
                    core.enqueue(&mut self.queue, key, Enqueue::Now);
                }
            }
            Change::Workflow { owner: Some(_), .. } => self.arm_sync(core),
            _ => {}
        }
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        self.process_key(core, key);
    }

    fn on_wake(&mut self, core: &mut Core, key: &SmolStr, token: u64) {
        if core.process(Process::Argo).down {
            return;
        }
        match key.as_str() {
            SYNC if self.sync.is_some_and(|(_, t)| t == token) => {
                self.sync = None;
                self.sync_all(core);
            }
            RESYNC if self.resync == token => {
                let keys: Vec<SmolStr> = core.api.cronworkflows.keys().cloned().collect();
                for k in &keys {
                    self.on_change(core, &Change::CronWorkflow { key: k.clone(), trigger: Trigger::Resync });
                }
                self.arm_resync(core);
            }
            _ if self.crons.get(key).and_then(|c| c.armed).is_some_and(|(_, t)| t == token) => {
                self.fire(core, key);
            }
            _ => {}
        }
    }

    fn start(&mut self, core: &mut Core) {
        if core.api.cronworkflows.is_empty() {
            return;
        }
        // `wait.Until` runs syncAll at once, then every period.
        self.grid = core.now();
        self.sync = None;
        self.arm_sync_at(core, core.now());
        self.arm_resync(core);
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::CronWorkflow(k) = object
            && core.api.cronworkflows.get(k).is_some_and(|cw| !completed(cw))
        {
            core.enqueue(&mut self.queue, k, Enqueue::Now);
        }
    }

    fn stop(&mut self, _core: &mut Core) {
        self.queue.clear();
        self.crons.clear();
        self.sync = None;
        self.resync = 0;
    }
}

impl CronWorkflowController {
    fn token(&mut self) -> u64 {
        self.tokens += 1;
        self.tokens
    }

    /// `processNextCronItem` for `key`.
    fn process_key(&mut self, core: &mut Core, key: &SmolStr) {
        let Some(cw) = core.api.cronworkflows.get(key).cloned() else {
            // Gone from the informer: `cron.Delete(key)`.
            self.crons.remove(key);
            return;
        };
        let now = core.now();
        let local = core.local;
        let cron = self
            .crons
            .entry(key.clone())
            .or_insert_with(|| Cron { ctl: Controller::new(local), armed: None });
        let was = cron.ctl.registered();
        let out = cron.ctl.process(&mut SimArgo { api: &mut core.api, key, catch_up: true }, &cw, now);
        let now_registered = cron.ctl.registered().then(|| cron.ctl.due());
        self.record(core, key, out, true);
        if let (false, Some(next)) = (was, now_registered) {
            core.emit(Entry::CronWorkflowRegistered { object: key.clone(), next });
        }
        self.arm(core, key);
    }

    /// The runner's timer for `key`'s entries.
    fn fire(&mut self, core: &mut Core, key: &SmolStr) {
        let Some(cw) = core.api.cronworkflows.get(key).cloned() else { return };
        let now = core.now();
        let Some(cron) = self.crons.get_mut(key) else { return };
        cron.armed = None;
        let out = cron.ctl.fire(&mut SimArgo { api: &mut core.api, key, catch_up: false }, &cw, now);
        self.record(core, key, out, false);
        self.arm(core, key);
    }

    /// `syncAll`: every CronWorkflow in the store, completed ones included
    /// (the filter only applies to the handlers).
    fn sync_all(&mut self, core: &mut Core) {
        let now = core.now();
        let keys: Vec<SmolStr> = core.api.cronworkflows.keys().cloned().collect();
        for k in &keys {
            let Some(cw) = core.api.cronworkflows.get(k).cloned() else { continue };
            // Sync reads no entries: a key without them syncs the same.
            let mut ctl = self.crons.get(k).map_or_else(|| Controller::new(core.local), |c| c.ctl.clone());
            let out = ctl.sync(&mut SimArgo { api: &mut core.api, key: k, catch_up: false }, &cw, now);
            self.record(core, k, out, false);
        }
    }

    /// Writes what a call did: the store's records (Workflows created,
    /// terminated, deleted), then one record per `Run`.
    fn record(&mut self, core: &mut Core, key: &SmolStr, out: Outcome, catch_up: bool) {
        core.flush_api_log();
        for r in out.runs {
            core.emit(Entry::CronWorkflowRun {
                object: key.clone(),
                scheduled_time: r.scheduled,
                catch_up: catch_up && r.catch_up,
                duplicate: r.duplicate,
                decision: r.decision,
            });
        }
    }

    /// Sets the runner wake-up for `key`'s next entry, if it moved.
    fn arm(&mut self, core: &mut Core, key: &SmolStr) {
        let due = self.crons.get(key).and_then(|c| c.ctl.due());
        let armed = self.crons.get(key).and_then(|c| c.armed.map(|(at, _)| at));
        if due == armed {
            return;
        }
        let token = self.token();
        let Some(cron) = self.crons.get_mut(key) else { return };
        cron.armed = due.map(|at| (at, token));
        if let Some(at) = due {
            core.wake_at(at.max(core.now()), key, token);
        }
    }

    /// A Workflow changed: the next grid point's `syncAll` will see it.
    fn arm_sync(&mut self, core: &mut Core) {
        let now = core.now();
        let since = now.since(self.grid).max(0);
        let next = self.grid.add((since / CRON_SYNC_PERIOD_MS + 1) * CRON_SYNC_PERIOD_MS);
        self.arm_sync_at(core, next);
    }

    fn arm_sync_at(&mut self, core: &mut Core, at: Time) {
        if self.sync.is_some_and(|(armed, _)| armed <= at) {
            return;
        }
        let token = self.token();
        self.sync = Some((at, token));
        core.wake_at(at, &SmolStr::new_static(SYNC), token);
    }

    fn arm_resync(&mut self, core: &mut Core) {
        self.resync = self.token();
        let at = core.now().add(RESYNC_PERIOD_MS);
        core.wake_at(at, &SmolStr::new_static(RESYNC), self.resync);
    }
}
