//! `cronwarp schedule`: the next fire times, one RFC 3339 line each.

use super::expr::{CONTROLLER_ZONE, ExprArgs, resolve, warn_all};
use super::{CliError, Ctx, EXIT_OK};
use crate::schedule::format_rfc3339;

const AFTER_HELP: &str = "\
Fire times are strictly after --from, printed with the schedule zone's offset. Fewer than
--count lines means robfig finds no further time (it searches five years ahead).

Examples:
  $ cronwarp schedule --from 2025-03-08T00:00:00Z --count 2 --tz America/New_York '30 2 * * *'
  2025-03-08T02:30:00-05:00
  2025-03-10T02:30:00-04:00          (2025-03-09 02:30 does not exist: no run)
  $ cronwarp schedule --from 2025-01-26T00:00:00Z --count 3 '0 0 1 * 1'
  2025-01-27T00:00:00Z               (a Monday)
  2025-02-01T00:00:00Z               (day 1: robfig ORs the day fields when both are restricted)
  2025-02-03T00:00:00Z

Exit codes: 0 ok (warnings on stderr), 2 invalid schedule or zone, 3 internal error.";

/// `cronwarp schedule` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub expr: ExprArgs,

    /// How many fire times to print.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub count: usize,
}

/// Prints up to `count` fire times, feeding each back into `Next` as the
/// controller does, and stops where robfig's `Next` stops advancing.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let r = resolve(&args.expr, ctx.now)?;
    warn_all(&r.warnings, ctx.err)?;
    let mut cur = r.from;
    for _ in 0..args.count {
        match r.schedule.next(cur, CONTROLLER_ZONE) {
            None => {
                writeln!(
                    ctx.err,
                    "note: no fire time after {} within robfig's five-year search window",
                    format_rfc3339(cur, r.zone)
                )?;
                break;
            }
            Some(n) if n <= cur => {
                writeln!(
                    ctx.err,
                    "warning: robfig's Next does not advance past {} (it returns {}); the controller \
                     stops scheduling here, so the list ends",
                    format_rfc3339(cur, r.zone),
                    format_rfc3339(n, r.zone)
                )?;
                break;
            }
            Some(n) => {
                writeln!(ctx.out, "{}", format_rfc3339(n, r.zone))?;
                cur = n;
            }
        }
    }
    Ok(EXIT_OK)
}
