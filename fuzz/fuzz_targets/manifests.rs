#![no_main]
//! `cronwarp::fuzz::manifests` under libFuzzer (see docs/fuzzing.md).

libfuzzer_sys::fuzz_target!(|data: &[u8]| cronwarp::fuzz::manifests(data));
