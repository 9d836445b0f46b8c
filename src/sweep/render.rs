//! Text (terminal), Markdown and HTML renderings of a [`Sweep`], from the
//! same document model as the run report's.

use super::figures::{Distribution, Figure, Unit};
use super::{Sweep, WORST_SEEDS};
use crate::model::format_duration;
use crate::report::{Block, cols, format_cpu, format_memory, markdown, text};
use crate::sim::WorkloadKind;

/// Plain text with aligned columns, for terminals.
pub fn render_sweep_text(s: &Sweep) -> String {
    text(document(s, false))
}

/// GitHub-flavoured Markdown, for PR comments.
pub fn render_sweep_markdown(s: &Sweep) -> String {
    markdown(document(s, false))
}

/// One self-contained HTML page (`sweep --out DIR`'s `sweep.html`), with
/// the run report's page shell and styles.
#[cfg(feature = "cli")]
pub(crate) fn render_sweep_html(s: &Sweep) -> String {
    crate::report::document_html(&document(s, true), &Default::default())
}

/// How percentiles read, under every table.
const PERCENTILES_NOTE: &str = "Each figure is taken once per run, then summarised over the runs. \
    pN is the nearest-rank percentile: the smallest value that at least N% of the runs do not \
    exceed (p50 is the median run, max the worst one).";

/// `replay`: the worst seeds' table says how to replay each (the page's
/// columns have room for the command).
fn document(s: &Sweep, replay: bool) -> Vec<Block> {
    let runs = s.runs();
    let mut d = vec![
        Block::Heading(1, format!("cronwarp sweep: {}", s.scenario)),
        Block::Para(format!(
            "Seeds {} ({runs} run{}), horizon {} → {} ({}), cronwarp {}.",
            s.seeds,
            if runs == 1 { "" } else { "s" },
            s.start,
            s.end,
            format_duration(s.end.since(s.start)),
            s.cronwarp_version
        )),
        Block::Para(PERCENTILES_NOTE.into()),
    ];
    if s.workloads.len() > 1 {
        d.push(Block::Heading(2, format!("Fleet ({} workloads)", s.workloads.len())));
        d.push(Block::Para(
            "Per run: ticks, runs and overlap time summed over the workloads; worst lateness and \
             peak concurrency the highest of any one workload; p95 lateness over every workload's \
             started ticks."
                .into(),
        ));
        d.push(table(&s.fleet, None));
    }
    if !s.fleet_load.is_empty() {
        d.push(Block::Heading(2, "Fleet load".into()));
        d.push(Block::Para(
            "Per run: the peak of all workloads together at one instant (see a run report's fleet \
             load)."
                .into(),
        ));
        d.push(table(&s.fleet_load, None));
    }
    for w in &s.workloads {
        let kind = match w.kind {
            WorkloadKind::CronJob => "CronJob",
            WorkloadKind::CronOperation => "CronOperation",
            WorkloadKind::CronWorkflow => "CronWorkflow",
        };
        d.push(Block::Heading(2, format!("{kind} {}", w.name)));
        d.push(table(&w.figures, Some(w.kind)));
    }
    if s.p95_approximate_runs > 0 {
        d.push(Block::Para(format!(
            "Note: in {} run(s) a workload had more late ticks than its report lists (1000 \
             exceptions); its p95 lateness is taken over the listed ticks.",
            s.p95_approximate_runs
        )));
    }
    worst_seeds(&mut d, s, replay);
    expectations(&mut d, s);
    d
}

/// One row per figure; `kind` names the runs (`None`: the fleet's, of
/// either kind).
fn table(figures: &[Distribution], kind: Option<WorkloadKind>) -> Block {
    let rows = figures
        .iter()
        .map(|f| {
            let v = |x: i64| match f.unit {
                Unit::Ms => format_duration(x),
                Unit::Count => x.to_string(),
                Unit::Millicores => format_cpu(x),
                Unit::Bytes => format_memory(x),
            };
            vec![label(f.figure, kind), v(f.min), v(f.p50), v(f.p90), v(f.p95), v(f.p99), v(f.max)]
        })
        .collect();
    Block::Table { head: cols(&["per run", "min", "p50", "p90", "p95", "p99", "max"]), rows }
}

fn label(f: Figure, kind: Option<WorkloadKind>) -> String {
    let runs = match kind {
        Some(WorkloadKind::CronJob) => "Jobs",
        Some(WorkloadKind::CronOperation) => "Operations",
        Some(WorkloadKind::CronWorkflow) => "Workflows",
        None => "runs",
    };
    match f {
        Figure::OnTime => "ticks on time".into(),
        Figure::Late => "ticks late".into(),
        Figure::NotStarted => "ticks not started".into(),
        Figure::WorstLateness => "worst lateness".into(),
        Figure::P95Lateness => "p95 lateness (on time = 0)".into(),
        Figure::Succeeded => format!("{runs} succeeded"),
        Figure::Failed => format!("{runs} failed"),
        Figure::PeakConcurrency => "peak concurrency".into(),
        Figure::OverlapTime => "time overlapping".into(),
        Figure::LiveJobs => format!("peak unfinished {runs}"),
        Figure::LivePods => "peak live pods".into(),
        Figure::RequestedCpu => "peak requested CPU".into(),
        Figure::RequestedMemory => "peak requested memory".into(),
    }
}

fn worst_seeds(d: &mut Vec<Block>, s: &Sweep, replay: bool) {
    let Some(first) = s.worst_seeds.first() else { return };
    d.push(Block::Heading(2, "Worst seeds".into()));
    d.push(Block::Para(format!(
        "The {} runs with the most ticks not started, then the worst lateness. Replay one with \
         `cronwarp run {} --seed {}`.",
        s.worst_seeds.len().min(WORST_SEEDS),
        s.scenario,
        first.seed
    )));
    let checks = s.expectations.checked > 0;
    let rows = s
        .worst_seeds
        .iter()
        .map(|w| {
            let mut row = vec![
                w.seed.to_string(),
                w.not_started.to_string(),
                w.late.to_string(),
                format_duration(w.worst_lateness),
                w.failed.to_string(),
            ];
            if checks {
                row.push(if w.failed_checks == 0 {
                    "hold".into()
                } else {
                    format!("{} failed", w.failed_checks)
                });
            }
            if replay {
                row.push(format!("`cronwarp run {} --seed {}`", s.scenario, w.seed));
            }
            row
        })
        .collect();
    let mut head = vec!["seed", "not started", "late", "worst lateness", "runs failed"];
    if checks {
        head.push("expect:");
    }
    if replay {
        head.push("replay");
    }
    d.push(Block::Table { head: cols(&head), rows });
}

fn expectations(d: &mut Vec<Block>, s: &Sweep) {
    let e = &s.expectations;
    if e.checked == 0 {
        return;
    }
    d.push(Block::Heading(2, "Expectations".into()));
    if e.seeds_failed == 0 {
        d.push(Block::Para(format!("All {} checks hold at every seed.", e.checked)));
        return;
    }
    let seeds: Vec<String> = e.failing_seeds.iter().map(u64::to_string).collect();
    d.push(Block::Para(format!(
        "{} of {} seeds failed at least one of the {} checks (the first: {}).",
        e.seeds_failed,
        s.runs(),
        e.checked,
        seeds.join(", ")
    )));
    let rows = e
        .by_check
        .iter()
        .map(|c| vec![c.expectation.clone(), c.workload.clone(), c.seeds.to_string()])
        .collect();
    d.push(Block::Table { head: cols(&["expectation", "workload", "seeds failed"]), rows });
}
