#![no_main]
//! `cronwarp::fuzz::schedule` under libFuzzer (see docs/fuzzing.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| cronwarp::fuzz::schedule(data));
