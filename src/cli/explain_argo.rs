//! `cronwarp explain --dialect argo`: a schedule as Argo's CronWorkflow
//! controller reads it (docs/fidelity/argo.md#argo-2, #argo-3).
//!
//! Argo registers each of `spec.schedules` with robfig/cron's runner
//! (`cron.New()`, the standard five-field parser with descriptors), with
//! `CRON_TZ=<spec.timezone> ` before it when a timezone is set
//! (`GetSchedulesWithTimezone`), and its validator parses the schedule
//! without that prefix (`validate.CronWorkflow`). The API server has no
//! say: none of the CronJob admission warnings apply.

use super::CliError;
use super::expr::{CONTROLLER_ZONE, ExprArgs, Resolved, parse_instant};
use crate::schedule::{Schedule, load_location};

/// The dialect `explain` reads a schedule in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Dialect {
    /// A CronJob's `spec.schedule` and `spec.timeZone`
    /// (kube-controller-manager).
    #[default]
    Kubernetes,
    /// One of an Argo CronWorkflow's `spec.schedules`, with
    /// `spec.timezone` as `--tz`.
    Argo,
}

/// What Argo's runner is handed, and what its validator says.
pub(super) fn resolve_argo(args: &ExprArgs, now: i64) -> Result<Resolved, CliError> {
    let from = match &args.from {
        Some(f) => parse_instant("--from", f)?,
        None => now,
    };
    let tz = args.tz.as_deref().filter(|z| !z.is_empty());
    if let Some(tz) = tz
        && let Err(e) = load_location(tz)
    {
        return Err(CliError::Invalid {
            message: format!("invalid spec.timezone {tz:?}: {e}"),
            hint: Some("Argo's validator refuses the CronWorkflow (an IANA zone name, case matters)".into()),
        });
    }
    // The validator parses the schedule alone (ParseStandard)…
    Schedule::parse(&args.expr).map_err(|e| CliError::Invalid {
        message: format!("invalid schedule {:?}: {}", args.expr, e.robfig_text()),
        hint: Some("Argo's validator refuses the CronWorkflow (`argo cron lint` says the same)".into()),
    })?;
    // …and the runner the schedule with the timezone prefix.
    let text = match tz {
        Some(tz) => format!("CRON_TZ={tz} {}", args.expr),
        None => args.expr.clone(),
    };
    let schedule = Schedule::parse(&text).map_err(|e| CliError::Invalid {
        message: format!("the controller cannot register {text:?}: {}", e.robfig_text()),
        hint: Some(
            "spec.timezone prefixes CRON_TZ= to every schedule: a schedule that names its own zone must go \
             without spec.timezone (validation passes, the registration fails)"
                .into(),
        ),
    })?;
    let zone = schedule.zone(CONTROLLER_ZONE);
    Ok(Resolved { text, schedule, zone, from, warnings: Vec::new() })
}

/// How Argo's runner fires the schedule, said once under the meaning.
pub(super) const RUNNER: &str = "robfig's in-process runner fires each tick on a wall-clock timer; a tick \
     that passes while the workflow-controller is down is lost, except the latest one when \
     startingDeadlineSeconds is set and the restart is within it (one catch-up, docs/fidelity/argo.md#argo-5); \
     several schedules firing at one instant submit one Workflow";
