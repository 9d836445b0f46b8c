//! `cronwarp sweep`: one scenario at every seed of a range, and the spread
//! of what happened.

use super::run::{Format, SCENARIO_HINT, json};
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_OK};
use crate::sweep::{
    SeedRange, Shard, Sweep, SweepOptions, SweepPart, render_sweep_markdown, render_sweep_text, sweep_part,
};
use crate::{Scenario, sweep};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
A scenario with random durations or failures (`behaviour:`) plays out differently at every
seed, and `cronwarp run` shows one of those nights. `cronwarp sweep` runs it once per seed of a
range, reading the scenario once and the seeds in parallel, and prints how the runs spread, per
CronJob (and fleet-wide when there are several):

  ticks on time / late / not started, worst lateness, p95 lateness (on-time ticks count as 0),
  Jobs succeeded / failed, peak concurrency, time with overlapping Jobs

each as min, p50, p90, p95, p99 and max over the runs. Percentiles are nearest-rank: pN is the
smallest value that at least N% of the runs do not exceed, always one run's actual value (p50 is
the median run; with 1000 seeds, p99 is the 990th best and max the worst). Then the 5 worst seeds
(most ticks not started, then the worst lateness), so you can replay one with
`cronwarp run SCENARIO --seed N`, and, when the scenario has an `expect:` block, how many seeds
failed it and which checks.

The output is the same, byte for byte, for any --threads. A progress bar (runs/s, ETA) goes to
stderr when it is a terminal, unless --quiet.

Seeds: START..END (END excluded) or START..=END, at most 1000000 per sweep.

`--out DIR` also writes the sweep to DIR as sweep.json, sweep.md and sweep.html (one
self-contained page: the same tables, and the worst seeds with the `cronwarp run` command that
replays each). With --shard, --out names the FILE the partial result goes to instead.

Beyond one machine: `--shard I/N` runs the I-th of N contiguous slices of the seeds (0-based)
and writes a partial result (JSON, to --out FILE or stdout); `cronwarp merge PARTS...` folds
the N parts into exactly the output one sweep over all the seeds prints. `--emit-indexed-job`
prints a Kubernetes Indexed Job that runs the N shards in a cluster (see the guide).

Exit codes: 0 ok, 1 an `expect:` check failed at one seed or more, 2 invalid scenario or
--seeds, 3 internal error.

Examples:
  cronwarp sweep scenarios/sweep-nightly-backup.yaml --seeds 0..1000
  cronwarp sweep scenarios/sweep-nightly-backup.yaml --seeds 0..100 --format markdown
  cronwarp sweep scenarios/sweep-nightly-backup.yaml --seeds 0..1000 --out reports/sweep-nightly-backup
  cronwarp sweep scenarios/every-minute-forbid.yaml --seeds 1..=50 --threads 2 --format json
  cronwarp run scenarios/sweep-nightly-backup.yaml --seed 17    # replay a seed the sweep names
  cronwarp sweep scenarios/sweep-nightly-backup.yaml --seeds 0..1000 --shard 0/4 --out parts/0.json
  cronwarp merge parts/*.json --format markdown
  cronwarp sweep scenarios/fleet-load.yaml --seeds 0..1000 --emit-indexed-job --shards 20";

/// `cronwarp sweep` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The scenario file (YAML; see the README for its format).
    pub scenario: PathBuf,
    /// The seeds to run, each once: START..END (END excluded) or
    /// START..=END.
    #[arg(long, value_name = "START..END")]
    pub seeds: SeedRange,
    /// How stdout shows the sweep.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Threads to run seeds on (default: one per core); the output is the
    /// same for any number.
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Sweeps every variant: FIELD=V1,V2,… (repeatable; as `compare
    /// --vary`), then shows p50 / p95 / max per variant side by side.
    #[arg(long, value_name = "FIELD=V1,V2", value_parser = crate::variants::parse_vary)]
    pub vary: Vec<crate::variants::Axis>,
    /// Runs only shard I of N (0-based): a contiguous slice of the seeds,
    /// written as a partial result (JSON) for `cronwarp merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<Shard>,
    /// Without --shard: a directory to write sweep.json, sweep.md and
    /// sweep.html to (created if missing), besides stdout. With --shard:
    /// the FILE to write the partial result to (its directory is created)
    /// instead of stdout.
    #[arg(long, value_name = "DIR|FILE", conflicts_with = "vary")]
    pub out: Option<PathBuf>,
    /// Prints a Kubernetes Indexed Job (and the ConfigMap holding the
    /// scenario) that runs the sweep as --shards shards in a cluster,
    /// instead of running it.
    #[arg(long, conflicts_with_all = ["shard", "out"])]
    pub emit_indexed_job: bool,
    /// With --emit-indexed-job: how many shards (the Job's completions).
    #[arg(long, value_name = "N", default_value_t = 8, requires = "emit_indexed_job")]
    pub shards: u64,
    /// With --emit-indexed-job: the container image, with `cronwarp` on
    /// its PATH.
    #[arg(long, value_name = "IMAGE", requires = "emit_indexed_job")]
    pub image: Option<String>,
    /// The Kubernetes release whose controllers to simulate (`1.27`, 1.21
    /// to 1.36); overrides the scenario's kubernetesVersion. (An Indexed
    /// Job's shards read the scenario file: write kubernetesVersion there.)
    #[arg(long = "k8s-version", value_name = "VERSION", conflicts_with = "emit_indexed_job")]
    pub k8s_version: Option<String>,
}

/// Sweeps, prints, reports failed expectations: [`crate::sweep()`], printed.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let scenario = Scenario::from_path(&args.scenario)
        .map_err(|e| CliError::Invalid { message: e.to_string(), hint: Some(SCENARIO_HINT.into()) })?;
    let scenario = super::inputs::with_k8s_version(scenario, args.k8s_version.as_deref())?;
    scenario.validate()?;
    if !args.vary.is_empty() {
        return run_variants(args, ctx, &scenario);
    }
    if args.emit_indexed_job {
        let job = super::indexed_job::emit(args, &scenario)?;
        write!(ctx.out, "{job}")?;
        return Ok(EXIT_OK);
    }
    let out_dir = args.out.as_deref().filter(|_| args.shard.is_none());
    if let Some(dir) = out_dir {
        check_out_dir(dir, &scenario)?;
    }
    let runs = args.shard.map_or(args.seeds.count(), |s| {
        let r = s.slice(args.seeds);
        r.end - r.start
    });
    let bar = progress_bar(runs, args.quiet || !std::io::stderr().is_terminal());
    let tick = || bar.inc(1);
    let options = SweepOptions::new(args.seeds).threads(args.threads).progress(&tick);
    if let Some(shard) = args.shard {
        let result = sweep_part(&scenario, options, shard);
        bar.finish_and_clear();
        return write_part(&result?, args.out.as_deref(), ctx);
    }
    let result = sweep(&scenario, options);
    bar.finish_and_clear();
    let result = result?;
    if let Some(dir) = out_dir {
        write_out_dir(dir, &result)?;
    }
    print(&result, args.format, ctx)
}

/// The files `sweep --out DIR` writes.
const OUT_FILES: [&str; 3] = ["sweep.json", "sweep.md", "sweep.html"];

/// Before sweeping: no output over an input, and DIR ready to write.
fn check_out_dir(dir: &Path, scenario: &Scenario) -> Result<(), CliError> {
    use super::files::{Output, prepare_out_dir, refuse_overwriting_inputs};
    let outputs: Vec<Output> =
        OUT_FILES.iter().map(|f| Output { flag: "--out", given: dir, file: dir.join(f) }).collect();
    refuse_overwriting_inputs(scenario.input_files(), &outputs)?;
    prepare_out_dir(dir)
}

/// Writes the sweep as JSON, Markdown and one self-contained HTML page.
fn write_out_dir(dir: &Path, s: &Sweep) -> Result<(), CliError> {
    let texts = [json(s, "the sweep")?, render_sweep_markdown(s), crate::sweep::render_sweep_html(s)];
    for (file, text) in OUT_FILES.iter().zip(texts) {
        let path = dir.join(file);
        std::fs::write(&path, text)
            .map_err(|e| CliError::invalid(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// Writes a shard's partial result to `out` (or stdout).
fn write_part(part: &SweepPart, out: Option<&Path>, ctx: &mut Ctx) -> Result<u8, CliError> {
    // Compact: a part holds a few dozen numbers per run, which pretty
    // printing spreads over as many lines (5.5 times the bytes).
    let mut text = serde_json::to_string(part)
        .map_err(|e| CliError::Internal(format!("serializing the partial result: {e}")))?;
    text.push('\n');
    let Some(path) = out else {
        write!(ctx.out, "{text}")?;
        return Ok(EXIT_OK);
    };
    let io = |e: std::io::Error| CliError::invalid(format!("cannot write {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)?;
    writeln!(ctx.err, "wrote seeds {:?} of shard {} to {}", part.seeds(), part.shard, path.display())?;
    Ok(EXIT_OK)
}

/// Prints a sweep's warnings and the sweep itself; 1 when an `expect:`
/// check failed at some seed. `cronwarp merge` prints the same way.
pub(super) fn print(sweep: &Sweep, format: Format, ctx: &mut Ctx) -> Result<u8, CliError> {
    for w in &sweep.warnings {
        writeln!(ctx.err, "warning: {w}")?;
    }
    write!(ctx.out, "{}", render(sweep, format)?)?;
    let e = &sweep.expectations;
    if e.seeds_failed == 0 {
        return Ok(EXIT_OK);
    }
    let first = e.failing_seeds.first().copied().unwrap_or_default();
    writeln!(
        ctx.err,
        "expectations failed at {} of {} seeds; replay the first with `cronwarp run {} --seed {first}`",
        e.seeds_failed,
        sweep.runs(),
        sweep.scenario
    )?;
    Ok(EXIT_EXPECTATIONS_FAILED)
}

/// `sweep --vary`: a sweep per variant, summarised side by side.
fn run_variants(args: &Args, ctx: &mut Ctx, scenario: &Scenario) -> Result<u8, CliError> {
    use crate::variants::{
        MAX_VARIANTS, render_variant_sweep_markdown, render_variant_sweep_text, sweep_variants,
    };
    let cells = args.vary.iter().map(|a| a.values.len() as u64).product::<u64>();
    let bar = progress_bar(
        args.seeds.count().saturating_mul(cells),
        args.quiet || !std::io::stderr().is_terminal(),
    );
    let tick = || bar.inc(1);
    let opts = SweepOptions::new(args.seeds).threads(args.threads).progress(&tick);
    let result = sweep_variants(scenario, &args.vary, opts, MAX_VARIANTS);
    bar.finish_and_clear();
    let s = result?;
    let text = match args.format {
        Format::Text => render_variant_sweep_text(&s),
        Format::Markdown => render_variant_sweep_markdown(&s),
        Format::Json => json(&s, "the sweep")?,
    };
    write!(ctx.out, "{text}")?;
    let failed = s.sweeps.iter().any(|sw| sw.expectations.seeds_failed > 0);
    Ok(if failed { EXIT_EXPECTATIONS_FAILED } else { EXIT_OK })
}

fn render(s: &Sweep, format: Format) -> Result<String, CliError> {
    Ok(match format {
        Format::Text => render_sweep_text(s),
        Format::Markdown => render_sweep_markdown(s),
        Format::Json => json(s, "the sweep")?,
    })
}

/// A bar on stderr with runs/s and the ETA; drawn only for a person
/// watching (`hidden`: stderr is not a terminal, or `--quiet`), so logs
/// and pipes get nothing. It reads the wall clock for its rate, which
/// reaches nothing but the terminal.
fn progress_bar(runs: u64, hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::stderr());
    // The template is a constant; were it ever wrong, the default style is
    // better than no bar.
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {human_pos}/{human_len} runs, {rate}, ETA {eta}",
    ) {
        // `{per_sec}` prints four decimals of a rate that moves every draw.
        let rate = |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0} runs/s", s.per_sec());
        };
        bar.set_style(style.with_key("rate", rate).progress_chars("=> "));
    }
    bar
}
