//! The fleet-load chart (`fleet-load.svg` beside the timelines): what all
//! workloads together held over the horizon, stacked by namespace, in the
//! timelines' style. The measure is the pods' requested CPU when any pod
//! requests some, else the live pods.
//!
//! The horizon is cut into [`BUCKETS`] columns; each column shows the
//! instant of the column with the highest total (stacked as the
//! namespaces stood at that instant), so a one-minute stampede is as tall
//! as it was, never averaged away.

use super::glyphs::{self, GlyphSvg, Runs};
use super::{BUCKETS, Fallible, GRID, INK, MUTED, bucket_bounds, bucket_of, font, time_axis};
use crate::model::Time;
use crate::report::fleet::{LoadDelta, LoadSource, format_cpu, namespace_of};
use crate::sim::WorkloadMeta;
use crate::sim::log::Record;
use plotters::coord::combinators::BindKeyPoints;
use plotters::prelude::*;
use smol_str::SmolStr;
use std::collections::BTreeMap;

const WIDTH: u32 = 1200;
const HEIGHT: u32 = 420;
const TITLE_H: u32 = 64;
const LEGEND_H: u32 = 52;

/// Namespaces drawn in their own colour, the largest first; the rest are
/// one grey band.
const NAMED: usize = 8;

const PALETTE: [RGBColor; NAMED] = [
    RGBColor(0x1F, 0x77, 0xB4),
    RGBColor(0xFF, 0x7F, 0x0E),
    RGBColor(0x2C, 0xA0, 0x2C),
    RGBColor(0xD6, 0x27, 0x28),
    RGBColor(0x94, 0x67, 0xBD),
    RGBColor(0x8C, 0x56, 0x4B),
    RGBColor(0xE3, 0x77, 0xC2),
    RGBColor(0x17, 0xBE, 0xCF),
];
const OTHER: RGBColor = RGBColor(0xAA, 0xAA, 0xAA);

/// One column: the instant of its highest total, by namespace index.
#[derive(Debug, Clone, Default)]
struct Column {
    total: i64,
    by_ns: Vec<i64>,
}

/// The columns over the horizon and what they measure.
struct Chart {
    namespaces: Vec<String>,
    /// Each namespace's colour (the last grey when it stands for the rest).
    colors: Vec<RGBColor>,
    columns: Vec<Column>,
    cpu: bool,
    peak: (i64, Option<Time>),
}

fn value(d: &LoadDelta, cpu: bool) -> i64 {
    if cpu { d.cpu_millis } else { i64::from(d.pods) }
}

/// The fleet load's changes, gathered as the log streams by (a few per
/// Job, not the whole log): `--out` draws the chart from them without
/// keeping the log.
#[derive(Debug, Clone, Default)]
pub(crate) struct LoadDeltas {
    source: LoadSource,
    deltas: Vec<(LoadDelta, SmolStr)>,
}

impl LoadDeltas {
    /// Gathers the changes of these workloads' load.
    pub(crate) fn new(metas: &[WorkloadMeta]) -> LoadDeltas {
        LoadDeltas { source: LoadSource::new(metas), deltas: Vec::new() }
    }

    /// Reads one record (in log order).
    pub(crate) fn feed(&mut self, r: &Record) {
        if let Some(d) = self.source.delta(r) {
            self.deltas.push((d, namespace_of(r).into()));
        }
    }

    /// The chart, as [`fleet_load_svg`] draws it from the whole log.
    pub(crate) fn svg(&self, metas: &[WorkloadMeta]) -> String {
        let deltas: Vec<(LoadDelta, &str)> = self.deltas.iter().map(|(d, ns)| (*d, ns.as_str())).collect();
        chart_svg(&deltas, metas)
    }
}

impl Chart {
    fn build(deltas: &[(LoadDelta, &str)], start: Time, end: Time) -> Chart {
        let cpu = deltas.iter().any(|(d, _)| d.cpu_millis != 0);
        // Namespaces by their own peak, largest first (then by name).
        let mut level: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for (d, ns) in deltas {
            let e = level.entry(ns).or_default();
            e.0 += value(d, cpu);
            e.1 = e.1.max(e.0);
        }
        let mut order: Vec<(&str, i64)> = level.iter().map(|(ns, (_, peak))| (*ns, *peak)).collect();
        order.sort_by_key(|&(ns, peak)| (std::cmp::Reverse(peak), ns));
        let named = order.len().min(if order.len() > NAMED { NAMED - 1 } else { NAMED });
        let mut namespaces: Vec<String> = order[..named].iter().map(|(ns, _)| ns.to_string()).collect();
        let mut colors: Vec<RGBColor> = PALETTE[..named].to_vec();
        if order.len() > named {
            namespaces.push(format!("{} other namespaces", order.len() - named));
            colors.push(OTHER);
        }
        let index: BTreeMap<&str, usize> =
            order.iter().enumerate().map(|(i, (ns, _))| (*ns, i.min(named))).collect();

        let slots = namespaces.len();
        let mut columns = vec![Column { total: 0, by_ns: vec![0; slots] }; BUCKETS];
        let mut now = Column { total: 0, by_ns: vec![0; slots] };
        let mut peak = (0, None);
        let mut filled = 0; // columns up to here hold at least the level carried in
        let mut i = 0;
        while i < deltas.len() {
            let t = deltas[i].0.time;
            let b = bucket_of(start, end, t);
            // Columns before this instant's hold the level carried in.
            while filled < b {
                filled += 1;
                if filled < BUCKETS {
                    columns[filled] = now.clone();
                }
            }
            while i < deltas.len() && deltas[i].0.time == t {
                let (d, ns) = &deltas[i];
                let v = value(d, cpu);
                now.total += v;
                if let Some(slot) = index.get(ns) {
                    now.by_ns[*slot] += v;
                }
                i += 1;
            }
            if t < end && now.total > columns[b].total {
                columns[b] = now.clone();
            }
            if now.total > peak.0 {
                peak = (now.total, Some(t));
            }
        }
        while filled + 1 < BUCKETS {
            filled += 1;
            columns[filled] = now.clone();
        }
        Chart { namespaces, colors, columns, cpu, peak }
    }

    fn show(&self, v: i64) -> String {
        if self.cpu { format_cpu(v) } else { format!("{v} pods") }
    }
}

fn draw(buf: &mut String, runs: Runs, c: &Chart, start: Time, end: Time) -> Fallible {
    let root = GlyphSvg::new(buf, (WIDTH, HEIGHT), runs).into_drawing_area();
    root.fill(&WHITE)?;
    let what = if c.cpu { "requested CPU" } else { "live pods" };
    root.draw(&Text::new(format!("Fleet load: {what}, by namespace"), (16, 10), font(18.0, INK)))?;
    let at = c.peak.1.map(|t| format!(" at {t}")).unwrap_or_default();
    let sub = format!(
        "peak {}{at} · each column shows its busiest instant · {} namespace{}",
        c.show(c.peak.0),
        c.namespaces.len(),
        if c.namespaces.len() == 1 { "" } else { "s" }
    );
    root.draw(&Text::new(sub, (16, 34), font(12.0, MUTED)))?;
    let body = root.margin(TITLE_H, LEGEND_H, 0, 0);
    let axis = time_axis(start, end);
    let labels: BTreeMap<i64, String> = axis.iter().cloned().collect();
    let keys: Vec<i64> = axis.iter().map(|(t, _)| *t).collect();
    let top = (c.peak.0.max(1) as f64) * 1.08;
    let mut chart = ChartBuilder::on(&body)
        .margin_left(8)
        .margin_right(28)
        .x_label_area_size(40)
        .y_label_area_size(96)
        .build_cartesian_2d((start.0..end.0.max(start.0 + 1)).with_key_points(keys), 0.0..top)?;
    let formatter = |v: &i64| labels.get(v).cloned().unwrap_or_default();
    let y_formatter = |v: &f64| c.show(v.round() as i64);
    chart
        .configure_mesh()
        .x_label_formatter(&formatter)
        .y_label_formatter(&y_formatter)
        .y_labels(5)
        .x_desc("UTC")
        .label_style(font(11.0, MUTED))
        .axis_desc_style(font(11.0, MUTED))
        .axis_style(MUTED)
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .draw()?;
    for (b, col) in c.columns.iter().enumerate() {
        let (x0, x1) = bucket_bounds(start, end, b);
        let mut y = 0.0;
        for (slot, v) in col.by_ns.iter().enumerate().filter(|(_, v)| **v > 0) {
            let color = c.colors[slot];
            let h = *v as f64;
            chart.draw_series(std::iter::once(Rectangle::new([(x0, y), (x1, y + h)], color.filled())))?;
            y += h;
        }
    }
    let (mut lx, mut ly) = (16i32, (HEIGHT - LEGEND_H + 12) as i32);
    for (slot, ns) in c.namespaces.iter().enumerate() {
        let label = if ns.is_empty() { "(cluster-scoped)".to_string() } else { ns.clone() };
        let w = 18 + glyphs::measure(&label, 11.0).0.ceil() as i32 + 18;
        if lx + w > WIDTH as i32 - 16 {
            (lx, ly) = (16, ly + 20);
        }
        let color = c.colors[slot];
        root.draw(&Rectangle::new([(lx, ly - 5), (lx + 14, ly + 5)], color.filled()))?;
        let style = font(11.0, INK).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
        root.draw(&Text::new(label, (lx + 20, ly), style))?;
        lx += w;
    }
    root.present()?;
    Ok(())
}

/// The fleet-load chart as a standalone SVG document: same records and
/// metas, same bytes.
pub fn fleet_load_svg(records: &[Record], metas: &[WorkloadMeta]) -> String {
    let mut source = LoadSource::new(metas);
    let deltas: Vec<(LoadDelta, &str)> =
        records.iter().filter_map(|r| Some((source.delta(r)?, namespace_of(r)))).collect();
    chart_svg(&deltas, metas)
}

/// The chart of the load's changes, in log order.
fn chart_svg(deltas: &[(LoadDelta, &str)], metas: &[WorkloadMeta]) -> String {
    let (start, end) = metas.first().map_or((Time(0), Time(1)), |m| (m.horizon_start, m.horizon_end));
    let chart = Chart::build(deltas, start, end);
    let runs = Runs::default();
    let mut buf = String::new();
    let drawn = draw(&mut buf, runs.clone(), &chart, start, end);
    super::document(buf, "Fleet load", &runs, drawn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::log::Entry;

    #[test]
    fn a_column_shows_its_busiest_instant_and_carries_the_level_on() {
        // One hour in 300 columns of 12 s.
        let meta = super::super::test_meta(crate::sim::WorkloadKind::CronJob, "a/cj", "* * * * *", 1, None);
        let created = |job: &str| Entry::JobCreated {
            job: job.into(),
            cronjob: "a/cj".into(),
            scheduled_time: None,
            uid: "u".into(),
            seeded: false,
        };
        let pod = |p: &str, j: &str| Entry::PodCreated { pod: p.into(), job: j.into() };
        let records = vec![
            Record { time: Time(1000), entry: created("a/j1") },
            Record { time: Time(1000), entry: pod("a/p1", "a/j1") },
            Record { time: Time(1000), entry: pod("a/p2", "a/j1") },
        ];
        let mut load = LoadDeltas::new(&[meta]);
        for r in &records {
            load.feed(r);
        }
        let deltas: Vec<(LoadDelta, &str)> = load.deltas.iter().map(|(d, ns)| (*d, ns.as_str())).collect();
        let c = Chart::build(&deltas, Time(0), Time(3_600_000));
        assert!(!c.cpu);
        assert_eq!(c.peak, (2, Some(Time(1000))));
        assert_eq!((c.columns[0].total, c.columns[1].total), (2, 2));
        assert_eq!(c.columns[BUCKETS - 1].total, 2, "the level carries on to the end");
        assert_eq!(c.namespaces, vec!["a".to_string()]);
    }
}
