//! `cronwarp compare`: the side-by-side diff of two reports, and the
//! subcommand as a user runs it (formats, files, help, exit codes).

use cronwarp::report::{Accountant, Report, ReportInput, TickOutcome, compare, reason_key};
use cronwarp::sim::log::LogSink;
use cronwarp::sim::scenario::convert::{Controller, WorkloadPair};
use cronwarp::sim::{Scenario, SimOptions, simulate};
use std::path::Path;

use crate::support::cli::cronwarp;

const SCENARIO: &str = "scenarios/downtime-catchup.yaml";

/// The Kubernetes report of a scenario text.
fn k8s_report(text: &str) -> Report {
    let sc = Scenario::from_yaml(text, "s.yaml").unwrap();
    let mut acc = Accountant::new(ReportInput::from_scenario("s.yaml", &sc).unwrap());
    for r in simulate(&sc, SimOptions::default()).unwrap().log {
        acc.record(r);
    }
    acc.finish()
}

mod diff_of_two_reports {
    use super::*;

    fn pair() -> Vec<WorkloadPair> {
        vec![WorkloadPair {
            index: 0,
            original: Controller::Kubernetes,
            kubernetes: Some("default/report".into()),
            crossplane: Some("default/report".into()),
        }]
    }

    fn down_and_up() -> (Report, Report) {
        let text = std::fs::read_to_string(SCENARIO).unwrap();
        let without = text.replace("end: \"2025-03-03T10:31:00Z\"", "end: \"2025-03-03T10:02:00Z\"");
        (k8s_report(&text), k8s_report(&without))
    }

    #[test]
    fn metrics_carry_both_values_and_the_delta() {
        let (down, up) = down_and_up();
        let c = compare(&down, &up, &pair(), Vec::new());
        let m = |key: &str| c.workloads[0].metrics.iter().find(|m| m.key == key).cloned().unwrap();
        let not_started = m("notStarted");
        assert_eq!((not_started.kubernetes, not_started.crossplane, not_started.delta), (5, 0, -5));
        let created = m("runsCreated");
        assert_eq!(created.delta, created.crossplane - created.kubernetes);
        assert_eq!(created.delta, 5, "the run without downtime creates the five lost ticks' Jobs");
    }

    #[test]
    fn only_ticks_whose_outcome_differs_are_listed() {
        let (down, up) = down_and_up();
        let c = compare(&down, &up, &pair(), Vec::new());
        let ticks: Vec<String> = c.workloads[0].differing_ticks.iter().map(|d| d.tick.to_string()).collect();
        assert_eq!(
            ticks,
            [
                "2025-03-03T10:05:00Z",
                "2025-03-03T10:10:00Z",
                "2025-03-03T10:15:00Z",
                "2025-03-03T10:20:00Z",
                "2025-03-03T10:25:00Z",
                "2025-03-03T10:30:00Z"
            ]
        );
        let first = &c.workloads[0].differing_ticks[0];
        assert_eq!(first.kubernetes.outcome, TickOutcome::NotStarted);
        assert_eq!(first.crossplane.outcome, TickOutcome::OnTime);
        assert!(first.kubernetes.why.contains("the controller was down"), "{}", first.kubernetes.why);
    }

    #[test]
    fn the_same_report_twice_has_no_differences() {
        let (down, _) = down_and_up();
        let c = compare(&down, &down, &pair(), Vec::new());
        assert!(c.workloads[0].differing_ticks.is_empty());
        assert!(c.workloads[0].metrics.iter().all(|m| m.delta == 0));
    }

    #[test]
    fn reasons_group_with_their_times_elided() {
        assert_eq!(
            reason_key("superseded by a newer tick (2025-03-03T10:30:00Z); only one"),
            "superseded by a newer tick (…); only one"
        );
        assert_eq!(reason_key("plain → reason"), "plain → reason");
        let (down, up) = down_and_up();
        let c = compare(&down, &up, &pair(), Vec::new());
        let reasons = &c.workloads[0].not_started;
        assert_eq!(reasons.len(), 1, "five ticks, one reason: {reasons:?}");
        assert_eq!((reasons[0].kubernetes, reasons[0].crossplane), (5, 0));
    }

    #[test]
    fn violations_say_which_controller_failed_them() {
        let (mut down, up) = down_and_up();
        let expect = Scenario::from_yaml(&std::fs::read_to_string(SCENARIO).unwrap(), "s").unwrap().expect;
        let mut strict = expect.clone();
        strict.max_missed = Some(0);
        cronwarp::report::apply_expectations(&strict, &mut down);
        let c = compare(&down, &up, &pair(), Vec::new());
        assert_eq!(c.violations.len(), 1);
        assert_eq!(c.violations[0].controller, Controller::Kubernetes);
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["schemaVersion"], 1);
        assert_eq!(json["violations"][0]["controller"], "Kubernetes");
        assert_eq!(json["violations"][0]["expectation"], "maxMissed");
    }
}

mod command_line {
    use super::*;
    use crate::support::scratch::ScratchDir;

    #[test]
    fn a_missing_scenario_file_is_invalid_input_naming_the_file() {
        let o = cronwarp(&["compare", "scenarios/no-such-file.yaml"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.starts_with("error: scenarios/no-such-file.yaml:"), "{}", o.stderr);
        assert_eq!(o.stdout, "");
    }

    #[test]
    fn a_bad_scenario_is_located_by_line_and_column() {
        let dir = ScratchDir::created("compare-bad");
        let file = dir.path().join("bad.yaml");
        let text =
            std::fs::read_to_string(SCENARIO).unwrap().replace("schedule: \"*/5 * * * *\"", "schedul: x");
        std::fs::write(&file, text).unwrap();
        let o = cronwarp(&["compare", file.to_str().unwrap()]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        let located = format!("error: {}:", file.display());
        assert!(o.stderr.starts_with(&located), "{}", o.stderr);
        let rest = &o.stderr[located.len()..];
        assert!(rest.split(':').next().is_some_and(|l| l.parse::<u32>().is_ok()), "no line: {}", o.stderr);
    }

    #[test]
    fn help_teaches_the_differences_and_gives_an_example() {
        let o = cronwarp(&["compare", "--help"]);
        assert_eq!(o.code, 0);
        for needle in [
            "EARLIEST",
            "MOST RECENT",
            "B1",
            "crossplane#7524",
            "retryLimit = backoffLimit + 1",
            "Exit codes",
        ] {
            assert!(o.stdout.contains(needle), "help lacks {needle:?}");
        }
        assert!(o.stdout.contains("cronwarp compare scenarios/downtime-catchup.yaml"));
    }

    #[test]
    fn json_names_both_forms_of_each_workload() {
        let o = cronwarp(&["compare", SCENARIO, "--format", "json"]);
        assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(v["schemaVersion"], 1);
        assert_eq!(v["seed"], 1);
        let w = &v["workloads"][0];
        assert_eq!(w["kubernetes"], "default/report");
        assert_eq!(w["crossplane"], "report");
        assert_eq!(w["original"], "Kubernetes");
        assert!(
            v["notes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["message"].as_str().unwrap().contains("retryLimit 7"))
        );
    }

    #[test]
    fn after_downtime_kubernetes_runs_the_latest_tick_and_crossplane_the_earliest_slot() {
        let o = cronwarp(&["compare", SCENARIO, "--format", "json"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        let diffs = v["workloads"][0]["differingTicks"].as_array().unwrap();
        let row = |tick: &str| diffs.iter().find(|d| d["tick"] == tick).cloned().unwrap();
        let early = row("2025-03-03T10:05:00Z");
        assert_eq!(early["kubernetes"]["outcome"], "notStarted");
        assert_eq!(
            (early["crossplane"]["outcome"].as_str(), early["crossplane"]["lateBy"].as_i64()),
            (Some("late"), Some(26 * 60_000))
        );
        let late = row("2025-03-03T10:30:00Z");
        assert_eq!(
            (late["kubernetes"]["outcome"].as_str(), late["kubernetes"]["lateBy"].as_i64()),
            (Some("late"), Some(60_000))
        );
        assert_eq!(late["crossplane"]["outcome"], "notStarted");
        assert_eq!(diffs.len(), 2, "every other tick ran on time under both");
    }

    #[test]
    fn seed_overrides_the_scenarios() {
        let o = cronwarp(&["compare", SCENARIO, "--format", "json", "--seed", "42"]);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(v["seed"], 42);
    }

    #[test]
    fn out_writes_compare_md_and_both_timelines() {
        let scratch = ScratchDir::new("compare-out");
        let dir = scratch.path();
        let o = cronwarp(&["compare", SCENARIO, "--out", dir.to_str().unwrap()]);
        assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
        let md = std::fs::read_to_string(dir.join("compare.md")).unwrap();
        assert!(md.starts_with("# cronwarp compare: "), "{md}");
        for side in ["kubernetes", "crossplane"] {
            let svg = std::fs::read_to_string(dir.join(format!("report.{side}.svg"))).unwrap();
            assert!(
                svg.starts_with("<svg") || svg.starts_with("<?xml"),
                "{side}: {}",
                &svg[..40.min(svg.len())]
            );
        }
    }

    #[test]
    fn a_failed_expectation_exits_one_and_names_the_controller() {
        let dir = ScratchDir::created("compare-expect");
        let file = dir.path().join("strict.yaml");
        let text = std::fs::read_to_string(SCENARIO).unwrap().replace("maxMissed: 5", "maxMissed: 0");
        std::fs::write(&file, text).unwrap();
        let o = cronwarp(&["compare", file.to_str().unwrap()]);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(
            o.stderr.contains("expectation failed under Kubernetes: maxMissed (default/report)"),
            "{}",
            o.stderr
        );
    }
}

/// Snapshots (insta, top-level snapshots/).
mod snapshots {
    use super::*;

    #[test]
    fn downtime_catchup_side_by_side() {
        let o = cronwarp(&["compare", SCENARIO]);
        let settings = crate::support::snapshots::settings();
        let text = o.stdout.replace(env!("CARGO_PKG_VERSION"), "<version>");
        settings.bind(|| insta::assert_snapshot!("compare-downtime-catchup", text));
        assert!(Path::new("snapshots/compare-downtime-catchup.snap").exists());
    }

    #[test]
    fn downtime_catchup_as_markdown() {
        let o = cronwarp(&["compare", SCENARIO, "--format", "markdown"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let settings = crate::support::snapshots::settings();
        settings.bind(|| insta::assert_snapshot!("compare-downtime-catchup-markdown", o.stdout));
    }
}
