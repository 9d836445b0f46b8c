//! The JSON shapes of `cronwarp schedule --format json` and `cronwarp
//! explain --format json`: stable field names, versioned by
//! `schemaVersion` like the report, with JSON Schemas under `schema/`.
//! Instants are RFC 3339 strings with the schedule zone's offset, as the
//! text output prints them.

use serde::{Deserialize, Serialize};

/// Version of both shapes; bumped on any incompatible change.
pub const SCHEDULE_SCHEMA_VERSION: u32 = 1;

/// `cronwarp schedule --format json`: the next fire times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct FireTimes {
    /// The shape's version ([`SCHEDULE_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// `spec.schedule` as given.
    pub schedule: String,
    /// What the controller hands robfig (`TZ=<zone> <schedule>` with a
    /// time zone).
    pub parsed_as: String,
    /// The zone fire times are printed in (`UTC` for `@every`).
    pub zone: String,
    /// The start instant (fire times are strictly after it).
    pub from: String,
    /// Up to `--count` fire times, in order.
    pub fire_times: Vec<String>,
    /// Why the list is shorter than asked, if it is: `searchWindow` (robfig
    /// finds nothing within five years), `notAdvancing` (robfig's `Next`
    /// returns an earlier instant; the controller stops scheduling) or
    /// `pastYear9999` (the next time is after 9999-12-31T23:59:59Z, which
    /// RFC 3339's four-digit years cannot write).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// What the API server or controller would object to; the schedule
    /// still runs.
    pub warnings: Vec<String>,
}

/// `cronwarp explain --format json`: what a schedule means and where it
/// surprises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The shape's version ([`SCHEDULE_SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// `spec.schedule` as given.
    pub schedule: String,
    /// What the controller hands robfig.
    pub parsed_as: String,
    /// The zone the fields are read in; absent for `@every`, which counts
    /// real seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The zone is the controller's own (no `TZ=` and no time zone given).
    pub controller_zone: bool,
    /// The schedule in plain words.
    pub meaning: String,
    /// `or` when both day fields are restricted, so a day matching either
    /// runs; absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_rule: Option<String>,
    /// The start instant.
    pub from: String,
    /// The next runs after `from` (up to 5).
    pub next_runs: Vec<NextRun>,
    /// Why `nextRuns` is short, as for [`FireTimes::ended`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended: Option<String>,
    /// The DST surprises in the 12 months after `from`.
    pub dst: DstWindow,
    /// What the API server or controller would object to.
    pub warnings: Vec<String>,
}

/// One upcoming run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct NextRun {
    /// The instant, RFC 3339 with the zone's offset.
    pub time: String,
    /// Its local weekday: `Mon` … `Sun`.
    pub weekday: String,
}

/// DST surprises within a window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DstWindow {
    /// The window's first local date (`YYYY-MM-DD`).
    pub from: String,
    /// The window's last local date.
    pub to: String,
    /// `false` for `@every`, which DST cannot affect.
    pub applies: bool,
    /// Every surprising tick, in time order.
    pub anomalies: Vec<DstAnomaly>,
}

/// One surprising (or missing) tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DstAnomaly {
    /// `gap` (no run), `fold` (runs twice), or one of robfig's field-walk
    /// deviations: `skipped`, `nonMatching`, `notAdvancing`.
    pub kind: String,
    /// A short label: `no run (DST gap)`.
    pub label: String,
    /// Caused by how robfig walks wall-clock fields, not by the clock.
    pub exotic: bool,
    /// The local wall minute, `YYYY-MM-DD HH:MM`.
    pub wall: String,
    /// The offsets: a gap's jump (`-05:00 -> -04:00`) or each instant's.
    pub offsets: String,
    /// The instants involved (none for a gap; both passes of a fold).
    pub instants: Vec<String>,
    /// In plain words.
    pub explanation: String,
}

impl super::AnomalyKind {
    /// The name `kind` has in [`DstAnomaly`].
    pub fn json_name(self) -> &'static str {
        match self {
            super::AnomalyKind::Gap => "gap",
            super::AnomalyKind::Fold => "fold",
            super::AnomalyKind::Skipped => "skipped",
            super::AnomalyKind::NonMatching => "nonMatching",
            super::AnomalyKind::NotAdvancing => "notAdvancing",
        }
    }
}
