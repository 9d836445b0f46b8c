//! `cronwarp render`: stdout, stderr and exit codes of the real binary.

use crate::support::cli::{Out, cronwarp};

fn render(file: &str) -> Out {
    cronwarp(&["render", file])
}

#[test]
fn sample_prints_one_batch_v1_cronjob_and_exits_0() {
    let r = render("tests/fixtures/kubevela/ledger-maintenance.yaml");
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "");
    assert!(r.stdout.starts_with("apiVersion: batch/v1\nkind: CronJob\n"), "{}", r.stdout);
    assert!(r.stdout.contains("\n  timeZone: Europe/Madrid\n"));
    assert!(!r.stdout.contains("---"));
}

#[test]
fn stdout_matches_the_library_snapshot() {
    let r = render("scenarios/manifests/kubevela-cron-task.yaml");
    let snap = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/snapshots/kubevela_ledger_compactor_cronjob.snap"
    ))
    .unwrap_or_default();
    // The snapshot body follows insta's `---`-delimited header.
    let body = snap.splitn(3, "---\n").nth(2).unwrap_or_default();
    assert!(!body.is_empty(), "snapshot missing");
    assert_eq!(r.stdout, body);
}

#[test]
fn several_cron_tasks_are_separated_by_document_markers_with_warnings_on_stderr() {
    let r = render("tests/fixtures/kubevela/mixed.yaml");
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.matches("kind: CronJob\n").count(), 2);
    assert_eq!(r.stdout.matches("\n---\n").count(), 1);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 4, "{}", r.stderr);
    assert!(
        warnings[0].starts_with("warning: tests/fixtures/kubevela/mixed.yaml:11:7: component \"frontend\"")
    );
}

#[test]
fn invalid_inputs_exit_2_with_a_located_error_and_no_output() {
    for (file, located) in [
        (
            "restart-always.yaml",
            "restart-always.yaml:15:9: component \"cleanup\" renders a CronJob the API server rejects",
        ),
        ("bad-timezone.yaml", "bad-timezone.yaml:17:15: component \"cleanup\" renders a CronJob"),
        ("cpu-unquoted.yaml", "cpu-unquoted.yaml:13:9: conflicting values"),
        ("not-yaml.yaml", "not-yaml.yaml:5:2: "),
        ("no-cron-task.yaml", "no-cron-task.yaml:6:3: the Application has no cron-task component"),
    ] {
        let r = render(&format!("tests/fixtures/kubevela/{file}"));
        assert_eq!(r.code, 2, "{file}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{file}: nothing may be printed");
        assert!(
            r.stderr.contains(&format!("error: tests/fixtures/kubevela/{located}")),
            "{file}: {}",
            r.stderr
        );
    }
}

#[test]
fn missing_file_exits_2() {
    let r = render("tests/fixtures/kubevela/does-not-exist.yaml");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("error: cannot read tests/fixtures/kubevela/does-not-exist.yaml"),
        "{}",
        r.stderr
    );
}

#[test]
fn help_lists_the_render_subcommand() {
    let text = cronwarp(&["--help"]).stdout;
    assert!(text.contains("render "), "{text}");
    assert!(text.contains("cronwarp render scenarios/manifests/kubevela-cron-task.yaml"));
}

#[test]
fn the_same_cronjob_rendered_twice_is_refused_at_the_second() {
    // #14 item 11: two identical Applications printed two CronJobs.
    let dir = crate::support::scratch::ScratchDir::created("render-dup");
    let app = std::fs::read_to_string("scenarios/manifests/kubevela-cron-task.yaml").unwrap();
    let file = dir.path().join("twice.yaml");
    std::fs::write(&file, format!("{app}---\n{app}")).unwrap();
    let r = render(file.to_str().unwrap());
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert_eq!(r.stdout, "");
    let first_line = r.stderr.lines().next().unwrap_or_default();
    assert!(
        first_line.contains(
            "renders CronJob finance/ledger-compactor, which Application \"ledger-maintenance\" at"
        ),
        "{}",
        r.stderr
    );
    assert!(first_line.contains("a cluster holds one CronJob per namespace and name"), "{}", r.stderr);
}
