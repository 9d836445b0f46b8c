//! What the accountant must know besides the log: the report's header,
//! the controllers' local zone and each workload's facts.

use super::types::Header;
use crate::model::Time;
use crate::schedule::{Location, Zone, load_location};
use crate::sim::{Scenario, SimError, SimSummary, WorkloadMeta};

/// What the accountant must know besides the log.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The report's header.
    pub header: Header,
    /// The controllers' local zone.
    pub local_zone: Zone,
    /// Per-workload facts, in scenario order.
    pub workloads: Vec<WorkloadMeta>,
}

impl ReportInput {
    /// The input for a scenario, before it runs (so the accounting can
    /// stream alongside the simulation).
    pub fn from_scenario(name: &str, scenario: &Scenario) -> Result<ReportInput, SimError> {
        let metas = crate::sim::cronjob_metas(scenario)?;
        let local_name = scenario.controller.local_zone.clone().unwrap_or_else(|| "UTC".into());
        let horizon = (scenario.horizon.start, scenario.horizon.end);
        Ok(ReportInput::new(name, scenario.seed, horizon, local_name, metas))
    }

    /// The input of one partition of a split run
    /// ([`simulate_split`](crate::sim::simulate_split)): the workloads at
    /// `indices`.
    pub fn part(&self, indices: &[usize]) -> ReportInput {
        ReportInput {
            header: self.header.clone(),
            local_zone: self.local_zone,
            workloads: indices.iter().filter_map(|&i| self.workloads.get(i).cloned()).collect(),
        }
    }

    /// Whether a report of these workloads shows the fleet load: several
    /// workloads, or pods that request CPU or memory.
    pub fn counts_load(&self) -> bool {
        // Argo's Workflows are not Jobs: the fleet load does not count them.
        let counted = self.workloads.iter().filter(|m| m.kind != crate::sim::WorkloadKind::CronWorkflow);
        counted.count() > 1 || self.workloads.iter().any(|m| !m.pod_requests.is_zero())
    }

    /// The input for a simulation's summary.
    pub fn from_summary(scenario: &str, seed: u64, summary: &SimSummary) -> ReportInput {
        let local_name =
            summary.workloads.first().map(|c| c.local_zone.clone()).unwrap_or_else(|| "UTC".into());
        let horizon = summary
            .workloads
            .first()
            .map(|c| (c.horizon_start, c.horizon_end))
            .unwrap_or((summary.final_state.time, summary.final_state.time));
        ReportInput::new(scenario, seed, horizon, local_name, summary.workloads.clone())
    }

    /// The header of a run of `scenario` at `seed` over `(start, end)`, with
    /// the controllers' local zone named `local_name` (UTC when it does not
    /// load).
    fn new(
        scenario: &str,
        seed: u64,
        (start, end): (Time, Time),
        local_name: String,
        workloads: Vec<WorkloadMeta>,
    ) -> ReportInput {
        let local_zone = match load_location(&local_name) {
            Ok(Location::Zone(z)) => z,
            _ => Zone::Utc,
        };
        ReportInput {
            header: Header {
                scenario: scenario.to_string(),
                seed,
                start,
                end,
                tzdb_version: chrono_tz::IANA_TZDB_VERSION.to_string(),
                cronwarp_version: env!("CARGO_PKG_VERSION").to_string(),
                local_zone: local_name,
            },
            local_zone,
            workloads,
        }
    }
}
