//! Warning events the controller records about a workload are listed in
//! its report (text, Markdown and JSON), per reason with a count and the
//! first occurrence.

use cronwarp::report::{render_markdown, render_text};
use cronwarp::{RunOptions, Scenario};
use std::path::Path;

#[test]
fn too_many_missed_times_is_listed_with_its_count_and_first_occurrence() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/too-many-missed.yaml");
    let run = cronwarp::run(&Scenario::from_path(path).unwrap(), RunOptions::default()).unwrap();
    let w = run.workload("default/sweeper").unwrap();
    let reasons: Vec<&str> = w.warnings.iter().map(|x| x.reason.as_str()).collect();
    assert_eq!(reasons, ["TooManyMissedTimes"]);
    let warning = &w.warnings[0];
    assert_eq!(warning.count, 1);
    assert_eq!(warning.first.to_string(), "2025-03-03T10:01:00Z");
    assert!(warning.message.starts_with("too many missed start times"), "{}", warning.message);

    let text = render_text(run.report());
    assert!(text.contains("Warning events"), "{text}");
    assert!(text.contains("TooManyMissedTimes  1      2025-03-03T10:01:00Z"), "{text}");
    assert!(render_markdown(run.report()).contains("| TooManyMissedTimes | 1 |"));
    let json = serde_json::to_value(run.report()).unwrap();
    assert_eq!(json["workloads"][0]["warnings"][0]["reason"], "TooManyMissedTimes");
    assert_eq!(json["workloads"][0]["warnings"][0]["count"], 1);
}

#[test]
fn a_workload_without_warnings_has_no_warnings_section() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/downtime-catchup.yaml");
    let run = cronwarp::run(&Scenario::from_path(path).unwrap(), RunOptions::default()).unwrap();
    assert!(run.workload("default/report").unwrap().warnings.is_empty());
    assert!(!render_text(run.report()).contains("Warning events"));
    let json = serde_json::to_value(run.report()).unwrap();
    assert!(json["workloads"][0].get("warnings").is_none(), "absent, not empty");
}
