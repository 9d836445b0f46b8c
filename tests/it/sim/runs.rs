//! End-to-end runs of the simulator: timing of the CronJob controller,
//! downtime catch-up, Forbid, TTL and history GC, determinism and stream
//! independence.

use crate::support::sim::*;
use cronwarp::model::Time;
use cronwarp::sim::log::{DeletedBy, Entry};

#[test]
fn every_five_minutes_for_an_hour_creates_twelve_jobs_at_tick_plus_100ms() {
    let sc = scenario("11:00:00.500", "", &[workload(&cronjob("report", "*/5 * * * *", "", ""), "")]);
    let out = run(&sc);
    let got = created(&out);
    assert_eq!(got.len(), 12, "{got:?}");
    for (i, (t, job, sched)) in got.iter().enumerate() {
        let tick = at("10:05:00").add(i as i64 * 300_000);
        assert_eq!(*sched, Some(tick));
        assert_eq!(*t, tick.add(100), "job {job}");
        assert_eq!(job, &format!("default/report-{}", tick.unix() / 60));
    }
    assert_eq!(
        events(&out, "SuccessfulCreate")
            .iter()
            .filter(|r| matches!(&r.entry, Entry::Event(e) if e.object.starts_with("CronJob/")))
            .count(),
        12
    );
}

#[test]
fn downtime_from_10_02_to_10_31_creates_one_catch_up_job_for_10_30_at_10_31() {
    let sc = scenario(
        "10:40:00",
        "downtime:\n  - start: \"2025-03-03T10:02:00Z\"\n    end: \"2025-03-03T10:31:00Z\"",
        &[workload(&cronjob("report", "*/5 * * * *", "", ""), "")],
    );
    let out = run(&sc);
    let got = created(&out);
    let times: Vec<(Time, Option<Time>)> = got.iter().map(|(t, _, s)| (*t, *s)).collect();
    assert_eq!(
        times,
        vec![(at("10:31:00"), Some(at("10:30:00"))), (at("10:35:00.100"), Some(at("10:35:00")))]
    );
    let faults = find(&out, |e| matches!(e, Entry::Fault(_)));
    assert_eq!(faults.len(), 2);
    assert_eq!(faults[0].time, at("10:02:00"));
    assert_eq!(faults[1].time, at("10:31:00"));
}

#[test]
fn forbid_with_a_job_longer_than_the_period_delays_the_next_run() {
    let sc = scenario(
        "10:14:00",
        "",
        &[workload(&cronjob("long", "*/5 * * * *", "concurrencyPolicy: Forbid", ""), "duration: 7m")],
    );
    let out = run(&sc);
    let skipped = events(&out, "JobAlreadyActive");
    assert_eq!(skipped.first().map(|r| r.time), Some(at("10:10:00.100")));
    let got = created(&out);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0, at("10:05:00.100"));
    // The 10:10 run starts right after the first Job finishes (~10:12:01).
    assert_eq!(got[1].2, Some(at("10:10:00")));
    assert!(got[1].0 > at("10:12:00.100") && got[1].0 < at("10:12:05"), "{:?}", got[1]);
}

#[test]
fn ttl_after_finished_deletes_the_job_a_minute_after_it_finishes() {
    let sc = scenario(
        "10:08:00",
        "",
        &[workload(&cronjob("ttl", "*/5 * * * *", "", "ttlSecondsAfterFinished: 60"), "")],
    );
    let out = run(&sc);
    let finished = find(&out, |e| matches!(e, Entry::JobFinished { .. }));
    assert_eq!(finished.len(), 1);
    let deleted = find(&out, |e| matches!(e, Entry::JobDeleted { by: DeletedBy::Ttl, .. }));
    assert_eq!(deleted.len(), 1);
    let lag = deleted[0].time.since(finished[0].time);
    assert!((59_000..=61_000).contains(&lag), "deleted {lag} ms after finishing");
    assert!(out.summary.final_state.jobs.is_empty());
    let removed = find(&out, |e| matches!(e, Entry::JobRemoved { .. }));
    assert_eq!(removed.len(), 1);
}

#[test]
fn history_gc_keeps_three_succeeded_and_one_failed_job() {
    let sc = scenario(
        "10:20:30",
        "",
        &[workload(
            &cronjob("gc", "* * * * *", "", "backoffLimit: 0"),
            "runs:\n  1: [fail]\n  3: [fail]\n  5: [fail]",
        )],
    );
    let out = run(&sc);
    let jobs = &out.summary.final_state.jobs;
    let complete = jobs.values().filter(|j| j.is_complete()).count();
    let failed = jobs.values().filter(|j| j.is_finished() && !j.is_complete()).count();
    assert_eq!((complete, failed), (3, 1), "{:?}", jobs.keys().collect::<Vec<_>>());
    let gc = find(&out, |e| matches!(e, Entry::JobDeleted { by: DeletedBy::HistoryGc, .. }));
    assert!(gc.len() >= 14, "{} GC deletions", gc.len());
}

fn random_workload(name: &str) -> String {
    workload(
        &cronjob(name, "*/2 * * * *", "", ""),
        "duration:\n  uniform: {min: 5s, max: 90s}\nfailureProbability: 0.3",
    )
}

#[test]
fn two_runs_of_the_same_scenario_write_identical_logs() {
    let sc = scenario("12:00:00", "", &[random_workload("a"), random_workload("b")]);
    let first = lines(&run(&sc));
    let second = lines(&run(&sc));
    assert!(first.len() > 100);
    assert_eq!(first, second);
}

/// `(pod, run time in ms)` of every finished pod of one CronJob.
fn pod_runtimes(out: &cronwarp::sim::SimOutput, prefix: &str) -> Vec<(String, i64)> {
    let mut started = std::collections::BTreeMap::new();
    let mut res = Vec::new();
    for r in &out.log {
        match &r.entry {
            Entry::PodStarted { pod, job } if job.starts_with(prefix) => {
                started.insert(pod.clone(), r.time);
            }
            Entry::PodFinished { pod, job, .. } if job.starts_with(prefix) => {
                if let Some(s) = started.get(pod) {
                    res.push((job.to_string(), r.time.since(*s)));
                }
            }
            _ => {}
        }
    }
    res
}

#[test]
fn adding_a_cronjob_does_not_change_another_cronjobs_pod_durations() {
    let alone = run(&scenario("11:00:00", "", &[random_workload("a")]));
    let with_other = run(&scenario("11:00:00", "", &[random_workload("z"), random_workload("a")]));
    let a1 = pod_runtimes(&alone, "default/a-");
    let a2 = pod_runtimes(&with_other, "default/a-");
    assert!(a1.len() > 10);
    assert_eq!(a1, a2);
}

#[test]
fn the_streaming_sink_writes_the_same_lines_as_the_in_memory_log() {
    use cronwarp::sim::log::JsonLines;
    let sc = scenario("10:30:00", "", &[random_workload("s")]);
    let mut sink = JsonLines::new(Vec::new());
    let summary = cronwarp::sim::simulate_into(&sc, &mut sink, Default::default()).unwrap();
    let text = String::from_utf8(sink.into_inner()).unwrap();
    let streamed: Vec<&str> = text.lines().collect();
    let kept = lines(&run(&sc));
    assert_eq!(streamed, kept);
    assert_eq!(summary.records as usize, kept.len());
}
