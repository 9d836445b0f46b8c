//! `cronwarp::gate` as a library: the facade on the bundled scenarios, and
//! the Markdown summary's size cap on a gate too large for a PR comment.

use cronwarp::gate::{Case, Gate, GateOptions, GoldenState, Goldens, Outcome, Ran, SUMMARY_LIMIT, Status};
use std::path::PathBuf;

#[test]
fn the_facade_checks_a_directory_without_the_cli() {
    let options = GateOptions { goldens: Goldens::Check, threads: 2, ..GateOptions::default() };
    let gate = cronwarp::gate(&["scenarios".into()], options).expect("scenarios/ holds scenarios");
    assert_eq!(gate.failing().count(), 0, "{}", gate.to_text());
    let case = gate.cases.iter().find(|c| c.name == "downtime-catchup.yaml").expect("found");
    assert_eq!(case.golden, PathBuf::from("scenarios/downtime-catchup.golden.md"));
    let Outcome::Ran(ran) = &case.outcome else { panic!("ran") };
    assert!(ran.report.starts_with("# cronwarp report: downtime-catchup.yaml\n"), "{}", ran.report);
    assert_eq!(ran.golden, GoldenState::Matches);
}

/// A failing case whose diff is `lines` lines long.
fn failing(i: usize, lines: usize) -> Case {
    let diff = (0..lines).map(|l| format!("-old line {l} of scenario {i}\n+new line {l}\n")).collect();
    Case {
        path: format!("team/s{i:03}.yaml").into(),
        name: format!("s{i:03}.yaml"),
        golden: format!("team/s{i:03}.golden.md").into(),
        inputs: Vec::new(),
        outcome: Outcome::Ran(Ran {
            report: String::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            golden: GoldenState::Differs { diff },
        }),
    }
}

#[test]
fn the_summary_fits_a_pr_comment_and_says_what_it_left_out() {
    let mut cases: Vec<Case> = (0..300).map(|i| failing(i, if i == 7 { 5_000 } else { 20 })).collect();
    let mut ok = failing(999, 0);
    if let Outcome::Ran(r) = &mut ok.outcome {
        r.golden = GoldenState::Matches;
    }
    cases.insert(0, ok);
    let gate = Gate { cases, stale_goldens: Vec::new() };
    assert_eq!(gate.cases[0].status(), Status::Passed);
    let summary = gate.to_summary_markdown();
    assert!(summary.chars().count() <= SUMMARY_LIMIT, "{} characters", summary.chars().count());
    assert!(summary.starts_with("## cronwarp test: FAILED\n\n1 passed; 300 failed"), "{}", &summary[..200]);
    // Failures first: the passing case, listed first, is cut.
    assert!(summary.contains("<code>s000.yaml</code>") && !summary.contains("s999"));
    // The huge diff is cut inside its block, the rest of the list at the end.
    assert!(summary.contains("more lines cut here"), "the long diff is cut");
    assert!(summary.contains("This summary stops here to fit a pull-request comment"), "with a note");
    assert!(summary.trim_end().ends_with("The job log and the JUnit report list every scenario._"));
    // Every block that is there is whole.
    assert_eq!(summary.matches("<details>").count(), summary.matches("</details>").count());
}
