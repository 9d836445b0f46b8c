//! `cronwarp compare`: one scenario under both controllers, side by side.

use super::files::{InputArgs, Output, load_scenario, prepare_out_dir, refuse_overwriting_inputs};
use super::run::{Format, SCENARIO_HINT, json, progress_printer};
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_OK};
use crate::report::{Comparison, compare, render_compare_markdown, render_compare_text};
use crate::sim::scenario::convert::{BothForms, WorkloadPair, both_forms};
use crate::{Run, RunOptions, Scenario};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Runs the scenario twice under the same virtual time, faults, behaviour and timed changes: every
workload as a Kubernetes CronJob (kube-controller-manager) and as a Crossplane CronOperation (the
Crossplane pod), converting whichever form the scenario does not hold. Then it prints, per workload,
the two reports' numbers with a Δ column (Crossplane − Kubernetes), the ticks whose outcome differs
and why, and every conversion note.

What differs (docs/fidelity/crossplane.md#xp-17):
  after downtime      Kubernetes runs the MOST RECENT missed tick; Crossplane the EARLIEST missed
                      slot, and silently drops the rest
  startingDeadline    Kubernetes skips a late tick and recovers; Crossplane stalls for good once its
                      owed slot is past the deadline (bug B1)
  clock skew          Kubernetes shrugs (+100 ms); a Crossplane clock ahead of the API server loops on
                      AlreadyExists (crossplane#7524)
  suspend             spec.suspend vs the crossplane.io/paused annotation, whose removal the
                      controller may not notice (bug B3)
  retries             Job backoffLimit counts retries (pod backoff 10 s doubling); Operation retryLimit
                      counts attempts (1 s doubling, each attempt cut at 2 min, and a timed-out
                      attempt is never counted, so it retries for ever)
  time zone           spec.timeZone vs an undocumented CRON_TZ=<zone> schedule prefix

How a CronJob converts: namespace dropped (name collisions get a suffix), timeZone -> CRON_TZ
prefix, suspend -> paused annotation, successful/failedJobsHistoryLimit -> successful/
failedHistoryLimit, retryLimit = backoffLimit + 1, Job template -> a one-step function pipeline
driven by the same behaviour; seeded Jobs -> Operations (running ones Running). The reverse maps back, into
namespace `default`, with a busybox Job template. Anything else is listed as a note.

Outputs:
  stdout          --format text, markdown or json (`schemaVersion: 1`)
  --out DIR       compare.md plus <name>.kubernetes.svg and <name>.crossplane.svg per workload

Outputs never overwrite inputs: an --out whose files would replace the scenario file or one of its
`path:` manifests is refused, as is an --out that is not a writable directory, before either run.
Input files must be regular files of at most --max-input bytes.

Exit codes: 0 ok (differences between the controllers are the point, not failures), 1 an `expect:`
check failed under either controller, 2 invalid scenario (file:line:col on stderr), an unreadable or
oversized input, or an output path refused; 3 internal error.

Example:
  cronwarp compare scenarios/downtime-catchup.yaml
  cronwarp compare scenarios/downtime-catchup.yaml --format markdown --out /tmp/compare";

/// `cronwarp compare` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The scenario file (CronJobs, CronOperations, or both).
    pub scenario: PathBuf,
    /// Overrides the scenario's `seed` (both runs use it).
    // A negative seed reaches parse_seed, which names the range, instead
    // of reading as an unknown flag.
    #[arg(long, value_parser = crate::sweep::parse_seed, allow_hyphen_values = true)]
    pub seed: Option<u64>,
    /// How stdout shows the comparison.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Writes compare.md and both SVG timelines per workload to this
    /// directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Converts, runs both sides, compares, checks expectations.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let hint = || Some(SCENARIO_HINT.into());
    let scenario = load_scenario(&args.scenario, args.input.max_input)?;
    let name = scenario.name().to_string();
    let inputs = scenario.input_files().to_vec();
    let mut scenario = scenario.into_sim();
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let BothForms { kubernetes, crossplane, pairs, notes } =
        both_forms(&scenario).map_err(|e| CliError::Invalid { message: e.message, hint: hint() })?;
    if let Some(dir) = &args.out {
        let files =
            output_names(&pairs).into_iter().map(|n| Output { flag: "--out", given: dir, file: dir.join(n) });
        refuse_overwriting_inputs(&inputs, &files.collect::<Vec<_>>())?;
        prepare_out_dir(dir)?;
    }
    let keep = args.out.is_some();
    let k8s = run_side(Scenario::from_sim(kubernetes, &name), keep, &mut *ctx.err, "Kubernetes")?;
    let xp = run_side(Scenario::from_sim(crossplane, &name), keep, &mut *ctx.err, "Crossplane")?;
    let cmp = compare(k8s.report(), xp.report(), &pairs, notes);
    write!(ctx.out, "{}", render(&cmp, args.format)?)?;
    if let Some(dir) = &args.out {
        write_outputs(dir, &cmp, [&k8s, &xp], &pairs)?;
    }
    if cmp.violations.is_empty() {
        return Ok(EXIT_OK);
    }
    for v in &cmp.violations {
        let x = &v.violation;
        writeln!(
            ctx.err,
            "expectation failed under {}: {} ({}): {}",
            v.controller.label(),
            x.expectation,
            x.cronjob,
            x.message
        )?;
    }
    Ok(EXIT_EXPECTATIONS_FAILED)
}

/// Runs one form ([`crate::run`], expectations applied); `keep` holds the
/// log for the timelines. Long horizons print progress to `err`, labelled.
fn run_side(
    scenario: Scenario,
    keep: bool,
    err: &mut dyn std::io::Write,
    label: &str,
) -> Result<Run, CliError> {
    scenario.validate()?;
    let (start, end) = scenario.horizon();
    // Labelled only when the horizon is long enough for progress lines.
    if progress_printer(&mut std::io::sink(), start, end).is_some() {
        // Progress is best effort; a closed stderr must not stop the run.
        let _ = writeln!(err, "simulating the {label} form");
    }
    let mut progress = progress_printer(err, start, end);
    let mut opts = RunOptions::default().keep_events(keep);
    opts.progress = progress.as_mut().map(|p| p as &mut dyn FnMut(crate::model::Time));
    Ok(crate::run(&scenario, opts)?)
}

fn render(c: &Comparison, format: Format) -> Result<String, CliError> {
    Ok(match format {
        Format::Text => render_compare_text(c),
        Format::Markdown => render_compare_markdown(c),
        Format::Json => json(c, "the comparison")?,
    })
}

/// The files `--out` may write: compare.md and both timelines of each
/// workload.
fn output_names(pairs: &[WorkloadPair]) -> Vec<String> {
    let timelines = pairs.iter().flat_map(|p| SIDES.map(|label| svg_name(p, label)));
    std::iter::once("compare.md".to_string()).chain(timelines).collect()
}

/// The two sides' labels, as the timeline files name them.
const SIDES: [&str; 2] = ["kubernetes", "crossplane"];

fn svg_name(p: &WorkloadPair, label: &str) -> String {
    format!("{}.{label}.svg", p.name())
}

fn write_outputs(
    dir: &Path,
    cmp: &Comparison,
    sides: [&Run; 2],
    pairs: &[WorkloadPair],
) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::invalid(format!("cannot write to {}: {e}", dir.display()));
    std::fs::write(dir.join("compare.md"), render_compare_markdown(cmp)).map_err(io)?;
    for p in pairs {
        for (side, label) in sides.iter().zip(SIDES) {
            let key = if label == "kubernetes" { &p.kubernetes } else { &p.crossplane };
            if let Some(svg) = key.as_deref().and_then(|k| side.timeline_svg(k)) {
                std::fs::write(dir.join(svg_name(p, label)), svg).map_err(io)?;
            }
        }
    }
    Ok(())
}
