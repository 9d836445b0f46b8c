//! The controller replayed under virtual time (`support::argo`): the
//! behaviours the scenarios of a simulator would show, one module each
//! (docs/fidelity/argo.md#argo-3 to #argo-10).

use super::cw;
use crate::support::argo::{Setup, replay};
use crate::support::t;
use cronwarp::model::argo::{CronWorkflow, StopStrategy};
use cronwarp::model::{MINUTE, SECOND};
use cronwarp::policy::argo::{PHASE_STOPPED, RunDecision};

fn hourly() -> CronWorkflow {
    cw(r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: hourly
spec:
  schedules: ["0 * * * *"]
  workflowSpec:
    entrypoint: main
    templates: [{name: main}]
"#)
}

mod catch_up_after_downtime {
    use super::*;

    fn down_0130_to(restart: &str, deadline: Option<i64>) -> Vec<String> {
        let mut c = hourly();
        c.spec.starting_deadline_seconds = deadline;
        let mut s = Setup::new(c, t("2026-01-01T00:30:00Z"), t("2026-01-01T06:30:00Z"));
        s.down = vec![(t("2026-01-01T01:30:00Z"), t(restart))];
        replay(s).scheduled()
    }

    #[test]
    fn without_a_deadline_nothing_missed_ever_runs() {
        let got = down_0130_to("2026-01-01T05:05:00Z", None);
        assert_eq!(got, ["2026-01-01T01:00:00Z", "2026-01-01T06:00:00Z"]);
    }

    #[test]
    fn with_a_deadline_only_the_latest_missed_tick_runs() {
        let got = down_0130_to("2026-01-01T05:05:00Z", Some(600));
        // 02:00, 03:00, 04:00 are lost; 05:00 runs at 05:05.
        assert_eq!(got, ["2026-01-01T01:00:00Z", "2026-01-01T05:00:00Z", "2026-01-01T06:00:00Z"]);
    }

    #[test]
    fn past_the_deadline_of_the_latest_nothing_runs() {
        let got = down_0130_to("2026-01-01T05:15:00Z", Some(600));
        assert_eq!(got, ["2026-01-01T01:00:00Z", "2026-01-01T06:00:00Z"]);
    }
}

mod dst {
    use super::*;

    fn daily_new_york(at: &str, from: &str, until: &str) -> Vec<String> {
        let mut c = hourly();
        c.spec.schedules = vec![at.into()];
        c.spec.timezone = "America/New_York".into();
        replay(Setup::new(c, t(from), t(until))).scheduled()
    }

    #[test]
    fn spring_forward_skips_the_day() {
        let got = daily_new_york("30 2 * * *", "2026-03-07T00:00:00Z", "2026-03-10T00:00:00Z");
        assert_eq!(got, ["2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"]);
    }

    #[test]
    fn fall_back_runs_twice_an_hour_apart() {
        let got = daily_new_york("30 1 * * *", "2026-10-31T00:00:00Z", "2026-11-02T00:00:00Z");
        assert_eq!(got, ["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z"]);
    }
}

#[test]
fn multiple_schedules_at_one_instant_run_once() {
    let mut c = hourly();
    c.spec.schedules = vec!["0 * * * *".into(), "*/30 * * * *".into()];
    let r = replay(Setup::new(c, t("2026-01-01T00:10:00Z"), t("2026-01-01T01:40:00Z")));
    assert_eq!(r.scheduled(), ["2026-01-01T00:30:00Z", "2026-01-01T01:00:00Z", "2026-01-01T01:30:00Z"]);
    let dups: Vec<_> = r.runs.iter().filter(|(_, run)| run.duplicate).map(|(at, _)| at.to_string()).collect();
    assert_eq!(dups, ["2026-01-01T01:00:00Z"], "the second entry's Run is refused AlreadyExists");
}

mod concurrency {
    use super::*;

    /// Every 5 minutes, each Workflow running 12 minutes.
    fn five_minutely(policy: &str, deadline: Option<i64>) -> crate::support::argo::Replay {
        let mut c = hourly();
        c.spec.schedules = vec!["*/5 * * * *".into()];
        c.spec.concurrency_policy = policy.into();
        c.spec.starting_deadline_seconds = deadline;
        let mut s = Setup::new(c, t("2026-01-01T00:00:30Z"), t("2026-01-01T00:31:00Z"));
        s.behaviour = |_| (12 * MINUTE, true);
        replay(s)
    }

    #[test]
    fn forbid_skips_while_active() {
        let r = five_minutely("Forbid", None);
        assert_eq!(r.scheduled(), ["2026-01-01T00:05:00Z", "2026-01-01T00:20:00Z"]);
        let forbidden = r.runs.iter().filter(|(_, run)| run.decision == RunDecision::Forbidden).count();
        assert_eq!(forbidden, 4, "00:10, 00:15, 00:25, 00:30");
    }

    #[test]
    fn forbid_with_a_deadline_runs_a_skipped_tick_late() {
        let r = five_minutely("Forbid", Some(300));
        // 00:05 finishes at 00:17; the reconcile's patch at 00:17:00+ re-registers,
        // and the catch-up finds 00:15 within 300 s.
        let created = r.created();
        assert_eq!(created[1].0, t("2026-01-01T00:15:00Z"));
        assert!(created[1].1 >= t("2026-01-01T00:17:00Z") && created[1].1 <= t("2026-01-01T00:17:10Z"));
    }

    #[test]
    fn replace_terminates_the_active_workflow() {
        let r = five_minutely("Replace", None);
        assert_eq!(r.scheduled().len(), 6);
        assert_eq!(r.api.terminated.len(), 5, "each run ends its predecessor");
        // Terminated Workflows are Failed: counted, and history GC keeps one.
        assert_eq!(r.api.cw.status.failed, 5);
        assert_eq!(r.api.deleted.len(), 4);
    }
}

#[test]
fn stop_strategy_stops_after_two_failures_and_later_ticks_skip() {
    let mut c = hourly();
    c.spec.stop_strategy = Some(StopStrategy { expression: "cronworkflow.failed >= 2".into() });
    let mut s = Setup::new(c, t("2026-01-01T00:30:00Z"), t("2026-01-01T05:30:00Z"));
    s.behaviour = |_| (10 * SECOND, false);
    let r = replay(s);
    assert_eq!(r.scheduled(), ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]);
    assert_eq!(r.api.cw.status.phase, PHASE_STOPPED);
    // The entries stay registered: 03:00–05:00 fire and are skipped.
    let stopped = r.runs.iter().filter(|(_, run)| run.decision == RunDecision::Stopped).count();
    assert_eq!(stopped, 3);
}

#[test]
fn when_gates_ticks_on_the_counters() {
    let mut c = hourly();
    c.spec.when = "{{= cronworkflow.succeeded < 2 }}".into();
    let r = replay(Setup::new(c, t("2026-01-01T00:30:00Z"), t("2026-01-01T04:30:00Z")));
    assert_eq!(r.scheduled(), ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]);
    let skipped = r.runs.iter().filter(|(_, run)| run.decision == RunDecision::WhenFalse).count();
    assert_eq!(skipped, 2);
}

#[test]
fn a_schedule_edit_during_downtime_cancels_the_catch_up() {
    let mut c = hourly();
    c.spec.starting_deadline_seconds = Some(3600);
    let mut s = Setup::new(c.clone(), t("2026-01-01T00:30:00Z"), t("2026-01-01T03:50:00Z"));
    s.down = vec![(t("2026-01-01T01:30:00Z"), t("2026-01-01T03:10:00Z"))];
    let unedited = replay(s).scheduled();
    assert_eq!(unedited, ["2026-01-01T01:00:00Z", "2026-01-01T03:00:00Z"]);
    let mut s = Setup::new(c, t("2026-01-01T00:30:00Z"), t("2026-01-01T03:50:00Z"));
    s.down = vec![(t("2026-01-01T01:30:00Z"), t("2026-01-01T03:10:00Z"))];
    s.edits = vec![(t("2026-01-01T02:00:00Z"), |c| c.spec.schedules = vec!["30 * * * *".into()])];
    let edited = replay(s).scheduled();
    // The last-used-schedule annotation no longer matches: no catch-up,
    // and the new schedule's first tick is 03:30.
    assert_eq!(edited, ["2026-01-01T01:00:00Z", "2026-01-01T03:30:00Z"]);
}

/// A catch-up that `run` skips (Forbid, a Workflow still active) patches
/// nothing, so no update event comes and `processNextCronItem`, which
/// returned before re-registering, leaves the CronWorkflow with no entries
/// after a restart: its ticks do not fire at all until the reconcile's patch
/// when the Workflow finishes (docs/fidelity/argo.md#argo-5).
#[test]
fn a_skipped_catch_up_after_a_restart_leaves_no_entries() {
    let mut c = hourly();
    c.spec.schedules = vec!["*/5 * * * *".into()];
    c.spec.concurrency_policy = "Forbid".into();
    c.spec.starting_deadline_seconds = Some(600);
    let mut s = Setup::new(c, t("2026-01-01T00:00:30Z"), t("2026-01-01T00:41:00Z"));
    s.down = vec![(t("2026-01-01T00:07:00Z"), t("2026-01-01T00:12:00Z"))];
    s.behaviour = |_| (30 * MINUTE, true);
    let r = replay(s);
    assert_eq!(r.scheduled(), ["2026-01-01T00:05:00Z", "2026-01-01T00:30:00Z"]);
    assert_eq!(r.created()[1].1, t("2026-01-01T00:35:00Z"), "the 00:30 tick runs as the catch-up at 00:35");
    let at = |s: &str| t(s);
    let silent: Vec<String> = r
        .runs
        .iter()
        .filter(|(when, run)| {
            !run.catch_up && *when > at("2026-01-01T00:12:00Z") && *when < at("2026-01-01T00:35:00Z")
        })
        .map(|(when, run)| format!("{when} {:?}", run.decision))
        .collect();
    assert!(silent.is_empty(), "the timer never fires 00:15–00:30: {silent:?}");
    // The 20-minute resync (00:32) re-checks, finds 00:30 and skips it again.
    let resync =
        r.runs.iter().find(|(when, _)| *when == at("2026-01-01T00:32:00Z")).expect("resync catch-up");
    assert_eq!(
        (resync.1.scheduled, &resync.1.decision),
        (at("2026-01-01T00:30:00Z"), &RunDecision::Forbidden)
    );
    let restart =
        r.runs.iter().find(|(when, _)| *when == at("2026-01-01T00:12:00Z")).expect("catch-up at restart");
    assert_eq!((restart.1.catch_up, &restart.1.decision), (true, &RunDecision::Forbidden));
}
