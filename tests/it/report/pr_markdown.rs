//! Markdown that fits a PR comment: a report over
//! `cronwarp::report::PR_COMMENT_CHARS` characters keeps its summary first
//! and folds each workload's details (cut when even that is too long); a
//! short one is the whole report, unchanged.

use cronwarp::report::{PR_COMMENT_CHARS, render_markdown, render_markdown_full};
use cronwarp::{RunOptions, Scenario};
use std::path::Path;

fn report(name: &str) -> cronwarp::report::Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    let scenario = Scenario::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    cronwarp::run(&scenario, RunOptions::default()).unwrap_or_else(|e| panic!("{e}")).into_report()
}

#[test]
fn a_fleet_of_120_cronjobs_fits_a_pr_comment_summary_first() {
    let r = report("fleet-load.yaml");
    assert_eq!(r.workloads.len(), 120);
    let full = render_markdown_full(&r);
    assert!(full.chars().count() > PR_COMMENT_CHARS, "the test needs a report too long for a comment");
    let md = render_markdown(&r);
    assert!(md.chars().count() <= PR_COMMENT_CHARS, "{} characters", md.chars().count());
    // The summary first: the heading, the horizon, the fleet load; then
    // one line per workload; then the folded details.
    assert!(md.starts_with("# cronwarp report: "), "{}", &md[..200]);
    let fleet = md.find("## Fleet load").expect("the fleet load section");
    let overview = md.find("## Workloads (120)").expect("the one-line-per-workload table");
    let details = md.find("<details><summary>").expect("folded details");
    assert!(fleet < overview && overview < details, "{fleet} {overview} {details}");
    for w in &r.workloads {
        assert!(md.contains(&format!("| {} | {} ticks", w.name, w.ticks.total)), "{} not summarised", w.name);
    }
    // Every folded section is whole, and what did not fit is said.
    assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());
    let shown = md.matches("<details>").count();
    if shown < 120 {
        let cut = format!("**Details of {} of 120 workloads cut**", 120 - shown);
        assert!(md.contains(&cut), "no line says what was cut");
        assert!(md.contains("report.html and report.json"), "no line says where the rest is");
    }
}

#[test]
fn a_short_report_is_the_whole_report() {
    let r = report("downtime-catchup.yaml");
    let md = render_markdown(&r);
    assert_eq!(md, render_markdown_full(&r));
    assert!(!md.contains("<details>"));
}
