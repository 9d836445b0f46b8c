//! The discrete-event simulator: virtual clock, (time, seq) event queue,
//! the API server, the controllers as [`actor::Actor`]s in their processes,
//! and the behaviour and fault models.
//!
//! Entry points: [`Scenario`] (the scenario file) and [`simulate`] /
//! [`simulate_into`]; the output is the [`log`] plus a [`SimSummary`].
//! [`Loaded`] reads a scenario's manifests once to simulate it at many
//! seeds.

pub mod actor;
pub mod actors;
pub mod api_server;
pub mod behaviour;
pub mod capacity;
pub mod crossplane_capacity;
/// The scenario's durations: [`crate::model::duration`], where the
/// controller settings can use them too.
pub use crate::model::duration;
pub mod edit;
pub mod engine;
pub mod log;
pub mod partition;
pub mod queue;
pub mod rng;
pub mod run;
pub mod scenario;
mod setup;

pub use run::{
    FinalState, Loaded, SimError, SimErrorKind, SimOptions, SimOutput, SimSummary, WorkloadKind,
    WorkloadMeta, cronjob_metas, simulate, simulate_into, simulate_split,
};
pub use scenario::Scenario;
