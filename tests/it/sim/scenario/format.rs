//! The scenario file format: parsing, errors, manifests.

use crate::support::scratch::ScratchDir;
use crate::support::t;
use cronwarp::model::FieldValidation;
use cronwarp::model::MINUTE;
use cronwarp::sim::Scenario;
use cronwarp::sim::scenario::{Downtime, LoadOptions, SpecEdit};
use std::path::Path;

const MINIMAL: &str = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      kind: CronJob
      metadata: {name: a}
      spec:
        schedule: "*/5 * * * *"
        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
"#;

#[test]
fn a_minimal_scenario_parses_with_defaults() {
    let sc = Scenario::from_yaml(MINIMAL, "min.yaml").unwrap();
    assert_eq!(sc.seed, 0);
    assert!(sc.controller.downtime.is_empty());
    assert_eq!(sc.controller.clock_skew, 0);
    let objs = sc.workload_objects(0).unwrap();
    assert_eq!(objs.cronjob.metadata.namespace, "default");
    assert!(objs.jobs.is_empty());
    // API defaults are applied.
    assert_eq!(objs.cronjob.spec.successful_jobs_history_limit, Some(3));
    assert_eq!(objs.cronjob.spec.concurrency_policy, "Allow");
}

#[test]
fn an_unknown_field_is_an_error_naming_the_file_and_line() {
    let text = MINIMAL.replace("workloads:", "sed: 1\nworkloads:");
    let e = Scenario::from_yaml(&text, "bad.yaml").unwrap_err();
    assert!(e.message.starts_with("bad.yaml"), "{e}");
    assert!(e.message.contains("sed"), "{e}");
    assert!(e.message.starts_with("bad.yaml:3:1:"), "no line:col: {e}");
}

#[test]
fn downtime_takes_a_window_or_a_start_and_length() {
    let text = MINIMAL.replace(
        "workloads:",
        "controller:\n  clockSkew: -2s\n  downtime:\n    - {start: \"2025-03-03T10:02:00Z\", end: \"2025-03-03T10:31:00Z\"}\n    - {at: \"2025-03-03T10:40:00Z\", for: 1m30s}\nworkloads:",
    );
    let sc = Scenario::from_yaml(&text, "d.yaml").unwrap();
    let w: Vec<_> = sc.controller.downtime.iter().map(Downtime::window).collect();
    assert_eq!(w[0], (t("2025-03-03T10:02:00Z"), t("2025-03-03T10:31:00Z")));
    assert_eq!(w[1], (t("2025-03-03T10:40:00Z"), t("2025-03-03T10:41:30Z")));
    assert_eq!(sc.controller.clock_skew, -2000);
}

/// MINIMAL with one `controller.downtime` item, written as a flow map on
/// line 5.
fn downtime_error(item: &str) -> String {
    let text = MINIMAL.replace("workloads:", &format!("controller:\n  downtime:\n    - {item}\nworkloads:"));
    Scenario::from_yaml(&text, "d.yaml").unwrap_err().message
}

#[test]
fn a_downtime_item_with_an_unknown_key_is_located_with_a_suggestion() {
    let e = downtime_error(r#"{start: "2025-03-03T10:02:00Z", ends: "2025-03-03T10:31:00Z"}"#);
    assert!(e.starts_with("d.yaml:5:39: controller.downtime[0]: unknown field `ends`"), "{e}");
    assert!(e.ends_with("hint: did you mean `end`?"), "{e}");
    assert!(!e.contains("untagged"), "{e}");
}

#[test]
fn a_downtime_item_mixing_the_two_forms_names_both() {
    let e = downtime_error(r#"{start: "2025-03-03T10:02:00Z", at: "2025-03-03T10:02:00Z", for: 5m}"#);
    assert_eq!(
        e,
        "d.yaml:5:7: controller.downtime[0]: mixes the two forms of a window (`start` with `at` and `for`): \
         give either `start` and `end`, or `at` and `for`, not both"
    );
    let e = downtime_error(r#"{at: "2025-03-03T10:02:00Z"}"#);
    assert!(e.starts_with("d.yaml:5:7: controller.downtime[0]: `at` without `for`"), "{e}");
}

#[test]
fn a_negative_downtime_length_is_located_at_its_value() {
    let e = downtime_error(r#"{at: "2025-03-03T10:02:00Z", for: -5m}"#);
    assert!(
        e.starts_with(
            "d.yaml:5:41: controller.downtime[0].for: invalid duration \"-5m\": durations must not be \
             negative: a downtime lasts a positive duration from `at`"
        ),
        "{e}"
    );
}

#[test]
fn a_change_names_exactly_one_edit() {
    let ok = MINIMAL.to_string()
        + "    changes:\n      - {at: \"2025-03-03T10:20:00Z\", suspend: true}\n      - {at: \"2025-03-03T10:30:00Z\", schedule: \"0 * * * *\"}\n";
    let sc = Scenario::from_yaml(&ok, "c.yaml").unwrap();
    let edits: Vec<SpecEdit> = sc.workloads[0].changes.iter().map(|c| c.edit().unwrap()).collect();
    assert_eq!(edits, vec![SpecEdit::Suspend(true), SpecEdit::Schedule("0 * * * *".into())]);
    let two = MINIMAL.to_string()
        + "    changes:\n      - {at: \"2025-03-03T10:20:00Z\", suspend: true, delete: true}\n";
    let e = Scenario::from_yaml(&two, "c.yaml").unwrap_err();
    assert!(e.message.contains("2 edits"), "{e}");
    assert!(e.message.starts_with("c.yaml:11:9:"), "not located: {e}");
}

#[test]
fn a_manifest_list_carries_the_cronjob_and_its_existing_jobs() {
    let text = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      kind: List
      items:
        - {apiVersion: batch/v1, kind: CronJob, metadata: {name: a, namespace: ops}, spec: {schedule: "@hourly", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}}}
        - {apiVersion: batch/v1, kind: Job, metadata: {name: a-1, namespace: ops}, spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
"#;
    let sc = Scenario::from_yaml(text, "list.yaml").unwrap();
    let objs = sc.workload_objects(0).unwrap();
    assert_eq!(objs.cronjob.metadata.name, "a");
    assert_eq!(objs.jobs.len(), 1);
    assert_eq!(objs.jobs[0].spec.backoff_limit, Some(6));
}

#[test]
fn an_invalid_inline_manifest_is_reported_at_its_line_in_the_scenario() {
    let text = r#"
horizon: {start: "2025-03-03T10:00:00Z", end: "2025-03-03T11:00:00Z"}
workloads:
  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: a}
      spec:
        schedule: "*/5 * * *"
        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}
    behaviour: {duration: 1m}
"#;
    let sc = Scenario::from_yaml(text, "inline.yaml").unwrap();
    let e = sc.workload_objects(0).unwrap_err();
    assert!(e.message.starts_with("inline.yaml:9:"), "{e}");
    assert!(e.message.contains("spec.schedule"), "{e}");
}

#[test]
fn the_example_scenarios_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["downtime-catchup.yaml", "forbid-long-jobs.yaml", "dst-new-york.yaml", "from-cluster.yaml"] {
        let sc = Scenario::load(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..sc.workloads.len() {
            sc.workload_objects(i).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
    let live = Scenario::load(&dir.join("from-cluster.yaml")).unwrap().workload_objects(0).unwrap();
    assert_eq!(live.jobs.len(), 1);
    assert_eq!(live.cronjob.status.active.len(), 1);
    let sc = Scenario::load(&dir.join("downtime-catchup.yaml")).unwrap();
    let (s, e) = sc.controller.downtime[0].window();
    assert_eq!(e.since(s), 29 * MINUTE);
}

#[test]
fn a_misspelt_field_gets_a_did_you_mean_hint() {
    let text = MINIMAL.replace("horizon:", "horizn:");
    let e = Scenario::from_yaml(&text, "typo.yaml").unwrap_err();
    assert!(e.message.contains("did you mean") && e.message.contains("horizon"), "{e}");
}

#[test]
fn the_scenario_has_a_json_schema() {
    let schema = serde_json::to_string(&schemars::schema_for!(Scenario)).unwrap();
    for field in ["horizon", "workloads", "downtime", "informerLag", "maxConcurrent", "behaviour"] {
        assert!(schema.contains(field), "{field} missing from the schema");
    }
}

#[test]
fn a_bad_manifest_file_is_reported_at_its_own_line() {
    let scratch = ScratchDir::created("sim-test");
    let dir = scratch.path();
    let manifest = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a}\nspec:\n  schedul: \"*/5 * * * *\"\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}\n";
    std::fs::write(dir.join("cj.yaml"), manifest).unwrap();
    let scenario = "horizon: {start: \"2025-03-03T10:00:00Z\", end: \"2025-03-03T11:00:00Z\"}\nworkloads:\n  - path: cj.yaml\n";
    std::fs::write(dir.join("s.yaml"), scenario).unwrap();
    // Strict field validation (the default) refuses the typo at its line.
    let sc = Scenario::load(&dir.join("s.yaml")).unwrap();
    let e = sc.workload_objects(0).unwrap_err();
    assert!(e.message.contains("cj.yaml:5:3: spec.schedul: unknown field"), "{e}");
    // Read on without it, and the missing schedule is the error.
    let warn = LoadOptions { validate: Some(FieldValidation::Warn), ..LoadOptions::default() };
    let sc = Scenario::load_with(&dir.join("s.yaml"), &warn).unwrap();
    let e = sc.workload_objects(0).unwrap_err();
    assert!(e.message.contains("cj.yaml:4:") || e.message.contains("cj.yaml:5:"), "{e}");
    assert!(e.message.contains("spec.schedule"), "{e}");
}

#[test]
fn the_reference_scenario_example_parses() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-reference.md");
    let doc = std::fs::read_to_string(doc).unwrap();
    let section = doc.split("## A whole scenario").nth(1).unwrap();
    let block = section.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
    let sc = Scenario::from_yaml(block, "docs/scenario-reference.md").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sc.controller.downtime.len(), 3);
    assert_eq!(sc.controller.clock_skew, -2000);
    sc.workload_objects(0).unwrap_or_else(|e| panic!("{e}"));
}
