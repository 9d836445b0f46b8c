//! `cronwarp explain`: what a schedule means and where it surprises.

use super::explain_argo::{Dialect, RUNNER, resolve_argo};
use super::expr::{CONTROLLER_ZONE, ExprArgs, Resolved, TextOrJson, resolve, warn_all};
use super::schedule::End;
use super::{CliError, Ctx, EXIT_OK};
use crate::model::LAST_RFC3339_UNIX;
use crate::schedule::{
    Anomaly, DayRule, ScheduleKind, analyze_as, day_rule, describe, format_rfc3339, group_anomalies,
};
use chrono::{DateTime, Months};

const AFTER_HELP: &str = "\
Prints the schedule's meaning, its next 5 runs after --from, the day-of-month/day-of-week rule
when both are restricted, and every DST surprise in the 12 months after --from: runs that do not
happen (gap), runs that happen twice (fold), and deviations caused by how robfig walks
wall-clock fields (marked *; zones such as Australia/Lord_Howe, Pacific/Chatham, Asia/Beirut).

Given a manifest, a cluster dump, a scenario or - (stdin) instead of an expression, it lists every
CronJob with its schedule, zone, status.lastScheduleTime, next run after --from (default now) and
DST surprises, one row each (--format json: the next 3 runs per CronJob):
  kubectl get cronjobs -A -o yaml | cronwarp explain -

Examples:
  cronwarp explain --from 2025-01-01T00:00:00Z --tz America/New_York '30 1 * * *'
  cronwarp explain --from 2025-10-01T00:00:00Z scenarios/dumps/fleet.yaml
  cronwarp explain '0 0 13 * 5'
  cronwarp explain --tz Australia/Lord_Howe @daily
  cronwarp explain --format json '30 1 * * *' | jq '.dst.anomalies[].label'
  cronwarp explain --dialect argo --tz America/New_York '30 2 * * *'

--dialect argo reads the expression as one of an Argo CronWorkflow's spec.schedules, --tz as its
spec.timezone (registered as CRON_TZ=<zone> <schedule>): Argo's validator and runner decide, the
CronJob admission warnings do not apply, and the output says how its runner fires (no look-back
but one catch-up with startingDeadlineSeconds).

--format json prints the same as one object (schemaVersion, meaning, nextRuns, dayRule,
dst.anomalies with their kind, wall time, offsets and instants, warnings); `cronwarp schema
explain` prints its JSON Schema.

Exit codes: 0 ok (warnings on stderr), 2 invalid schedule or zone, 3 internal error.";

const NEXT_RUNS: usize = 5;
/// Explanations wrap at this width, for an 80-column terminal.
const WIDTH: usize = 78;

/// `cronwarp explain` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub expr: ExprArgs,

    /// `text` for people, `json` for programs (one object with
    /// `schemaVersion`).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,

    /// Whose schedule language: `kubernetes` (a CronJob's) or `argo` (a
    /// CronWorkflow's; --tz is then its spec.timezone).
    #[arg(long, value_enum, default_value_t = Dialect::Kubernetes)]
    pub dialect: Dialect,
}

/// Writes the explanation to stdout.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let argo = args.dialect == Dialect::Argo;
    if super::explain_manifests::names_input(&args.expr.expr) {
        if argo {
            return Err(CliError::Invalid {
                message: "--dialect argo explains one schedule expression, not a file".into(),
                hint: Some(
                    "give the schedule quoted, e.g. cronwarp explain --dialect argo '0 3 * * *'".into(),
                ),
            });
        }
        return super::explain_manifests::run(args, ctx);
    }
    let r = if argo { resolve_argo(&args.expr, ctx.now)? } else { resolve(&args.expr, ctx.now)? };
    warn_all(&r.warnings, ctx.err)?;
    if args.format == TextOrJson::Json {
        let out = explanation(args, &r);
        write!(ctx.out, "{}", super::run::json(&out, "the explanation")?)?;
        return Ok(EXIT_OK);
    }
    let s = &r.schedule;
    let out = &mut *ctx.out;
    writeln!(out, "Schedule   {}", args.expr.expr)?;
    if r.text != args.expr.expr {
        writeln!(out, "Parsed as  {}", r.text)?;
    }
    let every = matches!(s.kind(), ScheduleKind::Every(_));
    if every {
        writeln!(out, "Zone       none: @every counts real seconds")?;
    } else {
        let how = match (r.text.contains("TZ"), argo) {
            (true, _) => "",
            (false, false) => " (the controller's local zone)",
            (false, true) => " (the workflow-controller's local zone)",
        };
        writeln!(out, "Zone       {}{how}", r.zone.name())?;
    }
    wrap(out, "Meaning    ", &describe(s))?;
    if argo {
        wrap(out, "Runner     ", RUNNER)?;
    }
    if let ScheduleKind::Spec(spec) = s.kind()
        && day_rule(spec) == DayRule::Or
    {
        wrap(
            out,
            "Day rule   ",
            "OR: both day fields are restricted (neither is `*` or `?` without a step above 1), so a \
             day matching either the day of month or the day of week runs",
        )?;
    }

    writeln!(out, "\nNext {NEXT_RUNS} runs after {}:", format_rfc3339(r.from, r.zone))?;
    let (times, ended) = super::schedule::fire_times(&r, NEXT_RUNS);
    for &n in &times {
        let w = r.zone.wall(n);
        let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][w.weekday as usize % 7];
        writeln!(out, "  {}  {day}", format_rfc3339(n, r.zone))?;
    }
    match ended {
        Some(End::SearchWindow) => {
            writeln!(out, "  (none: nothing matches within robfig's five-year search window)")?
        }
        Some(End::NotAdvancing(_)) => {
            writeln!(out, "  (robfig's Next does not advance here: the controller stops scheduling)")?
        }
        Some(End::PastYear9999) => {
            writeln!(out, "  (the next one is past 9999-12-31T23:59:59Z: RFC 3339 years have four digits)")?
        }
        None => {}
    }

    let to = twelve_months_after(r.from);
    let date = |unix| format_rfc3339(unix, r.zone).split('T').next().unwrap_or_default().to_string();
    let (d0, d1) = (date(r.from), date(to));
    writeln!(out, "\nDST in the next 12 months ({d0} to {d1}):")?;
    if every {
        writeln!(out, "  not affected: @every counts real seconds from the previous run")?;
        return Ok(EXIT_OK);
    }
    let scheduler = if argo { "Argo" } else { "Kubernetes" };
    let anomalies = analyze_as(s, CONTROLLER_ZONE, r.from, to, scheduler);
    if anomalies.is_empty() {
        writeln!(out, "  nothing: every run happens once, at the wall time the fields name")?;
    }
    for group in group_anomalies(&anomalies) {
        write_group(out, group)?;
    }
    if anomalies.iter().any(|a| a.kind.is_exotic()) {
        writeln!(out)?;
        wrap(
            out,
            "* ",
            "robfig walks wall-clock fields instead of searching instants; near this zone's transitions \
             that skips or adds runs compared with reading the clock.",
        )?;
    }
    Ok(EXIT_OK)
}

/// The explanation as `--format json` prints it: what the text says, as
/// data.
fn explanation(args: &Args, r: &Resolved) -> crate::schedule::output::Explanation {
    use crate::schedule::output::{DstAnomaly, DstWindow, Explanation, NextRun, SCHEDULE_SCHEMA_VERSION};
    let s = &r.schedule;
    let every = matches!(s.kind(), ScheduleKind::Every(_));
    let day_rule = match s.kind() {
        ScheduleKind::Spec(spec) if day_rule(spec) == DayRule::Or => Some("or".to_string()),
        _ => None,
    };
    let (times, ended) = super::schedule::fire_times(r, NEXT_RUNS);
    let next_runs = times
        .iter()
        .map(|&n| {
            let w = r.zone.wall(n);
            let day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][w.weekday as usize % 7];
            NextRun { time: format_rfc3339(n, r.zone), weekday: day.to_string() }
        })
        .collect();
    let to = twelve_months_after(r.from);
    let date = |unix| format_rfc3339(unix, r.zone).split('T').next().unwrap_or_default().to_string();
    let scheduler = if args.dialect == Dialect::Argo { "Argo" } else { "Kubernetes" };
    let anomalies = if every { Vec::new() } else { analyze_as(s, CONTROLLER_ZONE, r.from, to, scheduler) };
    let anomalies = anomalies
        .iter()
        .map(|a| {
            let (wall, offsets) = a.heading();
            DstAnomaly {
                kind: a.kind.json_name().to_string(),
                label: a.kind.label().to_string(),
                exotic: a.kind.is_exotic(),
                wall,
                offsets,
                instants: a.instants.iter().map(|&i| format_rfc3339(i, r.zone)).collect(),
                explanation: a.explanation.clone(),
            }
        })
        .collect();
    Explanation {
        schema_version: SCHEDULE_SCHEMA_VERSION,
        schedule: args.expr.expr.clone(),
        parsed_as: r.text.clone(),
        zone: (!every).then(|| r.zone.name().to_string()),
        controller_zone: !every && !r.text.contains("TZ"),
        meaning: describe(s),
        day_rule,
        from: format_rfc3339(r.from, r.zone),
        next_runs,
        ended: ended.map(|e| e.name().to_string()),
        dst: DstWindow { from: date(r.from), to: date(to), applies: !every, anomalies },
        warnings: r.warnings.clone(),
    }
}

fn write_group(out: &mut dyn std::io::Write, group: &[Anomaly]) -> Result<(), CliError> {
    let (Some(a), Some(last)) = (group.first(), group.last()) else { return Ok(()) };
    let star = if a.kind.is_exotic() { "*" } else { "" };
    let (wall, offsets) = a.heading();
    let until = if group.len() > 1 {
        format!("-{:02}:{:02}", last.wall.hour, last.wall.minute)
    } else {
        String::new()
    };
    writeln!(out, "  {wall}{until}  {}{star}  [{offsets}]", a.kind.label())?;
    wrap(out, "      ", &a.explanation)?;
    if group.len() > 1 {
        writeln!(
            out,
            "      (and {} more like it, the last at {:02}:{:02})",
            group.len() - 1,
            last.wall.hour,
            last.wall.minute
        )?;
    }
    Ok(())
}

/// The instant 12 calendar months later (UTC calendar), for the DST
/// window; no later than the last instant RFC 3339 writes, so the window's
/// end date prints with a four-digit year like every other.
pub(super) fn twelve_months_after(from: i64) -> i64 {
    let later = DateTime::from_timestamp(from, 0)
        .and_then(|d| d.checked_add_months(Months::new(12)))
        .map_or(from.saturating_add(365 * 86_400), |d| d.timestamp());
    later.min(LAST_RFC3339_UNIX).max(from)
}

/// Word-wraps `text` to [`WIDTH`], the first line after `head`, the rest
/// indented as deep.
fn wrap(out: &mut dyn std::io::Write, head: &str, text: &str) -> Result<(), CliError> {
    let indent = " ".repeat(head.chars().count());
    let mut line = head.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            writeln!(out, "{line}")?;
            line = indent.clone();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    writeln!(out, "{line}")?;
    Ok(())
}
