//! An Operation whose every attempt lasts the whole 2-minute timeout
//! retries for ever (crossplane `Reconcile`: the failure's status write
//! runs under the expired context, so `status.failures` never moves). Under
//! `Allow` a new one joins every slot, and stepping every attempt cost the
//! square of the horizon (issue #14, item 4). The simulator fast-forwards
//! the steady loop: the log and the work grow with the days, and the
//! report counts every attempt as before.

use crate::support::cli::cronwarp_within;
use crate::support::scratch::ScratchDir;
use crate::support::sim_crossplane::*;
use cronwarp::RunOptions;

fn nightly(days: i64) -> Scenario {
    let end = Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap().add(days * 86_400_000);
    let w = cronop("nightly", "2025-12-01T00:00:00Z", &["schedule: \"0 3 * * *\""], &["duration: 2m"]);
    scenario("2026-01-01T00:00:00Z", &end.rfc3339(), &[], &[w])
}

/// The attempts an Operation created at `slot` starts before `end`: 2
/// minutes each, then the rate limiter's 1 s, 2 s … 32 s, then 60 s for
/// ever.
fn attempts_before(slot: Time, end: Time) -> u64 {
    let mut at = slot;
    let (mut n, mut backoff) = (0, 1_000);
    while at < end {
        n += 1;
        at = at.add(120_000 + backoff);
        backoff = (backoff * 2).min(60_000);
    }
    n
}

#[test]
fn a_retry_loop_costs_what_its_days_cost_and_every_attempt_still_counts() {
    let days = 60;
    let sc = nightly(days);
    let out = run(&sc);
    // Stepping every attempt logged about six records per attempt: 60
    // Operations of up to 28,000 attempts each, 5 million records.
    assert!(out.summary.records < 20_000, "{} records", out.summary.records);
    let (start, end) = (sc.horizon.start, sc.horizon.end);
    // The slot owed since the CronOperation's creation runs at the start,
    // then one each night.
    let nights = (0..days).map(|d| Time::parse_rfc3339("2026-01-01T03:00:00Z").unwrap().add(d * 86_400_000));
    let expected: u64 = std::iter::once(start).chain(nights).map(|at| attempts_before(at, end) - 1).sum();
    let report = cronwarp::run(&cronwarp::Scenario::from_sim(sc, "nightly"), RunOptions::default())
        .unwrap()
        .into_report();
    assert_eq!(report.workloads[0].outcomes.retries, expected);
    assert!(expected > 800_000, "{expected}");
}

#[test]
fn compare_on_a_retrying_form_warns_first_and_finishes_in_seconds() {
    // dst-new-york.yaml's `spring`: a daily 2-minute CronJob over eight
    // months, whose Crossplane form stepped 14 million attempts (three
    // minutes of a release build).
    let dir = ScratchDir::created("retry-loops");
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/dst-new-york.yaml")).unwrap();
    let spring = &text[..text.find("  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata:\n        name: fall").unwrap()];
    let file = dir.path().join("spring.yaml");
    std::fs::write(&file, spring).unwrap();
    let out = cronwarp_within(
        &["compare", file.to_str().unwrap(), "--format", "json"],
        std::time::Duration::from_secs(60),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let first = out.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("warning: CronOperation spring: every attempt lasts"), "{first}");
    assert!(first.contains("retries for ever"), "{first}");
    // The count of the run that stepped every attempt.
    assert!(out.stdout.contains("\"crossplane\": 14083082"), "{}", &out.stdout[..3000.min(out.stdout.len())]);
}
