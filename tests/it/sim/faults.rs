//! Faults and edits: suspend/resume, Replace, OnFailure restarts, CronJob
//! deletion, clock skew, informer lag, Job completion across downtime,
//! flat memory and progress reporting.

use crate::support::sim::*;
use cronwarp::model::{PodPhase, Time};
use cronwarp::sim::log::{DeletedBy, Entry, Fault};
use cronwarp::sim::{SimOptions, simulate};

fn with_changes(item: String, changes: &[&str]) -> String {
    let mut s = item + "    changes:\n";
    for c in changes {
        s.push_str(&format!("      - {c}\n"));
    }
    s
}

#[test]
fn resume_starts_the_most_recent_missed_tick_at_once() {
    let w = with_changes(
        workload(&cronjob("hourly", "0 * * * *", "", ""), ""),
        &["{at: \"2025-03-03T10:30:00Z\", suspend: true}", "{at: \"2025-03-03T12:20:00Z\", resume: true}"],
    );
    let out = run(&scenario("12:30:00", "", &[w]));
    let got = created(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!((got[0].0, got[0].2), (at("12:20:00"), Some(at("12:00:00"))));
    let faults = find(&out, |e| matches!(e, Entry::Fault(Fault::SpecChange { .. })));
    assert_eq!(faults.len(), 2);
}

#[test]
fn replace_deletes_the_running_job_and_creates_the_next_in_the_same_sync() {
    let sc = scenario(
        "10:12:00",
        "",
        &[workload(&cronjob("rep", "*/5 * * * *", "concurrencyPolicy: Replace", ""), "duration: 7m")],
    );
    let out = run(&sc);
    let replaced = find(&out, |e| matches!(e, Entry::JobDeleted { by: DeletedBy::Replace, .. }));
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0].time, at("10:10:00.100"));
    let got = created(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].0, at("10:10:00.100"));
    // The old pod is killed at the end of its 30 s grace period.
    let killed = find(&out, |e| matches!(e, Entry::PodFinished { exit_code: 137, .. }));
    assert_eq!(killed.len(), 1);
    assert_eq!(killed[0].time, at("10:10:30.100"));
}

#[test]
fn a_replaced_jobs_pod_is_killed_after_its_own_grace_period() {
    // The Job leaves the store before its pod (Background propagation), so
    // the grace period must come from the pod, not from a Job still there.
    let manifest = cronjob("rep", "*/5 * * * *", "concurrencyPolicy: Replace", "").replace(
        "restartPolicy: Never\n",
        "restartPolicy: Never\n                terminationGracePeriodSeconds: 5\n",
    );
    let out = run(&scenario("10:12:00", "", &[workload(&manifest, "duration: 7m")]));
    let killed = find(&out, |e| matches!(e, Entry::PodFinished { exit_code: 137, .. }));
    assert_eq!(killed.len(), 1);
    assert_eq!(killed[0].time, at("10:10:05.100"));
}

#[test]
fn on_failure_restarts_the_container_with_crashloop_backoff() {
    let manifest =
        cronjob("crash", "*/5 * * * *", "", "").replace("restartPolicy: Never", "restartPolicy: OnFailure");
    let sc =
        scenario("10:09:00", "", &[workload(&manifest, "duration: 1s\nscript: [fail, fail, fail, succeed]")]);
    let out = run(&sc);
    let backoffs: Vec<(i32, i64)> = out
        .log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::ContainerRestarted { restart_count, backoff, .. } => Some((*restart_count, *backoff)),
            _ => None,
        })
        .collect();
    assert_eq!(backoffs, vec![(1, 10_000), (2, 20_000), (3, 40_000)]);
    let pods = find(&out, |e| matches!(e, Entry::PodCreated { .. }));
    assert_eq!(pods.len(), 1, "restarts happen in place");
    let done = find(&out, |e| matches!(e, Entry::JobFinished { condition, .. } if condition == "Complete"));
    assert_eq!(done.len(), 1);
}

#[test]
fn on_failure_restart_count_rises_when_the_container_restarts_not_when_it_exits() {
    let manifest = cronjob("crash", "*/5 * * * *", "", "backoffLimit: 2")
        .replace("restartPolicy: Never", "restartPolicy: OnFailure");
    let out = run(&scenario("10:09:00", "", &[workload(&manifest, "duration: 30s\nfailureProbability: 1")]));
    let starts: Vec<Time> = out
        .log
        .iter()
        .filter(|r| matches!(r.entry, Entry::PodStarted { .. } | Entry::ContainerRestarted { .. }))
        .map(|r| r.time)
        .collect();
    let restarts = find(&out, |e| matches!(e, Entry::ContainerRestarted { .. }));
    assert_eq!(restarts.len(), 2, "backoffLimit 2 fails the Job at the 2nd restart");
    // Each restart comes a 30 s run plus the CrashLoopBackOff delay after
    // the previous start: 10 s, then 20 s.
    assert_eq!(starts.len(), 3);
    assert_eq!(starts[1].since(starts[0]), 40_000);
    assert_eq!(starts[2].since(starts[1]), 50_000);
    // The Job controller reacts to restartCount 2 only once the 3rd run has
    // started: the pod is deleted after it, never between exit and restart.
    let deleted = find(&out, |e| matches!(e, Entry::PodDeleted { .. }));
    assert_eq!(deleted.len(), 1);
    assert!(deleted[0].time >= starts[2], "pod deleted at {:?}, 3rd run at {:?}", deleted[0].time, starts[2]);
    let failed =
        find(&out, |e| matches!(e, Entry::JobFinished { reason, .. } if reason == "BackoffLimitExceeded"));
    assert_eq!(failed.len(), 1);
}

#[test]
fn deleting_the_cronjob_deletes_its_jobs_and_stops_scheduling() {
    let w = with_changes(
        workload(&cronjob("gone", "*/5 * * * *", "", ""), "duration: 5m"),
        &["{at: \"2025-03-03T10:07:00Z\", delete: true}"],
    );
    let out = run(&scenario("10:30:00", "", &[w]));
    assert_eq!(created(&out).len(), 1);
    let cascade = find(&out, |e| matches!(e, Entry::JobDeleted { by: DeletedBy::CronJobDeleted, .. }));
    assert_eq!(cascade.len(), 1);
    assert!(out.summary.final_state.cronjobs.is_empty());
    assert!(out.summary.final_state.jobs.is_empty());
    assert!(out.summary.final_state.pods_by_phase.is_empty());
}

#[test]
fn clock_skew_moves_creation_timestamps_but_not_the_schedule() {
    let sc = scenario("10:06:00", "clockSkew: 3s", &[workload(&cronjob("skew", "*/5 * * * *", "", ""), "")]);
    let out = run(&sc);
    let got = created(&out);
    assert_eq!(got[0].0, at("10:05:00.100"));
    let job = out.summary.final_state.jobs.values().next().unwrap();
    assert_eq!(job.metadata.creation_timestamp, Some(at("10:04:57")));
}

#[test]
fn informer_lag_delays_the_reaction_to_a_finished_job() {
    let w = workload(&cronjob("lag", "*/5 * * * *", "concurrencyPolicy: Forbid", ""), "duration: 7m");
    let prompt = run(&scenario("10:14:00", "", std::slice::from_ref(&w)));
    let lagged = run(&scenario("10:14:00", "informerLag: 2s", &[w]));
    let (p, l) = (created(&prompt), created(&lagged));
    assert_eq!(p.len(), 2);
    assert_eq!(l.len(), 2);
    assert!(l[1].0.since(p[1].0) >= 2_000, "{:?} vs {:?}", p[1], l[1]);
}

#[test]
fn a_job_whose_pod_ends_during_downtime_finishes_when_the_controllers_return() {
    let sc = scenario(
        "10:22:00",
        "downtime:\n  - {start: \"2025-03-03T10:05:30Z\", end: \"2025-03-03T10:20:00Z\"}",
        &[workload(&cronjob("down", "*/5 * * * *", "", ""), "duration: 1m")],
    );
    let out = run(&sc);
    let pod_done = find(&out, |e| matches!(e, Entry::PodFinished { .. }));
    assert_eq!(pod_done[0].time, at("10:06:00.100"));
    let job_done = find(&out, |e| matches!(e, Entry::JobFinished { .. }));
    assert!(job_done[0].time >= at("10:20:00"), "{}", job_done[0].time);
    let got = created(&out);
    assert_eq!((got[1].0, got[1].2), (at("10:20:00"), Some(at("10:20:00"))));
}

#[test]
fn the_store_stays_small_over_three_days_of_minutely_jobs() {
    let sc = {
        let mut s =
            scenario("10:01:00", "", &[workload(&cronjob("m", "* * * * *", "", ""), "duration: 20s")]);
        s.horizon.end = at("10:00:00").add(3 * 24 * 3600 * 1000);
        s
    };
    let mut days = Vec::new();
    let mut progress = |t: Time| days.push(t);
    let summary = simulate(&sc, SimOptions { progress: Some(&mut progress), threads: 0 }).unwrap().summary;
    assert!(summary.final_state.jobs.len() <= 4, "{}", summary.final_state.jobs.len());
    let pods: u64 = summary.final_state.pods_by_phase.values().sum();
    assert!(pods <= 4, "{pods} pods left");
    assert_eq!(summary.final_state.pods_by_phase.get(&format!("{:?}", PodPhase::Failed)), None);
    assert!(days.len() >= 2 && days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
}

#[test]
fn a_running_job_from_the_cluster_keeps_running_and_blocks_forbid() {
    let manifest = cronjob("live", "*/5 * * * *", "concurrencyPolicy: Forbid", "").replace(
        "      status:\n        lastScheduleTime: \"2025-03-03T10:00:00Z\"\n",
        "      status:\n        lastScheduleTime: \"2025-03-03T10:00:00Z\"\n        active:\n          - {kind: Job, name: live-29016600, namespace: default}\n",
    );
    let job = "      - apiVersion: batch/v1\n        kind: Job\n        metadata:\n          name: live-29016600\n          namespace: default\n          creationTimestamp: \"2025-03-03T10:00:00Z\"\n          ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: live, controller: true}]\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: main, image: busybox}]\n";
    // The manifest becomes a list: the CronJob, then its Job.
    let list = format!(
        "      -\n{}{job}",
        manifest.replace("\n      ", "\n        ").replacen("      ", "        ", 1)
    );
    let out = run(&scenario("10:09:00", "", &[workload(&list, "duration: 7m")]));
    assert!(events(&out, "UnexpectedJob").is_empty());
    assert_eq!(events(&out, "JobAlreadyActive").first().map(|r| r.time), Some(at("10:05:00.100")));
    let got = created(&out);
    // The seeded Job, then the delayed 10:05 run after it finishes (~10:07).
    assert_eq!(got.len(), 2, "{got:?}");
    let seeded = find(&out, |e| matches!(e, Entry::JobCreated { seeded: true, .. }));
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0].time, at("10:00:00"));
    assert_eq!(got[1].2, Some(at("10:05:00")));
    assert!(got[1].0 > at("10:07:00") && got[1].0 < at("10:07:05"), "{:?}", got[1]);
}

#[test]
fn a_stale_cache_creates_a_job_after_suspend_and_its_status_write_conflicts() {
    let w = with_changes(
        workload(&cronjob("stale", "*/5 * * * *", "", ""), ""),
        &["{at: \"2025-03-03T10:04:59Z\", suspend: true}"],
    );
    let out = run(&scenario("10:12:00", "informerLag: 3s", &[w]));
    // The 10:05 timer fires before the suspend reaches the cache.
    let got = created(&out);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, at("10:05:00.100"));
    // The status write from the stale copy conflicts and is retried with
    // backoff until the cache catches up; then the CronJob is suspended.
    let retries = find(&out, |e| matches!(e, Entry::Sync { retry_at: Some(_), .. }));
    assert!(!retries.is_empty());
    let suspended = find(&out, |e| {
        matches!(e, Entry::Sync { decision: Some(cronwarp::policy::cronjob::Decision::Suspended), .. })
    });
    assert!(suspended.first().is_some_and(|r| r.time >= at("10:05:02")), "{suspended:?}");
}

#[test]
fn a_schedule_edit_only_sets_a_timer_for_the_new_schedules_next_tick() {
    let w = with_changes(
        workload(&cronjob("edit", "*/5 * * * *", "", ""), ""),
        &["{at: \"2025-03-03T10:02:30Z\", schedule: \"*/2 * * * *\"}"],
    );
    let out = run(&scenario("10:05:00", "", &[w]));
    let got = created(&out);
    // No sync at the edit: the 10:02 tick of the new schedule is never run.
    assert_eq!(got.first().map(|c| (c.0, c.2)), Some((at("10:04:00.100"), Some(at("10:04:00")))), "{got:?}");
    let syncs =
        find(&out, |e| matches!(e, Entry::Sync { controller: cronwarp::sim::log::Controller::Cronjob, .. }));
    assert!(syncs.iter().all(|r| r.time < at("10:02:30") || r.time >= at("10:04:00.100")));
}

#[test]
fn an_invalid_schedule_edit_is_rejected_by_the_api_server() {
    let w = with_changes(
        workload(&cronjob("bad", "*/5 * * * *", "", ""), ""),
        &["{at: \"2025-03-03T10:02:00Z\", schedule: \"*/5 * * *\"}"],
    );
    let out = run(&scenario("10:06:00", "", &[w]));
    let rejected = find(&out, |e| matches!(e, Entry::Fault(Fault::SpecChangeRejected { .. })));
    assert_eq!(rejected.len(), 1);
    assert!(events(&out, "UnParseableCronJobSchedule").is_empty());
    // The old schedule keeps running.
    assert_eq!(created(&out).first().map(|c| c.0), Some(at("10:05:00.100")));
}

#[test]
fn a_cronjob_deleted_during_downtime_loses_its_jobs_when_the_garbage_collector_returns() {
    let w = with_changes(
        workload(&cronjob("gc", "*/5 * * * *", "", ""), "duration: 1m"),
        &["{at: \"2025-03-03T10:08:00Z\", delete: true}"],
    );
    let out = run(&scenario(
        "10:30:00",
        "downtime:\n  - {start: \"2025-03-03T10:07:00Z\", end: \"2025-03-03T10:20:00Z\"}",
        &[w],
    ));
    let cascade = find(&out, |e| matches!(e, Entry::JobDeleted { by: DeletedBy::CronJobDeleted, .. }));
    assert_eq!(cascade.len(), 1);
    assert_eq!(cascade[0].time, at("10:20:00"));
    assert!(out.summary.final_state.jobs.is_empty());
}

#[test]
fn a_zero_length_downtime_is_a_restart_that_resyncs_everything() {
    let out = run(&scenario(
        "10:12:00",
        "downtime:\n  - {at: \"2025-03-03T10:07:00Z\", for: 0}",
        &[workload(&cronjob("r", "*/5 * * * *", "", ""), "")],
    ));
    let resync =
        find(&out, |e| matches!(e, Entry::Sync { controller: cronwarp::sim::log::Controller::Cronjob, .. }));
    assert!(resync.iter().any(|r| r.time == at("10:07:00")));
    let got = created(&out);
    assert_eq!(got.iter().map(|c| c.0).collect::<Vec<_>>(), vec![at("10:05:00.100"), at("10:10:00.100")]);
}
