//! `cronwarp sweep` as a user runs it: output (pinned), thread-count
//! independence of the JSON, exit codes, bad `--seeds`, help.

use crate::support::cli::cronwarp;
use crate::support::snapshots;

const SCENARIO: &str = "scenarios/sweep-nightly-backup.yaml";

#[test]
fn text_output_of_a_small_sweep() {
    let o = cronwarp(&["sweep", SCENARIO, "--seeds", "0..40", "--threads", "2"]);
    // Some of 40 seeds lose two nights: `maxMissed: 1` fails there.
    assert_eq!(o.code, 1, "{}", o.stderr);
    // stderr is a pipe here: no progress bar, only the verdict.
    assert!(!o.stderr.contains("ETA") && !o.stderr.contains("runs/s"), "{}", o.stderr);
    assert!(o.stderr.starts_with("expectations failed at "), "{}", o.stderr);
    snapshots::settings().bind(|| insta::assert_snapshot!("sweep-text-sweep-nightly-backup", o.stdout));
}

/// On a terminal the bar draws from the worker threads while the main
/// thread waits for them; the sweep must still finish (it once deadlocked
/// on a stderr lock the main thread held) with stdout the plain output.
#[cfg(target_os = "linux")]
#[test]
fn with_stderr_on_a_terminal_the_bar_draws_and_the_sweep_finishes() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    // A container without /dev/pts has no terminal to give: say so, and
    // skip (the deadlock needs a terminal to show).
    let (mut controller, terminal) = match crate::support::pty::open() {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("SKIPPED: no pseudo-terminal here ({e}); the progress-bar test needs one");
            return;
        }
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_cronwarp"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["sweep", SCENARIO, "--seeds", "0..300", "--threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(terminal))
        .spawn()
        .expect("cronwarp starts");
    // A terminal holds little: drain it while the sweep runs. The read
    // ends in an error once the child has closed the terminal; what was
    // read stays in the buffer.
    let drawn = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = controller.read_to_end(&mut b);
        b
    });
    let mut stdout = child.stdout.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for cronwarp") {
            break status;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the sweep hung with stderr on a terminal");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    let out = out.join().expect("stdout reader");
    assert!(out.starts_with("cronwarp sweep: ") && !out.contains("runs/s"), "{out}");
    let drawn = String::from_utf8_lossy(&drawn.join().expect("terminal reader")).into_owned();
    assert!(drawn.contains("runs") && drawn.contains("ETA"), "no bar drawn: {drawn:?}");
    assert!(drawn.contains("expectations failed at"), "{drawn:?}");
}

#[test]
fn json_is_byte_identical_on_one_and_two_threads() {
    let run = |threads: &str| {
        cronwarp(&["sweep", SCENARIO, "--seeds", "0..30", "--format", "json", "--threads", threads])
    };
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one.stdout, two.stdout);
    assert_eq!((one.code, one.stderr), (two.code, two.stderr));
    let v: serde_json::Value = serde_json::from_str(&one.stdout).expect("JSON");
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["seeds"], serde_json::json!({"start": 0, "end": 30}));
    assert_eq!(v["workloads"][0]["name"], "ops/backup");
    assert_eq!(v["workloads"][0]["figures"].as_array().map(Vec::len), Some(9));
}

#[test]
fn failed_expectations_exit_1_and_name_a_seed_to_replay() {
    let json = cronwarp(&["sweep", SCENARIO, "--seeds", "0..40", "--format", "json", "--quiet"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let failed = v["expectations"]["seedsFailed"].as_u64().expect("a count");
    let first = v["expectations"]["failingSeeds"][0].as_u64().expect("a seed");
    assert_eq!(json.code, 1);
    assert!(
        json.stderr.contains(&format!("expectations failed at {failed} of 40 seeds"))
            && json.stderr.contains(&format!("cronwarp run {SCENARIO} --seed {first}")),
        "{}",
        json.stderr
    );
    // The seed it names fails `run` too.
    let replay = cronwarp(&["run", SCENARIO, "--seed", &first.to_string()]);
    assert_eq!(replay.code, 1, "{}", replay.stderr);
    // A scenario whose checks hold at every seed exits 0.
    let ok = cronwarp(&["sweep", "scenarios/downtime-catchup.yaml", "--seeds", "0..3"]);
    assert_eq!(ok.code, 0, "{}", ok.stderr);
    assert!(ok.stdout.contains("All 1 checks hold at every seed."), "{}", ok.stdout);
}

#[test]
fn bad_seeds_exit_2_with_a_clear_message() {
    for (seeds, says) in [
        ("5..2", "is empty"),
        ("abc", "write START..END"),
        ("0..2000000", "a sweep runs at most 1000000"),
        ("0..-1", "write START..END"),
    ] {
        let o = cronwarp(&["sweep", SCENARIO, "--seeds", seeds]);
        assert_eq!(o.code, 2, "{seeds}: {}", o.stderr);
        assert!(o.stderr.contains("--seeds") && o.stderr.contains(says), "{seeds}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{seeds}: {}", o.stdout);
    }
    let o = cronwarp(&["sweep", SCENARIO]);
    assert_eq!(o.code, 2, "--seeds is required: {}", o.stderr);
}

#[test]
fn a_bad_scenario_exits_2() {
    let o = cronwarp(&["sweep", "scenarios/no-such-scenario.yaml", "--seeds", "0..3"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.starts_with("error: scenarios/no-such-scenario.yaml: "), "{}", o.stderr);
    let o = cronwarp(&["sweep", "scenarios/manifests/kubevela-cron-task.yaml", "--seeds", "0..3"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("hint:"), "{}", o.stderr);
}

#[test]
fn markdown_has_the_same_tables() {
    let o =
        cronwarp(&["sweep", "scenarios/downtime-catchup.yaml", "--seeds", "0..2", "--format", "markdown"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.starts_with("# cronwarp sweep: scenarios/downtime-catchup.yaml\n"), "{}", o.stdout);
    assert!(o.stdout.contains("| per run | min | p50 | p90 | p95 | p99 | max |"), "{}", o.stdout);
    assert!(o.stdout.contains("| ticks not started | 5 | 5 | 5 | 5 | 5 | 5 |"), "{}", o.stdout);
    assert!(o.stdout.contains("## Worst seeds"), "{}", o.stdout);
}

#[test]
fn help_teaches_percentiles_exit_codes_and_replay() {
    let o = cronwarp(&["sweep", "--help"]);
    assert_eq!(o.code, 0);
    for needle in [
        "nearest-rank",
        "p50 is",
        "START..END (END excluded)",
        "at most 1000000",
        "Exit codes: 0 ok, 1 an `expect:` check failed",
        "cronwarp run scenarios/sweep-nightly-backup.yaml --seed",
        "--quiet",
        "--threads <N>",
    ] {
        assert!(o.stdout.contains(needle), "help lacks {needle:?}:\n{}", o.stdout);
    }
    assert_eq!(::cronwarp::sweep::MAX_SEEDS, 1_000_000, "the help quotes it");
    let top = cronwarp(&["--help"]);
    assert!(top.stdout.contains("sweep"), "{}", top.stdout);
}

#[test]
fn out_dir_gets_the_sweep_as_json_markdown_and_one_html_page() {
    let dir = crate::support::scratch::ScratchDir::created("sweep-out");
    let out = dir.path().join("new/out");
    let o = cronwarp(&["sweep", SCENARIO, "--seeds", "0..12", "--out", out.to_str().unwrap()]);
    assert!(o.code == 0 || o.code == 1, "{}", o.stderr);
    let read = |f: &str| std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    // stdout keeps its --format (text); the files are the other formats.
    assert_eq!(
        read("sweep.md"),
        cronwarp(&["sweep", SCENARIO, "--seeds", "0..12", "--format", "markdown"]).stdout
    );
    assert_eq!(
        read("sweep.json"),
        cronwarp(&["sweep", SCENARIO, "--seeds", "0..12", "--format", "json"]).stdout
    );
    assert!(o.stdout.starts_with("cronwarp sweep: "), "{}", o.stdout);
    let html = read("sweep.html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..80]);
    assert!(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page loads nothing");
    assert_eq!(html.matches("<code>cronwarp run scenarios/sweep-nightly-backup.yaml --seed ").count(), 6);
}
