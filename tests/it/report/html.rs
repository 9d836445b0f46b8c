//! `report.html`, `compare.html`, `variants.html`: one self-contained page
//! each, from the same document as the Markdown, the figures inlined.
//! (`html_in_browser.rs` loads them in a real browser.)

use crate::support::cli::cronwarp;
use crate::support::scratch::ScratchDir;
use cronwarp::{RunOptions, Scenario};
use std::path::Path;

fn page(name: &str, threads: usize, keep_events: bool) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    let scenario = Scenario::from_path(path).unwrap_or_else(|e| panic!("{e}"));
    let opts = RunOptions::default().threads(threads).timelines(true).keep_events(keep_events);
    cronwarp::run(&scenario, opts).unwrap_or_else(|e| panic!("{e}")).report_html()
}

/// Every URL-looking string in the page: only the SVG and XLink namespace
/// names may be there (names, not requests).
fn urls(html: &str) -> Vec<&str> {
    html.match_indices("://")
        .map(|(i, _)| &html[html[..i].rfind(['"', ' ']).map_or(0, |s| s + 1)..i + 20])
        .collect()
}

#[test]
fn the_page_is_self_contained_with_a_timeline_per_workload_and_the_fleet_chart() {
    let html = page("backoff-limit.yaml", 1, true);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
    for u in urls(&html) {
        assert!(u.starts_with("http://www.w3.org/"), "a URL that is not a namespace name: {u}");
    }
    for forbidden in [" src=", "<link", "@import", "url("] {
        assert!(!html.contains(forbidden), "{forbidden}");
    }
    // Three timelines and the fleet load, each inline, each once.
    assert_eq!(html.matches("<figure>").count(), 4);
    assert!(html.contains("<title>CronJob default/flaky timeline</title>"));
    assert!(html.contains("<title>Fleet load</title>"));
    // The glyph outlines are defined once, for all figures.
    assert_eq!(html.matches("<path id=\"g5\" ").count(), 1);
    // A tooltip per Job.
    assert_eq!(html.matches("<title>Job default/flaky-").count(), 4);
    // The tables of the Markdown report.
    assert!(html.contains("<th>deleted by</th>"));
    assert!(html.contains("<code>0 * * * *</code>"));
}

#[test]
fn the_page_is_the_same_bytes_on_any_thread_count() {
    assert_eq!(page("backoff-limit.yaml", 1, false), page("backoff-limit.yaml", 2, false));
}

#[test]
fn run_compare_and_variants_write_their_pages() {
    let dir = ScratchDir::new("html-cli");
    let p = |sub: &str| dir.path().join(sub);
    let o = cronwarp(&["run", "scenarios/downtime-catchup.yaml", "--out", p("run").to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let run = std::fs::read_to_string(p("run").join("report.html")).unwrap();
    // The SVG file inside the page, glyph definitions aside.
    let svg = std::fs::read_to_string(p("run").join("default_report.svg")).unwrap();
    let tail = &svg[svg.find("</defs>").unwrap() + 8..];
    assert!(run.contains(tail), "the page holds the timeline as --out writes it");

    let o = cronwarp(&["compare", "scenarios/crossplane-replace.yaml", "--out", p("cmp").to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let cmp = std::fs::read_to_string(p("cmp").join("compare.html")).unwrap();
    assert!(
        cmp.contains("<figcaption>Kubernetes</figcaption>")
            && cmp.contains("<figcaption>Crossplane</figcaption>")
    );
    assert!(cmp.contains("<title>cronwarp compare: "));

    let o = cronwarp(&["compare", "scenarios/policy-matrix.yaml", "--out", p("var").to_str().unwrap()]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let var = std::fs::read_to_string(p("var").join("variants.html")).unwrap();
    assert_eq!(var.matches("<figure>").count(), 1, "one stacked figure for the one workload");
    assert!(var.contains("<th>Forbid, 300</th>"), "the variants table");
}

#[test]
fn the_fleet_chart_built_as_the_log_streams_is_the_one_drawn_from_the_whole_log() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/backoff-limit.yaml");
    let scenario = Scenario::from_path(path).unwrap();
    let streamed = cronwarp::run(&scenario, RunOptions::default().timelines(true)).unwrap();
    assert!(streamed.events().is_none());
    let kept = cronwarp::run(&scenario, RunOptions::default().keep_events(true)).unwrap();
    let chart = streamed.fleet_load_svg().expect("a chart without the log");
    assert_eq!(Some(chart), kept.fleet_load_svg());
}
