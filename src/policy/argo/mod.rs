//! Argo Workflows' CronWorkflow controller (`workflow/cron/` in
//! argo-workflows v4.1), as pure decisions (docs/fidelity/argo.md).
//!
//! The controller is not a sync loop: robfig/cron's in-process runner
//! ([`runner`]) fires each schedule on a wall-clock timer and calls
//! [`run`]; every CronWorkflow add or update (and the informer's 20-minute
//! resync) re-registers the entries and first checks for one missed tick
//! ([`missed_execution`]); every 10 s (`CRON_SYNC_PERIOD`) `syncAll`
//! collects history ([`history_to_delete`]) and reconciles
//! `status.active` ([`reconcile_active`]). `when` and `stopStrategy` are
//! evaluated in the subset of [`expr`].

mod controller;
pub mod expr;
mod operator;
pub mod runner;
mod when;

pub use controller::{ArgoApi, Controller, Outcome, RunRecord, SubmitError};
pub use operator::{
    ChildWorkflow, PHASE_ACTIVE, PHASE_STOPPED, RunDecision, WorkflowPhase, expression_env,
    history_to_delete, missed_execution, reconcile_active, record_submission, run, stop_condition,
    submission_failed,
};
pub use runner::Runner;
pub use when::{When, parse_stop, parse_when};

/// `cronSyncPeriod`'s default (`CRON_SYNC_PERIOD`): how often `syncAll`
/// runs history GC and the active-list reconcile.
pub const CRON_SYNC_PERIOD_MS: i64 = 10_000;

/// `cronWorkflowResyncPeriod`: the informer resync that re-registers every
/// CronWorkflow (and re-checks for a missed tick).
pub const RESYNC_PERIOD_MS: i64 = 20 * 60_000;
