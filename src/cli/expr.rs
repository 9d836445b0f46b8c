//! The schedule arguments shared by subcommands (`EXPR`, `--tz`, `--from`)
//! and how they become what kube-controller-manager evaluates.

use super::CliError;
use crate::model::rfc3339_error;
use crate::schedule::kube::{format_schedule, validate_schedule, validate_time_zone};
use crate::schedule::{Schedule, Zone, load_location};
use chrono::DateTime;

/// kube-controller-manager's own zone, which a schedule without `TZ=` or
/// `spec.timeZone` follows: UTC on a stock image.
pub(super) const CONTROLLER_ZONE: Zone = Zone::Utc;

/// How `schedule` and `explain` print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TextOrJson {
    /// For people.
    #[default]
    Text,
    /// For programs: one JSON object, versioned by `schemaVersion`
    /// (`cronwarp schema schedule` / `explain` print its JSON Schema).
    Json,
}

/// A CronJob's `spec.schedule`, `spec.timeZone` and a start time.
#[derive(Debug, clap::Args)]
pub struct ExprArgs {
    /// `spec.timeZone`: an IANA zone such as Europe/Berlin. The controller
    /// then parses `TZ=<ZONE> <EXPR>`. Without it the schedule follows the
    /// controller's local zone, UTC.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Start instant, RFC 3339 (`2025-03-08T00:00:00Z`, `2025-03-08T09:00:00+01:00`);
    /// fractional seconds are dropped. Default: now.
    #[arg(long, value_name = "RFC3339")]
    pub from: Option<String>,

    /// `spec.schedule`, quoted: five fields (minute hour day-of-month month
    /// day-of-week), a descriptor such as @daily, or `@every 1h30m`.
    #[arg(value_name = "EXPR")]
    pub expr: String,
}

/// What the controller would evaluate, plus what the API server would say.
pub(super) struct Resolved {
    /// The string handed to robfig (`TZ=<zone> <expr>` with `--tz`).
    pub text: String,
    /// The parsed schedule.
    pub schedule: Schedule,
    /// The zone its fire times are printed in.
    pub zone: Zone,
    /// Start instant, Unix seconds.
    pub from: i64,
    /// Warnings for stderr: the schedule runs, but something is off.
    pub warnings: Vec<String>,
}

/// Parses an RFC 3339 instant, flooring fractional seconds.
pub(super) fn parse_instant(flag: &str, text: &str) -> Result<i64, CliError> {
    DateTime::parse_from_rfc3339(text.trim()).map(|d| d.timestamp()).map_err(|e| CliError::Invalid {
        message: format!("invalid {flag} {text:?}: {}", rfc3339_error(text, e)),
        hint: Some(
            "write an RFC 3339 instant such as 2025-03-08T00:00:00Z or 2025-03-08T09:00:00+01:00".into(),
        ),
    })
}

/// Mirrors what `formatSchedule` and `ParseStandard` do with the arguments
/// in kube-controller-manager, and collects the API server's create-time
/// objections as warnings.
pub(super) fn resolve(args: &ExprArgs, now: i64) -> Result<Resolved, CliError> {
    let from = match &args.from {
        Some(f) => parse_instant("--from", f)?,
        None => now,
    };
    let tz = args.tz.as_deref();
    if let Some(tz) = tz
        && let Err(e) = load_location(tz)
    {
        return Err(CliError::Invalid {
            message: format!("invalid time zone {tz:?}: {e}"),
            hint: Some(match crate::model::validation::closest_zone(tz) {
                Some(c) => format!("did you mean `{c}`? (IANA zone names are case-sensitive)"),
                None => "use an IANA zone name such as Europe/Berlin (case matters)".into(),
            }),
        });
    }
    let formatted = format_schedule(&args.expr, tz);
    let schedule = Schedule::parse(&formatted.text).map_err(|e| CliError::Invalid {
        message: format!("invalid schedule {:?}: {e}", formatted.text),
        hint: e.hint().map(str::to_string),
    })?;
    let mut warnings = Vec::new();
    if formatted.tz_in_schedule {
        let ignored = if tz.is_some() { "ignores --tz (spec.timeZone) and " } else { "" };
        warnings.push(format!(
            "the schedule contains \"TZ\", so the controller {ignored}emits a Warning UnsupportedSchedule \
             event on every sync"
        ));
    }
    for e in validate_schedule(&args.expr, tz, None).into_iter().chain(validate_time_zone(tz)) {
        warnings.push(format!("the API server would reject this CronJob on create: {e}"));
    }
    let zone = schedule.zone(CONTROLLER_ZONE);
    Ok(Resolved { text: formatted.text, schedule, zone, from, warnings })
}

/// Writes each warning to stderr as `warning: …`.
pub(super) fn warn_all(warnings: &[String], err: &mut dyn std::io::Write) -> Result<(), CliError> {
    for w in warnings {
        writeln!(err, "warning: {w}")?;
    }
    Ok(())
}
