//! Crossplane Operations end to end through `sim::simulate`: retries up to
//! `retryLimit`, attempt timeouts, downtime mid-attempt, pause/unpause
//! (B3), history GC, Replace, deletion and seeded Operations.

use crate::support::sim_crossplane::*;
use cronwarp::model::SECOND;
use cronwarp::sim::log::Fault;

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

/// An attempt longer than 2 min times out; its failure write is past the
/// attempt's deadline too, so `failures` stays 0 and the Operation retries
/// for ever, 2 min plus the 1 s … 60 s backoff apart [inferred]. Once the
/// backoff is at its cap the loop repeats itself, and the simulator logs
/// it once (`OperationRetryLoop`) instead of stepping every attempt.
#[test]
fn timed_out_attempts_never_count_and_retry_for_ever() {
    let out = run(&scenario(
        "2026-01-01T00:30:00Z",
        "2026-01-01T01:40:00Z",
        &[],
        &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY], &["duration: 3m"])],
    ));
    let starts = attempts_started(&out);
    let gaps: Vec<i64> = starts.windows(2).map(|w| w[1].0.since(w[0].0) / SECOND).collect();
    assert_eq!(gaps, [121, 122, 124, 128, 136, 152]);
    let loops: Vec<(Time, i64)> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationRetryLoop { first, period, .. } => Some((*first, *period)),
            _ => None,
        })
        .collect();
    let last = starts.last().unwrap().0;
    assert_eq!(loops, [(last.add(180 * SECOND), 180 * SECOND)], "every 3 minutes from the next attempt");
    let fails: Vec<(i64, String)> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationAttemptFailed { failures, error, .. } => Some((*failures, error.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(fails.len(), 7);
    for (failures, error) in fails {
        assert_eq!(failures, 0);
        assert_eq!(error, "failed to invoke pipeline step \"run\": context deadline exceeded");
    }
    assert!(finished(&out).is_empty());
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
                Entry::Fault(Fault::SpecChange { change, .. }) => Some(change.to_string()),
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

mod history_and_replace {
    use super::*;
    use cronwarp::sim::log::DeletedBy;

    fn deleted(out: &SimOutput) -> Vec<(Time, String, DeletedBy)> {
        out.log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::OperationDeleted { operation, by } => Some((r.time, operation.to_string(), *by)),
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

/// A seeded Operation that reads Running is run again from step 1 when
/// the controllers start; its creation time is the cursor.
#[test]
fn a_seeded_running_operation_is_rerun_at_start() {
    let running = d("00:00:00").unix();
    let w = format!(
        "  - manifest:
      - apiVersion: ops.crossplane.io/v1alpha1
        kind: CronOperation
        metadata: {{name: co, creationTimestamp: \"2026-01-01T00:00:00Z\"}}
        spec:
          {HOURLY}
          operationTemplate:
            spec:
              pipeline: [{{step: run, functionRef: {{name: f}}}}]
      - apiVersion: ops.crossplane.io/v1alpha1
        kind: Operation
        metadata:
          name: co-{running}
          creationTimestamp: \"2026-01-01T00:00:00Z\"
          labels: {{ops.crossplane.io/cronoperation: co}}
        spec:
          pipeline: [{{step: run, functionRef: {{name: f}}}}]
        status:
          conditions:
            - {{type: Succeeded, status: Unknown, reason: PipelineRunning, lastTransitionTime: \"2026-01-01T00:00:00Z\"}}
    behaviour:
      duration: 5s
"
    );
    let out = run(&scenario("2026-01-01T00:00:30Z", "2026-01-01T01:30:00Z", &[], &[w]));
    let first = lines(&out).into_iter().next().unwrap();
    assert!(first.contains("\"kind\":\"OperationCreated\"") && first.contains("\"seeded\":true"), "{first}");
    assert_eq!(attempts_started(&out)[0], (d("00:00:30"), 1));
    assert_eq!(finished(&out)[0], (d("00:00:35"), true, String::new()));
    assert_eq!(slots(&out), [d("01:00:00")]);
    let op = &out.summary.final_state.operations[&format!("co-{running}")];
    assert_eq!(op.metadata.owner_references[0].kind, "CronOperation", "adopted by label");
}

/// Deleting a CronOperation garbage-collects its Operations, even one
/// whose attempt is in flight, and nothing is created afterwards.
#[test]
fn deleting_a_cronoperation_collects_its_operations() {
    let w = cronop_full(
        "co",
        "2026-01-01T00:30:00Z",
        &[HOURLY],
        &[],
        &["duration: 90s"],
        &["{at: \"2026-01-01T02:00:30Z\", delete: true}"],
    );
    let out = run(&scenario("2026-01-01T00:30:00Z", "2026-01-01T04:00:00Z", &[], &[w]));
    assert_eq!(slots(&out), [d("01:00:00"), d("02:00:00")]);
    let gone: Vec<(Time, String)> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationDeleted {
                operation,
                by: cronwarp::sim::log::DeletedBy::CronOperationDeleted,
            } => Some((r.time, operation.to_string())),
            _ => None,
        })
        .collect();
    let names = [d("01:00:00"), d("02:00:00")].map(|s| (d("02:00:30"), format!("co-{}", s.unix())));
    assert_eq!(gone, names);
    assert!(
        out.summary.final_state.operations.is_empty() && out.summary.final_state.cronoperations.is_empty()
    );
    assert!(finished(&out).len() == 1, "the 02:00 attempt never writes its end");
}

/// `runs: {N: [...]}` scripts the N-th Operation (0-based) of the
/// CronOperation; the others follow `script`.
#[test]
fn per_run_scripts_pick_the_nth_operation() {
    let out = run(&scenario(
        "2026-01-01T00:30:00Z",
        "2026-01-01T03:30:00Z",
        &[],
        &[cronop("co", "2026-01-01T00:30:00Z", &[HOURLY], &["runs: {1: [fail, fail, succeed]}"])],
    ));
    let ok: Vec<bool> = finished(&out).iter().map(|f| f.1).collect();
    assert_eq!(ok, [true, true, true], "the third attempt of run 1 succeeds");
    let starts = attempts_started(&out);
    let second: Vec<u32> = starts
        .iter()
        .filter(|(at, _)| at.since(d("02:00:00")) >= 0 && *at < d("03:00:00"))
        .map(|s| s.1)
        .collect();
    assert_eq!(second, [1, 2, 3]);
    assert_eq!(starts.len(), 5, "one attempt each for runs 0 and 2");
}
