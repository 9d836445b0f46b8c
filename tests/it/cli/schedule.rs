//! The `schedule` subcommand, run as a user runs it. Every call passes
//! `--from` so that outputs do not depend on the clock.

use crate::support::cli::cronwarp;

fn lines(s: &str) -> Vec<&str> {
    s.lines().collect()
}

#[test]
fn new_york_spring_gap_has_no_run_on_the_missing_day() {
    let o = cronwarp(&[
        "schedule",
        "--from",
        "2025-03-08T00:00:00Z",
        "--count",
        "2",
        "--tz",
        "America/New_York",
        "30 2 * * *",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(lines(&o.stdout), ["2025-03-08T02:30:00-05:00", "2025-03-10T02:30:00-04:00"]);
    assert_eq!(o.stderr, "");
}

#[test]
fn new_york_fall_back_prints_both_passes() {
    let o = cronwarp(&[
        "schedule",
        "--from",
        "2025-11-02T00:00:00-04:00",
        "-n",
        "3",
        "--tz",
        "America/New_York",
        "30 1 * * *",
    ]);
    assert_eq!(
        lines(&o.stdout),
        ["2025-11-02T01:30:00-04:00", "2025-11-02T01:30:00-05:00", "2025-11-03T01:30:00-05:00"]
    );
}

#[test]
fn without_tz_the_controller_zone_is_utc() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T10:00:00+09:00", "-n", "2", "0 9 * * *"]);
    assert_eq!(lines(&o.stdout), ["2025-01-01T09:00:00Z", "2025-01-02T09:00:00Z"]);
}

#[test]
fn default_count_is_ten() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "@hourly"]);
    assert_eq!(lines(&o.stdout).len(), 10);
}

#[test]
fn from_with_fractional_seconds_is_floored_then_strictly_after() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:59:59.999Z", "-n", "1", "0 * * * *"]);
    assert_eq!(lines(&o.stdout), ["2025-01-01T01:00:00Z"]);
    let o = cronwarp(&["schedule", "--from", "2025-01-01T01:00:00.5Z", "-n", "1", "0 * * * *"]);
    assert_eq!(lines(&o.stdout), ["2025-01-01T02:00:00Z"]);
    let o = cronwarp(&["schedule", "--from", "2025-01-01T23:59:59.5Z", "-n", "1", "@every 90m"]);
    assert_eq!(lines(&o.stdout), ["2025-01-02T01:29:59Z"]);
}

#[test]
fn day_fields_or_when_both_are_restricted() {
    let o = cronwarp(&["schedule", "--from", "2025-01-26T00:00:00Z", "-n", "3", "0 0 1 * 1"]);
    assert_eq!(lines(&o.stdout), ["2025-01-27T00:00:00Z", "2025-02-01T00:00:00Z", "2025-02-03T00:00:00Z"]);
}

#[test]
fn invalid_expression_exits_2_with_robfig_text_and_hint() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "0 0 * * 7"]);
    assert_eq!(o.code, 2);
    assert_eq!(o.stdout, "");
    assert!(o.stderr.contains("end of range (7) above maximum (6): 7"), "{}", o.stderr);
    assert!(o.stderr.contains("hint: day of week runs 0-6"), "{}", o.stderr);
}

#[test]
fn six_fields_are_rejected_with_robfig_text() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "0 0 0 * * *"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("expected exactly 5 fields, found 6: [0 0 0 * * *]"), "{}", o.stderr);
}

#[test]
fn unknown_zone_exits_2() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "--tz", "Europe/berlin", "0 * * * *"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown time zone Europe/berlin"), "{}", o.stderr);
    assert!(o.stderr.contains("hint: did you mean `Europe/Berlin`?"), "{}", o.stderr);
}

#[test]
fn robfig_panic_input_exits_2() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "TZ=UTC"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("slice bounds out of range [:-1]"), "{}", o.stderr);
}

#[test]
fn bad_from_exits_2() {
    let o = cronwarp(&["schedule", "--from", "yesterday", "0 * * * *"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("invalid --from \"yesterday\""), "{}", o.stderr);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z"]).code, 2);
    assert_eq!(cronwarp(&["schedule", "--count", "x", "0 * * * *"]).code, 2);
}

#[test]
fn tz_in_schedule_runs_but_warns_about_api_rejection() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "-n", "1", "TZ=Asia/Tokyo 0 9 * * *"]);
    assert_eq!(o.code, 0);
    assert_eq!(lines(&o.stdout), ["2025-01-02T09:00:00+09:00"]);
    assert!(o.stderr.contains("cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    assert!(o.stderr.contains("UnsupportedSchedule"));
}

#[test]
fn tz_in_schedule_wins_over_the_tz_flag() {
    let o = cronwarp(&[
        "schedule",
        "--from",
        "2025-01-01T00:00:00Z",
        "-n",
        "1",
        "--tz",
        "Europe/Berlin",
        "TZ=Asia/Tokyo 0 9 * * *",
    ]);
    assert_eq!(lines(&o.stdout), ["2025-01-02T09:00:00+09:00"]);
    assert!(o.stderr.contains("ignores --tz"), "{}", o.stderr);
}

#[test]
fn trailing_space_descriptor_parses_only_behind_a_tz_prefix() {
    // The controller parses "TZ=UTC @daily " (trimmed), the API server
    // validates "@daily " alone and rejects it.
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "-n", "1", "--tz", "UTC", "@daily "]);
    assert_eq!(o.code, 0);
    assert_eq!(lines(&o.stdout), ["2025-01-02T00:00:00Z"]);
    assert!(o.stderr.contains("unrecognized descriptor: @daily "), "{}", o.stderr);
    assert_eq!(cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "@daily "]).code, 2);
}

#[test]
fn never_firing_schedule_prints_nothing() {
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "0 0 30 2 *"]);
    assert_eq!((o.code, o.stdout.as_str()), (0, ""));
    assert!(o.stderr.contains("five-year"), "{}", o.stderr);
}

#[test]
fn five_year_limit_shortens_the_list() {
    let o = cronwarp(&["schedule", "--from", "2095-01-01T00:00:00Z", "-n", "3", "0 0 29 2 *"]);
    assert_eq!(lines(&o.stdout), ["2096-02-29T00:00:00Z"]);
}

#[test]
fn chatham_stops_where_next_does_not_advance() {
    let o = cronwarp(&[
        "schedule",
        "--from",
        "2025-04-04T00:00:00Z",
        "-n",
        "5",
        "--tz",
        "Pacific/Chatham",
        "45 3 * * *",
    ]);
    assert_eq!(o.code, 0);
    assert_eq!(lines(&o.stdout), ["2025-04-05T03:45:00+13:45", "2025-04-06T02:45:00+12:45"]);
    assert!(o.stderr.contains("does not advance past 2025-04-06T02:45:00+12:45"), "{}", o.stderr);
}

#[test]
fn help_documents_exit_codes() {
    let o = cronwarp(&["--help"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("Exit codes:") && o.stdout.contains("2  invalid input"), "{}", o.stdout);
    let o = cronwarp(&["schedule", "--help"]);
    assert!(o.stdout.contains("--count"), "{}", o.stdout);
}

#[test]
fn every_printed_fire_time_reads_back_as_from_and_the_list_stops_at_year_9999() {
    // #14 item 11: year 10000 printed, and `--from` could not read it back.
    let o = cronwarp(&["schedule", "--from", "9999-12-31T23:58:00Z", "-n", "4", "* * * * *"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(lines(&o.stdout), ["9999-12-31T23:59:00Z"]);
    assert!(o.stderr.contains("falls past 9999-12-31T23:59:59Z"), "{}", o.stderr);
    for t in lines(&o.stdout) {
        let back = cronwarp(&["schedule", "--from", t, "-n", "1", "* * * * *"]);
        assert_eq!(back.code, 0, "--from {t}: {}", back.stderr);
    }
    // The year is the printed one, offset included.
    let o = cronwarp(&[
        "schedule",
        "--from",
        "9999-12-31T00:00:00Z",
        "--tz",
        "Pacific/Kiritimati",
        "-n",
        "30",
        "0 * * * *",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("10000"), "{}", o.stdout);
    assert!(o.stdout.ends_with("9999-12-31T23:00:00+14:00\n"), "{}", o.stdout);
    let json =
        cronwarp(&["schedule", "--from", "9999-12-31T23:58:00Z", "-n", "4", "--format", "json", "@hourly"]);
    assert!(json.stdout.contains("\"ended\": \"pastYear9999\""), "{}", json.stdout);
}

#[test]
fn a_five_digit_year_is_refused_with_the_limit() {
    let o = cronwarp(&["schedule", "--from", "10000-01-01T00:00:00Z", "@daily"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.starts_with(
            "error: invalid --from \"10000-01-01T00:00:00Z\": year 10000 has more than four digits: RFC 3339 \
             (and Kubernetes' timestamps) end at 9999-12-31T23:59:59Z"
        ),
        "{}",
        o.stderr
    );
}
