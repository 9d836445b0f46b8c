//! Seeded randomness: one ChaCha generator family, with an independent
//! stream per entity, so that adding a CronJob does not change another's
//! draws. STUB: being written.

use rand_chacha::ChaCha8Rng;

/// The generator for one entity and one run: a pure function of the
/// scenario seed, the entity's name (e.g. `default/backup`) and the run
/// index, independent of every other stream.
pub fn stream(seed: u64, entity: &str, run: u64) -> ChaCha8Rng {
    let _ = (seed, entity, run);
    todo!("sim::rng::stream")
}
