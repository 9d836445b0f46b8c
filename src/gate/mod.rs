//! Golden reports for a team's own scenarios (`cronwarp test`): every
//! scenario under some directories is run, its `expect:` block checked, and
//! its Markdown report compared with a golden copy kept in the repository,
//! so a change to a CronJob that changes what it does shows up in review
//! as a diff of the report.
//!
//! ```no_run
//! use cronwarp::gate::{GateOptions, Goldens};
//!
//! let options = GateOptions { goldens: Goldens::Check, ..GateOptions::default() };
//! let gate = cronwarp::gate(&["scenarios".into()], options)?;
//! for case in gate.failing() {
//!     eprintln!("{}", case.detail());
//! }
//! assert_eq!(gate.failed() + gate.invalid(), 0);
//! # Ok::<(), cronwarp::Error>(())
//! ```
//!
//! Scenarios run in parallel on a rayon pool, and the results come back in
//! path order: the [`Gate`], its text, JUnit and Markdown forms are the
//! same bytes on any number of threads. Nothing reads the wall clock: a
//! JUnit report has no timestamps or durations.
//!
//! A golden report is the report `cronwarp run --format markdown` prints,
//! with two differences that keep it the same on every machine: its title
//! names the scenario by its path relative to the searched directory
//! ([`Case::name`]), never as typed or absolute; and, unless
//! [`GateOptions::strict_versions`], the cronwarp and tzdb versions in its
//! header are not compared.

#![deny(missing_docs)]

mod discover;
mod golden;
mod junit;
mod render;

pub use render::SUMMARY_LIMIT;

use crate::model::input::{DEFAULT_MAX_INPUT, read_text};
use crate::report::{Violation, render_markdown_full};
use crate::{Error, RunOptions, Scenario};
use discover::Found;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What to do with golden reports that are missing or differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Goldens {
    /// Compare only: a missing golden fails, as a different one does. For
    /// CI (`cronwarp test` when `CI` is set), where a golden written on the
    /// fly would pass unreviewed.
    Check,
    /// Write a missing golden (the case passes, [`GoldenState::New`]), and
    /// fail on a different one: a new scenario gets its golden on its
    /// first local run, to review and commit with it.
    #[default]
    WriteNew,
    /// Write every missing or different golden (`--update`): the case
    /// passes with [`GoldenState::New`] or [`GoldenState::Updated`].
    Update,
}

/// How [`gate()`] runs.
#[derive(Clone, Copy)]
pub struct GateOptions<'a> {
    /// Where golden reports live: `None` puts `foo.golden.md` next to
    /// `foo.yaml`; a directory holds `DIR/<path relative to the searched
    /// directory, .yaml replaced by .md>`.
    pub golden_dir: Option<&'a Path>,
    /// Missing and different goldens.
    pub goldens: Goldens,
    /// Compare the cronwarp and tzdb versions in the report's header too.
    pub strict_versions: bool,
    /// Threads to run scenarios on; 0 (default) is one per core.
    pub threads: usize,
    /// The most bytes read from any one input file
    /// ([`Scenario::from_path_with_limit`]).
    pub max_input: u64,
    /// A hint for a scenario that could not be read, shown under its error
    /// (the CLI's names its flags).
    pub load_hint: Option<&'a (dyn Fn(&Error) -> String + Sync)>,
}

impl Default for GateOptions<'_> {
    fn default() -> Self {
        GateOptions {
            golden_dir: None,
            goldens: Goldens::default(),
            strict_versions: false,
            threads: 0,
            max_input: DEFAULT_MAX_INPUT,
            load_hint: None,
        }
    }
}

impl std::fmt::Debug for GateOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateOptions")
            .field("golden_dir", &self.golden_dir)
            .field("goldens", &self.goldens)
            .field("strict_versions", &self.strict_versions)
            .field("threads", &self.threads)
            .field("max_input", &self.max_input)
            .field("load_hint", &self.load_hint.is_some())
            .finish()
    }
}

/// Every scenario's result, in path order.
#[derive(Debug, Clone)]
pub struct Gate {
    /// One per scenario file.
    pub cases: Vec<Case>,
    /// Golden reports under the searched directories that no scenario
    /// owns (see [`gate`]); reported, never a failure, never deleted.
    pub stale_goldens: Vec<PathBuf>,
}

/// One scenario file's result.
#[derive(Debug, Clone)]
pub struct Case {
    /// The scenario file, as found (the searched path joined with the
    /// rest).
    pub path: PathBuf,
    /// Its path relative to the searched directory, `/`-separated (a file
    /// given by itself: its name); the title of its golden report.
    pub name: String,
    /// Its golden report.
    pub golden: PathBuf,
    /// The files it read: the scenario, then its `path:` manifests.
    pub inputs: Vec<PathBuf>,
    /// What happened.
    pub outcome: Outcome,
}

/// A scenario that ran, or why it could not.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The scenario ran.
    Ran(Ran),
    /// The scenario (or its golden report) could not be read, or it is not
    /// a valid scenario.
    Invalid {
        /// What is wrong, located `file:line:col` where known.
        message: String,
        /// How to fix it, when known.
        hint: Option<String>,
    },
}

/// A scenario's run, checked.
#[derive(Debug, Clone)]
pub struct Ran {
    /// The golden form of its report (Markdown, titled [`Case::name`]).
    pub report: String,
    /// The `expect:` checks that failed.
    pub violations: Vec<Violation>,
    /// What it asked for that could not be done quite as written.
    pub warnings: Vec<String>,
    /// The report against its golden copy.
    pub golden: GoldenState,
}

/// A report against its golden copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoldenState {
    /// The same.
    Matches,
    /// There is none (and none was written).
    Missing,
    /// Different: the unified diff from the golden to the report.
    Differs {
        /// `--- golden` / `+++ this run`, three lines of context.
        diff: String,
    },
    /// There was none; the report was written as the golden.
    New,
    /// It differed; the report was written over it. The diff is what
    /// changed.
    Updated {
        /// As in [`GoldenState::Differs`].
        diff: String,
    },
}

/// A case's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// The `expect:` checks hold and the golden matches (or was written).
    Passed,
    /// An `expect:` check failed, or the golden differs or is missing.
    Failed,
    /// The scenario could not be run.
    Invalid,
}

/// Runs every scenario under `paths` (directories, searched recursively
/// for `*.yaml`/`*.yml` files with a top-level `workloads:` key, or
/// scenario files), checks its `expect:` block and compares its report with
/// the golden copy, writing goldens as [`GateOptions::goldens`] says.
///
/// A scenario that cannot be read or run is an [`Outcome::Invalid`] case,
/// and the others still run. The `Err` cases are about the paths
/// themselves: one that does not exist or cannot be listed, none holding a
/// scenario, two scenarios sharing a golden report.
pub fn gate(paths: &[PathBuf], options: GateOptions<'_>) -> Result<Gate, Error> {
    let found = discover::discover(paths, options.golden_dir, options.max_input)?;
    if found.is_empty() {
        let list = paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
        return Err(Error::invalid(
            format!(
                "no scenario files in {list}: a scenario is a .yaml or .yml file with a top-level \
                 `workloads:` key"
            ),
            None,
        ));
    }
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    }
    .min(found.len());
    // Each worker reads a whole scenario, and YAML parsing recurses once
    // per level of nesting (64 at most): a main thread's stack, not a
    // spawned thread's 2 MiB, which a 60-deep file overflowed in a debug
    // build (an abort, not an error).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(8 << 20)
        .build()
        .map_err(|e| Error::Internal { message: format!("starting {threads} threads: {e}") })?;
    // An indexed collect keeps path order, whichever thread ran which.
    let mut cases: Vec<Case> = pool.install(|| found.par_iter().map(|f| check(f, &options)).collect());
    // Written in path order, on this thread, after every run: what was
    // written does not depend on the threads either.
    for case in &mut cases {
        let write = match (&case.outcome, options.goldens) {
            (Outcome::Ran(r), Goldens::Update) => {
                matches!(r.golden, GoldenState::Missing | GoldenState::Differs { .. })
            }
            (Outcome::Ran(r), Goldens::WriteNew) => r.golden == GoldenState::Missing,
            _ => false,
        };
        if write {
            case.accept();
        }
    }
    let stale_goldens = discover::stale_goldens(paths, options.golden_dir, &found);
    Ok(Gate { cases, stale_goldens })
}

/// Loads, validates, runs, checks one scenario. The scenario's engine
/// runs on one thread: the pool's threads are busy with the others.
fn check(found: &Found, options: &GateOptions<'_>) -> Case {
    let mut case = Case {
        path: found.path.clone(),
        name: found.name.clone(),
        golden: found.golden.clone(),
        inputs: vec![found.path.clone()],
        outcome: Outcome::Invalid { message: String::new(), hint: None },
    };
    let invalid = |message: String, hint: Option<String>| Outcome::Invalid { message, hint };
    let scenario = match Scenario::from_path_with_limit(&found.path, options.max_input) {
        Ok(s) => s,
        Err(e) => {
            case.outcome = invalid(e.to_string(), options.load_hint.map(|h| h(&e)));
            return case;
        }
    };
    case.inputs = scenario.input_files().to_vec();
    let run = match scenario.validate().and_then(|()| crate::run(&scenario, RunOptions::default().threads(1)))
    {
        Ok(run) => run,
        Err(e) => {
            case.outcome = invalid(e.to_string(), None);
            return case;
        }
    };
    let warnings = run.warnings().to_vec();
    let mut report = run.into_report();
    report.header.scenario = found.name.clone();
    let text = render_markdown_full(&report);
    let golden = match read_text(&found.golden, options.max_input) {
        Ok(old) => {
            let label = found.golden.to_string_lossy();
            let now = (report.header.tzdb_version.as_str(), report.header.cronwarp_version.as_str());
            match golden::compare(&old, &text, now, options.strict_versions, (label.as_ref(), "this run")) {
                None => GoldenState::Matches,
                Some(diff) => GoldenState::Differs { diff },
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => GoldenState::Missing,
        Err(e) => {
            case.outcome = invalid(
                format!("cannot read the golden report {}: {e}", found.golden.display()),
                Some(
                    "a golden report is a Markdown file cronwarp test writes: remove it to write it anew"
                        .into(),
                ),
            );
            return case;
        }
    };
    case.outcome = Outcome::Ran(Ran { report: text, violations: report.violations, warnings, golden });
    case
}

impl Case {
    /// The verdict.
    pub fn status(&self) -> Status {
        match &self.outcome {
            Outcome::Invalid { .. } => Status::Invalid,
            Outcome::Ran(r) if !r.violations.is_empty() => Status::Failed,
            Outcome::Ran(r) if matches!(r.golden, GoldenState::Missing | GoldenState::Differs { .. }) => {
                Status::Failed
            }
            Outcome::Ran(_) => Status::Passed,
        }
    }

    /// The unified diff a golden report that is missing or differs would
    /// take (`--review` shows it before asking); `None` otherwise.
    pub fn pending_diff(&self) -> Option<String> {
        let Outcome::Ran(r) = &self.outcome else { return None };
        let golden = self.golden.to_string_lossy();
        match &r.golden {
            GoldenState::Differs { diff } => Some(diff.clone()),
            GoldenState::Missing => Some(golden::unified("", &r.report, (golden.as_ref(), "this run"))),
            _ => None,
        }
    }

    /// Writes the report as the golden copy, if it is missing or differs
    /// (creating the golden directory as needed); `true` if written. A
    /// golden that cannot be written, or that is one of the scenario's own
    /// input files, makes the case [`Outcome::Invalid`].
    pub fn accept(&mut self) -> bool {
        let Outcome::Ran(r) = &mut self.outcome else { return false };
        let next = match &r.golden {
            GoldenState::Missing => GoldenState::New,
            GoldenState::Differs { diff } => GoldenState::Updated { diff: diff.clone() },
            _ => return false,
        };
        match write_golden(&self.golden, &r.report, &self.inputs) {
            Ok(()) => {
                r.golden = next;
                true
            }
            Err(message) => {
                let hint = "check that the golden report's directory can be written to".to_string();
                self.outcome = Outcome::Invalid { message, hint: Some(hint) };
                false
            }
        }
    }

    /// Why the case did not pass, in lines: the failed `expect:` checks,
    /// the golden's diff (or that it is missing), or the error; empty for a
    /// case that passed.
    pub fn detail(&self) -> String {
        render::detail(self)
    }
}

/// Writes `report` to `golden`, unless that is one of `inputs` (compared
/// by canonical path, as `cronwarp run` compares its outputs).
fn write_golden(golden: &Path, report: &str, inputs: &[PathBuf]) -> Result<(), String> {
    let fail =
        |e: &dyn std::fmt::Display| format!("cannot write the golden report {}: {e}", golden.display());
    if let Ok(target) = std::fs::canonicalize(golden)
        && inputs.iter().any(|i| std::fs::canonicalize(i).is_ok_and(|i| i == target))
    {
        return Err(fail(&"it is an input of the scenario; cronwarp never overwrites its input"));
    }
    if let Some(dir) = golden.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    }
    std::fs::write(golden, report).map_err(|e| fail(&e))
}

impl Gate {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }

    /// Cases that failed an `expect:` check or their golden.
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }

    /// Cases that could not run.
    pub fn invalid(&self) -> usize {
        self.count(Status::Invalid)
    }

    /// Goldens written by this run (new and updated).
    pub fn written(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| {
                matches!(&c.outcome, Outcome::Ran(r) if matches!(r.golden, GoldenState::New | GoldenState::Updated { .. }))
            })
            .count()
    }

    fn count(&self, status: Status) -> usize {
        self.cases.iter().filter(|c| c.status() == status).count()
    }

    /// The cases that did not pass (failed, then invalid), each group in
    /// path order.
    pub fn failing(&self) -> impl Iterator<Item = &Case> {
        let of = move |s: Status| self.cases.iter().filter(move |c| c.status() == s);
        of(Status::Failed).chain(of(Status::Invalid))
    }

    /// What a terminal shows, like `cargo test`: a line per scenario
    /// (`ok`, `FAILED`, `invalid`), then each failure with its detail, then
    /// the totals.
    pub fn to_text(&self) -> String {
        render::text(self)
    }

    /// A Markdown summary for a pull-request comment: the totals, then a
    /// collapsed `<details>` per scenario, failures first; at most
    /// [`SUMMARY_LIMIT`] characters, cut with a note when longer.
    pub fn to_summary_markdown(&self) -> String {
        render::summary(self)
    }

    /// A JUnit XML report: one testcase per scenario, a `<failure>` with
    /// the failed checks and the diff, an `<error>` for an invalid
    /// scenario. No timestamps or durations.
    pub fn to_junit(&self) -> String {
        junit::junit(self)
    }
}
