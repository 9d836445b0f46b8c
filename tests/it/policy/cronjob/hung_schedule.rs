//! Where upstream's `Next` loop never returns (docs/fidelity/schedules.md#sch-9,
//! docs/fidelity/kubernetes-cronjob.md#cj-19): cronwarp stops and says so. Pacific/Chatham
//! `45 3 * * *`: robfig's `Next(2025-04-05T14:00Z)` returns its argument
//! (02:45+12:45 on the fall-back night).

use crate::support::cronjob_policy::*;
use crate::support::t;
use cronwarp::model::{CronJob, Time};
use cronwarp::policy::cronjob::{Decision, Missed, ScheduleFault, most_recent, requeue_after, sync};
use cronwarp::schedule::{Schedule, Zone};

const STUCK: &str = "2025-04-05T14:00:00Z";

fn chatham(last: &str) -> CronJob {
    let mut cj = cronjob("45 3 * * *", t("2025-03-01T00:00:00Z"), Some(t(last)));
    cj.spec.time_zone = Some("Pacific/Chatham".into());
    cj
}

fn sched() -> Schedule {
    Schedule::parse("TZ=Pacific/Chatham 45 3 * * *").unwrap()
}

#[test]
fn robfig_next_does_not_advance_at_the_chatham_fall_back() {
    let s = sched();
    assert_eq!(s.next(t(STUCK).unix(), Zone::Utc), Some(t(STUCK).unix()));
}

#[test]
fn last_run_just_before_the_stuck_instant_gives_invalid_schedule() {
    let now = t(STUCK).add(100);
    let out = sync(&mut FakeApi::default(), &chatham("2025-04-04T14:00:00Z"), &[], ctx(now, &defaults()));
    assert_eq!(out.decision, Decision::InvalidSchedule);
    assert_eq!(out.requeue_after, None);
    assert_eq!(
        messages(&out),
        ["invalid schedule: 45 3 * * * : time difference between two schedules is less than 1 second"]
    );
}

#[test]
fn two_runs_earlier_upstream_loops_forever_and_we_report_a_hung_worker() {
    let cj = chatham("2025-04-03T14:00:00Z");
    let now = t(STUCK).add(100);
    assert_eq!(
        most_recent(&cj, now, &sched(), Zone::Utc, true),
        Err(ScheduleFault::NeverReturns { at: t(STUCK) })
    );
    let mut api = FakeApi::default();
    let out = sync(&mut api, &cj, &[], ctx(now, &defaults()));
    assert_eq!(out.decision, Decision::WorkerHung { at: t(STUCK), job: None });
    assert_eq!((out.requeue_after, out.status_changed, out.error), (None, false, None));
    assert!(api.created.is_empty());
}

#[test]
fn a_hang_in_the_requeue_computation_follows_a_forbid_skip() {
    // The deadline makes the creation walk start after the stuck instant;
    // the requeue walk ignores the deadline, starts from lastScheduleTime
    // and gets stuck.
    let mut cj = chatham("2025-04-03T14:00:00Z");
    cj.spec.starting_deadline_seconds = Some(60);
    cj.spec.concurrency_policy = "Forbid".into();
    let running = job_for(&cj, t("2025-04-03T14:00:00Z"));
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&running));
    let now = t("2025-04-06T15:00:00.100Z");
    assert_eq!(
        requeue_after(&cj, now, &sched(), Zone::Utc),
        Err(ScheduleFault::NeverReturns { at: t(STUCK) })
    );
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&running));
    let out = sync(&mut api, &cj, &[running], ctx(now, &defaults()));
    assert_eq!(out.decision, Decision::WorkerHung { at: t(STUCK), job: None });
    assert_eq!(reasons(&out), ["JobAlreadyActive"], "events before the hang are recorded");
    assert!(!out.status_changed);
}

#[test]
fn long_legitimate_walks_are_not_mistaken_for_hangs() {
    // First gap eleven months long, then a month of minutes each January:
    // the walk from potentialEarliest visits a January's worth of ticks.
    let cj = cronjob("* * * 1 *", t("2015-01-01T00:00:00Z"), Some(t("2015-01-31T23:58:00Z")));
    let s = Schedule::parse("* * * 1 *").unwrap();
    let now = t("2017-02-15T00:00:00Z");
    let r = most_recent(&cj, now, &s, Zone::Utc, false).unwrap();
    assert_eq!(r.most_recent, Some(t("2017-01-31T23:59:00Z")));
    assert_eq!((r.missed, r.count), (Missed::Few, 3));
    let _: Time = r.earliest;
}

#[test]
fn next_returning_the_zero_time_mid_walk_is_a_hang_too() {
    // Feb 29: from 2096-02-29 robfig finds no match within five years (2100
    // is not leap) and returns the zero time; upstream's walk then restarts
    // in year 1 and comes back to the same dead end.
    let cj = cronjob("0 0 29 2 *", t("2080-01-01T00:00:00Z"), Some(t("2088-02-29T00:00:00Z")));
    let s = Schedule::parse("0 0 29 2 *").unwrap();
    let got = most_recent(&cj, t("2100-06-01T00:00:00Z"), &s, Zone::Utc, false);
    assert_eq!(got, Err(ScheduleFault::NeverReturns { at: cronwarp::policy::cronjob::GO_ZERO }));
    // One leap day earlier the first two ticks straddle the gap instead.
    let cj = cronjob("0 0 29 2 *", t("2080-01-01T00:00:00Z"), Some(t("2092-02-29T00:00:00Z")));
    assert_eq!(
        most_recent(&cj, t("2100-06-01T00:00:00Z"), &s, Zone::Utc, false),
        Err(ScheduleFault::TooClose)
    );
}
