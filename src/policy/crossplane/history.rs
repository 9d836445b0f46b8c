//! The CronOperation's view of its children: the schedule cursor, the
//! running set, history GC and the Operations it creates. Upstream
//! `internal/ops/lifecycle/operations.go` and the cronoperation package's
//! `NewOperation`.

use super::CursorSource;
use crate::model::crossplane::{
    CronOperation, LABEL_CRONOPERATION_NAME, OPS_API_VERSION, Operation, REASON_PIPELINE_SUCCESS,
    RunningOperationRef, TYPE_SUCCEEDED,
};
use crate::model::{OwnerReference, Time};

/// Go's zero `time.Time` (0001-01-01T00:00:00Z): what robfig's `Next`
/// returns when nothing matches within five years, and what an unset
/// creation timestamp reads as.
pub const GO_ZERO: Time = Time::from_unix(-62_135_596_800);

/// Mirrors `lifecycle.LatestCreateTime` (upstream cursor) or, with
/// [`CursorSource::NameEncodedSlot`], PR #7535's `LatestScheduledTime`: the
/// newest child's slot parsed from its `<cronop>-<unix seconds>` name. A
/// child whose name does not parse (created by hand) counts with its
/// creation timestamp there (our reading of the PR; it keeps the manual
/// B1 workaround working). `None` when no child has a time.
pub fn latest_schedule_time(cronop: &str, ops: &[Operation], source: CursorSource) -> Option<Time> {
    ops.iter()
        .filter_map(|op| match source {
            CursorSource::CreationTimestamp => op.metadata.creation_timestamp,
            CursorSource::NameEncodedSlot => {
                slot_from_name(cronop, &op.metadata.name).or(op.metadata.creation_timestamp)
            }
        })
        .filter(|t| *t > GO_ZERO)
        .max()
}

/// The slot encoded in an Operation name `<cronop>-<unix seconds>`.
pub fn slot_from_name(cronop: &str, name: &str) -> Option<Time> {
    let digits = name.strip_prefix(cronop)?.strip_prefix('-')?;
    digits.parse::<i64>().ok().map(Time::from_unix)
}

/// Mirrors `lifecycle.LatestSucceededTransitionTime` over
/// `WithReason(PipelineSuccess)`: the newest success transition.
pub fn latest_success_time(ops: &[Operation]) -> Option<Time> {
    ops.iter()
        .filter_map(|op| op.condition(TYPE_SUCCEEDED))
        .filter(|c| c.reason == REASON_PIPELINE_SUCCESS)
        .filter_map(|c| c.last_transition_time)
        .max()
}

/// Mirrors the reconciler's running set plus `lifecycle.RunningOperationRefs`:
/// children whose `Succeeded` reason is `PipelineRunning`, sorted by name.
pub fn running_refs(ops: &[Operation]) -> Vec<RunningOperationRef> {
    let mut names: Vec<String> =
        ops.iter().filter(|o| o.is_running()).map(|o| o.metadata.name.clone()).collect();
    names.sort();
    names.dedup();
    names.into_iter().map(|name| RunningOperationRef { name }).collect()
}

/// Mirrors `lifecycle.MarkGarbage`'s sort: newest `creationTimestamp` first.
/// Upstream sorts the listed slice in place (so Replace later walks it in
/// this order) with Go's unstable sort; for equal timestamps cronwarp keeps
/// list order (name order, as the API server lists), which is what Go's
/// insertion sort does on the short slices seen in practice.
pub fn sort_newest_first(ops: &mut [Operation]) {
    ops.sort_by(|a, b| b.metadata.creation_timestamp.cmp(&a.metadata.creation_timestamp));
}

/// Mirrors `lifecycle.MarkGarbage` on an already [`sort_newest_first`]ed
/// list: the names to delete. Succeeded=True and =False children beyond
/// their limits are garbage; Unknown (running, or not started) are kept.
/// A negative limit keeps none.
pub fn mark_garbage(keep_succeeded: i32, keep_failed: i32, ops: &[Operation]) -> Vec<String> {
    let (mut kept_s, mut kept_f) = (0, 0);
    let mut del = Vec::new();
    for op in ops {
        let (kept, keep) = match op.succeeded_status() {
            "True" => (&mut kept_s, keep_succeeded),
            "False" => (&mut kept_f, keep_failed),
            _ => continue,
        };
        if *kept < keep {
            *kept += 1;
        } else {
            del.push(op.metadata.name.clone());
        }
    }
    del
}

/// `<cronop>-<unix seconds of the slot>`, as `NewOperation` names it.
pub fn operation_name(cronop: &str, slot: Time) -> String {
    format!("{cronop}-{}", slot.unix())
}

/// Mirrors `NewOperation`: the template's metadata and spec, the slot name,
/// the `ops.crossplane.io/cronoperation` label and a controller owner
/// reference. No scheduled-time annotation (unlike Kubernetes).
pub fn new_operation(co: &CronOperation, slot: Time) -> Operation {
    let mut metadata = co.spec.operation_template.metadata.clone();
    metadata.name = operation_name(&co.metadata.name, slot);
    metadata.labels.insert(LABEL_CRONOPERATION_NAME.into(), co.metadata.name.clone());
    let owner = OwnerReference {
        api_version: OPS_API_VERSION.into(),
        kind: "CronOperation".into(),
        name: co.metadata.name.clone(),
        uid: co.metadata.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    };
    // meta.AddOwnerReference replaces a reference with the same uid.
    match metadata.owner_references.iter_mut().find(|r| r.uid == owner.uid) {
        Some(r) => *r = owner,
        None => metadata.owner_references.push(owner),
    }
    Operation {
        api_version: OPS_API_VERSION.into(),
        kind: "Operation".into(),
        metadata,
        spec: co.spec.operation_template.spec.clone(),
        status: Default::default(),
    }
}
