//! A [`Gate`] for a terminal (like `cargo test`) and for a pull-request
//! comment (Markdown, size-capped).

use super::{Case, Gate, GoldenState, Outcome, Status};
use std::fmt::Write;

/// The most characters [`Gate::to_summary_markdown`] returns: GitHub
/// refuses a comment over 65,536, and the rest is room for whatever a
/// workflow puts around it.
pub const SUMMARY_LIMIT: usize = 60_000;

/// The most bytes of one diff in the summary, so that one scenario whose
/// report changed wholesale leaves room for the other failures.
const DIFF_LIMIT: usize = 16_000;

/// Room kept for the note that says the summary was cut.
const NOTE_ROOM: usize = 400;

/// Why a case did not pass, one finding per line; empty if it passed.
pub(super) fn detail(case: &Case) -> String {
    let mut s = String::new();
    let r = match &case.outcome {
        Outcome::Invalid { message, hint } => {
            let _ = writeln!(s, "error: {message}");
            if let Some(h) = hint {
                let _ = writeln!(s, "hint: {h}");
            }
            return s;
        }
        Outcome::Ran(r) => r,
    };
    for v in &r.violations {
        let _ = writeln!(s, "expectation failed: {} ({}): {}", v.expectation, v.cronjob, v.message);
    }
    let golden = case.golden.display();
    match &r.golden {
        GoldenState::Missing => {
            let _ = writeln!(
                s,
                "no golden report {golden}: rerun with --update (or --review) to write it, then review and \
                 commit it (with CI set, a missing golden fails rather than being written)"
            );
        }
        GoldenState::Differs { diff } => {
            let _ = writeln!(s, "golden report {golden} differs from this run (- golden, + this run):");
            s.push_str(diff);
            let _ = writeln!(
                s,
                "if the change is intended, rerun with --update (or --review) and commit {golden}"
            );
        }
        _ => {}
    }
    s
}

/// The word after a scenario's name on its line.
fn verdict(case: &Case) -> String {
    match (&case.outcome, case.status()) {
        (_, Status::Invalid) => "invalid".into(),
        (_, Status::Failed) => "FAILED".into(),
        (Outcome::Ran(r), Status::Passed) => match r.golden {
            GoldenState::New => format!("ok (new golden report {})", case.golden.display()),
            GoldenState::Updated { .. } => format!("ok (golden report {} updated)", case.golden.display()),
            _ => "ok".into(),
        },
        (Outcome::Invalid { .. }, Status::Passed) => "ok".into(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `41 passed; 0 failed; 0 invalid` and the goldens written.
fn totals(gate: &Gate) -> String {
    let mut s = format!("{} passed; {} failed; {} invalid", gate.passed(), gate.failed(), gate.invalid());
    if gate.written() > 0 {
        let _ = write!(s, "; {} written", plural(gate.written(), "golden report", "golden reports"));
    }
    if !gate.stale_goldens.is_empty() {
        let _ = write!(s, "; {} stale", plural(gate.stale_goldens.len(), "golden report", "golden reports"));
    }
    s
}

fn overall(gate: &Gate) -> &'static str {
    if gate.failed() + gate.invalid() == 0 { "ok" } else { "FAILED" }
}

pub(super) fn text(gate: &Gate) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "running {}", plural(gate.cases.len(), "scenario", "scenarios"));
    for case in &gate.cases {
        let _ = writeln!(s, "test {} ... {}", case.path.display(), verdict(case));
    }
    let failing: Vec<&Case> = gate.failing().collect();
    if !failing.is_empty() {
        s.push_str("\nfailures:\n");
        for case in &failing {
            let _ = write!(s, "\n---- {} ----\n{}", case.path.display(), detail(case));
        }
        s.push_str("\nfailures:\n");
        for case in &failing {
            let _ = writeln!(s, "    {}", case.path.display());
        }
    }
    if !gate.stale_goldens.is_empty() {
        s.push_str(
            "\nstale golden reports (no scenario owns them: delete them, or restore their scenarios):\n",
        );
        for g in &gate.stale_goldens {
            let _ = writeln!(s, "    {}", g.display());
        }
    }
    let _ = writeln!(s, "\ntest result: {}. {}", overall(gate), totals(gate));
    s
}

/// `<`, `>`, `&` and quotes as HTML entities, for the `<summary>` line.
fn html(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '&' => s.push_str("&amp;"),
            '"' => s.push_str("&quot;"),
            c => s.push(c),
        }
    }
    s
}

/// `text` in a fenced code block whose fence no line of it can close.
fn fenced(lang: &str, text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat((longest + 1).max(3));
    let nl = if text.ends_with('\n') { "" } else { "\n" };
    format!("{fence}{lang}\n{text}{nl}{fence}\n")
}

/// `text` cut at a line boundary to at most `limit` bytes, saying how
/// many lines were left out.
fn cut(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_string();
    }
    let mut end = 0;
    for (i, _) in text.match_indices('\n') {
        if i + 1 > limit {
            break;
        }
        end = i + 1;
    }
    let left = text[end..].lines().count();
    format!(
        "{}… {} cut here (the job log has it whole)\n",
        &text[..end],
        plural(left, "more line", "more lines")
    )
}

/// One scenario's `<details>` block.
fn section(case: &Case) -> String {
    let (mark, what) = match (&case.outcome, case.status()) {
        (Outcome::Invalid { .. }, _) => ("⚠️", "invalid".to_string()),
        (Outcome::Ran(r), Status::Failed) => {
            let mut parts = Vec::new();
            if !r.violations.is_empty() {
                parts.push(plural(r.violations.len(), "expectation failed", "expectations failed"));
            }
            match r.golden {
                GoldenState::Missing => parts.push("golden report missing".into()),
                GoldenState::Differs { .. } => parts.push("golden report differs".into()),
                _ => {}
            }
            ("❌", parts.join(", "))
        }
        (Outcome::Ran(r), _) => {
            let what = match r.golden {
                GoldenState::New => "ok, new golden report",
                GoldenState::Updated { .. } => "ok, golden report updated",
                _ => "ok",
            };
            ("✅", what.to_string())
        }
    };
    let mut s = format!("<details><summary>{mark} <code>{}</code>: {what}</summary>\n\n", html(&case.name));
    match &case.outcome {
        Outcome::Invalid { message, hint } => {
            let body = match hint {
                Some(h) => format!("error: {message}\nhint: {h}\n"),
                None => format!("error: {message}\n"),
            };
            s.push_str(&fenced("text", &cut(&body, DIFF_LIMIT)));
        }
        Outcome::Ran(r) => {
            for v in &r.violations {
                let _ = writeln!(
                    s,
                    "- expectation `{}` failed for `{}`: {}",
                    v.expectation,
                    v.cronjob,
                    html(&v.message)
                );
            }
            if !r.violations.is_empty() {
                s.push('\n');
            }
            let golden = html(&case.golden.display().to_string());
            match &r.golden {
                GoldenState::Matches => {
                    let _ = writeln!(s, "The report matches its golden copy `{golden}`.");
                }
                GoldenState::New => {
                    let _ = writeln!(s, "`{golden}` was written: review it and commit it.");
                }
                GoldenState::Missing => {
                    let _ = writeln!(
                        s,
                        "No golden report `{golden}`: run `cronwarp test --update` locally, review it and commit it."
                    );
                }
                GoldenState::Differs { diff } | GoldenState::Updated { diff } => {
                    let _ = writeln!(s, "Changes to `{golden}` (- golden, + this run):\n");
                    s.push_str(&fenced("diff", &cut(diff, DIFF_LIMIT)));
                }
            }
        }
    }
    s.push_str("\n</details>\n");
    s
}

pub(super) fn summary(gate: &Gate) -> String {
    let mut s = format!(
        "## cronwarp test: {}\n\n{} in {}.\n\n",
        overall(gate),
        totals(gate),
        plural(gate.cases.len(), "scenario", "scenarios")
    );
    let passing = gate.cases.iter().filter(|c| c.status() == Status::Passed);
    let ordered: Vec<&Case> = gate.failing().chain(passing).collect();
    for (i, case) in ordered.iter().enumerate() {
        let block = section(case);
        if s.len() + block.len() + NOTE_ROOM > SUMMARY_LIMIT {
            let rest = &ordered[i..];
            let failing = rest.iter().filter(|c| c.status() != Status::Passed).count();
            let _ = write!(
                s,
                "\n_This summary stops here to fit a pull-request comment ({} characters at most): {} not \
                 shown, {failing} of them failing. The job log and the JUnit report list every scenario._\n",
                SUMMARY_LIMIT,
                plural(rest.len(), "more scenario", "more scenarios"),
            );
            break;
        }
        s.push_str(&block);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_backticks_inside() {
        assert_eq!(fenced("diff", "a\n"), "```diff\na\n```\n");
        assert_eq!(fenced("", "x ```` y"), "`````\nx ```` y\n`````\n");
    }

    #[test]
    fn cutting_keeps_whole_lines_and_says_so() {
        assert_eq!(cut("ab\ncd\n", 100), "ab\ncd\n");
        assert_eq!(cut("ab\ncd\nef\n", 7), "ab\ncd\n… 1 more line cut here (the job log has it whole)\n");
        // Multi-byte characters are never split.
        assert!(cut("→→→\n→→→\n", 5).starts_with('…'));
    }
}
