//! A [`Gate`] as JUnit XML, the report format CI systems read (GitLab's
//! `artifacts:reports:junit`, GitHub actions that annotate a pull
//! request). One `<testcase>` per scenario; no timestamps or durations, so
//! the same run gives the same bytes.

use super::{Case, Gate, GoldenState, Outcome, Status};
use std::fmt::Write;

/// `text` escaped for XML character data or a quoted attribute. Characters
/// XML 1.0 cannot hold at all (most control characters) become U+FFFD;
/// in an attribute, line breaks and tabs become character references,
/// which a parser would otherwise fold into spaces.
fn escape(text: &str, attribute: bool) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            '\n' if attribute => s.push_str("&#10;"),
            '\r' if attribute => s.push_str("&#13;"),
            '\t' if attribute => s.push_str("&#9;"),
            '\n' | '\r' | '\t' => s.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => s.push('\u{FFFD}'),
            c => s.push(c),
        }
    }
    s
}

/// The one-line `message` attribute of a case that did not pass.
fn message(case: &Case) -> String {
    match &case.outcome {
        Outcome::Invalid { message, .. } => message.lines().next().unwrap_or_default().to_string(),
        Outcome::Ran(r) => {
            let mut parts: Vec<String> = r
                .violations
                .iter()
                .map(|v| format!("expectation {} failed for {}", v.expectation, v.cronjob))
                .collect();
            match r.golden {
                GoldenState::Missing => parts.push(format!("no golden report {}", case.golden.display())),
                GoldenState::Differs { .. } => {
                    parts.push(format!("golden report {} differs", case.golden.display()));
                }
                _ => {}
            }
            parts.join("; ")
        }
    }
}

pub(super) fn junit(gate: &Gate) -> String {
    let (tests, failures, errors) = (gate.cases.len(), gate.failed(), gate.invalid());
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="{errors}" skipped="0""#);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(s, r#"<testsuites name="cronwarp test" {counts}>"#);
    let _ = writeln!(s, r#"  <testsuite name="cronwarp test" {counts}>"#);
    for case in &gate.cases {
        let path = escape(&case.path.display().to_string(), true);
        let head = format!(r#"    <testcase name="{path}" classname="cronwarp" file="{path}""#);
        let element = match case.status() {
            Status::Passed => {
                let _ = writeln!(s, "{head}/>");
                continue;
            }
            Status::Failed => "failure",
            Status::Invalid => "error",
        };
        let kind = if element == "error" { "invalid" } else { "failed" };
        let _ = writeln!(s, "{head}>");
        let _ = writeln!(
            s,
            r#"      <{element} message="{}" type="{kind}">{}</{element}>"#,
            escape(&message(case), true),
            escape(&super::render::detail(case), false)
        );
        let _ = writeln!(s, "    </testcase>");
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_quotes_and_unrepresentable_characters() {
        assert_eq!(
            escape(r#"<a href="x">&'</a>"#, false),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(escape("a\nb\u{1b}[0m", false), "a\nb\u{FFFD}[0m");
        assert_eq!(escape("a\nb\tc", true), "a&#10;b&#9;c");
    }
}
