//! The stagger what-if (`cronwarp run --stagger`): CronJobs that fire at
//! the same instants are spread over the hour, and the fleet load's peaks
//! are compared before and after.
//!
//! The rule is deliberately simple, so a reader can apply it by hand:
//!
//! 1. Only CronJobs whose minute field is a single number (`0`, `30`) are
//!    moved; steps, lists, ranges and `@` descriptors are left alone.
//! 2. CronJobs fire together when everything but the minute agrees: the
//!    other four fields as written, the `CRON_TZ=`/`TZ=` prefix and
//!    `spec.timeZone`, and the minute itself.
//! 3. Each such group of `k ≥ 2` CronJobs, in name order, gets minutes
//!    `(m + ⌊i·60/k⌋) mod 60` for `i = 0 … k-1`: the first keeps its
//!    minute, the others spread evenly over the hour (more than 60
//!    CronJobs share minutes).
//!
//! The rewritten scenario runs with the same seed, so the Jobs' durations
//! and outcomes are drawn the same way, and only the schedules differ.

use crate::model::Time;
use crate::report::{Block, FleetPeaks, cols, format_cpu, format_memory, markdown, text};
use crate::sim::WorkloadKind;
use crate::{Error, RunOptions, Scenario};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One CronJob's proposed new schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Move {
    /// `namespace/name`.
    pub workload: String,
    /// The schedule as written.
    pub from: String,
    /// The proposed schedule: the same but for the minute.
    pub to: String,
}

/// What staggering changed (`cronwarp run --stagger --format json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stagger {
    /// The scenario's name.
    pub scenario: String,
    /// The seed both runs used.
    pub seed: u64,
    /// The proposed moves, by workload name; CronJobs not listed keep
    /// their schedules.
    pub moves: Vec<Move>,
    /// The fleet load as the scenario is.
    pub before: FleetPeaks,
    /// The fleet load with the moves applied.
    pub after: FleetPeaks,
}

/// The moves the rule (see the module docs) proposes for `(key, schedule,
/// timeZone)` of each CronJob.
pub fn propose(cronjobs: &[(String, String, Option<String>)]) -> Vec<Move> {
    // (the fields but the minute, timeZone, minute) → (key, schedule).
    type Group<'a> = Vec<(&'a str, &'a str)>;
    let mut groups: BTreeMap<(String, Option<String>, u32), Group<'_>> = BTreeMap::new();
    for (key, schedule, zone) in cronjobs {
        let mut fields: Vec<&str> = schedule.split_whitespace().collect();
        let prefix = match fields.first() {
            Some(f) if f.starts_with("CRON_TZ=") || f.starts_with("TZ=") => Some(fields.remove(0)),
            _ => None,
        };
        let [minute, rest @ ..] = fields.as_slice() else { continue };
        if rest.len() != 4 || minute.is_empty() || !minute.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(m) = minute.parse::<u32>() else { continue };
        if m > 59 {
            continue;
        }
        let together = format!("{} {}", prefix.unwrap_or(""), rest.join(" "));
        groups.entry((together, zone.clone(), m)).or_default().push((key, schedule));
    }
    let mut moves = Vec::new();
    for ((_, _, m), mut members) in groups {
        if members.len() < 2 {
            continue;
        }
        members.sort();
        let k = members.len() as u32;
        for (i, (key, schedule)) in members.into_iter().enumerate().skip(1) {
            let minute = (m + i as u32 * 60 / k) % 60;
            let to = with_minute(schedule, minute);
            if to != schedule {
                moves.push(Move { workload: key.to_string(), from: schedule.to_string(), to });
            }
        }
    }
    moves.sort_by(|a, b| a.workload.cmp(&b.workload));
    moves
}

/// `schedule` with its minute field replaced (after any zone prefix).
fn with_minute(schedule: &str, minute: u32) -> String {
    let mut fields: Vec<String> = schedule.split_whitespace().map(str::to_string).collect();
    let at = usize::from(fields.first().is_some_and(|f| f.starts_with("CRON_TZ=") || f.starts_with("TZ=")));
    if let Some(f) = fields.get_mut(at) {
        *f = minute.to_string();
    }
    fields.join(" ")
}

/// Proposes the moves for `scenario`'s CronJobs, runs it as it is and with
/// the moves applied (both at `seed`, default the scenario's), and returns
/// both fleet loads.
pub fn stagger(scenario: &Scenario, seed: Option<u64>) -> Result<Stagger, Error> {
    scenario.validate()?;
    let seed = seed.unwrap_or(scenario.seed());
    let input = scenario.report_input()?;
    let cronjobs: Vec<(String, String, Option<String>)> = input
        .workloads
        .iter()
        .filter(|m| m.kind == WorkloadKind::CronJob)
        .map(|m| (m.key.clone(), m.schedule.clone(), m.time_zone.clone()))
        .collect();
    let moves = propose(&cronjobs);
    let index: BTreeMap<&str, usize> =
        input.workloads.iter().enumerate().map(|(i, m)| (m.key.as_str(), i)).collect();
    let schedules: BTreeMap<usize, String> =
        moves.iter().filter_map(|m| Some((*index.get(m.workload.as_str())?, m.to.clone()))).collect();
    let peaks = |sc: &Scenario| -> Result<FleetPeaks, Error> {
        let run = crate::run(sc, RunOptions::default().seed(seed))?;
        Ok(run.report().fleet.clone().unwrap_or_default())
    };
    let before = peaks(scenario)?;
    let moved = crate::sim::scenario::convert::with_schedules(scenario.as_sim(), &schedules)
        .map_err(|e| Error::Internal { message: format!("rewriting the schedules: {}", e.message) })?;
    let after = peaks(&Scenario::from_sim(moved, scenario.name()))?;
    Ok(Stagger { scenario: scenario.name().to_string(), seed, moves, before, after })
}

/// Most moves listed one by one in text and Markdown (the JSON has all).
const LISTED: usize = 40;

fn document(s: &Stagger) -> Vec<Block> {
    let mut d = vec![
        Block::Heading(1, format!("cronwarp stagger: {}", s.scenario)),
        Block::Para(format!(
            "CronJobs that fire at the same instants (same fields but for a single-number minute, same \
             zone), spread over the hour in name order: the i-th of k moves to minute (m + ⌊i·60/k⌋) mod \
             60. Both runs use seed {}.",
            s.seed
        )),
    ];
    let at = |t: Option<Time>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
    let mut rows = vec![
        vec![
            "unfinished Jobs".into(),
            s.before.max_jobs.to_string(),
            s.after.max_jobs.to_string(),
            at(s.after.max_jobs_at),
        ],
        vec![
            "live pods".into(),
            s.before.max_pods.to_string(),
            s.after.max_pods.to_string(),
            at(s.after.max_pods_at),
        ],
    ];
    if s.before.has_requests() || s.after.has_requests() {
        rows.push(vec![
            "requested CPU".into(),
            format_cpu(s.before.max_cpu_millis),
            format_cpu(s.after.max_cpu_millis),
            at(s.after.max_cpu_at),
        ]);
        rows.push(vec![
            "requested memory".into(),
            format_memory(s.before.max_memory_bytes),
            format_memory(s.after.max_memory_bytes),
            at(s.after.max_memory_at),
        ]);
    }
    d.push(Block::Heading(2, "Peak at once, before and after".into()));
    d.push(Block::Table { head: cols(&["at once", "before", "after", "after: first at"]), rows });
    d.push(Block::Heading(2, format!("Proposed schedules ({} CronJobs move)", s.moves.len())));
    if s.moves.is_empty() {
        d.push(Block::Para("No two CronJobs fire together by this rule: nothing to move.".into()));
        return d;
    }
    let rows = s
        .moves
        .iter()
        .take(LISTED)
        .map(|m| vec![m.workload.clone(), format!("`{}`", m.from), format!("`{}`", m.to)])
        .collect();
    d.push(Block::Table { head: cols(&["CronJob", "schedule", "proposed"]), rows });
    if s.moves.len() > LISTED {
        d.push(Block::Para(format!("… and {} more (`--format json` lists all).", s.moves.len() - LISTED)));
    }
    d
}

/// Plain text, for terminals.
pub fn render_stagger_text(s: &Stagger) -> String {
    text(document(s))
}

/// GitHub-flavoured Markdown.
pub fn render_stagger_markdown(s: &Stagger) -> String {
    markdown(document(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cj(key: &str, schedule: &str) -> (String, String, Option<String>) {
        (key.into(), schedule.into(), None)
    }

    #[test]
    fn a_group_spreads_over_the_hour_in_name_order() {
        let moves = propose(&[
            cj("a/c", "0 * * * *"),
            cj("a/a", "0 * * * *"),
            cj("a/b", "0 * * * *"),
            cj("a/d", "0 * * * *"),
            cj("b/x", "*/15 * * * *"),
            cj("b/y", "*/15 * * * *"),
            cj("b/z", "30 2 * * *"),
        ]);
        let got: Vec<(&str, &str)> = moves.iter().map(|m| (m.workload.as_str(), m.to.as_str())).collect();
        assert_eq!(got, [("a/b", "15 * * * *"), ("a/c", "30 * * * *"), ("a/d", "45 * * * *")]);
    }

    #[test]
    fn zones_and_other_fields_keep_groups_apart() {
        let moves = propose(&[
            ("a/a".into(), "0 2 * * *".into(), Some("Europe/Paris".into())),
            ("a/b".into(), "0 2 * * *".into(), None),
            cj("a/c", "0 3 * * *"),
            cj("a/d", "CRON_TZ=UTC 0 2 * * *"),
            cj("a/e", "CRON_TZ=UTC 0 2 * * *"),
        ]);
        let got: Vec<(&str, &str)> = moves.iter().map(|m| (m.workload.as_str(), m.to.as_str())).collect();
        assert_eq!(got, [("a/e", "CRON_TZ=UTC 30 2 * * *")]);
    }
}
