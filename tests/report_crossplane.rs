//! The accountant on hand-written Crossplane event logs (and the Replace
//! overlap note, for both controllers): every CronOperation slot accounted
//! exactly once, with the reason Crossplane's reconciler gives.

use cronwarp::model::Time;
use cronwarp::policy::Propagation;
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::report::{Accountant, CronJobReport, Header, Report, ReportInput, TickOutcome, TickRow};
use cronwarp::schedule::Zone;
use cronwarp::sim::log::{DeletedBy, Entry, Fault, LogSink, Record};
use cronwarp::sim::{CronJobMeta, WorkloadKind};

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

const START: &str = "2025-03-03T00:00:00Z";
const END: &str = "2025-03-03T06:00:00Z";

fn meta(kind: WorkloadKind, key: &str, schedule: &str, policy: &str) -> CronJobMeta {
    CronJobMeta {
        key: key.into(),
        kind,
        local_zone: "UTC".into(),
        schedule: schedule.into(),
        time_zone: None,
        concurrency_policy: policy.into(),
        starting_deadline_seconds: None,
        suspended: false,
        horizon_start: t(START),
        horizon_end: t(END),
        phase_origin: Some(t(START)),
    }
}

fn accountant(m: CronJobMeta) -> Accountant {
    Accountant::new(ReportInput {
        header: Header {
            scenario: "test".into(),
            seed: 1,
            start: m.horizon_start,
            end: m.horizon_end,
            tzdb_version: "2025b".into(),
            cronwarp_version: "0".into(),
            local_zone: "UTC".into(),
        },
        local_zone: Zone::Utc,
        cronjobs: vec![m],
    })
}

fn feed(a: &mut impl LogSink, at: &str, entry: Entry) {
    a.record(Record { time: t(at), entry });
}

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
        feed(a, at, Entry::PodCreated { pod: format!("{job}-p"), job: job.into() });
    }

    fn pod_finished(a: &mut impl LogSink, at: &str, job: &str) {
        let entry = Entry::PodFinished {
            pod: format!("{job}-p"),
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
            message: String::new(),
        };
        feed(&mut a, "2025-03-03T02:00:10Z", fin);
        pod_finished(&mut a, "2025-03-03T02:00:30Z", "default/cj-1");
        let r: Report = a.finish();
        let ov = &r.cronjobs[0].overlaps;
        assert_eq!(ov.intervals.len(), 1, "{ov:?}");
        assert!(ov.intervals[0].replace_termination, "{ov:?}");
        assert_eq!(ov.total, 9_900);
        assert_eq!(r.cronjobs[0].outcomes.replaced, 1);
    }
}

/// The CronOperation `nightly` (cluster-scoped: its key is its name).
const CO: &str = "nightly";

fn xp(schedule: &str, policy: &str, deadline: Option<i64>) -> Accountant {
    let mut m = meta(WorkloadKind::CronOperation, CO, schedule, policy);
    m.starting_deadline_seconds = deadline;
    accountant(m)
}

fn op_name(slot: &str) -> String {
    format!("{CO}-{}", t(slot).unix())
}

fn sync(a: &mut impl LogSink, at: &str, decision: CronDecision) {
    feed(a, at, Entry::CronOperationSync { object: CO.into(), requeue_at: None, retry_at: None, decision });
}

/// Crossplane creates the Operation for `slot` at `at` (the store logs the
/// Operation before the reconcile's decision, as the simulator does).
fn create(a: &mut impl LogSink, at: &str, slot: &str) -> String {
    let operation = op_name(slot);
    let entry = Entry::OperationCreated {
        operation: operation.clone(),
        cronoperation: CO.into(),
        scheduled_time: Some(t(slot)),
        uid: operation.clone(),
        seeded: false,
    };
    feed(a, at, entry);
    let decision = CronDecision::Created { slot: t(slot), operation: operation.clone(), replaced: vec![] };
    sync(a, at, decision);
    operation
}

fn attempt(a: &mut impl LogSink, at: &str, op: &str, n: u32) {
    feed(a, at, Entry::OperationAttemptStarted { operation: op.into(), attempt: n });
}

fn attempt_failed(a: &mut impl LogSink, at: &str, op: &str, failures: i64) {
    let error = "cannot run pipeline step \"run\": boom".to_string();
    feed(a, at, Entry::OperationAttemptFailed { operation: op.into(), failures, error });
}

fn finish(a: &mut impl LogSink, at: &str, op: &str, succeeded: bool, message: &str) {
    let reason = if succeeded { "PipelineSuccess" } else { "PipelineError" };
    let entry = Entry::OperationFinished {
        operation: op.into(),
        succeeded,
        reason: reason.into(),
        message: message.into(),
    };
    feed(a, at, entry);
}

/// One attempt from `at` that succeeds at `done`.
fn run_ok(a: &mut impl LogSink, at: &str, done: &str, op: &str) {
    attempt(a, at, op, 1);
    finish(a, done, op, true, "");
}

fn down(a: &mut impl LogSink, from: &str, until: &str) {
    feed(a, from, Entry::Fault(Fault::DowntimeStart { until: t(until) }));
    feed(a, until, Entry::Fault(Fault::DowntimeEnd { since: t(from) }));
}

fn change(a: &mut impl LogSink, at: &str, change: &str) {
    feed(a, at, Entry::Fault(Fault::SpecChange { object: CO.into(), change: change.into() }));
}

fn report(a: Accountant) -> CronJobReport {
    let mut r: Report = a.finish();
    r.cronjobs.remove(0)
}

fn row<'a>(r: &'a CronJobReport, tick: &str) -> &'a TickRow {
    r.exceptions
        .iter()
        .find(|x| x.tick == t(tick))
        .unwrap_or_else(|| panic!("no exception row for {tick}: {:#?}", r.exceptions))
}

fn counts(r: &CronJobReport) -> (u64, u64, u64, u64, u64) {
    let c = &r.ticks;
    assert_eq!(c.total, c.on_time + c.late + c.not_started + c.pending, "every tick once");
    (c.total, c.on_time, c.late, c.not_started, c.pending)
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

    /// Reference §1.6: hourly, down 01:30→05:10, no deadline: Crossplane
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

    /// Reference §1.6: deadline 600 s, down →05:05: 02:00 is skipped at
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

    /// Reference §1.6: controller 1.5 s ahead: the Operation of 00:05 is
    /// created (on time), then every reconcile finds 00:05 again.
    #[test]
    fn already_exists_loop_misses_every_later_slot() {
        let mut a = xp("*/5 * * * *", "Allow", None);
        let op = create(&mut a, "2025-03-03T00:05:00Z", "2025-03-03T00:05:00Z");
        for at in ["2025-03-03T00:05:01Z", "2025-03-03T00:30:00Z", "2025-03-03T05:59:00Z"] {
            let decision = CronDecision::CreateFailed {
                slot: t("2025-03-03T00:05:00Z"),
                operation: op.clone(),
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

    /// Reference §1.6: hourly, Forbid, 90-minute runs: the owed slot runs
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
        let decision = CronDecision::ForbidRunning { slot: t("2025-03-03T02:00:00Z"), running: vec![op1] };
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

    #[test]
    fn already_exists_tolerated_creates_nothing_for_the_slot() {
        let mut a = xp("0 * * * *", "Allow", None);
        let operation = op_name("2025-03-03T01:00:00Z");
        let decision = CronDecision::AlreadyExistsTolerated { slot: t("2025-03-03T01:00:00Z"), operation };
        sync(&mut a, "2025-03-03T01:00:00Z", decision);
        let r = report(a);
        let x = row(&r, "2025-03-03T01:00:00Z");
        assert_eq!(x.outcome, TickOutcome::NotStarted);
        assert!(x.why.contains("PR #7834"), "{}", x.why);
    }
}

mod outcomes {
    use super::*;

    fn deleted(a: &mut impl LogSink, at: &str, op: &str, by: DeletedBy) {
        feed(a, at, Entry::OperationDeleted { operation: op.into(), by });
    }

    fn op_sync_end(a: &mut impl LogSink, at: &str, op: &str) {
        let decision = cronwarp::policy::crossplane::OperationDecision::Succeeded { applied: vec![] };
        feed(a, at, Entry::OperationSync { object: op.into(), requeue_at: None, retry_at: None, decision });
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
        feed(&mut a, "2025-03-03T01:00:10Z", Entry::OperationAttemptLost { operation: op.clone() });
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
            operation: op.clone(),
            cronoperation: CO.into(),
            scheduled_time: Some(t("2025-03-02T23:00:00Z")),
            uid: op.clone(),
            seeded: true,
        };
        feed(&mut a, START, entry);
        finish(&mut a, START, &op, true, "");
        let r = report(a);
        assert_eq!((r.outcomes.created, r.outcomes.succeeded), (1, 1));
        assert_eq!(counts(&r), (5, 0, 0, 5, 0));
    }
}

mod rendering {
    use super::*;
    use cronwarp::report::{render_markdown, render_text};

    fn one_of_each() -> Report {
        let mut m = meta(WorkloadKind::CronJob, "default/cj", "0 * * * *", "Allow");
        let x = meta(WorkloadKind::CronOperation, CO, "CRON_TZ=Europe/Paris 0 3 * * *", "Forbid");
        m.horizon_end = t(END);
        let mut a = accountant(m);
        let mut b = xp("0 * * * *", "Allow", None);
        let op = create(&mut b, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        finish(&mut b, "2025-03-03T01:00:40Z", &op, false, "failure limit of 5 reached");
        let mut r = b.finish();
        let extra = {
            let acc = Accountant::new(ReportInput {
                header: r.header.clone(),
                local_zone: Zone::Utc,
                cronjobs: vec![x],
            });
            acc.finish().cronjobs
        };
        r.cronjobs.extend(extra);
        a.record(Record { time: t(START), entry: Entry::Fault(Fault::ClockSkew { skew: 0 }) });
        r.cronjobs.extend(a.finish().cronjobs);
        r
    }

    #[test]
    fn json_marks_cronoperations_and_leaves_cronjobs_unchanged() {
        let r = one_of_each();
        let json = serde_json::to_value(&r).unwrap();
        let items = json["cronjobs"].as_array().unwrap();
        assert_eq!(items[0]["kind"], "CronOperation");
        assert_eq!(items[0]["outcomes"]["retryLimitExhausted"], 1);
        assert!(items[0]["outcomes"].get("lostAttempts").is_none(), "zero counts are skipped");
        assert!(items[2].get("kind").is_none(), "a CronJob's JSON has no kind");
        assert!(items[2]["outcomes"].get("retryLimitExhausted").is_none());
        assert_eq!(json["schemaVersion"], 1);
    }

    #[test]
    fn text_and_markdown_speak_of_cronoperations_and_operations() {
        let r = one_of_each();
        let text = render_text(&r);
        assert!(text.contains("CronOperation nightly\n"), "{text}");
        assert!(text.contains("Operations:"), "{text}");
        assert!(text.contains("1 failed with retryLimit exhausted"), "{text}");
        assert!(text.contains("in Europe/Paris"), "{text}");
        assert!(text.contains("CronJob default/cj"), "{text}");
        let md = render_markdown(&r);
        assert!(md.contains("## CronOperation nightly"), "{md}");
        assert!(md.contains("| tick (local) | outcome | late by | operation | why |"), "{md}");
    }
}

mod expectations {
    use super::*;
    use cronwarp::report::apply_expectations;
    use cronwarp::sim::scenario::Expect;

    #[test]
    fn expect_blocks_judge_cronoperations_like_cronjobs() {
        let mut a = xp("0 * * * *", "Allow", Some(600));
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        let slot = t("2025-03-03T02:00:00Z");
        sync(
            &mut a,
            "2025-03-03T02:30:00Z",
            CronDecision::MissedDeadline { slot, deadline: slot.add(600_000) },
        );
        let mut r = a.finish();
        let expect = Expect { no_missed_runs: Some(true), min_jobs: Some(2), ..Expect::default() };
        apply_expectations(&expect, &mut r);
        assert_eq!(r.expectations_checked, 2);
        let msgs: Vec<(&str, &str, &str)> = r
            .violations
            .iter()
            .map(|v| (v.expectation.as_str(), v.cronjob.as_str(), v.message.as_str()))
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!((msgs[0].0, msgs[0].1), ("noMissedRuns", CO));
        assert!(
            msgs[0].2.starts_with("4 of 5 ticks were not started; first: 2025-03-03T02:00:00Z"),
            "{}",
            msgs[0].2
        );
        assert!(msgs[0].2.contains("bug B1"), "{}", msgs[0].2);
        assert_eq!(msgs[1].2, "1 Operations were created, fewer than 2");
    }
}

mod timeline {
    use super::*;
    use cronwarp::report::svg::timeline_svg;

    #[test]
    fn the_svg_timeline_draws_operations_and_the_pause() {
        let mut log: Vec<Record> = Vec::new();
        let op1 = create(&mut log, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        run_ok(&mut log, "2025-03-03T01:00:00Z", "2025-03-03T01:00:30Z", &op1);
        let op2 = create(&mut log, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        finish(&mut log, "2025-03-03T02:00:40Z", &op2, false, "failure limit of 5 reached");
        feed(
            &mut log,
            "2025-03-03T03:00:00Z",
            Entry::OperationDeleted { operation: op1, by: DeletedBy::HistoryGc },
        );
        change(&mut log, "2025-03-03T03:30:00Z", "crossplane.io/paused=true");
        change(&mut log, "2025-03-03T04:30:00Z", "crossplane.io/paused removed");
        let m = meta(WorkloadKind::CronOperation, CO, "0 * * * *", "Allow");
        let svg = timeline_svg(&log, &m);
        assert!(svg.contains("<title>CronOperation nightly timeline</title>"), "{}", &svg[..300]);
        assert!(svg.contains("aria-label=\"CronOperation nightly\""));
        assert!(svg.contains("2 Operations · 5 ticks, 3 without an Operation · 1 deletions"));
        assert!(svg.contains("Crossplane pod zone UTC"));
        assert!(svg.contains("aria-label=\"failed (retryLimit…)\""));
        assert!(svg.contains("aria-label=\"tick without an Operation\""));
        assert!(svg.contains("aria-label=\"paused by annotation\""), "the pause is shaded");
    }
}
