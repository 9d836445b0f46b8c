//! Every scenario in `scenarios/` runs through the library exactly as
//! `cronwarp run` does (load, simulate with the accountant as the sink,
//! finish, check `expect:`), and its text report is pinned as an insta
//! snapshot in `snapshots/scenario-<name>.snap`. A change in the simulator,
//! the policy or the report that alters what a scenario teaches shows up
//! here as a snapshot diff; a scenario whose `expect:` block stops holding
//! fails outright.

use crate::support::snapshots;
use cronwarp::report::{Accountant, ReportInput, apply_selected, render_text};
use cronwarp::sim::{Scenario, SimOptions, simulate_into};
use std::path::{Path, PathBuf};

/// The simulation scenarios: `scenarios/*.yaml` files with a top-level
/// `horizon:` (not the manifests and dumps they read, nor inputs of
/// `cronwarp render` such as a KubeVela Application), in name order so
/// failures read the same every run.
fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| {
            std::fs::read_to_string(p).is_ok_and(|text| text.lines().any(|l| l.starts_with("horizon:")))
        })
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// What `cronwarp run scenarios/<name>.yaml` prints (text format), plus the
/// violated expectations, each as "key (cronjob): message".
fn run_scenario(path: &Path) -> (String, Vec<String>) {
    let scenario = Scenario::load(path).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    // The name the CLI would print for `cronwarp run scenarios/<file>`.
    let name = format!("scenarios/{}.yaml", stem(path));
    let input = ReportInput::from_scenario(&name, &scenario)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let keys: Vec<String> = input.workloads.iter().map(|m| m.key.clone()).collect();
    let selection =
        scenario.select_workloads(&keys).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let mut accountant = Accountant::new(input);
    if scenario.expect.has_fleet_bounds() {
        accountant = accountant.with_fleet();
    }
    simulate_into(&scenario, &mut accountant, SimOptions::default())
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    let mut report = accountant.finish();
    apply_selected(&scenario.expect, &selection, &mut report);
    let violations = report
        .violations
        .iter()
        .map(|v| format!("{} ({}): {}", v.expectation, v.cronjob, v.message))
        .collect();
    (render_text(&report), violations)
}

#[test]
fn every_scenario_report_matches_its_snapshot_and_meets_its_expectations() {
    let files = scenario_files();
    assert!(files.len() >= 12, "expected at least 12 scenarios, found {}", files.len());
    let settings = snapshots::settings();
    let mut failed = Vec::new();
    settings.bind(|| {
        for path in &files {
            let (text, violations) = run_scenario(path);
            insta::assert_snapshot!(format!("scenario-{}", stem(path)), text);
            failed.extend(violations.into_iter().map(|v| format!("{}: {v}", stem(path))));
        }
    });
    assert!(failed.is_empty(), "expectations violated:\n{}", failed.join("\n"));
}

#[test]
fn every_scenario_says_what_it_teaches_and_what_it_expects() {
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
        assert!(
            header.first().is_some_and(|l| l.starts_with("# What this teaches")),
            "{}: the file must open with a `# What this teaches` comment",
            path.display()
        );
        let header = header.join("\n").to_lowercase();
        assert!(
            header.contains("expect"),
            "{}: the opening comment must state the expected outcome",
            path.display()
        );
        assert!(text.contains("\nexpect:"), "{}: no `expect:` block", path.display());
    }
}
