//! Sharded sweeps as a user runs them: `cronwarp sweep --shard I/N`
//! writes parts, `cronwarp merge` folds them into exactly what one sweep
//! prints, mismatched parts are refused (exit 2), and
//! `--emit-indexed-job` prints the Job that runs the shards in a cluster.

use crate::support::cli::{Out, cronwarp};
use crate::support::scratch::ScratchDir;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "scenarios/sweep-nightly-backup.yaml";
const SEEDS: &str = "0..12";

/// Runs every shard of `n` into `dir`; the part files, shard order.
fn shard_all(dir: &Path, scenario: &str, seeds: &str, n: u64) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let file = dir.join(format!("n{n}/part-{i}.json"));
            let shard = format!("{i}/{n}");
            let o = cronwarp(&[
                "sweep",
                scenario,
                "--seeds",
                seeds,
                "--shard",
                &shard,
                "--out",
                file.to_str().unwrap(),
                "--threads",
                "1",
            ]);
            assert_eq!(o.code, 0, "shard {shard}: {}", o.stderr);
            assert!(file.is_file(), "shard {shard} wrote no part");
            file
        })
        .collect()
}

fn merge(parts: &[PathBuf], format: &str) -> Out {
    let mut args = vec!["merge", "--format", format];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    cronwarp(&args)
}

#[test]
fn n_shards_merged_equal_one_sweep_in_every_format() {
    let dir = ScratchDir::created("shards");
    // 12 seeds: one shard, uneven slices, and more shards than seeds
    // (some parts then hold no run).
    for n in [1, 5, 20] {
        let mut parts = shard_all(dir.path(), SCENARIO, SEEDS, n);
        // The order parts are named in does not matter.
        parts.reverse();
        for format in ["text", "markdown", "json"] {
            let one = cronwarp(&["sweep", SCENARIO, "--seeds", SEEDS, "--format", format]);
            let merged = merge(&parts, format);
            assert_eq!(merged.code, one.code, "{n} shards, {format}: {}", merged.stderr);
            assert_eq!(merged.stdout, one.stdout, "{n} shards, {format}");
            assert_eq!(merged.stderr, one.stderr, "{n} shards, {format}");
        }
    }
}

#[test]
fn a_fleet_sweep_merges_with_its_fleet_load_percentiles() {
    let dir = ScratchDir::created("shards-fleet");
    let scenario = "scenarios/expect-per-workload.yaml";
    let parts = shard_all(dir.path(), scenario, "0..6", 4);
    let one = cronwarp(&["sweep", scenario, "--seeds", "0..6", "--format", "json"]);
    let merged = merge(&parts, "json");
    assert_eq!((merged.code, &merged.stdout), (one.code, &one.stdout), "{}", merged.stderr);
    // Three workloads: the peaks' percentiles; no pod requests anything,
    // so no CPU or memory rows.
    assert!(one.stdout.contains("\"fleetLoad\"") && one.stdout.contains("\"livePods\""), "{}", one.stdout);
    assert!(!one.stdout.contains("requestedCpu"), "{}", one.stdout);
}

/// Rewrites one JSON field of a part into a new file.
fn edited(from: &Path, to: &Path, edit: impl FnOnce(&mut serde_json::Value)) -> PathBuf {
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(to, serde_json::to_string(&v).unwrap()).unwrap();
    to.to_path_buf()
}

#[test]
fn mismatched_parts_are_refused_with_exit_2() {
    let dir = ScratchDir::created("shards-bad");
    let parts = shard_all(dir.path(), SCENARIO, SEEDS, 3);
    let refused = |parts: &[PathBuf], why: &str| {
        let o = merge(parts, "text");
        assert_eq!(o.code, 2, "{why}: {}", o.stderr);
        assert!(o.stdout.is_empty(), "{why}: nothing is printed");
        assert!(o.stderr.contains(why), "expected {why:?} in: {}", o.stderr);
    };
    refused(&parts[..2], "shard 2/3 is missing");
    refused(&[parts[0].clone(), parts[1].clone(), parts[1].clone()], "shard 1/3 is twice");
    // Another sweep's part: other seeds, another scenario.
    let other_seeds = shard_all(&dir.path().join("seeds"), SCENARIO, "0..13", 3);
    refused(&[parts[0].clone(), parts[1].clone(), other_seeds[2].clone()], "not parts of one sweep: seeds");
    let other = shard_all(&dir.path().join("other"), "scenarios/expect-per-workload.yaml", SEEDS, 3);
    refused(&[parts[0].clone(), parts[1].clone(), other[2].clone()], "not parts of one sweep: scenario");
    // Another cronwarp, another part format, a damaged part, not a part.
    let d = dir.path();
    let version = edited(&parts[2], &d.join("v.json"), |v| v["cronwarpVersion"] = "0.0.1".into());
    refused(&[parts[0].clone(), parts[1].clone(), version], "cronwarp version 0.0.1");
    let format = edited(&parts[2], &d.join("f.json"), |v| v["partVersion"] = 99.into());
    refused(&[parts[0].clone(), parts[1].clone(), format], "format version 99");
    let damaged = edited(&parts[2], &d.join("d.json"), |v| {
        v["runs"].as_array_mut().unwrap().pop();
    });
    refused(&[parts[0].clone(), parts[1].clone(), damaged], "should hold the runs of seeds 8..12");
    let junk = d.join("junk.json");
    std::fs::write(&junk, "{\"not\": \"a part\"}").unwrap();
    refused(&[junk], "it has no partVersion");
    refused(&[d.join("absent.json")], "cannot read");
}

#[test]
fn bad_shards_exit_2_and_say_how_to_write_one() {
    for (shard, why) in [
        ("3/3", "I must be below N (3)"),
        ("1", "no `/`"),
        ("0/0", "N must be 1 to"),
        ("x/2", "not a whole number"),
    ] {
        let o = cronwarp(&["sweep", SCENARIO, "--seeds", SEEDS, "--shard", shard]);
        assert_eq!(o.code, 2, "{shard}: {}", o.stderr);
        assert!(o.stderr.contains(why) && o.stderr.contains("write I/N"), "{shard}: {}", o.stderr);
    }
}

#[test]
fn the_indexed_job_runs_shard_i_of_n_in_pod_i() {
    let o = cronwarp(&[
        "sweep",
        SCENARIO,
        "--seeds",
        "0..1000",
        "--emit-indexed-job",
        "--shards",
        "20",
        "--image",
        "registry.example/cronwarp:1",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let docs: Vec<serde_json::Value> = o
        .stdout
        .split("\n---\n")
        .skip(1)
        .map(|d| serde_saphyr::from_str(d).unwrap_or_else(|e| panic!("{e}\n{d}")))
        .collect();
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "PersistentVolumeClaim", "Job"]);
    let job = &docs[2]["spec"];
    assert_eq!(job["completionMode"], "Indexed");
    assert_eq!(job["completions"], 20);
    let container = &job["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "registry.example/cronwarp:1");
    let command: Vec<&str> =
        container["command"].as_array().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
    assert_eq!(
        command,
        [
            "cronwarp",
            "sweep",
            SCENARIO,
            "--seeds",
            "0..1000",
            "--shard",
            "$(JOB_COMPLETION_INDEX)/20",
            "--out",
            "/results/part-$(JOB_COMPLETION_INDEX).json",
            "--quiet"
        ]
    );
    // The scenario travels in the ConfigMap, mounted where the command
    // reads it.
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)).unwrap();
    assert_eq!(docs[0]["data"]["scenario.yaml"], text);
    assert_eq!(container["workingDir"], "/work");
    let items = &job["template"]["spec"]["volumes"][0]["configMap"]["items"];
    assert_eq!(items[0]["path"], SCENARIO);
    // Bad --shards: exit 2.
    let o = cronwarp(&["sweep", SCENARIO, "--seeds", "0..10", "--emit-indexed-job", "--shards", "0"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("1 to 10000 shards"), "{}", o.stderr);
}
