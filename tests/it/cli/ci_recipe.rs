//! The CI recipes in `examples/ci/` run what they say: the `cronwarp test`
//! command of the GitHub workflow goes through the CLI's entry point
//! against a scratch repository laid out as the workflow expects, and the
//! files it writes are the ones the later steps (the PR comment, the JUnit
//! upload) and the GitLab job's artifacts read.

use crate::support::cli::cronwarp_in_process;
use crate::support::scratch::ScratchDir;
use serde_json::Value;
use std::path::Path;

fn yaml(file: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{file} is not YAML: {e}"))
}

/// The words of the one `cronwarp test …` line among `lines`.
fn test_command<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    let found: Vec<&str> = lines.filter(|l| l.trim_start().starts_with("cronwarp test ")).collect();
    assert_eq!(found.len(), 1, "one `cronwarp test` command: {found:?}");
    found[0].split_whitespace().skip(1).map(String::from).collect()
}

/// The value after `flag` in `args`.
fn flag<'a>(args: &'a [String], flag: &str) -> &'a str {
    let i = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("{flag} in {args:?}"));
    &args[i + 1]
}

/// A repository as the recipes expect: a scenario under `manifests/`
/// reading a CronJob manifest beside it, with its golden committed.
fn repository(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifests = dir.join("manifests");
    std::fs::create_dir_all(&manifests).unwrap();
    std::fs::copy(root.join("scenarios/from-cluster.yaml"), manifests.join("backup.yaml")).unwrap();
    std::fs::create_dir_all(manifests.join("manifests")).unwrap();
    std::fs::copy(
        root.join("scenarios/manifests/backup-from-cluster.yaml"),
        manifests.join("manifests/backup-from-cluster.yaml"),
    )
    .unwrap();
    let m = manifests.to_str().unwrap();
    let o = cronwarp_in_process(&["test", m, "--update"], "", &[]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
}

#[test]
fn the_github_workflow_runs_cronwarp_test_and_posts_what_it_wrote() {
    let workflow = yaml("examples/ci/github-actions.yml");
    let steps = workflow["jobs"]["cronwarp"]["steps"].as_array().expect("jobs.cronwarp.steps");
    let runs = steps.iter().filter_map(|s| s["run"].as_str());
    let args = test_command(runs.clone().flat_map(str::lines));
    assert!(runs.clone().any(|r| r.contains("cargo install --locked --git")), "installs with cargo");
    let dir = ScratchDir::created("ci-recipe-github");
    repository(dir.path());
    // Paths in the workflow are relative to the checkout: here, the scratch
    // repository.
    let rooted: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with('-') || a == "test" {
                a.clone()
            } else {
                dir.path().join(a).display().to_string()
            }
        })
        .collect();
    let argv: Vec<&str> = rooted.iter().map(String::as_str).collect();
    let o = cronwarp_in_process(&argv, "", &[("CI", "true")]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let summary = flag(&args, "--summary");
    let junit = flag(&args, "--junit");
    let text = std::fs::read_to_string(dir.path().join(summary)).unwrap();
    assert!(text.starts_with("## cronwarp test: ok"), "{text}");
    assert!(std::fs::read_to_string(dir.path().join(junit)).unwrap().contains(r#"tests="1" failures="0""#));
    // The later steps read those files.
    let uses = |action: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
            .unwrap_or_else(|| panic!("a step using {action}"))
    };
    assert_eq!(uses("marocchino/sticky-pull-request-comment")["with"]["path"], summary);
    assert_eq!(uses("actions/upload-artifact")["with"]["path"], junit);
    assert_eq!(uses("actions/cache")["with"]["path"], "~/.cargo/bin/cronwarp", "where cargo install puts it");
}

#[test]
fn the_gitlab_job_keeps_the_files_cronwarp_test_writes() {
    let ci = yaml("examples/ci/gitlab-ci.yml");
    let job = &ci["cronwarp"];
    let script = job["script"].as_array().expect("cronwarp.script");
    let args = test_command(script.iter().filter_map(Value::as_str));
    assert_eq!(job["artifacts"]["reports"]["junit"], flag(&args, "--junit"));
    assert_eq!(job["artifacts"]["paths"][0], flag(&args, "--summary"));
    assert_eq!(job["artifacts"]["when"], "always", "a failing run's reports are the ones to read");
    // The same command as the GitHub workflow's, which the test above runs.
    let github = yaml("examples/ci/github-actions.yml");
    let runs =
        github["jobs"]["cronwarp"]["steps"].as_array().unwrap().iter().filter_map(|s| s["run"].as_str());
    assert_eq!(args, test_command(runs.flat_map(str::lines)));
}
