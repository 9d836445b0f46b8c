//! Helpers shared by the `sim::crossplane` tests: CronOperation scenarios
//! in YAML and queries over the log.

pub use super::sim::{lines, run};
pub use cronwarp::model::Time;
pub use cronwarp::policy::crossplane::CronDecision;
pub use cronwarp::sim::log::Entry;
pub use cronwarp::sim::{Scenario, SimOptions, SimOutput, simulate};

use super::t;

/// A time on 2026-01-01, `HH:MM:SS` UTC.
pub fn d(hms: &str) -> Time {
    t(&format!("2026-01-01T{hms}Z"))
}

/// A CronOperation workload item with extra `spec` lines, extra lines for
/// the Operation template's spec, `behaviour` lines and `changes` (flow
/// maps).
pub fn cronop_full(
    name: &str,
    created: &str,
    spec: &[&str],
    template: &[&str],
    behaviour: &[&str],
    changes: &[&str],
) -> String {
    let mut s = format!(
        "  - manifest:\n      apiVersion: ops.crossplane.io/v1alpha1\n      kind: CronOperation\n      metadata:\n        name: {name}\n        creationTimestamp: \"{created}\"\n      spec:\n"
    );
    for l in spec {
        s.push_str(&format!("        {l}\n"));
    }
    s.push_str("        operationTemplate:\n          spec:\n            mode: Pipeline\n");
    for l in template {
        s.push_str(&format!("            {l}\n"));
    }
    s.push_str("            pipeline:\n              - {step: run, functionRef: {name: function-dummy}}\n");
    for (key, items) in [("behaviour", behaviour), ("changes", changes)] {
        if !items.is_empty() {
            s.push_str(&format!("    {key}:\n"));
        }
        for l in items {
            let dash = if key == "changes" { "- " } else { "" };
            s.push_str(&format!("      {dash}{l}\n"));
        }
    }
    s
}

pub fn cronop(name: &str, created: &str, spec: &[&str], behaviour: &[&str]) -> String {
    cronop_full(name, created, spec, &[], behaviour, &[])
}

pub fn yaml(start: &str, end: &str, controller: &[&str], workloads: &[String]) -> String {
    let mut s = format!("horizon:\n  start: \"{start}\"\n  end: \"{end}\"\nseed: 7\n");
    if !controller.is_empty() {
        s.push_str("controller:\n");
        for l in controller {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s.push_str("workloads:\n");
    for w in workloads {
        s.push_str(w);
    }
    s
}

pub fn scenario(start: &str, end: &str, controller: &[&str], workloads: &[String]) -> Scenario {
    let s = yaml(start, end, controller, workloads);
    Scenario::from_yaml(&s, "test.yaml").unwrap_or_else(|e| panic!("{e}\n---\n{s}"))
}

/// `(when, slot)` of every Operation the controller created.
pub fn created(out: &SimOutput) -> Vec<(Time, Time)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationCreated { scheduled_time: Some(slot), seeded: false, .. } => {
                Some((r.time, *slot))
            }
            _ => None,
        })
        .collect()
}

pub fn slots(out: &SimOutput) -> Vec<Time> {
    created(out).into_iter().map(|(_, s)| s).collect()
}

/// `(when, decision, retryAt)` of every CronOperation reconcile.
pub fn cron_syncs(out: &SimOutput) -> Vec<(Time, CronDecision, Option<Time>)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::CronOperationSync { decision, retry_at, .. } => {
                Some((r.time, (**decision).clone(), *retry_at))
            }
            _ => None,
        })
        .collect()
}

pub fn attempts_started(out: &SimOutput) -> Vec<(Time, u32)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationAttemptStarted { attempt, .. } => Some((r.time, *attempt)),
            _ => None,
        })
        .collect()
}

pub fn finished(out: &SimOutput) -> Vec<(Time, bool, String)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::OperationFinished { succeeded, message, .. } => {
                Some((r.time, *succeeded, message.to_string()))
            }
            _ => None,
        })
        .collect()
}

pub const HOURLY: &str = "schedule: \"0 * * * *\"";
