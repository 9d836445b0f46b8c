//! Variants × seeds: a [`sweep`](crate::sweep()) of every variant
//! (`cronwarp sweep --vary`), so a policy is judged on the spread of its
//! outcomes, not on one lucky or unlucky seed. Each seed's draws are the
//! same in every variant (common random numbers), so a variant's worse
//! tail is the policy's.

use super::{Axis, Form, VariantInfo, original_keys, prepare};
use crate::model::format_duration;
use crate::report::{Block, cols, markdown, text};
use crate::sim::scenario::variants::matrix;
use crate::sweep::{Figure, SeedRange, Sweep, SweepOptions, sweep};
use crate::{Error, Scenario};
use serde::Serialize;

/// Version of the variant sweep's JSON shape.
pub const VARIANT_SWEEP_SCHEMA_VERSION: u32 = 1;

/// Every variant's sweep (`cronwarp sweep --vary … --format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VariantSweep {
    /// The format's version ([`VARIANT_SWEEP_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The seeds every variant ran at.
    pub seeds: SeedRange,
    /// The varied fields, in axis order.
    pub axes: Vec<String>,
    /// The variants, in matrix order.
    pub variants: Vec<VariantInfo>,
    /// Each original workload's key in each variant (by variant, then
    /// workload in scenario order).
    pub keys: Vec<Vec<Option<String>>>,
    /// The workloads as the scenario names them.
    pub workloads: Vec<String>,
    /// One sweep per variant, in variant order.
    pub sweeps: Vec<Sweep>,
}

/// Sweeps `scenario` under every variant of `axes` (the scenario's own
/// `variants:` when empty), each over `options.seeds`. Variants run one
/// after the other, each sweep on `options.threads`.
pub fn sweep_variants(
    scenario: &Scenario,
    axes: &[Axis],
    options: SweepOptions<'_>,
    max_variants: usize,
) -> Result<VariantSweep, Error> {
    scenario.validate()?;
    let axes = if axes.is_empty() { &scenario.as_sim().variants[..] } else { axes };
    let invalid = |message: String| Error::InvalidScenario { path: None, line: None, column: None, message };
    let variants = matrix(axes, max_variants).map_err(invalid)?;
    let sim = scenario.as_sim();
    let workloads = original_keys(sim)?;
    let (mut sweeps, mut keys) = (Vec::new(), Vec::new());
    for v in &variants {
        let Form { scenario: form, keys: k, .. } = prepare(sim, v, workloads.len())?;
        let mut opts = SweepOptions::new(options.seeds);
        opts.threads = options.threads;
        opts.progress = options.progress;
        sweeps.push(
            sweep(&Scenario::from_sim(form, scenario.name()), opts).map_err(|e| super::in_variant(v, e))?,
        );
        keys.push(k);
    }
    Ok(VariantSweep {
        schema_version: VARIANT_SWEEP_SCHEMA_VERSION,
        scenario: scenario.name().to_string(),
        seeds: options.seeds,
        axes: axes.iter().map(|a| a.vary.clone()).collect(),
        variants: variants.iter().map(VariantInfo::of).collect(),
        keys,
        workloads,
        sweeps,
    })
}

/// The figures the summary shows, with the percentiles it shows of each.
const SUMMARY: [(Figure, &str); 5] = [
    (Figure::NotStarted, "not started"),
    (Figure::Late, "late"),
    (Figure::WorstLateness, "worst lateness"),
    (Figure::Failed, "failed"),
    (Figure::PeakConcurrency, "peak concurrency"),
];

fn document(s: &VariantSweep) -> Vec<Block> {
    let runs = s.sweeps.first().map_or(0, Sweep::runs);
    let mut d = vec![
        Block::Heading(1, format!("cronwarp sweep: {} — {} variants", s.scenario, s.variants.len())),
        Block::Para(format!(
            "Seeds {} ({runs} runs per variant). Varied: {}. Each cell is p50 / p95 / max over the runs. \
             A seed draws the same durations and failures in every variant, so the rows differ by policy.",
            s.seeds,
            s.axes.join(" × ")
        )),
    ];
    for (i, name) in s.workloads.iter().enumerate() {
        d.push(Block::Heading(2, name.clone()));
        let mut head = vec!["variant"];
        head.extend(SUMMARY.iter().map(|(_, label)| *label));
        head.push("seeds failing expect:");
        let rows = s
            .variants
            .iter()
            .zip(&s.sweeps)
            .zip(&s.keys)
            .map(|((v, sw), keys)| {
                let w = keys.get(i).cloned().flatten().and_then(|k| sw.workload(&k));
                let mut row = vec![v.name.clone()];
                row.extend(SUMMARY.iter().map(|(f, _)| match w.and_then(|w| w.figure(*f)) {
                    None => "—".to_string(),
                    Some(x) => {
                        let show = |v: i64| {
                            if f.unit() == crate::sweep::Unit::Ms {
                                format_duration(v)
                            } else {
                                v.to_string()
                            }
                        };
                        format!("{} / {} / {}", show(x.p50), show(x.p95), show(x.max))
                    }
                }));
                row.push(sw.expectations.seeds_failed.to_string());
                row
            })
            .collect();
        d.push(Block::Table { head: cols(&head), rows });
    }
    let worst: Vec<Vec<String>> = s
        .variants
        .iter()
        .zip(&s.sweeps)
        .filter_map(|(v, sw)| sw.worst_seeds.first().map(|w| (v, w)))
        .map(|(v, w)| {
            vec![
                v.name.clone(),
                w.seed.to_string(),
                w.not_started.to_string(),
                format_duration(w.worst_lateness),
            ]
        })
        .collect();
    if !worst.is_empty() {
        d.push(Block::Heading(2, "Worst seed per variant".into()));
        d.push(Block::Para(
            "Replay one with `cronwarp run SCENARIO --seed N` after setting the variant's values.".into(),
        ));
        d.push(Block::Table {
            head: cols(&["variant", "seed", "not started", "worst lateness"]),
            rows: worst,
        });
    }
    d
}

/// Plain text, for terminals.
pub fn render_variant_sweep_text(s: &VariantSweep) -> String {
    text(document(s))
}

/// GitHub-flavoured Markdown.
pub fn render_variant_sweep_markdown(s: &VariantSweep) -> String {
    markdown(document(s))
}
