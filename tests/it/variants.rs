//! `cronwarp::variants` and `cronwarp compare --vary`: the matrix, common
//! random numbers across variants, located errors, the controller axis,
//! thread-count independence and the bundled teaching matrix.

use cronwarp::variants::{Axis, VaryOptions, matrix, parse_vary, vary};
use cronwarp::{Entry, Error, Scenario};
use std::collections::BTreeMap;
use std::path::Path;

use crate::support::cli::cronwarp;

const MATRIX: &str = "scenarios/policy-matrix.yaml";

fn bundled(path: &str) -> Scenario {
    Scenario::from_path(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("the bundled scenario reads")
}

fn axis(s: &str) -> Axis {
    parse_vary(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

mod the_matrix {
    use super::*;

    #[test]
    fn is_every_combination_with_the_last_axis_fastest() {
        let cells = matrix(
            &[axis("concurrencyPolicy=Allow,Forbid"), axis("startingDeadlineSeconds=none,0,300")],
            100,
        )
        .unwrap();
        let names: Vec<&str> = cells.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(
            names,
            ["Allow, none", "Allow, 0", "Allow, 300", "Forbid, none", "Forbid, 0", "Forbid, 300"]
        );
    }

    #[test]
    fn over_the_limit_is_refused_with_the_flag_that_raises_it() {
        let e = matrix(&[axis("backoffLimit=0,1,2,3"), axis("spec.suspend=true,false")], 7).unwrap_err();
        assert!(e.contains("8 cells, more than the limit of 7") && e.contains("--max-variants"), "{e}");
    }

    #[test]
    fn command_line_values_read_as_yaml_scalars_and_quotes_keep_commas() {
        let a = axis(r#"schedule="0,30 * * * *",@hourly"#);
        assert_eq!(a.values, [serde_json::json!("0,30 * * * *"), serde_json::json!("@hourly")]);
        let b = axis("startingDeadlineSeconds=none,300");
        assert_eq!(b.values, [serde_json::Value::Null, serde_json::json!(300)]);
    }

    #[test]
    fn a_wrong_axis_says_what_is_accepted() {
        let e = parse_vary("concurencyPolicy=Allow").unwrap_err();
        assert!(e.contains("did you mean `concurrencyPolicy`"), "{e}");
        let e = parse_vary("controller=nomad").unwrap_err();
        assert!(e.contains("`kubernetes`, `crossplane` or `argo`"), "{e}");
        let e = parse_vary("concurrencyPolicy").unwrap_err();
        assert!(e.contains("FIELD=VALUE"), "{e}");
        let e = matrix(&[axis("backoffLimit=1"), axis("backoffLimit=2")], 10).unwrap_err();
        assert!(e.contains("varied twice"), "{e}");
    }
}

mod common_random_numbers {
    use super::*;

    /// Each Job's pod run time (start to finish), by Job name, which the
    /// controller derives from the tick.
    fn run_times(run: &cronwarp::Run) -> BTreeMap<String, i64> {
        let mut started = BTreeMap::new();
        let mut out = BTreeMap::new();
        for r in run.events().expect("events kept") {
            match &r.entry {
                Entry::PodStarted { job, .. } => {
                    started.insert(job.to_string(), r.time);
                }
                Entry::PodFinished { job, .. } => {
                    if let Some(s) = started.get(job.as_str()) {
                        out.insert(job.to_string(), r.time.since(*s));
                    }
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn the_job_for_a_tick_lasts_as_long_under_every_policy_that_creates_it() {
        let sc = bundled(MATRIX);
        let axes = [axis("concurrencyPolicy=Allow,Forbid")];
        let varied = vary(&sc, &axes, VaryOptions::default().keep_events(true)).unwrap();
        let (allow, forbid) = (run_times(&varied.runs[0]), run_times(&varied.runs[1]));
        let shared: Vec<&String> = forbid.keys().filter(|k| allow.contains_key(*k)).collect();
        assert!(shared.len() > 60, "most ticks run under both: {}", shared.len());
        for job in shared {
            assert_eq!(allow[job], forbid[job], "{job} drew a different duration under Forbid");
        }
        // And Forbid did start some of them late: the draws are shared even
        // when the Job is created at another time.
        let late = varied.comparison.workloads[0].metric("late").unwrap();
        assert_eq!(late.values[0], Some(0));
        assert!(late.values[1] > Some(0));
    }
}

mod applying {
    use super::*;

    #[test]
    fn a_value_the_api_server_refuses_names_the_variant() {
        let e = vary(&bundled(MATRIX), &[axis("concurrencyPolicy=Sometimes")], VaryOptions::default())
            .unwrap_err();
        let text = e.to_string();
        assert!(matches!(e, Error::InvalidScenario { .. }), "{e:?}");
        assert!(text.contains("variant (Sometimes)") && text.contains("Allow, Forbid or Replace"), "{text}");
    }

    #[test]
    fn a_field_a_cronoperation_lacks_is_a_note_not_an_error() {
        let sc = bundled("scenarios/crossplane-replace.yaml");
        let cmp = vary(&sc, &[axis("backoffLimit=0,3")], VaryOptions::default()).unwrap().comparison;
        assert!(
            cmp.notes.iter().any(|n| n.message.contains("a CronOperation has no backoffLimit")),
            "{:?}",
            cmp.notes
        );
    }

    #[test]
    fn the_controller_axis_agrees_with_the_two_controller_compare() {
        let sc = bundled("scenarios/downtime-catchup.yaml");
        let cmp = vary(&sc, &[axis("controller=kubernetes,crossplane")], VaryOptions::default())
            .unwrap()
            .comparison;
        let on_time = cmp.workloads[0].metric("onTime").unwrap();
        let out = cronwarp(&["compare", "scenarios/downtime-catchup.yaml", "--format", "json"]);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        let m = json["workloads"][0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == "onTime")
            .unwrap();
        assert_eq!(on_time.values, [m["kubernetes"].as_i64(), m["crossplane"].as_i64()]);
    }

    #[test]
    fn three_controllers_part_after_downtime_as_each_catches_up() {
        let sc = bundled("scenarios/three-way-compare.yaml");
        let cmp = vary(&sc, &[], VaryOptions::default()).unwrap().comparison;
        let w = &cmp.workloads[0];
        // kubernetes, crossplane, argo × no deadline, 3600 s.
        let late = w.metric("late").unwrap();
        assert_eq!(late.values, [Some(1), Some(1), Some(1), Some(1), Some(0), Some(1)]);
        let missed = w.metric("notStarted").unwrap();
        assert_eq!(missed.values, [Some(5), Some(5), Some(5), Some(5), Some(6), Some(5)]);
        let text = serde_json::to_string(&cmp).unwrap();
        assert!(text.contains("without startingDeadlineSeconds the missed-run check runs nothing"), "{text}");
        assert!(text.contains("the earliest owed slot"), "{text}");
    }

    #[test]
    fn the_argo_form_refuses_timed_changes_it_cannot_convert_yet() {
        let sc = bundled("scenarios/suspend-resume.yaml");
        let e =
            vary(&sc, &[axis("controller=kubernetes,argo")], VaryOptions::default()).unwrap_err().to_string();
        assert!(e.contains("variant (argo)") && e.contains("not converted to the Argo form"), "{e}");
    }

    #[test]
    fn the_output_does_not_depend_on_the_thread_count() {
        let sc = bundled(MATRIX);
        let one = vary(&sc, &[], VaryOptions::default().threads(1)).unwrap().comparison;
        let two = vary(&sc, &[], VaryOptions::default().threads(2)).unwrap().comparison;
        assert_eq!(serde_json::to_string(&one).unwrap(), serde_json::to_string(&two).unwrap());
    }

    #[test]
    fn a_bad_axis_in_the_scenario_is_located() {
        let text =
            std::fs::read_to_string(MATRIX).unwrap().replace("vary: concurrencyPolicy", "vary: concurrency");
        let line = 1 + text.lines().position(|l| l.contains("vary: concurrency")).unwrap();
        let e = Scenario::from_yaml(&text, "m.yaml").unwrap_err().to_string();
        assert!(e.starts_with(&format!("m.yaml:{line}:")), "{e}");
        assert!(e.contains("variants[0]") && e.contains("did you mean"), "{e}");
    }
}

mod the_command {
    use super::*;

    #[test]
    fn the_teaching_matrix_reads_as_a_table_per_workload() {
        let out = cronwarp(&["compare", MATRIX, "--format", "markdown"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        crate::support::snapshots::settings()
            .bind(|| insta::assert_snapshot!("compare_policy_matrix", out.stdout));
    }

    #[test]
    fn out_writes_the_tables_and_a_row_per_variant() {
        let dir = crate::support::scratch::ScratchDir::new("variants-out");
        let d = dir.path().to_path_buf();
        let out = cronwarp(&["compare", MATRIX, "--out", d.to_str().unwrap()]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(std::fs::read_to_string(d.join("variants.md")).unwrap().contains("| peak concurrency |"));
        let svg = std::fs::read_to_string(d.join("data_etl.variants.svg")).unwrap();
        assert_eq!(svg.matches("<svg").count(), 7, "the frame and one timeline per variant");
        assert!(svg.contains("aria-label=\"Replace, 300\""), "the row label, as outlines");
    }

    #[test]
    fn sweep_vary_puts_each_variants_spread_side_by_side() {
        let out = cronwarp(&[
            "sweep",
            "scenarios/sweep-nightly-backup.yaml",
            "--seeds",
            "0..40",
            "--vary",
            "startingDeadlineSeconds=none,7200",
            "--format",
            "json",
        ]);
        assert!(out.code <= 1, "{}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(json["sweeps"].as_array().unwrap().len(), 2);
        // Without a deadline Forbid waits for a slow run instead of
        // dropping the night: no seed loses a night to the deadline.
        let not_started_max = |i: usize| {
            json["sweeps"][i]["workloads"][0]["figures"]
                .as_array()
                .unwrap()
                .iter()
                .find(|f| f["figure"] == "notStarted")
                .unwrap()["max"]
                .as_i64()
                .unwrap()
        };
        assert!(not_started_max(1) > not_started_max(0), "{} vs {}", not_started_max(1), not_started_max(0));
    }

    #[test]
    fn vary_on_the_command_line_and_its_limit() {
        let out = cronwarp(&[
            "compare",
            "scenarios/forbid-long-jobs.yaml",
            "--vary",
            "concurrencyPolicy=Allow,Forbid",
            "--vary",
            "backoffLimit=0,1",
            "--max-variants",
            "3",
        ]);
        assert_eq!(out.code, 2);
        assert!(out.stderr.contains("4 cells, more than the limit of 3"), "{}", out.stderr);
    }
}
