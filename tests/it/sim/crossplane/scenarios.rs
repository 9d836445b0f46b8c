//! The `scenarios/crossplane-*.yaml` files run end to end through
//! `sim::simulate`, and the outcome each one promises in its opening
//! comment is checked against the event log: which slots got an
//! Operation, when, what the reconciler decided, which events it emitted
//! (docs/fidelity/crossplane.md#xp-17).
//!
//! Times the engine can shift by its wake-up latency (a few milliseconds)
//! are compared within [`SLACK`].

use crate::support::t;
use cronwarp::model::{Millis, SECOND, Time};
use cronwarp::policy::EventType;
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::sim::log::{DeletedBy, Entry, Record};
use cronwarp::sim::{Scenario, SimOptions, simulate};
use std::path::Path;

/// How far a logged time may sit after the instant the scenario names.
const SLACK: Millis = SECOND;

/// The log of `scenarios/<name>.yaml`.
fn run(name: &str) -> Vec<Record> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(format!("{name}.yaml"));
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {}", e.message));
    simulate(&scenario, SimOptions::default()).unwrap_or_else(|e| panic!("{name}: {}", e.message)).log
}

/// `(slot, created at)` of every Operation `cronop` created in the horizon.
fn created(log: &[Record], cronop: &str) -> Vec<(Time, Time)> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationCreated { cronoperation, scheduled_time: Some(slot), seeded: false, .. }
                if cronoperation == cronop =>
            {
                Some((*slot, r.time))
            }
            _ => None,
        })
        .collect()
}

fn slots(log: &[Record], cronop: &str) -> Vec<String> {
    created(log, cronop).iter().map(|(slot, _)| slot.to_string()).collect()
}

/// `(time, decision)` of every reconcile of `cronop`.
fn decisions(log: &[Record], cronop: &str) -> Vec<(Time, CronDecision)> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::CronOperationSync { object, decision, .. } if object.ends_with(cronop) => {
                Some((r.time, (**decision).clone()))
            }
            _ => None,
        })
        .collect()
}

/// Events on objects whose name contains `object`, as `(time, type, reason, message)`.
fn events(log: &[Record], object: &str) -> Vec<(Time, EventType, String, String)> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::Event(e) if e.object.contains(object) => {
                Some((r.time, e.type_, e.reason.to_string(), e.message.to_string()))
            }
            _ => None,
        })
        .collect()
}

fn attempts(log: &[Record], operation: &str) -> Vec<Time> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationAttemptStarted { operation: o, .. } if o == operation => Some(r.time),
            _ => None,
        })
        .collect()
}

/// `(time, succeeded, message)` when `operation` finished.
fn finished(log: &[Record], operation: &str) -> Option<(Time, bool, String)> {
    log.iter().find_map(|r| match &r.entry {
        Entry::OperationFinished { operation: o, succeeded, message, .. } if o == operation => {
            Some((r.time, *succeeded, message.to_string()))
        }
        _ => None,
    })
}

fn deleted(log: &[Record], by: DeletedBy) -> Vec<(Time, String)> {
    log.iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationDeleted { operation, by: b } if *b == by => Some((r.time, operation.to_string())),
            _ => None,
        })
        .collect()
}

/// `<cronop>-<unix seconds of slot>`.
fn op_name(cronop: &str, slot: &str) -> String {
    format!("{cronop}-{}", t(slot).unix())
}

fn assert_near(actual: Time, expected: &str, what: &str) {
    let d = actual.since(t(expected));
    assert!((0..=SLACK).contains(&d), "{what}: at {actual}, expected {expected} (+ at most {SLACK} ms)");
}

mod catch_up_after_downtime {
    use super::*;

    #[test]
    fn runs_the_earliest_missed_slot_at_restart_and_drops_the_rest() {
        let log = run("crossplane-outage-catchup");
        let c = created(&log, "hourly");
        assert_eq!(
            slots(&log, "hourly"),
            ["2025-03-03T01:00:00Z", "2025-03-03T02:00:00Z", "2025-03-03T06:00:00Z", "2025-03-03T07:00:00Z"]
        );
        assert_near(c[1].1, "2025-03-03T05:10:00Z", "02:00 slot at restart");
        // No +100 ms: Crossplane's requeue is exactly Next(now) - now.
        assert_eq!(c[2].1, t("2025-03-03T06:00:00Z"));
        let warnings: Vec<_> =
            events(&log, "hourly").into_iter().filter(|e| e.1 == EventType::Warning).collect();
        assert!(warnings.is_empty(), "the dropped slots raise no event: {warnings:?}");
    }

    #[test]
    fn crossplane_emits_no_event_on_success() {
        let log = run("crossplane-outage-catchup");
        assert!(events(&log, "hourly").is_empty(), "{:?}", events(&log, "hourly"));
    }
}

mod deadline_stall {
    use super::*;

    #[test]
    fn one_missed_deadline_stops_the_cronoperation_for_good() {
        let log = run("crossplane-deadline-stall");
        assert_eq!(slots(&log, "hourly"), ["2025-03-03T01:00:00Z"]);
        let missed: Vec<(Time, Time)> = decisions(&log, "hourly")
            .into_iter()
            .filter_map(|(at, d)| match d {
                CronDecision::MissedDeadline { slot, .. } => Some((at, slot)),
                _ => None,
            })
            .collect();
        assert!(!missed.is_empty());
        assert_near(missed[0].0, "2025-03-03T05:05:00Z", "first MissedDeadline");
        assert!(missed.iter().all(|(_, slot)| *slot == t("2025-03-03T02:00:00Z")), "{missed:?}");
        for hour in ["06", "07", "08", "09"] {
            let at = t(&format!("2025-03-03T{hour}:00:00Z"));
            assert!(missed.iter().any(|(m, _)| m.since(at).abs() <= SLACK), "no MissedDeadline at {hour}:00");
        }
    }
}

mod forbid_with_retries {
    use super::*;

    /// Each Operation: 5 attempts of 100 s with 1/2/4/8 s gaps, Failed 16 s
    /// after the 5th failure: 531 s after it started.
    const RUNNING: Millis = 531 * SECOND;

    #[test]
    fn a_retrying_operation_is_running_and_the_oldest_owed_slot_runs_after_it() {
        let log = run("crossplane-forbid-retries");
        let c = created(&log, "owed");
        let got: Vec<String> = c.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(
            got,
            [
                "2025-03-03T00:00:00Z",
                "2025-03-03T00:05:00Z",
                "2025-03-03T00:10:00Z",
                "2025-03-03T00:20:00Z",
                "2025-03-03T00:30:00Z",
                "2025-03-03T00:40:00Z",
                "2025-03-03T00:45:00Z"
            ]
        );
        for w in c.windows(2) {
            let gap = w[1].1.since(w[0].1);
            assert!(
                (RUNNING..=RUNNING + 2 * SLACK).contains(&gap),
                "next created {gap} ms after the previous"
            );
        }
        assert!(decisions(&log, "owed").iter().any(|(_, d)| matches!(d, CronDecision::ForbidRunning { .. })));
    }

    #[test]
    fn with_a_deadline_the_owed_slot_is_skipped_for_ever() {
        let log = run("crossplane-forbid-retries");
        assert_eq!(slots(&log, "stalls"), ["2025-03-03T00:00:00Z"]);
        let last = decisions(&log, "stalls").pop().map(|(_, d)| d);
        assert!(
            matches!(last, Some(CronDecision::MissedDeadline { slot, .. }) if slot == t("2025-03-03T00:05:00Z")),
            "{last:?}"
        );
    }
}

mod clock_skew {
    use super::*;

    /// Log times are the controller's clock: the Operation is created at
    /// the slot there, `skew` ahead of the API server.
    fn already_exists_loop(name: &str, cronop: &str) {
        let log = run(name);
        let c = created(&log, cronop);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].0, t("2025-03-03T00:05:00Z"));
        assert_eq!(c[0].1, c[0].0, "at the slot on the controller's clock");
        let op = op_name(cronop, "2025-03-03T00:05:00Z");
        let warnings: Vec<_> =
            events(&log, cronop).into_iter().filter(|e| e.2 == "CreateOperation").collect();
        assert!(warnings.len() > 10, "{warnings:?}");
        assert_eq!(
            warnings[0].3,
            format!(
                "cannot create scheduled Operation \"{op}\": operations.ops.crossplane.io \"{op}\" already exists"
            )
        );
        let gaps: Vec<Millis> = warnings.windows(2).map(|w| w[1].0.since(w[0].0)).collect();
        assert!(gaps.iter().all(|g| *g <= 60 * SECOND + SLACK), "backoff capped at 60 s: {gaps:?}");
        assert!(gaps.iter().rev().take(3).all(|g| *g >= 60 * SECOND - SLACK), "reaches the cap: {gaps:?}");
    }

    #[test]
    fn one_and_a_half_seconds_ahead_loops_on_already_exists() {
        already_exists_loop("crossplane-clock-skew", "skewed");
    }

    #[test]
    fn three_tenths_of_a_second_ahead_is_enough() {
        already_exists_loop("crossplane-clock-skew-small", "small-skew");
    }

    #[test]
    fn both_proposed_fixes_schedule_every_slot() {
        let log = run("crossplane-clock-skew-fixed");
        let c = created(&log, "fixed");
        assert_eq!(c.len(), 5, "00:05 ... 00:25: {c:?}");
        assert!(c.iter().all(|(slot, at)| slot == at), "at the slot on the controller's clock: {c:?}");
        assert!(events(&log, "fixed").is_empty());
    }

    #[test]
    fn tolerating_already_exists_alone_is_a_silent_stall() {
        let log = run("crossplane-clock-skew-tolerate-only");
        assert_eq!(created(&log, "tolerant").len(), 1);
        assert!(events(&log, "tolerant").is_empty());
        let tolerated = decisions(&log, "tolerant")
            .into_iter()
            .filter(|(_, d)| matches!(d, CronDecision::AlreadyExistsTolerated { .. }))
            .count();
        assert!(tolerated >= 4, "once per later tick at least, got {tolerated}");
    }

    #[test]
    fn a_controller_behind_the_api_server_is_only_late() {
        let log = run("crossplane-clock-behind");
        let c = created(&log, "behind");
        assert_eq!(c.len(), 5, "{c:?}");
        assert!(c.iter().all(|(slot, at)| slot == at), "at the slot on the controller's clock: {c:?}");
        assert!(events(&log, "behind").is_empty(), "no AlreadyExists");
    }
}

mod retry_limit {
    use super::*;

    fn attempt_offsets(log: &[Record], op: &str) -> Vec<Millis> {
        let a = attempts(log, op);
        a.iter().map(|x| x.since(a[0]) / SECOND).collect()
    }

    #[test]
    fn five_attempts_with_doubling_backoff_then_failure_limit() {
        let log = run("crossplane-retry-limit");
        let op = op_name("always-fails", "2025-03-03T01:00:00Z");
        assert_eq!(attempt_offsets(&log, &op), [0, 1, 3, 7, 15]);
        let (at, ok, message) = finished(&log, &op).expect("finished");
        assert!(!ok);
        assert!(message.contains("failure limit of 5 reached"), "{message}");
        let first = attempts(&log, &op)[0];
        assert_eq!(at.since(first) / SECOND, 31, "16 s after the 5th failure");
    }

    #[test]
    fn retry_limit_counts_total_attempts() {
        let log = run("crossplane-retry-limit");
        let op = op_name("flaky", "2025-03-03T01:00:00Z");
        assert_eq!(attempt_offsets(&log, &op), [0, 1, 3]);
        assert!(finished(&log, &op).is_some_and(|f| f.1));
    }

    #[test]
    fn retry_limit_zero_fails_without_an_attempt() {
        let log = run("crossplane-retry-limit");
        let op = op_name("never-runs", "2025-03-03T01:00:00Z");
        assert!(attempts(&log, &op).is_empty());
        let (_, ok, message) = finished(&log, &op).expect("finished");
        assert!(!ok && message.contains("failure limit of 0 reached"), "{message}");
    }
}

mod pause_and_unpause {
    use super::*;

    #[test]
    fn unpause_goes_unnoticed_until_a_spec_edit_or_a_restart() {
        let log = run("crossplane-pause-unpause");
        let edit = created(&log, "nudged-by-edit");
        let got: Vec<String> = edit.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(
            got,
            ["2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z", "2025-03-03T15:00:00Z", "2025-03-03T16:00:00Z"]
        );
        assert_near(edit[1].1, "2025-03-03T14:10:00Z", "woken by the spec edit");
        let restart = created(&log, "nudged-by-restart");
        let got: Vec<String> = restart.iter().map(|(s, _)| s.to_string()).collect();
        assert_eq!(got, ["2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z", "2025-03-03T16:00:00Z"]);
        assert_near(restart[1].1, "2025-03-03T15:10:00Z", "woken by the restart");
        // Nothing reconciles the CronOperation between the unpause and the nudge.
        let quiet = decisions(&log, "nudged-by-restart")
            .into_iter()
            .filter(|(at, _)| *at >= t("2025-03-03T12:20:00Z") && *at < t("2025-03-03T15:10:00Z"))
            .count();
        assert_eq!(quiet, 0);
    }
}

mod many_missed {
    use super::*;

    #[test]
    fn one_run_for_the_three_hour_old_slot_and_no_too_many_missed_event() {
        let log = run("crossplane-every-minute-outage");
        let c = created(&log, "every-minute");
        assert_eq!(c.len(), 10, "{c:?}");
        assert_eq!(c[2].0, t("2025-03-03T00:03:00Z"));
        assert_near(c[2].1, "2025-03-03T03:02:30Z", "the oldest slot at restart");
        assert_eq!(c[3].0, t("2025-03-03T03:03:00Z"));
        assert!(events(&log, "every-minute").is_empty(), "no TooManyMissedTimes");
    }
}

mod time_zones {
    use super::*;

    #[test]
    fn cron_tz_new_york_runs_twice_in_the_fall_back_fold() {
        let log = run("crossplane-dst-fall-back");
        assert_eq!(
            slots(&log, "fall-back"),
            ["2025-11-01T05:30:00Z", "2025-11-02T05:30:00Z", "2025-11-02T06:30:00Z", "2025-11-03T06:30:00Z"]
        );
    }

    #[test]
    fn cron_tz_new_york_skips_the_spring_forward_day() {
        let log = run("crossplane-dst-spring-forward");
        assert_eq!(
            slots(&log, "spring-forward"),
            ["2025-03-08T07:30:00Z", "2025-03-10T06:30:00Z", "2025-03-11T06:30:00Z"]
        );
    }

    #[test]
    fn without_a_prefix_the_pod_zone_applies() {
        let log = run("crossplane-pod-zone");
        assert_eq!(slots(&log, "pod-local"), ["2025-03-04T00:00:00Z", "2025-03-05T00:00:00Z"]);
        assert_eq!(slots(&log, "explicit-utc"), ["2025-03-03T09:00:00Z", "2025-03-04T09:00:00Z"]);
    }
}

mod replace {
    use super::*;

    #[test]
    fn every_slot_runs_on_time_and_deletes_the_retrying_one() {
        let log = run("crossplane-replace");
        let c = created(&log, "replaced");
        assert_eq!(c.len(), 12);
        assert!(c.iter().all(|(slot, at)| at.since(*slot) <= SLACK), "{c:?}");
        assert_eq!(deleted(&log, DeletedBy::Replace).len(), 11);
    }
}

mod schedule_changes {
    use super::*;

    #[test]
    fn a_schedule_edit_fires_the_new_schedules_owed_slot_at_once() {
        let log = run("crossplane-schedule-edit");
        let c = created(&log, "moved-earlier");
        assert_eq!(slots(&log, "moved-earlier"), ["2025-03-03T09:00:00Z", "2025-03-04T09:00:00Z"]);
        assert_near(c[0].1, "2025-03-03T14:20:00Z", "at the edit");
    }

    #[test]
    fn an_invalid_schedule_is_reported_at_reconcile_time_and_waits_for_an_edit() {
        let log = run("crossplane-invalid-schedule");
        let invalid: Vec<_> =
            events(&log, "monthly").into_iter().filter(|e| e.2 == "InvalidSchedule").collect();
        assert_eq!(invalid.len(), 1, "no requeue: {invalid:?}");
        assert_eq!(invalid[0].1, EventType::Warning);
        let c = created(&log, "monthly");
        assert_eq!(slots(&log, "monthly"), ["2025-03-01T02:00:00Z"]);
        assert_near(c[0].1, "2025-03-03T10:00:00Z", "at the fix");
    }
}

mod history {
    use super::*;

    #[test]
    fn defaults_keep_three_succeeded_and_one_failed_newest_by_creation() {
        let log = run("crossplane-history-defaults");
        let gone: Vec<String> = deleted(&log, DeletedBy::HistoryGc).into_iter().map(|(_, o)| o).collect();
        let expect: Vec<String> = ["02", "04", "01", "03"]
            .iter()
            .map(|h| op_name("history", &format!("2025-03-03T{h}:00:00Z")))
            .collect();
        assert_eq!(gone, expect);
    }
}

/// `crossplane-catchup-gc-tie`: six Operations created in one second tie on
/// creationTimestamp, and history GC keeps three of them in the informer
/// cache's list order, random upstream (docs/fidelity/crossplane.md#xp-b7).
/// Across seeds some runs keep the newest slot (no slot runs twice) and
/// some do not (the deleted newer slots run again); a fixed tie order
/// would always pick the same.
#[test]
fn catchup_gc_ties_are_a_draw_across_seeds() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/crossplane-catchup-gc-tie.yaml");
    let base = Scenario::load(&path).unwrap_or_else(|e| panic!("{}", e.message));
    let mut reruns = std::collections::BTreeSet::new();
    for seed in 0..24 {
        let mut sc = base.clone();
        sc.seed = seed;
        let log = simulate(&sc, SimOptions::default()).unwrap_or_else(|e| panic!("{}", e.message)).log;
        let made = created(&log, "hourly");
        let mut distinct: Vec<Time> = made.iter().map(|(slot, _)| *slot).collect();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 7, "seed {seed}: every slot 01:00-07:00 runs at least once");
        reruns.insert(made.len() - distinct.len());
    }
    assert!(reruns.contains(&0), "some seed keeps the newest slot: {reruns:?}");
    assert!(reruns.iter().any(|n| *n > 0), "some seed re-runs a slot GC deleted: {reruns:?}");
    assert!(reruns.iter().all(|n| *n <= 3), "at most the three deleted slots run again: {reruns:?}");
}
