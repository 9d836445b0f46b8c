//! A sink that reads only what the report reads (`LogSink::wants_detail`
//! false) gets the same log minus the detail records, and the run behind it
//! is the same: the same records and Events counted (an Event is a request
//! of its controller's client, which the capacity model times).

use cronwarp::sim::log::{LogSink, Record};
use cronwarp::sim::{Scenario, SimOptions, simulate_into};
use std::path::Path;

/// Collects what it is handed, and says it reads no detail.
#[derive(Default)]
struct Lean(Vec<Record>);

impl LogSink for Lean {
    fn record(&mut self, record: Record) {
        self.0.push(record);
    }

    fn wants_detail(&self) -> bool {
        false
    }
}

fn scenario(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name);
    Scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {}", e.message))
}

#[test]
fn a_sink_without_detail_gets_the_full_log_minus_detail_and_the_run_is_the_same() {
    // CronJob, Job and pod records, the capacity model (Events take tokens),
    // pod failures with backoff, Replace, and a Crossplane fleet.
    for name in [
        "controller-capacity.yaml",
        "backoff-limit.yaml",
        "every-minute-replace.yaml",
        "crossplane-replace.yaml",
        "active-deadline.yaml",
    ] {
        let sc = scenario(name);
        let mut full: Vec<Record> = Vec::new();
        let full_summary = simulate_into(&sc, &mut full, SimOptions::default()).unwrap();
        let mut lean = Lean::default();
        let lean_summary = simulate_into(&sc, &mut lean, SimOptions::default()).unwrap();
        assert_eq!(full_summary.records, lean_summary.records, "{name}: records counted");
        assert_eq!(full_summary.events, lean_summary.events, "{name}: events counted");
        let detail = full.iter().filter(|r| r.entry.is_detail()).count();
        // Crossplane's controllers write no detail records.
        assert_eq!(detail > 0, !name.starts_with("crossplane"), "{name}: detail records in the full log");
        let expected: Vec<&Record> = full.iter().filter(|r| !r.entry.is_detail()).collect();
        let got: Vec<&Record> = lean.0.iter().collect();
        assert_eq!(got, expected, "{name}: the lean log is the full one minus its detail");
    }
}

#[test]
fn split_sinks_without_detail_get_their_partitions_log_minus_detail() {
    // Three independent CronJobs and no shared controller capacity: three
    // partitions, three sinks.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/lord-howe.yaml");
    let text = std::fs::read_to_string(&path).unwrap() + "controller: {capacity: {unlimited: true}}\n";
    let sc = Scenario::from_yaml(&text, "lord-howe.yaml").unwrap();
    let (full_summary, full) =
        cronwarp::sim::simulate_split(&sc, |_| Vec::<Record>::new(), SimOptions::default()).unwrap();
    let (lean_summary, lean) =
        cronwarp::sim::simulate_split(&sc, |_| Lean::default(), SimOptions::default()).unwrap();
    assert!(full.len() > 1, "the scenario runs as several partitions");
    assert_eq!(full_summary.records, lean_summary.records);
    assert_eq!(full_summary.events, lean_summary.events);
    for (full, lean) in full.iter().zip(&lean) {
        assert!(full.iter().any(|r| r.entry.is_detail()), "a partition's full log has detail");
        let expected: Vec<&Record> = full.iter().filter(|r| !r.entry.is_detail()).collect();
        assert_eq!(lean.0.iter().collect::<Vec<_>>(), expected);
    }
}
