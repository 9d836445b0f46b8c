//! One test per CronJob-controller quirk
//! (docs/fidelity/kubernetes-cronjob.md#cj-4 to #cj-16, with their worked examples),
//! each driving `policy::cronjob::sync` at the instants the work queue
//! would, against a fake API server.

use crate::support::fixtures::{CJ_NAMESPACE, complete, cronjob, job_for, name_for, object_ref};
use crate::support::t;
use crate::support::world::World;
use cronwarp::model::{CronJob, HOUR, MINUTE, SECOND, Time};
use cronwarp::policy::EventType::{Normal, Warning};
use cronwarp::policy::cronjob::{Decision, DeleteCause, Deletion, Missed, SyncOutcome, jobs_for_cronjob};
use cronwarp::policy::settings::JobListing;
use cronwarp::policy::{ApiError, Event, Propagation, Settings};

/// `(type, reason)` of each event.
fn reasons(out: &SyncOutcome) -> Vec<(cronwarp::policy::EventType, &str)> {
    out.events.iter().map(|e| (e.type_, e.reason.as_str())).collect()
}

/// A CronJob with `schedule` and `policy`, created at `created`.
fn cj(schedule: &str, policy: &str, created: &str) -> CronJob {
    cronjob(schedule, policy, t(created))
}

/// A world whose CronJob last ran `tick` (job finished or running).
fn world_after_run(mut c: CronJob, tick: &str, finished_at: Option<&str>) -> World {
    let tick = t(tick);
    c.status.last_schedule_time = Some(tick);
    let mut job = job_for(&c, tick, "old-uid");
    match finished_at {
        Some(at) => complete(&mut job, t(at)),
        None => c.status.active = vec![object_ref(&job)],
    }
    let mut w = World::new(c);
    w.api.put_job(job);
    w
}

fn job_name(tick: &str) -> String {
    name_for("mycronjob", t(tick))
}

#[test]
fn downtime_catch_up_starts_only_the_most_recent_tick() {
    let mut w = World::new(cj("*/5 * * * *", "Allow", "2016-05-19T09:58:00Z"));
    let first = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:00:00Z")]);
    assert_eq!(first.requeue_after, Some(5 * MINUTE));
    // The controller is down from 10:02 to 10:31: five ticks pass.
    let out = w.sync_at(t("2016-05-19T10:31:00Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:00:00Z"), job_name("2016-05-19T10:30:00Z")]);
    assert_eq!(reasons(&out), [(Normal, "SuccessfulCreate")], "misses are silent");
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t("2016-05-19T10:30:00Z")));
    assert_eq!(out.requeue_after, Some(4 * MINUTE + 100), "next sync at 10:35:00.1");
}

#[test]
fn downtime_catch_up_daily_utc_runs_the_last_missed_day() {
    let mut w = world_after_run(
        cj("30 1 * * *", "Allow", "2024-10-01T00:00:00Z"),
        "2024-11-02T01:30:00Z",
        Some("2024-11-02T01:31:00Z"),
    );
    let out = w.sync_at(t("2024-11-05T17:00:00Z"));
    assert_eq!(w.api.created_names(), [job_name("2024-11-05T01:30:00Z")]);
    assert_eq!(out.requeue_after, Some(8 * HOUR + 30 * MINUTE + 100), "next sync 11-06 01:30:00.1");
}

#[test]
fn dst_fall_back_makes_the_estimate_drop_the_miss_in_new_york() {
    // Same as above in America/New_York: the first two ticks after LST are
    // 11-03 01:30 EDT and 01:30 EST, one hour apart, so the estimated
    // interval is 1 h and the window search lands after the last real tick.
    let mut c = cj("30 1 * * *", "Allow", "2024-10-01T00:00:00Z");
    c.spec.time_zone = Some("America/New_York".into());
    let mut w = world_after_run(c, "2024-11-02T01:30:00-04:00", Some("2024-11-02T01:31:00-04:00"));
    let out = w.sync_at(t("2024-11-05T17:00:00Z"));
    assert!(w.api.created.is_empty(), "no job at all: {:?}", w.api.created_names());
    assert!(out.events.is_empty(), "silently: {:?}", out.events);
    assert_eq!(out.decision, Decision::EstimateDroppedMisses { missed: Missed::Few });
    assert_eq!(out.requeue_after, Some(t("2024-11-06T01:30:00.100-05:00").since(t("2024-11-05T17:00:00Z"))));
}

#[test]
fn irregular_schedule_drops_the_miss_q1() {
    // Upstream's "another complex schedule": weekday 10:30/11:30/12:30.
    let mut w = world_after_run(
        cj("30 10,11,12 * * 1-5", "Allow", "2016-05-01T00:00:00Z"),
        "2016-05-19T10:30:00Z",
        Some("2016-05-19T10:31:00Z"),
    );
    let out = w.sync_at(t("2016-05-20T16:30:00Z"));
    assert!(w.api.created.is_empty(), "Thu 12:30 and Fri 10:30–12:30 were missed; none starts");
    assert_eq!(out.decision, Decision::EstimateDroppedMisses { missed: Missed::Few });
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t("2016-05-19T10:30:00Z")));
    assert_eq!(out.requeue_after, Some(66 * HOUR + 100), "to Monday 10:30:00.1");
}

#[test]
fn starting_deadline_zero_never_runs() {
    let mut c = cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z");
    c.spec.starting_deadline_seconds = Some(0);
    let mut w = World::new(c);
    let syncs = w.follow_timers(t("2016-05-19T08:30:00Z"), t("2016-05-19T14:00:00Z"));
    assert!(syncs.len() >= 6, "the timer keeps firing at each tick: {} syncs", syncs.len());
    assert!(syncs.iter().skip(1).all(|(at, _)| at.0 % HOUR == 100), "wakes at tick + 100 ms");
    assert!(w.api.created.is_empty(), "created {:?}", w.api.created_names());
}

#[test]
fn every_schedule_with_deadline_below_the_interval_never_runs() {
    for (sds, runs) in [(Some(600), false), (Some(3599), false), (Some(3600), true), (None, true)] {
        let mut c = cj("@every 1h", "Allow", "2016-05-19T09:00:00Z");
        c.spec.starting_deadline_seconds = sds;
        let mut w = World::new(c);
        w.follow_timers(t("2016-05-19T09:00:00Z"), t("2016-05-19T14:30:00Z"));
        let n = w.api.created.len();
        assert_eq!(n > 0, runs, "@every 1h with SDS {sds:?}: {n} jobs");
        if runs {
            assert_eq!(n, 5, "SDS {sds:?}: one job per hour 10:00–14:00");
        }
    }
}

#[test]
fn miss_schedule_is_never_emitted_and_the_deadline_is_strict() {
    for sds in [1, 10, 59, 60, 3599] {
        for delay in [0, 100, 900, 1_000, 5_000, 9_900, 10_000, 10_100, 59_000, 61_000, 3_599_000] {
            let mut c = cj("0 * * * *", "Allow", "2016-05-19T08:00:00Z");
            c.spec.starting_deadline_seconds = Some(sds);
            let mut w = world_after_run(c, "2016-05-19T09:00:00Z", Some("2016-05-19T09:10:00Z"));
            let out = w.sync_at(t("2016-05-19T10:00:00Z").add(delay));
            assert!(
                out.events.iter().all(|e| e.reason != "MissSchedule"),
                "SDS {sds}, delay {delay} ms: {:?}",
                out.events
            );
            assert!(!matches!(out.decision, Decision::TooLate { .. }), "TooLate is unreachable");
            let started = !w.api.created.is_empty();
            assert_eq!(started, delay < sds * SECOND, "SDS {sds} s, sync {delay} ms after the tick");
        }
    }
}

/// Hourly Forbid CronJob whose 09:00 Job runs until 10:25.
fn forbid_world(sds: Option<i64>) -> World {
    let mut c = cj("0 * * * *", "Forbid", "2016-05-19T08:30:00Z");
    c.spec.starting_deadline_seconds = sds;
    world_after_run(c, "2016-05-19T09:00:00Z", None)
}

#[test]
fn forbid_delays_rather_than_skips_and_keeps_last_schedule_time() {
    let mut w = forbid_world(None);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Normal, "JobAlreadyActive")]);
    assert_eq!(
        out.events[0].message,
        "Not starting job because prior execution is running and concurrency policy is Forbid"
    );
    assert_eq!(out.decision, Decision::ForbidSkip { tick: t("2016-05-19T10:00:00Z") });
    assert_eq!(w.cj.status.last_schedule_time, Some(t("2016-05-19T09:00:00Z")), "not advanced");
    assert_eq!(out.requeue_after, Some(HOUR));
    assert!(w.api.created.is_empty());

    w.with_job(&job_name("2016-05-19T09:00:00Z"), |j| complete(j, t("2016-05-19T10:25:00Z")));
    let out = w.sync_at(t("2016-05-19T10:25:01Z"));
    assert_eq!(reasons(&out), [(Normal, "SawCompletedJob"), (Normal, "SuccessfulCreate")]);
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:00:00Z")], "the 10:00 run starts late");
    assert_eq!(w.cj.status.last_schedule_time, Some(t("2016-05-19T10:00:00Z")));
    assert_eq!(out.requeue_after, Some(t("2016-05-19T11:00:00.100Z").since(t("2016-05-19T10:25:01Z"))));
}

#[test]
fn forbid_delayed_run_is_dropped_once_the_deadline_passes() {
    for (sds, late_run) in [(600, false), (3600, true)] {
        let mut w = forbid_world(Some(sds));
        w.sync_at(t("2016-05-19T10:00:00.100Z"));
        w.with_job(&job_name("2016-05-19T09:00:00Z"), |j| complete(j, t("2016-05-19T10:25:00Z")));
        let out = w.sync_at(t("2016-05-19T10:25:01Z"));
        assert_eq!(!w.api.created.is_empty(), late_run, "SDS {sds}: {:?}", out.events);
        assert!(out.events.iter().all(|e| e.reason != "MissSchedule"));
    }
}

#[test]
fn replace_deletes_in_background_then_creates_in_the_same_sync() {
    let mut w =
        world_after_run(cj("0 * * * *", "Replace", "2016-05-19T08:30:00Z"), "2016-05-19T09:00:00Z", None);
    let (old, new) = (job_name("2016-05-19T09:00:00Z"), job_name("2016-05-19T10:00:00Z"));
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Normal, "SuccessfulDelete"), (Normal, "SuccessfulCreate")]);
    assert_eq!(out.events[0].message, format!("Deleted job {old}"));
    assert_eq!(out.events[1].message, format!("Created job {new}"));
    assert_eq!(out.deletions, [Deletion { job: old.clone().into(), cause: DeleteCause::Replace, ok: true }]);
    let ns = CJ_NAMESPACE;
    assert_eq!(
        w.api.calls,
        [
            format!("GET job {ns}/{old}"),
            format!("DELETE job {ns}/{old} Background"),
            format!("CREATE job {ns}/{new}")
        ]
    );
    assert_eq!(w.api.deleted[0].propagation, Propagation::Background);
    let active: Vec<_> = w.cj.status.active.iter().map(|r| r.name.clone()).collect();
    assert_eq!(active, [new]);
}

#[test]
fn resume_starts_the_most_recent_missed_tick_at_once() {
    let mut c = cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z");
    c.spec.suspend = Some(true);
    let mut w = world_after_run(c, "2016-05-19T09:00:00Z", Some("2016-05-19T09:05:00Z"));
    let out = w.sync_at(t("2016-05-19T09:30:00Z"));
    assert_eq!(out.decision, Decision::Suspended);
    assert_eq!(out.requeue_after, None, "suspended: no timer");
    w.cj.spec.suspend = Some(false);
    let out = w.sync_at(t("2016-05-19T12:20:00Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T12:00:00Z")]);
    assert_eq!(reasons(&out), [(Normal, "SuccessfulCreate")]);
    assert_eq!(out.requeue_after, Some(40 * MINUTE + 100));
}

/// Four finished Jobs for history GC, whose creation order is the reverse
/// of their start order: GC must go by `status.startTime`.
fn gc_world(suspended: bool) -> World {
    let mut c = cj("0 * * * *", "Allow", "2016-05-19T00:00:00Z");
    c.spec.successful_jobs_history_limit = Some(1);
    c.spec.failed_jobs_history_limit = Some(1);
    c.spec.suspend = Some(suspended);
    c.status.last_schedule_time = Some(t("2016-05-19T09:00:00Z"));
    let mut w = World::new(c.clone());
    for (name, created, start) in [
        ("gc-d-nil", "2016-05-19T01:00:00Z", None),
        ("gc-c-0700", "2016-05-19T02:00:00Z", Some("2016-05-19T07:00:00Z")),
        ("gc-b-0600", "2016-05-19T03:00:00Z", Some("2016-05-19T06:00:00Z")),
        ("gc-a-0600", "2016-05-19T04:00:00Z", Some("2016-05-19T06:00:00Z")),
    ] {
        let mut job = job_for(&c, t(created), &format!("uid-{name}"));
        job.metadata.name = name.into();
        job.status.start_time = start.map(t);
        complete(&mut job, t("2016-05-19T08:00:00Z"));
        w.api.put_job(job);
    }
    w
}

#[test]
fn history_gc_orders_by_start_time_nil_last_name_ties_before_creating() {
    let mut w = gc_world(false);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    let deleted: Vec<_> = out.deletions.iter().map(|d| (d.job.as_str(), d.cause)).collect();
    let gc = DeleteCause::HistoryGc;
    assert_eq!(deleted, [("gc-a-0600", gc), ("gc-b-0600", gc), ("gc-c-0700", gc)], "keeps the nil startTime");
    assert_eq!(w.job_names().iter().filter(|n| n.starts_with("gc-")).count(), 1);
    assert!(w.api.job(CJ_NAMESPACE, "gc-d-nil").is_some());
    let kinds: Vec<_> = w.api.calls.iter().map(|c| c.split(' ').next().unwrap_or_default()).collect();
    assert_eq!(kinds, ["DELETE", "DELETE", "DELETE", "CREATE"], "GC first: {:?}", w.api.calls);
    assert_eq!(
        reasons(&out),
        [
            (Normal, "SuccessfulDelete"),
            (Normal, "SuccessfulDelete"),
            (Normal, "SuccessfulDelete"),
            (Normal, "SuccessfulCreate")
        ]
    );
}

#[test]
fn history_gc_runs_even_when_suspended() {
    let mut w = gc_world(true);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(out.deletions.len(), 3);
    assert!(w.api.created.is_empty());
    assert_eq!(out.requeue_after, None);
    assert!(out.status_changed, "lastSuccessfulTime is recorded");
}

#[test]
fn at_most_one_job_per_minute_second_tick_already_processed() {
    let mut w = World::new(cj("@every 20s", "Allow", "2016-05-19T10:00:00Z"));
    w.sync_at(t("2016-05-19T10:00:20.100Z"));
    let out = w.sync_at(t("2016-05-19T10:00:40.100Z"));
    assert_eq!(out.decision, Decision::AlreadyProcessed { tick: t("2016-05-19T10:00:40Z") });
    assert_eq!(w.cj.status.last_schedule_time, Some(t("2016-05-19T10:00:20Z")));
    assert_eq!(out.requeue_after, Some(20 * SECOND));
    w.sync_at(t("2016-05-19T10:01:00.100Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:00:20Z"), job_name("2016-05-19T10:01:00Z")]);
}

#[test]
fn at_most_one_job_per_minute_name_collision_adopts_the_finished_job() {
    let mut w = World::new(cj("@every 20s", "Allow", "2016-05-19T10:00:00Z"));
    w.sync_at(t("2016-05-19T10:00:20.100Z"));
    let first = job_name("2016-05-19T10:00:20Z");
    w.with_job(&first, |j| complete(j, t("2016-05-19T10:00:30Z")));
    w.sync_at(t("2016-05-19T10:00:31Z"));
    assert!(w.cj.status.active.is_empty());
    let out = w.sync_at(t("2016-05-19T10:00:40.100Z"));
    assert_eq!(
        out.decision,
        Decision::Adopted { tick: t("2016-05-19T10:00:40Z"), job: first.clone().into() }
    );
    assert!(out.events.iter().all(|e| e.reason != "SuccessfulCreate"), "{:?}", out.events);
    assert_eq!(w.api.created_names(), std::slice::from_ref(&first), "no second Job in that minute");
    assert_eq!(w.cj.status.last_schedule_time, Some(t("2016-05-19T10:00:40Z")));
    let active: Vec<_> = w.cj.status.active.iter().map(|r| r.name.clone()).collect();
    assert_eq!(active, [first], "the finished Job is back in active");
}

#[test]
fn tz_in_schedule_warns_every_sync_and_ignores_time_zone() {
    let mut c = cj("TZ=UTC 0 9 * * *", "Allow", "2016-05-18T12:00:00Z");
    c.spec.time_zone = Some("Asia/Tokyo".into());
    let mut w = World::new(c);
    let warning = Event::warning(
        "CronJob/snazzycats/mycronjob",
        "UnsupportedSchedule",
        "CRON_TZ or TZ used in schedule \"TZ=UTC 0 9 * * *\" is not officially supported, see \
         https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
    );
    for at in ["2016-05-19T00:00:00.100Z", "2016-05-19T05:00:00Z", "2016-05-19T09:00:00.100Z"] {
        let out = w.sync_at(t(at));
        assert_eq!(out.events.first(), Some(&warning), "at {at}");
        assert_eq!(out.events.iter().filter(|e| e.reason == "UnsupportedSchedule").count(), 1);
    }
    // 09:00 UTC, not 09:00 in Tokyo (00:00 UTC).
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T09:00:00Z")]);
    let ann = &w.api.created[0].metadata.annotations;
    assert_eq!(
        ann.get("batch.kubernetes.io/cronjob-scheduled-timestamp").map(|s| s.as_str()),
        Some("2016-05-19T18:00:00+09:00"),
        "the annotation still uses spec.timeZone"
    );
}

#[test]
fn unknown_time_zone_stops_the_cronjob_without_requeue() {
    let mut c = cj("0 * * * *", "Allow", "2016-05-19T08:00:00Z");
    c.spec.time_zone = Some("Mars/Olympus".into());
    let mut w = World::new(c);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(out.decision, Decision::UnknownTimeZone);
    assert_eq!(out.requeue_after, None);
    assert_eq!(out.error, None, "no rate-limited retry either");
    assert_eq!(reasons(&out), [(Warning, "UnknownTimeZone")]);
    assert_eq!(out.events[0].message, "invalid timeZone: \"Mars/Olympus\": unknown time zone Mars/Olympus");
    assert!(w.api.created.is_empty());
}

#[test]
fn orphaned_active_job_stays_active_and_blocks_forbid_forever() {
    let mut w =
        world_after_run(cj("0 * * * *", "Forbid", "2016-05-19T08:30:00Z"), "2016-05-19T09:00:00Z", None);
    let name = job_name("2016-05-19T09:00:00Z");
    w.with_job(&name, |j| j.metadata.owner_references.clear());
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Normal, "JobAlreadyActive")]);
    w.with_job(&name, |j| complete(j, t("2016-05-19T10:30:00Z")));
    for at in ["2016-05-19T10:30:01Z", "2016-05-19T11:00:00.100Z", "2016-05-20T11:00:00.100Z"] {
        let out = w.sync_at(t(at));
        assert_eq!(reasons(&out), [(Normal, "JobAlreadyActive")], "at {at}");
    }
    let active: Vec<_> = w.cj.status.active.iter().map(|r| r.name.clone()).collect();
    assert_eq!(active, [name]);
    assert!(w.api.created.is_empty());
}

#[test]
fn requeue_is_next_tick_plus_100ms_and_a_tick_is_due_at_equality() {
    let mut w = World::new(cj("0 * * * *", "Allow", "2016-05-19T09:00:00Z"));
    let out = w.sync_at(t("2016-05-19T09:30:00Z"));
    assert_eq!(out.requeue_after, Some(30 * MINUTE + 100));
    assert_eq!(out.decision, Decision::NothingDue);
    let out = w.sync_at(t("2016-05-19T10:00:00Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:00:00Z")], "now == tick is due");
    assert_eq!(out.requeue_after, Some(HOUR + 100));
    let syncs = w.follow_timers(t("2016-05-19T11:00:00.100Z"), t("2016-05-19T13:00:00.100Z"));
    let at: Vec<Time> = syncs.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        at,
        [t("2016-05-19T11:00:00.100Z"), t("2016-05-19T12:00:00.100Z"), t("2016-05-19T13:00:00.100Z")]
    );
}

#[test]
fn unexpected_running_job_is_warned_about_and_does_not_block_forbid() {
    // `kubectl create job --from=cronjob/…`: owned, running, never in active.
    let c = cj("0 * * * *", "Forbid", "2016-05-19T08:30:00Z");
    let mut manual = job_for(&c, t("2016-05-19T09:40:00Z"), "manual-uid");
    manual.metadata.name = "mycronjob-manual".into();
    let mut w = World::new(c);
    w.api.put_job(manual);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Warning, "UnexpectedJob"), (Normal, "SuccessfulCreate")]);
    assert_eq!(
        out.events[0].message,
        "Saw a job that the controller did not create or forgot: mycronjob-manual"
    );
    assert_eq!(w.cj.status.active.len(), 1, "not adopted");
}

#[test]
fn active_job_gone_from_the_api_is_dropped_with_missing_job() {
    let mut w =
        world_after_run(cj("0 * * * *", "Forbid", "2016-05-19T08:30:00Z"), "2016-05-19T09:00:00Z", None);
    let name = job_name("2016-05-19T09:00:00Z");
    w.api.jobs.clear();
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Normal, "MissingJob"), (Normal, "SuccessfulCreate")]);
    assert_eq!(out.events[0].message, format!("Active job went missing: {name}"));
}

#[test]
fn never_firing_schedule_is_an_invalid_schedule_without_requeue() {
    // Feb 30: robfig's Next gives up and returns the zero time.
    let mut w = World::new(cj("0 0 30 2 *", "Allow", "2016-05-19T08:00:00Z"));
    let out = w.sync_at(t("2016-05-19T10:00:00Z"));
    assert_eq!(out.decision, Decision::InvalidSchedule);
    assert_eq!(reasons(&out), [(Warning, "InvalidSchedule")]);
    assert_eq!(
        out.events[0].message,
        "invalid schedule: 0 0 30 2 * : time difference between two schedules is less than 1 second"
    );
    assert_eq!((out.requeue_after, out.error), (None, None));
}

#[test]
fn create_error_is_a_failed_create_and_a_rate_limited_retry() {
    let mut w = World::new(cj("0 * * * *", "Allow", "2016-05-19T09:30:00Z"));
    w.api.create_err = Some(ApiError::Conflict);
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Warning, "FailedCreate")]);
    assert_eq!(
        out.events[0].message,
        "Error creating job: the object has been modified; please apply your changes to the latest version and try again"
    );
    assert_eq!(out.error, Some(ApiError::Conflict));
    assert_eq!(out.requeue_after, None);
    assert!(!out.status_changed, "lastScheduleTime is not advanced");
}

#[test]
fn replace_delete_failure_stops_the_sync_with_could_not_replace() {
    let mut w =
        world_after_run(cj("0 * * * *", "Replace", "2016-05-19T08:30:00Z"), "2016-05-19T09:00:00Z", None);
    w.api.delete_err = Some(ApiError::Other("boom".into()));
    let old = job_name("2016-05-19T09:00:00Z");
    let out = w.sync_at(t("2016-05-19T10:00:00.100Z"));
    assert_eq!(reasons(&out), [(Warning, "FailedDelete")]);
    assert_eq!(out.events[0].message, "Deleted job: boom");
    assert_eq!(out.deletions, [Deletion { job: old.clone().into(), cause: DeleteCause::Replace, ok: false }]);
    assert_eq!(out.error, Some(ApiError::Other(format!("could not replace job {CJ_NAMESPACE}/{old}"))));
    assert!(w.api.created.is_empty());
}

#[test]
fn stale_status_rebind_loses_the_new_job_from_the_written_status() {
    // The informer still has the 09:00 status; the API already holds the
    // write that put the 10:00 Job into active (docs/fidelity/kubernetes-cronjob.md#cj-18).
    let stale = world_after_run(
        cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z"),
        "2016-05-19T09:00:00Z",
        Some("2016-05-19T09:10:00Z"),
    );
    let mut w = stale;
    let ten = job_for(&w.cj, t("2016-05-19T10:00:00Z"), "ten-uid");
    let mut fresh = w.cj.clone();
    fresh.status.active = vec![object_ref(&ten)];
    fresh.status.last_schedule_time = Some(t("2016-05-19T10:00:00Z"));
    w.api.put_job(ten);
    w.api.put_cronjob(fresh);
    let out = w.sync_at(t("2016-05-19T11:00:00.100Z"));
    let eleven = job_name("2016-05-19T11:00:00Z");
    assert_eq!(w.api.created_names(), std::slice::from_ref(&eleven));
    assert!(out.status_changed);
    assert!(out.cronjob.status.active.is_empty(), "the written copy misses both Jobs");
    assert_eq!(out.cronjob.status.last_schedule_time, Some(t("2016-05-19T09:00:00Z")));
    assert_eq!(out.requeue_after, Some(HOUR));
    // The next sync no longer finds either Job in any active list.
    let out = w.sync_at(t("2016-05-19T11:00:01Z"));
    assert_eq!(reasons(&out), [(Warning, "UnexpectedJob"), (Warning, "UnexpectedJob")]);
    assert_eq!(out.decision, Decision::Adopted { tick: t("2016-05-19T11:00:00Z"), job: eleven.into() });
}

/// An hourly CronJob whose last run (09:01 → 09:01:10) leaves a week of
/// misses at 2016-05-26 10:00.
fn week_overdue() -> World {
    world_after_run(
        cj("0 * * * *", "Allow", "2016-05-19T08:59:00Z"),
        "2016-05-19T09:01:00Z",
        Some("2016-05-19T09:01:10Z"),
    )
}

#[test]
fn setting_legacy_v1_gives_up_after_100_misses() {
    let mut w = week_overdue();
    w.settings.legacy_give_up_after_100_misses = true;
    let out = w.sync_at(t("2016-05-26T10:00:00Z"));
    assert!(w.api.created.is_empty(), "v1: no job at all");
    assert_eq!(reasons(&out), [(Warning, "FailedNeedsStart")]);
    assert!(
        out.events[0].message.starts_with("Cannot determine if job needs to be started: too many missed")
    );
    let mut w = week_overdue();
    let out = w.sync_at(t("2016-05-26T10:00:00Z"));
    assert_eq!(
        reasons(&out),
        [(Warning, "TooManyMissedTimes"), (Normal, "SuccessfulCreate")],
        "v2 still runs"
    );
    assert_eq!(
        out.events[0].message,
        "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    );
}

#[test]
fn setting_too_many_missed_message_with_count() {
    let mut w = week_overdue();
    w.settings.too_many_missed_message_with_count = true;
    let out = w.sync_at(t("2016-05-26T10:00:00Z"));
    assert_eq!(
        out.events[0].message,
        "too many missed start times: 169. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
    );
}

#[test]
fn setting_last_successful_time_one_pass_late_before_pr_122025() {
    for same_pass in [true, false] {
        let mut w =
            world_after_run(cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z"), "2016-05-19T09:00:00Z", None);
        w.settings.last_successful_time_same_pass = same_pass;
        let name = job_name("2016-05-19T09:00:00Z");
        w.with_job(&name, |j| complete(j, t("2016-05-19T09:20:00Z")));
        let out = w.sync_at(t("2016-05-19T09:20:01Z"));
        let label = if same_pass { "condition" } else { "status" };
        assert_eq!(out.events[0].message, format!("Saw completed job: {name}, {label}: Complete"));
        let want = Some(t("2016-05-19T09:20:00Z"));
        assert_eq!(w.cj.status.last_successful_time, want.filter(|_| same_pass), "same pass: {same_pass}");
        w.sync_at(t("2016-05-19T09:30:00Z"));
        assert_eq!(w.cj.status.last_successful_time, want, "set by the next sync at the latest");
    }
}

#[test]
fn job_listing_by_owner_name_sees_a_recreated_cronjobs_old_jobs() {
    let c = cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z");
    let mut old_owner = c.clone();
    old_owner.metadata.uid = "previous-incarnation".into();
    let mut elsewhere = job_for(&c, t("2016-05-19T07:00:00Z"), "other-ns");
    elsewhere.metadata.namespace = "other".into();
    let mut not_controller = job_for(&c, t("2016-05-19T06:00:00Z"), "plain-owner");
    not_controller.metadata.owner_references[0].controller = None;
    let jobs = [
        job_for(&c, t("2016-05-19T09:00:00Z"), "mine"),
        job_for(&old_owner, t("2016-05-19T08:00:00Z"), "old-incarnation"),
        elsewhere,
        not_controller,
    ];
    let listed = |listing| {
        let settings = Settings { job_listing: listing, ..Settings::default() };
        jobs_for_cronjob(&c, &jobs, &settings).iter().map(|j| j.metadata.uid.clone()).collect::<Vec<_>>()
    };
    // The current controller-uid indexer is cluster-wide: it ignores the
    // namespace (uids are unique, so only a hand-made ref lands elsewhere).
    assert_eq!(listed(JobListing::OwnerUid), ["mine", "other-ns"]);
    assert_eq!(listed(JobListing::OwnerName), ["mine", "old-incarnation"]);
}

#[test]
fn schedule_edit_starts_a_tick_of_the_new_schedule_that_already_passed() {
    let mut w = world_after_run(
        cj("0 * * * *", "Allow", "2016-05-19T08:30:00Z"),
        "2016-05-19T10:00:00Z",
        Some("2016-05-19T10:05:00Z"),
    );
    // Edited at 10:40; the old 11:00:00.1 timer is the next sync.
    w.cj.spec.schedule = "30 * * * *".into();
    let out = w.sync_at(t("2016-05-19T11:00:00.100Z"));
    assert_eq!(w.api.created_names(), [job_name("2016-05-19T10:30:00Z")], "10:30 runs half an hour late");
    assert_eq!(out.requeue_after, Some(30 * MINUTE));
}
