//! CLI conventions (issue #15, part 6): shell completions and man pages
//! generated from the clap definitions.

use crate::support::cli::cronwarp;

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
    assert!(run.contains("\\-\\-format") || run.contains("--format"), "the run page lists its options");
    let _ = std::fs::remove_dir_all(&dir);
}
