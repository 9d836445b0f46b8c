//! `cronwarp lint`: one test per rule (fires on a bad manifest, silent on
//! a good one), the output formats and the exit codes. Manifests go in on
//! standard input, so each test shows its whole input.

use crate::support::cli::{Out, cronwarp, cronwarp_in_process};

/// A CronJob with `spec` lines (indented two spaces) added.
fn cronjob(spec: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: backup, namespace: ops}}\nspec:\n{spec}  \
         jobTemplate: {{spec: {{template: {{spec: {{containers: [{{name: m, image: b}}]}}}}}}}}\n"
    )
}

fn lint(spec: &str, extra: &[&str]) -> Out {
    let mut args = vec!["lint", "-"];
    args.extend_from_slice(extra);
    cronwarp_in_process(&args, &cronjob(spec), &[])
}

/// Whether `rule` fires on `bad` and not on `good`.
fn fires(rule: &str, bad: &str, good: &str) {
    let tag = format!("[{rule}]");
    let b = lint(bad, &[]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(b.stdout.contains(&tag), "{rule} silent on:\n{bad}\n{}", b.stdout);
    let g = lint(good, &[]);
    assert!(!g.stdout.contains(&tag), "{rule} fired on:\n{good}\n{}", g.stdout);
}

#[test]
fn l1_deadline_zero() {
    fires(
        "CW-L1",
        "  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 0\n",
        "  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 60\n",
    );
    let out = lint("  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 0\n", &[]);
    assert!(out.stdout.starts_with("<stdin>:6:3: warning[CW-L1]: ops/backup:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("  why: ") && out.stdout.contains("  fix: ") && out.stdout.contains("  see: ")
    );
}

#[test]
fn l2_a_short_deadline_is_a_note_not_a_warning() {
    fires(
        "CW-L2",
        "  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 5\n",
        "  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 10\n",
    );
    // The v2 controller runs such a CronJob on time when it is not late
    // (scenarios/deadline-ten-seconds.yaml): a note, so --deny passes.
    let out = lint("  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 5\n", &["--deny", "warnings"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("note[CW-L2]"), "{}", out.stdout);
}

#[test]
fn l3_tz_prefix() {
    fires(
        "CW-L3",
        "  schedule: 'CRON_TZ=Europe/Paris 0 3 * * *'\n",
        "  schedule: '0 3 * * *'\n  timeZone: Europe/Paris\n",
    );
}

#[test]
fn l4_both_day_fields() {
    fires("CW-L4", "  schedule: '0 0 1 * 1'\n", "  schedule: '0 0 1 * *'\n");
}

#[test]
fn l5_dst_gap_and_fold_named() {
    fires(
        "CW-L5",
        "  schedule: '30 1 * * *'\n  timeZone: America/New_York\n",
        "  schedule: '30 4 * * *'\n  timeZone: America/New_York\n",
    );
    let out =
        lint("  schedule: '30 2 * * *'\n  timeZone: America/New_York\n", &["--from", "2025-01-01T00:00:00Z"]);
    assert!(out.stdout.contains("2025-03-09 02:30"), "{}", out.stdout);
}

#[test]
fn l6_forbid_with_deadline() {
    fires(
        "CW-L6",
        "  schedule: '0 * * * *'\n  concurrencyPolicy: Forbid\n  startingDeadlineSeconds: 300\n",
        "  schedule: '0 * * * *'\n  concurrencyPolicy: Forbid\n",
    );
    assert!(
        lint("  schedule: '0 * * * *'\n  concurrencyPolicy: Forbid\n  startingDeadlineSeconds: 300\n", &[])
            .stdout
            .contains("note[CW-L6]")
    );
}

#[test]
fn l7_history_limit_zero() {
    fires("CW-L7", "  schedule: '0 * * * *'\n  failedJobsHistoryLimit: 0\n", "  schedule: '0 * * * *'\n");
}

#[test]
fn sarif_has_the_required_keys() {
    let out = lint("  schedule: '0 0 1 * 1'\n", &["--format", "sarif"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].is_string());
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cronwarp");
    let rule = &run["tool"]["driver"]["rules"][0];
    assert!(
        rule["id"].is_string() && rule["shortDescription"]["text"].is_string() && rule["helpUri"].is_string()
    );
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "CW-L4");
    assert_eq!(r["level"], "warning");
    assert!(r["message"]["text"].is_string());
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "<stdin>");
    assert_eq!(loc["region"]["startLine"], 5);
    assert_eq!(loc["region"]["startColumn"], 3);
}

#[test]
fn json_lists_findings() {
    let out = lint("  schedule: '0 0 1 * 1'\n", &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["rule"], "CW-L4");
    assert_eq!(v[0]["object"], "ops/backup");
}

#[test]
fn deny_warnings_exits_1_only_on_warnings() {
    assert_eq!(lint("  schedule: '0 0 1 * 1'\n", &["--deny", "warnings"]).code, 1);
    // A note alone passes.
    assert_eq!(
        lint("  schedule: '0 * * * *'\n  failedJobsHistoryLimit: 0\n", &["--deny", "warnings"]).code,
        0
    );
    assert_eq!(lint("  schedule: '0 * * * *'\n", &["--deny", "warnings"]).code, 0);
}

#[test]
fn bad_input_exits_2() {
    let out = cronwarp_in_process(&["lint", "-"], "kind: CronJob\nspec: [unclosed\n", &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(cronwarp(&["lint", "no/such/file.yaml"]).code, 2);
}

#[test]
fn deadline_zero_scenario_is_flagged_and_the_simulation_agrees() {
    let out = cronwarp(&["lint", "scenarios/deadline-zero.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("warning[CW-L1]: default/deadline-0:"), "{}", out.stdout);
    let run = cronwarp(&["run", "scenarios/deadline-zero.yaml", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let ticks = &report["workloads"][0]["ticks"];
    assert_eq!(report["workloads"][0]["name"], "default/deadline-0");
    assert_eq!((ticks["onTime"].as_u64(), ticks["late"].as_u64()), (Some(0), Some(0)), "a Job ran");
    assert!(ticks["notStarted"].as_u64() > Some(0));
}
