//! The Workflow operator actor: what Argo's workflow-controller
//! (`workflow/controller/operator.go`) writes of a Workflow's phase, from
//! the workload's `behaviour:` (docs/fidelity/argo.md#argo-12).
//!
//! A Workflow is one step: it is `Pending` when submitted, `Running` once
//! its pod's container starts (the behaviour's start latency) and
//! `Succeeded` or `Failed` when it exits (its duration and exit code). The
//! draw is the Jobs' one (`Behaviour::attempt`, attempt 0) from the run
//! stream keyed by the CronWorkflow and the scheduled tick, so the same
//! workload and tick get the same draw whichever controller runs it.
//! `spec.workflowSpec.activeDeadlineSeconds` fails a Workflow still running
//! at its deadline. Retries, templates and nodes are not modelled.
//!
//! The pod runs on the node whatever the controller does; the phase is the
//! operator's write, so while the workflow-controller is down nothing is
//! written, and at its start every Workflow whose step has ended meanwhile
//! gets its phase at once.

use crate::model::{Millis, Time};
use crate::policy::argo::WorkflowPhase;
use crate::policy::crossplane::Trigger;
use crate::sim::actor::{Actor, Core, Process};
use crate::sim::api_server::{Change, Kinds};
use crate::sim::rng;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// The message of a Workflow failed by its `activeDeadlineSeconds`.
pub const DEADLINE_EXCEEDED: &str = "Step exceeded its deadline";

/// A Workflow's drawn course.
#[derive(Debug, Clone)]
struct Course {
    /// When its container starts.
    running_at: Time,
    /// When it ends.
    ends_at: Time,
    /// The phase and message it ends with.
    end: (WorkflowPhase, SmolStr),
    /// Whether `Running` was written.
    running: bool,
}

/// The Workflow operator (simulator bookkeeping survives restarts: the
/// pods run on).
#[derive(Debug, Default)]
pub struct WorkflowController {
    courses: BTreeMap<SmolStr, Course>,
}

/// Stage tokens: the low bit tells the end from the start.
fn token(epoch: u64, end: bool) -> u64 {
    epoch * 2 + u64::from(end)
}

impl Actor for WorkflowController {
    fn process(&self) -> Process {
        Process::Argo
    }

    fn watches(&self) -> Kinds {
        Kinds::WORKFLOW
    }

    fn observe(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::Workflow { key, owner: Some(owner), trigger: Trigger::Created } => {
                self.plan(core, key, owner);
            }
            Change::Workflow { key, trigger: Trigger::Deleted, .. } => {
                self.courses.remove(key);
            }
            // Terminated by Replace (or finished here): nothing left to write.
            Change::Workflow { key, trigger: Trigger::StatusChanged, .. }
                if core.api.workflows.get(key).is_some_and(|w| w.phase.fulfilled()) =>
            {
                self.courses.remove(key);
            }
            _ => {}
        }
    }

    fn on_wake(&mut self, core: &mut Core, key: &SmolStr, token: u64) {
        let epoch = core.process(Process::Argo).epoch;
        if core.process(Process::Argo).down || token / 2 != epoch {
            return;
        }
        self.step(core, key);
    }

    fn start(&mut self, core: &mut Core) {
        let keys: Vec<SmolStr> = self.courses.keys().cloned().collect();
        for k in &keys {
            self.step(core, k);
        }
    }
}

impl WorkflowController {
    /// Draws a new Workflow's course and sets its first wake-up.
    fn plan(&mut self, core: &mut Core, key: &SmolStr, owner: &SmolStr) {
        let Some(wf) = core.api.workflows.get(key) else { return };
        let (scheduled, created) = (wf.scheduled, core.now());
        let behaviour = core.workloads.get(owner).map(|w| w.behaviour.clone()).unwrap_or_default();
        let deadline: Option<Millis> = core
            .api
            .cronworkflows
            .get(owner)
            .and_then(|cw| cw.spec.workflow_spec.active_deadline_seconds)
            .map(|s| s.saturating_mul(1000));
        let run = core.next_run(owner);
        let mut stream = rng::run_stream(core.seed, owner, Some(scheduled), run);
        let a = behaviour.attempt(&mut stream, run, 0);
        let running_at = created.add(a.start_latency);
        let mut ends_at = running_at.add(a.duration);
        let mut end = if a.exit_code == 0 {
            (WorkflowPhase::Succeeded, SmolStr::default())
        } else {
            (WorkflowPhase::Failed, smol_str::format_smolstr!("Error (exit code {})", a.exit_code))
        };
        if let Some(d) = deadline
            && ends_at > created.add(d)
        {
            ends_at = created.add(d);
            end = (WorkflowPhase::Failed, DEADLINE_EXCEEDED.into());
        }
        let course = Course { running_at: running_at.min(ends_at), ends_at, end, running: false };
        self.courses.insert(key.clone(), course);
        if !core.process(Process::Argo).down {
            self.step(core, key);
        }
    }

    /// Writes what is due of `key`'s course now and sets the next wake-up.
    fn step(&mut self, core: &mut Core, key: &SmolStr) {
        let now = core.now();
        let epoch = core.process(Process::Argo).epoch;
        let Some(c) = self.courses.get_mut(key) else { return };
        if c.ends_at <= now {
            let (phase, message) = c.end.clone();
            self.courses.remove(key);
            core.api.set_workflow_phase(key, phase, &message);
            return;
        }
        if c.running_at <= now && !c.running {
            c.running = true;
            core.api.set_workflow_phase(key, WorkflowPhase::Running, "");
        }
        let (at, end) = if c.running { (c.ends_at, true) } else { (c.running_at, false) };
        core.wake_at(at, key, token(epoch, end));
    }
}
