//! One scenario under both controllers, side by side: a Kubernetes
//! [`Report`] and a Crossplane one, paired workload by workload, with the
//! numbers, the ticks whose outcome differs, and the conversion notes
//! (`cronwarp compare`).

use super::render::{Block, cols, text};
use super::types::{Report, TickOutcome, TickRow, WorkloadReport};
use super::{MAX_ROWS, ON_TIME, Violation};
use crate::model::{Millis, Time, format_duration};
use crate::sim::scenario::convert::{Controller, ConversionNote, WorkloadPair};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the comparison's JSON shape; bumped on any breaking change.
pub const COMPARE_SCHEMA_VERSION: u32 = 1;

/// Differing ticks printed per workload by the text and Markdown forms
/// (the JSON holds up to [`MAX_ROWS`]).
pub const PRINTED_TICKS: usize = 20;

/// The comparison (`--format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The comparison format's version (`COMPARE_SCHEMA_VERSION`).
    pub schema_version: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The RNG seed the runs used.
    pub seed: u64,
    /// The horizon's start.
    pub start: Time,
    /// The horizon's end.
    pub end: Time,
    /// The workloads, paired.
    pub workloads: Vec<WorkloadComparison>,
    /// What the conversion between the two forms changed or dropped.
    pub notes: Vec<ConversionNote>,
    /// Failed `expect:` checks, on either side.
    pub violations: Vec<SideViolation>,
}

/// One workload under both controllers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadComparison {
    /// The CronOperation name (unique, cluster-scoped); file names use it.
    pub name: String,
    /// The form the scenario wrote.
    pub original: Controller,
    /// `namespace/name` of the CronJob form; `None` when the API server
    /// would reject it (its numbers are zeros; see the notes).
    pub kubernetes: Option<String>,
    /// Name of the CronOperation form; `None` when the CRD would reject it.
    pub crossplane: Option<String>,
    /// The compared numbers, in table order.
    pub metrics: Vec<Metric>,
    /// Ticks not started, by reason (times in reasons elided).
    pub not_started: Vec<ReasonCount>,
    /// Ticks whose outcome differs, in tick order.
    pub differing_ticks: Vec<TickDiff>,
    /// Differing ticks beyond [`MAX_ROWS`].
    pub differing_ticks_omitted: u64,
}

/// A number under both controllers; `delta` = Crossplane − Kubernetes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// camelCase key: `ticks`, `onTime`, `late`, `maxLateness` …
    pub key: &'static str,
    /// `count` or `ms`.
    pub unit: &'static str,
    /// The value under Kubernetes.
    pub kubernetes: i64,
    /// The value under Crossplane.
    pub crossplane: i64,
    /// Crossplane minus Kubernetes.
    pub delta: i64,
}

/// How many ticks one reason left unstarted on each side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCount {
    /// The reason, with times elided.
    pub reason: String,
    /// Ticks it left unstarted under Kubernetes.
    pub kubernetes: u64,
    /// Ticks it left unstarted under Crossplane.
    pub crossplane: u64,
}

/// One tick with different outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TickDiff {
    /// The scheduled instant.
    pub tick: Time,
    /// What became of it under Kubernetes.
    pub kubernetes: SideOutcome,
    /// What became of it under Crossplane.
    pub crossplane: SideOutcome,
}

/// A tick's outcome on one side.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SideOutcome {
    /// What became of the tick.
    pub outcome: TickOutcome,
    /// How late its run was created, in milliseconds; absent when on time or not started.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub late_by: Option<Millis>,
    /// Empty for a tick started on time.
    pub why: String,
}

/// A failed expectation and the side it failed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SideViolation {
    /// The side it failed on.
    pub controller: Controller,
    /// The failed check.
    #[serde(flatten)]
    pub violation: Violation,
}

/// Pairs the two reports' workloads. A workload missing from a report (it
/// should not be) compares as all zeros.
pub fn compare(k8s: &Report, xp: &Report, pairs: &[WorkloadPair], notes: Vec<ConversionNote>) -> Comparison {
    fn find<'a>(r: &'a Report, key: Option<&str>) -> View<'a> {
        View::of(key.and_then(|k| r.workloads.iter().find(|c| c.name == k)))
    }
    let workloads = pairs
        .iter()
        .map(|p| workload(p, &find(k8s, p.kubernetes.as_deref()), &find(xp, p.crossplane.as_deref())))
        .collect();
    let side = |c: Controller, r: &Report| -> Vec<SideViolation> {
        r.violations.iter().map(|v| SideViolation { controller: c, violation: v.clone() }).collect()
    };
    Comparison {
        schema_version: COMPARE_SCHEMA_VERSION,
        scenario: k8s.header.scenario.clone(),
        seed: k8s.header.seed,
        start: k8s.header.start,
        end: k8s.header.end,
        workloads,
        notes,
        violations: [side(Controller::Kubernetes, k8s), side(Controller::Crossplane, xp)].concat(),
    }
}

/// The compared numbers' keys, units and row labels, in table order.
const METRICS: [(&str, &str, &str); 12] = [
    ("ticks", "count", "ticks"),
    ("onTime", "count", "run on time"),
    ("late", "count", "run late"),
    ("maxLateness", "ms", "max lateness"),
    ("notStarted", "count", "not started"),
    ("runsCreated", "count", "runs created"),
    ("succeeded", "count", "succeeded"),
    ("failed", "count", "failed"),
    ("retries", "count", "retries"),
    ("lostAttempts", "count", "attempts lost to downtime"),
    ("maxConcurrency", "count", "max concurrency"),
    ("gcDeletions", "count", "GC deletions"),
];

/// What the comparison reads of one side's workload report.
struct View<'a> {
    /// In [`METRICS`] order.
    numbers: [i64; 12],
    exceptions: &'a [TickRow],
    exceptions_omitted: u64,
}

impl<'a> View<'a> {
    fn of(r: Option<&'a WorkloadReport>) -> View<'a> {
        let Some(r) = r else { return View { numbers: [0; 12], exceptions: &[], exceptions_omitted: 0 } };
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let o = &r.outcomes;
        let gc: u64 = r.deletion_summary.iter().map(|d| d.count).sum();
        let numbers = [
            n(r.ticks.total),
            n(r.ticks.on_time),
            n(r.ticks.late),
            r.max_lateness,
            n(r.ticks.not_started),
            n(o.created),
            n(o.succeeded),
            n(o.failed()),
            n(o.retries),
            n(o.lost_attempts),
            i64::from(r.overlaps.max_concurrency),
            n(gc),
        ];
        View { numbers, exceptions: &r.exceptions, exceptions_omitted: r.exceptions_omitted }
    }
}

fn workload(p: &WorkloadPair, k: &View, x: &View) -> WorkloadComparison {
    let metrics = METRICS
        .iter()
        .zip(k.numbers.iter().zip(x.numbers.iter()))
        .map(|(&(key, unit, _), (&a, &b))| Metric {
            key,
            unit,
            kubernetes: a,
            crossplane: b,
            delta: b.saturating_sub(a),
        })
        .collect();
    let mut reasons: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for (rows, is_k8s) in [(k.exceptions, true), (x.exceptions, false)] {
        for row in rows.iter().filter(|r| r.outcome == TickOutcome::NotStarted) {
            let e = reasons.entry(reason_key(&row.why)).or_default();
            if is_k8s { e.0 += 1 } else { e.1 += 1 }
        }
    }
    let not_started = reasons
        .into_iter()
        .map(|(reason, (kubernetes, crossplane))| ReasonCount { reason, kubernetes, crossplane })
        .collect();
    let (differing_ticks, differing_ticks_omitted) = differing(k, x);
    WorkloadComparison {
        name: p.name().to_string(),
        original: p.original,
        kubernetes: p.kubernetes.clone(),
        crossplane: p.crossplane.clone(),
        metrics,
        not_started,
        differing_ticks,
        differing_ticks_omitted,
    }
}

/// Ticks whose outcome differs, or that both started late by amounts more
/// than [`ON_TIME`] apart. A tick missing from a report's exceptions was
/// started on time there. When a report dropped exception rows (past
/// [`MAX_ROWS`]), ticks after its last kept row are not compared.
fn differing(k: &View, x: &View) -> (Vec<TickDiff>, u64) {
    let cut = [k, x]
        .iter()
        .filter(|v| v.exceptions_omitted > 0)
        .filter_map(|v| v.exceptions.last().map(|e| e.tick))
        .min();
    let by_tick =
        |v: &View| -> BTreeMap<Time, TickRow> { v.exceptions.iter().map(|e| (e.tick, e.clone())).collect() };
    let (km, xm) = (by_tick(k), by_tick(x));
    let mut ticks: Vec<Time> =
        km.keys().chain(xm.keys()).copied().filter(|t| cut.is_none_or(|c| *t <= c)).collect();
    ticks.sort();
    ticks.dedup();
    let mut out = Vec::new();
    let mut omitted = 0;
    for t in ticks {
        let (a, b) = (side_outcome(km.get(&t)), side_outcome(xm.get(&t)));
        let late_apart = a.late_by.zip(b.late_by).is_some_and(|(p, q)| (p - q).abs() > ON_TIME);
        if a.outcome == b.outcome && !late_apart {
            continue;
        }
        if out.len() < MAX_ROWS {
            out.push(TickDiff { tick: t, kubernetes: a, crossplane: b });
        } else {
            omitted += 1;
        }
    }
    (out, omitted)
}

/// A tick's outcome in one report, from its exception row (none: on time).
pub fn side_outcome(row: Option<&TickRow>) -> SideOutcome {
    match row {
        Some(r) => SideOutcome { outcome: r.outcome, late_by: r.late_by, why: r.why.clone() },
        None => SideOutcome { outcome: TickOutcome::OnTime, late_by: None, why: String::new() },
    }
}

/// A reason with its times elided, so the same reason for different ticks
/// counts once: every RFC 3339 timestamp becomes `…`.
pub fn reason_key(why: &str) -> String {
    let bytes = why.as_bytes();
    let mut out = String::with_capacity(why.len());
    let mut i = 0;
    while i < why.len() {
        if starts_timestamp(&bytes[i..]) {
            out.push('…');
            while let Some(ch) = why[i..].chars().next().filter(|c| !matches!(c, ' ' | ')' | ',' | ';')) {
                i += ch.len_utf8();
            }
            continue;
        }
        let ch = why[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// `dddd-dd-ddT`.
fn starts_timestamp(b: &[u8]) -> bool {
    const SHAPE: &[u8; 11] = b"dddd-dd-ddT";
    b.len() >= SHAPE.len()
        && SHAPE.iter().zip(b).all(|(s, c)| if *s == b'd' { c.is_ascii_digit() } else { s == c })
}

/// How a tick's outcome reads in a table cell: `late 3m: why`.
pub fn outcome_text(s: &SideOutcome) -> String {
    let what = match (s.outcome, s.late_by) {
        (TickOutcome::OnTime, _) => "on time".to_string(),
        (TickOutcome::Late, Some(l)) => format!("late {}", format_duration(l)),
        (TickOutcome::Late, None) => "late".to_string(),
        (TickOutcome::NotStarted, _) => "not started".to_string(),
        (TickOutcome::Pending, _) => "pending".to_string(),
    };
    if s.why.is_empty() { what } else { format!("{what}: {}", s.why) }
}

fn signed(v: i64, unit: &str) -> String {
    match (v, unit) {
        (0, _) => "0".into(),
        (v, "ms") if v > 0 => format!("+{}", format_duration(v)),
        (v, "ms") => format_duration(v),
        (v, _) if v > 0 => format!("+{v}"),
        (v, _) => v.to_string(),
    }
}

fn value(v: i64, unit: &str) -> String {
    if unit == "ms" { format_duration(v) } else { v.to_string() }
}

fn document(c: &Comparison) -> Vec<Block> {
    let mut d = vec![
        Block::Heading(1, format!("cronwarp compare: {}", c.scenario)),
        Block::Para(format!(
            "Horizon {} → {} ({}), seed {}. Each workload runs twice: as a Kubernetes CronJob and as a Crossplane CronOperation. Δ = Crossplane − Kubernetes.",
            c.start,
            c.end,
            format_duration(c.end.since(c.start)),
            c.seed
        )),
    ];
    if c.workloads.is_empty() {
        d.push(Block::Para("The scenario has no workloads.".into()));
    }
    for w in &c.workloads {
        workload_blocks(&mut d, w);
    }
    if !c.notes.is_empty() {
        d.push(Block::Heading(2, "Conversion notes".into()));
        let rows = c.notes.iter().map(|n| vec![n.workload.clone(), n.message.clone()]).collect();
        d.push(Block::Table { head: cols(&["workload", "note"]), rows });
    }
    if !c.violations.is_empty() {
        d.push(Block::Heading(2, "Expectations failed".into()));
        let rows = c
            .violations
            .iter()
            .map(|v| {
                let v2 = &v.violation;
                vec![
                    v.controller.label().into(),
                    v2.expectation.clone(),
                    v2.cronjob.clone(),
                    v2.message.clone(),
                ]
            })
            .collect();
        d.push(Block::Table {
            head: cols(&["controller", "expectation", "workload", "what happened"]),
            rows,
        });
    }
    d
}

fn workload_blocks(d: &mut Vec<Block>, w: &WorkloadComparison) {
    let n =
        |key: &str| w.metrics.iter().find(|m| m.key == key).map_or((0, 0), |m| (m.kubernetes, m.crossplane));
    let ((k_on, x_on), (k_ns, x_ns)) = (n("onTime"), n("notStarted"));
    d.push(Block::Workload {
        key: w.name.clone(),
        summary: format!(
            "on time {k_on} vs {x_on}, not started {k_ns} vs {x_ns} (Kubernetes vs Crossplane), {} differing ticks",
            w.differing_ticks.len() as u64 + w.differing_ticks_omitted
        ),
    });
    d.push(Block::Heading(
        2,
        format!(
            "{} (CronJob {} / CronOperation {})",
            w.name,
            w.kubernetes.as_deref().unwrap_or("rejected"),
            w.crossplane.as_deref().unwrap_or("rejected")
        ),
    ));
    let mut rows: Vec<Vec<String>> = Vec::new();
    for m in &w.metrics {
        rows.push(vec![
            label(m.key).into(),
            value(m.kubernetes, m.unit),
            value(m.crossplane, m.unit),
            signed(m.delta, m.unit),
        ]);
    }
    d.push(Block::Figure(w.name.clone()));
    d.push(Block::Table { head: cols(&["", "Kubernetes", "Crossplane", "Δ"]), rows });
    if !w.not_started.is_empty() {
        d.push(Block::Heading(3, "Not started, by reason".into()));
        let rows = w
            .not_started
            .iter()
            .map(|r| vec![r.kubernetes.to_string(), r.crossplane.to_string(), r.reason.clone()])
            .collect();
        d.push(Block::Table { head: cols(&["Kubernetes", "Crossplane", "reason"]), rows });
    }
    if w.differing_ticks.is_empty() {
        d.push(Block::Para("Every tick had the same outcome under both controllers.".into()));
        return;
    }
    d.push(Block::Heading(3, "Ticks whose outcome differs".into()));
    let rows = w
        .differing_ticks
        .iter()
        .take(PRINTED_TICKS)
        .map(|t| vec![t.tick.to_string(), outcome_text(&t.kubernetes), outcome_text(&t.crossplane)])
        .collect();
    d.push(Block::Table { head: cols(&["tick", "Kubernetes", "Crossplane"]), rows });
    let more = (w.differing_ticks.len().saturating_sub(PRINTED_TICKS)) as u64 + w.differing_ticks_omitted;
    if more > 0 {
        d.push(Block::Para(format!("… {more} more differing ticks (see --format json).")));
    }
}

fn label(key: &str) -> &'static str {
    METRICS.iter().find(|m| m.0 == key).map_or("", |m| m.2)
}

/// Plain text, for terminals.
pub fn render_compare_text(c: &Comparison) -> String {
    text(document(c))
}

/// GitHub-flavoured Markdown (`compare.md`), at most
/// [`PR_COMMENT_CHARS`](super::PR_COMMENT_CHARS) characters: a long one
/// folds each workload's details, and cuts them if it must.
pub fn render_compare_markdown(c: &Comparison) -> String {
    super::markdown_fitting(document(c), "compare.html and `--format json` have them all")
}

/// The comparison's document, for the HTML page.
#[cfg(feature = "cli")]
pub(crate) fn compare_document(c: &Comparison) -> Vec<Block> {
    document(c)
}
