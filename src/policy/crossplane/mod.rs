//! The Crossplane CronOperation and Operation controllers as pure functions
//! (docs/fidelity/crossplane.md): crossplane
//! `internal/controller/ops/cronoperation` (`Reconciler.Reconcile`,
//! `NewOperation`), `internal/ops/lifecycle` and
//! `internal/controller/ops/operation` (`Reconciler.Reconcile`).
//!
//! As with [`crate::policy::cronjob`], `now` is an argument and the API
//! server and the functions are reached only through [`CrossplaneApi`] and
//! [`FunctionRunner`]. Each reconcile returns an outcome whose decision
//! names the branch taken, for the simulator and the report.
//!
//! The defaults reproduce upstream, bugs included; [`CrossplaneSettings`]
//! can switch on the fixes proposed for crossplane#7524.

mod cronoperation;
mod history;
mod operation;
mod triggers;

pub use cronoperation::{
    CronContext, CronDecision, CronOperationOutcome, DeleteCause, Deletion, reconcile_cronoperation,
};
pub use history::{
    GO_ZERO, latest_schedule_time, latest_success_time, mark_garbage, new_operation, operation_name,
    running_refs, slot_from_name, sort_newest_first,
};
pub use operation::{
    ATTEMPT_TIMEOUT, AttemptFailure, FunctionCall, FunctionResponse, FunctionResult, OperationDecision,
    OperationOutcome, Severity, reconcile_operation,
};
pub use triggers::{Trigger, cronoperation_wakes_on, operation_wakes_on};

use crate::model::crossplane::{CronOperation, Operation, RequiredResourceSelector, RequiredSchemaSelector};
use crate::model::{Millis, SECOND};
use crate::policy::api::ApiError;
use serde::{Deserialize, Serialize};

/// The API-server calls the two reconcilers make (controller-runtime's
/// client; reads go through its cache). Implementations decide creation
/// timestamps (API-server clock, whole seconds) and failures.
pub trait CrossplaneApi {
    /// LIST Operations labelled `ops.crossplane.io/cronoperation=<name>`,
    /// finished ones included.
    fn list_operations(&mut self, cronoperation: &str) -> Result<Vec<std::sync::Arc<Operation>>, ApiError>;
    /// CREATE an Operation; returns the stored object.
    fn create_operation(&mut self, op: Operation) -> Result<Operation, ApiError>;
    /// DELETE an Operation (default propagation).
    fn delete_operation(&mut self, name: &str) -> Result<(), ApiError>;
    /// `Status().Update` of a CronOperation.
    fn update_cronoperation_status(&mut self, co: &CronOperation) -> Result<(), ApiError>;
    /// `Status().Update` of an Operation (a stale object gives Conflict).
    fn update_operation_status(&mut self, op: &Operation) -> Result<(), ApiError>;
    /// GET a credentials Secret.
    fn get_secret(&mut self, namespace: &str, name: &str) -> Result<(), ApiError>;
    /// Server-side apply of one desired resource (forced ownership).
    fn apply_resource(
        &mut self,
        op: &Operation,
        name: &str,
        resource: &serde_json::Value,
    ) -> Result<(), ApiError>;
}

/// What the Operation controller asks of the function runtime (`xfn`):
/// capability checks, bootstrap requirements and `RunFunction`.
pub trait FunctionRunner {
    /// `CheckCapabilities(["operation"], functions…)`; the error text.
    fn check_capabilities(&mut self, functions: &[String]) -> Result<(), String>;
    /// Fetch a step's bootstrap required resources.
    fn fetch_required_resources(&mut self, selector: &RequiredResourceSelector) -> Result<(), String>;
    /// Fetch a step's bootstrap required schema.
    fn fetch_required_schema(&mut self, selector: &RequiredSchemaSelector) -> Result<(), String>;
    /// `RunFunction` for one step: how long it takes and what it returns.
    fn run_function(&mut self, op: &Operation, step: &str, function: &str) -> FunctionCall;
}

/// Where the CronOperation's schedule cursor comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum CursorSource {
    /// Upstream: the newest child's `creationTimestamp` (API-server clock,
    /// whole seconds). With the controller's clock ahead of the API
    /// server the cursor lands before the slot just created and the same
    /// slot comes round again (crossplane#7524, bug B2).
    #[default]
    CreationTimestamp,
    /// crossplane PR #7535 (also part of #7834): the newest child's slot,
    /// parsed from its `<cronop>-<unix seconds>` name.
    NameEncodedSlot,
}

/// Upstream behaviour and the proposed fixes, as named settings.
/// [`CrossplaneSettings::default`] is upstream with its bugs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CrossplaneSettings {
    /// The schedule cursor.
    pub cursor: CursorSource,
    /// crossplane PR #7834: an AlreadyExists from CREATE counts as success
    /// (Synced=True, requeue for the next slot) instead of an error retried
    /// with backoff. On its own it turns #7524's loud loop into a silent
    /// stall: the cursor still names the old slot at every later tick.
    pub tolerate_already_exists: bool,
}

impl CrossplaneSettings {
    /// Both proposed fixes for crossplane#7524.
    pub fn with_proposed_fixes() -> CrossplaneSettings {
        CrossplaneSettings { cursor: CursorSource::NameEncodedSlot, tolerate_already_exists: true }
    }
}

/// What controller-runtime does with a reconcile's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "requeue", rename_all = "camelCase")]
pub enum Requeue {
    /// No error and no `RequeueAfter`: `Forget` (the backoff resets); only
    /// a watch event wakes the object again.
    Done,
    /// `RequeueAfter` > 0 with no error: `Forget`, then a timer.
    After {
        /// The delay, in milliseconds.
        after: Millis,
    },
    /// An error (or a conflict silently turned into `Requeue: true`):
    /// `AddRateLimited`, see [`retry_backoff`].
    RateLimited {
        /// The reconcile's error text.
        error: String,
    },
}

impl Requeue {
    /// `RequeueAfter: d`; controller-runtime ignores zero and negative
    /// durations, which then act as [`Requeue::Done`].
    pub fn after(d: Millis) -> Requeue {
        if d > 0 { Requeue::After { after: d } } else { Requeue::Done }
    }
}

/// First delay of the per-item rate limiter (`ratelimiter.NewController`).
pub const RETRY_BASE: Millis = SECOND;
/// Cap of the per-item rate limiter.
pub const RETRY_MAX: Millis = 60 * SECOND;

/// Mirrors `workqueue.ItemExponentialFailureRateLimiter(1s, 60s).When`:
/// the delay of a rate-limited requeue after `previous` earlier ones of the
/// same object since its last `Forget` (1 s, 2 s, 4 s … capped at 60 s).
pub fn retry_backoff(previous: u32) -> Millis {
    if previous >= 6 {
        return RETRY_MAX;
    }
    (RETRY_BASE << previous).min(RETRY_MAX)
}

/// An API error as `err.Error()` prints it for a named object of a
/// resource (`operations.ops.crossplane.io "x" already exists`).
pub fn api_error_text(resource: &str, name: &str, e: &ApiError) -> String {
    match e {
        ApiError::NotFound => format!("{resource} \"{name}\" not found"),
        ApiError::AlreadyExists => format!("{resource} \"{name}\" already exists"),
        ApiError::Conflict => format!("{resource} \"{name}\": {e}"),
        ApiError::NamespaceTerminating | ApiError::Other(_) => e.to_string(),
    }
}

/// The resource name in API errors about Operations.
pub(crate) const OPERATIONS: &str = "operations.ops.crossplane.io";
/// The resource name in API errors about CronOperations.
pub(crate) const CRONOPERATIONS: &str = "cronoperations.ops.crossplane.io";

pub use crate::schedule::go_quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("0 2 1,L * *"), "\"0 2 1,L * *\"");
        assert_eq!(go_quote("a\"b\\c\td\u{1}"), "\"a\\\"b\\\\c\\td\\x01\"");
    }

    #[test]
    fn zero_and_negative_requeues_are_no_timer() {
        assert_eq!(Requeue::after(0), Requeue::Done);
        assert_eq!(Requeue::after(-5), Requeue::Done);
        assert_eq!(Requeue::after(5), Requeue::After { after: 5 });
        assert_eq!(retry_backoff(u32::MAX), RETRY_MAX);
    }
}
