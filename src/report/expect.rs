//! Checks a report against a scenario's `expect:` block. Violations make
//! `cronwarp run` exit 1, which is how users gate CI on a scenario.

use super::types::{Report, WorkloadReport};
use crate::model::format_duration;
use crate::sim::scenario::Expect;
use serde::{Deserialize, Serialize};

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The `expect:` key.
    pub expectation: String,
    /// `namespace/name` of the CronJob (a CronOperation's name).
    pub cronjob: String,
    /// What was expected and what happened, in plain words.
    pub message: String,
}

/// Every violation of `expect` in `report`, CronJob by CronJob.
pub fn check(expect: &Expect, report: &Report) -> Vec<Violation> {
    let mut out = Vec::new();
    for cj in &report.workloads {
        check_one(expect, cj, &mut out);
    }
    out
}

/// Checks `expect` and records the outcome in the report.
pub fn apply(expect: &Expect, report: &mut Report) {
    report.violations = check(expect, report);
    report.expectations_checked = declared(expect);
}

/// How many checks an `expect:` block declares.
pub(crate) fn declared(e: &Expect) -> usize {
    [
        e.max_missed.is_some(),
        e.no_missed_runs == Some(true),
        e.max_concurrent.is_some(),
        e.min_failed_retention.is_some(),
        e.min_jobs.is_some(),
        e.max_jobs.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count()
}

fn check_one(e: &Expect, cj: &WorkloadReport, out: &mut Vec<Violation>) {
    let n = super::semantics::of(cj.kind).nouns();
    let (run, runs) = (n.run, n.runs);
    let mut v = |key: &str, message: String| {
        out.push(Violation { expectation: key.into(), cronjob: cj.name.clone(), message })
    };
    let missed = cj.ticks.not_started;
    if e.no_missed_runs == Some(true) && missed > 0 {
        v("noMissedRuns", format!("{missed} of {} ticks were not started{}", cj.ticks.total, first_why(cj)));
    }
    if let Some(max) = e.max_missed
        && missed > max
    {
        v("maxMissed", format!("{missed} ticks were not started, more than {max}{}", first_why(cj)));
    }
    if let Some(max) = e.max_concurrent
        && u64::from(cj.overlaps.max_concurrency) > max
    {
        v("maxConcurrent", format!("{} {runs} ran at once, more than {max}", cj.overlaps.max_concurrency));
    }
    if let Some(min) = e.min_failed_retention {
        let min = min.millis();
        for d in cj.deletions.iter().filter(|d| d.condition == "Failed") {
            if let Some(kept) = d.retained
                && kept < min
            {
                v(
                    "minFailedRetention",
                    format!(
                        "failed {run} {} was deleted by {} after {}, less than {}",
                        d.job,
                        d.by,
                        format_duration(kept),
                        format_duration(min)
                    ),
                );
            }
        }
    }
    let created = cj.outcomes.created;
    if let Some(min) = e.min_jobs
        && created < min
    {
        v("minJobs", format!("{created} {runs} were created, fewer than {min}"));
    }
    if let Some(max) = e.max_jobs
        && created > max
    {
        v("maxJobs", format!("{created} {runs} were created, more than {max}"));
    }
}

fn first_why(cj: &WorkloadReport) -> String {
    use super::types::TickOutcome;
    cj.exceptions
        .iter()
        .find(|x| x.outcome == TickOutcome::NotStarted)
        .map(|x| format!("; first: {} ({})", x.local, x.why))
        .unwrap_or_default()
}
