//! Text (terminal) and Markdown (PR comment) renderings of a [`Report`].
//!
//! Both are built from one document model, so the two never disagree on
//! content; only the layout differs.

use super::semantics;
use super::types::*;
use crate::model::format_duration;
use crate::sim::WorkloadKind;
use unicode_width::UnicodeWidthStr;

/// One piece of a rendered document; shared with the comparison report
/// and the sweep.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    Heading(u8, String),
    Para(String),
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Opens one workload's section, which runs to the next `Workload` or
    /// to the next level-2 heading that does not follow one. Text and
    /// Markdown print nothing for it; Markdown too long for a PR comment
    /// collapses the section under `summary` (`super::fit`), and the HTML
    /// report makes it a filterable `<section>`.
    Workload {
        key: String,
        summary: String,
    },
    /// Where the HTML report inlines the figures named `key` (a timeline,
    /// the fleet-load chart); text and Markdown print nothing.
    Figure(String),
}

/// A table's column headings, owned (some are made at run time, like a
/// variant's name).
pub(crate) fn cols(head: &[&str]) -> Vec<String> {
    head.iter().map(|h| (*h).to_string()).collect()
}

/// Most exception rows printed per CronJob; the JSON has more.
const MAX_ROWS: usize = 40;
/// Deletions are listed one by one only up to this many; the summary table
/// covers them all.
const ROWS_WITH_DETAIL: u64 = 12;

fn document(r: &Report) -> Vec<Block> {
    let h = &r.header;
    let mut d = vec![
        Block::Heading(1, format!("cronwarp report: {}", h.scenario)),
        Block::Para(format!(
            "Horizon {} → {} ({}), seed {}, controller zone {}{}, tzdb {}, cronwarp {}.",
            h.start,
            h.end,
            format_duration(h.end.since(h.start)),
            h.seed,
            h.local_zone,
            whose_zone(r),
            h.tzdb_version,
            h.cronwarp_version
        )),
    ];
    let load = r.fleet_load();
    if let Some(f) = load {
        fleet_load(&mut d, f, r.workloads.len());
    }
    if !r.capacity.is_empty() {
        capacity(&mut d, &r.capacity);
    }
    for cj in &r.workloads {
        cronjob(&mut d, cj);
    }
    if r.expectations_checked > 0 {
        d.push(Block::Heading(2, "Expectations".into()));
        if let Some(f) = r.fleet.as_ref().filter(|_| load.is_none()) {
            let at =
                |t: Option<crate::model::Time>| t.map(|t| format!(" (first at {t})")).unwrap_or_default();
            d.push(Block::Para(format!(
                "All workloads together: at most {} unfinished Jobs at once{}, and {} pods{}.",
                f.max_jobs,
                at(f.max_jobs_at),
                f.max_pods,
                at(f.max_pods_at)
            )));
        }
        if r.violations.is_empty() {
            d.push(Block::Para(format!("All {} expectations hold.", r.expectations_checked)));
        } else {
            let rows = r
                .violations
                .iter()
                .map(|v| vec![v.expectation.clone(), v.cronjob.clone(), v.message.clone()])
                .collect();
            d.push(Block::Para(format!("{} violated:", r.violations.len())));
            d.push(Block::Table { head: cols(&["expectation", "cronjob", "what happened"]), rows });
        }
    }
    d
}

/// The capacity section: how kube-controller-manager's workers and client
/// rate limits (and the Crossplane pod's workers and reconcile limiter)
/// held syncs back.
fn capacity(d: &mut Vec<Block>, rows: &[super::types::ControllerLoad]) {
    let crossplane =
        |c: &super::types::ControllerLoad| matches!(c.controller.as_str(), "cronoperation" | "operation");
    let (xp, kcm) = (rows.iter().any(crossplane), rows.iter().any(|c| !crossplane(c)));
    let heading = match (kcm, xp) {
        (true, false) => "kube-controller-manager capacity",
        (false, true) => "Crossplane pod capacity",
        _ => "Controller capacity",
    };
    d.push(Block::Heading(2, heading.into()));
    if kcm {
        d.push(Block::Para(
            "Syncs waited for a free worker and their client's token bucket (each controller has its own \
             workers and client): the controller fell behind, as real clusters do when many CronJobs fire \
             together (kubernetes#90801)."
                .into(),
        ));
    }
    if xp {
        d.push(Block::Para(
            "Crossplane's reconciles waited for a free worker (each controller has \
             --max-concurrent-reconciles, 100 by default; an Operation holds its worker for its whole \
             run) and, on Crossplane 2.0, for the global reconcile limiter all its controllers share \
             (--max-reconcile-rate)."
                .into(),
        ));
    }
    let rows = rows
        .iter()
        .map(|c| {
            vec![
                c.controller.clone(),
                c.delayed_syncs.to_string(),
                format!("{} (at {})", format_duration(c.longest_wait), c.longest_wait_at),
                format!("{} (at {})", c.peak_queued, c.peak_queued_at),
            ]
        })
        .collect();
    d.push(Block::Table {
        head: cols(&["controller", "syncs held back", "longest wait", "most keys queued"]),
        rows,
    });
}

/// Most minutes of the hour listed as the busiest.
const BUSIEST: usize = 5;

/// The fleet-load section: peaks of all workloads together, and the
/// minutes of the hour most Jobs start in.
fn fleet_load(d: &mut Vec<Block>, f: &FleetPeaks, workloads: usize) {
    use super::fleet::{format_cpu, format_memory};
    d.push(Block::Heading(
        2,
        format!("Fleet load ({workloads} workload{})", if workloads == 1 { "" } else { "s" }),
    ));
    d.push(Block::Figure(FLEET_FIGURE.into()));
    d.push(Block::Para(
        "All workloads together, counted at the end of each instant. A pod requests what its Job \
         template's containers request (the larger of their sum and any init container's); a \
         Job's pods are counted while they live, so parallelism multiplies."
            .into(),
    ));
    let at = |t: Option<crate::model::Time>| t.map_or_else(|| "-".to_string(), |t| t.to_string());
    let mut rows = vec![
        vec!["unfinished Jobs".to_string(), f.max_jobs.to_string(), at(f.max_jobs_at)],
        vec!["live pods".to_string(), f.max_pods.to_string(), at(f.max_pods_at)],
    ];
    if f.has_requests() {
        rows.push(vec!["requested CPU".into(), format_cpu(f.max_cpu_millis), at(f.max_cpu_at)]);
        rows.push(vec!["requested memory".into(), format_memory(f.max_memory_bytes), at(f.max_memory_at)]);
    }
    d.push(Block::Table { head: cols(&["at once", "peak", "first at"]), rows });
    let total: u64 = f.starts_by_minute.iter().sum();
    if total == 0 {
        return;
    }
    let mut minutes: Vec<(usize, u64)> =
        f.starts_by_minute.iter().copied().enumerate().filter(|(_, n)| *n > 0).collect();
    minutes.sort_by_key(|&(m, n)| (std::cmp::Reverse(n), m));
    let busy = minutes.len();
    let rows = minutes
        .into_iter()
        .take(BUSIEST)
        .map(|(m, n)| {
            vec![format!(":{m:02}"), n.to_string(), format!("{:.1}%", n as f64 * 100.0 / total as f64)]
        })
        .collect();
    d.push(Block::Para(format!(
        "Busiest minutes of the hour (UTC): {total} Job starts fell in {busy} of the hour's 60 minutes."
    )));
    d.push(Block::Table { head: cols(&["minute", "Job starts", "share"]), rows });
}

fn cronjob(d: &mut Vec<Block>, cj: &WorkloadReport) {
    let sds =
        cj.starting_deadline_seconds.map(|s| format!(", startingDeadlineSeconds {s}")).unwrap_or_default();
    let n = semantics::of(cj.kind).nouns();
    let t = &cj.ticks;
    d.push(Block::Workload {
        key: cj.name.clone(),
        summary: format!(
            "{} ticks: {} on time, {} late, {} not started; worst lateness {}",
            t.total,
            t.on_time,
            t.late,
            t.not_started,
            format_duration(cj.max_lateness)
        ),
    });
    d.push(Block::Heading(2, format!("{} {}", n.kind, cj.name)));
    d.push(Block::Para(format!(
        "Schedule `{}` in {}, concurrencyPolicy {}{}.",
        cj.schedule, cj.zone, cj.concurrency_policy, sds
    )));
    d.push(Block::Figure(cj.name.clone()));
    let mut summary = format!(
        "Ticks: {} in the horizon: {} on time, {} late, {} not started",
        t.total, t.on_time, t.late, t.not_started
    );
    if t.pending > 0 {
        summary.push_str(&format!(", {} pending at the horizon end", t.pending));
    }
    if t.fold_repeats > 0 {
        summary.push_str(&format!(" ({} fired twice in a DST fall-back)", t.fold_repeats));
    }
    summary.push_str(&format!(". Worst lateness {}.", format_duration(cj.max_lateness)));
    d.push(Block::Para(summary));
    for n in &cj.notes {
        d.push(Block::Para(format!("Note: {n}")));
    }
    if !cj.exceptions.is_empty() {
        d.push(Block::Heading(3, "Ticks not started on time".into()));
        let mut rows: Vec<Vec<String>> = cj
            .exceptions
            .iter()
            .take(MAX_ROWS)
            .map(|e| {
                vec![
                    e.local.clone(),
                    outcome_word(e.outcome).into(),
                    e.late_by.map(format_duration).unwrap_or_default(),
                    e.job.clone().unwrap_or_default(),
                    e.why.clone(),
                ]
            })
            .collect();
        let total = cj.exceptions.len() as u64 + cj.exceptions_omitted;
        if total > MAX_ROWS as u64 {
            let more = total - MAX_ROWS as u64;
            rows.push(vec![
                format!("… {more} more (see --format json)"),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        d.push(Block::Table { head: cols(&["tick (local)", "outcome", "late by", n.column, "why"]), rows });
    }
    if !cj.warnings.is_empty() {
        d.push(Block::Heading(3, "Warning events".into()));
        let rows = cj
            .warnings
            .iter()
            .map(|w| vec![w.reason.clone(), w.count.to_string(), w.first.to_string(), w.message.clone()])
            .collect();
        d.push(Block::Table { head: cols(&["reason", "count", "first at", "first message"]), rows });
    }
    if !cj.pod_faults.is_empty() {
        d.push(Block::Heading(3, "Pod and node faults".into()));
        let mut rows: Vec<Vec<String>> = cj
            .pod_faults
            .iter()
            .map(|f| {
                vec![f.at.to_string(), f.job.clone(), f.pod.clone(), f.fault.clone(), f.job_outcome.clone()]
            })
            .collect();
        if cj.pod_faults_omitted > 0 {
            let more = format!("… {} more (see --format json)", cj.pod_faults_omitted);
            rows.push(vec![more, String::new(), String::new(), String::new(), String::new()]);
        }
        d.push(Block::Table { head: cols(&["at", n.column, "pod", "fault", "how the Job ended"]), rows });
    }
    let o = &cj.outcomes;
    d.push(Block::Heading(3, n.runs.into()));
    d.push(Block::Para(semantics::of(cj.kind).outcomes_line(o)));
    let ov = &cj.overlaps;
    if ov.intervals.is_empty() {
        d.push(Block::Para(format!(
            "Overlaps: none (at most {} {} running at once).",
            ov.max_concurrency, n.run
        )));
    } else {
        d.push(Block::Heading(3, "Overlaps".into()));
        d.push(Block::Para(format!(
            "{} intervals with two or more {} running, {} in all; at most {} at once.",
            ov.intervals.len(),
            n.runs,
            format_duration(ov.total),
            ov.max_concurrency
        )));
        let rows = ov
            .intervals
            .iter()
            .take(MAX_ROWS)
            .map(|i| {
                vec![
                    i.start.to_string(),
                    format_duration(i.end.since(i.start)),
                    i.max_running.to_string(),
                    if i.replace_termination {
                        semantics::of(cj.kind).replace_note().into()
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        d.push(Block::Table { head: cols(&["from", "for", "running", "note"]), rows });
    }
    if !cj.deletion_summary.is_empty() {
        let title = semantics::of(cj.kind).deletions_title();
        d.push(Block::Heading(3, title.into()));
        let rows = cj
            .deletion_summary
            .iter()
            .map(|x| {
                vec![
                    x.by.clone(),
                    if x.condition.is_empty() { "unfinished".into() } else { x.condition.clone() },
                    x.count.to_string(),
                    format_duration(x.min_retained),
                    format_duration(x.max_retained),
                ]
            })
            .collect();
        d.push(Block::Table {
            head: cols(&["deleted by", "ended", n.runs, "kept at least", "kept at most"]),
            rows,
        });
        let total = cj.deletions.len() as u64 + cj.deletions_omitted;
        if total <= ROWS_WITH_DETAIL {
            let rows = cj
                .deletions
                .iter()
                .map(|x| {
                    vec![
                        x.job.to_string(),
                        x.condition.to_string(),
                        x.by.name().to_string(),
                        x.at.to_string(),
                        x.retained.map(format_duration).unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            d.push(Block::Table { head: cols(&[n.column, "ended", "deleted by", "at", "kept for"]), rows });
        }
    }
}

/// A CronJob's Jobs, by how they ended.
pub(super) fn jobs_line(o: &Outcomes) -> String {
    format!(
        "{} created: {} succeeded, {} BackoffLimitExceeded, {} DeadlineExceeded, {} failed otherwise, {} replaced, \
         {} unfinished; {} retries.",
        o.created,
        o.succeeded,
        o.backoff_limit_exceeded,
        o.deadline_exceeded,
        o.failed_other,
        o.replaced,
        o.unfinished,
        o.retries
    )
}

/// A CronWorkflow's Workflows: terminated by Replace, failed by
/// `activeDeadlineSeconds`, or failed otherwise.
pub(super) fn workflows_line(o: &Outcomes) -> String {
    format!(
        "{} submitted: {} succeeded, {} failed by activeDeadlineSeconds, {} failed otherwise, {} terminated by \
         Replace, {} unfinished.",
        o.created, o.succeeded, o.deadline_exceeded, o.failed_other, o.replaced, o.unfinished
    )
}

/// Whose zone the header's controller zone is, when not only
/// kube-controller-manager's.
fn whose_zone(r: &Report) -> &'static str {
    let has = |k: WorkloadKind| r.workloads.iter().any(|c| c.kind == k);
    match (has(WorkloadKind::CronOperation), has(WorkloadKind::CronWorkflow)) {
        (false, false) => "",
        (true, false) => " (kube-controller-manager's and the Crossplane pod's)",
        (false, true) => " (kube-controller-manager's and Argo's workflow-controller's)",
        (true, true) => " (kube-controller-manager's, the Crossplane pod's and Argo's workflow-controller's)",
    }
}

/// A CronOperation's Operations: Crossplane has no backoffLimit or
/// activeDeadlineSeconds; its failures are `retryLimit` or pipeline errors.
pub(super) fn operations_line(o: &Outcomes) -> String {
    let lost = if o.lost_attempts > 0 {
        format!(" ({} attempts lost when the Crossplane pod stopped)", o.lost_attempts)
    } else {
        String::new()
    };
    format!(
        "{} created: {} succeeded, {} failed with retryLimit exhausted, {} failed otherwise, {} replaced, {} \
         unfinished; {} retries{lost}.",
        o.created, o.succeeded, o.retry_limit_exhausted, o.failed_other, o.replaced, o.unfinished, o.retries
    )
}

fn outcome_word(o: TickOutcome) -> &'static str {
    match o {
        TickOutcome::OnTime => "on time",
        TickOutcome::Late => "late",
        TickOutcome::NotStarted => "not started",
        TickOutcome::Pending => "pending",
    }
}

/// The figure key of the fleet-load chart in the HTML report (no workload
/// can have it: a CronJob's key holds a `/`, a CronOperation's name no `_`).
pub(crate) const FLEET_FIGURE: &str = "_fleet-load";

/// Where a report's every detail is, for the line that says what a PR-sized
/// Markdown report cut.
const FULL_RUN_REPORT: &str = "report.html and report.json (`cronwarp run --out DIR`) have them all";

/// GitHub-flavoured Markdown, for PR comments: the whole report when it is
/// at most [`PR_COMMENT_CHARS`](super::PR_COMMENT_CHARS) characters, else
/// the summary first and each workload's details collapsed, cut when even
/// that is too long ([`render_markdown_full`] has everything).
pub fn render_markdown(r: &Report) -> String {
    super::fit::markdown_fitting(document(r), FULL_RUN_REPORT)
}

/// GitHub-flavoured Markdown, every detail however long (the golden
/// reports of `cronwarp test`).
pub fn render_markdown_full(r: &Report) -> String {
    markdown(document(r))
}

/// The report's document, for the HTML page.
pub(crate) fn report_document(r: &Report) -> Vec<Block> {
    document(r)
}

/// Lays out blocks as Markdown.
pub(crate) fn markdown(blocks: Vec<Block>) -> String {
    markdown_of(&blocks)
}

/// Lays out blocks as Markdown, borrowed.
pub(crate) fn markdown_of(blocks: &[Block]) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Workload { .. } | Block::Figure(_) => {}
            Block::Heading(l, t) => out.push_str(&format!("{} {t}\n\n", "#".repeat(usize::from(*l)))),
            Block::Para(p) => out.push_str(&format!("{p}\n\n")),
            Block::Table { head, rows } => {
                out.push_str(&format!("| {} |\n", head.join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Plain text with aligned columns, for terminals.
pub fn render_text(r: &Report) -> String {
    text(document(r))
}

/// The cells `s` takes in a terminal. Report cells are nearly always
/// printable ASCII, one cell a byte; only other text pays for the Unicode
/// width tables (a 1,000-CronJob report measures some 86,000 cells).
fn display_width(s: &str) -> usize {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) { s.len() } else { s.width() }
}

/// Lays out blocks as aligned plain text.
pub(crate) fn text(blocks: Vec<Block>) -> String {
    let mut out = String::new();
    for b in blocks {
        match b {
            Block::Workload { .. } | Block::Figure(_) => {}
            Block::Heading(1, t) => out.push_str(&format!("{t}\n{}\n\n", "=".repeat(display_width(&t)))),
            Block::Heading(2, t) => out.push_str(&format!("{t}\n{}\n", "-".repeat(display_width(&t)))),
            Block::Heading(_, t) => out.push_str(&format!("{t}:\n")),
            Block::Para(p) => out.push_str(&format!("{}\n\n", p.replace('`', ""))),
            Block::Table { head, rows } => {
                // Columns line up by display width (a CJK character takes
                // two cells, a combining mark none), not by chars.
                let mut w: Vec<usize> = head.iter().map(|h| display_width(h)).collect();
                for r in &rows {
                    for (i, c) in r.iter().enumerate() {
                        if let Some(x) = w.get_mut(i) {
                            *x = (*x).max(display_width(c));
                        }
                    }
                }
                // One buffer for every row: a 1,000-CronJob report has
                // tens of thousands of cells, once a String each.
                let mut cells = String::new();
                let mut line = |out: &mut String, row: &mut dyn Iterator<Item = &str>| {
                    cells.clear();
                    for (i, c) in row.enumerate() {
                        if i > 0 {
                            cells.push_str("  ");
                        }
                        cells.push_str(c);
                        let pad = w.get(i).copied().unwrap_or(0).saturating_sub(display_width(c));
                        cells.extend(std::iter::repeat_n(' ', pad));
                    }
                    out.push_str("  ");
                    out.push_str(cells.trim_end());
                    out.push('\n');
                };
                line(&mut out, &mut head.iter().map(|h| h.as_ref()));
                for r in &rows {
                    line(&mut out, &mut r.iter().map(String::as_str));
                }
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_tables_align_by_display_width_not_chars() {
        let rows = vec![vec!["東京".to_string(), "x".to_string()], vec!["ab".to_string(), "y".to_string()]];
        let out = text(vec![Block::Table { head: cols(&["zone", "v"]), rows }]);
        // "東京" is two chars but four cells wide: the second column starts
        // at the same cell on every line.
        let at: Vec<usize> =
            out.lines().filter(|l| !l.is_empty()).map(|l| l[..l.rfind(' ').unwrap()].width()).collect();
        assert_eq!(at, [7, 7, 7], "{out}");
    }

    #[test]
    fn the_ascii_shortcut_measures_what_the_unicode_tables_do() {
        let printable: String = (b' '..=b'~').map(char::from).collect();
        for s in [
            printable.as_str(),
            "",
            "cj-1 ran 3 times",
            "tab\there",
            "bell\u{7}",
            "del\u{7f}",
            "café",
            "東京",
        ] {
            assert_eq!(display_width(s), s.width(), "{s:?}");
        }
    }
}
