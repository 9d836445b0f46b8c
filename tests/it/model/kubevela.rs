//! KubeVela `cron-task` rendering: the sample Application
//! (`scenarios/manifests/kubevela-cron-task.yaml`) renders to the expected CronJob, each
//! mapping rule of docs/fidelity/kubevela.md#kv-1 holds on its own, and the output is a CronJob the
//! API server (as cronwarp models it) admits.

use crate::support::snapshots;
use cronwarp::model::kubevela::{
    Application, Rendering, read_applications, render, render_all, validate_rendered,
};
use cronwarp::model::validation::admit;
use cronwarp::model::{Located, Manifests};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kubevela");

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

fn read_one(text: &str) -> Located<Application> {
    let read = read_applications(text, "app.yaml").unwrap_or_else(|e| panic!("reading: {e:?}"));
    read.apps.into_iter().next().unwrap_or_else(|| panic!("no Application read"))
}

fn rendering(text: &str) -> Rendering {
    render_all(&read_one(text)).unwrap_or_else(|e| panic!("rendering: {e}"))
}

/// The first rendered manifest of a one-component Application whose
/// `properties` are `props` (YAML flow mapping) and traits `traits`.
fn manifest_of(props: &str, traits: &str) -> Value {
    let text = format!(
        "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {{name: app, namespace: ns}}\n\
         spec:\n  components:\n    - name: task\n      type: cron-task\n      properties: {props}\n      traits: {traits}\n"
    );
    rendering(&text).items.into_iter().next().map(|r| r.manifest).unwrap_or_default()
}

fn to_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v).unwrap_or_else(|e| panic!("YAML: {e}"))
}

const MINIMAL: &str = "{image: busybox, schedule: '0 2 * * *'}";

mod sample {
    use super::*;

    #[test]
    fn sample_application_renders_to_the_expected_cronjob() {
        let r = rendering(&fixture("ledger-maintenance.yaml"));
        assert_eq!(r.items.len(), 1);
        assert!(r.warnings.is_empty(), "warnings: {:?}", r.warnings);
        let m = &r.items[0].manifest;
        let expected = json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {
                "name": "ledger-compactor",
                "namespace": "finance",
                "labels": {
                    "app.oam.dev/name": "ledger-maintenance",
                    "app.oam.dev/component": "ledger-compactor",
                    "app.oam.dev/namespace": "finance",
                    "app.oam.dev/appRevision": "ledger-maintenance-v1",
                    "workload.oam.dev/type": "cron-task",
                    "app.oam.dev/resourceType": "WORKLOAD",
                },
            },
            "spec": {
                "schedule": "20 4 * * 1-6",
                "timeZone": "Europe/Madrid",
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 1200,
                "suspend": false,
                "successfulJobsHistoryLimit": 4,
                "failedJobsHistoryLimit": 2,
                "jobTemplate": {
                    "metadata": {"labels": {"app.oam.dev/name": "ledger-maintenance", "app.oam.dev/component": "ledger-compactor"}},
                    "spec": {
                        "parallelism": 1,
                        "completions": 1,
                        "backoffLimit": 2,
                        "activeDeadlineSeconds": 5400,
                        "ttlSecondsAfterFinished": 172800,
                        "template": {
                            "metadata": {"labels": {"app.oam.dev/name": "ledger-maintenance", "app.oam.dev/component": "ledger-compactor"}},
                            "spec": {
                                "restartPolicy": "OnFailure",
                                "containers": [{
                                    "name": "ledger-compactor",
                                    "image": "registry.example.org/ledger/compactor:2.3.1",
                                    "command": ["/app/compact", "--window=24h"],
                                    "env": [{"name": "LEDGER_DB", "valueFrom": {"secretKeyRef": {"name": "ledger-db", "key": "dsn"}}}],
                                    "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "250m", "memory": "512Mi"}},
                                }],
                            },
                        },
                    },
                },
            },
        });
        assert_eq!(m, &expected);
    }

    #[test]
    fn sample_yaml_matches_snapshot() {
        let r = rendering(&fixture("ledger-maintenance.yaml"));
        let yaml = to_yaml(&r.items[0].manifest);
        let settings = snapshots::settings();
        settings.bind(|| insta::assert_snapshot!("kubevela_ledger_compactor_cronjob", yaml));
    }

    #[test]
    fn scenario_copy_renders_the_same_as_the_fixture() {
        let scenario = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/manifests/kubevela-cron-task.yaml"
        ))
        .unwrap_or_else(|e| panic!("scenario: {e}"));
        assert_eq!(rendering(&scenario).items, rendering(&fixture("ledger-maintenance.yaml")).items);
    }

    #[test]
    fn typed_view_carries_the_mapped_fields() {
        let cjs = render(&read_one(&fixture("ledger-maintenance.yaml"))).unwrap_or_default();
        let cj = &cjs[0];
        assert_eq!(cj.spec.time_zone.as_deref(), Some("Europe/Madrid"));
        assert_eq!(cj.spec.starting_deadline_seconds, Some(1200));
        assert_eq!(cj.spec.job_template.spec.ttl_seconds_after_finished, Some(172_800));
        assert_eq!(cj.spec.job_template.spec.template.spec.restart_policy, "OnFailure");
    }
}

mod mapping {
    use super::*;

    #[test]
    fn defaults_fill_every_unset_parameter() {
        let m = manifest_of(MINIMAL, "[]");
        let spec = &m["spec"];
        assert_eq!(spec["concurrencyPolicy"], "Allow");
        assert_eq!(spec["suspend"], false);
        assert_eq!(spec["successfulJobsHistoryLimit"], 3);
        assert_eq!(spec["failedJobsHistoryLimit"], 1);
        let job = &spec["jobTemplate"]["spec"];
        assert_eq!(job["backoffLimit"], 6);
        assert_eq!((&job["parallelism"], &job["completions"]), (&json!(1), &json!(1)));
        assert_eq!(job["template"]["spec"]["restartPolicy"], "Never");
        for unset in ["startingDeadlineSeconds", "timeZone"] {
            assert!(spec.get(unset).is_none(), "{unset} must stay unset");
        }
        for unset in ["activeDeadlineSeconds", "ttlSecondsAfterFinished"] {
            assert!(job.get(unset).is_none(), "{unset} must stay unset");
        }
    }

    #[test]
    fn count_sets_parallelism_and_completions() {
        let m = manifest_of("{image: x, schedule: '@hourly', count: 3}", "[]");
        let job = &m["spec"]["jobTemplate"]["spec"];
        assert_eq!(job["parallelism"], 3);
        assert_eq!(job["completions"], 3);
    }

    #[test]
    fn restart_sets_the_pod_restart_policy() {
        let m = manifest_of("{image: x, schedule: '@hourly', restart: OnFailure}", "[]");
        assert_eq!(m["spec"]["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"], "OnFailure");
    }

    #[test]
    fn json_merge_patch_trait_supplies_time_zone() {
        let m =
            manifest_of(MINIMAL, "[{type: json-merge-patch, properties: {spec: {timeZone: Asia/Tokyo}}}]");
        assert_eq!(m["spec"]["timeZone"], "Asia/Tokyo");
        assert_eq!(m["spec"]["schedule"], "0 2 * * *", "the patch must not disturb siblings");
    }

    #[test]
    fn json_merge_patch_null_deletes_a_rendered_field() {
        let m = manifest_of(
            "{image: x, schedule: '@hourly', startingDeadlineSeconds: 60}",
            "[{type: json-merge-patch, properties: {spec: {startingDeadlineSeconds: null}}}]",
        );
        assert!(m["spec"].get("startingDeadlineSeconds").is_none());
    }

    #[test]
    fn patches_apply_in_trait_order() {
        let m = manifest_of(
            MINIMAL,
            "[{type: json-merge-patch, properties: {spec: {timeZone: UTC}}}, \
              {type: json-merge-patch, properties: {spec: {timeZone: Europe/Paris}}}]",
        );
        assert_eq!(m["spec"]["timeZone"], "Europe/Paris");
    }

    #[test]
    fn workload_labels_go_on_the_cronjob_and_two_on_each_template() {
        let m = manifest_of("{image: x, schedule: '@daily', labels: {team: ops}, annotations: {a: b}}", "[]");
        let labels = m["metadata"]["labels"].as_object().map(|l| l.len());
        assert_eq!(labels, Some(6));
        assert_eq!(m["metadata"]["labels"]["app.oam.dev/appRevision"], "app-v1");
        assert_eq!(m["metadata"]["labels"]["app.oam.dev/namespace"], "ns");
        for meta in
            [&m["spec"]["jobTemplate"]["metadata"], &m["spec"]["jobTemplate"]["spec"]["template"]["metadata"]]
        {
            assert_eq!(
                meta["labels"],
                json!({"team": "ops", "app.oam.dev/name": "app", "app.oam.dev/component": "task"})
            );
            assert_eq!(meta["annotations"], json!({"a": "b"}));
        }
        assert!(m["metadata"].get("annotations").is_none(), "annotations go on the templates only");
    }

    #[test]
    fn workload_labels_override_labels_a_patch_writes() {
        let m = manifest_of(
            MINIMAL,
            "[{type: json-merge-patch, properties: {metadata: {labels: {app.oam.dev/name: x, extra: kept}}}}]",
        );
        assert_eq!(m["metadata"]["labels"]["app.oam.dev/name"], "app");
        assert_eq!(m["metadata"]["labels"]["extra"], "kept");
    }

    #[test]
    fn name_and_namespace_come_from_component_and_application() {
        let m = manifest_of(MINIMAL, "[]");
        assert_eq!((&m["metadata"]["name"], &m["metadata"]["namespace"]), (&json!("task"), &json!("ns")));
        let r = rendering(&fixture("minimal.yaml"));
        assert_eq!(r.items[0].manifest["metadata"]["namespace"], "default");
    }

    #[test]
    fn status_latest_revision_names_the_app_revision() {
        let text = format!(
            "{}status:\n  latestRevision: {{name: reports-v7, revision: 7}}\n",
            fixture("minimal.yaml")
        );
        let r = rendering(&text);
        assert_eq!(r.items[0].manifest["metadata"]["labels"]["app.oam.dev/appRevision"], "reports-v7");
    }
}

mod components {
    use super::*;

    #[test]
    fn other_component_types_and_traits_are_skipped_with_warnings() {
        let r = rendering(&fixture("mixed.yaml"));
        let names: Vec<&str> = r.items.iter().map(|i| i.component.as_str()).collect();
        assert_eq!(names, ["cache-warmer", "sitemap"]);
        let messages: Vec<String> = r.warnings.iter().map(|w| format!("{}: {}", w.path, w.message)).collect();
        assert_eq!(
            messages,
            [
                "spec.components[0].type: component \"frontend\" of type \"webservice\" skipped",
                "spec.components[1].properties.timeZone: cron-task has no timeZone parameter: ignored",
                "spec.components[1].traits[0].type: trait \"scaler\" not applied",
                "spec.components[2].properties.sucessfulJobsHistoryLimit: cron-task has no parameter \
                 `sucessfulJobsHistoryLimit`: ignored",
            ]
        );
        assert_eq!(r.warnings[3].hint.as_deref(), Some("did you mean `successfulJobsHistoryLimit`?"));
        assert!(r.items[0].manifest["spec"].get("timeZone").is_none());
    }

    #[test]
    fn application_without_cron_task_is_an_error() {
        let Err(e) = render_all(&read_one(&fixture("no-cron-task.yaml"))) else { panic!("must fail") };
        assert_eq!(e.path, "spec.components");
    }

    #[test]
    fn duplicate_component_names_are_an_error() {
        let comp = "    - {name: t, type: cron-task, properties: {image: x, schedule: '@daily'}}\n";
        let text = format!(
            "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {{name: a}}\nspec:\n  components:\n{comp}{comp}"
        );
        let Err(e) = render_all(&read_one(&text)) else { panic!("must fail") };
        assert_eq!(e.path, "spec.components[1].name");
    }

    #[test]
    fn type_errors_are_located_at_the_property() {
        let app = read_one(&fixture("cpu-unquoted.yaml"));
        let Err(e) = render_all(&app) else { panic!("must fail") };
        let located = e.locate(&app);
        assert_eq!((located.line, located.column), (13, 9));
        assert_eq!(located.hint.as_deref(), Some("quote the value: cpu: \"1\""));
    }
}

mod validation {
    use super::*;

    #[test]
    fn rendered_output_reparses_and_is_admitted() {
        let r = rendering(&fixture("ledger-maintenance.yaml"));
        let yaml = to_yaml(&r.items[0].manifest);
        let mut m = Manifests::read(&yaml, "rendered.yaml").unwrap_or_else(|e| panic!("re-read: {e:?}"));
        assert!(m.warnings.is_empty(), "warnings: {:?}", m.warnings);
        assert_eq!(m.cronjobs.len(), 1);
        assert_eq!(m.cronjobs[0].value, r.items[0].cronjob);
        assert_eq!(admit(&mut m), vec![]);
    }

    #[test]
    fn every_fixture_that_renders_validates_cleanly_except_the_broken_ones() {
        for (name, want_errors) in [
            ("ledger-maintenance.yaml", 0),
            ("minimal.yaml", 0),
            ("mixed.yaml", 0),
            ("restart-always.yaml", 1),
            ("bad-timezone.yaml", 1),
        ] {
            let app = read_one(&fixture(name));
            let r = render_all(&app).unwrap_or_else(|e| panic!("{name}: {e}"));
            let errs: Vec<_> = r.items.iter().flat_map(|i| validate_rendered(&app, i)).collect();
            assert_eq!(errs.len(), want_errors, "{name}: {errs:?}");
        }
    }

    #[test]
    fn restart_always_is_rejected_at_the_restart_property() {
        let app = read_one(&fixture("restart-always.yaml"));
        let r = render_all(&app).unwrap_or_else(|e| panic!("{e}"));
        let errs = validate_rendered(&app, &r.items[0]);
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (15, 9));
        assert!(
            errs[0].message.contains("spec.jobTemplate.spec.template.spec.restartPolicy: Required value"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn bad_time_zone_is_rejected_at_the_trait_that_set_it() {
        let app = read_one(&fixture("bad-timezone.yaml"));
        let r = render_all(&app).unwrap_or_else(|e| panic!("{e}"));
        let errs = validate_rendered(&app, &r.items[0]);
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].line, errs[0].column), (17, 15));
        assert!(errs[0].message.contains("spec.timeZone"), "{}", errs[0].message);
    }

    /// One-component Application text with the given component name and
    /// properties (flow mapping), for validation tests.
    fn app_text(name: &str, props: &str) -> String {
        format!(
            "apiVersion: core.oam.dev/v1beta1\nkind: Application\nmetadata: {{name: app}}\nspec:\n  components:\n\
             \x20   - name: {name}\n      type: cron-task\n      properties: {props}\n"
        )
    }

    fn errors_of(text: &str) -> Vec<cronwarp::model::YamlError> {
        let app = read_one(text);
        let r = render_all(&app).unwrap_or_else(|e| panic!("{e}"));
        r.items.iter().flat_map(|i| validate_rendered(&app, i)).collect()
    }

    #[test]
    fn invalid_schedule_is_rejected_at_the_schedule_property() {
        let errs = errors_of(&app_text("t", "{image: x, schedule: '61 * * * *'}"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, 8);
        assert!(
            errs[0].message.contains("spec.schedule: Invalid value: \"61 * * * *\""),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn overlong_component_name_is_rejected_at_the_component_name() {
        let name = "a".repeat(53);
        let errs = errors_of(&app_text(&name, "{image: x, schedule: '@daily'}"));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].column), (6, 7));
        assert!(errs[0].message.contains("metadata.name"), "{}", errs[0].message);
    }
}
