//! `controller.downtime[]`: `{start, end}` or `{at, for}`, read strictly.
//!
//! Written as an untagged enum, a typo (`until:`), a mix of the two forms
//! or a negative `for` all came out as "data did not match any variant of
//! untagged enum Downtime", with no hint of which. Reading every key of
//! both forms into one strict struct first lets each mistake be said at
//! its own line.

use crate::model::Time;
use crate::sim::duration::DurationSpec;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

/// A downtime window: `{start, end}` or `{at, for}` (`for` a Go duration).
/// A zero-length window is a restart: in-memory state is lost, nothing is
/// missed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", serde(untagged, deny_unknown_fields))]
pub enum Downtime {
    /// `{start, end}`: down from `start` until `end`.
    Window {
        /// When the controller manager goes down.
        start: Time,
        /// When it is back.
        end: Time,
    },
    /// `{at, for}`: down at `at` for the Go duration `for`.
    For {
        /// When the controller manager goes down.
        at: Time,
        /// How long it stays down (`for`).
        #[cfg_attr(feature = "schema", serde(rename = "for"))]
        for_: DurationSpec,
    },
}

impl Downtime {
    /// `(start, end)`.
    pub fn window(&self) -> (Time, Time) {
        match self {
            Downtime::Window { start, end } => (*start, *end),
            Downtime::For { at, for_ } => (*at, at.add(for_.millis())),
        }
    }
}

/// Every key either form may have.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    #[serde(default)]
    start: Option<Time>,
    #[serde(default)]
    end: Option<Time>,
    #[serde(default)]
    at: Option<Time>,
    #[serde(default, rename = "for", deserialize_with = "de_length")]
    for_: Option<DurationSpec>,
}

/// `for`, with what a negative length would have to mean.
fn de_length<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DurationSpec>, D::Error> {
    DurationSpec::deserialize(d).map(Some).map_err(|e| {
        let text = e.to_string();
        if text.contains("negative") {
            D::Error::custom(format!(
                "{text}: a downtime lasts a positive duration from `at` (0s is a restart); to start \
                 earlier, move `at`"
            ))
        } else {
            e
        }
    })
}

const FORMS: &str = "give either `start` and `end`, or `at` and `for`";

impl<'de> Deserialize<'de> for Downtime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Downtime, D::Error> {
        let Keys { start, end, at, for_ } = Keys::deserialize(d)?;
        let window = start.is_some() || end.is_some();
        let length = at.is_some() || for_.is_some();
        match (start, end, at, for_) {
            (Some(start), Some(end), None, None) => Ok(Downtime::Window { start, end }),
            (None, None, Some(at), Some(for_)) => Ok(Downtime::For { at, for_ }),
            _ if window && length => {
                let names = [("start", start.is_some()), ("end", end.is_some())];
                let others = [("at", at.is_some()), ("for", for_.is_some())];
                let list = |keys: &[(&str, bool)]| {
                    keys.iter()
                        .filter(|k| k.1)
                        .map(|k| format!("`{}`", k.0))
                        .collect::<Vec<_>>()
                        .join(" and ")
                };
                Err(D::Error::custom(format!(
                    "mixes the two forms of a window ({} with {}): {FORMS}, not both",
                    list(&names),
                    list(&others)
                )))
            }
            (Some(_), None, ..) => Err(D::Error::custom(format!("`start` without `end`: {FORMS}"))),
            (None, Some(_), ..) => Err(D::Error::custom(format!("`end` without `start`: {FORMS}"))),
            (.., Some(_), None) => Err(D::Error::custom(format!("`at` without `for`: {FORMS}"))),
            (.., None, Some(_)) => Err(D::Error::custom(format!("`for` without `at`: {FORMS}"))),
            _ => Err(D::Error::custom(format!("an empty window: {FORMS}"))),
        }
    }
}
