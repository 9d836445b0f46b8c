//! `cronwarp run` (and `compare`, `render`) given careless or hostile
//! paths: inputs that are not regular files or are too large, YAML over
//! the parser's limits, outputs that would overwrite inputs, an `--out`
//! that cannot take the files. Each is exit 2, said with the path and the
//! way out, and found before anything is simulated.

use crate::support::cli::{Out, cronwarp, cronwarp_within};
use crate::support::scratch::ScratchDir;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SCENARIO: &str = "scenarios/downtime-catchup.yaml";
/// Long enough for a slow shared machine; a read that blocks or never
/// ends takes for ever.
const PROMPTLY: Duration = Duration::from_secs(30);

fn s(p: &Path) -> &str {
    p.to_str().expect("scratch paths are UTF-8")
}

/// `from` (relative to the crate root) copied to `dir/name`.
fn copy(from: &str, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(from), &to).unwrap();
    to
}

/// Refused: exit 2, nothing on stdout, and stderr says `what`.
fn assert_refused(o: &Out, what: &str) {
    assert_eq!(o.code, 2, "stderr: {}", o.stderr);
    assert!(o.stdout.is_empty(), "nothing should be simulated or printed: {}", o.stdout);
    assert!(o.stderr.contains(what), "expected {what:?} in: {}", o.stderr);
}

mod bounded_reads {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn dev_zero_is_refused_at_once() {
        for cmd in ["run", "compare", "render"] {
            let o = cronwarp_within(&[cmd, "/dev/zero"], PROMPTLY);
            assert_refused(&o, "/dev/zero: is a character device, not a regular file");
        }
    }

    #[test]
    #[cfg(unix)]
    fn a_fifo_is_refused_without_blocking() {
        let dir = ScratchDir::created("fifo");
        let fifo = dir.path().join("scenario.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
        assert!(made.success(), "mkfifo {}", fifo.display());
        for cmd in ["run", "compare", "render"] {
            let o = cronwarp_within(&[cmd, s(&fifo)], PROMPTLY);
            assert_refused(&o, &format!("{}: is a FIFO (named pipe), not a regular file", fifo.display()));
        }
    }

    #[test]
    fn a_directory_is_refused() {
        let o = cronwarp(&["run", "scenarios"]);
        assert_refused(&o, "scenarios: is a directory");
    }

    #[test]
    fn a_scenario_over_max_input_is_refused_with_the_way_out() {
        let o = cronwarp(&["run", SCENARIO, "--max-input", "1KiB"]);
        assert_refused(&o, "is 1404 bytes, over the input limit of 1 KiB (1024 bytes)");
        assert!(o.stderr.contains("hint: raise the limit with --max-input (now 1 KiB)"), "{}", o.stderr);
        let o = cronwarp(&["compare", SCENARIO, "--max-input", "1000"]);
        assert_refused(&o, "over the input limit of 1000 bytes");
        let app = "scenarios/manifests/kubevela-cron-task.yaml";
        assert_refused(
            &cronwarp(&["render", app, "--max-input", "2kB"]),
            "over the input limit of 2000 bytes",
        );
        // A limit above the file's size reads it.
        assert_eq!(cronwarp(&["run", SCENARIO, "--max-input", "2KiB"]).code, 0);
        assert_eq!(cronwarp(&["render", app, "--max-input", "1MiB"]).code, 0);
    }

    #[test]
    fn a_path_manifest_over_max_input_is_refused_at_its_path_line() {
        // The scenario (982 bytes) fits; its manifest (1804 bytes) does not.
        let o = cronwarp(&["run", "scenarios/from-cluster.yaml", "--max-input", "1KiB"]);
        assert_refused(
            &o,
            "error: scenarios/from-cluster.yaml:16:5: workloads[0].path: cannot read \
             scenarios/manifests/backup-from-cluster.yaml: is 1804 bytes, over the input limit of 1 KiB",
        );
        assert!(o.stderr.contains("hint: raise the limit with --max-input (now 1 KiB)"), "{}", o.stderr);
    }

    #[test]
    fn help_documents_the_limit_where_files_are_read() {
        for cmd in ["run", "compare", "render"] {
            let o = cronwarp(&[cmd, "--help"]);
            assert!(o.stdout.contains("--max-input <BYTES>"), "{cmd} --help: {}", o.stdout);
            assert!(o.stdout.contains("[default: 64MiB]"), "{cmd} --help: {}", o.stdout);
        }
        let o = cronwarp(&["--help"]);
        assert!(o.stdout.contains("not a regular file or over --max-input"), "{}", o.stdout);
    }

    #[test]
    fn a_malformed_max_input_is_a_usage_error() {
        let o = cronwarp(&["run", SCENARIO, "--max-input", "64M"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("unknown unit \"M\""), "{}", o.stderr);
    }

    /// A scenario of more than serde-saphyr's 250,000 YAML nodes, the
    /// bulk in one inline manifest.
    #[test]
    fn a_scenario_over_the_yaml_node_limit_says_which_limit_and_the_way_out() {
        let dir = ScratchDir::created("nodes");
        let file = dir.path().join("big.yaml");
        let zeros = vec!["0"; 250_001].join(",");
        let text = format!(
            "horizon: {{start: \"2025-03-03T10:00:00Z\", end: \"2025-03-03T11:00:00Z\"}}\n\
             workloads:\n  - manifest:\n      kind: List\n      items: [{zeros}]\n"
        );
        std::fs::write(&file, text).unwrap();
        let o = cronwarp(&["run", s(&file)]);
        assert_refused(
            &o,
            "YAML limit exceeded: the file has more than 250000 values (keys, scalars, lists and \
             mappings), the limit for one file",
        );
        let located = format!("error: {}:", file.display());
        assert!(o.stderr.starts_with(&located), "{}", o.stderr);
        assert!(!o.stderr.contains("budget breached"), "{}", o.stderr);
        assert!(
            o.stderr.contains("move workload manifests into files of their own with `path:`"),
            "{}",
            o.stderr
        );
    }
}

mod outputs_never_overwrite_inputs {
    use super::*;

    #[test]
    fn events_over_the_scenario_file_is_refused() {
        let dir = ScratchDir::created("events-scenario");
        let scenario = copy(SCENARIO, dir.path(), "s.yaml");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        // The same file, spelt another way.
        let events = dir.path().join("sub/../s.yaml");
        let o = cronwarp(&["run", s(&scenario), "--events", s(&events)]);
        assert_refused(&o, "is the scenario file");
        assert!(o.stderr.contains("cronwarp never overwrites its input"), "{}", o.stderr);
        let kept = std::fs::read_to_string(&scenario).unwrap();
        assert!(kept.starts_with("# What this teaches"), "the scenario was overwritten: {kept}");
    }

    #[test]
    #[cfg(unix)]
    fn events_through_a_symlink_to_the_scenario_is_refused() {
        let dir = ScratchDir::created("events-link");
        let scenario = copy(SCENARIO, dir.path(), "s.yaml");
        let link = dir.path().join("events.jsonl");
        std::os::unix::fs::symlink(&scenario, &link).unwrap();
        assert_refused(&cronwarp(&["run", s(&scenario), "--events", s(&link)]), "is the scenario file");
    }

    #[test]
    fn events_over_a_path_manifest_is_refused() {
        let dir = ScratchDir::created("events-manifest");
        let scenario = copy("scenarios/from-cluster.yaml", dir.path(), "s.yaml");
        let manifest = "manifests/backup-from-cluster.yaml";
        let manifest = copy(&format!("scenarios/{manifest}"), dir.path(), manifest);
        let before = std::fs::read(&manifest).unwrap();
        let o = cronwarp(&["run", s(&scenario), "--events", s(&manifest)]);
        assert_refused(&o, "is a manifest the scenario reads (`path:`)");
        assert_eq!(std::fs::read(&manifest).unwrap(), before);
    }

    #[test]
    fn out_that_would_write_over_the_scenario_or_a_manifest_is_refused() {
        // `--out DIR` writes DIR/report.json: here, the scenario.
        let dir = ScratchDir::created("out-scenario");
        let scenario = copy(SCENARIO, dir.path(), "report.json");
        let o = cronwarp(&["run", s(&scenario), "--out", s(dir.path())]);
        assert_refused(&o, "report.json, which is the scenario file");
        // ... and DIR/ops_backup.svg, the timeline of CronJob ops/backup:
        // here, the manifest that holds it.
        let dir = ScratchDir::created("out-manifest");
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/from-cluster.yaml"),
        )
        .unwrap();
        let scenario = dir.path().join("s.yaml");
        std::fs::write(&scenario, text.replace("manifests/backup-from-cluster.yaml", "ops_backup.svg"))
            .unwrap();
        copy("scenarios/manifests/backup-from-cluster.yaml", dir.path(), "ops_backup.svg");
        let o = cronwarp(&["run", s(&scenario), "--out", s(dir.path())]);
        assert_refused(&o, "ops_backup.svg, which is a manifest the scenario reads (`path:`)");
    }

    #[test]
    fn compare_out_that_would_write_over_the_scenario_is_refused() {
        let dir = ScratchDir::created("compare-out");
        let scenario = copy(SCENARIO, dir.path(), "compare.md");
        let o = cronwarp(&["compare", s(&scenario), "--out", s(dir.path())]);
        assert_refused(&o, "compare.md, which is the scenario file");
        let kept = std::fs::read_to_string(&scenario).unwrap();
        assert!(kept.starts_with("# What this teaches"), "the scenario was overwritten");
    }
}

mod out_is_checked_before_simulating {
    use super::*;

    #[test]
    fn an_existing_file_at_out_fails_before_the_report() {
        let dir = ScratchDir::created("out-file");
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "keep me").unwrap();
        for cmd in ["run", "compare"] {
            let o = cronwarp(&[cmd, SCENARIO, "--out", s(&file)]);
            assert_refused(&o, "notes.txt: exists and is not a directory");
        }
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    }

    #[test]
    fn an_out_that_cannot_be_created_fails_before_the_report() {
        let dir = ScratchDir::created("out-uncreatable");
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        let o = cronwarp(&["run", SCENARIO, "--out", s(&dir.path().join("notes.txt/reports"))]);
        assert_refused(&o, "cannot create the directory");
    }

    /// `/proc/self` is a directory no one may create files in, root
    /// included (permission bits would not stop root).
    #[test]
    #[cfg(target_os = "linux")]
    fn an_out_that_cannot_be_written_fails_before_the_report() {
        let o = cronwarp(&["run", SCENARIO, "--out", "/proc/self"]);
        assert_refused(&o, "--out /proc/self: cannot write there");
    }

    #[test]
    fn a_writable_out_gets_every_file_and_no_leftovers() {
        let dir = ScratchDir::new("out-fresh");
        let o = cronwarp(&["run", SCENARIO, "--out", s(dir.path())]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["default_report.svg", "report.html", "report.json", "report.md", "report.txt"]);
    }
}

mod scenario_mistakes {
    use super::*;

    /// Each `controller.downtime[]` mistake is exit 2 with its own
    /// message at its own line, not "did not match any variant".
    #[test]
    fn downtime_mistakes_exit_2_at_their_line() {
        let dir = ScratchDir::created("downtime");
        let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO)).unwrap();
        let window = "    - start: \"2025-03-03T10:02:00Z\"\n      end: \"2025-03-03T10:31:00Z\"\n";
        assert!(text.contains(window), "the bundled scenario changed");
        let cases = [
            (
                "    - start: \"2025-03-03T10:02:00Z\"\n      until: \"2025-03-03T10:31:00Z\"\n",
                "unknown field `until`",
            ),
            (
                "    - start: \"2025-03-03T10:02:00Z\"\n      for: 29m\n",
                "mixes the two forms of a window (`start` with `for`): give either `start` and `end`, or \
                 `at` and `for`, not both",
            ),
            ("    - at: \"2025-03-03T10:02:00Z\"\n      for: -29m\n", "durations must not be negative"),
        ];
        for (i, (item, what)) in cases.iter().enumerate() {
            let file = dir.path().join(format!("case{i}.yaml"));
            std::fs::write(&file, text.replace(window, item)).unwrap();
            let o = cronwarp(&["run", s(&file)]);
            assert_refused(&o, what);
            let located = format!("error: {}:", file.display());
            assert!(o.stderr.starts_with(&located), "not located: {}", o.stderr);
            assert!(!o.stderr.contains("untagged"), "{}", o.stderr);
        }
    }
}

#[test]
fn a_seed_past_u64_names_the_range() {
    // #14 item 11: 2^64 was "invalid type: floating point `18446744073709552000.0`".
    let dir = ScratchDir::created("seed-range");
    let text = std::fs::read_to_string("scenarios/history-limits-ttl.yaml").unwrap();
    let file = dir.path().join("s.yaml");
    std::fs::write(&file, text.replacen("seed: 8\n", "seed: 18446744073709551616\n", 1)).unwrap();
    let o = cronwarp(&["run", s(&file)]);
    assert_eq!(o.code, 2);
    let first = o.stderr.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(":25:7: seed: the number is out of range: seed must be 0..=18446744073709551615"),
        "{}",
        o.stderr
    );
    let o = cronwarp(&["run", "scenarios/history-limits-ttl.yaml", "--seed", "18446744073709551616"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("seed must be 0..=18446744073709551615 (got 18446744073709551616)"),
        "{}",
        o.stderr
    );
    let o = cronwarp(&["sweep", "scenarios/history-limits-ttl.yaml", "--seeds", "18446744073709551616"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("seed must be 0..=18446744073709551615"), "{}", o.stderr);
}

/// `--k8s-version` runs a scenario under one release's settings
/// (docs/fidelity/kubernetes-cronjob.md#cj-23): TooManyMissedTimes carried
/// the count before 1.29.
mod kubernetes_version {
    use super::*;

    fn warning(version: Option<&str>) -> String {
        let mut args = vec!["run", "scenarios/too-many-missed.yaml"];
        if let Some(v) = version {
            args.extend(["--k8s-version", v]);
        }
        let o = cronwarp(&args);
        assert!(o.code == 0 || o.code == 1, "stderr: {}", o.stderr);
        o.stdout.lines().find(|l| l.contains("TooManyMissedTimes")).unwrap_or_default().to_string()
    }

    #[test]
    fn the_flag_selects_the_release_settings() {
        assert!(warning(Some("1.28")).contains("too many missed start times: "), "{}", warning(Some("1.28")));
        assert!(warning(Some("1.29")).contains("too many missed start times. Set"));
        assert_eq!(warning(None), warning(Some("1.36")));
    }
}
