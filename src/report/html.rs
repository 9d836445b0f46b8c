//! The HTML report (`report.html`, `compare.html`, `variants.html`): one
//! self-contained file built from the same [`Block`] document as the text
//! and Markdown renderings, with each workload's figures (the SVG
//! timelines, the fleet-load chart) inlined where the document places a
//! [`Block::Figure`].
//!
//! Self-contained means no request of any kind: the style and a few lines
//! of plain JavaScript (the workload filter) are inline, the figures are
//! inline SVG whose text is glyph outlines, and a Content-Security-Policy
//! forbids loading anything else. Every text from the scenario (names,
//! messages, schedules) is escaped. The bytes depend on the document and
//! the figures alone.

use super::render::Block;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One figure of a workload (or of the fleet), labelled when a workload
/// has several (compare's two controllers).
#[derive(Debug, Clone)]
pub(crate) struct Figure {
    /// Shown above the figure; empty for none.
    pub label: String,
    /// A whole SVG document, as `--out` writes it.
    pub svg: String,
}

/// Figures by the key a [`Block::Figure`] names.
pub(crate) type Figures = BTreeMap<String, Vec<Figure>>;

const STYLE: &str = "\
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;margin:0;background:#fff}
main{max-width:1240px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.6em;margin:.4em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
h3{font-size:1.05em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}tbody tr:nth-child(even){background:#fafafa}
code{background:#f2f2f2;padding:0 3px;border-radius:3px}
figure{margin:.5em 0 1em;overflow-x:auto}figcaption{font-weight:600;margin:.2em 0}
figure svg{max-width:100%;height:auto;display:block}
section.workload{border-top:1px solid #eee}
.filter{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #eee;z-index:1}
.filter input{font:inherit;padding:2px 6px;width:20em}
.muted{color:#666}";

/// Filters the workload sections by name as the user types; marks the page
/// ready (`data-ready`) once it ran, which the browser test looks for.
const SCRIPT: &str = "\
(function(){
var f=document.getElementById('filter');
if(f){var s=document.querySelectorAll('section.workload'),c=document.getElementById('shown');
f.addEventListener('input',function(){var q=f.value.toLowerCase(),n=0;
s.forEach(function(e){var m=e.getAttribute('data-name').toLowerCase().indexOf(q)>=0;e.hidden=!m;if(m)n++;});
c.textContent=n+' of '+s.length+' shown';});}
document.documentElement.setAttribute('data-ready','1');
})();";

/// The page of `blocks`, its title the first level-1 heading's.
pub(crate) fn page(blocks: &[Block], figures: &Figures) -> String {
    let title = blocks
        .iter()
        .find_map(|b| match b {
            Block::Heading(1, t) => Some(t.as_str()),
            _ => None,
        })
        .unwrap_or("cronwarp report");
    let sections = blocks.iter().filter(|b| matches!(b, Block::Workload { .. })).count();
    let mut body = String::new();
    let (mut open, mut after_marker, mut filter_shown, mut figure_no) = (false, false, false, 0usize);
    let mut glyphs = BTreeMap::new();
    for b in blocks {
        let marker = matches!(b, Block::Workload { .. });
        match b {
            Block::Workload { key, summary } => {
                if open {
                    body.push_str("</section>\n");
                }
                if sections > 1 && !filter_shown {
                    filter_shown = true;
                    let _ = writeln!(
                        body,
                        "<p class=\"filter\"><label>Filter {sections} workloads by name: <input id=\"filter\" \
                         type=\"search\" placeholder=\"namespace/name\"></label> <span id=\"shown\" \
                         class=\"muted\"></span></p>"
                    );
                }
                let _ = writeln!(
                    body,
                    "<section class=\"workload\" data-name=\"{}\" title=\"{}\">",
                    escape(key),
                    escape(summary)
                );
                open = true;
            }
            Block::Heading(level, t) => {
                if *level == 2 && open && !after_marker {
                    body.push_str("</section>\n");
                    open = false;
                }
                let l = (*level).clamp(1, 6);
                let _ = writeln!(body, "<h{l}>{}</h{l}>", inline(t));
            }
            Block::Para(p) => {
                let _ = writeln!(body, "<p>{}</p>", inline(p));
            }
            Block::Table { head, rows } => table(&mut body, head, rows),
            Block::Figure(key) => {
                for f in figures.get(key).map(Vec::as_slice).unwrap_or_default() {
                    figure_no += 1;
                    body.push_str("<figure>\n");
                    if !f.label.is_empty() {
                        let _ = writeln!(body, "<figcaption>{}</figcaption>", escape(&f.label));
                    }
                    body.push_str(&inline_svg(&f.svg, figure_no, &mut glyphs));
                    body.push_str("</figure>\n");
                }
            }
        }
        after_marker = marker;
    }
    if open {
        body.push_str("</section>\n");
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src 'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cronwarp\">\n<title>{}</title>\n<style>\n{STYLE}\n</style>\n</head>\n\
         <body>\n{}<main>\n{body}</main>\n<script>\n{SCRIPT}\n</script>\n</body>\n</html>\n",
        escape(title),
        glyph_defs(&glyphs)
    )
}

fn table(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    out.push_str("<table>\n<thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", inline(h));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            let _ = write!(out, "<td>{}</td>", inline(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    escape_markup(s, "&#39;")
}

/// Escapes the five characters markup reserves, the apostrophe as `apos`
/// (HTML pages write `&#39;`, SVG documents `&apos;`, as each always did).
pub(crate) fn escape_markup(s: &str, apos: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str(apos),
            c => out.push(c),
        }
    }
    out
}

/// A document's text with its one piece of Markdown, `` `code` ``, as
/// `<code>`; everything else escaped. An unpaired backtick stays as it is.
fn inline(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i % 2 == 1 { format!("<code>{}</code>", escape(p)) } else { escape(p) })
        .collect()
}

/// An SVG document as an element of the page, without an XML prolog.
///
/// Every timeline defines the embedded font's glyph outlines it uses
/// (`<path id="gN">` in font units, so the same `N` is the same outline in
/// every figure): they move to the page's one shared `<defs>` (`glyphs`),
/// each once, and the figures' `<use href="#gN">` find them there. A
/// figure whose definitions would clash keeps its own, its ids prefixed
/// by the figure's number `n`.
fn inline_svg(svg: &str, n: usize, glyphs: &mut BTreeMap<u32, String>) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let svg = &svg[start..];
    let mut s = match hoist_glyphs(svg, glyphs) {
        Some(rest) => rest,
        None => svg.replace(" id=\"", &format!(" id=\"f{n}-")).replace("href=\"#", &format!("href=\"#f{n}-")),
    };
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// `svg` without its glyph `<defs>` blocks, their outlines added to
/// `glyphs`; `None` (and `glyphs` untouched) when a block holds anything
/// else or an id already there has another outline.
fn hoist_glyphs(svg: &str, glyphs: &mut BTreeMap<u32, String>) -> Option<String> {
    const OPEN: &str = "<defs>\n";
    const CLOSE: &str = "</defs>\n";
    let mut found = BTreeMap::new();
    let mut rest = String::with_capacity(svg.len());
    let mut from = 0;
    while let Some(at) = svg[from..].find(OPEN).map(|i| from + i) {
        let end = at + svg[at..].find(CLOSE)?;
        for line in svg[at + OPEN.len()..end].lines() {
            let (id, d) = line.strip_prefix("<path id=\"g")?.strip_suffix("\"/>")?.split_once("\" d=\"")?;
            let id: u32 = id.parse().ok()?;
            if glyphs.get(&id).or(found.get(&id)).is_some_and(|old: &String| old != d) {
                return None;
            }
            found.insert(id, d.to_string());
        }
        rest.push_str(&svg[from..at]);
        from = end + CLOSE.len();
    }
    rest.push_str(&svg[from..]);
    glyphs.extend(found);
    Some(rest)
}

/// The shared glyph outlines, in an SVG of no size at the top of the page.
fn glyph_defs(glyphs: &BTreeMap<u32, String>) -> String {
    if glyphs.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\" \
         xmlns=\"http://www.w3.org/2000/svg\"><defs>\n",
    );
    for (id, d) in glyphs {
        let _ = writeln!(out, "<path id=\"g{id}\" d=\"{d}\"/>");
    }
    out.push_str("</defs></svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::cols;

    #[test]
    fn text_is_escaped_and_code_spans_become_code() {
        assert_eq!(inline("a `<b>` & \"c\""), "a <code>&lt;b&gt;</code> &amp; &quot;c&quot;");
        assert_eq!(inline("one ` tick"), "one ` tick");
    }

    #[test]
    fn workloads_become_sections_with_their_figures_and_ids_stay_apart() {
        let blocks = vec![
            Block::Heading(1, "cronwarp report: <x>".into()),
            Block::Workload { key: "a/b".into(), summary: "3 ticks".into() },
            Block::Heading(2, "CronJob a/b".into()),
            Block::Figure("a/b".into()),
            Block::Table { head: cols(&["k"]), rows: vec![vec!["<script>".into()]] },
            Block::Workload { key: "a/c".into(), summary: "1 tick".into() },
            Block::Heading(2, "CronJob a/c".into()),
            Block::Figure("a/c".into()),
            Block::Heading(2, "Expectations".into()),
        ];
        let svg = |d: &str| {
            format!(
                "<svg width=\"1\"><defs>\n<path id=\"g1\" d=\"{d}\"/>\n</defs>\n<use xlink:href=\"#g1\"/></svg>"
            )
        };
        let mut figures = Figures::new();
        figures.insert("a/b".into(), vec![Figure { label: String::new(), svg: svg("M0 0") }]);
        figures.insert("a/c".into(), vec![Figure { label: String::new(), svg: svg("M1 1") }]);
        let html = page(&blocks, &figures);
        assert!(html.contains("<title>cronwarp report: &lt;x&gt;</title>"), "{html}");
        assert!(html.contains("<td>&lt;script&gt;</td>"), "{html}");
        assert_eq!(html.matches("<script>").count(), 1, "{html}");
        assert_eq!(html.matches("<section class=\"workload\"").count(), 2, "{html}");
        // The first figure's glyph moves to the shared defs; the second's
        // clashes with it, so it keeps its own under a prefixed id.
        assert_eq!(html.matches("<path id=\"g1\" d=\"M0 0\"/>").count(), 1, "{html}");
        assert!(html.contains("href=\"#g1\"") && html.contains("id=\"f2-g1\""), "{html}");
        assert!(html.contains("href=\"#f2-g1\""), "{html}");
        // The section closes before the next level-2 heading that is not a workload's.
        let expectations = html.find("<h2>Expectations").unwrap();
        assert_eq!(html[..expectations].matches("</section>").count(), 2, "{html}");
        assert!(html.contains("id=\"filter\""), "{html}");
    }
}
