//! `workflow/cron/operator_test.go` (argo-workflows v4.1), one test per
//! upstream test, upstream's names kept. Upstream sleeps to the next
//! ":30" second and reads `time.Now()`; here `now` is a fixed ":30"
//! instant, so each expectation is upstream's with its clock pinned.

use super::cw;
use crate::support::t;
use cronwarp::model::argo::{
    ANNOTATION_LAST_USED_SCHEDULE, CONDITION_SPEC_ERROR, CronWorkflowSpec, validate_cronworkflow,
};
use cronwarp::model::{MINUTE, Time};
use cronwarp::policy::argo::{RunDecision, missed_execution, parse_when, run};
use cronwarp::schedule::{Zone, load_location};

/// `scheduledWf`: every minute, `startingDeadlineSeconds: 30`.
const SCHEDULED_WF: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: hello-world
  namespace: argo
  uid: f230ee83-2ddc-435e-b27c-f0ca63293100
spec:
  schedules:
    - '* * * * *'
  startingDeadlineSeconds: 30
  workflowSpec:
    entrypoint: whalesay
    templates:
    - name: whalesay
status:
  lastScheduledTime: "2020-02-28T19:05:00Z"
"#;

/// `multipleSchedulesWf`: every minute and every hour.
const MULTIPLE_SCHEDULES_WF: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: hello-world
  namespace: argo
spec:
  schedules:
  - "* * * * *"
  - "0 * * * *"
  startingDeadlineSeconds: 30
  workflowSpec:
    entrypoint: whalesay
    templates:
    - name: whalesay
status:
  lastScheduledTime: "2020-02-28T19:05:00Z"
"#;

/// Upstream's clock after its sleep: 30 s past a minute.
fn now() -> Time {
    t("2026-03-03T10:15:30Z")
}

/// `inferScheduledTime`: the current minute, seconds zeroed.
fn infer_scheduled_time(now: Time) -> Time {
    Time::from_unix(now.unix() - now.unix().rem_euclid(60))
}

/// The shared body of `TestRunOutstandingWorkflows` and its
/// multiple-schedule twin: deadline 35 runs the last minute mark, 25 does
/// not, and a schedule edit (a different last-used-schedule) never does;
/// then the same in `Pacific/Niue`.
fn outstanding_body(yaml: &str, edited: &str) {
    let now = now();
    let mut c = cw(yaml);
    c.status.last_scheduled_time = Some(now.add(-MINUTE));
    for timezone in ["", "Pacific/Niue"] {
        c.spec.timezone = timezone.into();
        c.spec.starting_deadline_seconds = Some(35);
        c.set_schedule_used();
        assert_eq!(missed_execution(&c, now), Ok(Some(infer_scheduled_time(now))), "{timezone}: deadline 35");
        c.spec.starting_deadline_seconds = Some(25);
        assert_eq!(missed_execution(&c, now), Ok(None), "{timezone}: deadline 25");
        c.metadata.annotations.insert(ANNOTATION_LAST_USED_SCHEDULE.into(), edited.into());
        assert_eq!(missed_execution(&c, now), Ok(None), "{timezone}: schedule just edited");
    }
}

#[test]
fn test_run_outstanding_workflows() {
    outstanding_body(SCHEDULED_WF, "0 * * * *");
}

#[test]
fn test_run_outstanding_workflows_with_multiple_schedules() {
    outstanding_body(MULTIPLE_SCHEDULES_WF, "0 * * * *,1 * * * *");
}

/// `getCWFShouldJustHaveStarted`: a daily schedule at the wall time of one
/// minute ago in `wall_zone`, read in `Pacific/Auckland`.
fn should_just_have_started(now: Time, wall_zone: Zone) -> cronwarp::model::argo::CronWorkflow {
    let w = wall_zone.wall(now.add(-MINUTE).unix());
    let mut c = cw(&format!(
        r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: start
spec:
  schedules:
    - "{} {} * * *"
  timezone: "Pacific/Auckland"
  startingDeadlineSeconds: 120
  workflowSpec:
    entrypoint: whalesay
    templates:
      - name: whalesay
"#,
        w.minute, w.hour
    ));
    c.status.last_scheduled_time = Some(now.add(-24 * 60 * MINUTE - MINUTE));
    c.set_schedule_used();
    c
}

#[test]
fn test_run_outstanding_workflows_across_timezones() {
    let now = now();
    let auckland = load_location("Pacific/Auckland").unwrap().resolve(Zone::Utc);
    let c = should_just_have_started(now, auckland);
    assert_eq!(missed_execution(&c, now), Ok(Some(infer_scheduled_time(now).add(-MINUTE))));
    // The wall time written from the controller's own zone (UTC) means
    // another instant in Auckland: outside the window.
    let c = should_just_have_started(now, Zone::Utc);
    assert_eq!(missed_execution(&c, now), Ok(None));
}

/// `invalidWf`: a template name with spaces.
const INVALID_WF: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: hello-world
spec:
  schedules:
    - '* * * * *'
  startingDeadlineSeconds: 30
  workflowSpec:
    entrypoint: whalesay
    templates:
    - name: "bad template name"
"#;

#[test]
fn test_cron_workflow_condition_submission_error() {
    let mut c = cw(INVALID_WF);
    let now = now();
    let decision = run(&mut c, infer_scheduled_time(now), now);
    assert!(matches!(decision, RunDecision::Invalid { .. }), "{decision:?}");
    assert_eq!(c.status.conditions.len(), 1);
    let cond = &c.status.conditions[0];
    assert_eq!((cond.type_.as_str(), cond.status.as_str()), (CONDITION_SPEC_ERROR, "True"));
    assert!(cond.message.contains("'bad template name' is invalid"), "{}", cond.message);
}

/// `specError` (and `specErrWithValidAndInvalidSchedules`): a month of
/// 12737123.
fn assert_spec_error(yaml: &str, expected: &str) {
    let mut c = cw(yaml);
    let now = now();
    let decision = run(&mut c, infer_scheduled_time(now), now);
    assert!(matches!(decision, RunDecision::Invalid { .. }), "{decision:?}");
    assert_eq!(c.status.conditions.len(), 1);
    let cond = &c.status.conditions[0];
    assert_eq!((cond.type_.as_str(), cond.status.as_str()), (CONDITION_SPEC_ERROR, "True"));
    assert!(cond.message.contains(expected), "{}", cond.message);
}

const MALFORMED: &str =
    "cron schedule 10 * * 12737123 * is malformed: end of range (12737123) above maximum (12): 12737123";

#[test]
fn test_spec_error() {
    let yaml = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: hello-world
spec:
  concurrencyPolicy: Replace
  failedJobsHistoryLimit: 4
  schedules:
    - 10 * * 12737123 *
  startingDeadlineSeconds: 0
  successfulJobsHistoryLimit: 4
  timezone: America/Los_Angeles
  workflowSpec:
    entrypoint: whalesay
    templates:
    - name: whalesay
"#;
    assert_spec_error(yaml, MALFORMED);
}

#[test]
fn test_spec_error_with_empty_schedules() {
    let yaml = SCHEDULED_WF.replace("  schedules:\n    - '* * * * *'\n", "  schedules: []\n");
    assert_spec_error(&yaml, "cron workflow must have at least one schedule");
}

#[test]
fn test_spec_error_with_valid_and_invalid_schedules() {
    let yaml = MULTIPLE_SCHEDULES_WF.replace("\"0 * * * *\"", "\"10 * * 12737123 *\"");
    assert_spec_error(&yaml, MALFORMED);
}

/// `TestScheduleTimeParam` and `TestMultipleSchedules`: one `Run` submits
/// one Workflow, named after the scheduled time.
#[test]
fn test_schedule_time_param() {
    for yaml in [SCHEDULED_WF, MULTIPLE_SCHEDULES_WF] {
        let mut c = cw(yaml);
        let now = now();
        let at = infer_scheduled_time(now);
        let decision = run(&mut c, at, now);
        let expected = format!("hello-world-{}", at.unix());
        assert_eq!(decision, RunDecision::Submit { name: expected.into(), terminate: vec![] });
    }
}

#[test]
fn test_last_used_schedule() {
    let mut c = cw(r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: test
spec:
  concurrencyPolicy: Forbid
  failedJobsHistoryLimit: 1
  schedules:
    - 41 12 * * *
  successfulJobsHistoryLimit: 1
  timezone: America/New_York
  workflowSpec:
    entrypoint: job
    templates:
    - name: job
"#);
    assert_eq!(missed_execution(&c, now()), Ok(None));
    c.set_schedule_used();
    assert_eq!(
        c.metadata.annotations.get(ANNOTATION_LAST_USED_SCHEDULE).map(|s| s.as_str()),
        Some("CRON_TZ=America/New_York 41 12 * * *")
    );
    assert!(!c.is_using_new_schedule());
}

#[test]
fn test_missed_schedule_after_cron_schedule_with_forbid() {
    let mut c = cw(r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  annotations:
    cronworkflows.argoproj.io/last-used-schedule: CRON_TZ=America/Los_Angeles 0-36/1 21-22 * * *
  name: hello-world
  namespace: argo
spec:
  concurrencyPolicy: Forbid
  schedules:
    - 0-36/1 21-22 * * *
  startingDeadlineSeconds: 0
  timezone: America/Los_Angeles
  workflowSpec:
    entrypoint: whalesay
    templates:
    - name: whalesay
status:
  active:
  - apiVersion: argoproj.io/v1alpha1
    kind: Workflow
    name: hello-world-1643952840
    namespace: argo
    uid: c56a8f98-ff46-4815-9d6f-d9db5cfcd941
  lastScheduledTime: "2022-02-04T05:34:00Z"
"#);
    // ForbiddenWithMissedScheduleAfterCron: no deadline, no catch-up.
    c.spec.starting_deadline_seconds = None;
    c.set_schedule_used();
    assert_eq!(missed_execution(&c, t("2022-02-04T05:36:30Z")), Ok(None));
    // With a deadline the same instant would catch up 05:36 (the latest
    // tick missed, not the first).
    c.spec.starting_deadline_seconds = Some(60);
    assert_eq!(missed_execution(&c, t("2022-02-04T05:36:30Z")), Ok(Some(t("2022-02-04T05:36:00Z"))));
}

/// `TestEvaluateWhen`: the six upstream expressions.
#[test]
fn test_evaluate_when() {
    let mut c = cw(SCHEDULED_WF);
    let now = now();
    let eval = |c: &cronwarp::model::argo::CronWorkflow, w: &str| {
        parse_when(w).unwrap().eval(&cronwarp::policy::argo::expression_env(c, now))
    };
    let w1 = "{{= cronworkflow.lastScheduledTime == nil || ( (now() - cronworkflow.lastScheduledTime).Seconds() > 30) }}";
    assert_eq!(eval(&c, w1), Ok(true));
    let w2 = "{{= cronworkflow.lastScheduledTime == nil && ( (now() - cronworkflow.lastScheduledTime).Seconds() < 30) }}";
    assert_eq!(eval(&c, w2), Ok(false));
    assert_eq!(eval(&c, "{{= cronworkflow.lastScheduledTime != nil }}"), Ok(true));
    c.status.last_scheduled_time = None;
    assert_eq!(eval(&c, "{{= cronworkflow.lastScheduledTime == nil }}"), Ok(true));
    c.status.last_scheduled_time = Some(now.add(-30 * MINUTE));
    assert_eq!(eval(&c, "{{= (now() - cronworkflow.lastScheduledTime).Minutes() >= 30 }}"), Ok(true));
    assert_eq!(eval(&c, "{{= (now() - cronworkflow.lastScheduledTime).Minutes() <  50 }}"), Ok(true));
}

/// `TestEvaluateWhenUnresolvedOutside`: a `{{workflow.scheduledTime}}`
/// argument elsewhere in the spec does not disturb `when` (cronwarp does
/// not read arguments at all).
#[test]
fn test_evaluate_when_unresolved_outside() {
    let mut c = cw(SCHEDULED_WF);
    let now = now();
    c.status.last_scheduled_time = Some(now.add(-30 * MINUTE));
    c.spec.when = "{{= (now() - cronworkflow.lastScheduledTime).Minutes() >= 30 }}".into();
    assert!(matches!(run(&mut c, infer_scheduled_time(now), now), RunDecision::Submit { .. }));
}

/// `cron_workflow_types_test.go` `TestCronWorkflowSpec_GetScheduleStrings`.
#[test]
fn test_cron_workflow_spec_get_schedule_strings() {
    let mut spec = CronWorkflowSpec { schedules: vec!["* * * * *".into()], ..Default::default() };
    assert_eq!(spec.schedules_with_timezone(), ["* * * * *"]);
    assert_eq!(spec.schedule_string_with_timezone(), "* * * * *");
    spec.timezone = "America/Los_Angeles".into();
    assert_eq!(spec.schedules_with_timezone(), ["CRON_TZ=America/Los_Angeles * * * * *"]);
    assert_eq!(spec.schedule_string_with_timezone(), "CRON_TZ=America/Los_Angeles * * * * *");
    spec = CronWorkflowSpec { schedules: vec!["* * * * *".into(), "0 * * * *".into()], ..Default::default() };
    assert_eq!(spec.schedule_string_with_timezone(), "* * * * *,0 * * * *");
    spec.timezone = "America/Los_Angeles".into();
    assert_eq!(
        spec.schedule_string_with_timezone(),
        "CRON_TZ=America/Los_Angeles * * * * *,CRON_TZ=America/Los_Angeles 0 * * * *"
    );
}

/// `validate.CronWorkflow`'s remaining rules, in its order.
#[test]
fn validation_rules_in_upstream_order() {
    let base = cw(SCHEDULED_WF);
    let check = |edit: &dyn Fn(&mut cronwarp::model::argo::CronWorkflow), field: &str, msg: &str| {
        let mut c = base.clone();
        edit(&mut c);
        let bad = validate_cronworkflow(&c).expect("invalid");
        assert_eq!(bad.field, field);
        assert!(bad.message.contains(msg), "{}", bad.message);
    };
    assert_eq!(validate_cronworkflow(&base), None);
    check(
        &|c| c.metadata.name = "a".repeat(53).into(),
        "metadata.name",
        "must not be more than 52 characters long (currently 53)",
    );
    check(&|c| c.spec.timezone = "Mars/Olympus".into(), "spec.timezone", "invalid timezone \"Mars/Olympus\"");
    check(
        &|c| c.spec.concurrency_policy = "Sometimes".into(),
        "spec.concurrencyPolicy",
        "'Sometimes' is not a valid concurrencyPolicy",
    );
    check(
        &|c| c.spec.starting_deadline_seconds = Some(-1),
        "spec.startingDeadlineSeconds",
        "startingDeadlineSeconds must be positive",
    );
    check(
        &|c| c.spec.workflow_spec.entrypoint.clear(),
        "spec.workflowSpec",
        "cannot validate Workflow: spec.entrypoint is required",
    );
    check(
        &|c| c.spec.workflow_spec.entrypoint = "nope".into(),
        "spec.workflowSpec.entrypoint",
        "template name 'nope' undefined",
    );
    check(
        &|c| c.spec.workflow_spec.templates.push(c.spec.workflow_spec.templates[0].clone()),
        "spec.workflowSpec.templates[1].name",
        "spec.templates[1].name 'whalesay' is not unique",
    );
    // A 52-character name is fine; descriptors are (argo-workflows#16100).
    let mut ok = base.clone();
    ok.metadata.name = "a".repeat(52).into();
    ok.spec.schedules = vec!["@daily".into(), "@every 90m".into()];
    assert_eq!(validate_cronworkflow(&ok), None);
}
