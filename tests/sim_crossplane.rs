//! Crossplane CronOperations and Operations end to end through
//! `sim::simulate`: the Crossplane rows of reference §1.6, retries,
//! downtime mid-attempt, pause/unpause (B3), the #7524 fixes, scenario
//! errors, and determinism.

use cronwarp::model::{SECOND, Time};
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::sim::log::{Entry, Fault, Record};
use cronwarp::sim::{Scenario, SimOptions, SimOutput, WorkloadKind, cronjob_metas, simulate};

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

/// A time on 2026-01-01, `HH:MM:SS` UTC.
fn d(hms: &str) -> Time {
    t(&format!("2026-01-01T{hms}Z"))
}

/// A CronOperation workload item with extra `spec` lines, extra lines for
/// the Operation template's spec, `behaviour` lines and `changes` (flow
/// maps).
fn cronop_full(
    name: &str,
    created: &str,
    spec: &[&str],
    template: &[&str],
    behaviour: &[&str],
    changes: &[&str],
) -> String {
    let mut s = format!(
        "  - manifest:\n      apiVersion: ops.crossplane.io/v1alpha1\n      kind: CronOperation\n      metadata:\n        name: {name}\n        creationTimestamp: \"{created}\"\n      spec:\n"
    );
    for l in spec {
        s.push_str(&format!("        {l}\n"));
    }
    s.push_str("        operationTemplate:\n          spec:\n            mode: Pipeline\n");
    for l in template {
        s.push_str(&format!("            {l}\n"));
    }
    s.push_str("            pipeline:\n              - {step: run, functionRef: {name: function-dummy}}\n");
    for (key, items) in [("behaviour", behaviour), ("changes", changes)] {
        if !items.is_empty() {
            s.push_str(&format!("    {key}:\n"));
        }
        for l in items {
            let dash = if key == "changes" { "- " } else { "" };
            s.push_str(&format!("      {dash}{l}\n"));
        }
    }
    s
}

fn cronop(name: &str, created: &str, spec: &[&str], behaviour: &[&str]) -> String {
    cronop_full(name, created, spec, &[], behaviour, &[])
}

fn yaml(start: &str, end: &str, controller: &[&str], workloads: &[String]) -> String {
    let mut s = format!("horizon:\n  start: \"{start}\"\n  end: \"{end}\"\nseed: 7\n");
    if !controller.is_empty() {
        s.push_str("controller:\n");
        for l in controller {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s.push_str("workloads:\n");
    for w in workloads {
        s.push_str(w);
    }
    s
}

fn scenario(start: &str, end: &str, controller: &[&str], workloads: &[String]) -> Scenario {
    let s = yaml(start, end, controller, workloads);
    Scenario::from_yaml(&s, "test.yaml").unwrap_or_else(|e| panic!("{e}\n---\n{s}"))
}

fn run(sc: &Scenario) -> SimOutput {
    simulate(sc, SimOptions::default()).unwrap()
}

fn lines(out: &SimOutput) -> Vec<String> {
    out.log.iter().map(Record::to_json_line).collect()
}

/// `(when, slot)` of every Operation the controller created.
fn created(out: &SimOutput) -> Vec<(Time, Time)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationCreated { scheduled_time: Some(slot), seeded: false, .. } => {
                Some((r.time, *slot))
            }
            _ => None,
        })
        .collect()
}

fn slots(out: &SimOutput) -> Vec<Time> {
    created(out).into_iter().map(|(_, s)| s).collect()
}

/// `(when, decision, retryAt)` of every CronOperation reconcile.
fn cron_syncs(out: &SimOutput) -> Vec<(Time, CronDecision, Option<Time>)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::CronOperationSync { decision, retry_at, .. } => {
                Some((r.time, decision.clone(), *retry_at))
            }
            _ => None,
        })
        .collect()
}

fn attempts_started(out: &SimOutput) -> Vec<(Time, u32)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationAttemptStarted { attempt, .. } => Some((r.time, *attempt)),
            _ => None,
        })
        .collect()
}

fn finished(out: &SimOutput) -> Vec<(Time, bool, String)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationFinished { succeeded, message, .. } => {
                Some((r.time, *succeeded, message.clone()))
            }
            _ => None,
        })
        .collect()
}

const HOURLY: &str = "schedule: \"0 * * * *\"";

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

mod retries {
    use super::*;

    fn failing(template: &[&str]) -> SimOutput {
        run(&scenario(
            "2026-01-01T00:30:00Z",
            "2026-01-01T01:05:00Z",
            &[],
            &[cronop_full(
                "co",
                "2026-01-01T00:30:00Z",
                &[HOURLY],
                template,
                &["duration: 2s", "failureProbability: 1"],
                &[],
            )],
        ))
    }

    /// Five attempts 1 s, 2 s, 4 s, 8 s apart (plus 2 s run time each),
    /// then Failed after the 16 s backoff: "failure limit of 5 reached".
    #[test]
    fn the_default_limit_of_five_attempts_then_failed() {
        let out = failing(&[]);
        let starts = attempts_started(&out);
        assert_eq!(starts.iter().map(|(_, n)| *n).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);
        let gaps: Vec<i64> = starts.windows(2).map(|w| w[1].0.since(w[0].0) / SECOND).collect();
        assert_eq!(gaps, [3, 4, 6, 10]);
        let failures: Vec<i64> = out
            .log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::OperationAttemptFailed { failures, .. } => Some(*failures),
                _ => None,
            })
            .collect();
        assert_eq!(failures, [1, 2, 3, 4, 5]);
        let t0 = d("01:00:00");
        assert_eq!(finished(&out), [(t0.add(41 * SECOND), false, "failure limit of 5 reached".to_string())]);
    }

    /// `retryLimit: 0` fails the Operation without running it.
    #[test]
    fn a_retry_limit_of_zero_never_runs() {
        let out = failing(&["retryLimit: 0"]);
        assert!(attempts_started(&out).is_empty());
        assert_eq!(finished(&out), [(d("01:00:00"), false, "failure limit of 0 reached".to_string())]);
    }
}

mod downtime_mid_attempt {
    use super::*;

    /// The attempt in flight at 01:00:30 is lost; after the restart at
    /// 01:05 the Operation still reads Running and runs again from step 1,
    /// with `failures` unchanged.
    #[test]
    fn the_attempt_is_lost_and_rerun_after_restart() {
        let sc = scenario(
            "2026-01-01T00:30:00Z",
            "2026-01-01T01:30:00Z",
            &["downtime:", "  - {start: \"2026-01-01T01:00:30Z\", end: \"2026-01-01T01:05:00Z\"}"],
            &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY], &["duration: 60s"])],
        );
        let out = run(&sc);
        let lost: Vec<Time> = out
            .log
            .iter()
            .filter(|r| matches!(&r.entry, Entry::OperationAttemptLost { .. }))
            .map(|r| r.time)
            .collect();
        assert_eq!(lost, [d("01:00:30")]);
        assert_eq!(attempts_started(&out), [(d("01:00:00"), 1), (d("01:05:00"), 2)]);
        assert!(!out.log.iter().any(|r| matches!(&r.entry, Entry::OperationAttemptFailed { .. })));
        assert_eq!(finished(&out), [(d("01:06:00"), true, String::new())]);
        let op = &out.summary.final_state.operations[&format!("co-{}", d("01:00:00").unix())];
        assert_eq!(op.status.failures, 0);
    }
}

mod pause_unpause {
    use super::*;

    fn paused(extra_changes: &[&str], controller: &[&str]) -> SimOutput {
        let mut changes = vec![
            "{at: \"2026-01-01T00:30:00Z\", pause: true}",
            "{at: \"2026-01-01T01:30:00Z\", unpause: true}",
        ];
        changes.extend_from_slice(extra_changes);
        run(&scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T06:00:00Z",
            controller,
            &[cronop_full("co", "2026-01-01T00:00:00Z", &[HOURLY], &[], &[], &changes)],
        ))
    }

    /// Unpausing changes no generation: nothing wakes the controller, and
    /// no Operation is ever created (B3).
    #[test]
    fn unpause_goes_unnoticed() {
        let out = paused(&[], &[]);
        assert!(created(&out).is_empty());
        let syncs = cron_syncs(&out);
        assert_eq!(syncs.last().map(|s| (s.0, s.1.clone())), Some((d("01:00:00"), CronDecision::Paused)));
        let changes: Vec<String> = out
            .log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::Fault(Fault::SpecChange { change, .. }) => Some(change.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(changes, ["crossplane.io/paused=true", "crossplane.io/paused removed"]);
    }

    /// A spec edit or a restart wakes it: the earliest owed slot (01:00)
    /// runs at once, then the schedule resumes.
    #[test]
    fn a_spec_edit_or_a_restart_wakes_it() {
        let edit = paused(&["{at: \"2026-01-01T03:10:00Z\", startingDeadlineSeconds: 100000}"], &[]);
        let restart = paused(&[], &["downtime:", "  - {at: \"2026-01-01T03:10:00Z\", for: 0s}"]);
        for out in [edit, restart] {
            let want = [
                (d("03:10:00"), d("01:00:00")),
                (d("04:00:00"), d("04:00:00")),
                (d("05:00:00"), d("05:00:00")),
            ];
            assert_eq!(created(&out), want);
        }
    }
}

mod scenario_format {
    use super::*;

    fn error(workloads: &[String]) -> String {
        let s = yaml("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], workloads);
        Scenario::from_yaml(&s, "test.yaml").unwrap_err().message
    }

    #[test]
    fn suspend_and_time_zone_on_a_cronoperation_are_located_errors_with_a_hint() {
        let suspend = cronop_full(
            "co",
            "2026-01-01T00:00:00Z",
            &[HOURLY],
            &[],
            &[],
            &["{at: \"2026-01-01T00:10:00Z\", suspend: true}"],
        );
        let e = error(&[suspend]);
        assert!(e.starts_with("test.yaml:"), "{e}");
        assert!(e.contains("CronOperations have no spec.suspend; use pause/unpause"), "{e}");
        let tz = cronop_full(
            "co",
            "2026-01-01T00:00:00Z",
            &[HOURLY],
            &[],
            &[],
            &["{at: \"2026-01-01T00:10:00Z\", timeZone: UTC}"],
        );
        assert!(error(&[tz]).contains("CRON_TZ="));
    }

    #[test]
    fn pause_on_a_cronjob_is_an_error() {
        let cj = "  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {name: cj}\n      spec:\n        schedule: \"0 * * * *\"\n        jobTemplate:\n          spec:\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{name: main, image: busybox}]\n    changes:\n      - {at: \"2026-01-01T00:10:00Z\", pause: true}\n";
        assert!(error(&[cj.to_string()]).contains("CronJobs have no pause annotation"));
    }

    #[test]
    fn an_invalid_concurrency_policy_is_located() {
        let w = cronop("co", "2026-01-01T00:00:00Z", &[HOURLY, "concurrencyPolicy: Sometimes"], &[]);
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", &[], &[w]);
        let e = simulate(&sc, SimOptions::default()).unwrap_err().message;
        assert!(
            e.starts_with("test.yaml:") && e.contains("spec.concurrencyPolicy: Unsupported value"),
            "{e}"
        );
    }

    /// Metas describe CronOperations too; a CronJob and a CronOperation in
    /// one scenario run in the same virtual time.
    #[test]
    fn cronjobs_and_cronoperations_share_a_scenario() {
        let cj = "  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {name: cj, creationTimestamp: \"2026-01-01T00:00:00Z\"}\n      spec:\n        schedule: \"30 * * * *\"\n        jobTemplate:\n          spec:\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{name: main, image: busybox}]\n";
        let mut co =
            cronop("co", "2026-01-01T00:00:00Z", &["schedule: \"CRON_TZ=Europe/Paris 0 * * * *\""], &[]);
        co = co.replace(
            "        creationTimestamp",
            "        annotations: {crossplane.io/paused: \"true\"}\n        creationTimestamp",
        );
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[cj.to_string(), co]);
        let metas = cronjob_metas(&sc).unwrap();
        assert_eq!(metas[0].kind, WorkloadKind::CronJob);
        let m = &metas[1];
        assert_eq!(
            (m.kind, m.key.as_str(), m.schedule.as_str()),
            (WorkloadKind::CronOperation, "co", "CRON_TZ=Europe/Paris 0 * * * *")
        );
        assert!(m.suspended && m.time_zone.is_none());
        assert_eq!(m.phase_origin, Some(d("00:00:00")));
        let out = run(&sc);
        assert!(out.log.iter().any(|r| matches!(&r.entry, Entry::JobCreated { .. })));
        assert!(created(&out).is_empty(), "paused from the start");
        assert_eq!(out.summary.cronjobs, metas);
    }
}

mod determinism {
    use super::*;

    fn flaky(name: &str) -> String {
        cronop(
            name,
            "2026-01-01T00:00:00Z",
            &["schedule: \"*/5 * * * *\""],
            &["duration: {uniform: {min: 5s, max: 50s}}", "failureProbability: 0.5"],
        )
    }

    #[test]
    fn the_same_seed_gives_the_same_log() {
        let sc = scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[flaky("a")]);
        let (one, two) = (lines(&run(&sc)), lines(&run(&sc)));
        assert_eq!(one, two);
        let joined = one.join("\n");
        assert!(joined.contains("OperationAttemptFailed") && joined.contains("\"succeeded\":true"));
    }

    #[test]
    fn adding_a_cronoperation_leaves_the_others_lines_unchanged() {
        let alone = run(&scenario("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", &[], &[flaky("first")]));
        let both = run(&scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T02:00:00Z",
            &[],
            &[flaky("second"), flaky("first")],
        ));
        let mine = |out: &SimOutput| -> Vec<String> {
            lines(out).into_iter().filter(|l| l.contains("first") && !l.contains("second")).collect()
        };
        assert_eq!(mine(&alone), lines(&alone));
        assert_eq!(mine(&both), mine(&alone));
    }
}

mod history_and_replace {
    use super::*;
    use cronwarp::sim::log::DeletedBy;

    fn deleted(out: &SimOutput) -> Vec<(Time, String, DeletedBy)> {
        out.log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::OperationDeleted { operation, by } => Some((r.time, operation.clone(), *by)),
                _ => None,
            })
            .collect()
    }

    /// Three succeeded Operations are kept (newest creation first); the
    /// fourth success's next reconcile deletes the oldest.
    #[test]
    fn history_gc_keeps_the_three_newest_successes() {
        let sc = scenario(
            "2026-01-01T00:30:00Z",
            "2026-01-01T06:30:00Z",
            &[],
            &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY], &[])],
        );
        let out = run(&sc);
        let gone = deleted(&out);
        assert_eq!(gone.len(), 3, "{gone:?}");
        assert!(gone.iter().all(|(_, _, by)| *by == DeletedBy::HistoryGc));
        assert_eq!(gone[0], (d("04:00:01"), format!("co-{}", d("01:00:00").unix()), DeletedBy::HistoryGc));
        assert_eq!(out.summary.final_state.operations.len(), 3);
    }

    /// Replace deletes the still-retrying Operation and creates the next in
    /// the same reconcile; the deleted one's attempt ends without a retry.
    #[test]
    fn replace_deletes_the_running_operation() {
        let sc = scenario(
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:12:00Z",
            &[],
            &[cronop(
                "co",
                "2026-01-01T00:00:00Z",
                &["schedule: \"*/5 * * * *\"", "concurrencyPolicy: Replace"],
                &["duration: 1h"],
            )],
        );
        let out = run(&sc);
        let first = format!("co-{}", d("00:05:00").unix());
        assert_eq!(deleted(&out), [(d("00:10:00"), first.clone(), DeletedBy::Replace)]);
        assert_eq!(slots(&out), [d("00:05:00"), d("00:10:00")]);
        let ends: Vec<(Option<Time>, Option<Time>)> = out
            .log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::OperationSync { object, requeue_at, retry_at, .. } if *object == first => {
                    Some((*requeue_at, *retry_at))
                }
                _ => None,
            })
            .collect();
        assert_eq!(ends.last(), Some(&(None, None)), "gone: no retry");
    }
}

#[test]
fn the_schema_describes_the_crossplane_fields() {
    let schema = serde_json::to_string(&schemars::schema_for!(Scenario)).unwrap();
    for field in ["crossplane", "tolerateAlreadyExists", "nameEncodedSlot", "unpause"] {
        assert!(schema.contains(field), "{field} missing from the schema");
    }
}
