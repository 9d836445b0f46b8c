//! `cronwarp test`: every scenario under a directory, against its
//! `expect:` block and its golden report ([`crate::gate()`], printed).

use super::files::{InputArgs, Output, load_hint, refuse_overwriting_inputs};
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_INVALID_INPUT, EXIT_OK};
use crate::gate::{Gate, GateOptions, Goldens};
use std::path::{Path, PathBuf};

const AFTER_HELP: &str = "\
Gates changes to CronJobs in CI. Each scenario (a .yaml/.yml file with a top-level `workloads:`
key; manifests and kubectl dumps beside them are skipped) is run, its `expect:` block checked,
and its Markdown report (`cronwarp run --format markdown`) compared with a golden copy kept in
the repository: foo.yaml's is foo.golden.md next to it, or DIR/<path>.md with --golden-dir DIR.
A change to a CronJob, its behaviour or cronwarp that changes what happens shows as a diff of
the report, to review like code. Golden reports name the scenario by its path relative to the
searched directory and, unless --strict-versions, their cronwarp and tzdb versions are not
compared, so they match on every machine.

Golden reports:
  missing      written, with a note, to review and commit (the first run of a new scenario);
               with CI set (CI=true, as GitHub Actions and GitLab CI set it) it fails instead,
               since a golden written in CI would pass unreviewed
  different    fails, with the diff
  --update     writes every missing or different golden, and lists them
  --review     shows each diff and asks y/n on stdin, like `cargo insta review`
               (also CRONWARP_UPDATE=review; CRONWARP_UPDATE=always is --update)

Scenarios run in parallel (--threads, default one per core); the output is the same, byte for
byte, for any number of threads, and holds no wall-clock time.

Outputs:
  stdout           a line per scenario (ok, FAILED, invalid), then each failure with its failed
                   checks and diff, then the totals, like `cargo test`
  --junit FILE     JUnit XML, one testcase per scenario (GitLab's artifacts:reports:junit)
  --summary FILE   Markdown for a pull-request comment: totals, then a collapsed <details> per
                   scenario, failures first; at most 60,000 characters, cut with a note

Exit codes: 0 every scenario passed, 1 an `expect:` check failed or a golden report differs or
is missing, 2 a scenario is invalid (file:line:col; the others still run), a PATH does not exist
or holds no scenario, or an output path was refused; 3 internal error.

Examples:
  cronwarp test                                  # cronwarp/ if it exists, else .
  cronwarp test scenarios/
  cronwarp test scenarios/ --update              # accept every change, then commit the goldens
  cronwarp test scenarios/ --review
  cronwarp test manifests/ --golden-dir manifests/golden --junit junit.xml --summary summary.md";

/// `cronwarp test` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Directories to search for scenarios (recursively), or scenario
    /// files [default: cronwarp/ if it exists, else the current directory].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Write every missing or different golden report, and list them.
    #[arg(long, conflicts_with = "review")]
    pub update: bool,
    /// Show each missing or different golden report's diff and ask on
    /// stdin whether to write it.
    #[arg(long)]
    pub review: bool,
    /// Keep golden reports under DIR, at the scenario's path relative to
    /// the searched directory with .yaml replaced by .md, instead of next
    /// to each scenario (foo.golden.md).
    #[arg(long, value_name = "DIR")]
    pub golden_dir: Option<PathBuf>,
    /// Compare the cronwarp and tzdb versions in the reports' headers too.
    #[arg(long)]
    pub strict_versions: bool,
    /// Writes a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Writes a Markdown summary for a pull-request comment to FILE.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Threads to run scenarios on (default: one per core); the output is
    /// the same for any number.
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    pub threads: usize,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
}

/// What to do about goldens that are missing or differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Goldens(Goldens),
    Review,
}

/// The flags first, then `CRONWARP_UPDATE`, then `CI`.
fn mode(args: &Args, env: &dyn Fn(&str) -> Option<String>) -> Result<Mode, CliError> {
    if args.update {
        return Ok(Mode::Goldens(Goldens::Update));
    }
    if args.review {
        return Ok(Mode::Review);
    }
    match env("CRONWARP_UPDATE").as_deref() {
        Some("review") => return Ok(Mode::Review),
        Some("always") => return Ok(Mode::Goldens(Goldens::Update)),
        None | Some("" | "no") => {}
        Some(other) => {
            return Err(CliError::Invalid {
                message: format!("CRONWARP_UPDATE={other} is not a choice"),
                hint: Some("use CRONWARP_UPDATE=review, always or no".into()),
            });
        }
    }
    // As insta reads it: set to anything but false or 0.
    let ci = env("CI").is_some_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    Ok(Mode::Goldens(if ci { Goldens::Check } else { Goldens::WriteNew }))
}

/// Runs the gate, asks about goldens with `--review`, prints, writes
/// `--junit` and `--summary`.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let mode = mode(args, ctx.env)?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(if Path::new("cronwarp").is_dir() { "cronwarp" } else { "." })]
    } else {
        args.paths.clone()
    };
    let max_input = args.input.max_input;
    let hint = |e: &crate::Error| load_hint(e, max_input);
    let options = GateOptions {
        golden_dir: args.golden_dir.as_deref(),
        // `--review` asks about every golden that is missing or differs.
        goldens: match mode {
            Mode::Goldens(g) => g,
            Mode::Review => Goldens::Check,
        },
        strict_versions: args.strict_versions,
        threads: args.threads,
        max_input,
        load_hint: Some(&hint),
    };
    let mut gate = crate::gate(&paths, options).map_err(|e| match e {
        crate::Error::Io { .. } => CliError::Invalid {
            message: e.to_string(),
            hint: Some("give directories of scenarios, or scenario files".into()),
        },
        e => CliError::from(e),
    })?;
    if mode == Mode::Review {
        review(&mut gate, ctx)?;
    }
    for case in &gate.cases {
        if let crate::gate::Outcome::Ran(r) = &case.outcome {
            for w in &r.warnings {
                writeln!(ctx.err, "warning: {}: {w}", case.path.display())?;
            }
        }
    }
    write!(ctx.out, "{}", gate.to_text())?;
    write_outputs(args, &gate)?;
    Ok(if gate.invalid() > 0 {
        EXIT_INVALID_INPUT
    } else if gate.failed() > 0 {
        EXIT_EXPECTATIONS_FAILED
    } else {
        EXIT_OK
    })
}

/// Shows each golden that is missing or differs and writes it if the
/// answer is yes. The end of the input answers no to the rest.
fn review(gate: &mut Gate, ctx: &mut Ctx) -> Result<(), CliError> {
    let read = |e: std::io::Error| CliError::Internal(format!("reading the answer: {e}"));
    for case in &mut gate.cases {
        let Some(diff) = case.pending_diff() else { continue };
        writeln!(ctx.err, "\n{}:\n{diff}", case.path.display())?;
        loop {
            write!(ctx.err, "write this as the golden report {}? [y/n] ", case.golden.display())?;
            ctx.err.flush()?;
            let mut answer = String::new();
            if ctx.input.read_line(&mut answer).map_err(read)? == 0 {
                writeln!(ctx.err, "\nno answer (end of input): the other goldens stay as they are")?;
                return Ok(());
            }
            match answer.trim().to_ascii_lowercase().as_str() {
                "y" | "yes" => {
                    case.accept();
                    break;
                }
                "n" | "no" => break,
                _ => writeln!(ctx.err, "answer y or n")?,
            }
        }
    }
    Ok(())
}

/// `--junit` and `--summary`, never over a scenario or a manifest it
/// reads; their directories are created.
fn write_outputs(args: &Args, gate: &Gate) -> Result<(), CliError> {
    let files = [
        ("--junit", &args.junit, Gate::to_junit as fn(&Gate) -> String),
        ("--summary", &args.summary, Gate::to_summary_markdown),
    ];
    let outputs: Vec<Output> = files
        .iter()
        .filter_map(|(flag, file, _)| {
            file.as_deref().map(|f| Output { flag, given: f, file: f.to_path_buf() })
        })
        .collect();
    for case in &gate.cases {
        refuse_overwriting_inputs(&case.inputs, &outputs)?;
    }
    for (flag, file, render) in files {
        let Some(file) = file else { continue };
        let fail =
            |e: std::io::Error| CliError::invalid(format!("{flag} {}: cannot write it: {e}", file.display()));
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        std::fs::write(file, render(gate)).map_err(fail)?;
    }
    Ok(())
}
