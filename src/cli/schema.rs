//! `cronwarp schema`: the scenario file's JSON Schema, for editors.

use super::{CliError, Ctx, EXIT_OK};
use crate::sim::Scenario;

const AFTER_HELP: &str = "\
Prints the JSON Schema (draft 2020-12) of the scenario file format, generated from the same
types the parser uses, so it cannot drift. Point your editor's YAML language server at it:

  cronwarp schema > cronwarp-scenario.schema.json
  # in a scenario file:
  # yaml-language-server: $schema=./cronwarp-scenario.schema.json

Exit codes: 0 ok, 3 internal error.";

/// `cronwarp schema` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {}

/// The scenario schema as pretty JSON.
pub fn schema_json() -> Result<String, CliError> {
    let schema = schemars::schema_for!(Scenario);
    serde_json::to_string_pretty(&schema)
        .map_err(|e| CliError::Internal(format!("serializing the schema: {e}")))
}

/// Writes the schema to stdout.
pub fn run(_: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    writeln!(ctx.out, "{}", schema_json()?)?;
    Ok(EXIT_OK)
}
