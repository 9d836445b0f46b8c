//! `cronwarp lint`'s rules: the CronJob settings whose effect surprises,
//! found from the manifest alone, without simulating. Each finding says
//! why (what the controller does), how to fix it, and where upstream
//! documents it, so the lint teaches what `cronwarp run` would show.
//!
//! Pure functions: the instant DST is looked at from is the caller's,
//! never the wall clock, so the same manifest lints the same way twice.

mod crossplane;
mod deadline;
mod fleet;
mod history;
mod retries;
mod rules;
mod timing;
mod zones;

pub use fleet::{STAMPEDE_THRESHOLD, lint_fleet};
pub use rules::RULES;
pub use timing::TOO_MANY_MISSED_WITHIN;

use crate::model::CronJob;
use crate::model::crossplane::CronOperation;
use crate::model::manifest::Located;
use crate::schedule::Zone;
use serde::Serialize;

/// How much a finding matters; `--deny warnings` fails on warnings only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The CronJob will not do what it says (no run, or another schedule).
    Warning,
    /// A trade-off worth knowing; it may be what was meant.
    Note,
}

/// A rule, as SARIF's `tool.driver.rules` lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Stable id (`CW-L1`): never renumbered, so suppressions keep working.
    pub id: &'static str,
    /// One line.
    pub title: &'static str,
    /// Upstream issue or documentation.
    pub link: &'static str,
}

/// The deadline under which CW-L2 speaks: the v1 controller's poll
/// period, which the old docs' warning was about; in v2 such a deadline
/// only bites when the controller is late.
pub const SYNC_DELAY_SECONDS: i64 = 10;

/// One finding about one field of a CronJob or CronOperation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's stable id (`CW-L1`).
    pub rule: &'static str,
    /// Warning or note.
    pub severity: Severity,
    /// `namespace/name` (a CronOperation, cluster-scoped: `name`).
    pub object: String,
    /// The field path (`spec.startingDeadlineSeconds`).
    pub field: &'static str,
    /// What is wrong, with the values involved.
    pub message: String,
    /// What the controller does about it.
    pub why: String,
    /// What to write instead.
    pub fix: String,
    /// Upstream issue or documentation.
    pub link: &'static str,
    /// The file; empty for [`lint_cronjob`].
    pub file: String,
    /// 1-based line of the field (or its nearest written ancestor); 0 unknown.
    pub line: u32,
    /// 1-based column; 0 unknown.
    pub column: u32,
}

/// The span the schedule rules look at, Unix seconds: `(from, to]`. CW-L5
/// and CW-L16 look for DST surprises in it; the interval rules and the
/// fleet rule take its first ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DstWindow {
    /// Start, excluded.
    pub from: i64,
    /// End, included.
    pub to: i64,
}

/// Lints one CronJob as written (no API defaults needed: an absent field
/// is the default). `local` is kube-controller-manager's zone, the one a
/// schedule without a time zone runs in.
pub fn lint_cronjob(cj: &CronJob, local: Zone, dst: DstWindow) -> Vec<Finding> {
    let mut out = Out::new(format!("{}/{}", cj.metadata.namespace, cj.metadata.name));
    let timing = zones::lint(cj, local, dst, &mut out);
    deadline::lint(cj, timing.as_ref(), &mut out);
    history::lint(cj, timing.as_ref(), &mut out);
    retries::lint(cj, &mut out);
    out.findings.sort_by_key(|f| rule_number(f.rule));
    out.findings
}

/// [`lint_cronjob`], each finding located at its field in the manifest.
pub fn lint_located(cj: &Located<CronJob>, local: Zone, dst: DstWindow) -> Vec<Finding> {
    locate(lint_cronjob(cj, local, dst), cj)
}

/// Lints one Crossplane CronOperation as written: the two ways its
/// reconciler stops for good (`internal/controller/ops/cronoperation`).
pub fn lint_cronoperation(co: &CronOperation) -> Vec<Finding> {
    let mut out = Out::new(co.metadata.name.to_string());
    crossplane::lint(co, &mut out);
    out.findings
}

/// [`lint_cronoperation`], each finding located at its field.
pub fn lint_cronoperation_located(co: &Located<CronOperation>) -> Vec<Finding> {
    locate(lint_cronoperation(co), co)
}

/// Points each finding at its field in `obj`'s file.
fn locate<T>(mut findings: Vec<Finding>, obj: &Located<T>) -> Vec<Finding> {
    for f in &mut findings {
        let pos = obj.position_of(f.field);
        (f.file, f.line, f.column) = (obj.file.clone(), pos.line, pos.column);
    }
    findings
}

/// `CW-L12` -> 12, so findings list in rule order.
fn rule_number(id: &str) -> u32 {
    id.trim_start_matches("CW-L").parse().unwrap_or(u32::MAX)
}

/// One object's findings as the rules push them.
struct Out {
    object: String,
    findings: Vec<Finding>,
}

impl Out {
    fn new(object: String) -> Out {
        Out { object, findings: Vec::new() }
    }

    fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        field: &'static str,
        message: String,
        why: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.findings.push(Finding {
            rule,
            severity,
            object: self.object.clone(),
            field,
            message,
            why: why.into(),
            fix: fix.into(),
            link: rules::link(rule),
            file: String::new(),
            line: 0,
            column: 0,
        });
    }
}

/// A span in words, largest units first, zero parts left out: `1h40m`,
/// `4d4h`, `45s`; what a reader of a finding wants, unlike Go's `1h40m0s`.
fn words(secs: i64) -> String {
    if secs <= 0 {
        return "0s".into();
    }
    let parts = [(secs / 86_400, "d"), (secs / 3600 % 24, "h"), (secs / 60 % 60, "m"), (secs % 60, "s")];
    parts.iter().filter(|(n, _)| *n > 0).map(|(n, unit)| format!("{n}{unit}")).collect()
}
