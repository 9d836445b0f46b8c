//! `cronwarp schema`: the JSON Schemas of the scenario file, the JSON report
//! and the event log, for editors and for programs that read cronwarp's
//! output.

use super::{CliError, Ctx, EXIT_OK};
use crate::schemas::{Format, json_schema};

const AFTER_HELP: &str = "\
Prints a JSON Schema (draft 2020-12), generated from the same types that read and write the
file, so it cannot drift. The repository keeps each one under schema/.

  scenario    the scenario file (the default). Point your editor's YAML language server at it:
                cronwarp schema > cronwarp-scenario.schema.json
                # in a scenario file:
                # yaml-language-server: $schema=./cronwarp-scenario.schema.json
  report      the JSON report (`run --format json`, report.json), versioned by schemaVersion
  event-log   one line of the event log (`run --events FILE`, JSON Lines)
  schedule    `cronwarp schedule --format json`, versioned by schemaVersion
  explain     `cronwarp explain --format json`, versioned by schemaVersion

Exit codes: 0 ok, 2 unknown format, 3 internal error.";

/// Which schema `cronwarp schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Which {
    /// The scenario file.
    #[default]
    Scenario,
    /// The JSON report.
    Report,
    /// One line of the event log.
    EventLog,
    /// `cronwarp schedule --format json`.
    Schedule,
    /// `cronwarp explain --format json`.
    Explain,
}

/// `cronwarp schema` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Which file format's schema to print.
    #[arg(value_enum, default_value_t = Which::Scenario)]
    pub format: Which,
}

/// Writes the schema to stdout.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let format = match args.format {
        Which::Scenario => Format::Scenario,
        Which::Report => Format::Report,
        Which::EventLog => Format::EventLog,
        Which::Schedule => Format::Schedule,
        Which::Explain => Format::Explain,
    };
    writeln!(ctx.out, "{}", json_schema(format))?;
    Ok(EXIT_OK)
}
