//! The Job controller (`policy::job`).

mod real_cluster_timeline;
mod upstream_backoff;
mod upstream_limits;
mod upstream_pod_failure_policy;
mod upstream_sync;
mod wide_jobs;
