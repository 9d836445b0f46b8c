//! The run pipeline behind [`run`]: simulate a [`Scenario`], account for
//! every record in a [`Report`], check the scenario's `expect:` block.
//! `cronwarp run` and `cronwarp compare` are this plus rendering.

#![deny(missing_docs)]

use crate::model::Time;
use crate::report::{
    Accountant, LoadSweep, LoadWindow, Report, ReportInput, Violation, WorkloadReport, apply_selected,
};
use crate::sim::log::{LogSink, Record};
use crate::sim::{self, Loaded, SimOptions, SimSummary, WorkloadMeta};
use crate::{Error, Scenario};
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// How to [`run`] a scenario. Start from [`RunOptions::default`] and set
/// what differs, with the setters or the public fields:
///
/// ```
/// let opts = cronwarp::RunOptions::default().seed(7).keep_events(true);
/// assert_eq!(opts.seed, Some(7));
/// ```
#[derive(Default)]
#[non_exhaustive]
pub struct RunOptions<'a> {
    /// Overrides the scenario's `seed` (the report's header shows it).
    pub seed: Option<u64>,
    /// Threads to simulate on; `None` (or `Some(0)`): one per core.
    /// CronJobs that share no objects run as separate partitions; the
    /// report and the log are the same, byte for byte, for any number.
    pub threads: Option<usize>,
    /// Keeps the event log in memory for [`Run::events`] (and the
    /// timelines). Off, a run's memory stays flat however long its horizon.
    pub keep_events: bool,
    /// Builds each workload's timeline as the log streams by, for
    /// [`Run::timeline_svg`] without keeping the log: memory stays flat.
    pub timelines: bool,
    /// Called about once per simulated day with the simulated time.
    pub progress: Option<&'a mut dyn FnMut(Time)>,
    /// Sees every record of the event log as it is made, in log order
    /// (to write the log somewhere without keeping it, say).
    pub on_record: Option<&'a mut dyn FnMut(&Record)>,
}

impl<'a> RunOptions<'a> {
    /// Overrides the scenario's seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Simulates on up to `threads` threads (0: one per core).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = Some(threads);
        self
    }

    /// Keeps the event log for [`Run::events`].
    pub fn keep_events(mut self, keep: bool) -> Self {
        self.keep_events = keep;
        self
    }

    /// Builds the timelines for [`Run::timeline_svg`] as the run goes.
    pub fn timelines(mut self, build: bool) -> Self {
        self.timelines = build;
        self
    }

    /// Reports progress to `f` (the simulated time, about once a day).
    pub fn progress(mut self, f: &'a mut dyn FnMut(Time)) -> Self {
        self.progress = Some(f);
        self
    }

    /// Shows every record to `f` as it is made.
    pub fn on_record(mut self, f: &'a mut dyn FnMut(&Record)) -> Self {
        self.on_record = Some(f);
        self
    }
}

impl fmt::Debug for RunOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("keep_events", &self.keep_events)
            .field("timelines", &self.timelines)
            .field("progress", &self.progress.is_some())
            .field("on_record", &self.on_record.is_some())
            .finish()
    }
}

/// What a [`run`] produced: the report (with the `expect:` checks
/// applied), the event log if it was kept, and the scenario's warnings.
#[derive(Debug, Clone)]
pub struct Run {
    report: Report,
    events: Option<Vec<Record>>,
    warnings: Vec<String>,
    /// Per-workload facts, in scenario order (the timelines draw them).
    #[cfg_attr(not(feature = "svg"), allow(dead_code))]
    metas: Vec<WorkloadMeta>,
    /// The timelines, when built as the run went.
    #[cfg(feature = "svg")]
    timelines: Option<crate::report::svg::Drawn>,
}

/// Simulates `scenario` to the end of its horizon and accounts for every
/// schedule tick, exactly as `cronwarp run` does: same scenario and seed,
/// same report, byte for byte, on any number of threads.
///
/// The report comes back with the scenario's `expect:` checks applied
/// ([`Run::check`]); failed checks are not an [`Error`].
pub fn run(scenario: &Scenario, mut options: RunOptions<'_>) -> Result<Run, Error> {
    let seed = options.seed.unwrap_or(scenario.seed());
    let input = input_at(scenario, seed)?;
    let metas = input.workloads.clone();
    let loaded = Loaded::new(scenario.as_sim()).map_err(|e| fail(scenario, e))?;
    let opts = SimOptions { progress: options.progress.take(), threads: options.threads.unwrap_or(0) };
    #[cfg(feature = "svg")]
    let timelines = options.timelines.then(|| crate::report::svg::Timelines::new(&metas));
    #[cfg(not(feature = "svg"))]
    let timelines: Option<NoTimelines> = None;
    let (summary, mut report, events, timelines) =
        if !options.keep_events && options.on_record.is_none() && timelines.is_none() {
            let (summary, report) = account(scenario, &loaded, seed, opts)?;
            (summary, report, None, None)
        } else {
            let mut tee = Tee {
                accountant: accountant(scenario, input),
                on_record: options.on_record.take(),
                kept: options.keep_events.then(Vec::new),
                timelines,
            };
            let summary = loaded.simulate_into(seed, &mut tee, opts).map_err(|e| fail(scenario, e))?;
            (summary, tee.accountant.finish(), tee.kept, tee.timelines)
        };
    apply_selected(&scenario.as_sim().expect, scenario.selection()?, &mut report);
    #[cfg(not(feature = "svg"))]
    drop(timelines);
    Ok(Run {
        report,
        events,
        warnings: unique(summary.warnings),
        #[cfg(feature = "svg")]
        timelines: timelines.map(crate::report::svg::Timelines::finish_all),
        metas,
    })
}

/// Without the `svg` feature there are no timelines to build.
#[cfg(not(feature = "svg"))]
struct NoTimelines;

#[cfg(not(feature = "svg"))]
impl NoTimelines {
    fn feed(&mut self, _record: &Record) {}
}

#[cfg(feature = "svg")]
type TimelineSink = crate::report::svg::Timelines;
#[cfg(not(feature = "svg"))]
type TimelineSink = NoTimelines;

/// Each warning once, in order: workloads reading one file share its
/// warnings.
pub(crate) fn unique(warnings: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    warnings.into_iter().filter(|w| seen.insert(w.clone())).collect()
}

/// Simulates `loaded` at `seed` with an accountant per partition, fed as
/// its records are made: nobody needs the merged log, so nothing is merged
/// or kept. The report's `expect:` checks are not applied yet.
pub(crate) fn account(
    scenario: &Scenario,
    loaded: &Loaded<'_>,
    seed: u64,
    opts: SimOptions<'_>,
) -> Result<(SimSummary, Report), Error> {
    let input = input_at(scenario, seed)?;
    let load = input.counts_load() || scenario.as_sim().expect.has_fleet_bounds();
    // The fleet load needs every workload's records in one time order:
    // each partition keeps its deltas, and after each window (when all
    // partitions have reached its end) they are swept together.
    let mut sweep = LoadSweep::default();
    let window = std::sync::Arc::new(Mutex::new(LoadWindow::default()));
    let mut after_window = |parts: &[Mutex<Accountant>]| {
        for p in parts {
            p.lock().unwrap_or_else(PoisonError::into_inner).flush_load();
        }
        window.lock().unwrap_or_else(PoisonError::into_inner).sweep_into(&mut sweep);
    };
    let make = |ws: &[usize]| {
        let acc = Accountant::new(input.part(ws));
        if load { acc.share_load(&window) } else { acc }
    };
    let (summary, parts) =
        loaded.simulate_split_with(seed, make, &mut after_window, opts).map_err(|e| fail(scenario, e))?;
    let mut report = Accountant::finish_parts(parts)
        .ok_or_else(|| Error::Internal { message: "a run without partitions".into() })?;
    report.fleet = load.then(|| sweep.finish());
    Ok((summary, report))
}

/// An accountant of the merged log, counting fleet-wide peaks when the
/// scenario bounds them.
fn accountant(scenario: &Scenario, input: ReportInput) -> Accountant {
    let acc = Accountant::new(input);
    if scenario.as_sim().expect.has_fleet_bounds() { acc.with_fleet() } else { acc }
}

/// The report's input, its header showing `seed`.
fn input_at(scenario: &Scenario, seed: u64) -> Result<ReportInput, Error> {
    let mut input = scenario.report_input()?.clone();
    input.header.seed = seed;
    Ok(input)
}

fn fail(scenario: &Scenario, e: sim::SimError) -> Error {
    Error::from_sim(e, Some(scenario.name()))
}

/// Feeds every record to the accountant and, when asked, to a callback and
/// the kept log.
struct Tee<'a, 'f> {
    accountant: Accountant,
    on_record: Option<&'f mut (dyn FnMut(&Record) + 'a)>,
    kept: Option<Vec<Record>>,
    timelines: Option<TimelineSink>,
}

impl LogSink for Tee<'_, '_> {
    fn record(&mut self, record: Record) {
        if let Some(f) = self.on_record.as_mut() {
            f(&record);
        }
        if let Some(k) = self.kept.as_mut() {
            k.push(record.clone());
        }
        if let Some(t) = self.timelines.as_mut() {
            t.feed(&record);
        }
        self.accountant.record(record);
    }

    fn wants_detail(&self) -> bool {
        // The timelines and the accountant read no detail; a callback or
        // the kept log may.
        self.on_record.is_some() || self.kept.is_some()
    }
}

impl Run {
    /// The report: per workload, every tick accounted (on time, late, not
    /// started and why), overlaps, Job outcomes, deletions; and the failed
    /// `expect:` checks. Its JSON form is `cronwarp run --format json`.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The report, owned.
    pub fn into_report(self) -> Report {
        self.report
    }

    /// The event log, when the run kept it ([`RunOptions::keep_events`]):
    /// each record is one line of `cronwarp run --events`.
    pub fn events(&self) -> Option<&[Record]> {
        self.events.as_deref()
    }

    /// What the scenario asked for that the run could not do quite as
    /// written (skipped objects, ignored fields), each once.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every workload's report, in name order.
    pub fn workloads(&self) -> &[WorkloadReport] {
        &self.report.workloads
    }

    /// One workload's report by name: `namespace/name` for a CronJob, the
    /// name for a CronOperation.
    pub fn workload(&self, name: &str) -> Option<&WorkloadReport> {
        self.report.workloads.iter().find(|c| c.name == name)
    }

    /// The scenario's `expect:` checks: `Err` lists every one that failed
    /// (`cronwarp run` exits 1 then). A scenario without checks passes.
    pub fn check(&self) -> Result<(), ExpectationFailures> {
        match self.report.violations.as_slice() {
            [] => Ok(()),
            v => Err(ExpectationFailures { violations: v.to_vec() }),
        }
    }

    /// Panics unless every tick of every workload got its Job (on time or
    /// late; ticks still pending at the horizon's end do not count), naming
    /// each workload that missed some and why the first was missed.
    #[track_caller]
    pub fn assert_no_missed(&self) {
        let missed: Vec<String> = self
            .workloads()
            .iter()
            .filter(|w| w.ticks.not_started > 0)
            .map(|w| {
                let first = w
                    .not_started_ticks()
                    .next()
                    .map_or(String::new(), |t| format!("; the first, {}, because {}", t.local, t.why));
                format!("{}: {} of {} ticks not started{first}", w.name, w.ticks.not_started, w.ticks.total)
            })
            .collect();
        assert!(missed.is_empty(), "ticks were missed:\n  {}", missed.join("\n  "));
    }

    /// The SVG timeline of one workload (as `cronwarp run --out` draws
    /// it), when the run built its timelines ([`RunOptions::timelines`])
    /// or kept its events.
    #[cfg(feature = "svg")]
    pub fn timeline_svg(&self, workload: &str) -> Option<String> {
        let meta = self.metas.iter().find(|m| m.key == workload)?;
        if let Some(t) = &self.timelines {
            return t.svg(meta);
        }
        Some(crate::report::svg::timeline_svg(self.events.as_deref()?, meta))
    }

    /// The fleet-load chart (as `cronwarp run --out` draws it), when the
    /// report shows a fleet load and the run built its timelines or kept
    /// its events.
    #[cfg(feature = "svg")]
    pub fn fleet_load_svg(&self) -> Option<String> {
        self.report.fleet_load()?;
        if let Some(t) = &self.timelines {
            return t.fleet_load_svg(&self.metas);
        }
        Some(crate::report::svg::fleet_load_svg(self.events.as_deref()?, &self.metas))
    }

    /// The report as one self-contained HTML page (`report.html` of
    /// `cronwarp run --out`): the summary, each workload's tables and, when
    /// the run built its timelines ([`RunOptions::timelines`]) or kept its
    /// events, its SVG timeline with a tooltip per Job, and the fleet-load
    /// chart when the report has one. No network,
    /// no framework; the same run gives the same bytes.
    pub fn report_html(&self) -> String {
        crate::report::report_html(&self.report, &self.figures())
    }

    /// The figures of [`Run::report_html`], by workload key.
    fn figures(&self) -> crate::report::Figures {
        #[allow(unused_mut)]
        let mut figures = crate::report::Figures::new();
        #[cfg(feature = "svg")]
        {
            use crate::report::Figure;
            for m in &self.metas {
                if let Some(svg) = self.timeline_svg(&m.key) {
                    figures.insert(m.key.clone(), vec![Figure { label: String::new(), svg }]);
                }
            }
            if let Some(svg) = self.fleet_load_svg() {
                figures
                    .insert(crate::report::FLEET_FIGURE.into(), vec![Figure { label: String::new(), svg }]);
            }
        }
        figures
    }

    /// The workloads' names in scenario order.
    #[cfg(feature = "cli")]
    pub(crate) fn workload_keys(&self) -> impl Iterator<Item = &str> {
        self.metas.iter().map(|m| m.key.as_str())
    }
}

/// The `expect:` checks a run failed ([`Run::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectationFailures {
    /// Each failed check: the `expect:` key, the workload, what happened.
    pub violations: Vec<Violation>,
}

impl fmt::Display for ExpectationFailures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.violations.len();
        write!(f, "{n} expectation{} failed", if n == 1 { "" } else { "s" })?;
        for v in &self.violations {
            write!(f, "\n  {} ({}): {}", v.expectation, v.cronjob, v.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ExpectationFailures {}
