//! The event log of every bundled scenario, in both controller forms, is
//! pinned by hash: a refactoring of the engine that changes a single byte
//! of any log (an extra sync, a reordered record at one instant, another
//! uid) fails here, even where no report or snapshot would show it.
//!
//! The hashes live in `tests/data/event-log-hashes.txt`, one line per
//! scenario and form: `<file> <form> <records> <fnv1a64 of the JSON Lines>`.
//! After an intended change of behaviour, rewrite them with
//! `CRONWARP_UPDATE_HASHES=1 cargo test event_log` and explain the diff in
//! the commit.

use cronwarp::sim::log::JsonLines;
use cronwarp::sim::scenario::WorkloadSpec;
use cronwarp::sim::scenario::convert::both_forms;
use cronwarp::sim::{Scenario, SimOptions, simulate_into};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Converted forms whose run is too long for the test suite: the
/// Crossplane side of this one retries for ever (a run longer than the
/// 2-minute attempt timeout), and its paused CronOperation's two
/// Operations cannot be fast-forwarded, so it steps 230,000 attempts.
const SLOW_CONVERSIONS: &[&str] = &["dst-new-york"];

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.lines().any(|l| l.starts_with("horizon:"))))
        .collect();
    files.sort();
    files
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// (records, hash) of the merged event log.
fn log_hash(sc: &Scenario, threads: usize, name: &str) -> (u64, u64) {
    let mut sink = JsonLines::new(Vec::new());
    let summary = simulate_into(sc, &mut sink, SimOptions { threads, ..SimOptions::default() })
        .unwrap_or_else(|e| panic!("{}", e.message));
    assert!(sink.error.is_none());
    let bytes = sink.into_inner();
    // To see what changed: CRONWARP_DUMP_LOGS=DIR writes every log there.
    if let Some(dir) = std::env::var_os("CRONWARP_DUMP_LOGS") {
        std::fs::write(Path::new(&dir).join(name), &bytes).unwrap();
    }
    (summary.records, fnv1a64(&bytes))
}

#[test]
fn event_logs_of_every_scenario_are_unchanged() {
    let mut lines = String::new();
    for path in scenario_files() {
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        let (n, h) = log_hash(&sc, 1, &format!("{name}.as-written.jsonl"));
        assert_eq!(
            log_hash(&sc, 2, "threads-2.jsonl"),
            (n, h),
            "{name}: the log depends on the thread count"
        );
        writeln!(lines, "{name} as-written {n} {h:016x}").unwrap();
        let stem = name.trim_end_matches(".yaml");
        // `compare` converts CronJobs and CronOperations, not CronWorkflows.
        let argo =
            (0..sc.workloads.len()).any(|i| matches!(sc.workload(i), Ok(WorkloadSpec::CronWorkflow(_))));
        if SLOW_CONVERSIONS.contains(&stem) || argo {
            continue;
        }
        let both = both_forms(&sc).unwrap_or_else(|e| panic!("{name}: {}", e.message));
        for (form, sc) in [("kubernetes", &both.kubernetes), ("crossplane", &both.crossplane)] {
            let (n, h) = log_hash(sc, 1, &format!("{name}.{form}.jsonl"));
            writeln!(lines, "{name} {form} {n} {h:016x}").unwrap();
        }
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/event-log-hashes.txt");
    if std::env::var_os("CRONWARP_UPDATE_HASHES").is_some() {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, &lines).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(&file).unwrap_or_default();
    let diff: Vec<String> = lines
        .lines()
        .filter(|l| !pinned.lines().any(|p| p == *l))
        .map(|l| format!("  now:    {l}"))
        .chain(pinned.lines().filter(|p| !lines.lines().any(|l| l == *p)).map(|p| format!("  pinned: {p}")))
        .collect();
    assert!(diff.is_empty(), "event logs changed (CRONWARP_UPDATE_HASHES=1 to accept):\n{}", diff.join("\n"));
}
