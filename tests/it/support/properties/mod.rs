//! Support for the `sim::properties` tests: the scenario generator, the
//! invariant checks and the text mutations.

pub mod checks;
pub mod generate;
pub mod mutate;

/// Base seed of every generated case; `CRONWARP_PROPERTY_SEED` overrides
/// it to explore further.
pub fn base_seed() -> u64 {
    std::env::var("CRONWARP_PROPERTY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5EED_C0DE)
}

/// How many random scenarios to simulate: `CRONWARP_PROPERTY_CASES`, or
/// `default`.
pub fn cases(default: u64) -> u64 {
    std::env::var("CRONWARP_PROPERTY_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}
