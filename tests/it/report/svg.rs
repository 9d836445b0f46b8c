//! The per-CronJob SVG timeline: rendered from real simulator runs.

use crate::support::snapshots;
use cronwarp::model::{MINUTE, SECOND, Time};
use cronwarp::policy::Propagation;
use cronwarp::report::svg::{BUCKETS, timeline_svg};
use cronwarp::sim::log::{DeletedBy, Entry, Record};
use cronwarp::sim::{Scenario, SimOptions, SimOutput, WorkloadKind, WorkloadMeta, simulate};
use std::path::Path;

fn run(file: &str) -> SimOutput {
    let sc = Scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(file))
        .unwrap_or_else(|e| panic!("{e}"));
    simulate(&sc, SimOptions::default()).unwrap()
}

fn jobs_created(out: &SimOutput) -> usize {
    out.log.iter().filter(|r| matches!(r.entry, Entry::JobCreated { .. })).count()
}

/// `<rect` elements filled with one of the five outcome colours.
fn outcome_rects(svg: &str) -> usize {
    const FILLS: [&str; 5] = ["#2CA02C", "#D62728", "#FF7F0E", "#999999", "#1F77B4"];
    svg.lines()
        .filter(|l| l.starts_with("<rect") && FILLS.iter().any(|f| l.contains(&format!("fill=\"{f}\""))))
        .count()
}

#[test]
fn the_downtime_scenario_renders_one_bar_per_job_plus_legend_swatches() {
    let out = run("downtime-catchup.yaml");
    let meta = &out.summary.workloads[0];
    let svg = timeline_svg(&out.log, meta);
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.trim_end().ends_with("</svg>"));
    for (open, close) in [("<g ", "</g>"), ("<defs>", "</defs>"), ("<svg ", "</svg>")] {
        assert_eq!(svg.matches(open).count(), svg.matches(close).count(), "{open} balanced");
    }
    assert!(svg.contains("<title>CronJob default/report timeline</title>"));
    assert!(svg.contains("aria-label=\"CronJob default/report\""));
    // No viewer font is involved: every piece of text is glyph outlines.
    assert!(!svg.contains("<text"));
    assert!(!svg.contains("font-family"));
    let jobs = jobs_created(&out);
    assert!(jobs >= 6, "{jobs}");
    assert_eq!(outcome_rects(&svg), jobs + 5, "one rect per Job plus five legend swatches");
    // The downtime window is shaded and named in the legend.
    assert!(svg.contains("fill=\"#F2A0A0\""));
    assert!(svg.contains("aria-label=\"controller downtime\""));
    // Five ticks were lost to the downtime (10:05-10:25).
    assert!(svg.contains("5 without a Job"), "subtitle");
}

#[test]
fn rendering_twice_gives_the_same_bytes() {
    let out = run("forbid-long-jobs.yaml");
    let meta = &out.summary.workloads[0];
    let a = timeline_svg(&out.log, meta);
    let b = timeline_svg(&run("forbid-long-jobs.yaml").log, meta);
    assert_eq!(a, b);
    assert!(a.contains("aria-label=\"CronJob data/etl\""));
}

#[test]
fn eight_months_of_daily_jobs_stay_small() {
    let out = run("dst-new-york.yaml");
    for meta in &out.summary.workloads {
        let svg = timeline_svg(&out.log, meta);
        assert!(svg.len() < 400_000, "{} bytes", svg.len());
        assert!(svg.contains(&format!("aria-label=\"CronJob {}\"", meta.key)));
    }
}

#[test]
fn downtime_timeline_snapshot() {
    let out = run("downtime-catchup.yaml");
    let svg = timeline_svg(&out.log, &out.summary.workloads[0]);
    // Named as it was when this file was a test binary of its own, whose
    // module path `report_svg` insta prepended.
    snapshots::settings().bind(|| insta::assert_snapshot!("report_svg__report_svg_downtime_catchup", svg));
}

/// A year-long horizon of a minutely CronJob with 50,000 Jobs (each
/// created, finished and garbage-collected), built directly as log records.
fn minutely_year() -> (Vec<Record>, WorkloadMeta) {
    let start = Time::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let meta = WorkloadMeta {
        key: "default/every-minute".into(),
        kind: WorkloadKind::CronJob,
        schedule: "* * * * *".into(),
        time_zone: None,
        local_zone: "UTC".into(),
        concurrency_policy: "Allow".into(),
        starting_deadline_seconds: None,
        suspended: false,
        horizon_start: start,
        horizon_end: Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap(),
        phase_origin: None,
        pod_requests: Default::default(),
        name_cursor: false,
        more_schedules: Vec::new(),
    };
    let mut log = Vec::new();
    for i in 1..=50_000i64 {
        let tick = start.add(i * MINUTE);
        let job: smol_str::SmolStr = format!("default/every-minute-{}", tick.unix() / 60).into();
        let entry = Entry::JobCreated {
            job: job.clone(),
            cronjob: meta.key.as_str().into(),
            scheduled_time: Some(tick),
            uid: Default::default(),
            seeded: false,
        };
        log.push(Record { time: tick.add(100), entry });
        let (condition, reason) =
            if i % 97 == 0 { ("Failed", "BackoffLimitExceeded") } else { ("Complete", "") };
        let entry = Entry::JobFinished {
            job: job.clone(),
            condition: condition.into(),
            reason: reason.into(),
            message: Default::default(),
            finished_at: Some(tick.add(20 * SECOND)),
        };
        log.push(Record { time: tick.add(20 * SECOND), entry });
        let entry = Entry::JobDeleted { job, by: DeletedBy::HistoryGc, propagation: Propagation::Background };
        log.push(Record { time: tick.add(MINUTE + 100), entry });
    }
    (log, meta)
}

#[test]
fn a_year_of_minutely_ticks_is_aggregated_into_a_bounded_document() {
    let (log, meta) = minutely_year();
    let svg = timeline_svg(&log, &meta);
    assert!(svg.len() < 300_000, "{} bytes", svg.len());
    let rects = svg.lines().filter(|l| l.starts_with("<rect")).count();
    assert!(rects < 4 * BUCKETS + 40, "{rects} rects");
    assert!(svg.contains("aggregated: Jobs created per 29h12m0s"), "bucket width in the subtitle");
    assert!(svg.contains("525599 ticks, 475599 without a Job"));
    assert_eq!(svg, timeline_svg(&log, &meta));
}

#[test]
fn an_empty_log_with_a_bad_schedule_and_no_horizon_still_renders() {
    let t = Time::parse_rfc3339("2025-03-03T10:00:00Z").unwrap();
    let meta = WorkloadMeta {
        key: "default/broken".into(),
        kind: WorkloadKind::CronJob,
        schedule: "61 * * * *".into(),
        time_zone: Some("Mars/Olympus".into()),
        local_zone: "UTC".into(),
        concurrency_policy: "Allow".into(),
        starting_deadline_seconds: None,
        suspended: true,
        horizon_start: t,
        horizon_end: t,
        phase_origin: None,
        pod_requests: Default::default(),
        name_cursor: false,
        more_schedules: Vec::new(),
    };
    let svg = timeline_svg(&[], &meta);
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(!svg.contains("drawing failed"), "{svg}");
    assert!(svg.contains("0 Jobs · 0 ticks"));
    assert!(svg.contains("schedule &quot;61 * * * *&quot;: "), "the parse error is shown");
}

/// robfig's `Next` returns its argument on the Chatham fall-back night
/// (docs/fidelity/schedules.md#sch-9): the tick walk stops there and says so.
#[test]
fn ticks_stop_where_next_no_longer_advances() {
    let meta = WorkloadMeta {
        key: "default/chatham".into(),
        kind: WorkloadKind::CronJob,
        schedule: "45 3 * * *".into(),
        time_zone: Some("Pacific/Chatham".into()),
        local_zone: "UTC".into(),
        concurrency_policy: "Allow".into(),
        starting_deadline_seconds: None,
        suspended: false,
        horizon_start: Time::parse_rfc3339("2025-04-01T00:00:00Z").unwrap(),
        horizon_end: Time::parse_rfc3339("2025-04-10T00:00:00Z").unwrap(),
        phase_origin: None,
        pod_requests: Default::default(),
        name_cursor: false,
        more_schedules: Vec::new(),
    };
    let svg = timeline_svg(&[], &meta);
    // 14:00Z on April 1-5; `Next` from April 5 14:00Z returns it again.
    assert!(svg.contains("0 Jobs · 5 ticks, 5 without a Job"));
    assert!(svg.contains("Next stopped advancing at 2025-04-05T14:00:00Z"));
}

/// Every-minute Jobs (a twentieth failing) over `days`, with a suspended
/// day (ticks without a Job) and a downtime: the timelines built as the log
/// streams by, the most items they held at once, and the SVG.
fn streamed_minutely(days: i64) -> (usize, String) {
    use cronwarp::report::svg::Timelines;
    use cronwarp::sim::log::LogSink;
    let end = Time::parse_rfc3339("2025-03-01T00:00:00Z").unwrap().add(days * 86_400_000);
    let yaml = format!(
        "horizon: {{start: \"2025-03-01T00:00:00Z\", end: \"{}\"}}\nseed: 3\ncontroller:\n  downtime: [{{start: \"2025-03-02T01:00:00Z\", end: \"2025-03-02T03:00:00Z\"}}]\nworkloads:\n  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata: {{name: poller, namespace: default, creationTimestamp: \"2025-02-01T00:00:00Z\"}}\n      spec:\n        schedule: \"* * * * *\"\n        jobTemplate:\n          spec:\n            backoffLimit: 0\n            template:\n              spec:\n                restartPolicy: Never\n                containers: [{{name: poll, image: busybox}}]\n    behaviour: {{duration: 20s, failureProbability: 0.05}}\n    changes:\n      - {{at: \"2025-03-03T00:00:00Z\", suspend: true}}\n      - {{at: \"2025-03-04T00:00:00Z\", resume: true}}\n",
        end.rfc3339()
    );
    let sc = Scenario::from_yaml(&yaml, "minutely.yaml").unwrap_or_else(|e| panic!("{e}"));
    let metas = cronwarp::sim::cronjob_metas(&sc).unwrap();
    struct Peak {
        timelines: Timelines,
        most: usize,
        seen: u64,
    }
    impl LogSink for Peak {
        fn record(&mut self, r: Record) {
            self.timelines.feed(&r);
            self.seen += 1;
            if self.seen.is_multiple_of(64) {
                self.most = self.most.max(self.timelines.held());
            }
        }
    }
    let mut peak = Peak { timelines: Timelines::new(&metas), most: 0, seen: 0 };
    cronwarp::sim::simulate_into(&sc, &mut peak, SimOptions::default()).unwrap();
    let most = peak.most.max(peak.timelines.held());
    let svg = peak.timelines.finish_all().svg(&metas[0]).unwrap();
    (most, svg)
}

#[test]
fn timelines_built_as_the_log_streams_hold_the_same_whatever_the_horizon() {
    let (week, svg) = streamed_minutely(7);
    let (fortnight, _) = streamed_minutely(14);
    // Before, `--out` kept the whole log: about 20 records per Job, 200,000
    // records a week, twice that for two.
    assert!(week < 5_000, "{week} items held");
    assert!(fortnight <= week + week / 10, "{fortnight} items held over 14 days, {week} over 7");
    assert!(svg.contains("aggregated: Jobs created per"), "the histogram, not one bar per Job");
}
