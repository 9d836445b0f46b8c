//! Helpers shared by the test modules.

pub mod cli;
pub mod cronjob_policy;
pub mod crossplane;
pub mod crossplane_log;
pub mod fake_api;
pub mod fixtures;
pub mod properties;
pub mod sim;
pub mod sim_crossplane;
pub mod snapshots;
pub mod upstream_job;
pub mod upstream_sync;
pub mod world;
