//! One Operation reconcile (one attempt of its pipeline): crossplane
//! `internal/controller/ops/operation/reconciler.go` `Reconcile`
//! (docs/fidelity/crossplane.md#xp-13).

use super::{CrossplaneApi, FunctionRunner, OPERATIONS, Requeue, api_error_text, go_quote};
use crate::model::crossplane::{
    AppliedResourceRef, FunctionRequirements, Operation, PipelineStep, PipelineStepStatus, XpCondition,
    set_conditions,
};
use crate::model::{MINUTE, Millis, Time};
use crate::policy::api::Event;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The reconcile's context timeout (`timeout`): one budget for the whole
/// attempt, status writes included.
pub const ATTEMPT_TIMEOUT: Millis = 2 * MINUTE;

/// The error a call made after the attempt's context expired returns
/// [inferred: client-go's rate limiter refuses to wait past the deadline].
const DEADLINE_EXCEEDED: &str = "context deadline exceeded";

/// A function result's severity (`fnv1.Severity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Severity {
    /// The attempt fails.
    Fatal,
    /// A Warning event; the attempt goes on.
    Warning,
    /// A Normal event; the attempt goes on.
    Normal,
    /// A severity this Crossplane build does not know: treated as Warning.
    Unspecified,
}

/// One result a function returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FunctionResult {
    /// How severe it is.
    pub severity: Severity,
    /// The result's message.
    pub message: String,
}

/// A `RunFunctionResponse`, reduced to what the reconciler acts on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FunctionResponse {
    /// The results, in order.
    pub results: Vec<FunctionResult>,
    /// The step's output, recorded in `status.pipeline`.
    pub output: Option<serde_json::Value>,
    /// Desired resources by name; the last step's set is applied.
    pub desired: BTreeMap<String, serde_json::Value>,
}

/// One `RunFunction` call: its duration and its answer (an error is the
/// gRPC error text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FunctionCall {
    /// How long the call took, in milliseconds.
    pub took: Millis,
    /// The response, or the gRPC error text.
    pub response: Result<FunctionResponse, String>,
}

/// Why an attempt failed (each counts one in `status.failures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "cause", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum AttemptFailure {
    /// A function lacks the `operation` capability (Warning InvalidPipeline).
    MissingCapabilities,
    /// A credentials Secret could not be read.
    Credentials {
        /// The pipeline step's name.
        step: String,
        /// The credential's name.
        credential: String,
    },
    /// A bootstrap requirement could not be fetched.
    Requirements {
        /// The pipeline step's name.
        step: String,
        /// The requirement's name.
        requirement: String,
    },
    /// `RunFunction` returned an error.
    Invocation {
        /// The pipeline step's name.
        step: String,
    },
    /// The 2-minute budget ran out during a step. The best-effort status
    /// write then fails too, so the increment is lost (inferred): a
    /// pipeline that always times out is retried for ever.
    Timeout {
        /// The pipeline step's name.
        step: String,
    },
    /// A result of severity Fatal.
    FatalResult {
        /// The pipeline step's name.
        step: String,
    },
    /// Server-side apply of a desired resource failed.
    ApplyResource {
        /// The desired resource's name.
        resource: String,
    },
}

/// The branch of `Reconcile` that returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum OperationDecision {
    /// deletionTimestamp set.
    Deleting,
    /// `Succeeded` is already True or False.
    AlreadyComplete,
    /// `failures >= retryLimit` (default 5): Succeeded=False, "failure limit
    /// of N reached". `retryLimit: 0` lands here before any attempt.
    FailureLimitReached {
        /// The `retryLimit` reached.
        limit: i64,
    },
    /// Writing Succeeded=Unknown/PipelineRunning failed (a stale object
    /// gives Conflict): nothing ran.
    StatusWriteFailed {
        /// The write's error text.
        error: String,
    },
    /// The attempt failed; `failures` is the count after it.
    AttemptFailed {
        /// Why the attempt failed.
        failure: AttemptFailure,
        /// `status.failures` after this failure.
        failures: i64,
        /// The error text (also the Warning event's message and the Synced=False condition's).
        error: String,
    },
    /// A step's input is not a JSON object: failed at once, no retry.
    InvalidInput {
        /// The pipeline step's name.
        step: String,
    },
    /// Every step ran and every desired resource was applied.
    Succeeded {
        /// The desired resources applied, by name, in order.
        applied: Vec<String>,
    },
}

/// Everything one reconcile (attempt) produced.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationOutcome {
    /// The Operation with the status the reconcile computed.
    pub operation: Operation,
    /// Whether the final status reached the API server (false when a write
    /// failed or was never sent).
    pub status_persisted: bool,
    /// What controller-runtime does next.
    pub requeue: Requeue,
    /// Events in emission order.
    pub events: Vec<Event>,
    /// The branch of `Reconcile` that returned.
    pub decision: OperationDecision,
    /// Time spent in functions (capped at [`ATTEMPT_TIMEOUT`]): when the
    /// attempt ends relative to `now`.
    pub elapsed: Millis,
}

struct Attempt {
    op: Operation,
    events: Vec<Event>,
    now: Time,
    elapsed: Millis,
    persisted: bool,
}

impl Attempt {
    fn clock(&self) -> Time {
        self.now.add(self.elapsed)
    }

    fn mark(&mut self, conditions: impl IntoIterator<Item = XpCondition>) {
        set_conditions(&mut self.op.status.conditions, conditions);
    }

    fn event(&mut self, warning: bool, reason: &str, message: String) {
        let object = format!("Operation/{}", self.op.metadata.name);
        self.events.push(if warning {
            Event::warning(object, reason, message)
        } else {
            Event::normal(object, reason, message)
        });
    }

    /// `Status().Update` under the attempt's context.
    fn write(&mut self, api: &mut dyn CrossplaneApi) -> Result<(), String> {
        let res = if self.elapsed >= ATTEMPT_TIMEOUT {
            Err(DEADLINE_EXCEEDED.to_string())
        } else {
            api.update_operation_status(&self.op)
                .map_err(|e| api_error_text(OPERATIONS, &self.op.metadata.name, &e))
        };
        self.persisted = res.is_ok();
        res.map_err(|e| format!("cannot update Operation status: {e}"))
    }

    /// A failed attempt: failures++, Warning event, Synced=False, a
    /// best-effort status write, and a rate-limited retry.
    fn fail(
        &mut self,
        api: &mut dyn CrossplaneApi,
        reason: &str,
        failure: AttemptFailure,
        error: String,
        extra: Option<XpCondition>,
    ) -> (OperationDecision, Requeue) {
        self.op.status.failures += 1;
        self.event(true, reason, error.clone());
        let at = self.clock();
        self.mark(std::iter::once(XpCondition::reconcile_error(error.clone(), at)).chain(extra));
        let _ = self.write(api);
        let failures = self.op.status.failures;
        (
            OperationDecision::AttemptFailed { failure, failures, error: error.clone() },
            Requeue::RateLimited { error },
        )
    }
}

/// Mirrors `Reconciler.Reconcile` for an Operation: one attempt of the
/// whole pipeline, from step 1. Retries come from the rate limiter
/// ([`super::retry_backoff`]), never from watches.
pub fn reconcile_operation(
    api: &mut dyn CrossplaneApi,
    fns: &mut dyn FunctionRunner,
    op: &Operation,
    now: Time,
) -> OperationOutcome {
    let mut a = Attempt { op: op.clone(), events: Vec::new(), now, elapsed: 0, persisted: false };
    let (decision, requeue) = attempt(api, fns, &mut a);
    OperationOutcome {
        operation: a.op,
        status_persisted: a.persisted,
        requeue,
        events: a.events,
        decision,
        elapsed: a.elapsed,
    }
}

fn attempt(
    api: &mut dyn CrossplaneApi,
    fns: &mut dyn FunctionRunner,
    a: &mut Attempt,
) -> (OperationDecision, Requeue) {
    if a.op.metadata.deletion_timestamp.is_some() {
        return (OperationDecision::Deleting, Requeue::Done);
    }
    if a.op.is_complete() {
        return (OperationDecision::AlreadyComplete, Requeue::Done);
    }
    let limit = a.op.spec.retry_limit();
    if a.op.status.failures >= limit {
        let at = a.clock();
        a.mark([
            XpCondition::reconcile_success(at),
            XpCondition::failed(format!("failure limit of {limit} reached"), at),
        ]);
        let requeue = match a.write(api) {
            Ok(()) => Requeue::Done,
            Err(error) => Requeue::RateLimited { error },
        };
        return (OperationDecision::FailureLimitReached { limit }, requeue);
    }
    let at = a.clock();
    a.mark([XpCondition::running(at)]);
    if let Err(error) = a.write(api) {
        return (
            OperationDecision::StatusWriteFailed { error: error.clone() },
            Requeue::RateLimited { error },
        );
    }
    let names: Vec<String> = a.op.spec.pipeline.iter().map(|s| s.function_ref.name.clone()).collect();
    if let Err(e) = fns.check_capabilities(&names) {
        let error = format!("function capability check failed: {e}");
        let extra = XpCondition::missing_capabilities(error.clone(), a.clock());
        return a.fail(api, "InvalidPipeline", AttemptFailure::MissingCapabilities, error, Some(extra));
    }
    let at = a.clock();
    a.mark([XpCondition::valid_pipeline(at)]);
    let mut desired = BTreeMap::new();
    for step in a.op.spec.pipeline.clone() {
        match run_step(api, fns, a, &step) {
            Ok(d) => desired = d,
            Err(exit) => return exit,
        }
    }
    let mut applied = Vec::new();
    for (name, resource) in &desired {
        if let Err(e) = api.apply_resource(&a.op, name, resource) {
            let error = format!("cannot apply desired resource: {e}");
            let failure = AttemptFailure::ApplyResource { resource: name.clone() };
            return a.fail(api, "InvalidResource", failure, error, None);
        }
        add_resource_ref(&mut a.op.status.applied_resource_refs, resource);
        applied.push(name.clone());
    }
    let at = a.clock();
    a.mark([XpCondition::reconcile_success(at), XpCondition::complete(at)]);
    let requeue = match a.write(api) {
        Ok(()) => Requeue::Done,
        Err(error) => Requeue::RateLimited { error },
    };
    (OperationDecision::Succeeded { applied }, requeue)
}

/// One pipeline step: input, credentials, bootstrap requirements,
/// `RunFunction`, results and output. Returns the step's desired resources.
fn run_step(
    api: &mut dyn CrossplaneApi,
    fns: &mut dyn FunctionRunner,
    a: &mut Attempt,
    step: &PipelineStep,
) -> Result<BTreeMap<String, serde_json::Value>, (OperationDecision, Requeue)> {
    let s = step.step.clone();
    if let Some(input) = &step.input
        && !input.is_object()
    {
        let msg = format!("cannot unmarshal input for operation pipeline step {}", go_quote(&s));
        let at = a.clock();
        a.mark([XpCondition::reconcile_success(at), XpCondition::failed(msg.clone(), at)]);
        let _ = a.write(api);
        // The returned error (logged, then retried into IsComplete) wraps
        // protojson's text, which cronwarp does not reproduce.
        let error = format!("{msg}: input is not a JSON object");
        return Err((OperationDecision::InvalidInput { step: s }, Requeue::RateLimited { error }));
    }
    for c in &step.credentials {
        let Some(secret) = c.secret_ref.as_ref().filter(|_| c.source == "Secret") else { continue };
        if let Err(e) = api.get_secret(&secret.namespace, &secret.name) {
            let error = format!(
                "cannot get operation pipeline step {} credential {} from Secret: {}",
                go_quote(&s),
                go_quote(&c.name),
                api_error_text("secrets", &secret.name, &e)
            );
            let failure = AttemptFailure::Credentials { step: s.clone(), credential: c.name.clone() };
            return Err(a.fail(api, "FunctionInvocation", failure, error, None));
        }
    }
    if let Some(req) = &step.requirements
        && let Err((what, requirement, e)) = fetch_requirements(fns, req)
    {
        let error =
            format!("cannot fetch bootstrap required {what} for requirement {}: {e}", go_quote(&requirement));
        let failure = AttemptFailure::Requirements { step: s.clone(), requirement };
        return Err(a.fail(api, "BootstrapRequirements", failure, error, None));
    }
    let call = fns.run_function(&a.op, &s, &step.function_ref.name);
    let left = ATTEMPT_TIMEOUT - a.elapsed;
    if call.took.max(0) >= left {
        a.elapsed = ATTEMPT_TIMEOUT;
        let error = format!("failed to invoke pipeline step {}: {DEADLINE_EXCEEDED}", go_quote(&s));
        return Err(a.fail(api, "FunctionInvocation", AttemptFailure::Timeout { step: s }, error, None));
    }
    a.elapsed += call.took.max(0);
    let rsp = match call.response {
        Ok(r) => r,
        Err(e) => {
            let error = format!("failed to invoke pipeline step {}: {e}", go_quote(&s));
            return Err(a.fail(
                api,
                "FunctionInvocation",
                AttemptFailure::Invocation { step: s },
                error,
                None,
            ));
        }
    };
    for r in &rsp.results {
        let q = go_quote(&s);
        match r.severity {
            Severity::Fatal => {
                let failure = AttemptFailure::FatalResult { step: s.clone() };
                return Err(a.fail(api, "FunctionInvocation", failure, r.message.clone(), None));
            }
            Severity::Warning => {
                a.event(true, "RunPipelineStep", format!("Pipeline step {q}: {}", r.message))
            }
            Severity::Normal => {
                a.event(false, "RunPipelineStep", format!("Pipeline step {q}: {}", r.message))
            }
            Severity::Unspecified => a.event(
                true,
                "RunPipelineStep",
                format!(
                    "Pipeline step {q} returned a result of unknown severity (assuming warning): {}",
                    r.message
                ),
            ),
        }
    }
    if let Some(output) = rsp.output {
        add_step_output(&mut a.op.status.pipeline, &s, output);
    }
    Ok(rsp.desired)
}

/// The bootstrap fetches, resources then schemas, stopping at the first
/// failure: `(what, requirement, error)`.
fn fetch_requirements(
    fns: &mut dyn FunctionRunner,
    req: &FunctionRequirements,
) -> Result<(), (&'static str, String, String)> {
    for r in &req.required_resources {
        fns.fetch_required_resources(r).map_err(|e| ("resources", r.requirement_name.clone(), e))?;
    }
    for r in &req.required_schemas {
        fns.fetch_required_schema(r).map_err(|e| ("schema", r.requirement_name.clone(), e))?;
    }
    Ok(())
}

/// Mirrors `AddPipelineStepOutput`: replace the step's output in place, or
/// append it.
fn add_step_output(pipeline: &mut Vec<PipelineStepStatus>, step: &str, output: serde_json::Value) {
    match pipeline.iter_mut().find(|p| p.step == step) {
        Some(p) => p.output = Some(output),
        None => pipeline.push(PipelineStepStatus { step: step.into(), output: Some(output) }),
    }
}

/// Mirrors `AddResourceRef`: add once, keep sorted by
/// apiVersion+kind+namespace+name.
fn add_resource_ref(refs: &mut Vec<AppliedResourceRef>, resource: &serde_json::Value) {
    let field =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or_default().to_string();
    let meta = resource.get("metadata").cloned().unwrap_or_default();
    let ns = field(&meta, "namespace");
    let r = AppliedResourceRef {
        api_version: field(resource, "apiVersion"),
        kind: field(resource, "kind"),
        namespace: (!ns.is_empty()).then_some(ns),
        name: field(&meta, "name"),
    };
    if refs.iter().any(|e| e == &r) {
        return;
    }
    refs.push(r);
    let key = |r: &AppliedResourceRef| {
        format!("{}{}{}{}", r.api_version, r.kind, r.namespace.as_deref().unwrap_or_default(), r.name)
    };
    refs.sort_by_key(key);
}
