//! CLI conventions (issue #15, part 6): shell completions and man pages
//! generated from the clap definitions, and `--format json` for `schedule`
//! and `explain`, versioned and described by `cronwarp schema`.

use crate::support::cli::cronwarp;
use cronwarp::schedule::output::{Explanation, FireTimes, SCHEDULE_SCHEMA_VERSION};

/// Every subcommand, as `cronwarp --help` lists them.
fn subcommands() -> Vec<String> {
    let help = cronwarp(&["--help"]).stdout;
    let list: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for c in ["run", "schedule", "explain", "completions", "man"] {
        assert!(list.iter().any(|x| x == c), "--help lists {c}: {list:?}");
    }
    list
}

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    let subs = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let o = cronwarp(&["completions", shell]);
        assert_eq!(o.code, 0, "{shell}: {}", o.stderr);
        assert!(!o.stdout.is_empty(), "{shell}: empty script");
        for s in &subs {
            assert!(o.stdout.contains(s.as_str()), "{shell}: the script does not name `{s}`");
        }
    }
    let o = cronwarp(&["completions", "tcsh"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn man_prints_a_roff_page_naming_every_subcommand() {
    let o = cronwarp(&["man"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.starts_with(".ie") || o.stdout.contains(".TH cronwarp"),
        "{}",
        &o.stdout[..200.min(o.stdout.len())]
    );
    for s in subcommands() {
        assert!(o.stdout.contains(&s), "the man page does not name `{s}`");
    }
}

#[test]
fn man_out_writes_one_page_per_subcommand() {
    let dir = std::env::temp_dir().join(format!("cronwarp-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let o = cronwarp(&["man", "--out", dir.to_str().expect("utf-8")]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let top = std::fs::read_to_string(dir.join("cronwarp.1")).expect("cronwarp.1");
    assert!(top.contains(".TH cronwarp"), "{top}");
    for s in subcommands() {
        let page = std::fs::read_to_string(dir.join(format!("cronwarp-{s}.1")))
            .unwrap_or_else(|e| panic!("cronwarp-{s}.1: {e}"));
        assert!(page.contains(&format!("cronwarp-{s}")), "cronwarp-{s}.1 names itself");
    }
    let run = std::fs::read_to_string(dir.join("cronwarp-run.1")).expect("cronwarp-run.1");
    assert!(run.contains("\\fBcronwarp run\\fR"), "the synopsis names the whole command line");
    assert!(run.contains("\\-\\-format") || run.contains("--format"), "the run page lists its options");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schedule_json_is_versioned_and_matches_the_text() {
    let args =
        ["schedule", "--from", "2025-03-08T00:00:00Z", "-n", "2", "--tz", "America/New_York", "30 2 * * *"];
    let text = cronwarp(&args);
    let o = cronwarp(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(o.code, 0, "{}", o.stderr);
    let f: FireTimes = serde_json::from_str(&o.stdout).expect("FireTimes JSON");
    assert_eq!(f.schema_version, SCHEDULE_SCHEMA_VERSION);
    assert_eq!(f.parsed_as, "TZ=America/New_York 30 2 * * *");
    assert_eq!(f.zone, "America/New_York");
    assert_eq!(f.fire_times, text.stdout.lines().collect::<Vec<_>>());
    assert_eq!(f.ended, None);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["fireTimes"][1], "2025-03-10T02:30:00-04:00");
    // A schedule that never fires: the list is short, and says why.
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "--format", "json", "0 0 30 2 *"]);
    let f: FireTimes = serde_json::from_str(&o.stdout).expect("FireTimes JSON");
    assert!(f.fire_times.is_empty());
    assert_eq!(f.ended.as_deref(), Some("searchWindow"));
    // Warnings are in the JSON and still on stderr.
    let o = cronwarp(&["schedule", "--from", "2025-01-01T00:00:00Z", "--format", "json", "TZ=UTC 0 * * * *"]);
    let f: FireTimes = serde_json::from_str(&o.stdout).expect("FireTimes JSON");
    assert!(!f.warnings.is_empty() && o.stderr.contains("warning:"), "{}", o.stderr);
}

#[test]
fn explain_json_carries_the_text_as_data() {
    let o = cronwarp(&[
        "explain",
        "--from",
        "2025-01-01T00:00:00Z",
        "--tz",
        "America/New_York",
        "--format",
        "json",
        "30 1 * * *",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let e: Explanation = serde_json::from_str(&o.stdout).expect("Explanation JSON");
    assert_eq!(e.schema_version, SCHEDULE_SCHEMA_VERSION);
    assert_eq!(e.zone.as_deref(), Some("America/New_York"));
    assert!(!e.controller_zone);
    assert_eq!(e.next_runs.len(), 5);
    assert_eq!(e.next_runs[0].time, "2025-01-01T01:30:00-05:00");
    assert_eq!(e.next_runs[0].weekday, "Wed");
    assert!(e.dst.applies);
    let fold = e.dst.anomalies.iter().find(|a| a.kind == "fold").expect("the November fold");
    assert_eq!(fold.instants.len(), 2);
    assert!(fold.wall.starts_with("2025-11-02 01:30"), "{}", fold.wall);
    // Both day fields restricted: the OR rule; @every: no zone, no DST.
    let o = cronwarp(&["explain", "--from", "2025-01-01T00:00:00Z", "--format", "json", "0 0 13 * 5"]);
    let e: Explanation = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!(e.day_rule.as_deref(), Some("or"));
    assert!(e.controller_zone);
    let o = cronwarp(&["explain", "--from", "2025-01-01T00:00:00Z", "--format", "json", "@every 90m"]);
    let e: Explanation = serde_json::from_str(&o.stdout).expect("JSON");
    assert_eq!((e.zone, e.dst.applies, e.dst.anomalies.len()), (None, false, 0));
    // Text stays the default.
    let o = cronwarp(&["explain", "--from", "2025-01-01T00:00:00Z", "@daily"]);
    assert!(o.stdout.starts_with("Schedule   @daily"), "{}", o.stdout);
}

#[test]
fn schema_prints_the_schedule_and_explain_schemas() {
    for (which, def) in [("schedule", "fireTimes"), ("explain", "nextRuns")] {
        let o = cronwarp(&["schema", which]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let s: serde_json::Value = serde_json::from_str(&o.stdout).expect("a schema is JSON");
        assert!(s["properties"][def].is_object(), "{which}: {def}");
        assert!(s["properties"]["schemaVersion"].is_object());
    }
}

/// A scenario whose `expect:` group selects nothing, in a scratch file:
/// its error is located at `line:7`.
fn bad_scenario(test: &str) -> (std::path::PathBuf, usize) {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/expect-per-workload.yaml"))
            .expect("the bundled scenario");
    let text = text.replace("name: \"backup-*\"", "name: \"bakup-*\"");
    let line = text.lines().position(|l| l.contains("bakup-*")).expect("the edited line") + 1;
    // One file per test: the tests run in parallel and each removes its own.
    let path = std::env::temp_dir().join(format!("cronwarp-snippet-{test}-{}.yaml", std::process::id()));
    std::fs::write(&path, text).expect("a scratch file");
    (path, line)
}

#[test]
fn errors_show_the_source_line_only_when_asked_or_on_a_terminal() {
    let (path, line) = bad_scenario("piped");
    let p = path.to_str().expect("utf-8");
    let first = format!("error: {p}:{line}:7: expect.groups[0].select: selects no workload");
    // Piped stderr (auto): the plain lines alone, as before.
    let plain = cronwarp(&["run", p]);
    assert_eq!(plain.code, 2);
    assert!(plain.stderr.starts_with(&first), "{}", plain.stderr);
    assert!(!plain.stderr.contains("-->") && !plain.stderr.contains('\x1b'), "{}", plain.stderr);
    assert_eq!(cronwarp(&["run", p, "--color", "never"]).stderr, plain.stderr);
    // --color always: the same lines first, then the line with a caret,
    // coloured.
    let o = cronwarp(&["--color", "always", "run", p]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.starts_with(&plain.stderr), "{}", o.stderr);
    let snippet = &o.stderr[plain.stderr.len()..];
    assert!(snippet.contains("name: \"bakup-*\""), "{snippet}");
    assert!(snippet.contains("^^^^^^") && snippet.contains('\x1b'), "{snippet}");
    assert!(snippet.contains(&format!("{p}:{line}:7")), "{snippet}");
    // An error without a position has no snippet.
    let o = cronwarp(&["--color", "always", "schedule", "0 0 * * 7"]);
    assert!(!o.stderr.contains("-->"), "{}", o.stderr);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn on_a_terminal_errors_show_the_source_line_coloured_unless_no_color() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let (path, _) = bad_scenario("terminal");
    for no_color in [false, true] {
        let (mut controller, terminal) = match crate::support::pty::open() {
            Ok(pair) => pair,
            Err(e) => {
                eprintln!("SKIPPED: no pseudo-terminal here ({e}); the snippet test needs one");
                return;
            }
        };
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cronwarp"));
        cmd.args(["run"]).arg(&path).stdout(Stdio::null()).stderr(Stdio::from(terminal));
        if no_color {
            cmd.env("NO_COLOR", "1");
        } else {
            cmd.env_remove("NO_COLOR");
        }
        let mut child = cmd.spawn().expect("cronwarp starts");
        // The Command holds its copy of the terminal until dropped, and the
        // read below ends only once no one else has it open.
        drop(cmd);
        let drawn = std::thread::spawn(move || {
            let mut b = Vec::new();
            let _ = controller.read_to_end(&mut b);
            b
        });
        let status = child.wait().expect("cronwarp ends");
        assert_eq!(status.code(), Some(2));
        let drawn = String::from_utf8_lossy(&drawn.join().expect("reader")).into_owned();
        assert!(drawn.contains("bakup-*") && drawn.contains("^^^^^^"), "{drawn}");
        assert_eq!(drawn.contains('\x1b'), !no_color, "NO_COLOR={no_color}: {drawn:?}");
    }
    let _ = std::fs::remove_file(&path);
}
