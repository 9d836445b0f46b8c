//! `cronwarp schedule`: the next fire times, one RFC 3339 line each.

use super::expr::{CONTROLLER_ZONE, ExprArgs, Resolved, TextOrJson, resolve, warn_all};
use super::{CliError, Ctx, EXIT_OK};
use crate::model::LAST_RFC3339_UNIX;
use crate::schedule::format_rfc3339;
use crate::schedule::output::{FireTimes, SCHEDULE_SCHEMA_VERSION};

const AFTER_HELP: &str = "\
Fire times are strictly after --from, printed with the schedule zone's offset. Fewer than
--count lines means robfig finds no further time (it searches five years ahead), or the next one
is past 9999-12-31T23:59:59Z (RFC 3339 years have four digits).

Examples:
  $ cronwarp schedule --from 2025-03-08T00:00:00Z --count 2 --tz America/New_York '30 2 * * *'
  2025-03-08T02:30:00-05:00
  2025-03-10T02:30:00-04:00          (2025-03-09 02:30 does not exist: no run)
  $ cronwarp schedule --from 2025-01-26T00:00:00Z --count 3 '0 0 1 * 1'
  2025-01-27T00:00:00Z               (a Monday)
  2025-02-01T00:00:00Z               (day 1: robfig ORs the day fields when both are restricted)
  2025-02-03T00:00:00Z

  $ cronwarp schedule --from 2025-01-01T00:00:00Z -n 2 --format json @daily
  {\"schemaVersion\": 1, \"schedule\": \"@daily\", \"parsedAs\": \"@daily\", \"zone\": \"UTC\",
   \"from\": \"2025-01-01T00:00:00Z\", \"fireTimes\": [\"2025-01-02T00:00:00Z\", \"2025-01-03T00:00:00Z\"],
   \"warnings\": []}            (pretty-printed; `cronwarp schema schedule` has its JSON Schema)

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

    /// `text`: one RFC 3339 line per fire time; `json`: one object with
    /// `schemaVersion`, the fire times and any warnings.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Prints up to `count` fire times, feeding each back into `Next` as the
/// controller does, and stops where robfig's `Next` stops advancing.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let r = resolve(&args.expr, ctx.now)?;
    warn_all(&r.warnings, ctx.err)?;
    let (times, ended) = fire_times(&r, args.count);
    if args.format == TextOrJson::Json {
        let out = FireTimes {
            schema_version: SCHEDULE_SCHEMA_VERSION,
            schedule: args.expr.expr.clone(),
            parsed_as: r.text.clone(),
            zone: r.zone.name().to_string(),
            from: format_rfc3339(r.from, r.zone),
            fire_times: times.iter().map(|&t| format_rfc3339(t, r.zone)).collect(),
            ended: ended.map(|e| e.name().to_string()),
            warnings: r.warnings.clone(),
        };
        write!(ctx.out, "{}", super::run::json(&out, "the fire times")?)?;
    } else {
        for &t in &times {
            writeln!(ctx.out, "{}", format_rfc3339(t, r.zone))?;
        }
    }
    let last = times.last().copied().unwrap_or(r.from);
    match ended {
        Some(End::SearchWindow) => writeln!(
            ctx.err,
            "note: no fire time after {} within robfig's five-year search window",
            format_rfc3339(last, r.zone)
        )?,
        Some(End::PastYear9999) => writeln!(
            ctx.err,
            "note: the next fire time after {} falls past 9999-12-31T23:59:59Z, the last instant RFC 3339 \
             writes (four-digit years), so the list ends",
            format_rfc3339(last, r.zone)
        )?,
        Some(End::NotAdvancing(n)) => writeln!(
            ctx.err,
            "warning: robfig's Next does not advance past {} (it returns {}); the controller \
             stops scheduling here, so the list ends",
            format_rfc3339(last, r.zone),
            format_rfc3339(n, r.zone)
        )?,
        None => {}
    }
    Ok(EXIT_OK)
}

/// Why a list of fire times ends early.
#[derive(Debug, Clone, Copy)]
pub(super) enum End {
    /// robfig finds nothing within five years.
    SearchWindow,
    /// `Next` returned this instant, not after its input.
    NotAdvancing(i64),
    /// The next time is after 9999-12-31T23:59:59Z: printed, it would
    /// have a five-digit year that neither `--from` nor Kubernetes reads.
    PastYear9999,
}

impl End {
    /// The name the JSON outputs give it.
    pub(super) fn name(self) -> &'static str {
        match self {
            End::SearchWindow => "searchWindow",
            End::NotAdvancing(_) => "notAdvancing",
            End::PastYear9999 => "pastYear9999",
        }
    }
}

/// Up to `count` fire times after `r.from`, each fed back into `Next`, and
/// why the list ended early if it did.
pub(super) fn fire_times(r: &Resolved, count: usize) -> (Vec<i64>, Option<End>) {
    let mut out = Vec::with_capacity(count.min(1024));
    let mut cur = r.from;
    for _ in 0..count {
        match r.schedule.next(cur, CONTROLLER_ZONE) {
            None => return (out, Some(End::SearchWindow)),
            Some(n) if n <= cur => return (out, Some(End::NotAdvancing(n))),
            // Printed with the zone's offset: 9999-12-31T20:00:00Z is
            // 10000-01-01T10:00:00+14:00 in Pacific/Kiritimati.
            Some(n) if n.saturating_add(i64::from(r.zone.offset_at(n))) > LAST_RFC3339_UNIX => {
                return (out, Some(End::PastYear9999));
            }
            Some(n) => {
                out.push(n);
                cur = n;
            }
        }
    }
    (out, None)
}
