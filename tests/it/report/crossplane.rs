//! The accountant on hand-written Crossplane event logs (and the Replace
//! overlap note, for both controllers): every CronOperation slot accounted
//! exactly once, with the reason Crossplane's reconciler gives.

use crate::support::crossplane_log::*;
use crate::support::t;
use cronwarp::model::Time;
use cronwarp::policy::Propagation;
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::report::{Accountant, Report, TickOutcome};
use cronwarp::sim::WorkloadKind;
use cronwarp::sim::log::{DeletedBy, Entry, Fault, LogSink};

mod replace_overlap {
    use super::*;

    fn job_created(a: &mut impl LogSink, at: &str, job: &str) {
        let entry = Entry::JobCreated {
            job: job.into(),
            cronjob: "default/cj".into(),
            scheduled_time: Some(t(at)),
            uid: job.into(),
            seeded: false,
        };
        feed(a, at, entry);
        feed(a, at, Entry::PodCreated { pod: format!("{job}-p").into(), job: job.into() });
    }

    fn pod_finished(a: &mut impl LogSink, at: &str, job: &str) {
        let entry = Entry::PodFinished {
            pod: format!("{job}-p").into(),
            job: job.into(),
            exit_code: 0,
            phase: cronwarp::model::PodPhase::Succeeded,
        };
        feed(a, at, entry);
    }

    /// The replaced Job's pod outlives its replacement: the overlap still
    /// carries the Replace note (it used to be lost when the new Job ended
    /// first).
    #[test]
    fn kubernetes_note_kept_when_the_new_job_finishes_first() {
        let mut a = accountant(meta(WorkloadKind::CronJob, "default/cj", "0 * * * *", "Replace"));
        job_created(&mut a, "2025-03-03T01:00:00Z", "default/cj-1");
        let del = Entry::JobDeleted {
            job: "default/cj-1".into(),
            by: DeletedBy::Replace,
            propagation: Propagation::Background,
        };
        feed(&mut a, "2025-03-03T02:00:00.1Z", del);
        feed(&mut a, "2025-03-03T02:00:00.1Z", Entry::JobRemoved { job: "default/cj-1".into() });
        job_created(&mut a, "2025-03-03T02:00:00.1Z", "default/cj-2");
        pod_finished(&mut a, "2025-03-03T02:00:10Z", "default/cj-2");
        let fin = Entry::JobFinished {
            job: "default/cj-2".into(),
            condition: "Complete".into(),
            reason: "Completed".into(),
            message: Default::default(),
            finished_at: None,
        };
        feed(&mut a, "2025-03-03T02:00:10Z", fin);
        pod_finished(&mut a, "2025-03-03T02:00:30Z", "default/cj-1");
        let r: Report = a.finish();
        let ov = &r.workloads[0].overlaps;
        assert_eq!(ov.intervals.len(), 1, "{ov:?}");
        assert!(ov.intervals[0].replace_termination, "{ov:?}");
        assert_eq!(ov.total, 9_900);
        assert_eq!(r.workloads[0].outcomes.replaced, 1);
    }
}

mod slots {
    use super::*;

    #[test]
    fn slots_created_at_their_time_are_on_time_and_not_listed() {
        let mut a = xp("0 * * * *", "Allow", None);
        for h in 1..=5 {
            let slot = format!("2025-03-03T0{h}:00:00Z");
            let op = create(&mut a, &slot, &slot);
            run_ok(&mut a, &slot, &format!("2025-03-03T0{h}:00:30Z"), &op);
        }
        let r = report(a);
        assert_eq!(counts(&r), (5, 5, 0, 0, 0));
        assert!(r.exceptions.is_empty(), "{:#?}", r.exceptions);
        assert_eq!(r.kind, WorkloadKind::CronOperation);
    }

    /// docs/fidelity/crossplane.md#xp-18: hourly, down 01:30→05:10, no deadline: Crossplane
    /// creates slot 02:00 at 05:10 (3h10m late); 03:00–05:00 are lost.
    #[test]
    fn catch_up_runs_the_earliest_owed_slot_and_drops_the_later_ones() {
        let mut a = xp("0 * * * *", "Allow", None);
        let op = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        run_ok(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:30Z", &op);
        down(&mut a, "2025-03-03T01:30:00Z", "2025-03-03T05:10:00Z");
        create(&mut a, "2025-03-03T05:10:00Z", "2025-03-03T02:00:00Z");
        let r = report(a);
        assert_eq!(counts(&r), (5, 1, 1, 3, 0));
        let late = row(&r, "2025-03-03T02:00:00Z");
        assert_eq!(late.outcome, TickOutcome::Late);
        assert_eq!(late.late_by, Some((3 * 3600 + 600) * 1000));
        assert!(late.why.contains("Crossplane pod was down"), "{}", late.why);
        assert_eq!(r.max_lateness, (3 * 3600 + 600) * 1000);
        for h in 3..=5 {
            let x = row(&r, &format!("2025-03-03T0{h}:00:00Z"));
            assert_eq!(x.outcome, TickOutcome::NotStarted);
            assert!(x.why.contains("earliest owed slot (2025-03-03T02:00:00Z)"), "{}", x.why);
            assert!(x.why.contains("cursor jumped to the new Operation's creation time"), "{}", x.why);
            assert!(x.why.starts_with("the Crossplane pod was down"), "{}", x.why);
        }
    }

    /// `@every` counts from the cursor, the last Operation's creation: a
    /// late catch-up shifts every later slot.
    #[test]
    fn every_schedules_restart_their_phase_at_each_creation() {
        let mut a = xp("@every 1h", "Allow", None);
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        down(&mut a, "2025-03-03T01:30:00Z", "2025-03-03T03:10:00Z");
        create(&mut a, "2025-03-03T03:10:00.4Z", "2025-03-03T02:00:00Z");
        create(&mut a, "2025-03-03T04:10:00Z", "2025-03-03T04:10:00Z");
        create(&mut a, "2025-03-03T05:10:00Z", "2025-03-03T05:10:00Z");
        let r = report(a);
        assert_eq!(counts(&r), (5, 3, 1, 1, 0), "{:#?}", r.exceptions);
        assert_eq!(row(&r, "2025-03-03T03:00:00Z").outcome, TickOutcome::NotStarted);
    }

    #[test]
    fn a_slot_due_at_the_horizon_end_is_pending_and_its_runs_unfinished() {
        let mut m = meta(WorkloadKind::CronOperation, CO, "0 * * * *", "Allow");
        m.horizon_end = t("2025-03-03T06:00:00.5Z");
        let mut a = accountant(m);
        for h in 1..=5 {
            let slot = format!("2025-03-03T0{h}:00:00Z");
            create(&mut a, &slot, &slot);
        }
        let r = report(a);
        assert_eq!(counts(&r), (6, 5, 0, 0, 1));
        assert!(row(&r, "2025-03-03T06:00:00Z").why.contains("Crossplane had not reconciled yet"));
        assert_eq!(r.outcomes.unfinished, 5);
        assert_eq!(r.overlaps.max_concurrency, 5);
    }
}

mod reasons {
    use super::*;

    fn missed(a: &mut impl LogSink, at: &str, slot: &str) {
        let slot = t(slot);
        sync(a, at, CronDecision::MissedDeadline { slot, deadline: slot.add(600_000) });
    }

    /// docs/fidelity/crossplane.md#xp-18: deadline 600 s, down →05:05: 02:00 is skipped at
    /// 05:05 and found again at every later reconcile; nothing runs again.
    #[test]
    fn a_missed_deadline_stalls_the_cronoperation_for_good() {
        let mut a = xp("0 * * * *", "Allow", Some(600));
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        down(&mut a, "2025-03-03T01:30:00Z", "2025-03-03T05:05:00Z");
        missed(&mut a, "2025-03-03T05:05:00Z", "2025-03-03T02:00:00Z");
        let r = report(a);
        assert_eq!(counts(&r), (5, 1, 0, 4, 0));
        let ticks: Vec<Time> = r.exceptions.iter().map(|x| x.tick).collect();
        assert!(ticks.windows(2).all(|w| w[0] < w[1]), "rows in tick order: {ticks:?}");
        for h in 2..=5 {
            let x = row(&r, &format!("2025-03-03T0{h}:00:00Z"));
            assert_eq!(x.outcome, TickOutcome::NotStarted);
            assert!(x.why.contains("stalls for good (bug B1)"), "{}", x.why);
            assert!(x.why.contains("startingDeadlineSeconds"), "{}", x.why);
        }
    }

    #[test]
    fn ticks_after_the_stall_get_the_same_reason_at_each_reconcile() {
        let mut m = meta(WorkloadKind::CronOperation, CO, "*/10 * * * *", "Allow");
        m.starting_deadline_seconds = Some(60);
        let mut a = accountant(m);
        missed(&mut a, "2025-03-03T00:15:00Z", "2025-03-03T00:10:00Z");
        missed(&mut a, "2025-03-03T00:20:00Z", "2025-03-03T00:10:00Z");
        let r = report(a);
        let x = row(&r, "2025-03-03T00:20:00Z");
        assert!(x.why.contains("bug B1"), "{}", x.why);
        assert_eq!(r.ticks.not_started, r.ticks.total, "nothing runs after the stall");
        assert!(r.exceptions.iter().all(|x| x.why.contains("bug B1")), "{:#?}", r.exceptions);
    }

    /// docs/fidelity/crossplane.md#xp-18: controller 1.5 s ahead: the Operation of 00:05 is
    /// created (on time), then every reconcile finds 00:05 again.
    #[test]
    fn already_exists_loop_misses_every_later_slot() {
        let mut a = xp("*/5 * * * *", "Allow", None);
        let op = create(&mut a, "2025-03-03T00:05:00Z", "2025-03-03T00:05:00Z");
        for at in ["2025-03-03T00:05:01Z", "2025-03-03T00:30:00Z", "2025-03-03T05:59:00Z"] {
            let decision = CronDecision::CreateFailed {
                slot: t("2025-03-03T00:05:00Z"),
                operation: op.clone().into(),
                error: "already exists".into(),
                already_exists: true,
            };
            sync(&mut a, at, decision);
        }
        let r = report(a);
        assert_eq!(counts(&r), (71, 1, 0, 70, 0));
        for x in &r.exceptions {
            assert!(x.why.starts_with("AlreadyExists loop (crossplane#7524)"), "{}", x.why);
        }
    }

    /// docs/fidelity/crossplane.md#xp-18: hourly, Forbid, 90-minute runs: the owed slot runs
    /// when the previous Operation finishes; at 04:00 Crossplane runs the
    /// 03:00 slot and drops 04:00.
    #[test]
    fn forbid_runs_the_owed_slot_late_and_drops_the_slot_of_that_moment() {
        let mut a = xp("0 * * * *", "Forbid", None);
        let forbid = |a: &mut Accountant, at: &str, slot: &str, running: &str| {
            let decision = CronDecision::ForbidRunning { slot: t(slot), running: vec![running.into()] };
            sync(a, at, decision);
        };
        let op1 = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        forbid(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z", &op1);
        finish(&mut a, "2025-03-03T02:30:00Z", &op1, true, "");
        let op2 = create(&mut a, "2025-03-03T02:30:00Z", "2025-03-03T02:00:00Z");
        forbid(&mut a, "2025-03-03T03:00:00Z", "2025-03-03T03:00:00Z", &op2);
        finish(&mut a, "2025-03-03T04:00:00Z", &op2, true, "");
        create(&mut a, "2025-03-03T04:00:00Z", "2025-03-03T03:00:00Z");
        let r = report(a);
        let late = row(&r, "2025-03-03T02:00:00Z");
        assert_eq!((late.outcome, late.late_by), (TickOutcome::Late, Some(1_800_000)));
        assert!(late.why.starts_with("Forbid: an Operation was still running"), "{}", late.why);
        let late = row(&r, "2025-03-03T03:00:00Z");
        assert_eq!((late.outcome, late.late_by), (TickOutcome::Late, Some(3_600_000)));
        let dropped = row(&r, "2025-03-03T04:00:00Z");
        assert_eq!(dropped.outcome, TickOutcome::NotStarted);
        assert!(dropped.why.contains("earliest owed slot (2025-03-03T03:00:00Z)"), "{}", dropped.why);
        assert_eq!(r.overlaps.max_concurrency, 1);
    }

    #[test]
    fn forbid_at_the_horizon_end_leaves_the_slot_owed() {
        let mut a = xp("0 * * * *", "Forbid", None);
        let op1 = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        let decision =
            CronDecision::ForbidRunning { slot: t("2025-03-03T02:00:00Z"), running: vec![op1.into()] };
        sync(&mut a, "2025-03-03T02:00:00Z", decision);
        let r = report(a);
        assert!(row(&r, "2025-03-03T02:00:00Z").why.contains("the slot stays owed"));
        assert_eq!(counts(&r), (5, 1, 0, 4, 0));
    }

    #[test]
    fn paused_by_annotation_misses_the_slots_until_the_end() {
        let mut a = xp("0 * * * *", "Allow", None);
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        change(&mut a, "2025-03-03T01:30:00Z", "crossplane.io/paused=true");
        sync(&mut a, "2025-03-03T01:30:00Z", CronDecision::Paused);
        let r = report(a);
        assert_eq!(counts(&r), (5, 1, 0, 4, 0));
        assert_eq!(row(&r, "2025-03-03T03:00:00Z").why, "paused by annotation until the horizon end");
    }

    /// Bug B3: removing the annotation changes no generation, so nothing
    /// wakes the controller.
    #[test]
    fn unpause_the_controller_never_noticed_names_bug_b3() {
        let mut a = xp("0 * * * *", "Allow", None);
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        change(&mut a, "2025-03-03T01:30:00Z", "crossplane.io/paused=true");
        sync(&mut a, "2025-03-03T01:30:00Z", CronDecision::Paused);
        change(&mut a, "2025-03-03T02:30:00Z", "crossplane.io/paused removed");
        let r = report(a);
        assert_eq!(counts(&r), (5, 1, 0, 4, 0));
        for h in 2..=5 {
            let x = row(&r, &format!("2025-03-03T0{h}:00:00Z"));
            assert!(x.why.contains("GenerationChangedPredicate, bug B3"), "{}", x.why);
            assert!(x.why.starts_with("unpaused, but the controller did not notice"), "{}", x.why);
        }
    }

    /// Once a reconcile runs (a child event, a spec edit, a restart), the
    /// earliest owed slot runs late and the rest are dropped; a slot after
    /// the unpause was lost to B3 (without it, it would have run on time).
    #[test]
    fn a_reconcile_after_the_unpause_runs_the_earliest_paused_slot() {
        let mut a = xp("0 * * * *", "Allow", None);
        change(&mut a, "2025-03-03T01:30:00Z", "crossplane.io/paused=true");
        sync(&mut a, "2025-03-03T01:30:00Z", CronDecision::Paused);
        change(&mut a, "2025-03-03T02:30:00Z", "crossplane.io/paused removed");
        change(&mut a, "2025-03-03T03:10:00Z", "schedule=0 * * * *");
        create(&mut a, "2025-03-03T03:10:00Z", "2025-03-03T02:00:00Z");
        let r = report(a);
        let late = row(&r, "2025-03-03T02:00:00Z");
        assert_eq!(late.outcome, TickOutcome::Late);
        assert!(late.why.starts_with("paused by annotation at the slot"), "{}", late.why);
        let dropped = row(&r, "2025-03-03T03:00:00Z");
        assert!(dropped.why.contains("earliest owed slot"), "{}", dropped.why);
        assert!(dropped.why.starts_with("unpaused, but the controller did not notice at first (bug B3)"));
        assert_eq!(row(&r, "2025-03-03T01:00:00Z").outcome, TickOutcome::NotStarted);
    }

    #[test]
    fn an_invalid_schedule_stops_crossplane_without_requeue() {
        let mut a = xp("0 * * * *", "Allow", None);
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        down(&mut a, "2025-03-03T01:30:00Z", "2025-03-03T03:10:00Z");
        change(&mut a, "2025-03-03T03:00:30Z", "schedule=0 25 * * *");
        let error = "cannot parse cron schedule \"0 25 * * *\": …".to_string();
        sync(&mut a, "2025-03-03T03:10:00Z", CronDecision::InvalidSchedule { error });
        let r = report(a);
        assert_eq!(counts(&r), (3, 1, 0, 2, 0), "no ticks after the schedule broke");
        assert!(row(&r, "2025-03-03T02:00:00Z").why.contains("ScheduleInvalid"));
        assert!(r.notes.iter().any(|n| n.contains("schedule changed")), "{:?}", r.notes);
    }

    #[test]
    fn deleting_the_cronoperation_ends_its_ticks() {
        let mut a = xp("0 * * * *", "Allow", None);
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        down(&mut a, "2025-03-03T01:30:00Z", "2025-03-03T03:30:00Z");
        feed(&mut a, "2025-03-03T03:20:00Z", Entry::Fault(Fault::CronJobDeleted { object: CO.into() }));
        let r = report(a);
        assert_eq!(counts(&r), (3, 1, 0, 2, 0));
        assert_eq!(row(&r, "2025-03-03T03:00:00Z").why, "the CronOperation was deleted");
    }

    /// PR #7834 without a slot cursor: the loud #7524 loop becomes a
    /// silent stall on the same slot.
    #[test]
    fn already_exists_tolerated_stalls_silently_on_the_same_slot() {
        let mut a = xp("0 * * * *", "Allow", None);
        let operation = op_name("2025-03-03T01:00:00Z");
        for at in ["2025-03-03T01:00:00Z", "2025-03-03T02:00:00Z", "2025-03-03T03:00:00Z"] {
            let decision = CronDecision::AlreadyExistsTolerated {
                slot: t("2025-03-03T01:00:00Z"),
                operation: operation.clone().into(),
            };
            sync(&mut a, at, decision);
        }
        let r = report(a);
        let x = row(&r, "2025-03-03T01:00:00Z");
        assert_eq!(x.outcome, TickOutcome::NotStarted);
        assert!(x.why.contains("PR #7834 counts that as done"), "{}", x.why);
        for h in 2..=5 {
            let x = row(&r, &format!("2025-03-03T0{h}:00:00Z"));
            assert!(x.why.starts_with("silent stall (PR #7834 alone)"), "{}", x.why);
        }
        assert_eq!(counts(&r), (5, 0, 0, 5, 0));
    }

    /// A schedule edit wakes Crossplane at once, and Next(cursor) under the
    /// new schedule may lie before the edit: that slot runs immediately.
    #[test]
    fn a_schedule_edit_owes_the_new_schedules_slot_before_it_at_once() {
        let mut a = xp("0 5 * * *", "Allow", None);
        change(&mut a, "2025-03-03T03:20:00Z", "schedule=0 2 * * *");
        create(&mut a, "2025-03-03T03:20:00Z", "2025-03-03T02:00:00Z");
        let r = report(a);
        let x = row(&r, "2025-03-03T02:00:00Z");
        assert_eq!((x.outcome, x.late_by), (TickOutcome::Late, Some(4_800_000)));
        assert!(
            x.why.starts_with("a slot of the edited schedule between the last run and the edit"),
            "{}",
            x.why
        );
        assert_eq!(counts(&r), (1, 0, 1, 0, 0), "the old 05:00 slot is gone with the old schedule");
    }
}

mod outcomes {
    use super::*;

    fn deleted(a: &mut impl LogSink, at: &str, op: &str, by: DeletedBy) {
        feed(a, at, Entry::OperationDeleted { operation: op.into(), by });
    }

    fn op_sync_end(a: &mut impl LogSink, at: &str, op: &str) {
        let decision = cronwarp::policy::crossplane::OperationDecision::Succeeded { applied: vec![] };
        feed(
            a,
            at,
            Entry::OperationSync {
                object: op.into(),
                requeue_at: None,
                retry_at: None,
                decision: Box::new(decision),
            },
        );
    }

    #[test]
    fn retry_limit_exhausted_is_its_own_failure_and_attempts_after_the_first_are_retries() {
        let mut a = xp("0 * * * *", "Allow", None);
        let op = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        for (n, at) in [(1, "01:00:00"), (2, "01:00:01"), (3, "01:00:03"), (4, "01:00:07"), (5, "01:00:15")] {
            attempt(&mut a, &format!("2025-03-03T{at}Z"), &op, n);
            attempt_failed(&mut a, &format!("2025-03-03T{at}.5Z"), &op, i64::from(n));
        }
        finish(&mut a, "2025-03-03T01:00:31Z", &op, false, "failure limit of 5 reached");
        let op2 = create(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        attempt(&mut a, "2025-03-03T02:00:00Z", &op2, 1);
        finish(&mut a, "2025-03-03T02:00:00Z", &op2, false, "cannot parse step input");
        let o = report(a).outcomes;
        assert_eq!((o.created, o.retry_limit_exhausted, o.failed_other, o.succeeded), (2, 1, 1, 0));
        assert_eq!(o.retries, 4);
        assert_eq!(o.backoff_limit_exceeded, 0, "Operations have no backoffLimit");
    }

    #[test]
    fn a_lost_attempt_is_a_retry_and_counted_apart() {
        let mut a = xp("0 * * * *", "Allow", None);
        let op = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        attempt(&mut a, "2025-03-03T01:00:00Z", &op, 1);
        down(&mut a, "2025-03-03T01:00:10Z", "2025-03-03T01:20:00Z");
        feed(&mut a, "2025-03-03T01:00:10Z", Entry::OperationAttemptLost { operation: op.clone().into() });
        attempt(&mut a, "2025-03-03T01:20:00Z", &op, 2);
        finish(&mut a, "2025-03-03T01:20:30Z", &op, true, "");
        let o = report(a).outcomes;
        assert_eq!((o.succeeded, o.retries, o.lost_attempts, o.unfinished), (1, 1, 1, 0));
    }

    #[test]
    fn history_gc_rows_keep_how_long_each_operation_survived() {
        let mut a = xp("0 * * * *", "Allow", None);
        let op1 = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        run_ok(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:30Z", &op1);
        let op2 = create(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        attempt(&mut a, "2025-03-03T02:00:00Z", &op2, 1);
        finish(&mut a, "2025-03-03T02:00:20Z", &op2, false, "failure limit of 1 reached");
        let op3 = create(&mut a, "2025-03-03T03:00:00Z", "2025-03-03T03:00:00Z");
        deleted(&mut a, "2025-03-03T03:00:00Z", &op2, DeletedBy::HistoryGc);
        run_ok(&mut a, "2025-03-03T03:00:00Z", "2025-03-03T03:00:30Z", &op3);
        deleted(&mut a, "2025-03-03T04:00:00Z", &op1, DeletedBy::HistoryGc);
        let r = report(a);
        let rows: Vec<(&str, &str, Option<i64>)> =
            r.deletions.iter().map(|d| (d.job.as_str(), d.condition.as_str(), d.retained)).collect();
        assert_eq!(
            rows,
            [(op2.as_str(), "Failed", Some(3_580_000)), (op1.as_str(), "Succeeded", Some(10_770_000))]
        );
        assert_eq!(r.deletion_summary.len(), 2);
        assert_eq!(r.outcomes.unfinished, 0);
    }

    #[test]
    fn allow_overlap_lasts_from_creation_until_finish() {
        let mut a = xp("*/5 * * * *", "Allow", None);
        let op1 = create(&mut a, "2025-03-03T00:05:00Z", "2025-03-03T00:05:00Z");
        let op2 = create(&mut a, "2025-03-03T00:10:00Z", "2025-03-03T00:10:00Z");
        finish(&mut a, "2025-03-03T00:12:00Z", &op1, true, "");
        finish(&mut a, "2025-03-03T00:13:00Z", &op2, true, "");
        let ov = report(a).overlaps;
        assert_eq!((ov.max_concurrency, ov.total, ov.intervals.len()), (2, 120_000, 1));
        assert!(!ov.intervals[0].replace_termination);
    }

    /// Replace deletes the running Operation, but its function call is not
    /// cancelled: until that attempt ends it overlaps the replacement.
    #[test]
    fn replace_counts_replaced_and_notes_the_call_still_in_flight() {
        let mut a = xp("0 * * * *", "Replace", None);
        let op1 = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        attempt(&mut a, "2025-03-03T01:59:00Z", &op1, 1);
        deleted(&mut a, "2025-03-03T02:00:00Z", &op1, DeletedBy::Replace);
        let op2 = create(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        run_ok(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:20Z", &op2);
        op_sync_end(&mut a, "2025-03-03T02:00:50Z", &op1);
        let r = report(a);
        assert_eq!((r.outcomes.replaced, r.outcomes.unfinished), (1, 0));
        let ov = &r.overlaps;
        assert_eq!(ov.intervals.len(), 1, "{ov:?}");
        assert!(ov.intervals[0].replace_termination);
        assert_eq!(ov.total, 20_000, "until the replacement finished");
        assert_eq!(r.ticks.on_time, 2);
    }

    #[test]
    fn replace_of_an_idle_operation_does_not_overlap() {
        let mut a = xp("0 * * * *", "Replace", None);
        let op1 = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        deleted(&mut a, "2025-03-03T02:00:00Z", &op1, DeletedBy::Replace);
        create(&mut a, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        let r = report(a);
        assert_eq!((r.outcomes.replaced, r.outcomes.unfinished), (1, 1));
        assert!(r.overlaps.intervals.is_empty());
    }

    #[test]
    fn seeded_operations_count_as_created_but_resolve_no_tick() {
        let mut a = xp("0 * * * *", "Allow", None);
        let op = op_name("2025-03-02T23:00:00Z");
        let entry = Entry::OperationCreated {
            operation: op.clone().into(),
            cronoperation: CO.into(),
            scheduled_time: Some(t("2025-03-02T23:00:00Z")),
            uid: op.clone().into(),
            seeded: true,
        };
        feed(&mut a, START, entry);
        finish(&mut a, START, &op, true, "");
        let r = report(a);
        assert_eq!((r.outcomes.created, r.outcomes.succeeded), (1, 1));
        assert_eq!(counts(&r), (5, 0, 0, 5, 0));
    }
}
