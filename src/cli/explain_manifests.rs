//! `cronwarp explain FILE|-`: every CronJob of a manifest, dump or
//! scenario with its schedule as the controller reads it, its last
//! schedule time, its next runs and the DST surprises of the next 12
//! months: the "next run" column `kubectl get cronjobs` lacks.

use super::explain::{Args, twelve_months_after};
use super::expr::{CONTROLLER_ZONE, TextOrJson, parse_instant};
use super::inputs::{display, is_scenario, read_input};
use super::{CliError, Ctx, EXIT_OK};
use crate::model::CronJob;
use crate::model::manifest::Manifests;
use crate::report::{Block, cols, text};
use crate::schedule::kube::controller_schedule;
use crate::schedule::{AnomalyKind, Zone, analyze, format_rfc3339, group_anomalies};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Next runs listed per CronJob.
const NEXT: usize = 3;

/// Whether `explain`'s argument names input rather than an expression: `-`,
/// an existing file, or something ending like a manifest file.
pub(super) fn names_input(expr: &str) -> bool {
    let lower = expr.to_ascii_lowercase();
    expr == "-" || Path::new(expr).is_file() || [".yaml", ".yml", ".json"].iter().any(|e| lower.ends_with(e))
}

/// One CronJob, explained (`--format json`: a list of these).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Explained {
    /// `namespace/name`.
    object: String,
    schedule: String,
    /// The zone its runs are in; absent for `@every` and unparseable
    /// schedules.
    #[serde(skip_serializing_if = "Option::is_none")]
    zone: Option<String>,
    suspended: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_schedule_time: Option<String>,
    next_runs: Vec<String>,
    /// `2025-03-30 02:30 gap [+01:00 → +02:00]`, one per DST surprise.
    dst: Vec<String>,
    /// Why the controller cannot schedule it (an invalid schedule or zone).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

pub(super) fn run(args: &Args, ctx: &mut Ctx) -> Result<u8, CliError> {
    let p = PathBuf::from(&args.expr.expr);
    let text_in = read_input(&p, crate::model::input::DEFAULT_MAX_INPUT, ctx)?;
    let from = match &args.expr.from {
        Some(t) => parse_instant("--from", t)?,
        None => ctx.now,
    };
    let cronjobs: Vec<CronJob> = if is_scenario(&text_in) {
        if p.as_os_str() == "-" {
            return Err(CliError::invalid("a scenario file is explained from its path, not standard input"));
        }
        let sc = super::files::load_scenario(&p, crate::model::input::DEFAULT_MAX_INPUT)?.into_sim();
        let mut all = Vec::new();
        for i in 0..sc.workloads.len() {
            let m = sc.read_manifests(i).map_err(|e| CliError::invalid(e.to_string()))?;
            all.extend(m.cronjobs.into_iter().map(|c| c.value));
        }
        all
    } else {
        let m = Manifests::read(&text_in, &display(&p)).map_err(|errors| {
            CliError::invalid(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))
        })?;
        m.cronjobs.into_iter().map(|c| c.value).collect()
    };
    if cronjobs.is_empty() {
        return Err(CliError::invalid(format!("{} holds no CronJob", display(&p))));
    }
    let rows: Vec<Explained> = cronjobs.iter().map(|cj| explain(cj, from, CONTROLLER_ZONE)).collect();
    if args.format == TextOrJson::Json {
        write!(ctx.out, "{}", super::run::json(&rows, "the explanation")?)?;
        return Ok(EXIT_OK);
    }
    writeln!(
        ctx.out,
        "From {} (next {NEXT} runs; DST surprises over the next 12 months)\n",
        format_rfc3339(from, Zone::Utc)
    )?;
    let table = rows
        .iter()
        .map(|r| {
            let next = match (&r.error, r.suspended) {
                (Some(e), _) => format!("never: {e}"),
                (None, true) => "suspended".to_string(),
                (None, false) => r.next_runs.first().cloned().unwrap_or_else(|| "none".into()),
            };
            vec![
                r.object.clone(),
                r.schedule.clone(),
                r.zone.clone().unwrap_or_else(|| "—".into()),
                r.last_schedule_time.clone().unwrap_or_else(|| "never".into()),
                next,
                if r.dst.is_empty() { "none".into() } else { r.dst.join("; ") },
            ]
        })
        .collect();
    let head = cols(&["cronjob", "schedule", "zone", "last scheduled", "next run", "DST"]);
    write!(ctx.out, "{}", text(vec![Block::Table { head, rows: table }]))?;
    Ok(EXIT_OK)
}

/// Mirrors what the CronJob controller's sync reads: the schedule as
/// `getCronJobScheduleStr`/`cron.ParseStandard` see it (with
/// `spec.timeZone`), `status.lastScheduleTime`, and robfig's `Next` from
/// `from`.
fn explain(cj: &CronJob, from: i64, local: Zone) -> Explained {
    let spec = &cj.spec;
    let mut out = Explained {
        object: format!("{}/{}", cj.metadata.namespace, cj.metadata.name),
        schedule: spec.schedule.to_string(),
        zone: None,
        suspended: spec.suspend == Some(true),
        last_schedule_time: cj.status.last_schedule_time.map(|t| format_rfc3339(t.unix(), Zone::Utc)),
        next_runs: Vec::new(),
        dst: Vec::new(),
        error: None,
    };
    let schedule = match controller_schedule(&spec.schedule, spec.time_zone.as_deref()).1 {
        Ok(s) => s,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let every = matches!(schedule.kind(), crate::schedule::ScheduleKind::Every(_));
    let zone = schedule.zone(local);
    if !every {
        out.zone = Some(zone.name().to_string());
    }
    let mut cur = from;
    for _ in 0..NEXT {
        match schedule.next(cur, local) {
            Some(n) if n > cur => {
                out.next_runs.push(format_rfc3339(n, zone));
                cur = n;
            }
            _ => break,
        }
    }
    if !every {
        let anomalies: Vec<_> = analyze(&schedule, local, from, twelve_months_after(from))
            .into_iter()
            .filter(|a| matches!(a.kind, AnomalyKind::Gap | AnomalyKind::Fold) || a.kind.is_exotic())
            .collect();
        out.dst = group_anomalies(&anomalies)
            .iter()
            .map(|g| {
                let (wall, offsets) = g[0].heading();
                format!("{wall} {} [{offsets}]", g[0].kind.label())
            })
            .collect();
    }
    out
}
