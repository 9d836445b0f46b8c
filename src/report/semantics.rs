//! What one controller's runs mean to the report, behind one trait: the
//! words for its objects, why a tick was late, superseded or left open at
//! the end, and the spec edits it treats its own way. The accounting itself
//! (ticks, overlaps, outcomes, deletions) is shared; everything that
//! differs between the Kubernetes CronJob controller and Crossplane's
//! CronOperation controller is answered here, so a third controller is one
//! more implementation (and one more arm in [`of`]).

use super::account::Account;
use super::reasons::{Notes, Pending};
use super::types::{Outcomes, TickOutcome};
use super::{argo, crossplane, reasons, render};
use crate::model::Time;
use crate::schedule::Zone;
use crate::sim::WorkloadKind;
use crate::sim::edit::SpecEdit;

/// What a workload's objects are called.
// The timelines (feature `svg`) read all of it; the text reports part.
#[cfg_attr(not(feature = "svg"), allow(dead_code))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct Nouns {
    /// The scheduling object: `CronJob`.
    pub kind: &'static str,
    /// One run: `Job`.
    pub run: &'static str,
    /// One run with its article: `a Job`.
    pub a_run: &'static str,
    /// Several runs: `Jobs`.
    pub runs: &'static str,
    /// A table column holding a run's name: `job`.
    pub column: &'static str,
}

/// The report's per-controller rules.
#[cfg_attr(not(feature = "svg"), allow(dead_code))]
pub(crate) trait Semantics: Sync {
    /// The controller, as DST notes name it (`Kubernetes`).
    fn scheduler(&self) -> &'static str;
    /// What its objects are called.
    fn nouns(&self) -> Nouns;
    /// Why a tick that started late was late.
    fn late_reason(&self, notes: &Notes) -> String;
    /// Why a tick never started once a newer one (`newer`) did.
    fn superseded_reason(&self, notes: &Notes, newer: Time, zone: Zone) -> String;
    /// What a tick still open at the horizon's end is, and why.
    fn unresolved_at_end(&self, pending: &Pending, down: bool, end: Time) -> (TickOutcome, String);
    /// Takes a spec edit the controller's own way; `false` leaves it to the
    /// common handling (schedule, zone, suspend and the other fields).
    fn spec_change(&self, _account: &mut Account, _change: &SpecEdit, _at: Time) -> bool {
        false
    }
    /// The overlap note for a run that Replace deleted but kept running.
    fn replace_note(&self) -> &'static str;
    /// The heading of the deletions table.
    fn deletions_title(&self) -> &'static str;
    /// The legend entry for failed runs.
    fn failed_label(&self) -> &'static str;
    /// Where a schedule without a zone of its own is evaluated.
    fn default_zone_label(&self, local_zone: &str) -> String;
    /// The runs by how they ended, as one sentence.
    fn outcomes_line(&self, outcomes: &Outcomes) -> String;
    /// Whether runs can end `DeadlineExceeded` (`activeDeadlineSeconds`).
    fn has_active_deadline(&self) -> bool;
    /// The legend entry for a suspended (paused) span.
    fn suspended_label(&self) -> &'static str;
    /// Whether `@every` slots count from a cursor each run moves (as
    /// Crossplane's do) rather than from the last schedule time.
    fn every_counts_from_cursor(&self) -> bool;
}

/// The rules for a workload of `kind`.
pub(crate) fn of(kind: WorkloadKind) -> &'static dyn Semantics {
    match kind {
        WorkloadKind::CronJob => &KubernetesCronJob,
        WorkloadKind::CronOperation => &CrossplaneCronOperation,
        WorkloadKind::CronWorkflow => &ArgoCronWorkflow,
    }
}

/// kube-controller-manager's CronJob controller and its Jobs.
struct KubernetesCronJob;

impl Semantics for KubernetesCronJob {
    fn scheduler(&self) -> &'static str {
        "Kubernetes"
    }
    fn nouns(&self) -> Nouns {
        Nouns { kind: "CronJob", run: "Job", a_run: "a Job", runs: "Jobs", column: "job" }
    }
    fn late_reason(&self, notes: &Notes) -> String {
        reasons::late_reason(notes)
    }
    fn superseded_reason(&self, notes: &Notes, newer: Time, zone: Zone) -> String {
        reasons::superseded_reason(notes, newer, zone)
    }
    fn unresolved_at_end(&self, pending: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
        reasons::unresolved_at_end(pending, down, end)
    }
    fn replace_note(&self) -> &'static str {
        "replaced Job still terminating"
    }
    fn deletions_title(&self) -> &'static str {
        "History GC and TTL deletions"
    }
    fn failed_label(&self) -> &'static str {
        "failed (BackoffLimitExceeded…)"
    }
    fn default_zone_label(&self, local_zone: &str) -> String {
        format!("controller zone {local_zone}")
    }
    fn outcomes_line(&self, outcomes: &Outcomes) -> String {
        render::jobs_line(outcomes)
    }
    fn has_active_deadline(&self) -> bool {
        true
    }
    fn suspended_label(&self) -> &'static str {
        "suspended"
    }
    fn every_counts_from_cursor(&self) -> bool {
        false
    }
}

/// Crossplane's CronOperation controller and its Operations.
struct CrossplaneCronOperation;

impl Semantics for CrossplaneCronOperation {
    fn scheduler(&self) -> &'static str {
        "Crossplane"
    }
    fn nouns(&self) -> Nouns {
        Nouns {
            kind: "CronOperation",
            run: "Operation",
            a_run: "an Operation",
            runs: "Operations",
            column: "operation",
        }
    }
    fn late_reason(&self, notes: &Notes) -> String {
        crossplane::late_reason(notes)
    }
    fn superseded_reason(&self, notes: &Notes, newer: Time, zone: Zone) -> String {
        crossplane::superseded_reason(notes, newer, zone)
    }
    fn unresolved_at_end(&self, pending: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
        crossplane::unresolved_at_end(pending, down, end)
    }
    fn spec_change(&self, account: &mut Account, change: &SpecEdit, at: Time) -> bool {
        crossplane::spec_change(account, change, at)
    }
    fn replace_note(&self) -> &'static str {
        "replaced Operation's function call still running (not cancelled)"
    }
    fn deletions_title(&self) -> &'static str {
        "History GC deletions"
    }
    fn failed_label(&self) -> &'static str {
        "failed (retryLimit…)"
    }
    fn default_zone_label(&self, local_zone: &str) -> String {
        format!("Crossplane pod zone {local_zone}")
    }
    fn outcomes_line(&self, outcomes: &Outcomes) -> String {
        render::operations_line(outcomes)
    }
    fn has_active_deadline(&self) -> bool {
        false
    }
    fn suspended_label(&self) -> &'static str {
        "paused by annotation"
    }
    fn every_counts_from_cursor(&self) -> bool {
        true
    }
}

/// Argo's CronWorkflow controller and its Workflows.
struct ArgoCronWorkflow;

impl Semantics for ArgoCronWorkflow {
    fn scheduler(&self) -> &'static str {
        "Argo"
    }
    fn nouns(&self) -> Nouns {
        Nouns {
            kind: "CronWorkflow",
            run: "Workflow",
            a_run: "a Workflow",
            runs: "Workflows",
            column: "workflow",
        }
    }
    fn late_reason(&self, notes: &Notes) -> String {
        argo::late_reason(notes)
    }
    fn superseded_reason(&self, notes: &Notes, newer: Time, zone: Zone) -> String {
        argo::superseded_reason(notes, newer, zone)
    }
    fn unresolved_at_end(&self, pending: &Pending, down: bool, end: Time) -> (TickOutcome, String) {
        argo::unresolved_at_end(pending, down, end)
    }
    fn spec_change(&self, account: &mut Account, change: &SpecEdit, _at: Time) -> bool {
        argo::spec_change(account, change)
    }
    fn replace_note(&self) -> &'static str {
        "replaced Workflow still terminating"
    }
    fn deletions_title(&self) -> &'static str {
        "History GC deletions"
    }
    fn failed_label(&self) -> &'static str {
        "failed (Failed, Error…)"
    }
    fn default_zone_label(&self, local_zone: &str) -> String {
        format!("workflow-controller zone {local_zone}")
    }
    fn outcomes_line(&self, outcomes: &Outcomes) -> String {
        render::workflows_line(outcomes)
    }
    fn has_active_deadline(&self) -> bool {
        true
    }
    fn suspended_label(&self) -> &'static str {
        "suspended"
    }
    fn every_counts_from_cursor(&self) -> bool {
        false
    }
}
