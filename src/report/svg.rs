//! The per-CronJob (or per-CronOperation) SVG timeline, drawn with plotters.
//!
//! Rows, top to bottom: the schedule's ticks (grey; magenta where no Job
//! was created for the tick), one lane per set of non-overlapping Jobs (a
//! bar from creation to finish, deletion or the horizon end, coloured by
//! outcome), and the deletions (triangles by who deleted). Downtime windows
//! and suspended spans shade every row; spec changes are teal verticals
//! labelled above.
//!
//! Size stays bounded however long the horizon:
//! - more than [`MAX_BARS`] Jobs, or more than [`MAX_LANES`] lanes: the
//!   lanes become a histogram of Jobs created per bucket ([`BUCKETS`]
//!   buckets over the horizon), stacked by outcome;
//! - more than [`MAX_MARKS`] ticks or deletions: a density band per bucket
//!   (opacity by count) instead of one mark each.
//!
//! Text is drawn as outlines of the embedded DejaVu Sans (`svg/glyphs.rs`), so the
//! bytes and the rendering depend on nothing but the input.

mod axis;
mod glyphs;
mod hover;
mod load;
mod marks;
#[cfg(feature = "png")]
mod png;
mod ticks;
mod timeline;

pub use load::fleet_load_svg;
#[cfg(feature = "png")]
pub use png::png;

use super::semantics;
use crate::model::{Time, format_duration};
use crate::sim::edit::SpecEdit;
use crate::sim::log::{DeletedBy, Record};
use crate::sim::{WorkloadKind, WorkloadMeta};
use axis::time_axis;
pub(crate) use glyphs::outlined;
use glyphs::{FAMILY, GlyphSvg, Runs};
pub use marks::{BUCKETS, MAX_MARKS};
use marks::{Marks, bucket_bounds, bucket_of};
use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::collections::BTreeMap;
pub use timeline::Timelines;
use timeline::{Histogram, Outcome, Timeline};

/// More Jobs than this are drawn as a histogram.
pub const MAX_BARS: usize = 600;
/// More lanes than this (heavy overlap) are drawn as a histogram.
pub const MAX_LANES: usize = 12;

const WIDTH: u32 = 1200;
const LABEL_W: u32 = 96;
const MARGIN_L: u32 = 8;
const MARGIN_R: u32 = 28;
const PLOT_W: u32 = WIDTH - LABEL_W - MARGIN_L - MARGIN_R;
const TITLE_H: u32 = 64;
const CHANGE_H: u32 = 16;
const ROW_H: u32 = 18;
const AXIS_H: u32 = 40;
const LEGEND_H: u32 = 52;
const HIST_ROWS: usize = 6;

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const BAND: RGBColor = RGBColor(0xF4, 0xF4, 0xF4);
const TICK: RGBColor = RGBColor(0x66, 0x66, 0x66);
const MISSED: RGBColor = RGBColor(0xC5, 0x1B, 0x7D);
const DOWNTIME: RGBColor = RGBColor(0xF2, 0xA0, 0xA0);
const CHANGE: RGBColor = RGBColor(0x17, 0xBE, 0xCF);
const SUSPENDED: RGBColor = RGBColor(0xA8, 0xB8, 0xD0);

/// The fill of an outcome's bars (and its legend swatch).
pub fn outcome_color(o: Outcome) -> RGBColor {
    match o {
        Outcome::Succeeded => RGBColor(0x2C, 0xA0, 0x2C),
        Outcome::Failed => RGBColor(0xD6, 0x27, 0x28),
        Outcome::DeadlineExceeded => RGBColor(0xFF, 0x7F, 0x0E),
        Outcome::Replaced => RGBColor(0x99, 0x99, 0x99),
        Outcome::Unfinished => RGBColor(0x1F, 0x77, 0xB4),
    }
}

fn outcome_label(o: Outcome, kind: WorkloadKind) -> &'static str {
    match o {
        Outcome::Succeeded => "succeeded",
        Outcome::Failed => semantics::of(kind).failed_label(),
        Outcome::DeadlineExceeded => "DeadlineExceeded",
        Outcome::Replaced => "replaced / deleted running",
        Outcome::Unfinished => "running at horizon end",
    }
}

fn deleted_color(by: DeletedBy) -> RGBColor {
    match by {
        DeletedBy::HistoryGc => RGBColor(0x8A, 0x8A, 0x8A),
        DeletedBy::Ttl => RGBColor(0x94, 0x67, 0xBD),
        DeletedBy::Replace => RGBColor(0x00, 0x00, 0x00),
        DeletedBy::CronJobDeleted
        | DeletedBy::CronOperationDeleted
        | DeletedBy::CronWorkflowDeleted
        | DeletedBy::Scenario => RGBColor(0x8C, 0x56, 0x4B),
    }
}

fn deleted_label(by: DeletedBy) -> &'static str {
    match by {
        DeletedBy::HistoryGc => "deleted: HistoryGC",
        DeletedBy::Ttl => "deleted: TTL",
        DeletedBy::Replace => "deleted: Replace",
        DeletedBy::CronJobDeleted
        | DeletedBy::CronOperationDeleted
        | DeletedBy::CronWorkflowDeleted
        | DeletedBy::Scenario => "deleted: other",
    }
}

fn font(size: f64, color: RGBColor) -> TextStyle<'static> {
    TextStyle { font: (FAMILY, size).into_font(), color: color.to_backend_color(), pos: Pos::default() }
}

/// A primitive in chart coordinates (x in ms, y in rows counted from the
/// bottom), so the layout is computed apart from the drawing.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Rect { x0: i64, x1: i64, y0: f64, y1: f64, color: RGBAColor },
    Line { x: i64, y0: f64, y1: f64, color: RGBAColor },
    Triangle { x: i64, y: f64, color: RGBAColor },
}

/// One mark per instant (`line`: vertical line, else triangle), or a
/// density band when there are more than [`MAX_MARKS`].
fn marks(tl: &Timeline, m: &Marks, y0: f64, y1: f64, color: RGBColor, line: bool) -> Vec<Shape> {
    let c = color.to_rgba();
    let counts = match m.drawn() {
        Ok(times) => {
            return times
                .iter()
                .map(|t| match line {
                    true => Shape::Line { x: t.0, y0, y1, color: c },
                    false => Shape::Triangle { x: t.0, y: (y0 + y1) / 2.0, color: c },
                })
                .collect();
        }
        Err(counts) => counts,
    };
    let max = counts.iter().copied().max().unwrap_or(1).max(1);
    counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| {
            let (x0, x1) = bucket_bounds(tl.start, tl.end, i);
            let alpha = 0.2 + 0.8 * (*n as f64 / max as f64);
            Shape::Rect { x0, x1, y0, y1, color: color.mix(alpha) }
        })
        .collect()
}

/// Bars in their lanes; lane 0 is the top body row. `min_w`: the narrowest
/// bar in ms (about one pixel).
fn bars(tl: &Timeline, body_top: f64, min_w: i64) -> Vec<Shape> {
    tl.bars
        .iter()
        .map(|b| {
            let y1 = body_top - b.lane as f64 - 0.18;
            // A pixel of white at the end of wide bars keeps back-to-back
            // Jobs in one lane (Forbid) apart.
            let w = b.end.since(b.created);
            let end = if w > 3 * min_w { b.end.0 - min_w } else { b.end.0 };
            Shape::Rect {
                x0: b.created.0,
                x1: end.max(b.created.0 + min_w),
                y0: y1 - 0.64,
                y1,
                color: outcome_color(b.outcome).to_rgba(),
            }
        })
        .collect()
}

/// Jobs created per bucket, stacked by outcome, scaled to the fullest
/// bucket (`rows` high, from `y_base`). Returns the shapes and that maximum.
fn histogram(tl: &Timeline, counts: &Histogram, y_base: f64, rows: f64) -> (Vec<Shape>, u64) {
    let max = counts.iter().map(|m| m.values().sum::<u64>()).max().unwrap_or(0).max(1);
    let mut shapes = Vec::new();
    for (i, m) in counts.iter().enumerate() {
        let (x0, x1) = bucket_bounds(tl.start, tl.end, i);
        let mut y = y_base;
        for (o, n) in m {
            let h = rows * 0.92 * (*n as f64) / (max as f64);
            shapes.push(Shape::Rect { x0, x1, y0: y, y1: y + h, color: outcome_color(*o).to_rgba() });
            y += h;
        }
    }
    (shapes, max)
}

fn subtitles(meta: &WorkloadMeta, tl: &Timeline, aggregated: bool) -> (String, String) {
    let zone = match (&meta.time_zone, meta.kind) {
        (Some(z), _) => format!("timeZone {z}"),
        (None, kind) => semantics::of(kind).default_zone_label(&meta.local_zone),
    };
    let semantics::Nouns { a_run: run, runs, .. } = semantics::of(meta.kind).nouns();
    let day = |t: Time| {
        chrono::DateTime::from_timestamp_millis(t.0)
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let first = format!(
        "schedule \"{}\" · {zone} · concurrencyPolicy {}{} · {} → {} UTC",
        meta.schedule,
        meta.concurrency_policy,
        if meta.suspended { " · suspended" } else { "" },
        day(tl.start),
        day(tl.end),
    );
    let plus = if tl.ticks.capped { "+" } else { "" };
    let mut second = format!(
        "{} {runs} · {}{plus} ticks, {} without {run} · {} deletions",
        tl.runs,
        tl.ticks.times.len(),
        tl.ticks.missed.len(),
        tl.deletions.total
    );
    if aggregated {
        let w = tl.end.since(tl.start) / BUCKETS as i64;
        second.push_str(&format!(" · aggregated: {runs} created per {}", format_duration(w)));
    }
    if let Some(n) = &tl.ticks.note {
        second.push_str(&format!(" · {n}"));
    }
    (first, second)
}

/// More deletions than this are drawn as lines: 8 px triangles would merge.
fn deletions_as_lines(tl: &Timeline) -> bool {
    tl.deletions.total > (PLOT_W / 8) as usize
}

/// The legend entries: swatch kind (0 box, 1 line, 2 triangle), colour,
/// label.
fn legend(tl: &Timeline) -> Vec<(u8, RGBColor, String)> {
    let mut out: Vec<(u8, RGBColor, String)> = Outcome::ALL
        .iter()
        // Operations have no activeDeadlineSeconds.
        .filter(|o| semantics::of(tl.kind).has_active_deadline() || **o != Outcome::DeadlineExceeded)
        .map(|o| (0, outcome_color(*o), outcome_label(*o, tl.kind).to_string()))
        .collect();
    out.push((0, DOWNTIME, "controller downtime".into()));
    out.push((1, TICK, "schedule tick".into()));
    out.push((1, MISSED, format!("tick without {}", semantics::of(tl.kind).nouns().a_run)));
    let mut kinds: Vec<DeletedBy> = tl.deletions.by_kind.keys().copied().collect();
    kinds.dedup_by_key(|b| deleted_label(*b));
    let mark = if deletions_as_lines(tl) { 1 } else { 2 };
    out.extend(kinds.into_iter().map(|b| (mark, deleted_color(b), deleted_label(b).to_string())));
    if !tl.suspended.is_empty() {
        out.push((0, SUSPENDED, semantics::of(tl.kind).suspended_label().into()));
    }
    if !tl.changes.is_empty() {
        out.push((1, CHANGE, "spec change".into()));
    }
    out
}

type Fallible = Result<(), Box<dyn std::error::Error>>;

/// Draws everything into `buf` (plotters' part; text goes to `runs`).
/// The hover areas over the runs go to `hovers`.
fn draw(
    buf: &mut String,
    runs: Runs,
    tl: &Timeline,
    meta: &WorkloadMeta,
    hovers: &mut Vec<hover::Hover>,
) -> Fallible {
    let aggregated = tl.histogram.is_some();
    let body_rows = if aggregated { HIST_ROWS } else { tl.lanes.max(1) };
    let rows = (body_rows + 2) as f64;
    let height = TITLE_H + CHANGE_H + (body_rows as u32 + 2) * ROW_H + AXIS_H + LEGEND_H;
    let root = GlyphSvg::new(buf, (WIDTH, height), runs).into_drawing_area();
    root.fill(&WHITE)?;
    let (sub1, sub2) = subtitles(meta, tl, aggregated);
    let semantics::Nouns { kind, runs, .. } = semantics::of(meta.kind).nouns();
    root.draw(&Text::new(format!("{kind} {}", meta.key), (16, 10), font(18.0, INK)))?;
    root.draw(&Text::new(sub1, (16, 34), font(12.0, MUTED)))?;
    root.draw(&Text::new(sub2, (16, 50), font(12.0, MUTED)))?;

    let body = root.margin(TITLE_H + CHANGE_H, LEGEND_H, 0, 0);
    let axis = time_axis(tl.start, tl.end);
    let labels: BTreeMap<i64, String> = axis.iter().cloned().collect();
    let keys: Vec<i64> = axis.iter().map(|(t, _)| *t).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin_left(MARGIN_L)
        .margin_right(MARGIN_R)
        .x_label_area_size(AXIS_H)
        .y_label_area_size(LABEL_W)
        .build_cartesian_2d((tl.start.0..tl.end.0.max(tl.start.0 + 1)).with_key_points(keys), 0.0..rows)?;
    let formatter = |v: &i64| labels.get(v).cloned().unwrap_or_default();
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_label_formatter(&formatter)
        .x_desc("UTC")
        .label_style(font(11.0, MUTED))
        .axis_desc_style(font(11.0, MUTED))
        .axis_style(MUTED)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;

    let (x0, x1) = (tl.start.0, tl.end.0);
    let mut shapes = vec![
        Shape::Rect { x0, x1, y0: rows - 1.0, y1: rows, color: BAND.to_rgba() },
        Shape::Rect { x0, x1, y0: 0.0, y1: 1.0, color: BAND.to_rgba() },
    ];
    for (s, e) in &tl.downtime {
        shapes.push(Shape::Rect { x0: s.0, x1: e.0, y0: 0.0, y1: rows, color: DOWNTIME.mix(0.45) });
    }
    for (s, e) in &tl.suspended {
        shapes.push(Shape::Rect { x0: s.0, x1: e.0, y0: 0.0, y1: rows, color: SUSPENDED.mix(0.35) });
    }
    for (t, _) in &tl.changes {
        shapes.push(Shape::Line { x: t.0, y0: 0.0, y1: rows, color: CHANGE.to_rgba() });
    }
    shapes.extend(marks(tl, &tl.ticks.times, rows - 0.75, rows - 0.25, TICK, true));
    shapes.extend(marks(tl, &tl.ticks.missed, rows - 0.9, rows - 0.1, MISSED, true));
    let ms_per_px = ((x1 - x0) as f64 / f64::from(PLOT_W)).ceil().max(1.0) as i64;
    let mut max_per_bucket = None;
    if let Some(counts) = &tl.histogram {
        let (h, max) = histogram(tl, counts, 1.0, body_rows as f64);
        shapes.extend(h);
        max_per_bucket = Some(max);
    } else {
        shapes.extend(bars(tl, rows - 1.0, ms_per_px));
    }
    let as_lines = deletions_as_lines(tl);
    for (b, ts) in &tl.deletions.by_kind {
        let (y0, y1) = if as_lines { (0.2, 0.8) } else { (0.15, 0.85) };
        shapes.extend(marks(tl, ts, y0, y1, deleted_color(*b), as_lines));
    }
    for s in shapes {
        match s {
            Shape::Rect { x0, x1, y0, y1, color } => {
                chart.draw_series(std::iter::once(Rectangle::new([(x0, y0), (x1, y1)], color.filled())))?;
            }
            Shape::Line { x, y0, y1, color } => {
                chart.draw_series(std::iter::once(PathElement::new(vec![(x, y0), (x, y1)], color)))?;
            }
            Shape::Triangle { x, y, color } => {
                chart.draw_series(std::iter::once(TriangleMarker::new((x, y), 4, color.filled())))?;
            }
        }
    }

    *hovers = hover::collect(tl, meta.kind, rows - 1.0, body_rows as f64, ms_per_px, |x, y| {
        chart.backend_coord(&(x, y))
    });

    // Row labels and change labels, placed in pixels next to the plot.
    let row_label = |row_top: f64, text: String| -> Fallible {
        let (px, py) = chart.backend_coord(&(x0, row_top - 0.5));
        let style = font(11.0, MUTED).pos(Pos::new(HPos::Right, VPos::Center));
        root.draw(&Text::new(text, (px - 8, py), style))?;
        Ok(())
    };
    row_label(rows, "schedule".into())?;
    match max_per_bucket {
        Some(max) => {
            row_label(rows - 1.0, format!("max {max}"))?;
            row_label(1.0 + body_rows as f64 / 2.0 + 0.5, format!("{runs}/bucket"))?;
        }
        None => {
            for lane in 0..body_rows {
                row_label(rows - 1.0 - lane as f64, format!("lane {}", lane + 1))?;
            }
        }
    }
    row_label(1.0, "deleted".into())?;
    // A change label that would overlap the previous one is left out (the
    // line stays).
    let mut free_from = i32::MIN;
    for (t, edit) in &tl.changes {
        // A deletion reads as what happened, the other edits as the log has them.
        let what = if *edit == SpecEdit::Delete { "deleted".to_string() } else { edit.to_string() };
        let (px, py) = chart.backend_coord(&(t.0, rows));
        if px + 3 < free_from {
            continue;
        }
        free_from = px + 3 + glyphs::measure(&what, 10.0).0.ceil() as i32 + 6;
        let style = font(10.0, CHANGE).pos(Pos::new(HPos::Left, VPos::Bottom));
        root.draw(&Text::new(what, (px + 3, py - 2), style))?;
    }

    // Legend: left to right, wrapping.
    let (mut lx, mut ly) = (16i32, (height - LEGEND_H + 12) as i32);
    for (kind, color, label) in legend(tl) {
        let w = 18 + glyphs::measure(&label, 11.0).0.ceil() as i32 + 18;
        if lx + w > WIDTH as i32 - 16 {
            (lx, ly) = (16, ly + 20);
        }
        match kind {
            0 => root.draw(&Rectangle::new([(lx, ly - 5), (lx + 14, ly + 5)], color.filled()))?,
            1 => root.draw(&PathElement::new(vec![(lx + 7, ly - 6), (lx + 7, ly + 6)], color))?,
            _ => root.draw(&TriangleMarker::new((lx + 7, ly), 4, color.filled()))?,
        }
        let style = font(11.0, INK).pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label, (lx + 20, ly), style))?;
        lx += w;
    }
    root.present()?;
    Ok(())
}

/// The SVG document of a drawing: its text appended as glyph outlines
/// under `title`, and, should plotters' string backend ever fail (it does
/// not in practice), a comment saying so rather than a lost report.
fn document(buf: String, title: &str, runs: &Runs, drawn: Fallible) -> String {
    let mut svg = glyphs::finish(buf, title, runs);
    if let Err(e) = drawn {
        let note =
            format!("<!-- drawing failed: {} -->\n", glyphs::escape(&e.to_string()).replace("--", "- -"));
        svg.push_str(&note);
    }
    svg
}

/// A UTC, Allow workload over `[0, hours)` from the epoch, for tests.
#[cfg(test)]
fn test_meta(
    kind: WorkloadKind,
    key: &str,
    schedule: &str,
    hours: i64,
    phase_origin: Option<Time>,
) -> WorkloadMeta {
    WorkloadMeta {
        key: key.into(),
        kind,
        schedule: schedule.into(),
        time_zone: None,
        local_zone: "UTC".into(),
        concurrency_policy: "Allow".into(),
        starting_deadline_seconds: None,
        suspended: false,
        horizon_start: Time::from_unix(0),
        horizon_end: Time::from_unix(hours * 3600),
        phase_origin,
        pod_requests: Default::default(),
        name_cursor: false,
        more_schedules: Vec::new(),
    }
}

/// The timeline of one CronJob as a standalone SVG document: same records
/// and meta, same bytes.
pub fn timeline_svg(records: &[Record], meta: &WorkloadMeta) -> String {
    let mut tl = Timelines::new(std::slice::from_ref(meta));
    for r in records {
        tl.feed(r);
    }
    tl.finish().into_values().next().map(|t| render(&t, meta)).unwrap_or_default()
}

/// Every workload's timeline as at the horizon end, ready to draw, and
/// the fleet load's changes when they were gathered.
#[derive(Debug, Clone)]
pub struct Drawn(BTreeMap<String, Timeline>, Option<load::LoadDeltas>);

impl Timelines {
    /// The timelines as at the horizon end.
    pub fn finish_all(mut self) -> Drawn {
        let load = self.load.take();
        Drawn(self.finish(), load)
    }
}

impl Drawn {
    /// One workload's SVG timeline, as [`timeline_svg`] draws it from the
    /// whole log.
    pub fn svg(&self, meta: &WorkloadMeta) -> Option<String> {
        self.0.get(&meta.key).map(|t| render(t, meta))
    }

    /// The fleet-load chart, as [`fleet_load_svg`] draws it from the whole
    /// log, when there were several workloads or resource requests.
    pub fn fleet_load_svg(&self, metas: &[WorkloadMeta]) -> Option<String> {
        self.1.as_ref().map(|l| l.svg(metas))
    }
}

fn render(tl: &Timeline, meta: &WorkloadMeta) -> String {
    let runs = Runs::default();
    let mut buf = String::new();
    let mut hovers = Vec::new();
    let drawn = draw(&mut buf, runs.clone(), tl, meta, &mut hovers);
    let title = format!("{} {} timeline", semantics::of(meta.kind).nouns().kind, meta.key);
    hover::insert(document(buf, &title, &runs, drawn), &hovers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        Time::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn an_hour_gets_labels_every_five_minutes_with_the_date_once() {
        let a = time_axis(t("2025-03-03T10:00:00Z"), t("2025-03-03T11:00:00Z"));
        assert_eq!(a.len(), 13);
        assert_eq!(a[0].1, "Mar 3 10:00");
        assert_eq!(a[1].1, "10:05");
    }

    #[test]
    fn a_year_gets_monthly_labels() {
        let a = time_axis(t("2025-01-01T00:00:00Z"), t("2026-01-01T00:00:00Z"));
        let l: Vec<&str> = a.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(l.first(), Some(&"2025-01"));
        assert!(l.len() <= 13, "{l:?}");
    }

    #[test]
    fn marks_turn_into_a_bounded_band_when_dense() {
        let tl = Timelines::new(&[]).finish();
        assert!(tl.is_empty());
        let (start, end) = (Time(0), Time(10_000_000));
        let tl = Timeline {
            kind: WorkloadKind::CronJob,
            start,
            end,
            runs: 0,
            bars: vec![],
            lanes: 0,
            histogram: None,
            ticks: ticks::Ticks {
                times: Marks::new(start, end),
                missed: Marks::new(start, end),
                capped: false,
                note: None,
            },
            deletions: Default::default(),
            downtime: vec![],
            changes: vec![],
            suspended: vec![],
        };
        let (mut many, mut few) = (Marks::new(start, end), Marks::new(start, end));
        for i in 0..5_000 {
            many.push(Time(i * 2000));
            if i < 10 {
                few.push(Time(i * 2000));
            }
        }
        let m = marks(&tl, &many, 0.0, 1.0, TICK, true);
        assert!(m.len() <= BUCKETS && !m.is_empty());
        assert!(matches!(m[0], Shape::Rect { .. }));
        assert_eq!(marks(&tl, &few, 0.0, 1.0, TICK, true).len(), 10);
    }
}
