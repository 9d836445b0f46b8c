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

/// A CronJob with `spec` lines and `job` fields (flow style, each ending
/// in `, `) in its Job template, whose pods use restartPolicy Never.
fn cronjob_with(spec: &str, job: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{name: backup, namespace: ops}}\nspec:\n{spec}  \
         jobTemplate: {{spec: {{{job}template: {{spec: {{restartPolicy: Never, containers: [{{name: m, \
         image: b}}]}}}}}}}}\n"
    )
}

fn lint(spec: &str, extra: &[&str]) -> Out {
    lint_text(&cronjob(spec), extra)
}

fn lint_text(text: &str, extra: &[&str]) -> Out {
    let mut args = vec!["lint", "-"];
    args.extend_from_slice(extra);
    cronwarp_in_process(&args, text, &[])
}

/// Whether `rule` fires on a CronJob with `bad` spec lines and not on one
/// with `good` ones.
fn fires(rule: &str, bad: &str, good: &str) {
    fires_on(rule, &cronjob(bad), &cronjob(good));
}

/// Whether `rule` fires on the manifest `bad` and not on `good`; the
/// finding's text.
fn fires_on(rule: &str, bad: &str, good: &str) -> String {
    let tag = format!("[{rule}]");
    let b = lint_text(bad, &["--from", "2025-01-01T00:00:00Z"]);
    assert_eq!(b.code, 0, "{}", b.stderr);
    assert!(b.stdout.contains(&tag), "{rule} silent on:\n{bad}\n{}", b.stdout);
    let g = lint_text(good, &["--from", "2025-01-01T00:00:00Z"]);
    assert!(!g.stdout.contains(&tag), "{rule} fired on:\n{good}\n{}", g.stdout);
    b.stdout
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
fn l1_every_schedule_with_a_deadline_under_its_interval() {
    fires(
        "CW-L1",
        "  schedule: '@every 1h'\n  startingDeadlineSeconds: 600\n",
        "  schedule: '@every 1h'\n  startingDeadlineSeconds: 3600\n",
    );
}

#[test]
fn l8_ttl_shorter_than_the_interval() {
    let hourly = "  schedule: '0 * * * *'\n";
    let out = fires_on(
        "CW-L8",
        &cronjob_with(hourly, "ttlSecondsAfterFinished: 600, "),
        &cronjob_with(hourly, "ttlSecondsAfterFinished: 7200, "),
    );
    assert!(out.contains("shorter than the 1h between runs"), "{out}");
}

#[test]
fn l9_history_limit_zero_with_a_ttl_and_l7_without() {
    let ttl = "ttlSecondsAfterFinished: 86400, ";
    let out = fires_on(
        "CW-L9",
        &cronjob_with("  schedule: '0 * * * *'\n  failedJobsHistoryLimit: 0\n", ttl),
        &cronjob_with("  schedule: '0 * * * *'\n  failedJobsHistoryLimit: 1\n", ttl),
    );
    assert!(!out.contains("[CW-L7]"), "one of the two, never both: {out}");
}

#[test]
fn l10_the_outage_that_loses_ticks() {
    // No deadline: over 100 ticks estimated, TooManyMissedTimes.
    let out =
        fires_on("CW-L10", &cronjob("  schedule: '* * * * *'\n"), &cronjob("  schedule: '0 * * * *'\n"));
    assert!(out.contains("an outage over 1h40m (100 ticks of \"* * * * *\")"), "{out}");
    // A deadline under the interval: a tick passed by more is dropped.
    let out = fires_on(
        "CW-L10",
        &cronjob("  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 60\n"),
        &cronjob("  schedule: '*/5 * * * *'\n  startingDeadlineSeconds: 300\n"),
    );
    assert!(out.contains("passes a tick by more than 1m drops it"), "{out}");
}

#[test]
fn l11_retries_that_cannot_happen() {
    let every = "{rules: [{action: FailJob, onExitCodes: {operator: NotIn, values: [0]}}]}";
    let some = "{rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]}";
    let out = fires_on(
        "CW-L11",
        &cronjob_with("  schedule: '0 * * * *'\n", &format!("backoffLimit: 3, podFailurePolicy: {every}, ")),
        &cronjob_with("  schedule: '0 * * * *'\n", &format!("backoffLimit: 3, podFailurePolicy: {some}, ")),
    );
    assert!(out.contains("backoffLimit 3 is never used"), "{out}");
    // 10 s + 20 s + 40 s of backoff: two retries fit in 45 s, not six.
    let out = fires_on(
        "CW-L11",
        &cronjob_with("  schedule: '0 * * * *'\n", "activeDeadlineSeconds: 45, "),
        &cronjob_with("  schedule: '0 * * * *'\n", "activeDeadlineSeconds: 3600, "),
    );
    assert!(out.contains("leaves room for 2 of its 6 retries"), "{out}");
    let short = lint_text(&cronjob_with("  schedule: '0 * * * *'\n", "activeDeadlineSeconds: 10, "), &[]);
    assert!(short.stdout.contains("ends the Job before its first retry"), "{}", short.stdout);
}

#[test]
fn l12_backoff_limit_zero_is_a_note() {
    let out = fires_on(
        "CW-L12",
        &cronjob_with("  schedule: '0 * * * *'\n", "backoffLimit: 0, "),
        &cronjob_with("  schedule: '0 * * * *'\n", "backoffLimit: 1, "),
    );
    assert!(out.contains("note[CW-L12]") && !out.contains("[CW-L11]"), "{out}");
}

/// A CronOperation with `spec` lines.
fn cronoperation(spec: &str) -> String {
    format!(
        "apiVersion: ops.crossplane.io/v1alpha1\nkind: CronOperation\nmetadata: {{name: hourly}}\nspec:\n{spec}  \
         operationTemplate: {{spec: {{mode: Pipeline, pipeline: [{{step: s, functionRef: {{name: f}}}}]}}}}\n"
    )
}

#[test]
fn l13_cronoperation_deadline_and_l14_clock_skew() {
    let out = fires_on(
        "CW-L13",
        &cronoperation("  schedule: '0 * * * *'\n  startingDeadlineSeconds: 600\n"),
        &cronoperation("  schedule: '0 * * * *'\n"),
    );
    assert!(out.starts_with("<stdin>:6:3: warning[CW-L13]: hourly:"), "{out}");
    fires_on(
        "CW-L14",
        &cronoperation("  schedule: '*/5 * * * *'\n"),
        &cronoperation("  schedule: '@every 5m'\n"),
    );
}

#[test]
fn l15_a_stampede_over_all_inputs_is_one_finding_at_the_first_cronjob() {
    let fleet = |n: usize| {
        let items: Vec<String> = (0..n)
            .map(|i| {
                cronjob("  schedule: '0 * * * *'\n").replace("name: backup", &format!("name: job-{i:02}"))
            })
            .collect();
        items.join("---\n")
    };
    let out = fires_on("CW-L15", &fleet(11), &fleet(10));
    assert_eq!(out.matches("[CW-L15]").count(), 1, "{out}");
    assert!(
        out.contains(
            "<stdin>:5:3: warning[CW-L15]: ops/job-00: 11 CronJobs fire in the minute of 2025-01-01T01:00:00Z"
        ),
        "{out}"
    );
    assert!(out.contains("ops/job-00 at :00, ops/job-01 at :05"), "{out}");
}

#[test]
fn l16_robfig_walk_deviations_in_lord_howe() {
    fires(
        "CW-L16",
        "  schedule: '0 0 * * *'\n  timeZone: Australia/Lord_Howe\n",
        "  schedule: '0 0 * * *'\n  timeZone: Australia/Sydney\n",
    );
    // Not only midnight: after the 30-minute switch the walk steps hours
    // at :30, so any whole-hour daily run skips the switch days.
    let noon = lint(
        "  schedule: '0 12 * * *'\n  timeZone: Australia/Lord_Howe\n",
        &["--from", "2025-01-01T00:00:00Z"],
    );
    assert!(noon.stdout.contains("2025-04-06 12:00 no run (robfig walk)"), "{}", noon.stdout);
    // A midnight switch: Havana's hour loop never sees hour 0 on 03-09 and
    // fires on a day the fields do not name (docs/fidelity/schedules.md#sch-10).
    let havana =
        lint("  schedule: '0 12 8 3 *'\n  timeZone: America/Havana\n", &["--from", "2025-01-01T00:00:00Z"]);
    assert!(havana.stdout.contains("2025-03-09 12:00 off-schedule run (robfig walk)"), "{}", havana.stdout);
    let o = lint(
        "  schedule: '0 0 * * *'\n  timeZone: Australia/Lord_Howe\n",
        &["--from", "2025-01-01T00:00:00Z"],
    );
    assert!(o.stdout.contains("2025-04-07 00:00 no run (robfig walk)"), "{}", o.stdout);
}

#[test]
fn l17_a_zone_the_tz_database_lacks() {
    let out = fires_on(
        "CW-L17",
        &cronjob("  schedule: '30 1 * * *'\n  timeZone: US/Pacific-New\n"),
        &cronjob("  schedule: '30 1 * * *'\n  timeZone: America/Los_Angeles\n"),
    );
    assert!(out.contains("did you mean `US/Pacific`?"), "{out}");
    // The controller never gets to the schedule: no DST or interval finding.
    assert!(!out.contains("[CW-L5]") && !out.contains("[CW-L10]"), "{out}");
}
