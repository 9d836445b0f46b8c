//! [`SpecEdit`]: one change a scenario makes to a workload while the
//! simulation runs (`kubectl edit`, `kubectl annotate`, `kubectl delete`),
//! typed from the scenario to the log to the report.
//!
//! The log shows an edit as the text a reader expects (`suspend=true`,
//! `schedule=*/5 * * * *`, `crossplane.io/paused removed`); that text is
//! its serialised form, and it reads back into the same edit, so the report
//! and the timelines match on variants instead of parsing strings.

use crate::model::CronJob;
use crate::model::crossplane::{ANNOTATION_PAUSED, CronOperation};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A validated change of a CronJob or a CronOperation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecEdit {
    /// Set a CronJob's `spec.suspend` (`suspend`/`resume` in a scenario).
    Suspend(bool),
    /// Set (`true`) or remove (`false`) a CronOperation's
    /// `crossplane.io/paused` annotation (`pause`/`unpause`): metadata
    /// only, which is why an unpause goes unnoticed (bug B3).
    Paused(bool),
    /// Set `spec.schedule`.
    Schedule(String),
    /// Set a CronJob's `spec.timeZone`; `None` removes it.
    TimeZone(Option<String>),
    /// Set `spec.concurrencyPolicy`.
    ConcurrencyPolicy(String),
    /// Set `spec.startingDeadlineSeconds` (seconds); `None` removes it.
    StartingDeadlineSeconds(Option<i64>),
    /// Delete the object.
    Delete,
}

impl SpecEdit {
    /// Whether the edit changes when the ticks fall.
    pub fn moves_ticks(&self) -> bool {
        matches!(self, SpecEdit::Schedule(_) | SpecEdit::TimeZone(_))
    }

    /// Applies the edit to a CronJob (a [`SpecEdit::Delete`], or an edit
    /// only CronOperations have, changes nothing).
    pub fn apply_to_cronjob(&self, cj: &mut CronJob) {
        let s = &mut cj.spec;
        match self {
            SpecEdit::Suspend(on) => s.suspend = Some(*on),
            SpecEdit::Schedule(x) => s.schedule = x.into(),
            SpecEdit::TimeZone(z) => s.time_zone = z.as_deref().map(Into::into),
            SpecEdit::ConcurrencyPolicy(p) => s.concurrency_policy = p.into(),
            SpecEdit::StartingDeadlineSeconds(d) => s.starting_deadline_seconds = *d,
            SpecEdit::Paused(_) | SpecEdit::Delete => {}
        }
    }

    /// Applies the edit to a CronOperation (a [`SpecEdit::Delete`], or an
    /// edit only CronJobs have, changes nothing).
    pub fn apply_to_cronoperation(&self, co: &mut CronOperation) {
        match self {
            SpecEdit::Paused(true) => {
                co.metadata.annotations.insert(ANNOTATION_PAUSED.into(), "true".into());
            }
            SpecEdit::Paused(false) => {
                co.metadata.annotations.remove(ANNOTATION_PAUSED);
            }
            SpecEdit::Schedule(x) => co.spec.schedule = x.clone(),
            SpecEdit::ConcurrencyPolicy(p) => co.spec.concurrency_policy = Some(p.clone()),
            SpecEdit::StartingDeadlineSeconds(d) => co.spec.starting_deadline_seconds = *d,
            SpecEdit::Suspend(_) | SpecEdit::TimeZone(_) | SpecEdit::Delete => {}
        }
    }
}

impl SpecEdit {
    /// Applies the edit to an Argo CronWorkflow: `schedule` replaces
    /// `spec.schedules` with that one schedule, `timeZone` sets
    /// `spec.timezone` (a [`SpecEdit::Delete`], or a pause, changes
    /// nothing).
    pub fn apply_to_cronworkflow(&self, cw: &mut crate::model::argo::CronWorkflow) {
        let s = &mut cw.spec;
        match self {
            SpecEdit::Suspend(on) => s.suspend = *on,
            SpecEdit::Schedule(x) => s.schedules = vec![x.clone()],
            SpecEdit::TimeZone(z) => s.timezone = z.clone().unwrap_or_default(),
            SpecEdit::ConcurrencyPolicy(p) => s.concurrency_policy = p.clone(),
            SpecEdit::StartingDeadlineSeconds(d) => s.starting_deadline_seconds = *d,
            SpecEdit::Paused(_) | SpecEdit::Delete => {}
        }
    }
}

/// `field=value` (or `crossplane.io/paused removed`, `delete`): the text
/// the event log shows.
impl fmt::Display for SpecEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecEdit::Suspend(on) => write!(f, "suspend={on}"),
            SpecEdit::Paused(true) => write!(f, "{ANNOTATION_PAUSED}=true"),
            SpecEdit::Paused(false) => write!(f, "{ANNOTATION_PAUSED} removed"),
            SpecEdit::Schedule(s) => write!(f, "schedule={s}"),
            SpecEdit::TimeZone(z) => write!(f, "timeZone={}", z.as_deref().unwrap_or("")),
            SpecEdit::ConcurrencyPolicy(p) => write!(f, "concurrencyPolicy={p}"),
            SpecEdit::StartingDeadlineSeconds(None) => f.write_str("startingDeadlineSeconds="),
            SpecEdit::StartingDeadlineSeconds(Some(d)) => write!(f, "startingDeadlineSeconds={d}"),
            SpecEdit::Delete => f.write_str("delete"),
        }
    }
}

impl std::str::FromStr for SpecEdit {
    type Err = String;

    /// Reads the [`Display`](fmt::Display) text back.
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "delete" {
            return Ok(SpecEdit::Delete);
        }
        if let Some(rest) = s.strip_prefix(ANNOTATION_PAUSED) {
            match rest {
                "=true" => return Ok(SpecEdit::Paused(true)),
                " removed" => return Ok(SpecEdit::Paused(false)),
                _ => {}
            }
        }
        let bad = || format!("not a spec edit: {s:?} (expected field=value, e.g. suspend=true)");
        let (field, value) = s.split_once('=').ok_or_else(bad)?;
        Ok(match field {
            "suspend" => SpecEdit::Suspend(value.parse().map_err(|_| bad())?),
            "schedule" => SpecEdit::Schedule(value.to_string()),
            "timeZone" => SpecEdit::TimeZone((!value.is_empty()).then(|| value.to_string())),
            "concurrencyPolicy" => SpecEdit::ConcurrencyPolicy(value.to_string()),
            "startingDeadlineSeconds" if value.is_empty() => SpecEdit::StartingDeadlineSeconds(None),
            "startingDeadlineSeconds" => {
                SpecEdit::StartingDeadlineSeconds(Some(value.parse().map_err(|_| bad())?))
            }
            _ => return Err(bad()),
        })
    }
}

impl Serialize for SpecEdit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SpecEdit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for SpecEdit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SpecEdit".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "The edit as `field=value` (`suspend=true`, `schedule=*/5 * * * *`, `timeZone=`, `startingDeadlineSeconds=300`), `crossplane.io/paused=true`, `crossplane.io/paused removed` or `delete`."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SpecEdit;

    #[test]
    fn every_edit_reads_back_from_its_log_text() {
        let edits = [
            SpecEdit::Suspend(true),
            SpecEdit::Suspend(false),
            SpecEdit::Paused(true),
            SpecEdit::Paused(false),
            SpecEdit::Schedule("*/5 * * * *".into()),
            SpecEdit::TimeZone(Some("Europe/Berlin".into())),
            SpecEdit::TimeZone(None),
            SpecEdit::ConcurrencyPolicy("Forbid".into()),
            SpecEdit::StartingDeadlineSeconds(Some(300)),
            SpecEdit::StartingDeadlineSeconds(None),
            SpecEdit::Delete,
        ];
        for e in edits {
            let text = e.to_string();
            assert_eq!(text.parse::<SpecEdit>().as_ref(), Ok(&e), "{text}");
            let json = serde_json::to_string(&e).unwrap_or_default();
            assert_eq!(json, format!("{text:?}"));
        }
        assert_eq!(SpecEdit::Paused(false).to_string(), "crossplane.io/paused removed");
        assert!("colour=blue".parse::<SpecEdit>().is_err());
    }
}
