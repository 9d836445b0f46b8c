//! `cronwarp run`: simulate a scenario and report what happened.

use super::files::{InputArgs, Output, png_name, prepare_out_dir, refuse_overwriting_inputs, write_figure};
use super::inputs::FleetArgs;
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_OK};
use crate::report::{Report, render_markdown, render_text};
use crate::sim::log::{JsonLines, LogSink, Record};
use crate::{RunOptions, Scenario};
use std::io::Write;
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Replays the scenario's horizon under virtual time with the real controllers' decisions
(CronJob controller v2, Job controller, TTL controller), then accounts for every schedule tick:
started on time, started late (why), not started (why), or fired twice in a DST fall-back.

Outputs:
  stdout            the report: --format text (terminal), markdown (PR comment) or json
                    (versioned schema, `schemaVersion`)
  --events FILE     the event log, JSON Lines: one object per line, ordered by time
  --out DIR         report.txt, report.md, report.json and one SVG timeline per CronJob
                    (<namespace>_<name>.svg) written to DIR, and _fleet-load.svg (the
                    fleet load by namespace) when there are several workloads or
                    resource requests; report.html holds all of it in one
                    self-contained page (inline SVG, a tooltip per Job, no network)
  --png             with --out, a PNG beside every SVG (byte-identical on every machine)

Outputs never overwrite inputs: an --events or --out path that is the scenario file or one of
its `path:` manifests is refused, as is an --out that is not a writable directory, before the
simulation starts. Input files must be regular files of at most --max-input bytes.

Exit codes: 0 ok, 1 an `expect:` check failed, 2 invalid scenario (file:line:col on stderr), an
unreadable or oversized input, or an output path refused; 3 internal error.

Manifests without a scenario file: every CronJob and CronOperation in the files (or on standard
input, `-`) becomes a workload, with the Jobs it owns (by ownerReference, else by name). Other
kinds are skipped with one line per file. The horizon starts at the newest timestamp in the
manifests (a dump starts where the cluster was) unless --from says otherwise, and lasts --horizon
(default 1d); every pod behaves as --duration, --failure-rate and --start-latency say. Unknown
fields are errors, as the API server's strict field validation makes them (--validate=warn reads
on).

Examples:
  cronwarp run scenarios/downtime-catchup.yaml
  cronwarp run scenarios/dumps/fleet.yaml --horizon 7d --duration 2m --failure-rate 0.05
  kubectl get cronjobs,jobs -A -o yaml | cronwarp run - --horizon 2d --downtime 2025-03-03T10:00:00Z+3h
  cronwarp run cronjob.yaml --from 2025-03-03T00:00:00Z --format markdown
  cronwarp run scenarios/forbid-long-jobs.yaml --format markdown --events /tmp/events.jsonl
  cronwarp run scenarios/downtime-catchup.yaml --seed 7 --out reports/downtime-catchup
  cronwarp run scenarios/fleet-load.yaml --stagger      # spread CronJobs that fire together";

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

/// `cronwarp run` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// A scenario file (YAML; see the README for its format), or manifests:
    /// CronJobs, CronOperations, KubeVela Applications, Lists, `---`
    /// streams, `kubectl get -o yaml` dumps; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Overrides the scenario's `seed`.
    // A negative seed reaches parse_seed, which names the range, instead
    // of reading as an unknown flag.
    #[arg(long, value_parser = crate::sweep::parse_seed, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// How stdout shows the report.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Writes the event log (JSON Lines) to this file.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Writes report.txt, report.md, report.json, report.html and an SVG
    /// timeline per CronJob to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: a PNG picture beside every SVG (the same drawing,
    /// rasterized; the same bytes on every machine).
    #[arg(long, requires = "out")]
    pub png: bool,
    /// Threads to simulate on (default: one per core). CronJobs that do
    /// not share objects run as separate partitions; the output is the
    /// same, byte for byte, for any number of threads.
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// Instead of the report: propose minute offsets for CronJobs that fire
    /// together, run the scenario with them, and print the fleet load's
    /// peaks before and after.
    #[arg(long, conflicts_with_all = ["events", "out", "png"])]
    pub stagger: bool,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
    /// What a scenario file would say, for manifests.
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// How to fix an unreadable scenario.
pub(super) const SCENARIO_HINT: &str =
    "see the scenario format in the README, or `cronwarp schema` for editors";

/// Simulates, reports, checks expectations: [`crate::run`], printed.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let scenario = super::inputs::load(&args.inputs, &args.fleet, args.seed, args.input.max_input, ctx)?;
    scenario.validate()?;
    if args.stagger {
        let s = crate::stagger::stagger(&scenario, args.seed)?;
        let out = match args.format {
            Format::Text => crate::stagger::render_stagger_text(&s),
            Format::Markdown => crate::stagger::render_stagger_markdown(&s),
            Format::Json => json(&s, "the stagger what-if")?,
        };
        write!(ctx.out, "{out}")?;
        return Ok(EXIT_OK);
    }
    check_outputs(args, &scenario)?;
    warn_retry_loops(&mut *ctx.err, scenario.as_sim())?;
    let mut events = match &args.events {
        Some(p) => {
            let f = std::fs::File::create(p)
                .map_err(|e| CliError::invalid(format!("cannot write the event log {}: {e}", p.display())))?;
            let w: Box<dyn Write> = Box::new(std::io::BufWriter::new(f));
            Some(JsonLines::new(w))
        }
        None => None,
    };
    let (start, end) = scenario.horizon();
    let mut progress = progress_printer(&mut *ctx.err, start, end);
    let mut log = events.as_mut().map(|e| move |r: &Record| e.record(r.clone()));
    // Timelines (`--out`) are built as the merged log streams by; an
    // event log is written as it is made. Without either, the run splits
    // into partitions.
    let mut opts = RunOptions::default().threads(args.threads).timelines(args.out.is_some());
    opts.seed = args.seed;
    opts.progress = progress.as_mut().map(|p| p as &mut dyn FnMut(crate::model::Time));
    opts.on_record = log.as_mut().map(|l| l as &mut dyn FnMut(&Record));
    let run = crate::run(&scenario, opts)?;
    if let Some(mut e) = events.take() {
        if let Some(err) = e.error.take() {
            return Err(CliError::Internal(format!("writing the event log: {err}")));
        }
        e.into_inner().flush().map_err(|err| CliError::Internal(format!("writing the event log: {err}")))?;
    }
    drop(progress);
    // Skipped objects and ignored fields (a KubeVela property cron-task does
    // not have, say): the run went ahead, but not quite as written.
    for w in run.warnings() {
        writeln!(ctx.err, "warning: {w}")?;
    }
    let report = run.report();
    write!(ctx.out, "{}", render(report, args.format)?)?;
    if let Some(dir) = &args.out {
        write_outputs(dir, report)?;
        for key in run.workload_keys() {
            write_figure(dir, &svg_name(key), &run.timeline_svg(key).unwrap_or_default(), args.png)?;
        }
        if let Some(svg) = run.fleet_load_svg() {
            write_figure(dir, FLEET_SVG, &svg, args.png)?;
        }
        let file = dir.join(HTML_FILE);
        std::fs::write(&file, run.report_html())
            .map_err(|e| CliError::invalid(format!("cannot write {}: {e}", file.display())))?;
    }
    if report.violations.is_empty() {
        return Ok(EXIT_OK);
    }
    for v in &report.violations {
        writeln!(ctx.err, "expectation failed: {} ({}): {}", v.expectation, v.cronjob, v.message)?;
    }
    Ok(EXIT_EXPECTATIONS_FAILED)
}

/// Says, before the run, which CronOperations retry for ever: every
/// attempt lasts the whole 2-minute timeout (crossplane `Reconcile`), whose
/// failure is never recorded.
pub(super) fn warn_retry_loops(err: &mut dyn Write, scenario: &crate::sim::Scenario) -> std::io::Result<()> {
    use crate::sim::actors::operation::{LOOP_PERIOD, retrying_for_ever};
    for name in retrying_for_ever(scenario) {
        writeln!(
            err,
            "warning: CronOperation {name}: every attempt lasts the whole 2-minute timeout, whose failure \
             Crossplane never records, so each Operation retries for ever (an attempt every {}, {} a day, \
             until the horizon end); the simulator fast-forwards these loops",
            crate::model::format_duration(LOOP_PERIOD),
            24 * crate::model::HOUR / LOOP_PERIOD
        )?;
    }
    Ok(())
}

/// The report files `--out` writes, besides the timelines.
const REPORT_FILES: [(&str, Format); 3] =
    [("report.txt", Format::Text), ("report.md", Format::Markdown), ("report.json", Format::Json)];

/// The HTML report `--out` writes: the whole report and its figures in one
/// self-contained page.
const HTML_FILE: &str = "report.html";

/// The fleet-load chart's file in `--out` (when the report shows a fleet
/// load). No timeline can take the name: a CronJob's is
/// `namespace_name.svg` with a non-empty namespace, a CronOperation's its
/// name, which cannot hold a `_`.
const FLEET_SVG: &str = "_fleet-load.svg";

/// A workload's timeline file in `--out`.
fn svg_name(key: &str) -> String {
    format!("{}.svg", key.replace('/', "_"))
}

/// Before simulating: no output over an input, and `--out` ready to write.
fn check_outputs(args: &Args, scenario: &Scenario) -> Result<(), CliError> {
    let mut outputs = Vec::new();
    if let Some(p) = &args.events {
        outputs.push(Output { flag: "--events", given: p, file: p.clone() });
    }
    if let Some(dir) = &args.out {
        let keys = scenario.report_input()?.workloads.iter().map(|m| svg_name(&m.key));
        let fleet = std::iter::once(FLEET_SVG.to_string());
        let fleet = fleet.chain(std::iter::once(HTML_FILE.to_string()));
        let figures: Vec<String> = keys.chain(fleet).collect();
        let pngs: Vec<String> =
            figures.iter().filter(|n| args.png && n.ends_with(".svg")).map(|n| png_name(n)).collect();
        for name in REPORT_FILES.iter().map(|(f, _)| f.to_string()).chain(figures).chain(pngs) {
            outputs.push(Output { flag: "--out", given: dir, file: dir.join(name) });
        }
    }
    refuse_overwriting_inputs(scenario.input_files(), &outputs)?;
    if let Some(dir) = &args.out {
        prepare_out_dir(dir)?;
    }
    Ok(())
}

fn render(report: &Report, format: Format) -> Result<String, CliError> {
    Ok(match format {
        Format::Text => render_text(report),
        Format::Markdown => render_markdown(report),
        Format::Json => json(report, "the report")?,
    })
}

/// `value` as pretty JSON with a final newline; `what` names it in the
/// (internal) error.
pub(super) fn json<T: serde::Serialize>(value: &T, what: &str) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Internal(format!("serializing {what}: {e}")))?;
    s.push('\n');
    Ok(s)
}

fn write_outputs(dir: &Path, report: &Report) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::invalid(format!("cannot write to {}: {e}", dir.display()));
    for (file, format) in REPORT_FILES {
        std::fs::write(dir.join(file), render(report, format)?).map_err(io)?;
    }
    Ok(())
}

/// A progress line on stderr per simulated month, for horizons longer than
/// 60 days (short runs finish before anyone would read it).
pub(super) fn progress_printer<'w>(
    err: &'w mut dyn Write,
    start: crate::model::Time,
    end: crate::model::Time,
) -> Option<impl FnMut(crate::model::Time) + 'w> {
    const MONTH: i64 = 30 * 24 * crate::model::HOUR;
    if end.since(start) <= 2 * MONTH {
        return None;
    }
    let mut next = start.add(MONTH);
    Some(move |t: crate::model::Time| {
        if t >= next {
            next = t.add(MONTH);
            let done = t.since(start) * 100 / end.since(start).max(1);
            // Progress is best effort; a closed stderr must not stop the run.
            let _ = writeln!(err, "simulated up to {t} ({done}%)");
        }
    })
}
