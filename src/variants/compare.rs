//! The variant comparison: per workload, every variant's numbers as a
//! column, the reasons ticks were not started, and the first tick where
//! the variants' outcomes part.

use super::{Axis, Prepared, Variant};
use crate::model::{Millis, Time};
use crate::report::{ON_TIME, SideOutcome, TickRow, Violation, WorkloadReport, reason_key, side_outcome};
use crate::sim::scenario::Scenario as SimScenario;
use crate::sim::scenario::variants::show;
use crate::sweep::{Figure, RunFigures};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the variant comparison's JSON shape; bumped on any
/// breaking change.
pub const VARIANTS_SCHEMA_VERSION: u32 = 1;

/// The comparison (`cronwarp compare --vary … --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantComparison {
    /// The format's version ([`VARIANTS_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The seed every variant ran at.
    pub seed: u64,
    /// The horizon's start.
    pub start: Time,
    /// The horizon's end.
    pub end: Time,
    /// The varied fields, in axis order.
    pub axes: Vec<String>,
    /// The variants, in column order.
    pub variants: Vec<VariantInfo>,
    /// One table per workload, in scenario order.
    pub workloads: Vec<WorkloadVariants>,
    /// Settings a variant could not apply, and conversion notes.
    pub notes: Vec<VariantNote>,
    /// Failed `expect:` checks, per variant.
    pub violations: Vec<VariantViolation>,
}

/// One variant: a value per axis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantInfo {
    /// The values in axis order, joined (`Forbid, 300`).
    pub name: String,
    /// axis → value (`none`: the field removed).
    pub settings: BTreeMap<String, String>,
}

impl VariantInfo {
    /// What the outputs say of `v`.
    pub fn of(v: &Variant) -> VariantInfo {
        VariantInfo {
            name: v.name.clone(),
            settings: v.set.iter().map(|(k, x)| (k.clone(), show(x))).collect(),
        }
    }
}

/// One workload under every variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadVariants {
    /// The workload as the scenario names it.
    pub name: String,
    /// Its key in each variant's report (`None`: the variant has no run of
    /// it, as when the other controller would reject it).
    pub keys: Vec<Option<String>>,
    /// The numbers, in table order.
    pub metrics: Vec<VariantMetric>,
    /// Ticks not started, by reason (times elided), per variant.
    pub not_started: Vec<VariantReason>,
    /// The first tick whose outcome differs between variants.
    pub first_divergence: Option<Divergence>,
}

impl WorkloadVariants {
    /// The metric with this key (`onTime`, `maxConcurrency` …).
    pub fn metric(&self, key: &str) -> Option<&VariantMetric> {
        self.metrics.iter().find(|m| m.key == key)
    }
}

/// One number under every variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantMetric {
    /// camelCase key.
    pub key: &'static str,
    /// `count` or `ms`.
    pub unit: &'static str,
    /// Per variant; `None` where it does not apply (no run of the
    /// workload, or no failed Job was deleted).
    pub values: Vec<Option<i64>>,
}

/// How many ticks one reason left unstarted, per variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantReason {
    /// The reason, with times elided.
    pub reason: String,
    /// Per variant.
    pub counts: Vec<u64>,
}

/// The first tick where the variants' outcomes differ.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Divergence {
    /// The scheduled instant.
    pub tick: Time,
    /// What became of it under each variant (`None`: no run of the
    /// workload in that variant).
    pub outcomes: Vec<Option<SideOutcome>>,
}

/// Something a variant could not do as asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantNote {
    /// The variant's name.
    pub variant: String,
    /// The workload, or `(scenario)`.
    pub workload: String,
    /// What happened.
    pub message: String,
}

/// A failed expectation and the variant it failed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantViolation {
    /// The variant's name.
    pub variant: String,
    /// The failed check.
    #[serde(flatten)]
    pub violation: Violation,
}

/// The metrics' keys, units and row labels, in table order.
pub(super) const METRICS: [(&str, &str, &str); 15] = [
    ("ticks", "count", "ticks"),
    ("onTime", "count", "run on time"),
    ("late", "count", "run late"),
    ("notStarted", "count", "not started"),
    ("maxLateness", "ms", "worst lateness"),
    ("p95Lateness", "ms", "p95 lateness"),
    ("runsCreated", "count", "runs created"),
    ("succeeded", "count", "succeeded"),
    ("failed", "count", "failed"),
    ("replaced", "count", "replaced (Replace)"),
    ("retries", "count", "retries"),
    ("maxConcurrency", "count", "peak concurrency"),
    ("overlapTime", "ms", "time overlapping"),
    ("gcDeletions", "count", "deleted by GC/TTL"),
    ("failedKeptFor", "ms", "failed Jobs kept (least)"),
];

/// One variant's numbers for one workload, in [`METRICS`] order.
fn numbers(w: &WorkloadReport, figures: &[i64]) -> [Option<i64>; METRICS.len()] {
    let n = |v: u64| Some(i64::try_from(v).unwrap_or(i64::MAX));
    let o = &w.outcomes;
    let gc: u64 = w.deletion_summary.iter().map(|d| d.count).sum();
    let failed_kept =
        w.deletion_summary.iter().filter(|d| d.condition == "Failed").map(|d| d.min_retained).min();
    let fig = |f: Figure| figures.get(f.index()).copied();
    [
        n(w.ticks.total),
        n(w.ticks.on_time),
        n(w.ticks.late),
        n(w.ticks.not_started),
        Some(w.max_lateness),
        fig(Figure::P95Lateness),
        n(o.created),
        n(o.succeeded),
        n(o.failed()),
        n(o.replaced),
        n(o.retries),
        Some(i64::from(w.overlaps.max_concurrency)),
        Some(w.overlaps.total),
        n(gc),
        failed_kept,
    ]
}

pub(super) fn compare(
    sim: &SimScenario,
    scenario: &str,
    axes: &[Axis],
    variants: &[Variant],
    originals: &[String],
    runs: &[Prepared],
) -> VariantComparison {
    let figures: Vec<RunFigures> = runs.iter().map(|p| RunFigures::of(sim.seed, p.run.report())).collect();
    let workloads = originals
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let views: Vec<Option<(&WorkloadReport, &[i64])>> = runs
                .iter()
                .zip(&figures)
                .map(|(p, f)| {
                    let key = p.keys.get(i)?.as_deref()?;
                    let r = p.run.report();
                    let at = r.workloads.iter().position(|w| w.name == key)?;
                    Some((&r.workloads[at], f.workloads.get(at).map_or(&[][..], |row| &row[..])))
                })
                .collect();
            workload(name, runs.iter().map(|p| p.keys.get(i).cloned().flatten()).collect(), &views)
        })
        .collect();
    let mut notes = Vec::new();
    let mut violations = Vec::new();
    for (v, p) in variants.iter().zip(runs) {
        for (i, message) in &p.notes {
            let workload = originals.get(*i).cloned().unwrap_or_else(|| "(scenario)".into());
            notes.push(VariantNote { variant: v.name.clone(), workload, message: message.clone() });
        }
        for violation in &p.run.report().violations {
            violations.push(VariantViolation { variant: v.name.clone(), violation: violation.clone() });
        }
    }
    VariantComparison {
        schema_version: VARIANTS_SCHEMA_VERSION,
        scenario: scenario.to_string(),
        seed: sim.seed,
        start: sim.horizon.start,
        end: sim.horizon.end,
        axes: axes.iter().map(|a| a.vary.clone()).collect(),
        variants: variants.iter().map(VariantInfo::of).collect(),
        workloads,
        notes,
        violations,
    }
}

fn workload(
    name: &str,
    keys: Vec<Option<String>>,
    views: &[Option<(&WorkloadReport, &[i64])>],
) -> WorkloadVariants {
    let columns: Vec<[Option<i64>; METRICS.len()]> =
        views.iter().map(|v| v.map_or([None; METRICS.len()], |(w, f)| numbers(w, f))).collect();
    let metrics = METRICS
        .iter()
        .enumerate()
        .map(|(m, &(key, unit, _))| VariantMetric {
            key,
            unit,
            values: columns.iter().map(|c| c[m]).collect(),
        })
        .collect();
    let mut reasons: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (col, v) in views.iter().enumerate() {
        let rows = v.map_or(&[][..], |(w, _)| &w.exceptions[..]);
        for row in rows.iter().filter(|r| r.outcome == crate::report::TickOutcome::NotStarted) {
            reasons.entry(reason_key(&row.why)).or_insert_with(|| vec![0; views.len()])[col] += 1;
        }
    }
    let not_started = reasons.into_iter().map(|(reason, counts)| VariantReason { reason, counts }).collect();
    let exceptions: Vec<Option<(&[TickRow], u64)>> =
        views.iter().map(|v| v.map(|(w, _)| (&w.exceptions[..], w.exceptions_omitted))).collect();
    WorkloadVariants {
        name: name.to_string(),
        keys,
        metrics,
        not_started,
        first_divergence: divergence(&exceptions),
    }
}

/// The first tick whose outcome is not the same under every variant that
/// ran the workload (or whose lateness differs by more than [`ON_TIME`]).
/// A tick missing from a variant's exceptions was on time there; past
/// the last row of a report that dropped rows (over
/// [`MAX_ROWS`](crate::report::MAX_ROWS)), nothing is compared.
fn divergence(sides: &[Option<(&[TickRow], u64)>]) -> Option<Divergence> {
    if sides.iter().flatten().count() < 2 {
        return None;
    }
    let cut = sides
        .iter()
        .flatten()
        .filter(|(_, omitted)| *omitted > 0)
        .filter_map(|(rows, _)| rows.last().map(|r| r.tick))
        .min();
    let maps: Vec<Option<BTreeMap<Time, &TickRow>>> =
        sides.iter().map(|s| s.map(|(rows, _)| rows.iter().map(|r| (r.tick, r)).collect())).collect();
    let mut ticks: Vec<Time> = maps.iter().flatten().flat_map(|m| m.keys().copied()).collect();
    ticks.sort();
    ticks.dedup();
    for t in ticks.into_iter().filter(|t| cut.is_none_or(|c| *t <= c)) {
        let outcomes: Vec<Option<SideOutcome>> =
            maps.iter().map(|m| m.as_ref().map(|m| side_outcome(m.get(&t).copied()))).collect();
        let ran: Vec<&SideOutcome> = outcomes.iter().flatten().collect();
        let lates: Vec<Millis> = ran.iter().filter_map(|o| o.late_by).collect();
        let spread = lates.iter().max().zip(lates.iter().min()).is_some_and(|(hi, lo)| hi - lo > ON_TIME);
        if spread || ran.iter().any(|o| o.outcome != ran[0].outcome) {
            return Some(Divergence { tick: t, outcomes });
        }
    }
    None
}
