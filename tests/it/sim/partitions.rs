//! Partitioned runs: one engine per independent CronJob, on any number of
//! threads, with one merged log or one accountant per partition. The output
//! must not depend on either choice. The fleet runs the ideal controller
//! (`capacity: {unlimited: true}`); with kube-controller-manager's capacity
//! modelled its CronJobs share one engine, in lanes, and the output is the
//! same while the capacity does not bind (`coupled_lanes`).

use crate::support::sim::*;
use cronwarp::report::{Accountant, ReportInput};
use cronwarp::sim::log::{Entry, Fault, LogSink, Record};
use cronwarp::sim::{Scenario, SimOptions, simulate, simulate_into, simulate_split};

/// Five CronJobs with different schedules, failures and policies, under a
/// downtime window and clock skew: every kind of shared input.
fn fleet(extra: &[String]) -> Scenario {
    let mut ws = vec![
        workload(&cronjob("a", "* * * * *", "", ""), "duration: 90s\nfailureProbability: 0.3"),
        workload(&cronjob("b", "*/2 * * * *", "concurrencyPolicy: Forbid", ""), "duration: 3m"),
        workload(&cronjob("c", "*/3 * * * *", "concurrencyPolicy: Replace", ""), "duration: 4m"),
        workload(
            &cronjob("d", "*/5 * * * *", "startingDeadlineSeconds: 30", "backoffLimit: 1"),
            "duration: 20s\nfailureProbability: 0.5",
        ),
        workload(&cronjob("e", "@every 7m", "", ""), "duration: 1m"),
    ];
    ws.extend(extra.iter().cloned());
    scenario(
        "13:00:00",
        "clockSkew: 2s\ncapacity: {unlimited: true}\ndowntime:\n  - {start: \"2025-03-03T10:31:30Z\", end: \"2025-03-03T10:52:00Z\"}",
        &ws,
    )
}

/// The fleet with kube-controller-manager's capacity modelled.
fn fleet_with_capacity(capacity: &str) -> Scenario {
    let mut sc = fleet(&[]);
    sc.controller.capacity = serde_json::from_str(capacity).unwrap();
    sc
}

mod coupled_lanes {
    use super::*;

    /// The workloads of one engine.
    #[derive(Debug, PartialEq)]
    struct Ws(Vec<usize>);

    impl LogSink for Ws {
        fn record(&mut self, _: Record) {}
    }

    #[test]
    fn one_engine_in_lanes_gives_the_partitioned_log_byte_for_byte_while_capacity_does_not_bind() {
        let ideal = log_with(&fleet(&[]), 2);
        let coupled = fleet_with_capacity("{}");
        let (_, parts) = simulate_split(&coupled, |ws| Ws(ws.to_vec()), SimOptions::default()).unwrap();
        assert_eq!(parts, vec![Ws(vec![0, 1, 2, 3, 4])]);
        let log = log_with(&coupled, 1);
        assert!(!log.iter().any(|l| l.contains("\"Throttled\"")));
        assert_eq!(log, ideal);
    }

    #[test]
    fn a_tight_client_limit_makes_syncs_wait_and_says_so() {
        let tight = fleet_with_capacity(r#"{"kubeApiQps": 0.05, "kubeApiBurst": 1}"#);
        let log = log_with(&tight, 1);
        let throttled = log.iter().filter(|l| l.contains("\"Throttled\"")).count();
        assert!(throttled > 10, "{throttled}");
        assert_ne!(log, log_with(&fleet(&[]), 1));
    }
}

fn log_with(sc: &Scenario, threads: usize) -> Vec<String> {
    let mut log: Vec<Record> = Vec::new();
    simulate_into(sc, &mut log, SimOptions { progress: None, threads }).unwrap();
    log.iter().map(Record::to_json_line).collect()
}

mod determinism {
    use super::*;

    #[test]
    fn the_merged_log_is_byte_identical_on_one_two_and_three_threads() {
        let sc = fleet(&[]);
        let one = log_with(&sc, 1);
        assert!(one.len() > 1000, "{}", one.len());
        assert_eq!(one, log_with(&sc, 2));
        assert_eq!(one, log_with(&sc, 3));
    }

    #[test]
    fn the_merged_log_is_in_time_order_with_each_fault_once() {
        let log: Vec<Record> = simulate(&fleet(&[]), SimOptions::default()).unwrap().log;
        assert!(log.windows(2).all(|w| w[0].time <= w[1].time));
        let count = |f: fn(&Fault) -> bool| {
            log.iter().filter(|r| matches!(&r.entry, Entry::Fault(x) if f(x))).count()
        };
        assert_eq!(count(|f| matches!(f, Fault::DowntimeStart { .. })), 1);
        assert_eq!(count(|f| matches!(f, Fault::DowntimeEnd { .. })), 1);
        assert_eq!(count(|f| matches!(f, Fault::ClockSkew { .. })), 1);
    }

    #[test]
    fn uids_stay_unique_across_partitions() {
        let log: Vec<Record> = simulate(&fleet(&[]), SimOptions::default()).unwrap().log;
        let mut uids: Vec<&str> = log
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::JobCreated { uid, .. } => Some(uid.as_str()),
                _ => None,
            })
            .collect();
        let n = uids.len();
        assert!(n > 100, "{n}");
        uids.sort_unstable();
        uids.dedup();
        assert_eq!(uids.len(), n);
    }
}

mod split_runs {
    use super::*;

    /// The report through one accountant of the merged log.
    fn merged_report(sc: &Scenario) -> String {
        let input = ReportInput::from_scenario("t", sc).unwrap();
        let mut acc = Accountant::new(input);
        simulate_into(sc, &mut acc, SimOptions::default()).unwrap();
        serde_json::to_string(&acc.finish()).unwrap()
    }

    /// The report through one accountant per partition, the fleet load
    /// gathered from them window by window.
    fn split(sc: &Scenario, threads: usize) -> String {
        let input = ReportInput::from_scenario("t", sc).unwrap();
        let (_, parts) =
            simulate_split(sc, |ws| Accountant::new(input.part(ws)), SimOptions { progress: None, threads })
                .unwrap();
        assert_eq!(parts.len(), sc.workloads.len());
        let report = split_report(sc, &input, threads);
        // Without the window hook the parts' report has no fleet load,
        // and otherwise the same accounts.
        let mut bare = Accountant::finish_parts(parts).unwrap();
        assert!(bare.fleet.is_none());
        bare.fleet = report.fleet.clone();
        assert_eq!(bare, report);
        serde_json::to_string(&report).unwrap()
    }

    #[test]
    fn accountants_per_partition_give_the_merged_logs_report() {
        let sc = fleet(&[]);
        let merged = merged_report(&sc);
        assert!(merged.contains("\"name\":\"default/e\""));
        assert!(merged.contains("\"fleet\":{\"maxJobs\""), "several workloads: a fleet load");
        assert_eq!(merged, split(&sc, 1));
        assert_eq!(merged, split(&sc, 2));
    }

    /// Counts records and downtime faults.
    #[derive(Default)]
    struct Count {
        records: u64,
        downtime: u64,
    }

    impl LogSink for Count {
        fn record(&mut self, r: Record) {
            self.records += 1;
            if matches!(r.entry, Entry::Fault(Fault::DowntimeStart { .. })) {
                self.downtime += 1;
            }
        }
    }

    #[test]
    fn every_partition_sink_sees_the_downtime_and_the_records_add_up() {
        let sc = fleet(&[]);
        let (summary, parts) = simulate_split(&sc, |_| Count::default(), SimOptions::default()).unwrap();
        assert!(parts.iter().all(|c| c.downtime == 1));
        let total: u64 = parts.iter().map(|c| c.records).sum();
        assert_eq!(total, summary.records);
        // The merged log writes the shared faults once, not per partition.
        let merged = simulate(&sc, SimOptions::default()).unwrap();
        let shared = parts.len() as u64 - 1;
        assert_eq!(merged.summary.records + 3 * shared, total, "downtime start and end, clock skew: once");
    }
}

mod partition_plan {
    use super::*;

    /// Remembers which workloads its partition holds.
    #[derive(Debug, PartialEq)]
    struct Members(Vec<usize>);

    impl LogSink for Members {
        fn record(&mut self, _: Record) {}
    }

    fn plan(sc: &Scenario) -> Vec<Members> {
        simulate_split(sc, |ws| Members(ws.to_vec()), SimOptions::default()).unwrap().1
    }

    /// A seeded Job of workload `f` that names CronJob `a` as its owner.
    fn foreign_job() -> String {
        let job = "      - apiVersion: batch/v1\n        kind: Job\n        metadata:\n          name: f-1\n          namespace: default\n          creationTimestamp: \"2025-03-03T10:00:00Z\"\n          ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: a, uid: x, controller: true}]\n        spec:\n          template:\n            spec:\n              restartPolicy: Never\n              containers: [{name: main, image: busybox}]\n";
        let manifest = cronjob("f", "*/10 * * * *", "", "");
        let list = format!(
            "      -\n{}{job}",
            manifest.replace("\n      ", "\n        ").replacen("      ", "        ", 1)
        );
        workload(&list, "duration: 1m")
    }

    #[test]
    fn a_job_owned_across_workloads_puts_all_in_one_partition() {
        let sc = fleet(&[foreign_job()]);
        assert_eq!(plan(&sc), vec![Members(vec![0, 1, 2, 3, 4, 5])]);
    }

    #[test]
    fn independent_workloads_get_one_partition_each() {
        let sc = fleet(&[]);
        assert_eq!(plan(&sc), (0..5).map(|i| Members(vec![i])).collect::<Vec<_>>());
    }
}

/// A fleet of CronOperations (the fleet above, converted): the Crossplane
/// pod's controllers partition by ownership like kube-controller-manager's.
mod crossplane_fleet {
    use super::*;
    use cronwarp::sim::scenario::convert::both_forms;

    fn xp_fleet() -> Scenario {
        both_forms(&fleet(&[])).unwrap().crossplane
    }

    #[derive(Debug, PartialEq)]
    struct Members(Vec<usize>);

    impl LogSink for Members {
        fn record(&mut self, _: Record) {}
    }

    #[test]
    fn each_cronoperation_is_its_own_partition() {
        let sc = xp_fleet();
        let (_, parts) = simulate_split(&sc, |ws| Members(ws.to_vec()), SimOptions::default()).unwrap();
        assert_eq!(parts, (0..5).map(|i| Members(vec![i])).collect::<Vec<_>>());
    }

    #[test]
    fn the_merged_log_and_the_report_do_not_depend_on_threads() {
        let sc = xp_fleet();
        let one = log_with(&sc, 1);
        assert!(one.iter().filter(|l| l.contains("OperationCreated")).count() > 50, "{}", one.len());
        assert_eq!(one, log_with(&sc, 2));
        assert_eq!(one, log_with(&sc, 3));
        let input = ReportInput::from_scenario("t", &sc).unwrap();
        let mut acc = Accountant::new(input.clone());
        simulate_into(&sc, &mut acc, SimOptions::default()).unwrap();
        let merged = serde_json::to_string(&acc.finish()).unwrap();
        for threads in [1, 2] {
            assert_eq!(merged, serde_json::to_string(&split_report(&sc, &input, threads)).unwrap());
        }
    }
}

mod command_line {
    use crate::support::cli::cronwarp;
    use crate::support::scratch::ScratchDir;

    const FLEET: &str = "scenarios/history-limits-ttl.yaml";

    #[test]
    fn threads_change_neither_the_report_nor_the_event_log() {
        let scratch = ScratchDir::created("threads");
        let dir = scratch.path();
        let mut outs = Vec::new();
        for n in ["1", "2", "3"] {
            let ev = dir.join(format!("events-{n}.jsonl"));
            let with_log = cronwarp(&[
                "run",
                FLEET,
                "--threads",
                n,
                "--format",
                "json",
                "--events",
                ev.to_str().unwrap(),
            ]);
            let split = cronwarp(&["run", FLEET, "--threads", n, "--format", "json"]);
            assert_eq!(with_log.code, 0, "{}", with_log.stderr);
            // The split path (no log) and the merged path give one report.
            assert_eq!(split.stdout, with_log.stdout);
            outs.push((split.stdout, std::fs::read_to_string(&ev).unwrap()));
        }
        assert!(outs[0].1.lines().count() > 100);
        assert!(outs.iter().all(|o| *o == outs[0]));
    }

    #[test]
    fn help_explains_threads() {
        let o = cronwarp(&["run", "--help"]);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains("--threads <N>"), "{}", o.stdout);
        assert!(o.stdout.contains("byte for byte"), "{}", o.stdout);
    }
}
