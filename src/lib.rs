//! cronwarp: a deterministic simulator and test harness for scheduled-job
//! controllers (Kubernetes CronJob, Crossplane CronOperation, KubeVela
//! `cron-task`).
//!
//! Layers, each importing only those before it: [`schedule`] (the cron
//! language, zones, DST) ← `model` ← `policy` ← `sim` ← `report` ← [`cli`].

#[cfg(feature = "cli")]
pub mod cli;
pub mod model;
pub mod policy;
pub mod report;
pub mod schedule;
pub mod sim;

mod error;
mod run;
mod scenario;

pub use error::Error;
pub use model::Time;
pub use report::{CronJobReport, Report, TickCounts, TickOutcome, TickRow, Violation};
pub use run::{ExpectationFailures, Run, RunOptions, run};
pub use scenario::{Scenario, ScenarioBuilder};
pub use sim::log::{Entry, Record};
