//! The discrete-event simulator: virtual clock, (time, seq) event queue,
//! world store, controller actors, and the behaviour and fault models.

pub mod behaviour;
pub mod log;
pub mod rng;
