//! `cronwarp compare` on every `scenarios/crossplane-*.yaml` (CronOperations
//! converted to CronJobs) and on a few Kubernetes scenarios (CronJobs
//! converted to CronOperations), through the library exactly as the CLI
//! runs it. The text comparison is pinned in `snapshots/compare-text-<name>.snap`
//! (a scenario that cannot be compared pins its error instead). The
//! differences each scenario teaches are also asserted outright, so a
//! snapshot update cannot silently lose them.

use crate::support::snapshots;
use cronwarp::model::Time;
use cronwarp::report::{
    Accountant, Comparison, Report, ReportInput, TickOutcome, apply_expectations, compare,
    render_compare_text,
};
use cronwarp::sim::scenario::convert::{BothForms, both_forms};
use cronwarp::sim::{Scenario, SimOptions, simulate_into};
use std::path::{Path, PathBuf};

/// Kubernetes scenarios whose Crossplane form teaches a difference
/// (docs/fidelity/crossplane.md#xp-17).
const CONVERTED_K8S: [&str; 5] =
    ["downtime-catchup", "suspend-resume", "too-many-missed", "schedule-edit", "gc-order-key"];

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// `crossplane-*.yaml`, in name order, then [`CONVERTED_K8S`].
fn compared_scenarios() -> Vec<String> {
    let dir = scenarios_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        // Scenarios only: their golden reports (`*.golden.md`) sit beside them.
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|s| s.starts_with("crossplane-"))
        .collect();
    names.sort();
    names.dedup();
    names.extend(CONVERTED_K8S.iter().map(|s| s.to_string()));
    names
}

fn run_side(scenario: &Scenario, name: &str) -> Result<Report, String> {
    let input = ReportInput::from_scenario(name, scenario).map_err(|e| e.message)?;
    let mut accountant = Accountant::new(input);
    simulate_into(scenario, &mut accountant, SimOptions::default()).map_err(|e| e.message)?;
    let mut report = accountant.finish();
    apply_expectations(&scenario.expect, &mut report);
    Ok(report)
}

/// The comparison `cronwarp compare scenarios/<stem>.yaml` builds, or the
/// error it reports.
fn comparison(stem: &str) -> Result<Comparison, String> {
    let path = scenarios_dir().join(format!("{stem}.yaml"));
    let scenario = Scenario::load(&path).map_err(|e| e.message)?;
    let name = format!("scenarios/{stem}.yaml");
    let BothForms { kubernetes, crossplane, pairs, notes } = both_forms(&scenario).map_err(|e| e.message)?;
    let k8s = run_side(&kubernetes, &name)?;
    let xp = run_side(&crossplane, &name)?;
    Ok(compare(&k8s, &xp, &pairs, notes))
}

/// The CLI's error text names the file by the path it was given; pin it
/// relative to the repository so the snapshot does not depend on the checkout.
fn relative(message: &str) -> String {
    message.replace(&format!("{}/", env!("CARGO_MANIFEST_DIR")), "")
}

#[test]
fn every_crossplane_scenario_compares_as_its_snapshot() {
    let names = compared_scenarios();
    assert!(names.len() >= 18, "expected the Crossplane scenarios, found {names:?}");
    let settings = snapshots::settings();
    settings.bind(|| {
        for stem in &names {
            let text = match comparison(stem) {
                Ok(c) => render_compare_text(&c),
                Err(e) => format!("error: {}\n", relative(&e)),
            };
            insta::assert_snapshot!(format!("compare-text-{stem}"), text);
        }
    });
}

/// `(kubernetes, crossplane)` outcome of `tick` in the only workload.
fn outcomes_at(c: &Comparison, tick: &str) -> Option<(TickOutcome, TickOutcome)> {
    let tick = Time::parse_rfc3339(tick).ok()?;
    let w = c.workloads.first()?;
    let d = w.differing_ticks.iter().find(|d| d.tick == tick)?;
    Some((d.kubernetes.outcome, d.crossplane.outcome))
}

fn metric(c: &Comparison, key: &str) -> (i64, i64) {
    let w = c.workloads.first().unwrap_or_else(|| panic!("no workload"));
    let m = w.metrics.iter().find(|m| m.key == key).unwrap_or_else(|| panic!("no metric {key}"));
    (m.kubernetes, m.crossplane)
}

fn compared(stem: &str) -> Comparison {
    comparison(stem).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

mod differences {
    use super::*;

    #[test]
    fn after_downtime_kubernetes_runs_the_latest_slot_and_crossplane_the_earliest() {
        let c = compared("crossplane-outage-catchup");
        assert_eq!(
            outcomes_at(&c, "2025-03-03T02:00:00Z"),
            Some((TickOutcome::NotStarted, TickOutcome::Late))
        );
        assert_eq!(
            outcomes_at(&c, "2025-03-03T05:00:00Z"),
            Some((TickOutcome::Late, TickOutcome::NotStarted))
        );
    }

    #[test]
    fn a_missed_deadline_stalls_only_crossplane() {
        let c = compared("crossplane-deadline-stall");
        let (k8s, xp) = metric(&c, "runsCreated");
        assert_eq!(xp, 1);
        assert!(k8s >= 5, "Kubernetes recovers: {k8s} Jobs");
    }

    #[test]
    fn clock_skew_loops_only_crossplane() {
        let c = compared("crossplane-clock-skew");
        assert_eq!(metric(&c, "runsCreated"), (5, 1));
    }

    #[test]
    fn every_minute_outage_counts_the_same_loss_on_both_sides() {
        let c = compared("crossplane-every-minute-outage");
        assert_eq!(metric(&c, "notStarted"), (179, 179));
        assert_eq!(
            outcomes_at(&c, "2025-03-03T00:03:00Z"),
            Some((TickOutcome::NotStarted, TickOutcome::Late))
        );
    }

    #[test]
    fn unpause_is_noticed_only_by_kubernetes() {
        let c = compared("crossplane-pause-unpause");
        assert_eq!(
            outcomes_at(&c, "2025-03-03T12:00:00Z"),
            Some((TickOutcome::Late, TickOutcome::NotStarted))
        );
    }

    #[test]
    fn an_invalid_schedule_has_no_kubernetes_run() {
        let c = compared("crossplane-invalid-schedule");
        let w = c.workloads.first().unwrap_or_else(|| panic!("no workload"));
        assert_eq!(w.kubernetes, None, "Kubernetes would reject `0 2 1,L * *` at admission");
        assert!(c.notes.iter().any(|n| n.message.contains("Kubernetes would reject")), "{:?}", c.notes);
        assert_eq!(metric(&c, "runsCreated"), (0, 1));
    }

    /// History GC orders by status.startTime under Kubernetes and by
    /// creationTimestamp under Crossplane: the Job created at 01:00 but
    /// started at 03:30 outlives two newer runs only under Kubernetes.
    #[test]
    fn gc_keeps_the_latest_start_under_kubernetes_and_the_latest_creation_under_crossplane() {
        let path = scenarios_dir().join("gc-order-key.yaml");
        let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{}", e.message));
        let both = both_forms(&scenario).unwrap_or_else(|e| panic!("{}", e.message));
        let deleted = |s: &Scenario| -> Vec<String> {
            let r = run_side(s, "gc-order-key").unwrap_or_else(|e| panic!("{e}"));
            r.workloads[0].deletions.iter().map(|d| d.job.to_string()).collect()
        };
        assert_eq!(
            deleted(&both.kubernetes),
            ["default/hourly-29016120", "default/hourly-29016180", "default/hourly-29016060"],
            "Kubernetes deletes the 02:00 run first and the 03:00 run the moment it finishes"
        );
        assert_eq!(
            deleted(&both.crossplane),
            ["hourly-1740963600", "hourly-1740967200", "hourly-1740970800"],
            "Crossplane deletes in creation order"
        );
    }
}
