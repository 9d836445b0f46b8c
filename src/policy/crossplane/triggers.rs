//! Which watch events wake the two reconcilers (their `Setup` in
//! `constructor.go`): `For(CronOperation, GenerationChangedPredicate)` +
//! `Owns(Operation)`, and `For(Operation, GenerationChangedPredicate)`.

use serde::Serialize;

/// A change the informers see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Trigger {
    /// The object was created (or seen at a controller restart's re-list).
    Created,
    /// A spec edit: `metadata.generation` changed.
    SpecChanged,
    /// Metadata only (labels, annotations such as `crossplane.io/paused`):
    /// the generation does not change.
    MetadataChanged,
    /// A status write: the generation does not change.
    StatusChanged,
    /// The periodic resync (`--sync-interval`, 1 h): an Update event with
    /// an unchanged generation.
    Resync,
    /// The object was deleted.
    Deleted,
    /// A child Operation was created, changed (status included) or deleted.
    ChildChanged,
}

/// Whether the CronOperation controller reconciles on `t`.
/// `GenerationChangedPredicate` drops every Update whose generation is
/// unchanged, so removing the pause annotation does not wake it (bug B3),
/// nor does the resync; child events always do.
pub fn cronoperation_wakes_on(t: Trigger) -> bool {
    matches!(t, Trigger::Created | Trigger::SpecChanged | Trigger::Deleted | Trigger::ChildChanged)
}

/// Whether the Operation controller reconciles an Operation on `t`: its own
/// status writes do not, so retries run only off the rate limiter.
pub fn operation_wakes_on(t: Trigger) -> bool {
    matches!(t, Trigger::Created | Trigger::SpecChanged | Trigger::Deleted)
}
