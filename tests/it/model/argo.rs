//! Argo CronWorkflows as manifests (docs/fidelity/argo.md#argo-1,
//! #argo-2): read by kind, misspelt and removed keys named, and a workload
//! holding an invalid one refused with a located reason.

use cronwarp::model::manifest::Manifests;
use cronwarp::sim::Scenario;
use cronwarp::sim::scenario::ManifestRun;

const GOOD: &str = "apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedules: [\"0 3 * * *\"]
  timezone: Europe/Berlin
  when: \"{{= cronworkflow.failed < 3 }}\"
  workflowSpec:
    entrypoint: main
    templates: [{name: main}]
";

fn refusal(text: &str) -> String {
    let run = ManifestRun { from: Some(crate::support::t("2026-01-01T00:00:00Z")), ..ManifestRun::default() };
    Scenario::from_manifests(vec![("cw.yaml".into(), text.into())], &run)
        .and_then(|sc| sc.workload(0).map(|_| ()))
        .map(|_| String::from("accepted"))
        .unwrap_or_else(|e| e.to_string())
}

#[test]
fn a_cronworkflow_is_read_with_its_namespace_defaulted() {
    let m = Manifests::read(GOOD, "cw.yaml").unwrap();
    assert_eq!(m.cronworkflows.len(), 1);
    let cw = &m.cronworkflows[0];
    assert_eq!((cw.metadata.namespace.as_str(), cw.spec.timezone.as_str()), ("default", "Europe/Berlin"));
    assert_eq!(cw.spec.schedules_with_timezone(), ["CRON_TZ=Europe/Berlin 0 3 * * *"]);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn the_removed_singular_schedule_is_named_with_what_replaced_it() {
    let text = GOOD.replace("  schedules: [\"0 3 * * *\"]", "  schedule: \"0 3 * * *\"");
    let m = Manifests::read(&text, "cw.yaml").unwrap();
    let e = &m.unknown_fields[0];
    assert_eq!(
        e.to_string().lines().next().unwrap(),
        "cw.yaml:6:3: spec.schedule: unknown field \"schedule\""
    );
    assert!(e.hint.as_deref().unwrap().contains("v4 removed spec.schedule"));
}

#[test]
fn a_workload_refuses_an_invalid_one_at_the_field_argo_would_refuse_and_takes_a_valid_one() {
    let got = refusal(&GOOD.replace("0 3 * * *", "0 3 * 13 *"));
    assert!(
        got.starts_with(
            "cw.yaml:6:15: cron schedule 0 3 * 13 * is malformed: end of range (13) above maximum (12): 13"
        ),
        "{got}"
    );
    let got = refusal(&GOOD.replace("cronworkflow.failed < 3", "len(cronworkflow.name) < 3"));
    assert!(got.starts_with("cw.yaml:8:3: spec.when: `len` is outside"), "{got}");
    let got = refusal(&GOOD.replace("cronworkflow.failed < 3", "cronworkflow.failed <"));
    assert!(got.starts_with("cw.yaml:8:3: spec.when: "), "{got}");
    assert_eq!(refusal(GOOD), "accepted");
}
