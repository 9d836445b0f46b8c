//! The Operation reconciler (docs/fidelity/crossplane.md#xp-13): the retry model, conditions
//! and events per failure, the 2-minute attempt timeout, and the API types'
//! defaults and validation.

use crate::support::crossplane::{Fake, Functions, err_call, ok_call};
use crate::support::t;
use cronwarp::model::crossplane::{
    CronOperation, FunctionCredentials, FunctionRequirements, Operation, PipelineStep,
    RequiredResourceSelector, SecretReference, TYPE_SUCCEEDED, TYPE_SYNCED, TYPE_VALID_PIPELINE, XpCondition,
    set_conditions, validate_cronoperation, validate_operation,
};
use cronwarp::model::{MINUTE, SECOND, Time};
use cronwarp::policy::crossplane::{
    AttemptFailure, FunctionResponse, FunctionResult, OperationDecision, OperationOutcome, Requeue, Severity,
    Trigger, operation_wakes_on, reconcile_operation, retry_backoff,
};
use cronwarp::policy::{ApiError, Event};
use serde_json::json;

fn operation(steps: &[&str]) -> Operation {
    let mut op = Operation::default();
    op.metadata.name = "op".into();
    op.spec.pipeline = steps
        .iter()
        .map(|s| PipelineStep {
            step: (*s).into(),
            function_ref: cronwarp::model::crossplane::FunctionReference { name: format!("function-{s}") },
            ..Default::default()
        })
        .collect();
    op
}

fn start() -> Time {
    t("2026-01-01T00:00:00Z")
}

fn ev(warning: bool, reason: &str, message: &str) -> Event {
    if warning {
        Event::warning("Operation/op", reason, message)
    } else {
        Event::normal("Operation/op", reason, message)
    }
}

fn cond(op: &Operation, type_: &str) -> (String, String, String) {
    let c = op.condition(type_).expect(type_);
    (c.status.clone(), c.reason.clone(), c.message.clone())
}

/// Drives reconciles as controller-runtime would (rate-limited retries,
/// the stored object re-read each time) until one does not ask for a retry
/// or `max` reconciles ran. Returns each reconcile's start and outcome.
fn drive(op: &Operation, fake: &mut Fake, fns: &mut Functions, max: usize) -> Vec<(Time, OperationOutcome)> {
    fake.ops.insert(op.metadata.name.clone(), op.clone());
    let (mut now, mut retries, mut out) = (start(), 0u32, Vec::new());
    for _ in 0..max {
        let stored = fake.ops[&op.metadata.name].clone();
        let o = reconcile_operation(fake, fns, &stored, now);
        let next = match &o.requeue {
            Requeue::RateLimited { .. } => Some(now.add(o.elapsed + retry_backoff(retries))),
            _ => None,
        };
        out.push((now, o));
        match next {
            Some(n) => {
                now = n;
                retries += 1;
            }
            None => break,
        }
    }
    out
}

fn fatal(msg: &str) -> FunctionResponse {
    FunctionResponse {
        results: vec![FunctionResult { severity: Severity::Fatal, message: msg.into() }],
        ..Default::default()
    }
}

mod retry_model {
    use super::*;

    /// Default retryLimit 5 = five attempts, 1 s, 2 s, 4 s, 8 s apart, then
    /// Failed 16 s after the fifth failure.
    #[test]
    fn five_attempts_then_failed() {
        let mut fns = Functions::scripted((0..10).map(|_| err_call(0, "connection refused")));
        let mut fake = Fake::default();
        let runs = drive(&operation(&["main"]), &mut fake, &mut fns, 20);
        assert_eq!(fns.called.len(), 5);
        let at: Vec<i64> = runs.iter().map(|(at, _)| at.since(start()) / SECOND).collect();
        assert_eq!(at, [0, 1, 3, 7, 15, 31]);
        let (_, last) = runs.last().unwrap();
        assert_eq!(last.decision, OperationDecision::FailureLimitReached { limit: 5 });
        assert_eq!(last.requeue, Requeue::Done);
        let stored = &fake.ops["op"];
        assert_eq!(stored.status.failures, 5);
        assert_eq!(
            cond(stored, TYPE_SUCCEEDED),
            ("False".into(), "PipelineError".into(), "failure limit of 5 reached".into())
        );
        assert_eq!(cond(stored, TYPE_SYNCED).1, "ReconcileSuccess");
    }

    /// B4: the default 5 lives only in code (the CRD marker is mistyped),
    /// and retryLimit 0 fails the Operation without running it.
    #[test]
    fn b4_retry_limit_zero_never_runs() {
        assert_eq!(Operation::default().spec.retry_limit(), 5);
        let mut op = operation(&["main"]);
        op.spec.retry_limit = Some(0);
        let mut fns = Functions::default();
        let mut fake = Fake::default();
        let runs = drive(&op, &mut fake, &mut fns, 5);
        assert!(fns.called.is_empty());
        assert_eq!(runs.len(), 1);
        assert_eq!(cond(&fake.ops["op"], TYPE_SUCCEEDED).2, "failure limit of 0 reached");
    }

    /// A success on the third attempt ends the retries; every retry
    /// restarts the pipeline from step 1.
    #[test]
    fn success_on_a_retry_restarts_from_step_one() {
        let rsp = FunctionResponse::default();
        let mut fns = Functions::scripted([
            ok_call(10, rsp.clone()),
            err_call(10, "unavailable"),
            ok_call(10, rsp.clone()),
            ok_call(10, fatal("not yet")),
            ok_call(10, rsp.clone()),
            ok_call(10, rsp),
        ]);
        let mut fake = Fake::default();
        let runs = drive(&operation(&["a", "b"]), &mut fake, &mut fns, 10);
        assert_eq!(fns.called, ["a", "b", "a", "b", "a", "b"]);
        assert_eq!(runs.len(), 3);
        assert_eq!(runs[2].1.decision, OperationDecision::Succeeded { applied: vec![] });
        let stored = &fake.ops["op"];
        assert_eq!(stored.status.failures, 2);
        assert_eq!(cond(stored, TYPE_SUCCEEDED).1, "PipelineSuccess");
        assert!(!stored.is_running());
    }

    /// While it retries an Operation stays PipelineRunning, so its
    /// CronOperation counts it as running (Forbid waits, Replace kills it).
    #[test]
    fn a_retrying_operation_still_counts_as_running() {
        let mut fns = Functions::scripted([err_call(0, "unavailable")]);
        let mut fake = Fake::default();
        let runs = drive(&operation(&["main"]), &mut fake, &mut fns, 1);
        assert!(matches!(runs[0].1.decision, OperationDecision::AttemptFailed { failures: 1, .. }));
        assert!(fake.ops["op"].is_running());
        assert!(!fake.ops["op"].is_complete());
    }

    /// Its own status writes do not wake the Operation controller: retries
    /// come only from the rate limiter.
    #[test]
    fn status_writes_do_not_retrigger() {
        assert!(!operation_wakes_on(Trigger::StatusChanged));
        assert!(operation_wakes_on(Trigger::Created));
    }
}

mod attempt_timeout {
    use super::*;

    /// One 2-minute budget for the whole pipeline: the second step of two
    /// 70 s steps times out.
    #[test]
    fn the_budget_covers_the_whole_pipeline() {
        let mut fns = Functions::scripted([
            ok_call(70 * SECOND, Default::default()),
            ok_call(70 * SECOND, Default::default()),
        ]);
        let mut fake = Fake::default();
        fake.ops.insert("op".into(), operation(&["a", "b"]));
        let out = reconcile_operation(&mut fake, &mut fns, &operation(&["a", "b"]), start());
        assert_eq!(out.elapsed, 2 * MINUTE);
        let OperationDecision::AttemptFailed { failure, error, .. } = &out.decision else {
            panic!("{:?}", out.decision)
        };
        assert_eq!(failure, &AttemptFailure::Timeout { step: "b".into() });
        assert_eq!(error, "failed to invoke pipeline step \"b\": context deadline exceeded");
        assert_eq!(out.events, [ev(true, "FunctionInvocation", error)]);
    }

    /// [inferred] The failure count is written under the expired context,
    /// so it is lost: an always-slow function is retried for ever.
    #[test]
    fn timeouts_are_not_counted_so_they_retry_for_ever() {
        let mut fns = Functions::scripted((0..12).map(|_| ok_call(3 * MINUTE, Default::default())));
        let mut fake = Fake::default();
        let runs = drive(&operation(&["slow"]), &mut fake, &mut fns, 12);
        assert_eq!(runs.len(), 12);
        assert!(runs.iter().all(|(_, o)| !o.status_persisted));
        assert_eq!(fake.ops["op"].status.failures, 0);
        let (at, _) = runs.last().unwrap();
        assert!(at.since(start()) > 10 * MINUTE);
    }
}

mod conditions_and_events {
    use super::*;

    #[test]
    fn success_marks_conditions_and_emits_result_events() {
        let rsp = FunctionResponse {
            results: vec![
                FunctionResult { severity: Severity::Normal, message: "rotated 3 keys".into() },
                FunctionResult { severity: Severity::Warning, message: "1 key expiring".into() },
                FunctionResult { severity: Severity::Unspecified, message: "???".into() },
            ],
            output: Some(json!({"rotated": 3})),
            desired: [
                ("b".to_string(), json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "z", "namespace": "ns"}})),
                ("a".to_string(), json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"}})),
            ]
            .into(),
        };
        let mut fns = Functions::scripted([ok_call(5 * SECOND, rsp)]);
        let mut fake = Fake::default();
        let runs = drive(&operation(&["main"]), &mut fake, &mut fns, 3);
        let (_, out) = &runs[0];
        assert_eq!(out.decision, OperationDecision::Succeeded { applied: vec!["a".into(), "b".into()] });
        assert_eq!(
            out.events,
            [
                ev(false, "RunPipelineStep", "Pipeline step \"main\": rotated 3 keys"),
                ev(true, "RunPipelineStep", "Pipeline step \"main\": 1 key expiring"),
                ev(
                    true,
                    "RunPipelineStep",
                    "Pipeline step \"main\" returned a result of unknown severity (assuming warning): ???"
                ),
            ]
        );
        let stored = &fake.ops["op"];
        assert_eq!(cond(stored, TYPE_SUCCEEDED), ("True".into(), "PipelineSuccess".into(), String::new()));
        assert_eq!(cond(stored, TYPE_VALID_PIPELINE).0, "True");
        assert_eq!(
            stored.condition(TYPE_SUCCEEDED).unwrap().last_transition_time,
            Some(start().add(5 * SECOND))
        );
        assert_eq!(stored.status.pipeline[0].output, Some(json!({"rotated": 3})));
        let refs: Vec<&str> = stored.status.applied_resource_refs.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(refs, ["ConfigMap", "Secret"]);
    }

    #[test]
    fn a_fatal_result_fails_the_attempt_and_stops_later_results() {
        let mut rsp = fatal("bad config");
        rsp.results.push(FunctionResult { severity: Severity::Normal, message: "never seen".into() });
        let mut fns = Functions::scripted([ok_call(0, rsp)]);
        let mut fake = Fake::default();
        let runs = drive(&operation(&["main", "next"]), &mut fake, &mut fns, 1);
        let out = &runs[0].1;
        assert_eq!(out.events, [ev(true, "FunctionInvocation", "bad config")]);
        assert_eq!(fns.called, ["main"]);
        assert_eq!(
            cond(&fake.ops["op"], TYPE_SYNCED),
            ("False".into(), "ReconcileError".into(), "bad config".into())
        );
    }

    #[test]
    fn missing_capabilities_count_as_a_failure() {
        let mut fns = Functions {
            capabilities: Some("function \"function-main\" does not support the operation capability".into()),
            ..Default::default()
        };
        let mut fake = Fake::default();
        let runs = drive(&operation(&["main"]), &mut fake, &mut fns, 1);
        let msg = "function capability check failed: function \"function-main\" does not support the operation capability";
        assert_eq!(runs[0].1.events, [ev(true, "InvalidPipeline", msg)]);
        let stored = &fake.ops["op"];
        assert_eq!(stored.status.failures, 1);
        assert_eq!(
            cond(stored, TYPE_VALID_PIPELINE),
            ("False".into(), "MissingCapabilities".into(), msg.into())
        );
        assert!(fns.called.is_empty());
    }

    #[test]
    fn invalid_input_fails_at_once_without_counting() {
        let mut op = operation(&["main"]);
        op.spec.pipeline[0].input = Some(json!(["not", "an", "object"]));
        let mut fns = Functions::default();
        let mut fake = Fake::default();
        let runs = drive(&op, &mut fake, &mut fns, 5);
        assert_eq!(runs[0].1.decision, OperationDecision::InvalidInput { step: "main".into() });
        assert_eq!(runs[1].1.decision, OperationDecision::AlreadyComplete);
        let stored = &fake.ops["op"];
        assert_eq!(stored.status.failures, 0);
        assert_eq!(
            cond(stored, TYPE_SUCCEEDED).2,
            "cannot unmarshal input for operation pipeline step \"main\""
        );
        assert!(fns.called.is_empty());
    }

    #[test]
    fn a_missing_credentials_secret_fails_the_attempt() {
        let mut op = operation(&["main"]);
        op.spec.pipeline[0].credentials = vec![FunctionCredentials {
            name: "creds".into(),
            source: "Secret".into(),
            secret_ref: Some(SecretReference { name: "s".into(), namespace: "crossplane-system".into() }),
        }];
        let mut fns = Functions::default();
        let mut fake = Fake::default();
        let runs = drive(&op, &mut fake, &mut fns, 1);
        let msg = "cannot get operation pipeline step \"main\" credential \"creds\" from Secret: secrets \"s\" not found";
        assert_eq!(runs[0].1.events, [ev(true, "FunctionInvocation", msg)]);
        fake.secrets.insert(("crossplane-system".into(), "s".into()));
        let runs = drive(&op, &mut fake, &mut fns, 1);
        assert!(matches!(runs[0].1.decision, OperationDecision::Succeeded { .. }));
    }

    #[test]
    fn a_failed_bootstrap_requirement_fails_the_attempt() {
        let mut op = operation(&["main"]);
        op.spec.pipeline[0].requirements = Some(FunctionRequirements {
            required_resources: vec![RequiredResourceSelector {
                requirement_name: "nodes".into(),
                api_version: "v1".into(),
                kind: "Node".into(),
                match_labels: Some(Default::default()),
                ..Default::default()
            }],
            ..Default::default()
        });
        let mut fns = Functions { fetch_error: Some("forbidden".into()), ..Default::default() };
        let mut fake = Fake::default();
        let runs = drive(&op, &mut fake, &mut fns, 1);
        let msg = "cannot fetch bootstrap required resources for requirement \"nodes\": forbidden";
        assert_eq!(runs[0].1.events, [ev(true, "BootstrapRequirements", msg)]);
    }

    #[test]
    fn a_failed_apply_fails_the_attempt() {
        let rsp = FunctionResponse {
            desired: [("cm".to_string(), json!({"kind": "ConfigMap"}))].into(),
            ..Default::default()
        };
        let mut fns = Functions::scripted([ok_call(0, rsp)]);
        let mut fake = Fake {
            fail_apply: Some(ApiError::Other("admission webhook denied the request".into())),
            ..Fake::default()
        };
        let runs = drive(&operation(&["main"]), &mut fake, &mut fns, 1);
        let msg = "cannot apply desired resource: admission webhook denied the request";
        assert_eq!(runs[0].1.events, [ev(true, "InvalidResource", msg)]);
        assert_eq!(fake.ops["op"].status.failures, 1);
    }

    /// A stale object: the Running write conflicts and nothing runs.
    #[test]
    fn a_conflicting_running_write_runs_nothing() {
        let mut fns = Functions::default();
        let mut fake = Fake { fail_status: Some(ApiError::Conflict), ..Fake::default() };
        let out = reconcile_operation(&mut fake, &mut fns, &operation(&["main"]), start());
        assert!(matches!(out.decision, OperationDecision::StatusWriteFailed { .. }));
        assert!(fns.called.is_empty() && out.events.is_empty());
    }

    #[test]
    fn deleting_and_complete_operations_are_left_alone() {
        let mut fns = Functions::default();
        let mut fake = Fake::default();
        let mut op = operation(&["main"]);
        op.metadata.deletion_timestamp = Some(start());
        assert_eq!(
            reconcile_operation(&mut fake, &mut fns, &op, start()).decision,
            OperationDecision::Deleting
        );
        let mut done = operation(&["main"]);
        set_conditions(&mut done.status.conditions, [XpCondition::failed("x", start())]);
        let out = reconcile_operation(&mut fake, &mut fns, &done, start());
        assert_eq!(out.decision, OperationDecision::AlreadyComplete);
        assert!(fake.calls.is_empty() && fns.called.is_empty());
    }
}

mod api_types {
    use super::*;

    const CRONOP_YAML: &str = r#"
apiVersion: ops.crossplane.io/v1alpha1
kind: CronOperation
metadata:
  name: rotate
  annotations:
    crossplane.io/paused: "true"
spec:
  schedule: "0 2 * * *"
  suspend: false
  operationTemplate:
    spec:
      mode: Pipeline
      pipeline:
      - step: rotate
        functionRef:
          name: function-rotate
        input:
          apiVersion: example.org/v1
          kind: Input
status:
  lastScheduleTime: "2026-01-01T02:00:03Z"
  conditions:
  - type: Synced
    status: "True"
    reason: ReconcileSuccess
    observedGeneration: 4
    lastTransitionTime: "2026-01-01T02:00:03Z"
"#;

    /// Unknown fields (the removed `suspend`) are ignored; unset fields
    /// read as their defaults.
    #[test]
    fn reads_yaml_with_defaults_and_unknown_fields() {
        let co: CronOperation = serde_saphyr::from_str(CRONOP_YAML).unwrap();
        assert!(co.is_paused());
        assert_eq!(co.spec.policy(), cronwarp::model::ConcurrencyPolicy::Allow);
        assert_eq!((co.spec.successful_limit(), co.spec.failed_limit()), (3, 1));
        assert_eq!(co.spec.operation_template.spec.retry_limit(), 5);
        assert_eq!(co.status.last_schedule_time, Some(t("2026-01-01T02:00:03Z")));
        assert_eq!(co.status.conditions[0].observed_generation, Some(4));
        assert!(validate_cronoperation(&co).is_empty());
        let back = serde_json::to_value(&co).unwrap();
        assert_eq!(
            back["spec"]["operationTemplate"]["spec"]["pipeline"][0]["functionRef"]["name"],
            "function-rotate"
        );
        assert!(back["spec"].get("suspend").is_none());
    }

    #[test]
    fn validation_rejects_what_the_crds_reject() {
        let mut op = operation(&[]);
        assert_eq!(validate_operation(&op).len(), 1, "at least one step");
        op = operation(&["a", "a"]);
        op.spec.mode = "Script".into();
        op.spec.pipeline[1].credentials =
            vec![FunctionCredentials { name: "c".into(), source: "Vault".into(), secret_ref: None }];
        let errs = validate_operation(&op);
        assert_eq!(errs.len(), 3, "{errs:?}");
        assert!(errs[0].starts_with("spec.mode: Unsupported value: \"Script\""));
        assert!(errs[1].contains("Duplicate value"));
        assert!(errs[2].starts_with("spec.pipeline[1].credentials[0].source: Unsupported value: \"Vault\""));
        let names: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(validate_operation(&operation(&refs))[0].contains("at most 99"));
        let mut op = operation(&["a"]);
        op.spec.pipeline[0].requirements = Some(FunctionRequirements {
            required_resources: vec![RequiredResourceSelector {
                name: Some("x".into()),
                match_labels: Some(Default::default()),
                ..Default::default()
            }],
            ..Default::default()
        });
        assert!(
            validate_operation(&op)[0]
                .ends_with("Either name or matchLabels must be specified, but not both")
        );
    }
}
