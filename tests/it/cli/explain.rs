//! The `explain` subcommand, run as a user runs it. Every call passes
//! `--from` so that outputs do not depend on the clock.

use crate::support::cli::cronwarp;
use crate::support::snapshots;

fn snapshot(name: &str, args: &[&str]) {
    let o = cronwarp(args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut settings = snapshots::settings();
    settings.set_description(args.join(" "));
    settings.bind(|| insta::assert_snapshot!(name, o.stdout));
}

#[test]
fn new_york_gap_and_fold() {
    snapshot(
        "explain_new_york_every_30_minutes_1_to_3",
        &["explain", "--from", "2025-01-01T00:00:00Z", "--tz", "America/New_York", "*/30 1-3 * * *"],
    );
}

#[test]
fn day_of_month_or_day_of_week() {
    snapshot("explain_day_1_or_monday", &["explain", "--from", "2025-01-01T00:00:00Z", "0 0 1 * 1"]);
}

#[test]
fn lord_howe_daily_misses_days_after_transitions() {
    snapshot(
        "explain_lord_howe_daily",
        &["explain", "--from", "2025-01-01T00:00:00Z", "--tz", "Australia/Lord_Howe", "@daily"],
    );
}

#[test]
fn chatham_next_gets_stuck() {
    snapshot(
        "explain_chatham_0345",
        &["explain", "--from", "2025-01-01T00:00:00Z", "--tz", "Pacific/Chatham", "45 3 * * *"],
    );
}

#[test]
fn beirut_yearly_skips_a_year() {
    snapshot(
        "explain_beirut_march_30_noon",
        &["explain", "--from", "2025-01-01T00:00:00Z", "--tz", "Asia/Beirut", "0 12 30 3 *"],
    );
}

#[test]
fn every_is_not_affected_by_dst() {
    snapshot("explain_every_90m", &["explain", "--from", "2025-01-01T00:00:00Z", "@every 90m"]);
}

#[test]
fn invalid_input_exits_2() {
    let o = cronwarp(&["explain", "--from", "2025-01-01T00:00:00Z", "0 0 L * *"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("failed to parse int from L"), "{}", o.stderr);
    assert!(o.stderr.contains("hint: robfig/cron has no L, W, # or H"), "{}", o.stderr);
}

#[test]
fn api_rejection_is_a_warning() {
    let o = cronwarp(&["explain", "--from", "2025-01-01T00:00:00Z", "--tz", "Local", "0 * * * *"]);
    assert_eq!(o.code, 0);
    assert!(o.stderr.contains("timeZone must be an explicit time zone"), "{}", o.stderr);
}

#[test]
fn near_year_9999_every_date_has_four_digits() {
    // The DST window and the runs stop at 9999-12-31, the last day RFC 3339
    // writes, so nothing printed has a year `--from` cannot read.
    let o = cronwarp(&["explain", "--from", "9999-06-01T00:00:00Z", "0 0 3 5 *"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("(9999-06-01 to 9999-12-31)"), "{}", o.stdout);
    assert!(o.stdout.contains("(the next one is past 9999-12-31T23:59:59Z"), "{}", o.stdout);
    assert!(!o.stdout.contains("10000"), "{}", o.stdout);
}

/// Given a dump instead of an expression: a row per CronJob with its last
/// schedule time, next run and DST surprises.
mod manifests {
    use super::*;
    use crate::support::cli::cronwarp_in_process;

    const FROM: &str = "2025-10-01T00:00:00Z";

    #[test]
    fn a_dump_lists_every_cronjob_with_its_next_run() {
        snapshot("explain_dump_fleet", &["explain", "--from", FROM, "scenarios/dumps/fleet.yaml"]);
    }

    #[test]
    fn standard_input_reads_the_same_as_the_file() {
        let text = std::fs::read_to_string("scenarios/dumps/fleet.yaml").unwrap();
        let piped = cronwarp_in_process(&["explain", "--from", FROM, "-"], &text, &[]);
        let file = cronwarp(&["explain", "--from", FROM, "scenarios/dumps/fleet.yaml"]);
        assert_eq!(piped.code, 0, "{}", piped.stderr);
        assert_eq!(piped.stdout, file.stdout);
    }

    #[test]
    fn json_has_the_next_three_runs_and_dated_dst_surprises() {
        let o = cronwarp(&["explain", "--format", "json", "--from", FROM, "scenarios/lord-howe.yaml"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        let first = &v[0];
        assert_eq!(first["object"], "island/midnight");
        assert_eq!(first["nextRuns"].as_array().unwrap().len(), 3);
        assert_eq!(first["nextRuns"][0], "2025-10-02T00:00:00+10:30");
        assert!(
            first["dst"][0].as_str().unwrap().starts_with("2025-10-06 00:00 no run (robfig walk)"),
            "{first}"
        );
    }

    #[test]
    fn a_missing_file_is_an_input_error_not_a_bad_schedule() {
        let o = cronwarp(&["explain", "no-such-dump.yaml"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("no-such-dump.yaml"), "{}", o.stderr);
        assert!(!o.stderr.contains("5 fields"), "{}", o.stderr);
    }
}

mod argo_dialect {
    use super::*;

    #[test]
    fn reads_the_timezone_as_a_cron_tz_prefix_and_names_argo_in_dst_surprises() {
        snapshot(
            "explain_argo_new_york_0130",
            &[
                "explain",
                "--dialect",
                "argo",
                "--from",
                "2026-01-01T00:00:00Z",
                "--tz",
                "America/New_York",
                "30 1 * * *",
            ],
        );
    }

    #[test]
    fn a_schedule_naming_its_zone_with_a_timezone_cannot_be_registered() {
        let o = cronwarp(&["explain", "--dialect", "argo", "--tz", "Europe/Berlin", "CRON_TZ=UTC 0 3 * * *"]);
        assert_eq!(o.code, 2, "{}", o.stdout);
        assert!(
            o.stderr.contains("cannot register \"CRON_TZ=Europe/Berlin CRON_TZ=UTC 0 3 * * *\""),
            "{}",
            o.stderr
        );
    }

    #[test]
    fn the_cronjob_admission_warnings_do_not_apply() {
        let k8s = cronwarp(&["explain", "--from", "2026-01-01T00:00:00Z", "TZ=UTC 0 3 * * *"]);
        assert!(k8s.stderr.contains("warning:"), "{}", k8s.stderr);
        let argo =
            cronwarp(&["explain", "--dialect", "argo", "--from", "2026-01-01T00:00:00Z", "TZ=UTC 0 3 * * *"]);
        assert_eq!((argo.code, argo.stderr.as_str()), (0, ""));
        assert!(argo.stdout.contains("Runner     robfig's in-process runner"), "{}", argo.stdout);
    }
}
