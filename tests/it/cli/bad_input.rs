//! The bad-input corpus (tests/data/bad-input/cases.yaml): careless and
//! hostile input to every subcommand and every kind of file, each case with
//! the exit code and the start of the message it must get. The cases run
//! in-process through `cronwarp::cli::execute`, each in a scratch
//! directory of its own (`{dir}` in a case's arguments, input and message).
//!
//! A case's files are text, a template of the table with replacements, raw
//! bytes (`hex`), or a directory or FIFO; `/dev/zero` is named directly.
//! The line a message is compared with is the first line of the stream
//! (stderr unless `stream: stdout`) that starts with `error`, `warning` or
//! `note`, else its first line.

use crate::support::cli::{Out, cronwarp_in_process};
use crate::support::scratch::ScratchDir;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad-input/cases.yaml");

/// Fewer cases than this means the table lost some.
const AT_LEAST: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    templates: BTreeMap<String, String>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    args: Vec<String>,
    #[serde(default)]
    files: BTreeMap<String, File>,
    #[serde(default)]
    stdin: String,
    exit: i32,
    #[serde(default)]
    stream: Stream,
    message: String,
}

#[derive(Deserialize, Default, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Stream {
    #[default]
    Stderr,
    Stdout,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Text(String),
    Special(Special),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Special {
    #[serde(default)]
    template: Option<String>,
    #[serde(default)]
    replace: Vec<(String, String)>,
    #[serde(default)]
    append: String,
    /// Raw bytes, then the template's text if one is named.
    #[serde(default)]
    hex: Option<String>,
    #[serde(default)]
    dir: bool,
    #[serde(default)]
    fifo: bool,
}

fn text_of(templates: &BTreeMap<String, String>, case: &str, s: &Special) -> String {
    let Some(name) = &s.template else { return s.append.clone() };
    let mut text = templates.get(name).unwrap_or_else(|| panic!("{case}: no template {name}")).clone();
    for (from, to) in &s.replace {
        assert!(text.contains(from.as_str()), "{case}: template {name} has no {from:?}");
        text = text.replacen(from.as_str(), to, 1);
    }
    text + &s.append
}

fn hex(case: &str, h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap_or_else(|e| panic!("{case}: hex: {e}")))
        .collect()
}

fn materialize(templates: &BTreeMap<String, String>, case: &Case, dir: &Path) {
    for (name, file) in &case.files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        match file {
            File::Text(t) => std::fs::write(&path, t).unwrap(),
            File::Special(s) if s.dir => std::fs::create_dir_all(&path).unwrap(),
            File::Special(s) if s.fifo => make_fifo(&path),
            File::Special(s) => {
                let mut bytes = s.hex.as_deref().map(|h| hex(&case.name, h)).unwrap_or_default();
                if s.template.is_some() || s.hex.is_none() {
                    bytes.extend(text_of(templates, &case.name, s).into_bytes());
                }
                std::fs::write(&path, bytes).unwrap();
            }
        }
    }
}

fn make_fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// The line a case's message is compared with.
fn message_line(text: &str) -> &str {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.clone().next().unwrap_or("");
    lines
        .find(|l| ["error", "internal error", "warning", "note"].iter().any(|p| l.starts_with(p)))
        .unwrap_or(first)
}

fn run_case(templates: &BTreeMap<String, String>, case: &Case) -> Result<(), String> {
    let scratch = ScratchDir::created("bad-input");
    let dir = scratch.path().display().to_string();
    materialize(templates, case, scratch.path());
    let args: Vec<String> = case.args.iter().map(|a| a.replace("{dir}", &dir)).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stdin = case.stdin.replace("{dir}", &dir);
    let start = std::time::Instant::now();
    let o: Out = cronwarp_in_process(&args, &stdin, &[]);
    let took = start.elapsed();
    let stream = if case.stream == Stream::Stdout { &o.stdout } else { &o.stderr };
    let line = message_line(stream).replace(&dir, "{dir}");
    let mut problems = Vec::new();
    if o.code != case.exit {
        problems.push(format!("exit {} (expected {})", o.code, case.exit));
    }
    if !line.starts_with(&case.message) {
        problems.push(format!("message {line:?}\n    expected to start {:?}", case.message));
    }
    if o.stderr.contains("panicked") {
        problems.push(format!("panicked: {}", o.stderr));
    }
    if took > std::time::Duration::from_secs(30) {
        problems.push(format!("took {took:?}"));
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{}: {}", case.name, problems.join("; "))) }
}

#[test]
fn every_bad_input_gets_its_exit_code_and_message() {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table: Table = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    assert!(table.cases.len() >= AT_LEAST, "only {} cases", table.cases.len());
    let mut names = std::collections::BTreeSet::new();
    for c in &table.cases {
        assert!(names.insert(c.name.as_str()), "two cases named {}", c.name);
        assert!(!c.message.is_empty(), "{}: no message", c.name);
    }
    // Parsing a 64-deep file recurses as deep as the binary's main thread
    // allows (8 MiB), more than a test thread's default.
    let failures = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            table.cases.iter().filter_map(|c| run_case(&table.templates, c).err()).collect::<Vec<_>>()
        })
        .expect("a thread")
        .join()
        .expect("no panic");
    assert!(failures.is_empty(), "{} cases failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_subcommand_that_reads_input_has_cases() {
    let text = std::fs::read_to_string(TABLE).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    let table: Table = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{TABLE}: {e}"));
    for command in ["run", "compare", "sweep", "render", "schedule", "explain", "lint", "test"] {
        let n = table.cases.iter().filter(|c| c.args.first().map(String::as_str) == Some(command)).count();
        assert!(n >= 5, "only {n} cases for {command}");
    }
}
