//! The CronWorkflow controller's three entry points around one
//! CronWorkflow (`workflow/cron/controller.go`): `processNextCronItem` on
//! every add, update and resync ([`Controller::process`]), the runner's
//! timer ([`Controller::fire`]) and `syncCronWorkflow` every
//! `CRON_SYNC_PERIOD` ([`Controller::sync`]). The API server is reached
//! through [`ArgoApi`], so a simulator or a test's fake answers it; the
//! driver delivers the update event each changed patch causes by calling
//! [`Controller::process`] again (docs/fidelity/argo.md#argo-4).

use super::operator::{
    ChildWorkflow, RunDecision, history_to_delete, missed_execution, reconcile_active, record_submission,
    run, submission_failed,
};
use super::runner::Runner;
use crate::model::argo::{CronWorkflow, LABEL_CRON_WORKFLOW_COMPLETED, validate_cronworkflow};
use crate::model::{ObjectReference, Time};
use crate::schedule::Zone;
use smol_str::SmolStr;

/// Why a submission failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// A Workflow of that name exists: upstream drops the run silently.
    AlreadyExists,
    /// Anything else: a `SubmissionError` condition, counted as failed.
    Other(String),
}

/// The API calls the controller makes for one CronWorkflow.
pub trait ArgoApi {
    /// `SubmitWorkflow`: create the child `name` for `scheduled`.
    fn submit(
        &mut self,
        cw: &CronWorkflow,
        name: &SmolStr,
        scheduled: Time,
    ) -> Result<ObjectReference, SubmitError>;
    /// `TerminateWorkflow` (Replace); a missing or finished one is ignored.
    fn terminate(&mut self, name: &SmolStr);
    /// `Delete` (history GC).
    fn delete(&mut self, name: &SmolStr);
    /// The Workflow lister's children of `cw` (by controller owner uid).
    fn children(&self, cw: &CronWorkflow) -> Vec<ChildWorkflow>;
    /// A merge patch of `cw`'s status, labels and annotations; returns
    /// whether the stored object changed (an update event follows then).
    fn patch(&mut self, cw: &CronWorkflow) -> bool;
}

/// One `run` and what came of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The scheduled time `run` was given.
    pub scheduled: Time,
    /// A catch-up from [`missed_execution`] rather than a timer fire.
    pub catch_up: bool,
    /// The decision.
    pub decision: RunDecision,
    /// For a submission: whether the API refused it `AlreadyExists`.
    pub duplicate: bool,
}

/// What one call did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// The runs, in order.
    pub runs: Vec<RunRecord>,
    /// The stored CronWorkflow changed: deliver an update (call
    /// [`Controller::process`]).
    pub updated: bool,
    /// Children deleted by history GC.
    pub deleted: Vec<SmolStr>,
}

/// One CronWorkflow's state in the controller: its runner entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Controller {
    runner: Option<Runner>,
    local: Zone,
}

impl Controller {
    /// No entries yet; `local` is the controller's zone.
    pub fn new(local: Zone) -> Controller {
        Controller { runner: None, local }
    }

    /// The process stopped: the runner and its entries are gone.
    pub fn stop(&mut self) {
        self.runner = None;
    }

    /// Whether the runner holds entries for this CronWorkflow (after a
    /// restart it has none until a `process` registers them).
    pub fn registered(&self) -> bool {
        self.runner.is_some()
    }

    /// When the runner fires next for this CronWorkflow.
    pub fn due(&self) -> Option<Time> {
        self.runner.as_ref().and_then(Runner::due)
    }

    /// `processNextCronItem`: validate, maybe catch up one missed tick (and
    /// then return without re-registering), else re-register the entries.
    /// A CronWorkflow labelled completed never gets here (the informer's
    /// filter), so it is skipped.
    pub fn process(&mut self, api: &mut impl ArgoApi, cw: &CronWorkflow, now: Time) -> Outcome {
        let mut out = Outcome::default();
        if cw.metadata.labels.get(LABEL_CRON_WORKFLOW_COMPLETED).is_some_and(|v| v == "true") {
            return out;
        }
        if validate_cronworkflow(cw).is_some() {
            return out;
        }
        match missed_execution(cw, now) {
            Err(_) => return out,
            Ok(Some(missed)) => {
                self.run_once(api, cw, missed, now, true, &mut out);
                return out;
            }
            Ok(None) => {}
        }
        let (runner, _) = Runner::register(&cw.spec.schedules_with_timezone(), now, self.local);
        self.runner = Some(runner);
        out
    }

    /// The runner's timer at `now`: each due entry calls `Run` with the
    /// latest `Prev` as its scheduled time, on `cw` as stored (each run
    /// sees the previous run's patch).
    pub fn fire(&mut self, api: &mut impl ArgoApi, cw: &CronWorkflow, now: Time) -> Outcome {
        let mut out = Outcome::default();
        let Some(runner) = self.runner.as_mut() else { return out };
        let ran = runner.fire(now);
        let Some(scheduled) = runner.scheduled_time() else { return out };
        let mut current = cw.clone();
        for _ in 0..ran {
            current = self.run_once(api, &current, scheduled, now, false, &mut out);
        }
        out
    }

    /// `syncCronWorkflow`: history GC, then `reconcileActiveWfs`.
    pub fn sync(&mut self, api: &mut impl ArgoApi, cw: &CronWorkflow, now: Time) -> Outcome {
        let mut out = Outcome::default();
        let children = api.children(cw);
        for name in history_to_delete(cw, &children) {
            api.delete(&name);
            out.deleted.push(name);
        }
        let mut w = cw.clone();
        if reconcile_active(&mut w, &children, now) == Ok(true) {
            out.updated |= api.patch(&w);
        }
        out
    }

    /// `cronWfOperationCtx.run` with its submission and deferred patch;
    /// returns the object as patched.
    fn run_once(
        &mut self,
        api: &mut impl ArgoApi,
        cw: &CronWorkflow,
        scheduled: Time,
        now: Time,
        catch_up: bool,
        out: &mut Outcome,
    ) -> CronWorkflow {
        let mut w = cw.clone();
        let decision = run(&mut w, scheduled, now);
        let mut duplicate = false;
        if let RunDecision::Submit { name, terminate } = &decision {
            for t in terminate {
                api.terminate(t);
            }
            match api.submit(&w, name, scheduled) {
                Ok(child) => record_submission(&mut w, child, scheduled),
                Err(SubmitError::AlreadyExists) => duplicate = true,
                Err(SubmitError::Other(e)) => submission_failed(&mut w, &e),
            }
        }
        out.runs.push(RunRecord { scheduled, catch_up, decision, duplicate });
        out.updated |= api.patch(&w);
        w
    }
}
