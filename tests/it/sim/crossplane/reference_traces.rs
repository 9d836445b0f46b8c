//! The Crossplane traces of docs/fidelity/crossplane.md#xp-18 end to end through
//! `sim::simulate`: catch-up, the deadline stall (B1), the clock-skew loop
//! (B2) and its fixes, Forbid with long runs, many missed slots, CRON_TZ.

use crate::support::sim_crossplane::*;
use crate::support::t;
use cronwarp::model::SECOND;

mod catch_up_after_downtime {
    use super::*;

    /// Hourly, down 01:30→05:10, no deadline: at 05:10 the 02:00 slot is
    /// created (3 h 10 m late); 03:00–05:00 are lost silently.
    #[test]
    fn creates_one_operation_for_the_earliest_missed_slot() {
        let sc = scenario(
            "2026-01-01T00:30:00Z",
            "2026-01-01T06:30:00Z",
            &["downtime:", "  - {start: \"2026-01-01T01:30:00Z\", end: \"2026-01-01T05:10:00Z\"}"],
            &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY], &[])],
        );
        let out = run(&sc);
        assert_eq!(
            created(&out),
            [(d("01:00:00"), d("01:00:00")), (d("05:10:00"), d("02:00:00")), (d("06:00:00"), d("06:00:00"))]
        );
        assert!(
            out.log.iter().all(|r| !matches!(&r.entry, Entry::Event(_))),
            "no event tells of the lost slots"
        );
    }
}

mod starting_deadline {
    use super::*;

    /// Hourly, deadline 600 s, down →05:05: the owed 02:00 slot is skipped
    /// at 05:05, 06:00 … 11:00 and nothing runs again (B1).
    #[test]
    fn a_missed_deadline_stops_scheduling_for_good() {
        let sc = scenario(
            "2026-01-01T00:30:00Z",
            "2026-01-01T12:00:00Z",
            &["downtime:", "  - {start: \"2026-01-01T01:30:00Z\", end: \"2026-01-01T05:05:00Z\"}"],
            &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY, "startingDeadlineSeconds: 600"], &[])],
        );
        let out = run(&sc);
        assert_eq!(slots(&out), [d("01:00:00")]);
        let missed: Vec<Time> = cron_syncs(&out)
            .into_iter()
            .filter_map(|(at, dec, _)| match dec {
                CronDecision::MissedDeadline { slot, .. } => {
                    assert_eq!(slot, d("02:00:00"), "always the same slot");
                    Some(at)
                }
                _ => None,
            })
            .collect();
        assert_eq!(missed.first(), Some(&d("05:05:00")));
        for h in ["06:00:00", "07:00:00", "11:00:00"] {
            assert!(missed.contains(&d(h)), "{h} in {missed:?}");
        }
    }
}

mod clock_skew {
    use super::*;

    /// Every 5 min, with the controller clock `skew` ahead; runs longer
    /// than the 2-minute attempt timeout keep completion events out.
    fn every_five(skew: &str, crossplane: &[&str]) -> SimOutput {
        let mut controller = vec![format!("clockSkew: \"{skew}\"")];
        if !crossplane.is_empty() {
            controller.push("crossplane:".into());
            controller.extend(crossplane.iter().map(|l| format!("  {l}")));
        }
        let controller: Vec<&str> = controller.iter().map(String::as_str).collect();
        run(&scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:30:00Z",
            &controller,
            &[cronop("co", "2026-01-01T00:00:00Z", &["schedule: \"*/5 * * * *\""], &["duration: 1h"])],
        ))
    }

    fn already_exists(out: &SimOutput) -> Vec<(Time, Option<Time>)> {
        cron_syncs(out)
            .into_iter()
            .filter(|(_, dec, _)| matches!(dec, CronDecision::CreateFailed { already_exists: true, .. }))
            .map(|(at, _, retry)| (at, retry))
            .collect()
    }

    /// +1.5 s: co-<00:05> is stored at 00:04:58 API time, then the
    /// AlreadyExists loop backs off 1 s, 2 s … 60 s (crossplane#7524).
    #[test]
    fn controller_ahead_loops_on_already_exists_with_backoff() {
        let out = every_five("1500ms", &[]);
        assert_eq!(created(&out), [(d("00:05:00"), d("00:05:00"))]);
        let name = format!("co-{}", d("00:05:00").unix());
        let op = &out.summary.final_state.operations[&name];
        assert_eq!(op.metadata.creation_timestamp, Some(d("00:04:58")));
        let fails = already_exists(&out);
        assert!(fails.len() > 10, "{fails:?}");
        // The child's creation and its Running write each wake the
        // reconciler at once; the second finds the 1 s retry pending.
        let delays: Vec<i64> =
            fails.iter().filter_map(|(at, retry)| retry.map(|r| r.since(*at) / SECOND)).collect();
        assert_eq!(&delays[..6], [1, 4, 8, 16, 32, 60]);
        assert!(delays[6..].iter().all(|s| *s == 60), "{delays:?}");
        let message = format!(
            "cannot create scheduled Operation \"{name}\": operations.ops.crossplane.io \"{name}\" already exists"
        );
        let events = out.log.iter().filter(|r| {
            matches!(&r.entry, Entry::Event(e) if e.reason == "CreateOperation" && e.message == message && e.object == "CronOperation/co")
        });
        assert_eq!(events.count(), fails.len());
    }

    /// +0.3 s is enough for the same loop.
    #[test]
    fn a_third_of_a_second_ahead_is_enough() {
        let out = every_five("300ms", &[]);
        assert_eq!(created(&out).len(), 1);
        assert!(already_exists(&out).len() > 10);
    }

    /// −1.5 s: normal, each Operation's creationTimestamp 1 s after its slot.
    #[test]
    fn controller_behind_is_only_late() {
        let out = every_five("-1500ms", &[]);
        let got = slots(&out);
        assert_eq!(got.len(), 5, "00:05 … 00:25");
        assert!(already_exists(&out).is_empty());
        for slot in got {
            let op = &out.summary.final_state.operations[&format!("co-{}", slot.unix())];
            assert_eq!(op.metadata.creation_timestamp, Some(slot.add(SECOND)));
        }
    }

    /// `tolerateAlreadyExists` alone silences the loop, but the cursor still
    /// names 00:05, so no later slot is created: a silent stall.
    #[test]
    fn tolerating_already_exists_alone_stalls_silently() {
        let out = every_five("1500ms", &["tolerateAlreadyExists: true"]);
        assert_eq!(created(&out).len(), 1);
        assert!(already_exists(&out).is_empty());
        let tolerated = cron_syncs(&out)
            .into_iter()
            .filter(|(_, dec, _)| matches!(dec, CronDecision::AlreadyExistsTolerated { .. }));
        assert!(tolerated.count() >= 4, "once per later tick at least");
    }

    /// `cursor: nameEncodedSlot` + `tolerateAlreadyExists: true` schedule
    /// normally under the same skew.
    #[test]
    fn the_proposed_fixes_end_the_loop() {
        let out = every_five("1500ms", &["cursor: nameEncodedSlot", "tolerateAlreadyExists: true"]);
        assert_eq!(slots(&out), [d("00:05:00"), d("00:10:00"), d("00:15:00"), d("00:20:00"), d("00:25:00")]);
        assert!(already_exists(&out).is_empty());
        assert!(cron_syncs(&out).iter().all(|(_, _, retry)| retry.is_none()));
    }
}

mod forbid_long_runs {
    use super::*;

    /// Every 5 min, Forbid; each run fails four 119 s attempts and
    /// succeeds on the fifth, so it stays Running about 10 min.
    fn forbid(extra: &[&str]) -> SimOutput {
        let mut spec = vec!["schedule: \"*/5 * * * *\"", "concurrencyPolicy: Forbid"];
        spec.extend_from_slice(extra);
        let fail = "{exit: 1, duration: 119s}";
        let script = format!("script: [{fail}, {fail}, {fail}, {fail}, {{duration: 119s}}]");
        run(&scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T01:00:00Z",
            &[],
            &[cronop("co", "2026-01-01T00:00:00Z", &spec, &[&script])],
        ))
    }

    /// The owed oldest slot is created when the previous run finishes; the
    /// slot due at that moment is dropped.
    #[test]
    fn the_owed_oldest_slot_runs_when_the_previous_finishes() {
        let out = forbid(&[]);
        let got = created(&out);
        assert_eq!(got[0], (d("00:05:00"), d("00:05:00")));
        // 4 attempts of 119 s, backoffs 1+2+4+8 s, a fifth of 119 s.
        assert_eq!(got[1], (d("00:15:10"), d("00:10:00")));
        assert_eq!(got[2], (d("00:25:20"), d("00:20:00")));
        assert!(!slots(&out).contains(&d("00:15:00")), "00:15 is dropped");
        assert!(cron_syncs(&out).iter().any(|(_, dec, _)| matches!(dec, CronDecision::ForbidRunning { .. })));
        let runs: Vec<bool> = finished(&out).iter().map(|(_, ok, _)| *ok).collect();
        assert!(runs.len() >= 4 && runs.iter().all(|ok| *ok), "{runs:?}");
    }

    /// With a 60 s deadline the owed 00:10 slot is past it while the run
    /// still retries, and the CronOperation stalls for ever (B1).
    #[test]
    fn with_a_deadline_it_stalls_for_ever() {
        let out = forbid(&["startingDeadlineSeconds: 60"]);
        assert_eq!(slots(&out), [d("00:05:00")]);
        let syncs = cron_syncs(&out);
        let first_miss = syncs.iter().find(|(_, dec, _)| matches!(dec, CronDecision::MissedDeadline { .. }));
        // Each failed attempt's status write wakes the CronOperation: at
        // 00:11:00 (third failure) the deadline is not yet past; at
        // 00:13:03 (fourth) it is.
        assert_eq!(first_miss.map(|s| s.0), Some(d("00:13:03")));
        let last = &syncs.last().unwrap().1;
        assert!(
            matches!(last, CronDecision::MissedDeadline { slot, .. } if *slot == d("00:10:00")),
            "{last:?}"
        );
    }
}

mod many_missed {
    use super::*;

    /// Every minute, down 3 h: one run for the 00:03 slot at restart, then
    /// normal, and no TooManyMissedTimes.
    #[test]
    fn runs_the_three_hour_old_slot_once_then_resumes() {
        let sc = scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T03:05:30Z",
            &["downtime:", "  - {start: \"2026-01-01T00:02:30Z\", end: \"2026-01-01T03:02:30Z\"}"],
            &[cronop("co", "2026-01-01T00:00:00Z", &["schedule: \"* * * * *\""], &["duration: 10s"])],
        );
        let out = run(&sc);
        let want = ["00:01:00", "00:02:00", "00:03:00", "03:03:00", "03:04:00", "03:05:00"].map(d);
        assert_eq!(slots(&out), want);
        assert_eq!(created(&out)[2].0, d("03:02:30"));
        assert!(
            !out.log.iter().any(|r| matches!(&r.entry, Entry::Event(e) if e.reason == "TooManyMissedTimes"))
        );
    }
}

mod cron_tz {
    use super::*;

    /// `CRON_TZ=America/New_York 30 1 * * *` runs twice on the fall-back day.
    #[test]
    fn fall_back_runs_twice() {
        let sc = scenario(
            "2025-11-01T12:00:00Z",
            "2025-11-03T12:00:00Z",
            &[],
            &[cronop(
                "co",
                "2025-11-01T12:00:00Z",
                &["schedule: \"CRON_TZ=America/New_York 30 1 * * *\""],
                &[],
            )],
        );
        let want = ["2025-11-02T05:30:00Z", "2025-11-02T06:30:00Z", "2025-11-03T06:30:00Z"].map(t);
        assert_eq!(slots(&run(&sc)), want);
    }

    /// `… 30 2 * * *` is skipped on the spring-forward day.
    #[test]
    fn spring_forward_skips_the_day() {
        let sc = scenario(
            "2025-03-08T12:00:00Z",
            "2025-03-10T12:00:00Z",
            &[],
            &[cronop(
                "co",
                "2025-03-08T12:00:00Z",
                &["schedule: \"CRON_TZ=America/New_York 30 2 * * *\""],
                &[],
            )],
        );
        assert_eq!(slots(&run(&sc)), [t("2025-03-10T06:30:00Z")]);
    }
}
