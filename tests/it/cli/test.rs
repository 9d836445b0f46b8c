//! `cronwarp test`, run in-process through the CLI's entry point: the
//! bundled scenarios against their committed goldens, a changed scenario's
//! diff, `--update`, `--review` on stdin, a missing golden under CI,
//! JUnit and summary contents, thread counts, invalid scenarios.

use crate::support::cli::{Out, cronwarp_in_process};
use crate::support::scratch::ScratchDir;
use crate::support::snapshots;
use std::path::{Path, PathBuf};

const CI: &[(&str, &str)] = &[("CI", "true")];
const LOCAL: &[(&str, &str)] = &[];

fn s(p: &Path) -> &str {
    p.to_str().expect("scratch paths are UTF-8")
}

/// `cronwarp test ARGS…` with the environment `env` and no input.
fn test(args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    cronwarp_in_process(&all, "", env)
}

/// A bundled scenario copied to `dir/name`.
fn copy(from: &str, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(from), &to).unwrap();
    to
}

/// Output with the scratch directory's path replaced by `<dir>`.
fn scrub(text: &str, dir: &Path) -> String {
    text.replace(s(dir), "<dir>")
}

/// What `cargo test` (`.ci/run`, with `CI=true`) gates: every bundled
/// scenario's report matches `scenarios/<name>.golden.md`, and no golden is
/// written. After an intended report change: `cargo run -- test scenarios/
/// --update`, review the diff, commit.
#[test]
fn bundled_scenarios_match_their_committed_goldens() {
    let o = test(&["scenarios/"], CI);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let bundled = std::fs::read_dir("scenarios")
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "yaml"))
        .count();
    assert!(o.stdout.starts_with(&format!("running {bundled} scenarios\n")), "{}", o.stdout);
    assert!(
        o.stdout.ends_with(&format!("test result: ok. {bundled} passed; 0 failed; 0 invalid\n")),
        "{}",
        o.stdout
    );
    // Manifests and dumps in subfolders are not scenarios.
    assert!(!o.stdout.contains("manifests/") && !o.stdout.contains("dumps/"), "{}", o.stdout);
    // Every file directly in scenarios/ is a scenario or its golden.
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() || name.starts_with('.') {
            continue;
        }
        let golden_of = name.strip_suffix(".golden.md").map(|stem| format!("scenarios/{stem}.yaml"));
        match golden_of {
            Some(scenario) => assert!(Path::new(&scenario).exists(), "{name} is the golden of no scenario"),
            None => assert!(name.ends_with(".yaml"), "{name} is neither a scenario nor a golden"),
        }
    }
}

#[test]
fn a_changed_scenario_fails_with_a_readable_diff_and_update_accepts_it() {
    let dir = ScratchDir::created("test-update");
    let scenario = copy("downtime-catchup.yaml", dir.path(), "team/report.yaml");
    // The first local run writes the golden and says so.
    let first = test(&[s(dir.path())], LOCAL);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let golden = dir.path().join("team/report.golden.md");
    assert!(
        first.stdout.contains(&format!("ok (new golden report {})", golden.display())),
        "{}",
        first.stdout
    );
    // Its title is the path under the searched directory, never absolute.
    let text = std::fs::read_to_string(&golden).unwrap();
    assert!(text.starts_with("# cronwarp report: team/report.yaml\n"), "{text}");
    assert_eq!(test(&[s(dir.path())], CI).code, 0);

    // A shorter outage: fewer ticks lost.
    let yaml = std::fs::read_to_string(&scenario).unwrap();
    std::fs::write(&scenario, yaml.replace("end: \"2025-03-03T10:31:00Z\"", "end: \"2025-03-03T10:16:00Z\""))
        .unwrap();
    let changed = test(&[s(dir.path()), "--threads", "1"], CI);
    assert_eq!(changed.code, 1, "{}{}", changed.stdout, changed.stderr);
    snapshots::settings()
        .bind(|| insta::assert_snapshot!("test-changed-scenario", scrub(&changed.stdout, dir.path())));
    assert_eq!(std::fs::read_to_string(&golden).unwrap(), text, "a failing run leaves the golden alone");

    let update = test(&[s(dir.path()), "--update"], CI);
    assert_eq!(update.code, 0, "{}{}", update.stdout, update.stderr);
    assert!(
        update.stdout.contains(&format!("ok (golden report {} updated)", golden.display())),
        "{}",
        update.stdout
    );
    assert!(
        update.stdout.ends_with("test result: ok. 1 passed; 0 failed; 0 invalid; 1 golden report written\n")
    );
    assert_eq!(test(&[s(dir.path())], CI).code, 0);
}

#[test]
fn a_missing_golden_fails_under_ci_and_is_not_written() {
    let dir = ScratchDir::created("test-ci");
    copy("every-minute-forbid.yaml", dir.path(), "a.yaml");
    let o = test(&[s(dir.path())], CI);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("a.yaml ... FAILED"), "{}", o.stdout);
    assert!(o.stdout.contains("no golden report "), "{}", o.stdout);
    assert!(!dir.path().join("a.golden.md").exists());
    // CI=false is not CI.
    assert_eq!(test(&[s(dir.path())], &[("CI", "false")]).code, 0);
    assert!(dir.path().join("a.golden.md").exists());
}

#[test]
fn review_asks_on_stdin_and_writes_only_what_is_accepted() {
    let dir = ScratchDir::created("test-review");
    copy("every-minute-forbid.yaml", dir.path(), "a.yaml");
    copy("every-minute-allow.yaml", dir.path(), "b.yaml");
    copy("every-minute-replace.yaml", dir.path(), "c.yaml");
    let dir_arg = s(dir.path());
    // An unclear answer is asked again; the end of input answers no.
    let o = cronwarp_in_process(&["test", dir_arg], "maybe\ny\nn\n", &[("CRONWARP_UPDATE", "review")]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("+# cronwarp report: a.yaml"), "the new golden is shown: {}", o.stderr);
    assert!(o.stderr.contains("answer y or n"), "{}", o.stderr);
    assert!(o.stderr.contains("no answer (end of input)"), "{}", o.stderr);
    assert!(dir.path().join("a.golden.md").exists());
    assert!(!dir.path().join("b.golden.md").exists() && !dir.path().join("c.golden.md").exists());
    assert!(o.stdout.ends_with("1 passed; 2 failed; 0 invalid; 1 golden report written\n"), "{}", o.stdout);
    // `--review` is the flag for the same; it conflicts with --update.
    let both = test(&[dir_arg, "--review", "--update"], LOCAL);
    assert_eq!(both.code, 2, "{}", both.stderr);
    let bad = test(&[dir_arg], &[("CRONWARP_UPDATE", "sometimes")]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("CRONWARP_UPDATE=sometimes is not a choice"), "{}", bad.stderr);
}

/// A folder with a passing, a failing (golden differs and `expect:`
/// broken) and an invalid scenario, and manifests that are skipped.
fn mixed(dir: &Path) {
    copy("every-minute-forbid.yaml", dir, "ok.yaml");
    let failing = copy("downtime-catchup.yaml", dir, "sub/fails.yaml");
    copy("manifests/backup-from-cluster.yaml", dir, "sub/manifests/cronjob.yaml");
    assert_eq!(test(&[s(dir)], LOCAL).code, 0);
    let yaml = std::fs::read_to_string(&failing).unwrap();
    let yaml = yaml.replace("maxMissed: 5", "maxMissed: 2").replace("10:31:00Z", "10:36:00Z");
    assert_ne!(yaml, std::fs::read_to_string(&failing).unwrap());
    std::fs::write(&failing, yaml).unwrap();
    let horizon = "horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T11:00:00Z\"\n";
    std::fs::write(dir.join("broken.yaml"), format!("{horizon}workloads: 3\n")).unwrap();
}

#[test]
fn an_invalid_scenario_is_exit_2_with_its_location_and_the_others_still_run() {
    let dir = ScratchDir::created("test-invalid");
    mixed(dir.path());
    let o = test(&[s(dir.path())], CI);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    let out = scrub(&o.stdout, dir.path());
    assert!(out.contains("test <dir>/broken.yaml ... invalid\n"), "{out}");
    assert!(out.contains("test <dir>/ok.yaml ... ok\n"), "{out}");
    assert!(out.contains("test <dir>/sub/fails.yaml ... FAILED\n"), "{out}");
    assert!(out.contains("error: <dir>/broken.yaml:4:"), "located: {out}");
    assert!(out.contains("hint: "), "{out}");
    assert!(out.ends_with("test result: FAILED. 1 passed; 1 failed; 1 invalid\n"), "{out}");
}

#[test]
fn junit_and_summary_name_every_scenario_failures_first() {
    let dir = ScratchDir::created("test-outputs");
    mixed(dir.path());
    let (junit, summary) = (dir.path().join("out/junit.xml"), dir.path().join("out/summary.md"));
    let o = test(&[s(dir.path()), "--junit", s(&junit), "--summary", s(&summary)], CI);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    let junit = scrub(&std::fs::read_to_string(&junit).unwrap(), dir.path());
    let summary = scrub(&std::fs::read_to_string(&summary).unwrap(), dir.path());
    assert!(junit.contains(r#"tests="3" failures="1" errors="1""#), "{junit}");
    assert!(!junit.contains("timestamp") && !junit.contains("time="), "no wall clock: {junit}");
    let failed = summary.find("sub/fails.yaml").unwrap();
    let invalid = summary.find("<code>broken.yaml</code>").unwrap();
    let passed = summary.find("<code>ok.yaml</code>").unwrap();
    assert!(failed < invalid && invalid < passed, "failures first: {summary}");
    assert_eq!(summary.matches("<details>").count(), 3);
    let settings = snapshots::settings();
    settings.bind(|| {
        insta::assert_snapshot!("test-junit", junit);
        insta::assert_snapshot!("test-summary", summary);
    });
    // An output over a scenario is refused.
    let over = test(&[s(dir.path()), "--junit", s(&dir.path().join("ok.yaml"))], CI);
    assert_eq!(over.code, 2);
    assert!(over.stderr.contains("is the scenario file"), "{}", over.stderr);
}

#[test]
fn one_and_two_threads_print_and_write_the_same_bytes() {
    let dir = ScratchDir::created("test-threads");
    mixed(dir.path());
    for name in [
        "every-minute-allow.yaml",
        "every-minute-replace.yaml",
        "forbid-long-jobs.yaml",
        "suspend-resume.yaml",
    ] {
        copy(name, dir.path(), &format!("more/{name}"));
    }
    let goldens = dir.path().join("goldens");
    let run = |threads: &str| {
        let (junit, summary) =
            (dir.path().join(format!("j{threads}.xml")), dir.path().join(format!("s{threads}.md")));
        let args = [s(dir.path()), "--golden-dir", s(&goldens), "--threads", threads];
        let o = test(&[&args[..], &["--junit", s(&junit), "--summary", s(&summary)]].concat(), LOCAL);
        (o.code, o.stdout, o.stderr, std::fs::read(junit).unwrap(), std::fs::read(summary).unwrap())
    };
    // The first run writes the goldens under --golden-dir, mirroring the tree.
    let first = run("2");
    assert_eq!(first.0, 2, "{}", first.1);
    assert!(goldens.join("more/forbid-long-jobs.md").exists() && goldens.join("sub/fails.md").exists());
    let (one, two) = (run("1"), run("2"));
    assert_eq!(one, two);
    assert!(one.1.contains("5 passed; 1 failed; 1 invalid"), "{}", one.1);
}

#[test]
fn paths_that_hold_no_scenario_or_do_not_exist_are_exit_2() {
    let dir = ScratchDir::created("test-paths");
    copy("manifests/backup-from-cluster.yaml", dir.path(), "cronjob.yaml");
    let none = test(&[s(dir.path())], CI);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("no scenario files in"), "{}", none.stderr);
    let missing = test(&[s(&dir.path().join("nope"))], CI);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("nope") && missing.stderr.contains("hint: "), "{}", missing.stderr);
}

#[test]
fn help_teaches_outputs_exit_codes_and_examples() {
    let o = test(&["--help"], LOCAL);
    assert_eq!(o.code, 0);
    for part in
        ["Golden reports:", "--junit FILE", "Exit codes: 0", "CI=true", "cronwarp test scenarios/ --update"]
    {
        assert!(o.stderr.contains(part), "{part} missing from:\n{}", o.stderr);
    }
}

#[test]
fn a_golden_from_another_release_matches_unless_strict_versions() {
    let dir = ScratchDir::created("test-versions");
    copy("deadline-zero.yaml", dir.path(), "a.yaml");
    assert_eq!(test(&[s(dir.path())], LOCAL).code, 0);
    let golden = dir.path().join("a.golden.md");
    let text = std::fs::read_to_string(&golden).unwrap();
    let now = format!("cronwarp {}.", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&now), "{text}");
    std::fs::write(&golden, text.replacen(&now, "cronwarp 0.0.1-old.", 1).replacen("tzdb 20", "tzdb 19", 1))
        .unwrap();
    assert_eq!(test(&[s(dir.path())], CI).code, 0);
    let strict = test(&[s(dir.path()), "--strict-versions"], CI);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    assert!(strict.stdout.contains("cronwarp 0.0.1-old."), "the diff shows the versions: {}", strict.stdout);
}

/// A golden whose scenario was renamed is listed as stale (it would
/// otherwise look checked), without failing the gate or being deleted.
#[test]
fn a_golden_left_behind_by_a_rename_is_reported_as_stale() {
    let dir = ScratchDir::created("test-stale");
    let scenario = copy("downtime-catchup.yaml", dir.path(), "report.yaml");
    assert_eq!(test(&[s(dir.path())], LOCAL).code, 0);
    std::fs::rename(&scenario, dir.path().join("renamed.yaml")).unwrap();
    let out = test(&[s(dir.path())], LOCAL);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let stale = dir.path().join("report.golden.md");
    assert!(out.stdout.contains("stale golden reports (no scenario owns them"), "{}", out.stdout);
    assert!(out.stdout.contains(&format!("    {}\n", stale.display())), "{}", out.stdout);
    assert!(out.stdout.ends_with("1 golden report written; 1 golden report stale\n"), "{}", out.stdout);
    assert!(stale.exists(), "a stale golden is never deleted");
}
