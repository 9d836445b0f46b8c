//! `cronwarp merge`: the partial results of a sharded sweep
//! (`cronwarp sweep --shard I/N`) folded into the sweep one run over every
//! seed prints.

use super::run::Format;
use super::{CliError, Ctx};
use crate::sweep::{PART_VERSION, SweepPart, merge};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Each shard of a sweep (`cronwarp sweep SCENARIO --seeds A..B --shard I/N --out part-I.json`)
keeps every run's figures; merging all N parts gives, byte for byte, what
`cronwarp sweep SCENARIO --seeds A..B` prints, in any format. The parts must come from one
sweep: the same scenario (its text and manifest files, hashed), seeds, shard count and cronwarp
version, each shard once; otherwise nothing is printed and the exit code is 2.

Exit codes: 0 ok, 1 an `expect:` check failed at one seed or more, 2 a part is unreadable or
does not belong, 3 internal error.

Examples:
  cronwarp merge parts/*.json
  cronwarp merge parts/*.json --format json > sweep.json";

/// Largest part file read: a part holds a few dozen numbers per run per
/// workload, so a million runs of a small fleet fit.
const MAX_PART: u64 = 1 << 30;

/// `cronwarp merge` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The partial results, one per shard, in any order.
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// How stdout shows the sweep.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

/// Reads, checks and merges the parts, then prints as `cronwarp sweep`.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let parts = args.parts.iter().map(|p| read_part(p)).collect::<Result<Vec<_>, _>>()?;
    let sweep = merge(&parts).map_err(|e| CliError::invalid(e.message))?;
    super::sweep::print(&sweep, args.format, ctx)
}

fn read_part(path: &std::path::Path) -> Result<(String, SweepPart), CliError> {
    let name = path.display().to_string();
    let hint = || Some("name the files `cronwarp sweep --shard I/N --out FILE` wrote".to_string());
    let size = std::fs::metadata(path)
        .map_err(|e| CliError::Invalid { message: format!("cannot read {name}: {e}"), hint: hint() })?
        .len();
    if size > MAX_PART {
        return Err(CliError::invalid(format!(
            "{name}: {size} bytes, over the {MAX_PART}-byte limit of a part"
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Invalid { message: format!("cannot read {name}: {e}"), hint: hint() })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| CliError::Invalid {
        message: format!("{name}:{}:{}: not a sweep part (JSON): {e}", e.line(), e.column()),
        hint: hint(),
    })?;
    // The version first, so an older or newer part says so rather than
    // failing on a field it lacks.
    match value.get("partVersion").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(PART_VERSION) => {}
        Some(v) => {
            return Err(CliError::invalid(format!(
                "{name}: a part of format version {v}, this cronwarp reads version {PART_VERSION}; run \
                 every shard with the same cronwarp as the merge"
            )));
        }
        None => {
            return Err(CliError::Invalid {
                message: format!("{name}: not a sweep part: it has no partVersion"),
                hint: hint(),
            });
        }
    }
    let part = serde_json::from_value(value)
        .map_err(|e| CliError::Invalid { message: format!("{name}: not a sweep part: {e}"), hint: hint() })?;
    Ok((name, part))
}
