//! robfig/cron's runner as the Argo controller drives it
//! (docs/fidelity/argo.md#argo-3, #argo-9): first fire at `Next(now)`,
//! each next from the instant fired, DST in the schedule's zone, and two
//! schedules at one instant giving one scheduled time.

use crate::support::t;
use cronwarp::model::Time;
use cronwarp::policy::argo::Runner;
use cronwarp::schedule::Zone;

/// Fires the runner at each due instant until `until`; the scheduled
/// times `Run` would see, one per entry that ran.
fn fires(schedules: &[&str], from: Time, until: Time) -> Vec<(String, usize)> {
    let schedules: Vec<String> = schedules.iter().map(|s| s.to_string()).collect();
    let (mut r, err) = Runner::register(&schedules, from, Zone::Utc);
    assert_eq!(err, None);
    let mut out = Vec::new();
    while let Some(at) = r.due().filter(|at| *at < until) {
        let ran = r.fire(at);
        out.push((r.scheduled_time().expect("fired").to_string(), ran));
    }
    out
}

#[test]
fn first_fire_is_next_after_registration_not_a_catch_up() {
    let got = fires(&["*/15 * * * *"], t("2026-03-03T10:07:00Z"), t("2026-03-03T11:00:00Z"));
    let want = [("2026-03-03T10:15:00Z", 1), ("2026-03-03T10:30:00Z", 1), ("2026-03-03T10:45:00Z", 1)];
    assert_eq!(got, want.map(|(s, n)| (s.to_string(), n)));
}

#[test]
fn registering_at_a_tick_instant_skips_that_tick() {
    // Next is strictly after now: re-registration at 10:15:00 exactly
    // (an update processed in the tick's own second) does not fire 10:15.
    let got = fires(&["*/15 * * * *"], t("2026-03-03T10:15:00Z"), t("2026-03-03T10:31:00Z"));
    assert_eq!(got, [("2026-03-03T10:30:00Z".to_string(), 1)]);
}

#[test]
fn two_schedules_at_one_instant_fire_twice_with_one_scheduled_time() {
    let got = fires(&["*/30 * * * *", "0 * * * *"], t("2026-03-03T09:59:00Z"), t("2026-03-03T10:31:00Z"));
    // 10:00: both entries run, both `Run`s see 10:00: the same Workflow
    // name twice, the second refused AlreadyExists.
    let want = [("2026-03-03T10:00:00Z", 2), ("2026-03-03T10:30:00Z", 1)];
    assert_eq!(got, want.map(|(s, n)| (s.to_string(), n)));
}

#[test]
fn dst_spring_forward_skips_the_missing_hour_fall_back_runs_twice() {
    // America/New_York: 2026-03-08 02:00 does not exist; 2026-11-01 01:30
    // happens twice. robfig's Next skips the first and runs the second
    // twice, once per offset (docs/fidelity/schedules.md#sch-7).
    let spring =
        fires(&["CRON_TZ=America/New_York 30 2 * * *"], t("2026-03-07T12:00:00Z"), t("2026-03-10T12:00:00Z"));
    let want = ["2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"];
    assert_eq!(spring.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), want);
    let fall =
        fires(&["CRON_TZ=America/New_York 30 1 * * *"], t("2026-10-31T12:00:00Z"), t("2026-11-02T12:00:00Z"));
    let want = ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"];
    assert_eq!(fall.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(), want);
}

#[test]
fn a_bad_schedule_stops_registration_there() {
    let s = vec!["0 * * * *".to_string(), "61 * * * *".to_string(), "5 * * * *".to_string()];
    let (r, err) = Runner::register(&s, t("2026-03-03T10:07:00Z"), Zone::Utc);
    assert_eq!(r.entries().len(), 1);
    assert!(err.is_some_and(|e| e.contains("61")));
}
