//! `cronwarp::sim`: the simulator end to end.

mod api_faults;
mod argo;
mod behaviour;
mod capacity;
mod crossplane;
mod detail_records;
mod event_log_hashes;
mod examples;
mod faults;
mod first_list;
mod kubevela;
mod noop_writes;
mod partitions;
mod pod_faults;
mod properties;
mod queue;
mod runs;
mod scenario;
mod settings_durations;
mod version_profiles;
mod world;
