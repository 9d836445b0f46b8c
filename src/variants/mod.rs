//! Policy variants side by side: one scenario under every combination of
//! a few settings (`cronwarp compare --vary`, or `variants:` in the
//! scenario), with one table per workload whose columns are the variants,
//! and the first tick where they part ways, in plain words.
//!
//! ```
//! use cronwarp::variants::{VaryOptions, parse_vary};
//!
//! let scenario = cronwarp::Scenario::from_path("scenarios/forbid-long-jobs.yaml")?;
//! let axes = [parse_vary("concurrencyPolicy=Allow,Forbid,Replace").expect("a valid axis")];
//! let cmp = cronwarp::variants::vary(&scenario, &axes, VaryOptions::default())?.comparison;
//! assert_eq!(cmp.variants.len(), 3);
//! let w = &cmp.workloads[0];
//! let peak = w.metric("maxConcurrency").expect("every metric is listed");
//! // Allow lets runs pile up; Forbid and Replace never run two at once.
//! assert!(peak.values[0] > Some(1));
//! assert_eq!(peak.values[1], Some(1));
//! # Ok::<(), cronwarp::Error>(())
//! ```
//!
//! Differences between the columns are the policy's, not noise: every
//! variant runs at the same seed, and a run's random draws are keyed by
//! the tick it was created for (`sim::rng::run_stream`), so the Job for a
//! tick lasts as long and fails the same way under every variant that
//! creates it.

#![deny(missing_docs)]

mod compare;
mod render;
mod svg;
mod sweep;

pub use crate::sim::scenario::variants::{Axis, MAX_VARIANTS, Variant, field_names, matrix, parse_vary};
pub use compare::{
    Divergence, VARIANTS_SCHEMA_VERSION, VariantComparison, VariantInfo, VariantMetric, VariantNote,
    VariantReason, VariantViolation, WorkloadVariants,
};
#[cfg(feature = "cli")]
pub(crate) use render::render_variants_html;
pub use render::{render_variants_markdown, render_variants_text};
pub use svg::stack_timelines;
pub use sweep::{
    VARIANT_SWEEP_SCHEMA_VERSION, VariantSweep, render_variant_sweep_markdown, render_variant_sweep_text,
    sweep_variants,
};

use crate::sim::scenario::convert::{Controller, both_forms};
use crate::sim::scenario::{Scenario as SimScenario, WorkloadSpec};
use crate::{Error, Run, RunOptions, Scenario};
use rayon::prelude::*;

/// How to [`vary`] a scenario.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VaryOptions {
    /// Overrides the scenario's seed (every variant uses the same).
    pub seed: Option<u64>,
    /// Threads to run variants on; `None` or `Some(0)`: one per core. The
    /// result does not depend on it.
    pub threads: Option<usize>,
    /// Refuse matrices with more cells ([`MAX_VARIANTS`] by default).
    pub max_variants: usize,
    /// Keep each run's event log, for [`Varied::runs`]' timelines.
    pub keep_events: bool,
}

impl Default for VaryOptions {
    fn default() -> Self {
        VaryOptions { seed: None, threads: None, max_variants: MAX_VARIANTS, keep_events: false }
    }
}

impl VaryOptions {
    /// Sets [`VaryOptions::seed`].
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Sets [`VaryOptions::threads`].
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Sets [`VaryOptions::max_variants`].
    pub fn max_variants(mut self, max: usize) -> Self {
        self.max_variants = max;
        self
    }

    /// Sets [`VaryOptions::keep_events`].
    pub fn keep_events(mut self, keep: bool) -> Self {
        self.keep_events = keep;
        self
    }
}

/// The comparison, and each variant's run.
#[derive(Debug)]
pub struct Varied {
    /// The side-by-side tables.
    pub comparison: VariantComparison,
    /// One run per variant, in variant order.
    pub runs: Vec<Run>,
}

/// Runs `scenario` under every variant of `axes` (the scenario's own
/// `variants:` when `axes` is empty) and compares the runs.
///
/// Fails with [`Error::InvalidScenario`] when an axis is wrong, the matrix
/// is over [`VaryOptions::max_variants`], or a variant's object would be
/// refused by the API server (the message names the variant).
pub fn vary(scenario: &Scenario, axes: &[Axis], options: VaryOptions) -> Result<Varied, Error> {
    scenario.validate()?;
    let axes = if axes.is_empty() { &scenario.as_sim().variants[..] } else { axes };
    let invalid = |message: String| Error::InvalidScenario { path: None, line: None, column: None, message };
    if axes.is_empty() {
        return Err(invalid(
            "nothing to vary: give --vary FIELD=V1,V2 or a `variants:` list in the scenario".into(),
        ));
    }
    let variants = matrix(axes, options.max_variants).map_err(invalid)?;
    let mut sim = scenario.as_sim().clone();
    if let Some(seed) = options.seed {
        sim.seed = seed;
    }
    let originals = original_keys(&sim)?;
    let threads = match options.threads {
        None | Some(0) => std::thread::available_parallelism().map_or(1, usize::from),
        Some(n) => n,
    }
    .min(variants.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Internal { message: format!("starting {threads} threads: {e}") })?;
    let name = scenario.name();
    // An indexed collect keeps variant order, whichever thread ran which.
    let outcomes: Vec<Result<Prepared, Error>> = pool.install(|| {
        variants
            .par_iter()
            .map(|v| prepare_and_run(&sim, name, v, originals.len(), options.keep_events))
            .collect()
    });
    let mut prepared = Vec::with_capacity(outcomes.len());
    for p in outcomes {
        prepared.push(p?);
    }
    let comparison = compare::compare(&sim, name, axes, &variants, &originals, &prepared);
    Ok(Varied { comparison, runs: prepared.into_iter().map(|p| p.run).collect() })
}

/// One variant, run.
#[derive(Debug)]
struct Prepared {
    run: Run,
    /// Per original workload index: its key in this run's report.
    keys: Vec<Option<String>>,
    /// (workload index, message); index `usize::MAX` for the scenario.
    notes: Vec<(usize, String)>,
}

/// Each workload's report key as the scenario writes it.
fn original_keys(sc: &SimScenario) -> Result<Vec<String>, Error> {
    (0..sc.workloads.len())
        .map(|i| {
            Ok(match sc.workload(i)? {
                WorkloadSpec::CronJob(o) => {
                    format!("{}/{}", o.cronjob.metadata.namespace, o.cronjob.metadata.name)
                }
                WorkloadSpec::CronOperation(x) => x.cronoperation.metadata.name.to_string(),
                WorkloadSpec::CronWorkflow(a) => {
                    format!("{}/{}", a.cronworkflow.metadata.namespace, a.cronworkflow.metadata.name)
                }
            })
        })
        .collect()
}

/// A variant's scenario, ready to run: the form it runs in, each original
/// workload's key in that form, and its notes.
struct Form {
    scenario: SimScenario,
    keys: Vec<Option<String>>,
    notes: Vec<(usize, String)>,
}

/// An error about a variant names it.
fn in_variant(v: &Variant, e: Error) -> Error {
    match e {
        Error::InvalidScenario { path, line, column, message } => {
            Error::InvalidScenario { path, line, column, message: format!("variant ({}): {message}", v.name) }
        }
        other => other,
    }
}

fn prepare(sim: &SimScenario, v: &Variant, workloads: usize) -> Result<Form, Error> {
    let named = |e: crate::sim::scenario::ScenarioError| in_variant(v, Error::from(e));
    let applied = sim.with_variant(v).map_err(named)?;
    let mut notes = applied.notes;
    let Some(c) = v.controller() else {
        let keys = original_keys(&applied.scenario)?.into_iter().map(Some).collect();
        return Ok(Form { scenario: applied.scenario, keys, notes });
    };
    if c == Controller::Argo {
        let argo = crate::sim::scenario::convert::argo_form(&applied.scenario).map_err(named)?;
        notes.extend(argo.notes);
        let keys = argo.keys.into_iter().map(Some).collect();
        return Ok(Form { scenario: argo.scenario, keys, notes });
    }
    let both = both_forms(&applied.scenario).map_err(named)?;
    let mut keys = vec![None; workloads];
    for p in &both.pairs {
        if let Some(k) = keys.get_mut(p.index) {
            *k = p.key(c).map(str::to_string);
        }
    }
    // Only the notes about the form this variant runs matter.
    for n in both.notes.iter().filter(|n| converted_to(c, &both.pairs, &n.workload)) {
        let i = both.pairs.iter().position(|p| p.key(p.original) == Some(&n.workload));
        notes.push((i.unwrap_or(usize::MAX), n.message.clone()));
    }
    let scenario = if c == Controller::Kubernetes { both.kubernetes } else { both.crossplane };
    Ok(Form { scenario, keys, notes })
}

fn prepare_and_run(
    sim: &SimScenario,
    name: &str,
    v: &Variant,
    workloads: usize,
    keep: bool,
) -> Result<Prepared, Error> {
    let Form { scenario, keys, notes } = prepare(sim, v, workloads)?;
    let scenario = Scenario::from_sim(scenario, name);
    let run = crate::run(&scenario, RunOptions::default().keep_events(keep)).map_err(|e| in_variant(v, e))?;
    Ok(Prepared { run, keys, notes })
}

/// Whether a conversion note is about a workload this variant converts
/// (one written for the other controller), or about the whole scenario.
fn converted_to(
    c: Controller,
    pairs: &[crate::sim::scenario::convert::WorkloadPair],
    workload: &str,
) -> bool {
    match pairs.iter().find(|p| p.key(p.original) == Some(workload)) {
        Some(p) => p.original != c,
        None => true,
    }
}
