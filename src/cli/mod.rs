//! The `cronwarp` command line.
//!
//! Each subcommand lives in its own file (`src/cli/<cmd>.rs`) with an
//! `Args` struct and `run(&Args, &mut Ctx) -> Result<u8, CliError>`; adding
//! one means one variant in [`Command`] and one arm in [`run`]. Output goes
//! through [`Ctx`] so tests can capture it, and this module is the only place
//! that reads the wall clock (for `--from`'s default), besides the progress
//! bar of `sweep`, which times itself for a terminal and nothing else.

mod compare;
mod completions;
mod explain;
mod explain_argo;
mod explain_manifests;
mod expr;
mod files;
mod indexed_job;
mod inputs;
mod lint;
mod man;
mod merge;
mod render;
mod run;
mod schedule;
mod schema;
mod snippet;
mod sweep;
mod test;

use clap::{Parser, Subcommand};
use std::io::{self, BufRead, Write};
use std::process::ExitCode;

/// Success.
pub const EXIT_OK: u8 = 0;
/// The command ran, and an expectation it checked failed.
pub const EXIT_EXPECTATIONS_FAILED: u8 = 1;
/// Invalid input: a schedule robfig rejects, an unknown zone, a bad flag,
/// an input file that is unreadable, not a regular file or over
/// `--max-input`, an output path that would overwrite an input.
pub const EXIT_INVALID_INPUT: u8 = 2;
/// A bug or an I/O failure inside cronwarp.
pub const EXIT_INTERNAL: u8 = 3;

const AFTER_HELP: &str = "\
Exit codes:
  0  success (warnings, e.g. a schedule the API server would reject, go to stderr)
  1  expectations failed (the command ran, and a check it was asked to make failed)
  2  invalid input (robfig rejects the schedule, unknown time zone, bad flag or time, an input
     file that is unreadable, not a regular file or over --max-input, an output path that would
     overwrite an input)
  3  internal error (a cronwarp bug or an I/O failure)

Examples:
  cronwarp schedule --from 2025-03-08T00:00:00Z --tz America/New_York '30 2 * * *'
  cronwarp explain '0 0 1 * 1'
  cronwarp explain --tz Australia/Lord_Howe '@daily'
  cronwarp render scenarios/manifests/kubevela-cron-task.yaml
  cronwarp compare scenarios/downtime-catchup.yaml
  cronwarp sweep scenarios/sweep-nightly-backup.yaml --seeds 0..1000
  cronwarp merge parts/*.json
  cronwarp lint --deny warnings k8s/*.yaml
  cronwarp test scenarios/ --junit junit.xml --summary summary.md
  cronwarp completions bash > ~/.local/share/bash-completion/completions/cronwarp
  cronwarp man | man -l -";

/// Deterministic simulator and test harness for scheduled-job controllers
/// (Kubernetes CronJob, Crossplane CronOperation, KubeVela cron-task),
/// robfig/cron quirks and DST included.
#[derive(Debug, Parser)]
#[command(name = "cronwarp", version, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// `--color`: source snippets and colour in errors.
    #[command(flatten)]
    pub color: snippet::ColorArgs,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the next fire times of a CronJob schedule, exactly as the
    /// Kubernetes controller computes them.
    Schedule(schedule::Args),
    /// Explain a schedule: its meaning, next runs, day rule and DST surprises.
    Explain(explain::Args),
    /// Simulate a scenario under virtual time and report every tick, overlap,
    /// Job outcome and deletion.
    Run(run::Args),
    /// Print the JSON Schema of the scenario file format, for editors.
    Schema(schema::Args),
    /// Render a KubeVela Application's cron-task components to the batch/v1
    /// CronJobs KubeVela applies, checked against API-server validation.
    Render(render::Args),
    /// Run a scenario under both the Kubernetes CronJob and the Crossplane
    /// CronOperation controllers and show where they differ.
    Compare(compare::Args),
    /// Run a scenario once per seed of a range, in parallel, and show the
    /// spread of outcomes (percentiles) and the worst seeds to replay.
    Sweep(sweep::Args),
    /// Merge the partial results of a sharded sweep (`sweep --shard I/N`)
    /// into the output of one sweep over all the seeds.
    Merge(merge::Args),
    /// Run every scenario under a directory, check its `expect:` block and
    /// compare its report with a golden copy: the CI gate for a team's
    /// CronJobs.
    Test(test::Args),
    /// Find the CronJob settings that surprise (deadline 0, DST gaps, the
    /// day-field OR, ...), without simulating.
    Lint(lint::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::Args),
    /// Print the roff man page, or write one per subcommand with --out.
    Man(man::Args),
}

/// What a subcommand sees of the outside world.
pub struct Ctx<'a> {
    /// Results.
    pub out: &'a mut dyn Write,
    /// Warnings, notes and errors.
    pub err: &'a mut dyn Write,
    /// The wall clock at start (Unix seconds): the default `--from`.
    pub now: i64,
    /// Answers to questions (`cronwarp test --review`); stdin.
    pub input: &'a mut dyn BufRead,
    /// The environment variables a command reads (`CI`,
    /// `CRONWARP_UPDATE`), so tests can set them without touching the
    /// process's own.
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Why a subcommand failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad input: exit 2.
    Invalid {
        /// What is wrong, upstream error text included verbatim.
        message: String,
        /// How to fix it, when we know.
        hint: Option<String>,
    },
    /// Exit 3.
    Internal(String),
}

impl CliError {
    /// Invalid input without a hint.
    pub fn invalid(message: impl Into<String>) -> CliError {
        CliError::Invalid { message: message.into(), hint: None }
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid { .. } => EXIT_INVALID_INPUT,
            CliError::Internal(_) => EXIT_INTERNAL,
        }
    }
}

impl From<crate::Error> for CliError {
    /// The exit codes `cronwarp run` has always had: a scenario that cannot
    /// be read, converted or simulated is invalid input (2, even a
    /// livelock, which [`crate::Error::Simulation`] calls a bug report);
    /// only a broken invariant is internal (3).
    fn from(e: crate::Error) -> CliError {
        match e {
            crate::Error::Internal { message } => CliError::Internal(message),
            other => CliError::invalid(other.to_string()),
        }
    }
}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> CliError {
        CliError::Internal(format!("writing output: {e}"))
    }
}

/// Runs a parsed command line.
pub fn run(cli: &Cli, ctx: &mut Ctx) -> Result<u8, CliError> {
    match &cli.command {
        Command::Schedule(a) => schedule::run(a, ctx),
        Command::Explain(a) => explain::run(a, ctx),
        Command::Run(a) => run::run(a, ctx),
        Command::Schema(a) => schema::run(a, ctx),
        Command::Render(a) => render::run(a, ctx),
        Command::Compare(a) => compare::run(a, ctx),
        Command::Sweep(a) => sweep::run(a, ctx),
        Command::Merge(a) => merge::run(a, ctx),
        Command::Test(a) => test::run(a, ctx),
        Command::Lint(a) => lint::run(a, ctx),
        Command::Completions(a) => completions::run(a, ctx),
        Command::Man(a) => man::run(a, ctx),
    }
}

/// Runs a parsed command line as the binary does: an error is printed to
/// `ctx.err` (with its hint, and on a terminal the offending source line)
/// and becomes the exit code. For running the CLI in-process (tests, a
/// wrapper) with output captured.
pub fn execute(cli: &Cli, ctx: &mut Ctx) -> u8 {
    match run(cli, ctx) {
        Ok(code) => code,
        Err(e) => {
            report(&e, &mut *ctx.err);
            if let CliError::Invalid { message, .. } = &e {
                snippet::show(message, cli.color.color, &mut *ctx.err);
            }
            e.exit_code()
        }
    }
}

/// The binary's entry point: parses arguments (clap exits 2 on usage errors,
/// 0 on `--help`), reads the clock once, runs, and maps errors to exit codes.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let now = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    let stdout = io::stdout();
    // stderr is not locked for the whole run: `sweep`'s progress bar draws
    // to it from the worker threads, which would wait on this thread's
    // lock while it waits for them. Each write locks it briefly instead.
    let (mut out, mut err) = (io::BufWriter::new(stdout.lock()), io::stderr());
    let mut input = io::stdin().lock();
    let env = |name: &str| std::env::var(name).ok();
    let mut ctx = Ctx { out: &mut out, err: &mut err, now, input: &mut input, env: &env };
    let code = execute(&cli, &mut ctx);
    // A closed pipe (`| head`) is not worth a message.
    let _ = ctx.out.flush();
    ExitCode::from(code)
}

fn report(e: &CliError, err: &mut dyn Write) {
    // stderr itself failing leaves nothing better to do.
    let _ = match e {
        CliError::Invalid { message, hint: Some(h) } => writeln!(err, "error: {message}\nhint: {h}"),
        CliError::Invalid { message, hint: None } => writeln!(err, "error: {message}"),
        CliError::Internal(m) => writeln!(err, "internal error: {m}"),
    };
}
