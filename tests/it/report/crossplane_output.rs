//! What the report shows of CronOperations: the text, Markdown and JSON
//! renderings, the SVG timeline, `expect:` checks, and one simulated run
//! streamed through the accountant.

use crate::support::crossplane_log::*;
use crate::support::t;
use cronwarp::model::Time;
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::report::{Accountant, Report, ReportInput, TickOutcome};
use cronwarp::schedule::Zone;
use cronwarp::sim::WorkloadKind;
use cronwarp::sim::log::{DeletedBy, Entry, Record};

mod rendering {
    use super::*;
    use cronwarp::report::{render_markdown, render_text};

    /// A CronJob, the CronOperation `nightly` (one Operation that
    /// exhausted its retryLimit) and a CRON_TZ CronOperation, in key order.
    fn one_of_each() -> Report {
        let metas = vec![
            meta(WorkloadKind::CronJob, "default/cj", "0 * * * *", "Allow"),
            meta(WorkloadKind::CronOperation, CO, "0 * * * *", "Allow"),
            meta(WorkloadKind::CronOperation, "paris", "CRON_TZ=Europe/Paris 0 3 * * *", "Forbid"),
        ];
        let header = accountant(metas[0].clone()).finish().header;
        let mut a = Accountant::new(ReportInput { header, local_zone: Zone::Utc, workloads: metas });
        let op = create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        finish(&mut a, "2025-03-03T01:00:40Z", &op, false, "failure limit of 5 reached");
        a.finish()
    }

    #[test]
    fn json_marks_cronoperations_and_leaves_cronjobs_unchanged() {
        let r = one_of_each();
        let json = serde_json::to_value(&r).unwrap();
        let items = json["workloads"].as_array().unwrap();
        assert_eq!(items[1]["kind"], "CronOperation");
        assert_eq!(items[1]["outcomes"]["retryLimitExhausted"], 1);
        assert!(items[1]["outcomes"].get("lostAttempts").is_none(), "zero counts are skipped");
        assert!(items[0].get("kind").is_none(), "a CronJob's JSON has no kind");
        assert!(items[0]["outcomes"].get("retryLimitExhausted").is_none());
        assert_eq!(items[2]["zone"], "Europe/Paris", "CRON_TZ sets the slots' zone");
        assert_eq!(json["schemaVersion"], 2);
        assert!(json.get("cronjobs").is_none(), "schema version 2 names them workloads");
    }

    #[test]
    fn text_and_markdown_speak_of_cronoperations_and_operations() {
        let r = one_of_each();
        let text = render_text(&r);
        assert!(text.contains("CronOperation nightly\n"), "{text}");
        assert!(text.contains("Operations:"), "{text}");
        assert!(text.contains("1 failed with retryLimit exhausted"), "{text}");
        assert!(text.contains("in Europe/Paris"), "{text}");
        assert!(text.contains("CronJob default/cj"), "{text}");
        let md = render_markdown(&r);
        assert!(md.contains("## CronOperation nightly"), "{md}");
        assert!(md.contains("| tick (local) | outcome | late by | operation | why |"), "{md}");
    }
}

mod expectations {
    use super::*;
    use cronwarp::report::apply_expectations;
    use cronwarp::sim::scenario::Expect;

    #[test]
    fn expect_blocks_judge_cronoperations_like_cronjobs() {
        let mut a = xp("0 * * * *", "Allow", Some(600));
        create(&mut a, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        let slot = t("2025-03-03T02:00:00Z");
        sync(
            &mut a,
            "2025-03-03T02:30:00Z",
            CronDecision::MissedDeadline { slot, deadline: slot.add(600_000) },
        );
        let mut r = a.finish();
        let expect = Expect { no_missed_runs: Some(true), min_jobs: Some(2), ..Expect::default() };
        apply_expectations(&expect, &mut r);
        assert_eq!(r.expectations_checked, 2);
        let msgs: Vec<(&str, &str, &str)> = r
            .violations
            .iter()
            .map(|v| (v.expectation.as_str(), v.cronjob.as_str(), v.message.as_str()))
            .collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!((msgs[0].0, msgs[0].1), ("noMissedRuns", CO));
        assert!(
            msgs[0].2.starts_with("4 of 5 ticks were not started; first: 2025-03-03T02:00:00Z"),
            "{}",
            msgs[0].2
        );
        assert!(msgs[0].2.contains("bug B1"), "{}", msgs[0].2);
        assert_eq!(msgs[1].2, "1 Operations were created, fewer than 2");
    }
}

mod timeline {
    use super::*;
    use cronwarp::report::svg::timeline_svg;

    #[test]
    fn the_svg_timeline_draws_operations_and_the_pause() {
        let mut log: Vec<Record> = Vec::new();
        let op1 = create(&mut log, "2025-03-03T01:00:00Z", "2025-03-03T01:00:00Z");
        run_ok(&mut log, "2025-03-03T01:00:00Z", "2025-03-03T01:00:30Z", &op1);
        let op2 = create(&mut log, "2025-03-03T02:00:00Z", "2025-03-03T02:00:00Z");
        finish(&mut log, "2025-03-03T02:00:40Z", &op2, false, "failure limit of 5 reached");
        feed(
            &mut log,
            "2025-03-03T03:00:00Z",
            Entry::OperationDeleted { operation: op1.into(), by: DeletedBy::HistoryGc },
        );
        change(&mut log, "2025-03-03T03:30:00Z", "crossplane.io/paused=true");
        change(&mut log, "2025-03-03T04:30:00Z", "crossplane.io/paused removed");
        let m = meta(WorkloadKind::CronOperation, CO, "0 * * * *", "Allow");
        let svg = timeline_svg(&log, &m);
        assert!(svg.contains("<title>CronOperation nightly timeline</title>"), "{}", &svg[..300]);
        assert!(svg.contains("aria-label=\"CronOperation nightly\""));
        assert!(svg.contains("2 Operations · 5 ticks, 3 without an Operation · 1 deletions"));
        assert!(svg.contains("Crossplane pod zone UTC"));
        assert!(svg.contains("aria-label=\"failed (retryLimit…)\""));
        assert!(svg.contains("aria-label=\"tick without an Operation\""));
        assert!(!svg.contains("aria-label=\"DeadlineExceeded\""), "Operations have no activeDeadlineSeconds");
        assert!(svg.contains("aria-label=\"paused by annotation\""), "the pause is shaded");
    }
}

mod end_to_end {
    use super::*;
    use cronwarp::sim::{Scenario, SimOptions, simulate_into};

    const OUTAGE: &str = r#"
horizon: {start: "2025-03-03T00:00:00Z", end: "2025-03-03T07:30:00Z"}
seed: 1
controller:
  downtime: [{start: "2025-03-03T01:30:00Z", end: "2025-03-03T05:10:00Z"}]
workloads:
  - manifest:
      apiVersion: ops.crossplane.io/v1alpha1
      kind: CronOperation
      metadata: {name: hourly, creationTimestamp: "2025-03-01T00:00:00Z"}
      spec:
        schedule: "0 * * * *"
        operationTemplate:
          spec:
            mode: Pipeline
            pipeline: [{step: run, functionRef: {name: function-dummy}}]
      status: {lastScheduleTime: "2025-03-03T00:00:00Z"}
    behaviour: {duration: 30s}
"#;

    /// The simulator's records, streamed into the accountant, give the
    /// docs/fidelity/crossplane.md#xp-18 trace: 02:00 runs at 05:10, 03:00–05:00 are dropped.
    #[test]
    fn a_simulated_outage_reads_as_crossplanes_earliest_slot_catch_up() {
        let scenario = Scenario::from_yaml(OUTAGE, "inline").unwrap();
        let mut acc = Accountant::new(ReportInput::from_scenario("inline", &scenario).unwrap());
        simulate_into(&scenario, &mut acc, SimOptions::default()).unwrap();
        let r = acc.finish();
        let co = &r.workloads[0];
        assert_eq!((co.name.as_str(), co.kind), ("hourly", WorkloadKind::CronOperation));
        let c = &co.ticks;
        assert_eq!((c.total, c.on_time, c.late, c.not_started, c.pending), (7, 3, 1, 3, 0));
        let late = co.exceptions.iter().find(|x| x.outcome == TickOutcome::Late).unwrap();
        assert_eq!(late.tick, Time::parse_rfc3339("2025-03-03T02:00:00Z").unwrap());
        assert_eq!(late.job.as_deref(), Some("hourly-1740967200"));
        let dropped: Vec<&str> = co
            .exceptions
            .iter()
            .filter(|x| x.outcome == TickOutcome::NotStarted)
            .map(|x| x.why.as_str())
            .collect();
        assert_eq!(dropped.len(), 3);
        assert!(dropped.iter().all(|w| w.contains("cursor jumped to the new Operation's creation time")));
        assert_eq!((co.outcomes.created, co.outcomes.succeeded), (4, 4));
    }
}
