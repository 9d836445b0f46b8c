//! `cronwarp compare`: one scenario under both controllers, side by side.

use super::files::{
    InputArgs, Output, load_scenario, png_name, prepare_out_dir, refuse_overwriting_inputs, write_figure,
};
use super::run::{Format, SCENARIO_HINT, json, progress_printer};
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_OK};
use crate::report::{
    Comparison, Figure, Figures, compare, compare_html, render_compare_markdown, render_compare_text,
};
use crate::sim::scenario::convert::{BothForms, WorkloadPair, both_forms};
use crate::variants::{
    Axis, MAX_VARIANTS, VaryOptions, parse_vary, render_variants_html, render_variants_markdown,
    render_variants_text, stack_timelines, vary,
};
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
  --out DIR       compare.md, compare.html (all of it in one self-contained page) plus
                  <name>.kubernetes.svg and <name>.crossplane.svg per workload
  --png           with --out, a PNG beside every SVG (byte-identical on every machine)

Outputs never overwrite inputs: an --out whose files would replace the scenario file or one of its
`path:` manifests is refused, as is an --out that is not a writable directory, before either run.
Input files must be regular files of at most --max-input bytes.

Exit codes: 0 ok (differences between the controllers are the point, not failures), 1 an `expect:`
check failed under either controller, 2 invalid scenario (file:line:col on stderr), an unreadable or
oversized input, or an output path refused; 3 internal error.

Variants (--vary, or `variants:` in the scenario): instead of the two controllers, the scenario runs
once per combination of the values given, and each workload gets one table with a column per variant
(ticks on time, late and not started, worst and p95 lateness, runs, failures, peak concurrency, GC),
the reasons ticks were not started, and the first tick where the variants part, with why. Every
variant runs at the same seed, and the Job for a given tick draws the same duration and outcome in
every variant that creates it, so the columns differ by policy, not by chance. `controller=argo` sets
the Argo Workflows CronWorkflow beside the other two: each CronJob converted as ARGO-11 says (a
CronOperation through its CronJob form; timed changes are not converted yet and are refused).
  --vary FIELD=V1,V2,...   repeatable; the variants are every combination (the last varies fastest)
  FIELD                    concurrencyPolicy, startingDeadlineSeconds, schedule, timeZone, suspend,
                           successfulJobsHistoryLimit, failedJobsHistoryLimit, ttlSecondsAfterFinished,
                           backoffLimit, activeDeadlineSeconds, controller (kubernetes, crossplane, argo), or
                           a path into the object such as spec.jobTemplate.spec.parallelism
  values                   none removes the field (its default applies); quote values holding commas:
                           --vary schedule='\"0,30 * * * *\",@hourly'
  --out DIR                variants.md, variants.html plus <namespace>_<name>.variants.svg: the
                           workload's timelines, a row per variant

Example:
  cronwarp compare scenarios/downtime-catchup.yaml
  cronwarp compare scenarios/downtime-catchup.yaml --format markdown --out /tmp/compare
  cronwarp compare scenarios/forbid-long-jobs.yaml --vary concurrencyPolicy=Allow,Forbid,Replace
  cronwarp compare scenarios/downtime-catchup.yaml --vary controller=kubernetes,crossplane,argo
  cronwarp compare scenarios/three-way-compare.yaml    # the three controllers, with and without a deadline
  cronwarp compare scenarios/policy-matrix.yaml --format markdown";

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
    /// Writes compare.md, compare.html and both SVG timelines per workload
    /// to this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// With --out: a PNG picture beside every SVG (the same drawing,
    /// rasterized; the same bytes on every machine).
    #[arg(long, requires = "out")]
    pub png: bool,
    /// Compares variants instead of the two controllers: FIELD=V1,V2,…
    /// (repeatable; every combination runs). See below for the fields.
    #[arg(long, value_name = "FIELD=V1,V2", value_parser = parse_vary)]
    pub vary: Vec<Axis>,
    /// Refuses a variant matrix with more cells than this (each is a full
    /// run).
    #[arg(long, value_name = "N", default_value_t = MAX_VARIANTS)]
    pub max_variants: usize,
    /// Threads to run variants on; 0 = one per core. The output does not
    /// depend on it.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// The Kubernetes release whose controllers the Kubernetes side runs
    /// (`1.27`, 1.21 to 1.36); overrides the scenario's kubernetesVersion.
    #[arg(long = "k8s-version", value_name = "VERSION")]
    pub k8s_version: Option<String>,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Converts, runs both sides, compares, checks expectations.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let hint = || Some(SCENARIO_HINT.into());
    let scenario = load_scenario(&args.scenario, args.input.max_input)?;
    let scenario = super::inputs::with_k8s_version(scenario, args.k8s_version.as_deref())?;
    let name = scenario.name().to_string();
    let inputs = scenario.input_files().to_vec();
    if !args.vary.is_empty() || !scenario.as_sim().variants.is_empty() {
        return run_variants(args, ctx, &scenario, &inputs);
    }
    let mut scenario = scenario.into_sim();
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let BothForms { kubernetes, crossplane, pairs, notes } =
        both_forms(&scenario).map_err(|e| CliError::Invalid { message: e.message, hint: hint() })?;
    if let Some(dir) = &args.out {
        let files = output_names(&pairs, args.png).into_iter().map(|n| Output {
            flag: "--out",
            given: dir,
            file: dir.join(n),
        });
        refuse_overwriting_inputs(&inputs, &files.collect::<Vec<_>>())?;
        prepare_out_dir(dir)?;
    }
    super::run::warn_retry_loops(&mut *ctx.err, &crossplane)?;
    let keep = args.out.is_some();
    let k8s = run_side(Scenario::from_sim(kubernetes, &name), keep, &mut *ctx.err, "Kubernetes")?;
    let xp = run_side(Scenario::from_sim(crossplane, &name), keep, &mut *ctx.err, "Crossplane")?;
    let cmp = compare(k8s.report(), xp.report(), &pairs, notes);
    write!(ctx.out, "{}", render(&cmp, args.format)?)?;
    if let Some(dir) = &args.out {
        write_outputs(dir, &cmp, [&k8s, &xp], &pairs, args.png)?;
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

/// `compare --vary`: every variant, side by side.
fn run_variants(args: &Args, ctx: &mut Ctx, scenario: &Scenario, inputs: &[PathBuf]) -> Result<u8, CliError> {
    let keep = args.out.is_some();
    if let Some(dir) = &args.out {
        let keys =
            scenario.report_input()?.workloads.iter().map(|m| variants_svg_name(&m.key)).collect::<Vec<_>>();
        let pngs: Vec<String> = keys.iter().filter(|_| args.png).map(|k| png_name(k)).collect();
        let files = ["variants.md".to_string(), "variants.html".to_string()]
            .into_iter()
            .chain(keys)
            .chain(pngs)
            .map(|n| Output { flag: "--out", given: dir, file: dir.join(n) })
            .collect::<Vec<_>>();
        refuse_overwriting_inputs(inputs, &files)?;
        prepare_out_dir(dir)?;
    }
    let mut opts =
        VaryOptions::default().max_variants(args.max_variants).threads(args.threads).keep_events(keep);
    if let Some(seed) = args.seed {
        opts = opts.seed(seed);
    }
    let varied = vary(scenario, &args.vary, opts)?;
    let c = &varied.comparison;
    let text = match args.format {
        Format::Text => render_variants_text(c),
        Format::Markdown => render_variants_markdown(c),
        Format::Json => json(c, "the comparison")?,
    };
    write!(ctx.out, "{text}")?;
    if let Some(dir) = &args.out {
        let io = |e: std::io::Error| CliError::invalid(format!("cannot write to {}: {e}", dir.display()));
        std::fs::write(dir.join("variants.md"), render_variants_markdown(c)).map_err(io)?;
        let mut figures = Figures::new();
        for w in &c.workloads {
            // A workload's key differs between controllers (a CronOperation
            // has no namespace): each variant's run is asked by its own key.
            let rows: Vec<(String, String)> = c
                .variants
                .iter()
                .zip(&varied.runs)
                .zip(&w.keys)
                .filter_map(|((v, run), key)| Some((v.name.clone(), run.timeline_svg(key.as_deref()?)?)))
                .collect();
            let svg = stack_timelines(&rows);
            write_figure(dir, &variants_svg_name(&w.name), &svg, args.png)?;
            figures.insert(w.name.clone(), vec![Figure { label: String::new(), svg }]);
        }
        std::fs::write(dir.join("variants.html"), render_variants_html(c, &figures)).map_err(io)?;
    }
    if c.violations.is_empty() {
        return Ok(EXIT_OK);
    }
    for v in &c.violations {
        let x = &v.violation;
        writeln!(
            ctx.err,
            "expectation failed in variant ({}): {} ({}): {}",
            v.variant, x.expectation, x.cronjob, x.message
        )?;
    }
    Ok(EXIT_EXPECTATIONS_FAILED)
}

fn variants_svg_name(key: &str) -> String {
    format!("{}.variants.svg", key.replace('/', "_"))
}

/// Runs one form ([`crate::run`], expectations applied); `keep` builds
/// the timelines. Long horizons print progress to `err`, labelled.
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
    let mut opts = RunOptions::default().timelines(keep);
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

/// The files `--out` may write: compare.md, compare.html and both
/// timelines of each workload (and their pictures, with `png`).
fn output_names(pairs: &[WorkloadPair], png: bool) -> Vec<String> {
    let timelines: Vec<String> = pairs.iter().flat_map(|p| SIDES.map(|label| svg_name(p, label))).collect();
    let pngs: Vec<String> = timelines.iter().filter(|_| png).map(|n| png_name(n)).collect();
    ["compare.md".to_string(), "compare.html".to_string()].into_iter().chain(timelines).chain(pngs).collect()
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
    png: bool,
) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::invalid(format!("cannot write to {}: {e}", dir.display()));
    std::fs::write(dir.join("compare.md"), render_compare_markdown(cmp)).map_err(io)?;
    let mut figures = Figures::new();
    for p in pairs {
        for ((side, label), caption) in sides.iter().zip(SIDES).zip(["Kubernetes", "Crossplane"]) {
            let key = if label == "kubernetes" { &p.kubernetes } else { &p.crossplane };
            if let Some(svg) = key.as_deref().and_then(|k| side.timeline_svg(k)) {
                write_figure(dir, &svg_name(p, label), &svg, png)?;
                figures.entry(p.name().to_string()).or_default().push(Figure { label: caption.into(), svg });
            }
        }
    }
    std::fs::write(dir.join("compare.html"), compare_html(cmp, &figures)).map_err(io)?;
    Ok(())
}
