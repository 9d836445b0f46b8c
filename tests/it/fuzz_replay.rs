//! The fuzz corpus and every crash the fuzzers found, replayed through the
//! entry points the fuzz targets call (`cronwarp::fuzz`), with no fuzzer:
//! no input may panic, and each must finish in bounded time.
//!
//! `fuzz/corpus/<target>/` is the minimised corpus (seeds from scenarios/
//! and the tests, plus what the fuzzers added); `fuzz/crashes/<target>/`
//! keeps each input that once crashed, so a fix stays fixed.

use std::path::Path;
use std::time::{Duration, Instant};

/// One input's budget: libFuzzer's own `-timeout` in docs/fuzzing.md, and
/// far above what any input takes (milliseconds) on a loaded CI machine.
const PER_INPUT: Duration = Duration::from_secs(10);

/// Fewer entries than this means the corpus went missing or moved.
const AT_LEAST: usize = 10;

fn replay(target: &str) {
    let (_, entry) = cronwarp::fuzz::TARGETS
        .into_iter()
        .find(|(name, _)| *name == target)
        .unwrap_or_else(|| panic!("no fuzz entry point named {target}"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for dir in [root.join("corpus").join(target), root.join("crashes").join(target)] {
        let Ok(read) = std::fs::read_dir(&dir) else { continue };
        let mut files: Vec<_> = read.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let start = Instant::now();
            let outcome = std::panic::catch_unwind(|| entry(&data));
            let took = start.elapsed();
            replayed += 1;
            if outcome.is_err() {
                failures.push(format!("{}: panicked", file.display()));
            } else if took > PER_INPUT {
                failures.push(format!("{}: took {took:?}", file.display()));
            }
        }
    }
    assert!(replayed >= AT_LEAST, "only {replayed} {target} inputs under {}", root.display());
    assert!(
        failures.is_empty(),
        "{} of {replayed} {target} inputs failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn schedule_corpus_replays_without_panic() {
    replay("schedule");
}

#[test]
fn scenario_corpus_replays_without_panic() {
    replay("scenario");
}

#[test]
fn manifests_corpus_replays_without_panic() {
    replay("manifests");
}

#[test]
fn render_corpus_replays_without_panic() {
    replay("render");
}

#[test]
fn every_entry_point_has_a_fuzz_target() {
    let targets = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    for (name, _) in cronwarp::fuzz::TARGETS {
        let file = targets.join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            text.contains(&format!("cronwarp::fuzz::{name}(")),
            "{} calls another entry point",
            file.display()
        );
    }
}
