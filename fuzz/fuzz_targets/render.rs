#![no_main]
//! `cronwarp::fuzz::render` under libFuzzer (see docs/fuzzing.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| cronwarp::fuzz::render(data));
