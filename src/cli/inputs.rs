//! What `cronwarp run` reads: a scenario file, or manifests as a cluster
//! holds them (bare CronJobs, CronOperations, KubeVela Applications, `List`s,
//! `---` streams, `kubectl get -o yaml` dumps, `helm template` output), from
//! files or standard input (`-`), with flags saying what a scenario file
//! would (horizon, downtime, seed, one behaviour for every workload).

use super::expr::parse_instant;
use super::files::{load_scenario_with, stdin_hint};
use super::{CliError, Ctx};
use crate::Scenario;
use crate::model::input::{read_text, read_text_from};
use crate::model::manifest::FieldValidation;
use crate::model::{MINUTE, Time};
use crate::sim::behaviour::Behaviour;
use crate::sim::duration::DurationSpec;
use crate::sim::scenario::{Downtime, Horizon, LoadOptions, ManifestRun};
use std::path::{Path, PathBuf};

/// Flags for manifests run without a scenario file; the horizon, downtime
/// and validation ones also override a scenario's.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(
    next_help_heading = "Manifests and dumps (horizon, downtime and --validate also apply to a scenario)"
)]
pub struct FleetArgs {
    /// Start of the horizon: an RFC 3339 instant, or `now` (the wall clock,
    /// rounded down to the minute). Default: a scenario's horizon.start; for
    /// manifests, the newest timestamp they carry (a dump starts where the
    /// cluster was).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,
    /// End of the horizon (excluded), an RFC 3339 instant.
    #[arg(long, value_name = "TIME", conflicts_with = "horizon")]
    pub until: Option<String>,
    /// Length of the horizon from its start: a Go duration with a `d` unit
    /// too (`7d`, `36h`). Default for manifests: 1d.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub horizon: Option<String>,
    /// A controller downtime window, `START..END` or `START+DURATION`
    /// (`2025-03-03T10:00:00Z+3h`); repeat for several.
    #[arg(long, value_name = "WINDOW")]
    pub downtime: Vec<String>,
    /// Manifests: how long every pod runs (a Go duration). Default 1s.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub duration: Option<String>,
    /// Manifests: the probability that a pod fails (0 to 1). Default 0.
    #[arg(long, value_name = "P", allow_hyphen_values = true)]
    pub failure_rate: Option<f64>,
    /// Manifests: from pod creation to container start. Default 0s.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub start_latency: Option<String>,
    /// What unknown or misspelt manifest fields do, as `kubectl apply
    /// --validate`: strict (default: an error, as the API server refuses
    /// the object), warn, or ignore.
    #[arg(long, value_name = "MODE", value_parser = parse_validation)]
    pub validate: Option<FieldValidation>,
    /// The Kubernetes release whose controllers to simulate (`1.27`, 1.21
    /// to 1.36): its behaviour for every `controller.settings` key a
    /// scenario leaves out. Overrides a scenario's kubernetesVersion.
    #[arg(long = "k8s-version", value_name = "VERSION")]
    pub k8s_version: Option<String>,
}

fn parse_validation(s: &str) -> Result<FieldValidation, String> {
    s.parse()
}

/// Reads `inputs` as one scenario: a scenario file, or manifests (any
/// number of files, `-` for standard input). `seed` is the `--seed` flag.
pub(super) fn load(
    inputs: &[PathBuf],
    fleet: &FleetArgs,
    seed: Option<u64>,
    max_input: u64,
    ctx: &mut Ctx,
) -> Result<Scenario, CliError> {
    let mut texts = Vec::with_capacity(inputs.len());
    for p in inputs {
        texts.push((p.clone(), read_input(p, max_input, ctx)?));
    }
    let scenarios: Vec<&Path> =
        texts.iter().filter(|(_, t)| is_scenario(t)).map(|(p, _)| p.as_path()).collect();
    match (scenarios.as_slice(), texts.len()) {
        ([], _) => from_manifests(texts, fleet, seed, ctx),
        ([_], 1) => from_scenario(&texts[0].0, fleet, max_input),
        _ => Err(CliError::Invalid {
            message: format!(
                "{} is a scenario file, which is run on its own",
                scenarios.first().map_or(String::new(), |p| p.display().to_string())
            ),
            hint: Some(
                "give one scenario file, or only manifests; `cronwarp test` runs many scenarios".into(),
            ),
        }),
    }
}

/// A scenario file, with the command line's overrides.
fn from_scenario(path: &Path, fleet: &FleetArgs, max_input: u64) -> Result<Scenario, CliError> {
    if fleet.duration.is_some() || fleet.failure_rate.is_some() || fleet.start_latency.is_some() {
        return Err(CliError::Invalid {
            message: format!(
                "--duration, --failure-rate and --start-latency apply to manifests, and {} is a scenario",
                path.display()
            ),
            hint: Some("a scenario file gives each workload its own `behaviour:`; edit it there".into()),
        });
    }
    let options = LoadOptions { max_input, validate: fleet.validate };
    let scenario = load_scenario_with(path, &options)?;
    if fleet.from.is_none()
        && fleet.until.is_none()
        && fleet.horizon.is_none()
        && fleet.downtime.is_empty()
        && fleet.k8s_version.is_none()
    {
        return Ok(scenario);
    }
    let scenario = with_k8s_version(scenario, fleet.k8s_version.as_deref())?;
    if fleet.from.is_none() && fleet.until.is_none() && fleet.horizon.is_none() && fleet.downtime.is_empty() {
        return Ok(scenario);
    }
    let name = scenario.name().to_string();
    let mut sc = scenario.into_sim();
    let (from, until, length) = horizon_flags(fleet, 0)?;
    let start = from.unwrap_or(sc.horizon.start);
    let end = until.or(length.map(|l| start.add(l))).unwrap_or(sc.horizon.end);
    sc.horizon = Horizon { start, end };
    if let Some(problem) = sc.horizon.flag_problem() {
        return Err(CliError::invalid(problem));
    }
    sc.controller.downtime.extend(downtime_flags(fleet)?);
    Ok(Scenario::from_sim(sc, name))
}

/// `scenario` with the controllers of Kubernetes `version` (the
/// `--k8s-version` flag of run, compare and sweep): its `kubernetesVersion`
/// replaced, the keys it writes under `controller.settings` kept.
pub(super) fn with_k8s_version(scenario: Scenario, version: Option<&str>) -> Result<Scenario, CliError> {
    let Some(v) = version else { return Ok(scenario) };
    let name = scenario.name().to_string();
    let mut sc = scenario.into_sim();
    sc.controller.kubernetes_version = Some(v.to_string());
    sc.controller.apply_versions().map_err(|(_, e)| CliError::invalid(format!("--k8s-version: {e}")))?;
    Ok(Scenario::from_sim(sc, name))
}

/// Manifests alone: every CronJob and CronOperation in them, one behaviour.
fn from_manifests(
    texts: Vec<(PathBuf, String)>,
    fleet: &FleetArgs,
    seed: Option<u64>,
    ctx: &Ctx,
) -> Result<Scenario, CliError> {
    let (from, until, length) = horizon_flags(fleet, ctx.now)?;
    let mut run = ManifestRun {
        from,
        until,
        seed: seed.unwrap_or(0),
        downtime: downtime_flags(fleet)?,
        behaviour: behaviour_flags(fleet)?,
        validate: fleet.validate.unwrap_or_default(),
        kubernetes_version: fleet.k8s_version.clone(),
        ..ManifestRun::default()
    };
    if let Some(l) = length {
        run.length = l;
    }
    // Outputs are never written over what was read.
    let read: Vec<PathBuf> = texts.iter().map(|(p, _)| p.clone()).filter(|p| p.as_os_str() != "-").collect();
    let files: Vec<(String, String)> = texts.into_iter().map(|(p, t)| (display(&p), t)).collect();
    let name = files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" ");
    let mut sc = crate::sim::Scenario::from_manifests(files, &run)
        .map_err(|e| CliError::Invalid { message: e.message, hint: None })?;
    if let Some(src) = sc.source.as_mut() {
        src.read = read;
    }
    Ok(Scenario::from_sim(sc, name))
}

/// A path as errors and the report print it; `-` stays `-`.
pub(super) fn display(p: &Path) -> String {
    if p.as_os_str() == "-" { "<stdin>".into() } else { p.display().to_string() }
}

/// Reads a file, or standard input (`ctx.input`) for `-`.
pub(super) fn read_input(p: &Path, max_input: u64, ctx: &mut Ctx) -> Result<String, CliError> {
    let read = if p.as_os_str() == "-" {
        read_text_from(&mut *ctx.input, max_input)
    } else {
        read_text(p, max_input)
    };
    read.map_err(|e| CliError::Invalid {
        message: format!("cannot read {}: {e}", display(p)),
        hint: stdin_hint(&e, max_input),
    })
}

/// Whether a text is a scenario file rather than manifests: a top-level
/// `workloads:` or `horizon:` key. Read from the lines, not parsed, so a
/// 50 MB dump is not parsed twice; a Kubernetes object never has either
/// key at its top level.
pub(super) fn is_scenario(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("workloads:") || l.starts_with("horizon:"))
}

/// `(from, until, length)` from the flags: each `None` when not given.
type HorizonFlags = (Option<Time>, Option<Time>, Option<i64>);

/// The horizon flags; `now` is the wall clock, for `--from now`.
fn horizon_flags(fleet: &FleetArgs, now: i64) -> Result<HorizonFlags, CliError> {
    let from = match fleet.from.as_deref().map(str::trim) {
        None => None,
        Some("now") => Some(Time::from_unix(now - now.rem_euclid(MINUTE / 1000))),
        Some(t) => Some(Time::from_unix(parse_instant("--from", t)?)),
    };
    let until =
        fleet.until.as_deref().map(|t| parse_instant("--until", t).map(Time::from_unix)).transpose()?;
    let length = fleet.horizon.as_deref().map(|h| duration("--horizon", h)).transpose()?;
    if length == Some(0) {
        return Err(CliError::invalid("--horizon must be longer than 0s"));
    }
    Ok((from, until, length))
}

fn duration(flag: &str, text: &str) -> Result<i64, CliError> {
    DurationSpec::parse(text.trim()).map(DurationSpec::millis).map_err(|e| CliError::Invalid {
        message: format!("invalid {flag} {text:?}: {e}"),
        hint: Some("write a Go duration such as 40s, 1h30m or 7d".into()),
    })
}

/// `--downtime START..END` or `START+DURATION`.
fn downtime_flags(fleet: &FleetArgs) -> Result<Vec<Downtime>, CliError> {
    fleet
        .downtime
        .iter()
        .map(|w| {
            let bad = || CliError::Invalid {
                message: format!("invalid --downtime {w:?}"),
                hint: Some(
                    "write START..END or START+DURATION, e.g. 2025-03-03T10:00:00Z..2025-03-03T13:00:00Z \
                     or 2025-03-03T10:00:00Z+3h"
                        .into(),
                ),
            };
            if let Some((s, e)) = w.split_once("..") {
                let (start, end) = (parse_instant("--downtime", s)?, parse_instant("--downtime", e)?);
                if end < start {
                    return Err(CliError::invalid(format!("--downtime {w:?} ends before it starts")));
                }
                return Ok(Downtime::Window { start: Time::from_unix(start), end: Time::from_unix(end) });
            }
            // The `+` of a duration, not of a zone offset: the last one.
            let (s, d) = w.rsplit_once('+').ok_or_else(bad)?;
            let for_ = DurationSpec::parse(d.trim()).map_err(|_| bad())?;
            Ok(Downtime::For { at: Time::from_unix(parse_instant("--downtime", s)?), for_ })
        })
        .collect()
}

/// One behaviour for every workload, from the flags (the scenario file's
/// `behaviour:` keys, so the same checks apply).
fn behaviour_flags(fleet: &FleetArgs) -> Result<Behaviour, CliError> {
    let mut yaml = String::new();
    if let Some(d) = &fleet.duration {
        yaml.push_str(&format!("duration: {}\n", serde_json::Value::from(d.as_str())));
    }
    if let Some(p) = fleet.failure_rate {
        yaml.push_str(&format!("failureProbability: {p}\n"));
    }
    if let Some(l) = &fleet.start_latency {
        yaml.push_str(&format!("startLatency: {}\n", serde_json::Value::from(l.as_str())));
    }
    if yaml.is_empty() {
        return Ok(Behaviour::default());
    }
    let b: Behaviour = crate::model::yaml::from_yaml(&yaml, "flags").map_err(|e| CliError::Invalid {
        message: format!("invalid behaviour flag: {}", e.message),
        hint: Some(
            "--duration and --start-latency take Go durations (40s), --failure-rate a probability (0.05)"
                .into(),
        ),
    })?;
    b.validate().map_err(|e| CliError::invalid(format!("invalid behaviour flag: {e}")))?;
    Ok(b)
}
