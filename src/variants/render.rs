//! Text and Markdown renderings of a [`VariantComparison`], from the same
//! document model as the run report's.

use super::compare::{METRICS, VariantComparison, WorkloadVariants};
use crate::model::format_duration;
use crate::report::{Block, cols, markdown_fitting, outcome_text, text};

/// Plain text with aligned columns, for terminals.
pub fn render_variants_text(c: &VariantComparison) -> String {
    text(document(c))
}

/// GitHub-flavoured Markdown, for PR comments and `--out`, at most
/// [`PR_COMMENT_CHARS`](crate::report::PR_COMMENT_CHARS) characters: a long
/// one folds each workload's details, and cuts them if it must.
pub fn render_variants_markdown(c: &VariantComparison) -> String {
    markdown_fitting(document(c), "variants.html and `--format json` have them all")
}

/// The HTML page (`variants.html`), with each workload's stacked
/// timelines from `figures` (by workload name).
#[cfg(feature = "cli")]
pub(crate) fn render_variants_html(c: &VariantComparison, figures: &crate::report::Figures) -> String {
    crate::report::document_html(&document(c), figures)
}

fn document(c: &VariantComparison) -> Vec<Block> {
    let mut d = vec![
        Block::Heading(1, format!("cronwarp compare: {} — {} variants", c.scenario, c.variants.len())),
        Block::Para(format!(
            "Horizon {} → {} ({}), seed {}. Varied: {}. Every variant runs at the same seed, and the Job for a \
             tick draws the same duration and outcome in every variant that creates it, so the columns differ \
             by policy alone.",
            c.start,
            c.end,
            format_duration(c.end.since(c.start)),
            c.seed,
            c.axes.join(" × ")
        )),
    ];
    let mut head = vec!["".to_string()];
    head.extend(c.variants.iter().map(|v| v.name.clone()));
    for w in &c.workloads {
        workload_blocks(&mut d, w, &head);
    }
    if !c.notes.is_empty() {
        d.push(Block::Heading(2, "Notes".into()));
        let rows =
            c.notes.iter().map(|n| vec![n.variant.clone(), n.workload.clone(), n.message.clone()]).collect();
        d.push(Block::Table { head: cols(&["variant", "workload", "note"]), rows });
    }
    if !c.violations.is_empty() {
        d.push(Block::Heading(2, "Expectations failed".into()));
        let rows = c
            .violations
            .iter()
            .map(|v| {
                let x = &v.violation;
                vec![v.variant.clone(), x.expectation.clone(), x.cronjob.clone(), x.message.clone()]
            })
            .collect();
        d.push(Block::Table { head: cols(&["variant", "expectation", "workload", "what happened"]), rows });
    }
    d
}

fn workload_blocks(d: &mut Vec<Block>, w: &WorkloadVariants, head: &[String]) {
    let summary = match &w.first_divergence {
        None => "every tick had the same outcome under every variant".to_string(),
        Some(div) => format!("the variants first part at {}", div.tick),
    };
    d.push(Block::Workload { key: w.name.clone(), summary });
    d.push(Block::Heading(2, w.name.clone()));
    d.push(Block::Figure(w.name.clone()));
    let rows = w
        .metrics
        .iter()
        .map(|m| {
            let label = METRICS.iter().find(|x| x.0 == m.key).map_or(m.key, |x| x.2);
            let mut row = vec![label.to_string()];
            row.extend(m.values.iter().map(|v| match (v, m.unit) {
                (None, _) => "—".to_string(),
                (Some(v), "ms") => format_duration(*v),
                (Some(v), _) => v.to_string(),
            }));
            row
        })
        .collect();
    d.push(Block::Table { head: head.to_vec(), rows });
    if !w.not_started.is_empty() {
        d.push(Block::Heading(3, "Not started, by reason".into()));
        // The reason last: it is the long column.
        let mut h = head[1..].to_vec();
        h.push("reason".into());
        let rows = w
            .not_started
            .iter()
            .map(|r| r.counts.iter().map(u64::to_string).chain([r.reason.clone()]).collect())
            .collect();
        d.push(Block::Table { head: h, rows });
    }
    match &w.first_divergence {
        None => d.push(Block::Para("Every tick had the same outcome under every variant.".into())),
        Some(div) => {
            let rows = head[1..]
                .iter()
                .zip(&div.outcomes)
                .map(|(name, o)| {
                    let what = o.as_ref().map_or_else(|| "no run of this workload".into(), outcome_text);
                    vec![name.clone(), what]
                })
                .collect();
            d.push(Block::Para(format!("The variants first part at the tick of {}:", div.tick)));
            d.push(Block::Table { head: cols(&["variant", "what became of that tick"]), rows });
        }
    }
}
