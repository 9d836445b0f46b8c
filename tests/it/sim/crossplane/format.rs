//! CronOperation workloads in the scenario format: located errors, metas,
//! the schema, `path:` manifests, the report pipeline, determinism.

use crate::support::scratch::ScratchDir;
use crate::support::sim_crossplane::*;
use cronwarp::sim::Scenario;
use cronwarp::sim::scenario::WorkloadSpec;
use cronwarp::sim::{WorkloadKind, cronjob_metas};

mod scenario_format {
    use super::*;

    fn error(workloads: &[String]) -> String {
        let s = yaml("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], workloads);
        Scenario::from_yaml(&s, "test.yaml").unwrap_err().message
    }

    #[test]
    fn suspend_and_time_zone_on_a_cronoperation_are_located_errors_with_a_hint() {
        let suspend = cronop_full(
            "co",
            "2026-01-01T00:00:00Z",
            &[HOURLY],
            &[],
            &[],
            &["{at: \"2026-01-01T00:10:00Z\", suspend: true}"],
        );
        let e = error(&[suspend]);
        assert!(e.starts_with("test.yaml:"), "{e}");
        assert!(e.contains("CronOperations have no spec.suspend; use pause/unpause"), "{e}");
        let tz = cronop_full(
            "co",
            "2026-01-01T00:00:00Z",
            &[HOURLY],
            &[],
            &[],
            &["{at: \"2026-01-01T00:10:00Z\", timeZone: UTC}"],
        );
        assert!(error(&[tz]).contains("CRON_TZ="));
    }

    /// The API server checks a custom resource's name as it checks a
    /// CronJob's: a DNS-1123 subdomain.
    #[test]
    fn cronoperation_names_are_dns_subdomains() {
        let refused = |name: &str| {
            let w = cronop(name, "2026-01-01T00:00:00Z", &[HOURLY], &[]);
            let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], &[w]);
            simulate(&sc, SimOptions::default()).unwrap_err().message
        };
        let e = refused("Nightly_Rotate");
        assert!(
            e.starts_with(
                "test.yaml:10:9: metadata.name: Invalid value: \"Nightly_Rotate\": a lowercase RFC 1123 subdomain"
            ),
            "{e}"
        );
        assert!(refused("\"\"").contains("metadata.name: Required value: name or generateName is required"));
        assert!(refused("rotate-").contains("must start and end with an alphanumeric character"));
        assert!(refused(&"a".repeat(254)).contains("metadata.name: Invalid value: \"aaaa"));
        assert!(refused(&"a".repeat(254)).contains("must be no more than 253 characters"));
        let fine = cronop("rotate.keys-v2", "2026-01-01T00:00:00Z", &[HOURLY], &[]);
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], &[fine]);
        assert!(simulate(&sc, SimOptions::default()).is_ok());
    }

    /// A CronJob field on a CronOperation is an unknown field there: an
    /// error under strict validation (the default), a warning under `warn`,
    /// each saying what to write instead.
    #[test]
    fn cronjob_fields_on_a_cronoperation_say_what_to_write_instead() {
        let w = cronop(
            "co",
            "2026-01-01T00:00:00Z",
            &[HOURLY, "timeZone: Europe/Berlin", "suspend: true", "startingDeadlineSecond: 10"],
            &[],
        );
        let strict = scenario("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], std::slice::from_ref(&w));
        let Err(e) = strict.workload(0) else { panic!("strict validation refuses unknown fields") };
        assert!(e.message.contains("refuses the object"), "{e}");
        let text = yaml("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], &[w]);
        let sc = Scenario::from_yaml(&format!("{text}validate: warn\n"), "test.yaml").expect("reads");
        let Ok(WorkloadSpec::CronOperation(objects)) = sc.workload(0) else { panic!("not a CronOperation") };
        let warnings = objects.warnings.join("\n");
        for found in [&e.message, &warnings] {
            assert!(
                found.contains(
                    "test.yaml:14:9: spec.timeZone: unknown field \"timeZone\"\n  hint: a CronOperation has no \
                     timeZone: prefix the schedule with CRON_TZ=<zone> instead"
                ),
                "{found}"
            );
            assert!(found.contains("crossplane.io/paused"), "{found}");
            assert!(found.contains("did you mean `startingDeadlineSeconds`?"), "{found}");
        }
        assert_eq!(objects.warnings.len(), 3, "{warnings}");
    }

    #[test]
    fn pause_on_a_cronjob_is_an_error() {
        let cj = "  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {name: cj}\n      spec:\n        schedule: \"0 * * * *\"\n        jobTemplate:\n          spec:\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{name: main, image: busybox}]\n    changes:\n      - {at: \"2026-01-01T00:10:00Z\", pause: true}\n";
        assert!(error(&[cj.to_string()]).contains("CronJobs have no pause annotation"));
    }

    #[test]
    fn an_invalid_concurrency_policy_is_located() {
        let w = cronop("co", "2026-01-01T00:00:00Z", &[HOURLY, "concurrencyPolicy: Sometimes"], &[]);
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], &[w]);
        let e = simulate(&sc, SimOptions::default()).unwrap_err().message;
        assert!(
            e.starts_with("test.yaml:") && e.contains("spec.concurrencyPolicy: Unsupported value"),
            "{e}"
        );
    }

    /// Metas describe CronOperations too; a CronJob and a CronOperation in
    /// one scenario run in the same virtual time.
    #[test]
    fn cronjobs_and_cronoperations_share_a_scenario() {
        let cj = "  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {name: cj, creationTimestamp: \"2026-01-01T00:00:00Z\"}\n      spec:\n        schedule: \"30 * * * *\"\n        jobTemplate:\n          spec:\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{name: main, image: busybox}]\n";
        let mut co =
            cronop("co", "2026-01-01T00:00:00Z", &["schedule: \"CRON_TZ=Europe/Paris 0 * * * *\""], &[]);
        co = co.replace(
            "        creationTimestamp",
            "        annotations: {crossplane.io/paused: \"true\"}\n        creationTimestamp",
        );
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[cj.to_string(), co]);
        let metas = cronjob_metas(&sc).unwrap();
        assert_eq!(metas[0].kind, WorkloadKind::CronJob);
        let m = &metas[1];
        assert_eq!(
            (m.kind, m.key.as_str(), m.schedule.as_str()),
            (WorkloadKind::CronOperation, "co", "CRON_TZ=Europe/Paris 0 * * * *")
        );
        assert!(m.suspended && m.time_zone.is_none());
        assert_eq!(m.phase_origin, Some(d("00:00:00")));
        let out = run(&sc);
        assert!(out.log.iter().any(|r| matches!(&r.entry, Entry::JobCreated { .. })));
        assert!(created(&out).is_empty(), "paused from the start");
        assert_eq!(out.summary.workloads, metas);
    }
}

mod determinism {
    use super::*;

    fn flaky(name: &str) -> String {
        cronop(
            name,
            "2026-01-01T00:00:00Z",
            &["schedule: \"*/5 * * * *\""],
            &["duration: {uniform: {min: 5s, max: 50s}}", "failureProbability: 0.5"],
        )
    }

    #[test]
    fn the_same_seed_gives_the_same_log() {
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[flaky("a")]);
        let (one, two) = (lines(&run(&sc)), lines(&run(&sc)));
        assert_eq!(one, two);
        let joined = one.join("\n");
        assert!(joined.contains("OperationAttemptFailed") && joined.contains("\"succeeded\":true"));
    }

    #[test]
    fn adding_a_cronoperation_leaves_the_others_lines_unchanged() {
        let alone = run(&scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[flaky("first")]));
        let both = run(&scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T02:00:00Z",
            &[],
            &[flaky("second"), flaky("first")],
        ));
        let mine = |out: &SimOutput| -> Vec<String> {
            lines(out).into_iter().filter(|l| l.contains("first") && !l.contains("second")).collect()
        };
        assert_eq!(mine(&alone), lines(&alone));
        assert_eq!(mine(&both), mine(&alone));
    }
}

#[test]
fn the_schema_describes_the_crossplane_fields() {
    let schema = serde_json::to_string(&schemars::schema_for!(Scenario)).unwrap();
    for field in ["crossplane", "tolerateAlreadyExists", "nameEncodedSlot", "unpause"] {
        assert!(schema.contains(field), "{field} missing from the schema");
    }
}

/// A `path:` manifest may hold a CronOperation; a CronJob-only change on
/// it is caught when the simulation starts.
#[test]
fn a_path_manifest_holds_a_cronoperation() {
    let scratch = ScratchDir::created("xp-test");
    let dir = scratch.path();
    let manifest = "apiVersion: ops.crossplane.io/v1alpha1\nkind: CronOperation\nmetadata: {name: co, creationTimestamp: \"2026-01-01T00:00:00Z\"}\nspec:\n  schedule: \"0 * * * *\"\n  operationTemplate:\n    spec:\n      pipeline: [{step: run, functionRef: {name: f}}]\n";
    std::fs::write(dir.join("co.yaml"), manifest).unwrap();
    let head = "horizon: {start: \"2026-01-01T00:00:00Z\", end: \"2026-01-01T02:30:00Z\"}\nworkloads:\n  - path: co.yaml\n";
    std::fs::write(dir.join("ok.yaml"), head).unwrap();
    let bad = format!("{head}    changes:\n      - {{at: \"2026-01-01T01:30:00Z\", resume: true}}\n");
    std::fs::write(dir.join("bad.yaml"), bad).unwrap();
    let ok = Scenario::load(&dir.join("ok.yaml")).unwrap();
    assert_eq!(slots(&run(&ok)), [d("01:00:00"), d("02:00:00")]);
    let bad = Scenario::load(&dir.join("bad.yaml")).unwrap();
    let e = simulate(&bad, SimOptions::default()).unwrap_err().message;
    assert!(e.contains("workloads[0]: changes[0]: CronOperations have no spec.suspend"), "{e}");
}

/// The report pipeline `cronwarp run` uses takes a CronOperation scenario
/// (the report's Crossplane accounting is another part of issue #5: this
/// only pins that it runs and names the CronOperation).
#[test]
fn the_report_pipeline_accepts_a_cronoperation_scenario() {
    use cronwarp::report::{Accountant, ReportInput, render_text};
    let sc = scenario(
        "2026-01-01T00:00:00Z",
        "2026-01-01T03:00:00Z",
        &[],
        &[cronop("nightly", "2026-01-01T00:00:00Z", &[HOURLY], &[])],
    );
    let mut accountant = Accountant::new(ReportInput::from_scenario("test.yaml", &sc).unwrap());
    cronwarp::sim::simulate_into(&sc, &mut accountant, SimOptions::default()).unwrap();
    let text = render_text(&accountant.finish());
    assert!(text.contains("nightly"), "{text}");
}
