//! `cronwarp lint`: the CronJob settings that surprise, found without
//! simulating; the rules are in [`crate::report::lint`].

use super::explain::twelve_months_after;
use super::expr::{CONTROLLER_ZONE, parse_instant};
use super::files::{InputArgs, load_scenario};
use super::inputs::{display, is_scenario, read_input};
use super::{CliError, Ctx, EXIT_EXPECTATIONS_FAILED, EXIT_OK};
use crate::model::CronJob;
use crate::model::manifest::{Located, Manifests};
use crate::report::lint::{
    DstWindow, Finding, RULES, Severity, lint_cronoperation_located, lint_fleet, lint_located,
};
use crate::schedule::{Location, Zone, load_location};
use serde_json::json;
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Reads CronJob and CronOperation manifests (files, `kubectl get -o yaml` dumps, `-` for standard
input) or a scenario file, and reports the settings whose effect surprises, without simulating:

  CW-L1   warning  startingDeadlineSeconds that never lets it run (0, or under an @every interval)
  CW-L2   note     startingDeadlineSeconds under 10s: a late sync drops the tick without an event
  CW-L3   warning  TZ=/CRON_TZ= prefix in spec.schedule (rejected on create)
  CW-L4   warning  day of month and day of week both restricted: robfig ORs them
  CW-L5   warning  the schedule's wall time falls in a DST gap or fold in the 12 months after --from
  CW-L6   note     Forbid with startingDeadlineSeconds: ticks during a long run are skipped
  CW-L7   note     a history limit of 0 without a TTL deletes finished Jobs at once
  CW-L8   note     ttlSecondsAfterFinished shorter than the interval: no Job outlives the next run
  CW-L9   note     a history limit of 0 with a TTL: the Jobs go at once, the TTL never applies
  CW-L10  note     the outage after which ticks are dropped or TooManyMissedTimes is warned
  CW-L11  warning  backoffLimit retries that podFailurePolicy or activeDeadlineSeconds rule out
  CW-L12  note     backoffLimit 0: one failure fails the run
  CW-L13  warning  CronOperation with startingDeadlineSeconds: one missed deadline stops it for good
  CW-L14  note     CronOperation: a controller clock ahead of the API server loops (crossplane#7524)
  CW-L15  warning  more than 10 CronJobs (over all inputs) fire in the same minute
  CW-L16  warning  robfig's field walk skips, adds or stalls runs around the zone's DST switch
  CW-L17  warning  spec.timeZone not in the tz database: the CronJob never runs

Each finding names the file:line:col of the field, why it matters, the fix and an upstream link.
--format sarif writes SARIF 2.1.0 for code-scanning uploads.

Examples:
  cronwarp lint cronjob.yaml
  kubectl get cronjobs -A -o yaml | cronwarp lint -
  cronwarp lint --deny warnings --format sarif k8s/*.yaml > lint.sarif

Exit codes: 0 ok (findings or not), 1 a warning with --deny warnings, 2 invalid input (unreadable
file, invalid YAML, a bad --from); 3 internal error.";

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    /// `file:line:col: warning[CW-L1]: message`, then why, fix and see.
    Text,
    /// The findings as a JSON array.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// What `--deny` turns into a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Exit 1 when any warning is found.
    Warnings,
}

/// `cronwarp lint` arguments.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Manifest files or one scenario file; `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit 1 when a finding of this severity is found.
    #[arg(long, value_enum)]
    pub deny: Option<Deny>,
    /// Where the 12 months CW-L5 and CW-L16 check for DST start, and the
    /// day CW-L15 counts (RFC 3339). Default:
    /// a scenario's horizon.start, else the newest timestamp in the
    /// manifests, else 2025-01-01T00:00:00Z.
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// The input limit.
    #[command(flatten)]
    pub input: InputArgs,
}

/// The `--from` default when the input carries no timestamp: fixed, so a
/// lint never depends on the day it runs.
const DEFAULT_FROM: i64 = 1_735_689_600; // 2025-01-01T00:00:00Z

/// Lints every input, prints the findings.
pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let from = args.from.as_deref().map(|t| parse_instant("--from", t)).transpose()?;
    let mut findings = Vec::new();
    // CW-L15 counts every input's CronJobs together, over the first
    // input's day.
    let mut fleet: Vec<Located<CronJob>> = Vec::new();
    let mut fleet_at = None;
    for p in &args.inputs {
        let text = read_input(p, args.input.max_input, ctx)?;
        let name = display(p);
        let (all, window, local) = if is_scenario(&text) {
            scenario_manifests(p, args, from)?
        } else {
            let m = Manifests::read(&text, &name).map_err(|errors| {
                CliError::invalid(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
            })?;
            let from = from.or_else(|| newest(&m)).unwrap_or(DEFAULT_FROM);
            (vec![m], window_from(from), CONTROLLER_ZONE)
        };
        for m in all {
            for cj in &m.cronjobs {
                findings.extend(lint_located(cj, local, window));
            }
            for co in &m.cronoperations {
                findings.extend(lint_cronoperation_located(co));
            }
            fleet.extend(m.cronjobs);
        }
        fleet_at.get_or_insert((local, window));
    }
    if let Some((local, window)) = fleet_at {
        findings.extend(lint_fleet(&fleet.iter().collect::<Vec<_>>(), local, window));
    }
    match args.format {
        LintFormat::Text => write_text(&findings, ctx)?,
        LintFormat::Json => write!(ctx.out, "{}", super::run::json(&findings, "the findings")?)?,
        LintFormat::Sarif => write!(ctx.out, "{}", super::run::json(&sarif(&findings), "the SARIF log")?)?,
    }
    let warned = findings.iter().any(|f| f.severity == Severity::Warning);
    Ok(if warned && args.deny.is_some() { EXIT_EXPECTATIONS_FAILED } else { EXIT_OK })
}

fn window_from(from: i64) -> DstWindow {
    DstWindow { from, to: twelve_months_after(from) }
}

/// A scenario file's objects, workload by workload, each located where it
/// was read (an inline manifest at its lines in the scenario), with the
/// window from the horizon's start and the scenario's controller zone.
fn scenario_manifests(
    p: &std::path::Path,
    args: &Args,
    from: Option<i64>,
) -> Result<(Vec<Manifests>, DstWindow, Zone), CliError> {
    if p.as_os_str() == "-" {
        return Err(CliError::invalid("a scenario file is linted from its path, not standard input"));
    }
    let sc = load_scenario(p, args.input.max_input)?.into_sim();
    let local = match sc.controller.local_zone.as_deref().map(load_location) {
        Some(Ok(Location::Zone(z))) => z,
        Some(Err(e)) => return Err(CliError::invalid(format!("controller.localZone: {e}"))),
        Some(Ok(Location::Local)) | None => CONTROLLER_ZONE,
    };
    let all = (0..sc.workloads.len())
        .map(|i| sc.read_manifests(i).map_err(|e| CliError::invalid(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((all, window_from(from.unwrap_or(sc.horizon.start.unix())), local))
}

/// Where a dump was taken, as the simulator reads it: a dump is linted
/// from where the cluster was.
fn newest(m: &Manifests) -> Option<i64> {
    crate::sim::scenario::newest_in(m).map(|t| t.unix())
}

fn write_text(findings: &[Finding], ctx: &mut Ctx) -> Result<(), CliError> {
    for f in findings {
        let level = match f.severity {
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        writeln!(
            ctx.out,
            "{}:{}:{}: {level}[{}]: {}: {}",
            f.file, f.line, f.column, f.rule, f.object, f.message
        )?;
        writeln!(ctx.out, "  why: {}", f.why)?;
        writeln!(ctx.out, "  fix: {}", f.fix)?;
        writeln!(ctx.out, "  see: {}", f.link)?;
    }
    let warnings = findings.iter().filter(|f| f.severity == Severity::Warning).count();
    writeln!(ctx.err, "{warnings} warning(s), {} note(s)", findings.len() - warnings)?;
    Ok(())
}

/// SARIF 2.1.0, the subset code-scanning tools read.
fn sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| json!({"id": r.id, "shortDescription": {"text": r.title}, "helpUri": r.link}))
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "level": match f.severity { Severity::Warning => "warning", Severity::Note => "note" },
                "message": {"text": format!("{}: {} (why: {} fix: {})", f.object, f.message, f.why, f.fix)},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.file},
                    // SARIF regions are 1-based; an unknown position is the file's start.
                    "region": {"startLine": f.line.max(1), "startColumn": f.column.max(1)}
                }}]
            })
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "cronwarp",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "results": results
        }]
    })
}
