//! The CronOperation reconciler, one reconcile at a time: each row of the
//! comparison with the Kubernetes CronJob controller (docs/fidelity/crossplane.md#xp-17),
//! each bug B1–B6 (docs/fidelity/crossplane.md#xp-b1 and on), and the
//! error paths with their exact events.

use crate::support::crossplane::{Fake, child, cronop};
use crate::support::t;
use cronwarp::model::crossplane::{
    ANNOTATION_PAUSED, CronOperation, LABEL_CRONOPERATION_NAME, REASON_PIPELINE_ERROR, TYPE_SCHEDULING,
    TYPE_SYNCED, validate_cronoperation,
};
use cronwarp::model::{HOUR, MINUTE, SECOND, Time};
use cronwarp::policy::crossplane::{
    CronContext, CronDecision, CronOperationOutcome, CrossplaneSettings, DeleteCause, Deletion, Requeue,
    Trigger, cronoperation_wakes_on, reconcile_cronoperation, retry_backoff,
};
use cronwarp::policy::{ApiError, Event};
use cronwarp::schedule::{Zone, load_location};

const CO: &str = "co";

fn run(fake: &mut Fake, co: &CronOperation, now: Time) -> CronOperationOutcome {
    run_in(fake, co, now, Zone::Utc)
}

/// A reconcile in a Crossplane pod whose local zone is `local`.
fn run_in(fake: &mut Fake, co: &CronOperation, now: Time, local: Zone) -> CronOperationOutcome {
    let settings = CrossplaneSettings::default();
    reconcile_cronoperation(fake, co, CronContext { now, local, settings: &settings, list_order: None })
}

fn berlin() -> Zone {
    load_location("Europe/Berlin").unwrap().resolve(Zone::Utc)
}

fn hourly() -> CronOperation {
    cronop(CO, "0 * * * *", t("2026-01-01T00:00:00Z"))
}

fn op_name(slot: &str) -> String {
    format!("{CO}-{}", t(slot).unix())
}

fn warning(reason: &str, message: &str) -> Event {
    Event::warning(format!("CronOperation/{CO}"), reason, message)
}

/// docs/fidelity/crossplane.md#xp-17, one test per row: the Crossplane behaviour (the
/// Kubernetes one is in each doc comment).
mod differences_from_kubernetes {
    use super::*;

    /// Catch-up: the earliest missed slot (Kubernetes: the most recent).
    #[test]
    fn catch_up_takes_the_earliest_missed_slot() {
        let mut fake = Fake::at(t("2026-01-01T05:10:00Z"));
        let out = run(&mut fake, &hourly(), t("2026-01-01T05:10:00Z"));
        let CronDecision::Created { slot, operation, .. } = out.decision else {
            panic!("{:?}", out.decision)
        };
        assert_eq!(slot, t("2026-01-01T01:00:00Z"));
        assert_eq!(operation, op_name("2026-01-01T01:00:00Z"));
    }

    /// No >100-missed rule (Kubernetes warns TooManyMissedTimes): a
    /// schedule missed 10 000 times still creates, with no event.
    #[test]
    fn no_too_many_missed_rule() {
        let co = cronop(CO, "* * * * *", t("2026-01-01T00:00:00Z"));
        let mut fake = Fake::at(t("2026-01-08T00:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-08T00:00:00Z"));
        assert!(
            matches!(out.decision, CronDecision::Created { slot, .. } if slot == t("2026-01-01T00:01:00Z"))
        );
        assert!(out.events.is_empty());
    }

    /// startingDeadlineSeconds checks only the first owed slot, with no
    /// event (Kubernetes bounds the window, warns MissSchedule, recovers).
    #[test]
    fn deadline_checks_only_the_first_owed_slot() {
        let mut co = hourly();
        co.spec.starting_deadline_seconds = Some(600);
        let mut fake = Fake::at(t("2026-01-01T05:05:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T05:05:00Z"));
        assert_eq!(
            out.decision,
            CronDecision::MissedDeadline {
                slot: t("2026-01-01T01:00:00Z"),
                deadline: t("2026-01-01T01:10:00Z")
            }
        );
        assert!(out.events.is_empty());
        assert_eq!(out.requeue, Requeue::After { after: 55 * MINUTE }, "timer for 06:00");
        assert!(fake.ops.is_empty());
    }

    /// The cursor is the newest child's creationTimestamp (Kubernetes: the
    /// slot it wrote).
    #[test]
    fn last_schedule_time_is_the_newest_creation_timestamp() {
        let late = child(
            CO,
            &op_name("2026-01-01T02:00:00Z"),
            t("2026-01-01T02:07:13Z"),
            Some("True"),
            t("2026-01-01T02:08:00Z"),
        );
        let old = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            Some("True"),
            t("2026-01-01T01:01:00Z"),
        );
        let mut fake = Fake::at(t("2026-01-01T02:30:00Z")).with([late, old]);
        let out = run(&mut fake, &hourly(), t("2026-01-01T02:30:00Z"));
        assert_eq!(out.cronoperation.status.last_schedule_time, Some(t("2026-01-01T02:07:13Z")));
        assert_eq!(out.cursor, Some(t("2026-01-01T02:07:13Z")));
        assert_eq!(out.cronoperation.status.last_successful_time, Some(t("2026-01-01T02:08:00Z")));
        assert_eq!(out.decision, CronDecision::NotDue { next: t("2026-01-01T03:00:00Z") });
    }

    /// Clock skew: the API server stamps a creation time before the slot,
    /// so the same slot comes round again and CREATE fails (Kubernetes
    /// adopts on AlreadyExists).
    #[test]
    fn clock_skew_recomputes_the_same_slot() {
        let name = op_name("2026-01-01T01:00:00Z");
        let mut fake = Fake::at(t("2026-01-01T00:59:59Z")).with([child(
            CO,
            &name,
            t("2026-01-01T00:59:59Z"),
            Some("Unknown"),
            t("2026-01-01T00:59:59Z"),
        )]);
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00.500Z"));
        let msg = format!(
            "cannot create scheduled Operation \"{name}\": operations.ops.crossplane.io \"{name}\" already exists"
        );
        assert_eq!(out.events, [warning("CreateOperation", &msg)]);
        assert_eq!(out.requeue, Requeue::RateLimited { error: msg.clone() });
        let synced = out.cronoperation.condition(TYPE_SYNCED).unwrap();
        assert_eq!(
            (synced.status.as_str(), synced.reason.as_str(), synced.message.as_str()),
            ("False", "ReconcileError", msg.as_str())
        );
    }

    /// Requeue: exactly `Next(now) - now`, no +100 ms; errors back off
    /// 1 s → 60 s (Kubernetes: +100 ms; 5 ms → 1000 s).
    #[test]
    fn requeue_is_next_minus_now_and_errors_back_off_to_a_minute() {
        let mut fake = Fake::at(t("2026-01-01T01:00:00.250Z"));
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00.250Z"));
        assert_eq!(out.requeue, Requeue::After { after: HOUR - 250 });
        let backoff: Vec<i64> = (0..8).map(|n| retry_backoff(n) / SECOND).collect();
        assert_eq!(backoff, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    /// Child names are `<name>-<unix seconds>` (Kubernetes: minutes).
    #[test]
    fn child_names_are_in_unix_seconds() {
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z"));
        run(&mut fake, &hourly(), t("2026-01-01T01:00:00Z"));
        assert!(fake.ops.contains_key("co-1767229200"));
    }

    /// No scheduled-time annotation (Kubernetes:
    /// batch.kubernetes.io/cronjob-scheduled-timestamp); label, owner and
    /// template carried over.
    #[test]
    fn no_scheduled_time_annotation() {
        let mut co = hourly();
        co.spec.operation_template.metadata.annotations.insert("team".into(), "ops".into());
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T01:00:00Z"));
        let op = out.created.unwrap();
        assert_eq!(op.metadata.annotations.keys().collect::<Vec<_>>(), ["team"]);
        assert_eq!(op.metadata.labels.get(LABEL_CRONOPERATION_NAME).map(|s| s.as_str()), Some(CO));
        let owner = op.metadata.controller_ref().unwrap();
        assert_eq!((owner.kind.as_str(), owner.uid.as_str()), ("CronOperation", "uid-co"));
        assert_eq!(op.spec, co.spec.operation_template.spec);
    }

    /// No timeZone field: the pod's local zone, or a `CRON_TZ=` prefix
    /// (Kubernetes: spec.timeZone; TZ in schedule rejected).
    #[test]
    fn zone_is_the_pods_local_zone_or_a_cron_tz_prefix() {
        let co = cronop(CO, "0 3 * * *", t("2026-01-01T00:00:00Z"));
        let mut fake = Fake::at(t("2026-01-01T00:00:00Z"));
        let out = run_in(&mut fake, &co, t("2026-01-01T00:00:00Z"), berlin());
        assert_eq!(out.decision, CronDecision::NotDue { next: t("2026-01-01T02:00:00Z") }, "03:00 CET");
        let co = cronop(CO, "CRON_TZ=Europe/Berlin 0 3 * * *", t("2026-01-01T00:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T00:00:00Z"));
        assert_eq!(out.decision, CronDecision::NotDue { next: t("2026-01-01T02:00:00Z") });
    }

    /// Suspend is the `crossplane.io/paused` annotation, and unpausing
    /// needs a nudge (Kubernetes: spec.suspend, resume runs at once).
    #[test]
    fn pausing_is_an_annotation_and_unpausing_needs_a_nudge() {
        let mut co = hourly();
        co.metadata.annotations.insert(ANNOTATION_PAUSED.into(), "true".into());
        let mut fake = Fake::at(t("2026-01-01T05:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T05:00:00Z"));
        assert_eq!((out.decision, out.requeue), (CronDecision::Paused, Requeue::Done));
        assert!(fake.ops.is_empty());
        assert!(!cronoperation_wakes_on(Trigger::MetadataChanged));
    }

    /// The schedule is validated at reconcile time, with no requeue
    /// (Kubernetes: at admission).
    #[test]
    fn schedule_is_validated_at_reconcile_time() {
        let co = cronop(CO, "0 2 1,L * *", t("2026-01-01T00:00:00Z"));
        assert!(validate_cronoperation(&co).is_empty(), "admitted");
        let mut fake = Fake::at(t("2026-01-01T00:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T00:00:00Z"));
        let msg = "cannot parse cron schedule \"0 2 1,L * *\": cannot parse cron schedule: failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax";
        assert_eq!(out.decision, CronDecision::InvalidSchedule { error: msg.into() });
        assert_eq!(out.events, [warning("InvalidSchedule", msg)]);
        assert_eq!(out.requeue, Requeue::Done);
        let sched = out.cronoperation.condition(TYPE_SCHEDULING).unwrap();
        assert_eq!((sched.status.as_str(), sched.reason.as_str()), ("False", "ScheduleInvalid"));
    }

    /// A schedule edit is read from the last creation at the next
    /// reconcile and may fire at once.
    #[test]
    fn a_schedule_edit_may_fire_at_once() {
        let last = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            Some("True"),
            t("2026-01-01T01:01:00Z"),
        );
        let mut co = hourly();
        co.spec.schedule = "*/15 * * * *".into();
        let mut fake = Fake::at(t("2026-01-01T01:40:00Z")).with([last]);
        let out = run(&mut fake, &co, t("2026-01-01T01:40:00Z"));
        assert!(
            matches!(out.decision, CronDecision::Created { slot, .. } if slot == t("2026-01-01T01:15:00Z"))
        );
    }

    /// Running = `Succeeded` reason PipelineRunning; a status-less new
    /// Operation is not running (Kubernetes: status.active).
    #[test]
    fn running_is_the_pipeline_running_reason() {
        let mut co = hourly();
        co.spec.concurrency_policy = Some("Forbid".into());
        let fresh = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            None,
            t("2026-01-01T01:00:00Z"),
        );
        let mut fake = Fake::at(t("2026-01-01T02:00:00Z")).with([fresh]);
        let out = run(&mut fake, &co, t("2026-01-01T02:00:00Z"));
        assert!(matches!(out.decision, CronDecision::Created { .. }), "not counted as running");
        let running = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            Some("Unknown"),
            t("2026-01-01T01:00:00Z"),
        );
        let mut fake = Fake::at(t("2026-01-01T02:00:00Z")).with([running]);
        let out = run(&mut fake, &co, t("2026-01-01T02:00:00Z"));
        let name = op_name("2026-01-01T01:00:00Z");
        assert_eq!(
            out.decision,
            CronDecision::ForbidRunning {
                slot: t("2026-01-01T02:00:00Z"),
                running: vec![name.clone().into()]
            }
        );
        assert_eq!(out.cronoperation.status.running_operation_refs[0].name, name);
        assert_eq!(out.requeue, Requeue::After { after: HOUR });
    }

    /// Replace deletes the running Operations, newest first, then creates.
    #[test]
    fn replace_deletes_running_operations() {
        let mut co = hourly();
        co.spec.concurrency_policy = Some("Replace".into());
        let a = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            Some("Unknown"),
            t("2026-01-01T01:00:00Z"),
        );
        let b = child(CO, "co-manual", t("2026-01-01T01:30:00Z"), Some("Unknown"), t("2026-01-01T01:30:00Z"));
        let mut fake = Fake::at(t("2026-01-01T02:00:00Z")).with([a, b]);
        let out = run(&mut fake, &co, t("2026-01-01T02:00:00Z"));
        let first = op_name("2026-01-01T01:00:00Z");
        let replace =
            |operation: &str| Deletion { operation: operation.into(), cause: DeleteCause::Replace, ok: true };
        assert_eq!(out.deletions, [replace("co-manual"), replace(&first)]);
        assert!(
            matches!(&out.decision, CronDecision::Created { replaced, .. } if replaced == &["co-manual".to_string(), first])
        );
        assert_eq!(fake.ops.keys().collect::<Vec<_>>(), [&op_name("2026-01-01T02:00:00Z")]);
    }

    /// History limits default to 3 succeeded and 1 failed, ordered by
    /// creationTimestamp (Kubernetes: by status.startTime).
    #[test]
    fn history_keeps_the_newest_three_succeeded_and_one_failed() {
        let ok = |h: u32| {
            let at = Time::from_unix(t("2026-01-01T00:00:00Z").unix() + i64::from(h) * 3600);
            child(CO, &format!("{CO}-{}", at.unix()), at, Some("True"), at.add(MINUTE))
        };
        let failed = |name: &str, at: &str| child(CO, name, t(at), Some("False"), t(at));
        // Names sort opposite to creation order, so name order cannot pass.
        let mut fake = Fake::at(t("2026-01-01T05:30:00Z")).with([
            ok(1),
            ok(2),
            ok(3),
            ok(4),
            failed("co-z-old", "2026-01-01T00:10:00Z"),
            failed("co-a-new", "2026-01-01T00:20:00Z"),
            child(CO, "co-running", t("2026-01-01T00:05:00Z"), Some("Unknown"), t("2026-01-01T00:05:00Z")),
        ]);
        let out = run(&mut fake, &hourly(), t("2026-01-01T05:30:00Z"));
        let gone: Vec<&str> = out.deletions.iter().map(|d| d.operation.as_str()).collect();
        assert_eq!(gone, [ok(1).metadata.name.as_str(), "co-z-old"]);
        assert!(out.deletions.iter().all(|d| d.cause == DeleteCause::HistoryGc && d.ok));
        assert!(fake.ops.contains_key("co-running"));
    }

    /// Cluster-scoped: events are on `CronOperation/<name>`.
    #[test]
    fn cluster_scoped_events_have_no_namespace() {
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z"));
        fake.fail_create = Some(ApiError::Other("boom".into()));
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00Z"));
        assert_eq!(out.events[0].object, "CronOperation/co");
    }

    /// Success emits no events (Kubernetes: SuccessfulCreate and more).
    #[test]
    fn success_emits_no_events() {
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z"));
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00Z"));
        assert!(matches!(out.decision, CronDecision::Created { .. }));
        assert!(out.events.is_empty());
        let synced = out.cronoperation.condition(TYPE_SYNCED).unwrap();
        assert_eq!((synced.status.as_str(), synced.reason.as_str()), ("True", "ReconcileSuccess"));
    }
}

/// docs/fidelity/crossplane.md#xp-b1 to #xp-b6.
mod bugs {
    use super::*;

    /// B1: once the owed slot misses its deadline, every later reconcile
    /// finds the same slot, hours later too.
    #[test]
    fn b1_missed_deadline_stalls_for_ever() {
        let mut co = hourly();
        co.spec.starting_deadline_seconds = Some(600);
        let last = child(
            CO,
            &op_name("2026-01-01T01:00:00Z"),
            t("2026-01-01T01:00:00Z"),
            Some("True"),
            t("2026-01-01T01:01:00Z"),
        );
        let mut fake = Fake::at(t("2026-01-01T02:30:00Z")).with([last]);
        for now in ["2026-01-01T02:30:00Z", "2026-01-01T03:00:00Z", "2026-01-02T09:00:00Z"] {
            let out = run(&mut fake, &co, t(now));
            assert!(
                matches!(out.decision, CronDecision::MissedDeadline { slot, .. } if slot == t("2026-01-01T02:00:00Z")),
                "{now}: {:?}",
                out.decision
            );
        }
        // The manual workaround: a labelled Operation moves the cursor.
        fake.ops.insert(
            "co-manual".into(),
            child(CO, "co-manual", t("2026-01-02T09:10:00Z"), Some("True"), t("2026-01-02T09:11:00Z")),
        );
        let out = run(&mut fake, &co, t("2026-01-02T10:00:00Z"));
        assert!(
            matches!(out.decision, CronDecision::Created { slot, .. } if slot == t("2026-01-02T10:00:00Z"))
        );
    }

    /// B2 (crossplane#7524): AlreadyExists every time, and the fixes.
    #[test]
    fn b2_already_exists_loop_and_its_fixes() {
        let name = op_name("2026-01-01T01:00:00Z");
        let skewed = child(CO, &name, t("2026-01-01T00:59:59Z"), Some("True"), t("2026-01-01T01:00:30Z"));
        let now = t("2026-01-01T01:20:00Z");
        let decide = |settings: CrossplaneSettings| {
            let mut fake = Fake::at(now).with([skewed.clone()]);
            reconcile_cronoperation(
                &mut fake,
                &hourly(),
                CronContext { now, local: Zone::Utc, settings: &settings, list_order: None },
            )
            .decision
        };
        assert!(matches!(
            decide(CrossplaneSettings::default()),
            CronDecision::CreateFailed { already_exists: true, .. }
        ));
        let tolerant = CrossplaneSettings { tolerate_already_exists: true, ..Default::default() };
        assert_eq!(
            decide(tolerant),
            CronDecision::AlreadyExistsTolerated { slot: t("2026-01-01T01:00:00Z"), operation: name.into() }
        );
        assert_eq!(
            decide(CrossplaneSettings::with_proposed_fixes()),
            CronDecision::NotDue { next: t("2026-01-01T02:00:00Z") }
        );
    }

    /// B3: removing the annotation is a metadata-only change the
    /// GenerationChangedPredicate drops; the paused reconcile set no timer.
    /// A child event, a spec edit or a restart does wake it.
    #[test]
    fn b3_unpause_is_not_noticed() {
        assert!(!cronoperation_wakes_on(Trigger::MetadataChanged));
        assert!(!cronoperation_wakes_on(Trigger::Resync));
        assert!(!cronoperation_wakes_on(Trigger::StatusChanged));
        for t in [Trigger::SpecChanged, Trigger::ChildChanged, Trigger::Created] {
            assert!(cronoperation_wakes_on(t), "{t:?}");
        }
        let mut co = hourly();
        co.metadata.annotations.insert(ANNOTATION_PAUSED.into(), "true".into());
        let mut fake = Fake::at(t("2026-01-01T00:10:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T00:10:00Z"));
        assert_eq!(out.requeue, Requeue::Done);
        let sched = out.cronoperation.condition(TYPE_SCHEDULING).unwrap();
        let synced = out.cronoperation.condition(TYPE_SYNCED).unwrap();
        assert_eq!((sched.reason.as_str(), synced.reason.as_str()), ("SchedulePaused", "ReconcilePaused"));
        // Only exactly "true" pauses.
        co.metadata.annotations.insert(ANNOTATION_PAUSED.into(), "True".into());
        assert_eq!(
            run(&mut fake, &co, t("2026-01-01T00:10:00Z")).decision,
            CronDecision::NotDue { next: t("2026-01-01T01:00:00Z") }
        );
    }

    /// B5: the label key is `ops.crossplane.io/cronoperation` (not the
    /// docs' `crossplane.io/cronoperation`), and `L` is rejected.
    #[test]
    fn b5_docs_drift() {
        assert_eq!(LABEL_CRONOPERATION_NAME, "ops.crossplane.io/cronoperation");
        assert_eq!(REASON_PIPELINE_ERROR, "PipelineError", "not the docs' PipelineFailure");
        let mut fake = Fake::at(t("2026-01-01T00:00:00Z"));
        let out =
            run(&mut fake, &cronop(CO, "0 2 1,L * *", t("2026-01-01T00:00:00Z")), t("2026-01-01T00:00:00Z"));
        assert!(matches!(out.decision, CronDecision::InvalidSchedule { .. }));
    }

    /// B6: not "the cluster's zone, as for CronJobs": the Crossplane
    /// pod's own zone, unless an (undocumented) `CRON_TZ=` prefix says
    /// otherwise.
    #[test]
    fn b6_zone_is_the_crossplane_pods_not_the_clusters() {
        let co = cronop(CO, "0 3 * * *", t("2026-01-01T00:00:00Z"));
        let mut fake = Fake::at(t("2026-01-01T00:00:00Z"));
        let now = t("2026-01-01T00:00:00Z");
        assert_eq!(run_in(&mut fake, &co, now, Zone::Utc).decision.slot(), Some(t("2026-01-01T03:00:00Z")));
        assert_eq!(run_in(&mut fake, &co, now, berlin()).decision.slot(), Some(t("2026-01-01T02:00:00Z")));
        let ny = cronop(CO, "CRON_TZ=America/New_York 0 3 * * *", t("2026-01-01T00:00:00Z"));
        assert_eq!(run_in(&mut fake, &ny, now, berlin()).decision.slot(), Some(t("2026-01-01T08:00:00Z")));
    }
}

/// The reconciler's error paths: events, conditions and retries.
mod error_paths {
    use super::*;

    /// A `TZ=` prefix without a space makes robfig panic; the recovered
    /// panic is retried with backoff and nothing is recorded [inferred].
    #[test]
    fn a_tz_prefix_without_space_panics_and_retries() {
        let mut fake = Fake::at(t("2026-01-01T00:00:00Z"));
        let out = run(&mut fake, &cronop(CO, "TZ=UTC", t("2026-01-01T00:00:00Z")), t("2026-01-01T00:00:00Z"));
        assert!(matches!(out.decision, CronDecision::SchedulePanicked { .. }));
        assert!(matches!(out.requeue, Requeue::RateLimited { .. }));
        assert!(!out.status_written && out.events.is_empty());
    }

    #[test]
    fn deleting_does_nothing() {
        let mut co = hourly();
        co.metadata.deletion_timestamp = Some(t("2026-01-01T00:30:00Z"));
        let mut fake = Fake::at(t("2026-01-01T05:00:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T05:00:00Z"));
        assert_eq!(
            (out.decision, out.requeue, out.status_written),
            (CronDecision::Deleting, Requeue::Done, false)
        );
    }

    #[test]
    fn list_failure_warns_and_retries() {
        let mut fake = Fake::at(t("2026-01-01T05:00:00Z"));
        fake.fail_list = Some(ApiError::Other("etcdserver: request timed out".into()));
        let out = run(&mut fake, &hourly(), t("2026-01-01T05:00:00Z"));
        let msg = "cannot list Operations: etcdserver: request timed out";
        assert_eq!(out.events, [warning("ListOperations", msg)]);
        assert_eq!(out.requeue, Requeue::RateLimited { error: msg.into() });
    }

    #[test]
    fn gc_failure_stops_before_scheduling() {
        let old = child(CO, "co-1", t("2026-01-01T00:10:00Z"), Some("False"), t("2026-01-01T00:10:00Z"));
        let new = child(CO, "co-2", t("2026-01-01T00:20:00Z"), Some("False"), t("2026-01-01T00:20:00Z"));
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z")).with([old, new]);
        fake.fail_delete.insert("co-1".into(), ApiError::Other("forbidden".into()));
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00Z"));
        let msg = "cannot garbage collect Operation \"co-1\": forbidden";
        assert_eq!(out.events, [warning("GarbageCollectOperations", msg)]);
        assert_eq!(out.decision, CronDecision::GcFailed { operation: "co-1".into(), error: msg.into() });
        assert!(!fake.calls.iter().any(|c| c.starts_with("create")));
    }

    #[test]
    fn gc_ignores_not_found() {
        let old = child(CO, "co-1", t("2026-01-01T00:10:00Z"), Some("False"), t("2026-01-01T00:10:00Z"));
        let new = child(CO, "co-2", t("2026-01-01T00:20:00Z"), Some("False"), t("2026-01-01T00:20:00Z"));
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z")).with([old, new]);
        fake.fail_delete.insert("co-1".into(), ApiError::NotFound);
        let out = run(&mut fake, &hourly(), t("2026-01-01T01:00:00Z"));
        assert!(matches!(out.decision, CronDecision::Created { .. }));
    }

    #[test]
    fn replace_failure_warns() {
        let mut co = hourly();
        co.spec.concurrency_policy = Some("Replace".into());
        let running =
            child(CO, "co-1", t("2026-01-01T00:10:00Z"), Some("Unknown"), t("2026-01-01T00:10:00Z"));
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z")).with([running]);
        fake.fail_delete.insert("co-1".into(), ApiError::Conflict);
        let out = run(&mut fake, &co, t("2026-01-01T01:00:00Z"));
        let msg = "cannot delete running Operation \"co-1\": operations.ops.crossplane.io \"co-1\": the object has been modified; please apply your changes to the latest version and try again";
        assert_eq!(out.events, [warning("ReplaceRunningOperation", msg)]);
        assert!(fake.ops.len() == 1 && fake.ops.contains_key("co-1"));
    }

    #[test]
    fn a_failed_status_write_turns_a_timer_into_a_rate_limited_retry() {
        let mut fake = Fake::at(t("2026-01-01T00:30:00Z"));
        fake.fail_status = Some(ApiError::Conflict);
        let out = run(&mut fake, &hourly(), t("2026-01-01T00:30:00Z"));
        assert_eq!(out.decision, CronDecision::NotDue { next: t("2026-01-01T01:00:00Z") });
        let Requeue::RateLimited { error } = out.requeue else { panic!("{:?}", out.requeue) };
        assert!(
            error
                .starts_with("cannot update CronOperation status: cronoperations.ops.crossplane.io \"co\": ")
        );
    }

    /// An unknown policy (rejected by the CRD) proceeds like Allow: the
    /// switch has no default arm.
    #[test]
    fn an_unknown_policy_acts_like_allow() {
        let mut co = hourly();
        co.spec.concurrency_policy = Some("Sometimes".into());
        assert_eq!(validate_cronoperation(&co).len(), 1);
        let running =
            child(CO, "co-1", t("2026-01-01T00:10:00Z"), Some("Unknown"), t("2026-01-01T00:10:00Z"));
        let mut fake = Fake::at(t("2026-01-01T01:00:00Z")).with([running]);
        assert!(matches!(
            run(&mut fake, &co, t("2026-01-01T01:00:00Z")).decision,
            CronDecision::Created { .. }
        ));
    }

    /// `lastScheduleTime` is kept from before when every child is gone.
    #[test]
    fn last_schedule_time_survives_an_empty_list() {
        let mut co = hourly();
        co.status.last_schedule_time = Some(t("2026-01-01T03:00:00Z"));
        let mut fake = Fake::at(t("2026-01-01T03:30:00Z"));
        let out = run(&mut fake, &co, t("2026-01-01T03:30:00Z"));
        assert_eq!(out.decision, CronDecision::NotDue { next: t("2026-01-01T04:00:00Z") });
        assert_eq!(out.cronoperation.status.last_schedule_time, Some(t("2026-01-01T03:00:00Z")));
    }
}

/// Go's `time.Duration(sds) * time.Second` overflows past ~292 years: such
/// a deadline wraps negative and every slot misses it.
#[test]
fn an_absurd_deadline_wraps_and_always_misses() {
    let mut co = hourly();
    co.spec.starting_deadline_seconds = Some(10_000_000_000);
    let mut fake = Fake::at(t("2026-01-01T01:00:01Z"));
    let out = run(&mut fake, &co, t("2026-01-01T01:00:01Z"));
    assert!(matches!(out.decision, CronDecision::MissedDeadline { .. }), "{:?}", out.decision);
    co.spec.starting_deadline_seconds = Some(9_000_000_000);
    assert!(matches!(run(&mut fake, &co, t("2026-01-01T01:00:01Z")).decision, CronDecision::Created { .. }));
}
