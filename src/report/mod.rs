//! What happened, accounted: turns the simulator's event log into a report
//! per CronJob (every tick accounted exactly once, overlaps, Job outcomes,
//! history GC and TTL deletions) and renders it as text, Markdown or JSON.
//!
//! The accounting streams: [`Accountant`] is a [`LogSink`], so a long run
//! feeds it record by record and only unresolved ticks and the rows the
//! report prints are held in memory.
//!
//! [`LogSink`]: crate::sim::log::LogSink

mod account;
mod accountant;
mod argo;
mod compare;
mod crossplane;
mod dst_notes;
mod expect;
mod fit;
pub mod fleet;
mod html;
mod input;
pub mod lint;
mod overlap;
mod pod_faults;
mod reasons;
mod render;
mod semantics;
#[cfg(feature = "svg")]
pub mod svg;
mod types;

pub use accountant::Accountant;
pub use compare::{
    COMPARE_SCHEMA_VERSION, Comparison, Metric, PRINTED_TICKS, ReasonCount, SideOutcome, SideViolation,
    TickDiff, WorkloadComparison, compare, outcome_text, reason_key, render_compare_markdown,
    render_compare_text, side_outcome,
};
pub use dst_notes::{MAX_DST_NOTES, dst_notes};
pub(crate) use expect::declared;
pub use expect::{Violation, apply as apply_expectations, apply_selected, check, check_selected};
pub use fit::PR_COMMENT_CHARS;
pub(crate) use fit::markdown_fitting;
pub use fleet::{LoadDelta, LoadSource, LoadSweep, LoadWindow};
pub(crate) use fleet::{format_cpu, format_memory};
#[cfg_attr(not(feature = "svg"), allow(unused_imports))]
pub(crate) use html::{Figure, Figures};
pub use input::ReportInput;
#[cfg(feature = "svg")]
pub(crate) use render::FLEET_FIGURE;
pub(crate) use render::{Block, cols, markdown, text};
pub use render::{render_markdown, render_markdown_full, render_text};
pub(crate) use types::workload_kind;
pub use types::*;

/// Most rows kept per list (exceptions, deletions) in a report, so memory
/// stays flat however long the horizon; the counts cover every row.
pub const MAX_ROWS: usize = 1000;

/// The HTML page of a run's report (`report.html`), with `figures` (the
/// timelines by workload key, the fleet-load chart) inlined.
pub(crate) fn report_html(r: &Report, figures: &Figures) -> String {
    html::page(&render::report_document(r), figures)
}

/// The HTML page of a `compare` (`compare.html`).
#[cfg(feature = "cli")]
pub(crate) fn compare_html(c: &Comparison, figures: &Figures) -> String {
    html::page(&compare::compare_document(c), figures)
}

/// The HTML page of any document (`variants.html`).
#[cfg(feature = "cli")]
pub(crate) fn document_html(blocks: &[Block], figures: &Figures) -> String {
    html::page(blocks, figures)
}

/// Version of the JSON report's shape; bumped on any breaking change.
/// Version 2 renamed `cronjobs` to `workloads` (they include
/// CronOperations).
pub const SCHEMA_VERSION: u32 = 2;

/// A started tick counts as on time when its Job was created within this
/// long after the tick. The controller wakes at tick + 100 ms; a second
/// leaves room for clock skew and API latency without hiding real delays.
pub const ON_TIME: crate::model::Millis = crate::model::SECOND;
