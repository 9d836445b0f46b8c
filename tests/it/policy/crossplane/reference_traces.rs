//! The expected CronOperation traces of docs/fidelity/crossplane.md#xp-18 (Crossplane column),
//! replayed with the reconciler under virtual time.

use crate::support::crossplane::{Replay, Scenario, cronop, replay};
use crate::support::t;
use cronwarp::model::{HOUR, MINUTE, SECOND, Time};
use cronwarp::policy::crossplane::{CronDecision, CrossplaneSettings, CursorSource, Requeue};

fn created_slots(r: &Replay) -> Vec<String> {
    r.created().iter().map(|(slot, _)| slot.to_string()).collect()
}

mod catch_up_after_downtime {
    use super::*;

    /// hourly, down 01:30→05:10, no deadline: at 05:10 the 02:00 slot is
    /// created (3 h 10 m late); 03:00–05:00 are lost.
    #[test]
    fn creates_one_operation_for_the_earliest_missed_slot() {
        let mut s =
            Scenario::new(cronop("co", "0 * * * *", t("2026-01-01T00:30:00Z")), t("2026-01-01T06:30:00Z"));
        s.down = Some((t("2026-01-01T01:30:00Z"), t("2026-01-01T05:10:00Z")));
        let r = replay(s);
        let created = r.created();
        let slots = created_slots(&r);
        assert_eq!(
            slots,
            ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z", "2026-01-01T06:00:00Z"],
            "03:00, 04:00 and 05:00 are never run"
        );
        assert_eq!(created[1].1, t("2026-01-01T05:10:00Z"), "created at restart, 3h10m after its slot");
        assert!(r.fake.ops.contains_key(format!("co-{}", t("2026-01-01T02:00:00Z").unix()).as_str()));
        // No event tells anyone about the dropped slots.
        assert!(r.steps.iter().all(|s| !matches!(s.decision, CronDecision::CreateFailed { .. })));
    }
}

mod starting_deadline {
    use super::*;

    /// hourly, deadline 600 s, down →05:05: the owed 02:00 slot is skipped
    /// at 05:05, 06:00, 07:00 … and nothing ever runs again (B1).
    #[test]
    fn a_missed_deadline_stops_scheduling_for_good() {
        let mut co = cronop("co", "0 * * * *", t("2026-01-01T00:30:00Z"));
        co.spec.starting_deadline_seconds = Some(600);
        let mut s = Scenario::new(co, t("2026-01-01T12:00:00Z"));
        s.down = Some((t("2026-01-01T01:30:00Z"), t("2026-01-01T05:05:00Z")));
        let r = replay(s);
        assert_eq!(created_slots(&r), ["2026-01-01T01:00:00Z"]);
        let missed: Vec<(Time, Time)> = r
            .steps
            .iter()
            .filter_map(|s| match s.decision {
                CronDecision::MissedDeadline { slot, .. } => Some((s.at.trunc_seconds(), slot)),
                _ => None,
            })
            .collect();
        let owed = t("2026-01-01T02:00:00Z");
        assert!(missed.iter().all(|(_, slot)| *slot == owed), "always the same slot: {missed:?}");
        let at: Vec<String> = missed.iter().map(|(a, _)| a.to_string()).collect();
        assert_eq!(at[0], "2026-01-01T05:05:00Z");
        assert!(
            at.contains(&"2026-01-01T06:00:00Z".to_string())
                && at.contains(&"2026-01-01T11:00:00Z".to_string())
        );
    }
}

mod clock_skew {
    use super::*;

    fn every_five(skew: i64, settings: CrossplaneSettings) -> Replay {
        let mut s =
            Scenario::new(cronop("co", "*/5 * * * *", t("2026-01-01T00:00:00Z")), t("2026-01-01T00:30:00Z"));
        s.skew = skew;
        s.settings = settings;
        // Long runs keep completion events out of the backoff sequence.
        s.run = HOUR;
        replay(s)
    }

    fn already_exists_retries(r: &Replay) -> Vec<Time> {
        r.steps
            .iter()
            .filter(|s| matches!(s.decision, CronDecision::CreateFailed { already_exists: true, .. }))
            .map(|s| s.at)
            .collect()
    }

    /// controller +1.5 s ahead: 00:04:58 create co-<00:05>, then the
    /// AlreadyExists loop with 1 s … 60 s backoff (crossplane#7524).
    #[test]
    fn controller_ahead_loops_on_already_exists() {
        let r = every_five(1500, CrossplaneSettings::default());
        let created = r.created();
        assert_eq!(created, [(t("2026-01-01T00:05:00Z"), t("2026-01-01T00:04:58Z"))]);
        let retries = already_exists_retries(&r);
        assert!(retries.len() > 10, "{retries:?}");
        // The create event and the Operation's Running event each trigger a
        // failing reconcile 50 ms apart, using up the 1 s and 2 s steps;
        // then the per-item backoff doubles to its 60 s cap.
        let gaps: Vec<i64> = retries.windows(2).map(|w| w[1].since(w[0])).collect();
        assert_eq!(&gaps[..2], [50, SECOND]);
        let secs: Vec<i64> = gaps[2..].iter().map(|g| (g - 50) / SECOND).collect();
        assert_eq!(&secs[..5], [4, 8, 16, 32, 60]);
        assert!(secs[5..].iter().all(|g| *g == 60));
        let name = format!("co-{}", t("2026-01-01T00:05:00Z").unix());
        let CronDecision::CreateFailed { operation, error, .. } = &r.steps.last().unwrap().decision else {
            panic!("still looping at the end")
        };
        assert_eq!(operation, &name);
        assert_eq!(
            error,
            &format!(
                "cannot create scheduled Operation \"{name}\": operations.ops.crossplane.io \"{name}\" already exists"
            )
        );
    }

    /// +0.3 s is more than the 50 ms wake-up latency: the same loop.
    #[test]
    fn a_third_of_a_second_ahead_is_enough() {
        let r = every_five(300, CrossplaneSettings::default());
        assert_eq!(r.created().len(), 1);
        assert!(already_exists_retries(&r).len() > 10);
    }

    /// controller 1.5 s behind: normal, each Operation about 2 s late (so
    /// the 00:30 slot falls just outside the window).
    #[test]
    fn controller_behind_is_only_late() {
        let r = every_five(-1500, CrossplaneSettings::default());
        let created = r.created();
        assert_eq!(created.len(), 5);
        for (slot, at) in created {
            assert_eq!(at.since(slot), SECOND, "cT truncates 01.55 to 01");
        }
        assert!(already_exists_retries(&r).is_empty());
    }

    /// PR #7535's cursor (the slot in the name) ends the loop.
    #[test]
    fn the_name_encoded_cursor_fixes_the_loop() {
        let fixed = CrossplaneSettings { cursor: CursorSource::NameEncodedSlot, ..Default::default() };
        let r = every_five(1500, fixed);
        assert_eq!(r.created().len(), 6, "00:05 … 00:30");
        assert!(already_exists_retries(&r).is_empty());
        assert_eq!(r.co.status.last_schedule_time, Some(t("2026-01-01T00:30:00Z")), "the slot, not the cT");
    }

    /// PR #7834's AlreadyExists tolerance alone silences the loop but the
    /// cursor still points before 00:05, so no later slot is ever created.
    #[test]
    fn tolerating_already_exists_alone_turns_the_loop_into_a_silent_stall() {
        let tolerant = CrossplaneSettings { tolerate_already_exists: true, ..Default::default() };
        let r = every_five(1500, tolerant);
        assert_eq!(r.created().len(), 1);
        assert!(already_exists_retries(&r).is_empty());
        let tolerated =
            r.steps.iter().filter(|s| matches!(s.decision, CronDecision::AlreadyExistsTolerated { .. }));
        assert!(tolerated.count() >= 5, "once per later tick");
        assert!(r.steps.iter().all(|s| !matches!(s.requeue, Requeue::RateLimited { .. })));
    }

    /// Both fixes together: normal scheduling.
    #[test]
    fn both_proposed_fixes_schedule_normally() {
        let r = every_five(1500, CrossplaneSettings::with_proposed_fixes());
        assert_eq!(r.created().len(), 6);
    }
}

mod forbid_long_runs {
    use super::*;

    fn hourly_forbid_90_min(deadline: Option<i64>) -> Replay {
        let mut co = cronop("co", "0 * * * *", t("2026-01-01T00:30:00Z"));
        co.spec.concurrency_policy = Some("Forbid".into());
        co.spec.starting_deadline_seconds = deadline;
        let mut s = Scenario::new(co, t("2026-01-01T08:00:00Z"));
        s.run = 90 * MINUTE;
        replay(s)
    }

    /// The owed slot is created when the previous run finishes; at 04:00
    /// the 03:00 slot runs and 04:00 is dropped.
    #[test]
    fn the_owed_oldest_slot_runs_when_the_previous_finishes() {
        let r = hourly_forbid_90_min(None);
        let created = r.created();
        let at_four = created.iter().find(|(_, at)| *at >= t("2026-01-01T04:00:00Z")).unwrap();
        assert_eq!(*at_four, (t("2026-01-01T03:00:00Z"), t("2026-01-01T04:00:00Z")));
        assert!(created.iter().all(|(slot, _)| *slot != t("2026-01-01T04:00:00Z")), "04:00 is dropped");
        assert_eq!(created[1], (t("2026-01-01T02:00:00Z"), t("2026-01-01T02:30:00Z")));
        assert!(r.steps.iter().any(|s| matches!(s.decision, CronDecision::ForbidRunning { .. })));
    }

    /// With a 600 s deadline the owed 02:00 slot is past it at 02:30 and the
    /// CronOperation stalls for ever (B1).
    #[test]
    fn with_a_deadline_it_stalls_for_ever() {
        let r = hourly_forbid_90_min(Some(600));
        assert_eq!(r.created(), [(t("2026-01-01T01:00:00Z"), t("2026-01-01T01:00:00Z"))]);
        let first_miss =
            r.steps.iter().find(|s| matches!(s.decision, CronDecision::MissedDeadline { .. })).unwrap();
        assert_eq!(first_miss.at.trunc_seconds(), t("2026-01-01T02:30:00Z"));
        let last = r.steps.last().unwrap();
        assert!(
            matches!(last.decision, CronDecision::MissedDeadline { slot, .. } if slot == t("2026-01-01T02:00:00Z")),
            "{last:?}"
        );
    }
}

mod many_missed {
    use super::*;

    /// every minute, down 3 h (> 100 missed): one run for the 00:03 slot,
    /// then normal; no TooManyMissedTimes.
    #[test]
    fn runs_the_three_hour_old_slot_once_then_resumes() {
        let mut s =
            Scenario::new(cronop("co", "* * * * *", t("2026-01-01T00:00:00Z")), t("2026-01-01T03:05:30Z"));
        s.run = 10 * SECOND;
        s.down = Some((t("2026-01-01T00:02:30Z"), t("2026-01-01T03:02:30Z")));
        let r = replay(s);
        let slots = created_slots(&r);
        assert_eq!(
            slots,
            [
                "2026-01-01T00:01:00Z",
                "2026-01-01T00:02:00Z",
                "2026-01-01T00:03:00Z",
                "2026-01-01T03:03:00Z",
                "2026-01-01T03:04:00Z",
                "2026-01-01T03:05:00Z"
            ]
        );
        assert_eq!(r.created()[2].1, t("2026-01-01T03:02:30Z"));
    }
}

mod dst {
    use super::*;

    /// `CRON_TZ=America/New_York 30 1 * * *` on the fall-back day runs
    /// twice (01:30 EDT and 01:30 EST).
    #[test]
    fn fall_back_runs_twice() {
        let co = cronop("co", "CRON_TZ=America/New_York 30 1 * * *", t("2025-11-01T12:00:00Z"));
        let r = replay(Scenario::new(co, t("2025-11-03T12:00:00Z")));
        assert_eq!(
            created_slots(&r),
            ["2025-11-02T05:30:00Z", "2025-11-02T06:30:00Z", "2025-11-03T06:30:00Z"]
        );
    }

    /// `CRON_TZ=America/New_York 30 2 * * *` on the spring-forward day is
    /// skipped.
    #[test]
    fn spring_forward_skips_the_day() {
        let co = cronop("co", "CRON_TZ=America/New_York 30 2 * * *", t("2025-03-08T12:00:00Z"));
        let r = replay(Scenario::new(co, t("2025-03-10T12:00:00Z")));
        assert_eq!(created_slots(&r), ["2025-03-10T06:30:00Z"], "nothing on 2025-03-09");
    }
}

/// The replay itself: an hourly schedule with no faults creates one
/// Operation per slot, on time.
#[test]
fn a_fault_free_hourly_schedule_runs_every_slot_on_time() {
    let r =
        replay(Scenario::new(cronop("co", "@hourly", t("2026-01-01T00:00:00Z")), t("2026-01-01T03:30:00Z")));
    let created = r.created();
    assert_eq!(created.len(), 3);
    for (slot, at) in created {
        assert_eq!(at, slot);
        assert!(slot.since(t("2026-01-01T00:00:00Z")) % HOUR == 0);
    }
}

/// A schedule that never matches (`0 0 30 2 *`, 30 February): robfig's
/// `Next` returns Go's zero time, which is "due", so an Operation named for
/// year 1 is created at once; every later reconcile wants the same name
/// again and loops on AlreadyExists (docs/fidelity/crossplane.md#xp-19).
#[test]
fn a_never_matching_schedule_creates_a_year_one_operation_then_loops() {
    let r = replay(Scenario::new(
        cronop("co", "0 0 30 2 *", t("2026-01-01T00:00:00Z")),
        t("2026-01-01T00:10:00Z"),
    ));
    assert_eq!(r.created().len(), 1);
    assert!(r.fake.ops.contains_key("co--62135596800"));
    let loops = r
        .steps
        .iter()
        .filter(|s| matches!(s.decision, CronDecision::CreateFailed { already_exists: true, .. }));
    assert!(loops.count() > 5);
}
