//! Comparing a report with its golden copy: line endings and the tool's
//! versions set aside, differences shown as a unified diff.

use std::borrow::Cow;

/// Lines from the top of a report searched for the versions: the title,
/// a blank line, the header paragraph.
const HEADER_LINES: usize = 5;

/// `tzdb 2025b, cronwarp 0.1.0`: the versions as the report's header
/// paragraph prints them (`report::render`).
fn fragment(tzdb: &str, cronwarp: &str) -> String {
    format!("tzdb {tzdb}, cronwarp {cronwarp}")
}

/// The tzdb and cronwarp versions named in a report's header, if it has
/// them where a report puts them.
pub(crate) fn versions_in(text: &str) -> Option<(&str, &str)> {
    text.lines().take(HEADER_LINES).find_map(|line| {
        let (_, rest) = line.split_once("tzdb ")?;
        let (tzdb, rest) = rest.split_once(", cronwarp ")?;
        let cronwarp = rest.split([' ', ',']).next()?;
        // The sentence's full stop; a version never ends in one.
        let cronwarp = cronwarp.strip_suffix('.').unwrap_or(cronwarp);
        let word = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace);
        (word(tzdb) && word(cronwarp)).then_some((tzdb, cronwarp))
    })
}

/// `None` when `actual` (a report this run rendered, naming the versions
/// `now`) is what `golden` holds; else the unified diff from the golden to
/// the report. A golden with Windows line endings (a checkout with
/// `core.autocrlf`) is the same golden. Unless `strict`, the golden's own
/// tzdb and cronwarp versions are put into the report before comparing,
/// so a golden written by another release or with another time-zone
/// database still matches, and a diff never shows the versions.
pub(crate) fn compare(
    golden: &str,
    actual: &str,
    now: (&str, &str),
    strict: bool,
    labels: (&str, &str),
) -> Option<String> {
    let golden: Cow<str> =
        if golden.contains('\r') { golden.replace("\r\n", "\n").into() } else { golden.into() };
    let actual: Cow<str> = match versions_in(&golden) {
        Some(was) if !strict && was != now => {
            actual.replacen(&fragment(now.0, now.1), &fragment(was.0, was.1), 1).into()
        }
        _ => actual.into(),
    };
    (golden != actual).then(|| unified(&golden, &actual, labels))
}

/// The line diff from `old` to `new` as `diff -u` prints it, three lines
/// of context, headed `--- labels.0` / `+++ labels.1`. Without a timeout,
/// so the same texts give the same diff on any machine.
pub(crate) fn unified(old: &str, new: &str, labels: (&str, &str)) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(labels.0, labels.1)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = "# cronwarp report: a.yaml\n\nHorizon x, seed 1, tzdb 2024a, cronwarp 0.0.9.\n\n## CronJob a\n\nTicks: 3.\n";
    const LABELS: (&str, &str) = ("a.golden.md", "this run");

    #[test]
    fn versions_are_read_from_the_header() {
        assert_eq!(versions_in(GOLDEN), Some(("2024a", "0.0.9")));
        assert_eq!(versions_in("# title\n\nno versions\n"), None);
    }

    #[test]
    fn other_versions_match_unless_strict() {
        let now = GOLDEN.replace("2024a", "2025b").replace("0.0.9", "0.1.0");
        assert_eq!(compare(GOLDEN, &now, ("2025b", "0.1.0"), false, LABELS), None);
        let diff = compare(GOLDEN, &now, ("2025b", "0.1.0"), true, LABELS).expect("strict sees the versions");
        assert!(diff.contains("-Horizon x, seed 1, tzdb 2024a, cronwarp 0.0.9."), "{diff}");
        assert!(diff.contains("+Horizon x, seed 1, tzdb 2025b, cronwarp 0.1.0."), "{diff}");
    }

    #[test]
    fn a_change_shows_as_a_unified_diff_without_the_versions() {
        let now = GOLDEN.replace("2024a", "2025b").replace("Ticks: 3.", "Ticks: 4.");
        let diff = compare(GOLDEN, &now, ("2025b", "0.0.9"), false, LABELS).expect("the ticks differ");
        assert!(diff.starts_with("--- a.golden.md\n+++ this run\n@@ "), "{diff}");
        assert!(diff.contains("-Ticks: 3.\n+Ticks: 4.\n"), "{diff}");
        assert!(!diff.contains("2025b"), "{diff}");
    }

    /// The report's header is someone else's text: if it stops printing
    /// the versions as `tzdb X, cronwarp Y`, every golden of another
    /// release would fail, so this fails first.
    #[test]
    fn a_rendered_report_names_its_versions_where_they_are_looked_for() {
        let scenario = crate::Scenario::builder()
            .horizon("2025-03-03T10:00:00Z", "2025-03-03T10:10:00Z")
            .workload(
                "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: r, namespace: d, creationTimestamp: \
                 '2025-03-03T09:00:00Z'}\nspec:\n  schedule: '*/5 * * * *'\n  jobTemplate:\n    spec:\n      \
                 template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: r, \
                 image: busybox}]\n",
            )
            .build()
            .expect("a valid scenario");
        let run = crate::run(&scenario, crate::RunOptions::default()).expect("it runs");
        let text = crate::report::render_markdown_full(run.report());
        assert_eq!(
            versions_in(&text),
            Some((chrono_tz::IANA_TZDB_VERSION, env!("CARGO_PKG_VERSION"))),
            "{text}"
        );
    }

    #[test]
    fn windows_line_endings_are_the_same_golden() {
        assert_eq!(compare(&GOLDEN.replace('\n', "\r\n"), GOLDEN, ("2024a", "0.0.9"), true, LABELS), None);
    }
}
