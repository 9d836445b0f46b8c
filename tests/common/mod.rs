//! Shared helpers for the integration tests. Each test crate uses a
//! different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod fake_api;
pub mod fixtures;
pub mod world;
