//! Behaviour of `policy::cronjob::sync` beyond upstream's table: the gates,
//! concurrency policies, adoption, the rebind quirk, DST and estimate
//! quirks, and the version settings.

use crate::support::cronjob_policy::*;
use crate::support::t;
use cronwarp::model::{HOUR, MINUTE, Time};
use cronwarp::policy::cronjob::{Decision, DeleteCause, Deletion, Missed, sync};
use cronwarp::policy::{ApiError, EventType, Propagation, Settings};

const TICK: &str = "2016-05-19T10:00:00Z";

fn hourly() -> cronwarp::model::CronJob {
    cronjob("0 * * * *", t("2016-05-19T09:30:00Z"), None)
}

#[test]
fn creates_the_due_job_and_requeues_at_next_tick_plus_100ms() {
    let cj = hourly();
    let mut api = FakeApi::default();
    let out = sync(&mut api, &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(
        out.decision,
        Decision::Created { tick: t(TICK), job: "mycronjob-24394200".into(), too_many_missed: false }
    );
    assert_eq!(out.requeue_after, Some(HOUR));
    assert!(out.status_changed);
    assert_eq!(out.error, None);
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t(TICK)));
    let active = &out.cronjob.status.active;
    assert_eq!(active.len(), 1);
    assert_eq!((active[0].kind.as_str(), active[0].api_version.as_str()), ("Job", "batch/v1"));
    assert_eq!(active[0].uid, "uid-mycronjob-24394200");
    assert_eq!(api.created[0].metadata.namespace, "snazzycats");
    assert_eq!(reasons(&out), ["SuccessfulCreate"]);
    assert_eq!(messages(&out), ["Created job mycronjob-24394200"]);
    assert_eq!(out.events[0].object, "CronJob/snazzycats/mycronjob");
}

#[test]
fn nothing_due_requeues_at_the_first_tick() {
    let out = sync(&mut FakeApi::default(), &hourly(), &[], ctx(t("2016-05-19T09:45:00Z"), &defaults()));
    assert_eq!(out.decision, Decision::NothingDue);
    assert_eq!(out.requeue_after, Some(15 * MINUTE + 100));
    assert!(!out.status_changed);
}

#[test]
fn suspended_does_bookkeeping_but_no_requeue() {
    let mut cj = hourly();
    cj.spec.suspend = Some(true);
    let gone = owned_job(&cj, "gone");
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&gone));
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(out.decision, Decision::Suspended);
    assert_eq!(out.requeue_after, None);
    assert_eq!(reasons(&out), ["MissingJob"]);
    assert!(out.status_changed);
    assert!(out.cronjob.status.active.is_empty());
}

#[test]
fn tz_in_schedule_warns_on_every_sync_and_ignores_time_zone() {
    let mut cj = cronjob("TZ=UTC 0 * * * *", t("2016-05-19T09:30:00Z"), None);
    cj.spec.time_zone = Some("Asia/Tokyo".into());
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-19T09:45:00Z"), &defaults()));
    assert_eq!(reasons(&out), ["UnsupportedSchedule"]);
    assert_eq!(
        messages(&out),
        [
            "CRON_TZ or TZ used in schedule \"TZ=UTC 0 * * * *\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"
        ]
    );
    assert_eq!(out.requeue_after, Some(15 * MINUTE + 100));
}

#[test]
fn bad_time_zone_unparseable_and_invalid_schedules_stop_without_requeue() {
    let now = ctx(t("2016-05-19T10:00:00.100Z"), &defaults()).now;
    let s = defaults();
    let mut cj = hourly();
    cj.spec.time_zone = Some("Mars/Olympus".into());
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!((out.decision.clone(), out.requeue_after), (Decision::UnknownTimeZone, None));
    assert_eq!(messages(&out), ["invalid timeZone: \"Mars/Olympus\": unknown time zone Mars/Olympus"]);

    let cj = cronjob("obvious error schedule", t("2016-05-19T09:30:00Z"), None);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!((out.decision.clone(), out.requeue_after), (Decision::Unparseable, None));
    assert!(messages(&out)[0].starts_with("unparseable schedule: \"obvious error schedule\" : "));

    let cj = cronjob("0 0 31 2 *", t("2016-05-19T09:30:00Z"), None);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!((out.decision.clone(), out.requeue_after), (Decision::InvalidSchedule, None));
    assert_eq!(
        messages(&out),
        ["invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second"]
    );
    assert_eq!(out.events[0].type_, EventType::Warning);
}

#[test]
fn forbid_skips_without_advancing_last_schedule_time() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    cj.spec.concurrency_policy = "Forbid".into();
    let running = job_for(&cj, t("2016-05-19T09:00:00Z"));
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&running));
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&running));
    let out = sync(&mut api, &cj, &[running], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(out.decision, Decision::ForbidSkip { tick: t(TICK) });
    assert_eq!(reasons(&out), ["JobAlreadyActive"]);
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t("2016-05-19T09:00:00Z")));
    assert_eq!(out.requeue_after, Some(HOUR));
    assert!(api.created.is_empty());
}

#[test]
fn replace_deletes_active_jobs_in_background_then_creates() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    cj.spec.concurrency_policy = "Replace".into();
    let running = job_for(&cj, t("2016-05-19T09:00:00Z"));
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&running));
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&running));
    let out = sync(&mut api, &cj, &[running], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(reasons(&out), ["SuccessfulDelete", "SuccessfulCreate"]);
    assert_eq!(api.deleted, [("mycronjob-24394140".to_string(), Propagation::Background)]);
    assert_eq!(
        out.deletions,
        [Deletion { job: "mycronjob-24394140".into(), cause: DeleteCause::Replace, ok: true }]
    );
    let names: Vec<_> = out.cronjob.status.active.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["mycronjob-24394200"]);
}

#[test]
fn replace_delete_failure_is_an_error_naming_the_job() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    cj.spec.concurrency_policy = "Replace".into();
    let running = job_for(&cj, t("2016-05-19T09:00:00Z"));
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&running));
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&running));
    api.delete_error = Some(ApiError::Other("boom".into()));
    let out = sync(&mut api, &cj, &[running], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(reasons(&out), ["FailedDelete"]);
    assert_eq!(messages(&out), ["Deleted job: boom"]);
    assert_eq!(
        out.error,
        Some(ApiError::Other("could not replace job snazzycats/mycronjob-24394140".into()))
    );
    assert_eq!(out.requeue_after, None);
}

#[test]
fn already_exists_adopts_own_job_without_an_event() {
    let cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    let existing = job_for(&cj, t(TICK));
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&existing));
    let out = sync(&mut api, &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(out.decision, Decision::Adopted { tick: t(TICK), job: "mycronjob-24394200".into() });
    assert!(out.events.is_empty());
    assert_eq!(out.cronjob.status.active[0].uid, existing.metadata.uid);
    assert_eq!(out.requeue_after, Some(HOUR));
}

#[test]
fn already_exists_of_a_foreign_job_is_ignored_without_requeue() {
    let cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    let mut foreign = job_for(&cj, t(TICK));
    foreign.metadata.owner_references.clear();
    let mut api = FakeApi::with_jobs(&[foreign]);
    let out = sync(&mut api, &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(
        out.decision,
        Decision::AlreadyExistsIgnored { tick: t(TICK), job: "mycronjob-24394200".into() }
    );
    assert_eq!((out.requeue_after, out.status_changed), (None, false));
}

#[test]
fn create_errors_warn_except_namespace_terminating() {
    let now = t("2016-05-19T10:00:00.100Z");
    let mut api = FakeApi { create_error: Some(ApiError::Other("quota".into())), ..FakeApi::default() };
    let out = sync(&mut api, &hourly(), &[], ctx(now, &defaults()));
    assert_eq!(messages(&out), ["Error creating job: quota"]);
    assert_eq!(out.error, Some(ApiError::Other("quota".into())));
    let mut api = FakeApi { create_error: Some(ApiError::NamespaceTerminating), ..FakeApi::default() };
    let out = sync(&mut api, &hourly(), &[], ctx(now, &defaults()));
    assert!(out.events.is_empty());
    assert_eq!(out.error, Some(ApiError::NamespaceTerminating));
}

#[test]
fn unexpected_job_found_active_in_a_fresh_get_loses_later_changes() {
    // The informer's copy lags: the fresh GET shows the job as active, so
    // syncCronJob continues on the fresh object and sync writes the stale
    // copy without the Job it then creates.
    let cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T08:00:00Z")));
    let lagging = job_for(&cj, t("2016-05-19T09:00:00Z"));
    let mut fresh = cj.clone();
    fresh.status.active.push(cronwarp::policy::cronjob::job_ref(&lagging));
    fresh.status.last_schedule_time = Some(t("2016-05-19T09:00:00Z"));
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&lagging));
    api.cronjob = Some(fresh);
    let out = sync(&mut api, &cj, &[lagging], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(api.get_cronjob_calls, 1);
    assert!(matches!(out.decision, Decision::Created { .. }));
    assert!(out.status_changed);
    assert!(out.cronjob.status.active.is_empty(), "the written copy never saw the new Job");
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t("2016-05-19T08:00:00Z")));
}

#[test]
fn unexpected_job_not_in_fresh_get_warns_and_is_not_adopted() {
    let cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    let manual = owned_job(&cj, "manual");
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&manual));
    api.cronjob = Some(cj.clone());
    let out = sync(&mut api, &cj, &[manual], ctx(t("2016-05-19T09:30:00Z"), &defaults()));
    assert_eq!(messages(&out), ["Saw a job that the controller did not create or forgot: manual"]);
    assert!(!out.status_changed);
}

#[test]
fn starting_deadline_zero_never_runs() {
    let mut cj = hourly();
    cj.spec.starting_deadline_seconds = Some(0);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(out.decision, Decision::NothingDue);
    assert_eq!(out.requeue_after, Some(HOUR));
}

#[test]
fn every_with_deadline_shorter_than_interval_never_runs() {
    let mut cj = cronjob("@every 1h", t("2016-05-19T09:00:00Z"), None);
    cj.spec.starting_deadline_seconds = Some(600);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert_eq!(out.decision, Decision::NothingDue);
    cj.spec.starting_deadline_seconds = Some(3600);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-19T10:00:00.100Z"), &defaults()));
    assert!(matches!(out.decision, Decision::Created { tick, .. } if tick == t(TICK)));
}

#[test]
fn another_complex_schedule_drops_all_missed_runs_and_waits_66h() {
    // docs/fidelity/kubernetes-cronjob.md#cj-5 (Q1): Thu 12:30 and
    // Fri 10:30/11:30/12:30 were missed.
    let cj = cronjob("30 10,11,12 * * 1-5", t(TICK), Some(t("2016-05-19T10:30:00Z")));
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2016-05-20T16:30:00Z"), &defaults()));
    assert_eq!(out.decision, Decision::EstimateDroppedMisses { missed: Missed::Few });
    assert_eq!(out.requeue_after, Some(66 * HOUR + 100));
    assert!(out.events.is_empty());
}

#[test]
fn dst_fall_back_makes_the_estimate_drop_both_repeated_runs() {
    // docs/fidelity/kubernetes-cronjob.md#cj-5: 01:30 EDT and 01:30 EST both passed, none starts.
    let mut cj = cronjob("30 1 * * *", t("2025-10-01T00:00:00Z"), Some(t("2025-11-01T01:30:00-04:00")));
    cj.spec.time_zone = Some("America/New_York".into());
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(t("2025-11-02T03:00:00-05:00"), &defaults()));
    assert_eq!(out.decision, Decision::EstimateDroppedMisses { missed: Missed::Few });
    assert_eq!(
        out.requeue_after,
        Some(t("2025-11-03T01:30:00-05:00").since(t("2025-11-02T03:00:00-05:00")) + 100)
    );
}

#[test]
fn dst_fall_back_downtime_starts_nothing_but_utc_starts_the_latest() {
    // docs/fidelity/kubernetes-cronjob.md#cj-8 and #cj-5: daily 01:30 with downtime to 11-05 17:00.
    let mut cj = cronjob("30 1 * * *", t("2024-10-01T00:00:00Z"), Some(t("2024-11-02T01:30:00-04:00")));
    cj.spec.time_zone = Some("America/New_York".into());
    let now = t("2024-11-05T17:00:00-05:00");
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &defaults()));
    assert_eq!(out.decision, Decision::EstimateDroppedMisses { missed: Missed::Few });
    assert_eq!(out.requeue_after, Some(t("2024-11-06T01:30:00-05:00").since(now) + 100));

    let cj = cronjob("30 1 * * *", t("2024-10-01T00:00:00Z"), Some(t("2024-11-02T01:30:00Z")));
    let now = t("2024-11-05T17:00:00Z");
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &defaults()));
    assert!(matches!(out.decision, Decision::Created { tick, .. } if tick == t("2024-11-05T01:30:00Z")));
    assert_eq!(out.requeue_after, Some(t("2024-11-06T01:30:00Z").since(now) + 100));
}

/// An hourly CronJob last scheduled `hours` ago.
fn missed_hours(hours: i64) -> (cronwarp::model::CronJob, Time) {
    let last = t("2016-05-01T10:00:00Z");
    let cj = cronjob("0 * * * *", last.add(-HOUR), Some(last));
    (cj, last.add(hours * HOUR + 100))
}

#[test]
fn too_many_missed_still_creates_the_latest_job() {
    let (cj, now) = missed_hours(150);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &defaults()));
    assert_eq!(reasons(&out), ["TooManyMissedTimes", "SuccessfulCreate"]);
    assert_eq!(
        messages(&out)[0],
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    );
    assert!(
        matches!(out.decision, Decision::Created { too_many_missed: true, tick, .. } if tick == now.add(-100))
    );
}

#[test]
fn pre_121327_message_carries_the_estimated_count() {
    let (cj, now) = missed_hours(150);
    let s = Settings { too_many_missed_message_with_count: true, ..Settings::default() };
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!(
        messages(&out)[0],
        "too many missed start times: 150. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    );
}

#[test]
fn legacy_v1_gives_up_after_more_than_100_misses() {
    let s = Settings { legacy_give_up_after_100_misses: true, ..Settings::default() };
    let (cj, now) = missed_hours(101);
    let mut api = FakeApi::default();
    let out = sync(&mut api, &cj, &[], ctx(now, &s));
    assert_eq!(out.decision, Decision::TooManyMissesGaveUp { tick: now.add(-100) });
    assert_eq!(reasons(&out), ["FailedNeedsStart"]);
    assert_eq!(
        messages(&out),
        [
            "Cannot determine if job needs to be started: too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew"
        ]
    );
    assert!(api.created.is_empty());
    assert_eq!(out.requeue_after, Some(HOUR));

    let (cj, now) = missed_hours(100);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!(reasons(&out), ["SuccessfulCreate"]);
}

#[test]
fn legacy_v1_counts_only_inside_the_deadline() {
    let s = Settings { legacy_give_up_after_100_misses: true, ..Settings::default() };
    let (mut cj, now) = missed_hours(500);
    cj.spec.starting_deadline_seconds = Some(3 * 3600);
    let out = sync(&mut FakeApi::default(), &cj, &[], ctx(now, &s));
    assert_eq!(reasons(&out), ["SuccessfulCreate"]);
}

/// A CronJob with one active Job that has just completed.
fn completed_active() -> (cronwarp::model::CronJob, cronwarp::model::Job) {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T08:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    let j = finish(job_for(&cj, t("2016-05-19T09:00:00Z")), "Complete", t("2016-05-19T09:20:00Z"));
    cj.status.active.push(cronwarp::policy::cronjob::job_ref(&j));
    (cj, j)
}

#[test]
fn last_successful_time_is_set_in_the_same_pass() {
    let (cj, j) = completed_active();
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&j));
    let out = sync(&mut api, &cj, &[j], ctx(t("2016-05-19T09:20:01Z"), &defaults()));
    assert_eq!(messages(&out), ["Saw completed job: mycronjob-24394140, condition: Complete"]);
    assert_eq!(out.cronjob.status.last_successful_time, Some(t("2016-05-19T09:20:00Z")));
}

#[test]
fn before_122025_last_successful_time_waits_for_a_later_sync() {
    let s = Settings { last_successful_time_same_pass: false, ..Settings::default() };
    let (cj, j) = completed_active();
    let mut api = FakeApi::with_jobs(std::slice::from_ref(&j));
    let out = sync(&mut api, &cj, std::slice::from_ref(&j), ctx(t("2016-05-19T09:20:01Z"), &s));
    assert_eq!(messages(&out), ["Saw completed job: mycronjob-24394140, status: Complete"]);
    assert_eq!(out.cronjob.status.last_successful_time, None);
    let again = sync(&mut api, &out.cronjob, &[j], ctx(t("2016-05-19T09:20:02Z"), &s));
    assert_eq!(again.cronjob.status.last_successful_time, Some(t("2016-05-19T09:20:00Z")));
}

#[test]
fn history_gc_runs_first_and_keeps_the_newest() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T05:30:00Z"), Some(t("2016-05-19T09:00:00Z")));
    cj.spec.successful_jobs_history_limit = Some(1);
    cj.spec.failed_jobs_history_limit = Some(0);
    let mk = |h: &str, kind: &str| {
        let mut j = finish(job_for(&cj, t(h)), kind, t(h).add(MINUTE));
        j.status.start_time = Some(t(h));
        j
    };
    let jobs = vec![
        mk("2016-05-19T08:00:00Z", "Complete"),
        mk("2016-05-19T06:00:00Z", "Complete"),
        mk("2016-05-19T07:00:00Z", "Failed"),
        mk("2016-05-19T09:00:00Z", "Complete"),
    ];
    let mut api = FakeApi::with_jobs(&jobs);
    let out = sync(&mut api, &cj, &jobs, ctx(t("2016-05-19T09:30:00Z"), &defaults()));
    let gone: Vec<_> = out.deletions.iter().map(|d| d.job.as_str()).collect();
    assert_eq!(gone, ["mycronjob-24393960", "mycronjob-24394080", "mycronjob-24394020"]);
    assert!(out.deletions.iter().all(|d| d.cause == DeleteCause::HistoryGc && d.ok));
    assert!(out.status_changed);
    assert_eq!(out.decision, Decision::NothingDue);
}
