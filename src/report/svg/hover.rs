//! Hover details: an invisible rectangle with a `<title>` over each run's
//! bar (its name, when it was created and ended, how), or over each
//! histogram column (how many runs, by outcome), on top of the drawing.
//! Browsers show the title as a tooltip, in the SVG file and inline in
//! `report.html` alike; renderers to pixels draw nothing for them
//! (`fill-opacity="0"`).

use super::glyphs::escape;
use super::marks::bucket_bounds;
use super::timeline::Timeline;
use super::{outcome_label, semantics};
use crate::model::{Time, format_duration};
use crate::sim::WorkloadKind;
use std::fmt::Write;

/// One hover area in pixels, with its text.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Hover {
    x0: i32,
    y0: i32,
    x1: i32,
    y1: i32,
    text: String,
}

/// The hover areas of `tl`'s bars (lane 0 under `body_top`, bars at least
/// `min_w` ms wide, as `super::bars` draws them) or histogram columns
/// (`rows` high from row 1); `at` maps chart coordinates to pixels.
pub(super) fn collect(
    tl: &Timeline,
    kind: WorkloadKind,
    body_top: f64,
    rows: f64,
    min_w: i64,
    at: impl Fn(i64, f64) -> (i32, i32),
) -> Vec<Hover> {
    let semantics::Nouns { run, runs, .. } = semantics::of(kind).nouns();
    let area = |x0: i64, x1: i64, y0: f64, y1: f64, text: String| {
        let (a, b) = (at(x0, y1), at(x1, y0));
        Hover { x0: a.0, y0: a.1, x1: b.0.max(a.0 + 1), y1: b.1.max(a.1 + 1), text }
    };
    if let Some(counts) = &tl.histogram {
        return counts
            .iter()
            .enumerate()
            .filter(|(_, m)| m.values().sum::<u64>() > 0)
            .map(|(i, m)| {
                let (x0, x1) = bucket_bounds(tl.start, tl.end, i);
                let n: u64 = m.values().sum();
                let by: Vec<String> =
                    m.iter().map(|(o, c)| format!("{c} {}", outcome_label(*o, kind))).collect();
                let text = format!("{n} {runs} created {} → {}: {}", Time(x0), Time(x1), by.join(", "));
                area(x0, x1, 1.0, 1.0 + rows, text)
            })
            .collect();
    }
    tl.bars
        .iter()
        .map(|b| {
            let y1 = body_top - b.lane as f64 - 0.18;
            let text = format!(
                "{run} {}: created {}, {} at {} (after {})",
                b.job,
                b.created,
                outcome_label(b.outcome, kind),
                b.end,
                format_duration(b.end.since(b.created))
            );
            area(b.created.0, b.end.0.max(b.created.0 + min_w), y1 - 0.64, y1, text)
        })
        .collect()
}

/// `svg` with the hover areas on top of everything, before `</svg>`.
pub(super) fn insert(mut svg: String, hovers: &[Hover]) -> String {
    if hovers.is_empty() {
        return svg;
    }
    let mut g = String::from("<g fill=\"#000000\" fill-opacity=\"0\">\n");
    for h in hovers {
        let _ = writeln!(
            g,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
            h.x0,
            h.y0,
            h.x1 - h.x0,
            h.y1 - h.y0,
            escape(&h.text)
        );
    }
    g.push_str("</g>\n");
    if let Some(i) = svg.rfind("</svg>") {
        svg.insert_str(i, &g);
    }
    svg
}
