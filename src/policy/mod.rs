//! Pure controller decisions: the Kubernetes CronJob controller (v2), the
//! Job controller and the TTL-after-finished controller.
//!
//! No clock, no IO, no randomness: `now` is an argument, and the API server
//! is reached only through the [`Api`] trait, which the simulator implements
//! on its world store and the tests implement with fakes, as upstream's
//! tests do with fake clients. Each function's doc comment names the
//! upstream function it mirrors.

pub mod api;
pub mod argo;
pub mod cronjob;
pub mod crossplane;
pub mod job;
pub mod settings;
pub mod ttl;
pub mod versions;

pub use api::{Api, ApiError, Event, EventType, Propagation};
pub use settings::Settings;
