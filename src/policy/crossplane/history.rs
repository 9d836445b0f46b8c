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
use smol_str::SmolStr;
use std::borrow::Borrow;

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
pub fn latest_schedule_time<O: Borrow<Operation>>(
    cronop: &str,
    ops: &[O],
    source: CursorSource,
) -> Option<Time> {
    ops.iter()
        .map(Borrow::borrow)
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
pub fn latest_success_time<O: Borrow<Operation>>(ops: &[O]) -> Option<Time> {
    ops.iter()
        .map(Borrow::borrow)
        .filter_map(|op| op.condition(TYPE_SUCCEEDED))
        .filter(|c| c.reason == REASON_PIPELINE_SUCCESS)
        .filter_map(|c| c.last_transition_time)
        .max()
}

/// Mirrors the reconciler's running set plus `lifecycle.RunningOperationRefs`:
/// children whose `Succeeded` reason is `PipelineRunning`, sorted by name.
pub fn running_refs<O: Borrow<Operation>>(ops: &[O]) -> Vec<RunningOperationRef> {
    let mut names: Vec<SmolStr> =
        ops.iter().map(Borrow::borrow).filter(|o| o.is_running()).map(|o| o.metadata.name.clone()).collect();
    names.sort();
    names.dedup();
    names.into_iter().map(|name| RunningOperationRef { name }).collect()
}

/// Mirrors `lifecycle.MarkGarbage`'s sort: newest `creationTimestamp` first.
/// Upstream sorts the listed slice in place (so Replace later walks it in
/// this order) with Go's `slices.SortFunc`, an insertion sort on the short
/// slices seen in practice, which keeps equal timestamps in list order;
/// and the list comes from controller-runtime's cache, which walks a Go
/// map, in a random order at every call. Creation timestamps have whole
/// seconds, so Operations created in one second tie, and which of them GC
/// keeps is a draw (docs/fidelity/crossplane.md#xp-b7). `list_order`
/// stands for that order: ties go by a hash of it and the name; `None`
/// keeps the order given.
pub fn sort_newest_first<O: Borrow<Operation>>(ops: &mut [O], list_order: Option<u64>) {
    use std::hash::Hasher;
    let tie = |name: &str| {
        list_order.map(|order| {
            let mut h = rustc_hash::FxHasher::default();
            h.write_u64(order);
            h.write(name.as_bytes());
            h.finish()
        })
    };
    ops.sort_by_cached_key(|o| {
        let o = o.borrow();
        (std::cmp::Reverse(o.metadata.creation_timestamp), tie(&o.metadata.name))
    });
}

/// Mirrors `lifecycle.MarkGarbage` on an already [`sort_newest_first`]ed
/// list: the names to delete. Succeeded=True and =False children beyond
/// their limits are garbage; Unknown (running, or not started) are kept.
/// A negative limit keeps none.
pub fn mark_garbage<O: Borrow<Operation>>(keep_succeeded: i32, keep_failed: i32, ops: &[O]) -> Vec<SmolStr> {
    let (mut kept_s, mut kept_f) = (0, 0);
    let mut del = Vec::new();
    for op in ops.iter().map(Borrow::borrow) {
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
    metadata.name = operation_name(&co.metadata.name, slot).into();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::crossplane::{XpCondition, set_conditions};

    fn op(name: &str, created: i64, succeeded: Option<bool>) -> Operation {
        let mut o = Operation::default();
        o.metadata.name = name.into();
        o.metadata.creation_timestamp = Some(Time::from_unix(created));
        let c = succeeded
            .map(|ok| if ok { XpCondition::complete(Time(0)) } else { XpCondition::failed("x", Time(0)) });
        set_conditions(&mut o.status.conditions, c);
        o
    }

    #[test]
    fn slot_parses_only_this_cronoperations_names() {
        assert_eq!(slot_from_name("co", "co-1767229200"), Some(Time::from_unix(1_767_229_200)));
        assert_eq!(slot_from_name("co", "co-x-1"), None);
        assert_eq!(slot_from_name("co", "other-1"), None);
        assert_eq!(slot_from_name("co", "co--62135596800"), Some(GO_ZERO));
    }

    #[test]
    fn name_cursor_falls_back_to_creation_for_hand_made_children() {
        let ops = [op("co-100", 99, Some(true)), op("co-manual", 500, Some(true))];
        assert_eq!(
            latest_schedule_time("co", &ops, CursorSource::NameEncodedSlot),
            Some(Time::from_unix(500))
        );
        assert_eq!(
            latest_schedule_time("co", &ops[..1], CursorSource::NameEncodedSlot),
            Some(Time::from_unix(100))
        );
        assert_eq!(
            latest_schedule_time("co", &ops[..1], CursorSource::CreationTimestamp),
            Some(Time::from_unix(99))
        );
    }

    #[test]
    fn garbage_is_oldest_beyond_limits_and_never_unfinished() {
        let mut ops =
            vec![op("a", 1, Some(true)), op("b", 3, Some(true)), op("c", 2, None), op("d", 4, Some(false))];
        sort_newest_first(&mut ops, None);
        assert_eq!(mark_garbage(1, 1, &ops), ["a"]);
        assert_eq!(mark_garbage(0, 0, &ops), ["d", "b", "a"]);
        assert_eq!(mark_garbage(-1, 5, &ops), ["b", "a"], "a negative limit keeps none");
    }
}
