//! Markdown that fits a PR comment. GitHub refuses a comment over 65,536
//! characters; a report of a hundred CronJobs is longer than that. A short
//! report prints whole, exactly as before; a long one prints its summary
//! first (everything outside the workloads' sections, then one line per
//! workload) and each workload's details inside a collapsed `<details>`,
//! and when even that is too long, the details that do not fit are cut
//! with a line saying how many and where the rest is.

use super::render::{Block, cols, markdown_of};

/// The most characters (not bytes) of a Markdown report meant for a PR
/// comment: GitHub's limit is 65,536, and a CI step often adds a line or
/// two around the report.
pub const PR_COMMENT_CHARS: usize = 60_000;

/// Room kept for the line that says what was cut.
const CUT_LINE_ROOM: usize = 600;

/// One workload's section: its one-line summary and its blocks.
struct Section<'a> {
    key: &'a str,
    summary: &'a str,
    blocks: Vec<&'a Block>,
}

/// `blocks` as Markdown of at most [`PR_COMMENT_CHARS`] characters when
/// it has workload sections to fold. `full` says where every detail is
/// (it ends the line about what was cut).
pub(crate) fn markdown_fitting(blocks: Vec<Block>, full: &str) -> String {
    markdown_fitting_within(blocks, full, PR_COMMENT_CHARS)
}

/// [`markdown_fitting`] with any limit (tests use small ones).
pub(crate) fn markdown_fitting_within(blocks: Vec<Block>, full: &str, limit: usize) -> String {
    let whole = markdown_of(&blocks);
    if whole.chars().count() <= limit {
        return whole;
    }
    let (summary, sections) = split(&blocks);
    if sections.is_empty() {
        return whole;
    }
    let mut out = markdown_of(&summary.into_iter().cloned().collect::<Vec<_>>());
    let budget = limit.saturating_sub(CUT_LINE_ROOM);
    out.push_str(&overview(&sections, budget.saturating_sub(chars(&out)) / 2));
    let mut used = chars(&out);
    let mut shown = 0;
    for s in &sections {
        let body = markdown_of(&s.blocks.iter().map(|b| (*b).clone()).collect::<Vec<_>>());
        let piece = format!(
            "<details><summary>{}: {}</summary>\n\n{body}</details>\n\n",
            html_text(s.key),
            html_text(s.summary)
        );
        let n = chars(&piece);
        if used + n > budget {
            break;
        }
        out.push_str(&piece);
        used += n;
        shown += 1;
    }
    let cut = sections.len() - shown;
    if cut > 0 {
        out.push_str(&format!(
            "**Details of {cut} of {} workloads cut** to keep this report under {} characters (a PR \
             comment's size); {full}.\n",
            sections.len(),
            group(limit)
        ));
    }
    out
}

/// The blocks outside any workload section (in order), and the sections.
fn split(blocks: &[Block]) -> (Vec<&Block>, Vec<Section<'_>>) {
    let mut rest = Vec::new();
    let mut sections: Vec<Section<'_>> = Vec::new();
    let mut open = false;
    let mut after_marker = false;
    for b in blocks {
        match b {
            Block::Workload { key, summary } => {
                sections.push(Section { key, summary, blocks: Vec::new() });
                open = true;
                after_marker = true;
                continue;
            }
            Block::Heading(2, _) if !after_marker => open = false,
            _ => {}
        }
        after_marker = false;
        match sections.last_mut() {
            Some(s) if open => s.blocks.push(b),
            _ => rest.push(b),
        }
    }
    (rest, sections)
}

/// The one-line-per-workload table, at most `budget` characters (the rows
/// that do not fit are counted in a last row).
fn overview(sections: &[Section<'_>], budget: usize) -> String {
    let mut rows = Vec::new();
    let mut used = 0;
    for (i, s) in sections.iter().enumerate() {
        let n = s.key.len() + s.summary.len() + 8;
        if used + n > budget {
            rows.push(vec![format!("… {} more", sections.len() - i), String::new()]);
            break;
        }
        used += n;
        rows.push(vec![s.key.to_string(), s.summary.to_string()]);
    }
    let head = format!("Workloads ({})", sections.len());
    let note = "Each workload's details are folded below; click one to open it.";
    markdown_of(&[
        Block::Heading(2, head),
        Block::Para(note.into()),
        Block::Table { head: cols(&["workload", "ticks"]), rows },
    ])
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Text inside an HTML element of a Markdown document (`<summary>`).
fn html_text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// 60000 → "60,000".
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(workloads: usize, rows_each: usize) -> Vec<Block> {
        let mut d = vec![Block::Heading(1, "report".into()), Block::Para("horizon".into())];
        for w in 0..workloads {
            d.push(Block::Workload { key: format!("ns/w{w}"), summary: format!("{w} ticks") });
            d.push(Block::Heading(2, format!("CronJob ns/w{w}")));
            let rows = (0..rows_each).map(|r| vec![format!("row {r} of w{w}")]).collect();
            d.push(Block::Table { head: cols(&["x"]), rows });
        }
        d.push(Block::Heading(2, "Expectations".into()));
        d.push(Block::Para("All 3 expectations hold.".into()));
        d
    }

    #[test]
    fn a_short_report_prints_whole() {
        let d = doc(2, 2);
        let whole = markdown_of(&d);
        assert_eq!(markdown_fitting_within(d, "see json", 10_000), whole);
    }

    #[test]
    fn a_long_report_folds_each_workload_after_the_summary() {
        let out = markdown_fitting_within(doc(5, 40), "see json", 2_000);
        assert!(out.chars().count() <= 2_000, "{out}");
        assert!(out.starts_with("# report\n\nhorizon\n\n## Expectations"), "{out}");
        assert!(out.contains("| ns/w4 | 4 ticks |"), "{out}");
        assert!(out.contains("<details><summary>ns/w0: 0 ticks</summary>\n\n## CronJob ns/w0"), "{out}");
        assert!(out.contains("**Details of "), "{out}");
        assert!(out.trim_end().ends_with("see json."), "{out}");
    }

    #[test]
    fn summaries_are_escaped_inside_html() {
        let mut d = doc(3, 40);
        d[2] = Block::Workload { key: "<b>".into(), summary: "a & b".into() };
        let out = markdown_fitting_within(d, "x", 2_000);
        assert!(out.contains("<summary>&lt;b&gt;: a &amp; b</summary>"), "{out}");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group(60_000), "60,000");
        assert_eq!(group(600), "600");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
