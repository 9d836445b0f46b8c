//! Helpers shared by the test modules.

pub mod argo;
pub mod cli;
pub mod cronjob_policy;
pub mod crossplane;
pub mod crossplane_log;
pub mod fake_api;
pub mod fixtures;
pub mod properties;
#[cfg(target_os = "linux")]
pub mod pty;
pub mod scratch;
pub mod sim;
pub mod sim_crossplane;
pub mod snapshots;
pub mod upstream_job;
pub mod upstream_sync;
pub mod world;

use cronwarp::model::Time;

/// Parses an RFC 3339 instant (test input, so a bad literal may panic).
pub fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap_or_else(|e| panic!("bad test time {s}: {e}"))
}
