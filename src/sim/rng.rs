//! Seeded randomness: one ChaCha generator family, with an independent
//! stream per entity and run, so that adding a CronJob does not change
//! another's draws.
//!
//! Layout: the 256-bit ChaCha8 key is derived from the scenario seed (first
//! half) and a stable FNV-1a hash of the entity name (second half); the
//! 64-bit ChaCha stream id (nonce) is the run index. Every (seed, entity,
//! run) therefore owns a distinct keystream, and nothing else (other
//! entities, the order in which the engine asks, the Rust release) can
//! shift it. std's `DefaultHasher` is deliberately not used: its output is
//! not stable across Rust releases.
//!
//! The helpers [`unit_f64`], [`below`] and [`standard_normal`] turn raw
//! `u64` draws into numbers with formulas of our own, so values stay stable
//! across `rand` releases too (only ChaCha's keystream is relied on).

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

/// 64-bit FNV-1a offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// 64-bit FNV-1a prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a of `bytes`: small, stable, and good enough to tell entity
/// names apart (the key it feeds is then whitened by SplitMix64).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_parts(&[bytes])
}

/// [`fnv1a64`] of the parts' concatenation, without building it.
pub fn fnv1a64_parts(parts: &[&[u8]]) -> u64 {
    parts.iter().flat_map(|p| p.iter()).fold(FNV_OFFSET, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// One SplitMix64 step: advances `state` and returns a well-mixed word.
/// Used to spread a 64-bit seed over key material.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The ChaCha8 key for `seed` and `entity` (see the module docs).
fn key(seed: u64, entity: &str) -> [u8; 32] {
    let mut from_seed = seed;
    let mut from_entity = fnv1a64(entity.as_bytes());
    let words = [
        splitmix64(&mut from_seed),
        splitmix64(&mut from_seed),
        splitmix64(&mut from_entity),
        splitmix64(&mut from_entity),
    ];
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    key
}

/// The generator for one entity and one run: a pure function of the
/// scenario seed, the entity's name (e.g. `default/backup`) and the run
/// index, independent of every other stream.
pub fn stream(seed: u64, entity: &str, run: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::from_seed(key(seed, entity));
    rng.set_stream(run);
    rng
}

/// The stream of one run of `entity`: keyed by the tick the run was
/// created for when it has one, else by its ordinal (the n-th run of the
/// entity; a Job made by hand). Keying by tick gives common random
/// numbers: the run for a given tick draws the same durations and
/// failures whatever became of earlier ticks, so two policies, or two
/// variants of a scenario, differ by their decisions and not by noise.
/// Tick streams have the top bit set and ordinals never reach it, so the
/// two kinds cannot collide.
pub fn run_stream(seed: u64, entity: &str, tick: Option<crate::model::Time>, ordinal: u64) -> ChaCha8Rng {
    let id = match tick {
        Some(t) => TICK_STREAM | (t.unix() as u64 & !TICK_STREAM),
        None => ordinal & !TICK_STREAM,
    };
    stream(seed, entity, id)
}

/// The bit that marks a stream id as a tick (see [`run_stream`]).
const TICK_STREAM: u64 = 1 << 63;

/// Words of keystream reserved for each [`slot`]: far more than any draw
/// here consumes, so slots never overlap.
const SLOT_WORDS: u128 = 1 << 20;

/// A generator on the same key and stream as `rng`, positioned at the start
/// of region number `slot`, whatever `rng`'s current position. Giving each
/// drawn quantity its own slot makes it independent of how many values
/// other quantities consumed, and of the order the caller asks in.
pub fn slot(rng: &ChaCha8Rng, slot: u64) -> ChaCha8Rng {
    let mut sub = rng.clone();
    sub.set_word_pos(u128::from(slot) * SLOT_WORDS);
    sub
}

/// A uniform draw in `[0, 1)` with 53 random bits.
pub fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform draw in `0..=span` (Lemire's multiply-shift; the bias is below
/// 2^-64 × span, invisible at millisecond scale).
pub fn below(rng: &mut ChaCha8Rng, span: u64) -> u64 {
    match span.checked_add(1) {
        Some(n) => ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64,
        None => rng.next_u64(),
    }
}

/// A standard normal draw (Box–Muller, cosine branch; exactly two `u64`s).
pub fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let u1 = 1.0 - unit_f64(rng);
    let u2 = unit_f64(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_reference_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn stream_is_a_pure_function_of_its_inputs() {
        let draws = |mut r: ChaCha8Rng| [r.next_u64(), r.next_u64(), r.next_u64()];
        assert_eq!(draws(stream(7, "default/backup", 3)), draws(stream(7, "default/backup", 3)));
    }

    #[test]
    fn streams_differ_by_seed_entity_and_run() {
        let first = |seed, entity, run| stream(seed, entity, run).next_u64();
        let base = first(1, "default/a", 0);
        assert_ne!(base, first(2, "default/a", 0));
        assert_ne!(base, first(1, "default/b", 0));
        assert_ne!(base, first(1, "default/a", 1));
    }

    #[test]
    fn a_runs_draws_follow_its_tick_not_its_ordinal() {
        let tick = Some(crate::model::Time::from_unix(1_700_000_040));
        let first = |tick, ordinal| run_stream(3, "ops/backup", tick, ordinal).next_u64();
        assert_eq!(first(tick, 0), first(tick, 7), "the ordinal does not matter once the tick is known");
        assert_ne!(first(tick, 0), first(Some(crate::model::Time::from_unix(1_700_000_100)), 0));
        assert_ne!(first(None, 0), first(None, 1));
        assert_ne!(first(tick, 0), first(None, 1_700_000_040));
    }

    #[test]
    fn slot_ignores_the_parent_position() {
        let fresh = stream(1, "x", 0);
        let mut used = stream(1, "x", 0);
        for _ in 0..37 {
            used.next_u64();
        }
        assert_eq!(slot(&fresh, 5).next_u64(), slot(&used, 5).next_u64());
        assert_ne!(slot(&fresh, 5).next_u64(), slot(&fresh, 6).next_u64());
    }

    #[test]
    fn below_stays_within_bounds() {
        let mut r = stream(3, "bounds", 0);
        assert!((0..1000).all(|_| below(&mut r, 9) <= 9));
        assert_eq!(below(&mut r, 0), 0);
        let _ = below(&mut r, u64::MAX);
    }

    #[test]
    fn unit_f64_is_half_open() {
        let mut r = stream(3, "unit", 0);
        assert!((0..10_000).map(|_| unit_f64(&mut r)).all(|u| (0.0..1.0).contains(&u)));
    }
}
