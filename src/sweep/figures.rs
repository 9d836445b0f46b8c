//! What a sweep keeps of each run ([`RunFigures`]: a few numbers per
//! workload, read off the run's [`Report`]) and how it summarises them
//! ([`percentile`], nearest-rank, and [`Distribution`]).

use crate::report::{Report, TickOutcome, WorkloadReport};
use serde::{Deserialize, Serialize};

/// The figures a sweep takes of every run, per workload and fleet-wide,
/// in the order they are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Figure {
    /// Ticks whose run was created within `ON_TIME` of the tick.
    OnTime,
    /// Ticks started later than that.
    Late,
    /// Ticks that never got a run.
    NotStarted,
    /// The run's worst lateness of a started tick (the report's
    /// `maxLateness`), in milliseconds.
    WorstLateness,
    /// The nearest-rank 95th percentile of the run's started ticks'
    /// lateness, on-time ticks counted as 0, in milliseconds.
    P95Lateness,
    /// Jobs (Operations) that succeeded.
    Succeeded,
    /// Jobs (Operations) that failed, for any reason.
    Failed,
    /// The most runs of one workload at once.
    PeakConcurrency,
    /// Time with two or more runs of one workload at once, in
    /// milliseconds.
    OverlapTime,
    /// Fleet load: the most unfinished Jobs (and Operations) of all
    /// workloads at once.
    LiveJobs,
    /// Fleet load: the most live pods of all workloads at once.
    LivePods,
    /// Fleet load: the most CPU the live pods requested at once, in
    /// millicores.
    RequestedCpu,
    /// Fleet load: the most memory the live pods requested at once, in
    /// bytes.
    RequestedMemory,
}

/// Every [`Figure`], in order; a figure's index in this list is its place
/// in a row of figures.
pub const FIGURES: [Figure; 9] = [
    Figure::OnTime,
    Figure::Late,
    Figure::NotStarted,
    Figure::WorstLateness,
    Figure::P95Lateness,
    Figure::Succeeded,
    Figure::Failed,
    Figure::PeakConcurrency,
    Figure::OverlapTime,
];

/// One value per [`Figure`], in [`FIGURES`] order.
pub type Row = [i64; FIGURES.len()];

/// The fleet-load figures, taken once per run for all workloads together
/// (when the run's report has a fleet load), in order.
pub const LOAD_FIGURES: [Figure; 4] =
    [Figure::LiveJobs, Figure::LivePods, Figure::RequestedCpu, Figure::RequestedMemory];

/// One value per [`LOAD_FIGURES`] figure, in order.
pub type LoadRow = [i64; LOAD_FIGURES.len()];

impl Figure {
    /// Its place in a [`Row`] (a fleet-load figure: in a [`LoadRow`]).
    pub fn index(self) -> usize {
        let i = self as usize;
        if i >= FIGURES.len() { i - FIGURES.len() } else { i }
    }

    /// The unit of its values.
    pub fn unit(self) -> Unit {
        match self {
            Figure::WorstLateness | Figure::P95Lateness | Figure::OverlapTime => Unit::Ms,
            Figure::RequestedCpu => Unit::Millicores,
            Figure::RequestedMemory => Unit::Bytes,
            _ => Unit::Count,
        }
    }

    /// How fleet-wide values combine the workloads' (P95 lateness is
    /// taken over every workload's ticks instead; see [`RunFigures::of`]).
    fn fleet_sums(self) -> bool {
        !matches!(self, Figure::WorstLateness | Figure::PeakConcurrency | Figure::P95Lateness)
    }
}

/// The unit of a [`Figure`]'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Unit {
    /// A number of ticks, runs or runs at once.
    Count,
    /// Milliseconds.
    Ms,
    /// Thousandths of a CPU.
    Millicores,
    /// Bytes.
    Bytes,
}

/// The percentiles a sweep prints, with 100 as the maximum.
pub const PERCENTILES: [u32; 5] = [50, 90, 95, 99, 100];

/// The nearest-rank `p`th percentile of `sorted` (ascending): the value at
/// rank ⌈p/100 · n⌉, counting from 1, so the smallest value that at least
/// `p`% of the values do not exceed. Always one of the values, never an
/// interpolation; `p = 100` is the maximum. `None` when `sorted` is empty;
/// `p` is clamped to 1..=100.
///
/// ```
/// use cronwarp::sweep::percentile;
/// let v = [15, 20, 35, 40, 50];
/// assert_eq!(percentile(&v, 30), Some(20)); // rank ⌈1.5⌉ = 2
/// assert_eq!(percentile(&v, 50), Some(35)); // rank ⌈2.5⌉ = 3
/// assert_eq!(percentile(&v, 100), Some(50));
/// ```
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    let n = sorted.len();
    (n > 0).then(|| sorted[rank(n as u64, p) as usize - 1])
}

/// The nearest rank, 1-based, of the `p`th percentile of `n > 0` values.
fn rank(n: u64, p: u32) -> u64 {
    (u64::from(p.clamp(1, 100)) * n).div_ceil(100).clamp(1, n)
}

/// The nearest-rank 95th percentile of `zeros` values of 0 followed by
/// `sorted` (ascending, none below 0); 0 when there are none at all.
fn p95_after_zeros(zeros: u64, sorted: &[i64]) -> i64 {
    let n = zeros + sorted.len() as u64;
    if n == 0 {
        return 0;
    }
    let r = rank(n, 95);
    if r <= zeros { 0 } else { sorted[(r - zeros - 1) as usize] }
}

/// What a sweep keeps of one run: its figures, per workload and
/// fleet-wide, and which `expect:` checks it failed. Not the report, so a
/// sweep's memory grows by a few numbers per run. A shard of a sweep
/// writes these down ([`SweepPart`](super::SweepPart)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunFigures {
    /// The run's seed.
    pub seed: u64,
    /// Fleet-wide: counts and overlap time summed over the workloads,
    /// worst lateness and peak concurrency the highest of any one, p95
    /// lateness over every workload's started ticks.
    pub fleet: Row,
    /// Per workload, in the report's (name) order.
    pub workloads: Vec<Row>,
    /// A workload had more late ticks than its report lists (past
    /// [`MAX_ROWS`](crate::report::MAX_ROWS) exceptions), so its p95
    /// lateness is over the listed ones only.
    pub p95_approximate: bool,
    /// The failed `expect:` checks: (check, workload), in report order.
    pub failed_checks: Vec<(String, String)>,
    /// The fleet load's peaks ([`LOAD_FIGURES`]), when the report has
    /// them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadRow>,
}

impl RunFigures {
    /// Reads the figures off a run's report (with its `expect:` checks
    /// applied); nothing is recomputed from the event log.
    pub fn of(seed: u64, report: &Report) -> RunFigures {
        let mut fleet: Row = [0; FIGURES.len()];
        let mut all_lates = Vec::new();
        let mut p95_approximate = false;
        let workloads = report
            .workloads
            .iter()
            .map(|w| {
                let lates = lates_of(w);
                p95_approximate |= (lates.len() as u64) < w.ticks.late;
                let row = row_of(w, &lates);
                for f in FIGURES {
                    let (total, v) = (&mut fleet[f.index()], row[f.index()]);
                    *total = if f.fleet_sums() { total.saturating_add(v) } else { (*total).max(v) };
                }
                all_lates.extend(lates);
                row
            })
            .collect();
        all_lates.sort_unstable();
        let on_time: u64 = report.workloads.iter().map(|w| w.ticks.on_time).sum();
        fleet[Figure::P95Lateness.index()] = p95_after_zeros(on_time, &all_lates);
        let failed_checks =
            report.violations.iter().map(|v| (v.expectation.clone(), v.cronjob.clone())).collect();
        let load = report
            .fleet
            .as_ref()
            .map(|f| [i64::from(f.max_jobs), i64::from(f.max_pods), f.max_cpu_millis, f.max_memory_bytes]);
        RunFigures { seed, fleet, workloads, p95_approximate, failed_checks, load }
    }
}

/// The lateness of every late tick the report lists, ascending.
fn lates_of(w: &WorkloadReport) -> Vec<i64> {
    let mut lates: Vec<i64> =
        w.exceptions.iter().filter(|e| e.outcome == TickOutcome::Late).filter_map(|e| e.late_by).collect();
    lates.sort_unstable();
    lates
}

/// One workload's figures; `lates` from [`lates_of`].
fn row_of(w: &WorkloadReport, lates: &[i64]) -> Row {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let mut row: Row = [0; FIGURES.len()];
    for f in FIGURES {
        row[f.index()] = match f {
            Figure::OnTime => n(w.ticks.on_time),
            Figure::Late => n(w.ticks.late),
            Figure::NotStarted => n(w.ticks.not_started),
            Figure::WorstLateness => w.max_lateness,
            Figure::P95Lateness => p95_after_zeros(w.ticks.on_time, lates),
            Figure::Succeeded => n(w.outcomes.succeeded),
            Figure::Failed => n(w.outcomes.failed()),
            Figure::PeakConcurrency => i64::from(w.overlaps.max_concurrency),
            Figure::OverlapTime => w.overlaps.total,
            // Fleet-wide only: not in FIGURES.
            Figure::LiveJobs | Figure::LivePods | Figure::RequestedCpu | Figure::RequestedMemory => 0,
        };
    }
    row
}

/// One figure over every run of a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Distribution {
    /// Which figure.
    pub figure: Figure,
    /// The unit of the values below.
    pub unit: Unit,
    /// The best run's value.
    pub min: i64,
    /// The median run (nearest-rank, as every percentile here).
    pub p50: i64,
    /// At least 90% of runs are at or below it.
    pub p90: i64,
    /// At least 95% of runs are at or below it.
    pub p95: i64,
    /// At least 99% of runs are at or below it.
    pub p99: i64,
    /// The worst run's value.
    pub max: i64,
}

impl Distribution {
    /// The distribution of `values`, one per run, in any order (sorted
    /// here); `None` when there are none.
    pub fn of(figure: Figure, values: &mut [i64]) -> Option<Distribution> {
        values.sort_unstable();
        let [p50, p90, p95, p99, max] = PERCENTILES.map(|p| percentile(values, p));
        Some(Distribution {
            figure,
            unit: figure.unit(),
            min: *values.first()?,
            p50: p50?,
            p90: p90?,
            p95: p95?,
            p99: p99?,
            max: max?,
        })
    }
}
