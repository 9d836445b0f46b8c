//! Monte Carlo sweeps: one scenario at every seed of a range, and the
//! spread of what happened (`cronwarp sweep`).
//!
//! A scenario with random durations or failures has a different outcome
//! at every seed; one run shows one of them. [`sweep`] reads the scenario
//! once, runs it at each seed of a [`SeedRange`] on a pool of threads,
//! keeps a few numbers of each run ([`RunFigures`], read off its report),
//! and summarises every figure as nearest-rank percentiles
//! ([`Distribution`]), per workload and fleet-wide, with the seeds of the
//! worst runs ([`WorstSeed`]) to replay with `cronwarp run --seed N`.
//!
//! ```
//! use cronwarp::sweep::{Figure, SeedRange, SweepOptions};
//!
//! let scenario = cronwarp::Scenario::from_path("scenarios/sweep-nightly-backup.yaml")?;
//! let seeds: SeedRange = "0..8".parse().expect("a valid range");
//! let sweep = cronwarp::sweep(&scenario, SweepOptions::new(seeds))?;
//! let backup = sweep.workload("ops/backup").expect("the CronJob is in the sweep");
//! let late = backup.figure(Figure::WorstLateness).expect("every figure is summarised");
//! assert!(late.p50 <= late.max);
//! // Replay the worst run to see why it went wrong.
//! let worst = &sweep.worst_seeds[0];
//! let run = cronwarp::run(&scenario, cronwarp::RunOptions::default().seed(worst.seed))?;
//! assert_eq!(run.workload("ops/backup").unwrap().max_lateness, worst.worst_lateness);
//! # Ok::<(), cronwarp::Error>(())
//! ```
//!
//! The result is the same, byte for byte, on any number of threads: seeds
//! run in chunks, each chunk's results come back in seed order, and they
//! are folded in that order.

#![deny(missing_docs)]

mod figures;
mod render;
mod seeds;
mod shard;

pub use figures::{
    Distribution, FIGURES, Figure, LOAD_FIGURES, LoadRow, PERCENTILES, Row, RunFigures, Unit, percentile,
};
#[cfg(feature = "cli")]
pub(crate) use render::render_sweep_html;
pub use render::{render_sweep_markdown, render_sweep_text};
pub use seeds::{InvalidSeedRange, MAX_SEEDS, SeedRange, parse_seed};
pub use shard::{InvalidShard, MergeError, PART_VERSION, Shard, SweepPart, merge, scenario_hash, sweep_part};

use crate::model::Time;
use crate::report::apply_selected;
use crate::sim::{Loaded, SimOptions, WorkloadKind};
use crate::{Error, Scenario};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the sweep's JSON shape; bumped on any breaking change.
pub const SWEEP_SCHEMA_VERSION: u32 = 1;

/// How many of the worst runs a sweep names.
pub const WORST_SEEDS: usize = 5;

/// How many seeds that failed an `expect:` check a sweep names (the
/// lowest).
pub const FAILING_SEEDS: usize = 5;

/// Seeds run between two folds of their results: a chunk's results wait
/// in memory for the slowest run of the chunk, so this bounds both the
/// buffer and the time threads idle at a chunk's end.
const CHUNK: u64 = 512;

/// How to [`sweep`](crate::sweep()) a scenario.
///
/// ```
/// let seeds = "0..100".parse().expect("a valid range");
/// let opts = cronwarp::sweep::SweepOptions::new(seeds).threads(2);
/// assert_eq!(opts.threads, Some(2));
/// ```
#[non_exhaustive]
pub struct SweepOptions<'a> {
    /// The seeds to run, each once, in place of the scenario's seed.
    pub seeds: SeedRange,
    /// Threads to run seeds on; `None` (or `Some(0)`): one per core; never
    /// more than there are seeds. Each run is simulated on the thread that
    /// took it. The result does not depend on it.
    pub threads: Option<usize>,
    /// Called once per finished run, from the thread that ran it (a
    /// progress bar, say).
    pub progress: Option<&'a (dyn Fn() + Sync)>,
}

impl<'a> SweepOptions<'a> {
    /// Every seed of `seeds`, on one thread per core.
    pub fn new(seeds: SeedRange) -> SweepOptions<'a> {
        SweepOptions { seeds, threads: None, progress: None }
    }

    /// Runs seeds on up to `threads` threads (0: one per core).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Calls `f` once per finished run.
    pub fn progress(mut self, f: &'a (dyn Fn() + Sync)) -> Self {
        self.progress = Some(f);
        self
    }
}

impl std::fmt::Debug for SweepOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SweepOptions")
            .field("seeds", &self.seeds)
            .field("threads", &self.threads)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What a sweep found (`cronwarp sweep --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    /// The format's version ([`SWEEP_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The scenario's name (as a report's header shows it).
    pub scenario: String,
    /// The seeds run.
    pub seeds: SeedRange,
    /// The horizon's start.
    pub start: Time,
    /// The horizon's end.
    pub end: Time,
    /// The cronwarp version that ran it.
    pub cronwarp_version: String,
    /// Fleet-wide figures, one [`Distribution`] per [`Figure`]: per run,
    /// counts and overlap time summed over the workloads, worst lateness
    /// and peak concurrency the highest of any one workload, p95 lateness
    /// over every workload's started ticks.
    pub fleet: Vec<Distribution>,
    /// The fleet load's peaks, one [`Distribution`] per
    /// [`LOAD_FIGURES`] figure, when the runs' reports have a fleet load
    /// (several workloads, or resource requests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fleet_load: Vec<Distribution>,
    /// Each workload's figures, in name order.
    pub workloads: Vec<WorkloadSweep>,
    /// The worst runs, worst first: most ticks not started fleet-wide,
    /// then the worst lateness, then the lowest seed.
    pub worst_seeds: Vec<WorstSeed>,
    /// How the scenario's `expect:` checks fared across the seeds.
    pub expectations: ExpectationSweep,
    /// Runs in which a workload had more late ticks than its report lists
    /// (past 1000 exceptions): their p95 lateness is over the listed ticks.
    pub p95_approximate_runs: u64,
    /// The scenario's warnings (the same at every seed), each once.
    pub warnings: Vec<String>,
}

/// One workload's figures over the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSweep {
    /// `namespace/name` (a CronOperation: `name`).
    pub name: String,
    /// `CronOperation` for a Crossplane CronOperation; absent for a CronJob.
    #[serde(
        default,
        skip_serializing_if = "WorkloadKind::is_cronjob",
        deserialize_with = "crate::report::workload_kind"
    )]
    pub kind: WorkloadKind,
    /// One [`Distribution`] per [`Figure`], in [`FIGURES`] order.
    pub figures: Vec<Distribution>,
}

impl WorkloadSweep {
    /// The distribution of one figure.
    pub fn figure(&self, f: Figure) -> Option<&Distribution> {
        self.figures.iter().find(|d| d.figure == f)
    }
}

/// One of the worst runs, with its fleet-wide figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorstSeed {
    /// Its seed: `cronwarp run SCENARIO --seed N` replays it.
    pub seed: u64,
    /// Ticks not started.
    pub not_started: i64,
    /// Ticks started late.
    pub late: i64,
    /// Worst lateness, in milliseconds.
    pub worst_lateness: i64,
    /// Runs that failed.
    pub failed: i64,
    /// `expect:` checks it failed.
    pub failed_checks: usize,
}

impl WorstSeed {
    fn of(f: &RunFigures) -> WorstSeed {
        let v = |x: Figure| f.fleet[x.index()];
        WorstSeed {
            seed: f.seed,
            not_started: v(Figure::NotStarted),
            late: v(Figure::Late),
            worst_lateness: v(Figure::WorstLateness),
            failed: v(Figure::Failed),
            failed_checks: f.failed_checks.len(),
        }
    }

    /// Worst first.
    fn rank(&self) -> (std::cmp::Reverse<(i64, i64)>, u64) {
        (std::cmp::Reverse((self.not_started, self.worst_lateness)), self.seed)
    }
}

/// The `expect:` checks across the seeds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpectationSweep {
    /// Checks the scenario declares (each run makes them all).
    pub checked: usize,
    /// Seeds whose run failed at least one.
    pub seeds_failed: u64,
    /// The lowest of those seeds, up to [`FAILING_SEEDS`].
    pub failing_seeds: Vec<u64>,
    /// How many seeds failed each check, by check and workload.
    pub by_check: Vec<CheckFailures>,
}

/// How many seeds failed one check of one workload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckFailures {
    /// The `expect:` key.
    pub expectation: String,
    /// The workload.
    pub workload: String,
    /// Seeds whose run failed it.
    pub seeds: u64,
}

impl Sweep {
    /// One workload's figures by name.
    pub fn workload(&self, name: &str) -> Option<&WorkloadSweep> {
        self.workloads.iter().find(|w| w.name == name)
    }

    /// The fleet-wide distribution of one figure.
    pub fn fleet_figure(&self, f: Figure) -> Option<&Distribution> {
        self.fleet.iter().find(|d| d.figure == f)
    }

    /// How many runs the sweep made.
    pub fn runs(&self) -> u64 {
        self.seeds.count()
    }
}

/// Runs `scenario` once at every seed of [`SweepOptions::seeds`] and
/// summarises the runs: per workload and fleet-wide, the nearest-rank
/// percentiles of every [`Figure`]; the worst seeds; how many seeds failed
/// the scenario's `expect:` checks (not an [`Error`]).
///
/// The scenario is read once (manifests parsed, defaulted and validated),
/// then simulated at each seed exactly as [`run`](crate::run()) does with
/// [`RunOptions::seed`](crate::RunOptions::seed), so any seed replays with
/// `run`. Runs go to a pool of [`SweepOptions::threads`] threads; the
/// result does not depend on how many. If a run fails, the error is the
/// lowest failing seed's.
pub fn sweep(scenario: &Scenario, options: SweepOptions<'_>) -> Result<Sweep, Error> {
    let names = workload_names(scenario)?;
    let mut tally = Tally::new(names.clone(), options.seeds.count());
    run_seeds(scenario, &names, options.seeds.seeds(), &options, |f, w| tally.add(f, w))?;
    Ok(tally.finish(&Heading::of(scenario, options.seeds)))
}

/// Name and kind of each workload, in report (name) order.
fn workload_names(scenario: &Scenario) -> Result<Vec<(String, WorkloadKind)>, Error> {
    scenario.validate()?;
    let mut names: Vec<(String, WorkloadKind)> =
        scenario.report_input()?.workloads.iter().map(|m| (m.key.clone(), m.kind)).collect();
    // The report lists workloads by name.
    names.sort();
    Ok(names)
}

/// Runs `scenario` at every seed of `seeds` on the options' threads and
/// hands each run's figures to `each`, in seed order.
fn run_seeds(
    scenario: &Scenario,
    names: &[(String, WorkloadKind)],
    seeds: std::ops::Range<u64>,
    options: &SweepOptions<'_>,
    mut each: impl FnMut(RunFigures, Vec<String>),
) -> Result<(), Error> {
    if seeds.is_empty() {
        return Ok(());
    }
    let loaded = Loaded::new(scenario.as_sim()).map_err(|e| Error::from_sim(e, Some(scenario.name())))?;
    let threads = match options.threads {
        None | Some(0) => std::thread::available_parallelism().map_or(1, usize::from),
        Some(n) => n,
    };
    // A thread per seed at most: more would start and never get a run.
    let threads = threads.min(usize::try_from(seeds.end - seeds.start).unwrap_or(usize::MAX));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Internal { message: format!("starting {threads} threads: {e}") })?;
    let mut from = seeds.start;
    while from < seeds.end {
        let to = from.saturating_add(CHUNK).min(seeds.end);
        // An indexed collect keeps seed order, whichever thread ran which.
        let runs: Vec<Result<(RunFigures, Vec<String>), Error>> = pool.install(|| {
            (0..to - from)
                .into_par_iter()
                .map(|i| {
                    let out = run_one(scenario, &loaded, names, from + i);
                    if let Some(p) = options.progress {
                        p();
                    }
                    out
                })
                .collect()
        });
        // Earlier chunks all succeeded, so the first error here is the
        // lowest failing seed's, on any number of threads.
        for r in runs {
            let (figures, warnings) = r?;
            each(figures, warnings);
        }
        from = to;
    }
    Ok(())
}

/// What a sweep's result says of the scenario besides the runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Heading {
    scenario: String,
    seeds: SeedRange,
    start: Time,
    end: Time,
    /// The `expect:` checks the scenario declares.
    checked: usize,
}

impl Heading {
    fn of(scenario: &Scenario, seeds: SeedRange) -> Heading {
        let (start, end) = scenario.horizon();
        Heading {
            scenario: scenario.name().to_string(),
            seeds,
            start,
            end,
            checked: crate::report::declared(&scenario.as_sim().expect),
        }
    }
}

/// One seed's run, as [`run`](crate::run()) makes it, reduced to figures.
fn run_one(
    scenario: &Scenario,
    loaded: &Loaded<'_>,
    workloads: &[(String, WorkloadKind)],
    seed: u64,
) -> Result<(RunFigures, Vec<String>), Error> {
    let opts = SimOptions { progress: None, threads: 1 };
    let (summary, mut report) = crate::run::account(scenario, loaded, seed, opts).map_err(|e| match e {
        Error::Simulation { message } => Error::Simulation { message: format!("seed {seed}: {message}") },
        Error::Internal { message } => Error::Internal { message: format!("seed {seed}: {message}") },
        other => other,
    })?;
    apply_selected(&scenario.as_sim().expect, scenario.selection()?, &mut report);
    let figures = RunFigures::of(seed, &report);
    // The columns are by position: a report with other workloads would
    // mix them up.
    if !report.workloads.iter().map(|w| &w.name).eq(workloads.iter().map(|w| &w.0)) {
        return Err(Error::Internal { message: format!("seed {seed}: the report's workloads differ") });
    }
    Ok((figures, summary.warnings))
}

/// The sweep so far, fed run by run in seed order.
struct Tally {
    /// Name and kind of each workload, in report (name) order.
    workloads: Vec<(String, WorkloadKind)>,
    /// Every run's value of every figure: the fleet's (unless there is
    /// one workload, whose figures the fleet's are), then each workload's,
    /// [`FIGURES`] order within each. These are what a sweep's memory
    /// grows with: 8 bytes per figure per run.
    columns: Vec<Vec<i64>>,
    /// Every run's fleet-load peaks, [`LOAD_FIGURES`] order, when the
    /// runs have them.
    load: Vec<Vec<i64>>,
    worst: Vec<WorstSeed>,
    expectations: ExpectationSweep,
    by_check: BTreeMap<(String, String), u64>,
    p95_approximate_runs: u64,
    warnings: Option<Vec<String>>,
}

impl Tally {
    fn new(workloads: Vec<(String, WorkloadKind)>, runs: u64) -> Tally {
        let slots = workloads.len() + usize::from(workloads.len() != 1);
        let columns = slots * FIGURES.len();
        // Sized up front when that is modest (no doubling slack); a huge
        // fleet over many seeds grows as it goes instead of asking for
        // all of it before the first run.
        let runs = usize::try_from(runs).unwrap_or(usize::MAX);
        let reserve = if columns.saturating_mul(runs) <= 1 << 25 { runs } else { 0 };
        Tally {
            columns: (0..columns).map(|_| Vec::with_capacity(reserve)).collect(),
            load: Vec::new(),
            workloads,
            worst: Vec::with_capacity(WORST_SEEDS + 1),
            expectations: ExpectationSweep::default(),
            by_check: BTreeMap::new(),
            p95_approximate_runs: 0,
            warnings: None,
        }
    }

    fn add(&mut self, f: RunFigures, warnings: Vec<String>) {
        let fleet = (self.workloads.len() != 1).then_some(&f.fleet);
        let values = fleet.into_iter().chain(&f.workloads).flatten();
        for (column, v) in self.columns.iter_mut().zip(values) {
            column.push(*v);
        }
        if let Some(load) = f.load {
            self.load.resize_with(LOAD_FIGURES.len(), Vec::new);
            for (column, v) in self.load.iter_mut().zip(load) {
                column.push(v);
            }
        }
        self.p95_approximate_runs += u64::from(f.p95_approximate);
        if !f.failed_checks.is_empty() {
            let e = &mut self.expectations;
            e.seeds_failed += 1;
            if e.failing_seeds.len() < FAILING_SEEDS {
                e.failing_seeds.push(f.seed);
            }
            for check in &f.failed_checks {
                *self.by_check.entry(check.clone()).or_insert(0) += 1;
            }
        }
        let w = WorstSeed::of(&f);
        let at = self.worst.partition_point(|x| x.rank() < w.rank());
        if at < WORST_SEEDS {
            self.worst.insert(at, w);
            self.worst.truncate(WORST_SEEDS);
        }
        self.warnings.get_or_insert(warnings);
    }

    fn finish(mut self, head: &Heading) -> Sweep {
        let mut columns = self.columns.chunks_mut(FIGURES.len());
        let mut distributions = move || -> Vec<Distribution> {
            let Some(slot) = columns.next() else { return Vec::new() };
            FIGURES.iter().zip(slot).filter_map(|(f, values)| Distribution::of(*f, values)).collect()
        };
        let fleet = if self.workloads.len() == 1 { None } else { Some(distributions()) };
        let workloads: Vec<WorkloadSweep> = self
            .workloads
            .into_iter()
            .map(|(name, kind)| WorkloadSweep { name, kind, figures: distributions() })
            .collect();
        let fleet = fleet.unwrap_or_else(|| workloads[0].figures.clone());
        self.expectations.checked = head.checked;
        self.expectations.by_check = self
            .by_check
            .into_iter()
            .map(|((expectation, workload), seeds)| CheckFailures { expectation, workload, seeds })
            .collect();
        // Without any requests, CPU and memory are zero in every run: no row.
        let fleet_load = LOAD_FIGURES
            .iter()
            .zip(&mut self.load)
            .filter_map(|(f, values)| Distribution::of(*f, values))
            .filter(|d| d.max > 0 || !matches!(d.figure, Figure::RequestedCpu | Figure::RequestedMemory))
            .collect();
        Sweep {
            schema_version: SWEEP_SCHEMA_VERSION,
            scenario: head.scenario.clone(),
            seeds: head.seeds,
            start: head.start,
            end: head.end,
            cronwarp_version: env!("CARGO_PKG_VERSION").to_string(),
            fleet,
            fleet_load,
            workloads,
            worst_seeds: self.worst,
            expectations: self.expectations,
            p95_approximate_runs: self.p95_approximate_runs,
            warnings: crate::run::unique(self.warnings.unwrap_or_default()),
        }
    }
}
