//! API-server validation of CronJobs and Jobs: one test per rule, each
//! checking the API server's wording and where the error points.

use cronwarp::model::defaults::set_object_defaults_cronjob;
use cronwarp::model::validation::{admit, validate_cronjob_create, validate_cronjob_update};
use cronwarp::model::{CronJob, Manifests, YamlError};

/// A valid CronJob manifest with hooks for the parts a test changes.
struct Cj<'a> {
    name: &'a str,
    schedule: &'a str,
    spec: &'a [&'a str],
    job: &'a [&'a str],
    restart: &'a str,
    containers: &'a str,
}

const OK: Cj<'static> = Cj {
    name: "report",
    schedule: "\"*/5 * * * *\"",
    spec: &[],
    job: &[],
    restart: "Never",
    containers: "[{name: main, image: busybox}]",
};

impl Cj<'_> {
    fn render(&self) -> String {
        let mut s = format!(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {}\nspec:\n  schedule: {}\n",
            self.name, self.schedule
        );
        for l in self.spec {
            s.push_str(&format!("  {l}\n"));
        }
        s.push_str("  jobTemplate:\n    spec:\n");
        for l in self.job {
            s.push_str(&format!("      {l}\n"));
        }
        s.push_str(&format!(
            "      template:\n        spec:\n          containers: {}\n          restartPolicy: {}\n",
            self.containers, self.restart
        ));
        s
    }

    fn errors(&self) -> Vec<YamlError> {
        admit_text(&self.render())
    }
}

fn admit_text(text: &str) -> Vec<YamlError> {
    let mut m = Manifests::read(text, "cj.yaml").unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    admit(&mut m)
}

/// The API-server messages only.
fn messages(errs: &[YamlError]) -> Vec<&str> {
    errs.iter().map(|e| e.message.as_str()).collect()
}

/// Asserts exactly one error with this message, and returns it.
fn only(errs: Vec<YamlError>, message: &str) -> YamlError {
    assert_eq!(messages(&errs), [message], "{errs:#?}");
    errs.into_iter().next().expect("one error")
}

/// A CronJob as read, without the API server's defaults.
fn parse_raw(text: &str) -> CronJob {
    let mut m = Manifests::read(text, "cj.yaml").expect("reads");
    m.cronjobs.remove(0).value
}

/// A CronJob as the API server stores it (defaulted).
fn parse_cronjob(text: &str) -> CronJob {
    let mut cj = parse_raw(text);
    set_object_defaults_cronjob(&mut cj);
    cj
}

#[test]
fn a_valid_cronjob_is_admitted_and_defaulted() {
    let mut m = Manifests::read(&OK.render(), "cj.yaml").unwrap();
    assert!(admit(&mut m).is_empty());
    let cj = &m.cronjobs[0];
    assert_eq!(cj.spec.concurrency_policy, "Allow");
    assert_eq!(cj.spec.successful_jobs_history_limit, Some(3));
}

#[test]
fn error_display_has_position_message_and_hint() {
    let e = only(
        Cj { spec: &["startingDeadlineSeconds: -1"], ..OK }.errors(),
        "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
    );
    let shown = e.to_string();
    assert!(shown.starts_with("cj.yaml:7:3: spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0\n  hint: "), "{shown}");
    assert!(shown.contains("0 means a missed start is never run"), "{shown}");
}

#[test]
fn starting_deadline_zero_is_allowed() {
    assert!(Cj { spec: &["startingDeadlineSeconds: 0"], ..OK }.errors().is_empty());
}

#[test]
fn name_must_be_a_dns_subdomain() {
    let e = Cj { name: "Nightly_Report", ..OK }.errors();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].message.starts_with(
            "metadata.name: Invalid value: \"Nightly_Report\": a lowercase RFC 1123 subdomain must consist of"
        ),
        "{}",
        e[0].message
    );
    assert!(
        e[0].message.ends_with(
            "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ),
        "{}",
        e[0].message
    );
    assert_eq!((e[0].line, e[0].column), (4, 3));
}

#[test]
fn name_is_required() {
    only(
        Cj { name: "\"\"", ..OK }.errors(),
        "metadata.name: Required value: name or generateName is required",
    );
}

#[test]
fn name_longer_than_52_is_rejected_on_create_but_not_update() {
    let long = "a".repeat(53);
    let e = only(
        Cj { name: &long, ..OK }.errors(),
        &format!("metadata.name: Invalid value: \"{long}\": must be no more than 52 characters"),
    );
    assert!(e.hint.unwrap().contains("63"));
    assert!(Cj { name: &"a".repeat(52), ..OK }.errors().is_empty());
    let cj = parse_cronjob(&Cj { name: &long, ..OK }.render());
    assert!(validate_cronjob_update(&cj, &cj).iter().all(|e| e.field != "metadata.name"));
}

#[test]
fn namespace_must_be_a_dns_label() {
    let text = OK.render().replace("  name: report\n", "  name: report\n  namespace: team.a\n");
    let e = admit_text(&text);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].message.starts_with("metadata.namespace: Invalid value: \"team.a\": a lowercase RFC 1123 label"),
        "{}",
        e[0].message
    );
}

#[test]
fn schedule_is_required() {
    let e = only(Cj { schedule: "\"\"", ..OK }.errors(), "spec.schedule: Required value");
    assert_eq!(e.line, 6);
}

#[test]
fn schedule_must_parse() {
    let e = Cj { schedule: "\"*/5 * * *\"", ..OK }.errors();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.starts_with("spec.schedule: Invalid value: \"*/5 * * *\": "), "{}", e[0].message);
    assert!(e[0].hint.as_deref().unwrap_or("").contains("five fields"));
}

#[test]
fn tz_in_schedule_is_rejected_on_create_and_grandfathered_on_update() {
    let text = Cj { schedule: "\"TZ=UTC 0 * * * *\"", ..OK }.render();
    only(
        admit_text(&text),
        "spec.schedule: Invalid value: \"TZ=UTC 0 * * * *\": cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
    );
    let cj = parse_cronjob(&text);
    assert!(validate_cronjob_update(&cj, &cj).is_empty());
    let mut with_zone = cj.clone();
    with_zone.spec.time_zone = Some("UTC".into());
    let e = validate_cronjob_update(&with_zone, &cj);
    assert_eq!(e.len(), 1);
    assert!(e[0].detail.contains("cannot use both timeZone field and TZ or CRON_TZ in schedule"));
}

#[test]
fn time_zone_must_be_a_loadable_iana_name() {
    let e = Cj { spec: &["timeZone: Mars/Olympus"], ..OK }.errors();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.starts_with("spec.timeZone: Invalid value: \"Mars/Olympus\": "), "{}", e[0].message);
    assert_eq!(e[0].line, 7);
    only(
        Cj { spec: &["timeZone: \"\""], ..OK }.errors(),
        "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string",
    );
    let e = Cj { spec: &["timeZone: Local"], ..OK }.errors();
    assert!(messages(&e).contains(&"spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"), "{e:?}");
    assert!(Cj { spec: &["timeZone: Asia/Tokyo"], ..OK }.errors().is_empty());
}

#[test]
fn time_zone_is_checked_on_update_only_when_changed() {
    let mut cj = parse_cronjob(&OK.render());
    cj.spec.time_zone = Some("Mars/Olympus".into());
    assert!(validate_cronjob_update(&cj, &cj).is_empty());
    let old = parse_cronjob(&OK.render());
    assert_eq!(validate_cronjob_update(&cj, &old).len(), 1);
}

#[test]
fn concurrency_policy_must_be_allow_forbid_or_replace() {
    let e = only(
        Cj { spec: &["concurrencyPolicy: forbid"], ..OK }.errors(),
        "spec.concurrencyPolicy: Unsupported value: \"forbid\": supported values: \"Allow\", \"Forbid\", \"Replace\"",
    );
    assert!(e.hint.unwrap().starts_with("did you mean `Forbid`?"));
}

#[test]
fn concurrency_policy_is_required_without_defaulting() {
    let cj = parse_raw(&OK.render());
    let e = validate_cronjob_create(&cj);
    assert_eq!(
        e.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        ["spec.concurrencyPolicy: Required value"]
    );
}

#[test]
fn history_limits_must_be_nonnegative_and_zero_is_valid() {
    only(
        Cj { spec: &["successfulJobsHistoryLimit: -1"], ..OK }.errors(),
        "spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0",
    );
    only(
        Cj { spec: &["failedJobsHistoryLimit: -3"], ..OK }.errors(),
        "spec.failedJobsHistoryLimit: Invalid value: -3: must be greater than or equal to 0",
    );
    assert!(
        Cj { spec: &["successfulJobsHistoryLimit: 0", "failedJobsHistoryLimit: 0"], ..OK }
            .errors()
            .is_empty()
    );
}

macro_rules! nonnegative_job_field {
    ($test:ident, $field:literal) => {
        #[test]
        fn $test() {
            let line = concat!($field, ": -1");
            let e = only(
                Cj { job: &[line], ..OK }.errors(),
                concat!(
                    "spec.jobTemplate.spec.",
                    $field,
                    ": Invalid value: -1: must be greater than or equal to 0"
                ),
            );
            assert_eq!((e.line, e.column), (9, 7));
            assert!(e.hint.is_some());
            let zero = concat!($field, ": 0");
            assert!(Cj { job: &[zero], ..OK }.errors().iter().all(|e| !e.message.contains("greater than")));
        }
    };
}

nonnegative_job_field!(parallelism_must_be_nonnegative, "parallelism");
nonnegative_job_field!(completions_must_be_nonnegative, "completions");
nonnegative_job_field!(active_deadline_seconds_must_be_nonnegative, "activeDeadlineSeconds");
nonnegative_job_field!(backoff_limit_must_be_nonnegative, "backoffLimit");
nonnegative_job_field!(ttl_seconds_after_finished_must_be_nonnegative, "ttlSecondsAfterFinished");

#[test]
fn template_selector_must_be_unset() {
    let e = only(
        Cj { job: &["selector: {matchLabels: {app: x}}"], ..OK }.errors(),
        "spec.jobTemplate.spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"x\"}}: `selector` will be auto-generated",
    );
    assert_eq!(e.line, 9);
}

#[test]
fn template_manual_selector_must_not_be_true() {
    only(
        Cj { job: &["manualSelector: true"], ..OK }.errors(),
        "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\"",
    );
    assert!(Cj { job: &["manualSelector: false"], ..OK }.errors().is_empty());
}

#[test]
fn restart_policy_always_is_rejected() {
    let e = only(
        Cj { restart: "Always", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
    );
    assert_eq!((e.line, e.column), (12, 11));
}

#[test]
fn restart_policy_missing_is_defaulted_to_always_and_rejected() {
    let text = OK.render().replace("          restartPolicy: Never\n", "");
    let e = only(
        admit_text(&text),
        "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
    );
    // Points at the pod spec, where the field should be written.
    assert_eq!(e.line, 10);
}

#[test]
fn restart_policy_other_values_are_unsupported() {
    let e = only(
        Cj { restart: "never", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: \"never\": supported values: \"OnFailure\", \"Never\"",
    );
    assert!(e.hint.unwrap().starts_with("did you mean `Never`?"));
}

const PFP_IGNORE: &str =
    "podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]}";

#[test]
fn pod_failure_policy_requires_restart_policy_never() {
    only(
        Cj { job: &[PFP_IGNORE], restart: "OnFailure", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified",
    );
    assert!(Cj { job: &[PFP_IGNORE], ..OK }.errors().is_empty());
}

#[test]
fn pod_failure_policy_action_must_be_known() {
    let e = only(
        Cj {
            job: &["podFailurePolicy: {rules: [{action: Retry, onExitCodes: {operator: In, values: [1]}}]}"],
            ..OK
        }
        .errors(),
        "spec.jobTemplate.spec.podFailurePolicy.rules[0].action: Unsupported value: \"Retry\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\"",
    );
    assert_eq!(e.line, 9);
    only(
        Cj { job: &["podFailurePolicy: {rules: [{onExitCodes: {operator: In, values: [1]}}]}"], ..OK }
            .errors(),
        "spec.jobTemplate.spec.podFailurePolicy.rules[0].action: Required value: valid values: [\"Count\" \"FailIndex\" \"FailJob\" \"Ignore\"]",
    );
}

#[test]
fn fail_index_action_requires_backoff_limit_per_index() {
    only(
        Cj {
            job: &[
                "podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [1]}}]}",
            ],
            ..OK
        }
        .errors(),
        "spec.jobTemplate.spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the backoffLimitPerIndex to be set",
    );
}

#[test]
fn pod_failure_policy_rule_needs_exactly_one_matcher() {
    only(
        Cj { job: &["podFailurePolicy: {rules: [{action: FailJob}]}"], ..OK }.errors(),
        "spec.jobTemplate.spec.podFailurePolicy.rules[0]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
    );
    only(Cj { job: &["podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [1]}, onPodConditions: [{type: X}]}]}"], ..OK }.errors(), "spec.jobTemplate.spec.podFailurePolicy.rules[0]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported");
}

#[test]
fn exit_code_operator_must_be_in_or_not_in() {
    only(Cj { job: &["podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: Equals, values: [1]}}]}"], ..OK }.errors(), "spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: \"Equals\": supported values: \"In\", \"NotIn\"");
}

#[test]
fn exit_code_values_rules() {
    let pfp = |values: &str| {
        format!(
            "podFailurePolicy: {{rules: [{{action: FailJob, onExitCodes: {{operator: In, values: {values}}}}}]}}"
        )
    };
    let p = "spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.values";
    only(
        Cj { job: &[&pfp("[]")], ..OK }.errors(),
        &format!("{p}: Invalid value: []int32{{}}: at least one value is required"),
    );
    only(
        Cj { job: &[&pfp("[0, 1]")], ..OK }.errors(),
        &format!("{p}[0]: Invalid value: 0: must not be 0 for the In operator"),
    );
    only(Cj { job: &[&pfp("[1, 1]")], ..OK }.errors(), &format!("{p}[1]: Duplicate value: 1"));
    only(
        Cj { job: &[&pfp("[3, 2]")], ..OK }.errors(),
        &format!("{p}: Invalid value: []int32{{3, 2}}: must be ordered"),
    );
}

#[test]
fn exit_code_container_name_must_exist() {
    let e = only(Cj { job: &["podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {containerName: mian, operator: In, values: [1]}}]}"], ..OK }.errors(), "spec.jobTemplate.spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"mian\": must be one of the container or initContainer names in the pod template");
    assert_eq!(e.hint.as_deref(), Some("did you mean `main`?"));
}

#[test]
fn pod_condition_status_must_be_true_false_or_unknown() {
    only(Cj { job: &["podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget, status: Maybe}]}]}"], ..OK }.errors(), "spec.jobTemplate.spec.podFailurePolicy.rules[0].onPodConditions[0].status: Unsupported value: \"Maybe\": supported values: \"False\", \"True\", \"Unknown\"");
}

#[test]
fn pod_replacement_policy_must_be_failed_with_a_pod_failure_policy() {
    let line = "podReplacementPolicy: TerminatingOrFailed";
    only(
        Cj { job: &[PFP_IGNORE, line], ..OK }.errors(),
        "spec.jobTemplate.spec.podReplacementPolicy: Unsupported value: \"TerminatingOrFailed\": supported values: \"Failed\"",
    );
    assert!(Cj { job: &[line], ..OK }.errors().is_empty());
}

#[test]
fn completion_mode_rules() {
    only(
        Cj { job: &["completionMode: Ordered"], ..OK }.errors(),
        "spec.jobTemplate.spec.completionMode: Unsupported value: \"Ordered\": supported values: \"NonIndexed\", \"Indexed\"",
    );
    only(
        Cj { job: &["completionMode: Indexed"], ..OK }.errors(),
        "spec.jobTemplate.spec.completions: Required value: when completion mode is Indexed",
    );
    only(
        Cj { job: &["backoffLimitPerIndex: 1"], ..OK }.errors(),
        "spec.jobTemplate.spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
    );
    assert!(
        Cj { job: &["completionMode: Indexed", "completions: 3", "backoffLimitPerIndex: 1"], ..OK }
            .errors()
            .is_empty()
    );
}

#[test]
fn pod_template_needs_a_named_container_with_an_image() {
    only(
        Cj { containers: "[]", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.containers: Required value",
    );
    only(
        Cj { containers: "[{name: main}]", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.containers[0].image: Required value",
    );
    only(
        Cj { containers: "[{image: x}]", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.containers[0].name: Required value",
    );
    only(
        Cj { containers: "[{name: a, image: x}, {name: a, image: z}]", ..OK }.errors(),
        "spec.jobTemplate.spec.template.spec.containers[1].name: Duplicate value: \"a\"",
    );
}

#[test]
fn errors_are_reported_in_api_server_order() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/manifests/bad-validation.yaml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let e = admit_text(&text);
    let fields: Vec<&str> = e.iter().map(|e| e.message.split(':').next().unwrap_or("")).collect();
    assert_eq!(
        fields,
        [
            "spec.schedule",
            "spec.startingDeadlineSeconds",
            "spec.concurrencyPolicy",
            "spec.jobTemplate.spec.backoffLimit",
            "spec.jobTemplate.spec.template.spec.restartPolicy",
            "spec.jobTemplate.spec.selector",
            "spec.successfulJobsHistoryLimit",
            "metadata.name",
        ],
        "{e:#?}"
    );
    let lines: Vec<u32> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, [6, 7, 8, 12, 21, 13, 9, 4]);
}

fn job(extra_spec: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: once\n  uid: u-1\nspec:\n{extra_spec}  template:\n    spec:\n      containers: [{{name: a, image: x}}]\n      restartPolicy: Never\n"
    )
}

#[test]
fn job_with_a_generated_selector_is_admitted() {
    assert!(
        admit_text(&job("  selector: {matchLabels: {batch.kubernetes.io/controller-uid: u-1}}\n")).is_empty()
    );
    assert!(admit_text(&job("")).is_empty());
}

#[test]
fn job_with_a_hand_written_selector_needs_manual_selector() {
    let e = only(
        admit_text(&job("  selector: {matchLabels: {app: x}}\n")),
        "spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"x\"}}: `selector` not auto-generated",
    );
    assert_eq!(e.line, 7);
    assert!(admit_text(&job("  manualSelector: true\n  selector: {matchLabels: {app: x}}\n")).is_empty());
    only(admit_text(&job("  manualSelector: true\n")), "spec.selector: Required value");
}

#[test]
fn job_spec_rules_apply_to_jobs_at_spec() {
    only(
        admit_text(&job("  backoffLimit: -1\n")),
        "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0",
    );
    let text = job("").replace("restartPolicy: Never", "restartPolicy: Always");
    only(
        admit_text(&text),
        "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
    );
}

#[test]
fn job_defaults_are_applied_on_admit() {
    let mut m = Manifests::read(&job(""), "j.yaml").unwrap();
    assert!(admit(&mut m).is_empty());
    let j = &m.jobs[0];
    assert_eq!((j.spec.completions, j.spec.parallelism, j.spec.backoff_limit), (Some(1), Some(1), Some(6)));
}
