//! Scripted attempt outcomes: `script: [fail, fail, succeed]`, with exit
//! codes and per-attempt duration overrides.

use crate::sim::duration::DurationSpec;
use serde::de::value::MapAccessDeserializer;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use smol_str::SmolStr;
use std::fmt;

/// How a scripted attempt's container exits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Exit code 0.
    Succeed,
    /// The behaviour's `exitCode` (default 1).
    Fail,
    /// This exit code (0 is a success).
    Code(i32),
}

/// One scripted attempt. YAML forms: `succeed`, `fail`, a bare exit code
/// (`42`), or a map `{exit: 42, duration: 10m, startLatency: 5s}` whose
/// keys are all optional (`exit` defaults to 0; absent durations are
/// drawn from the behaviour's distributions as usual; `container` names
/// the container that exits with the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// How the container exits.
    pub exit: Exit,
    /// Overrides the drawn start latency, exactly (no slow factor).
    pub start_latency: Option<DurationSpec>,
    /// Overrides the drawn run duration, exactly (no slow factor).
    pub duration: Option<DurationSpec>,
    /// The container the exit code belongs to (overrides the behaviour's
    /// `container`).
    pub container: Option<SmolStr>,
}

impl Outcome {
    /// An outcome with only an exit and drawn durations.
    pub const fn exit(exit: Exit) -> Outcome {
        Outcome { exit, start_latency: None, duration: None, container: None }
    }

    /// The container's exit code, `fail_code` standing for [`Exit::Fail`].
    pub const fn exit_code(&self, fail_code: i32) -> i32 {
        match self.exit {
            Exit::Succeed => 0,
            Exit::Fail => fail_code,
            Exit::Code(c) => c,
        }
    }
}

// The map form of [`Outcome`]; its doc text is the schema's description
// (see `TimingMap` for the attributes).
/// A scripted attempt with an exit code (default 0) and optional exact
/// start latency and duration.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "OutcomeMap"))]
struct OutcomeMap {
    /// Container exit code; 0 (the default) is a success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "i32"))]
    exit: Option<i32>,
    /// Exact start latency for this attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "DurationSpec"))]
    start_latency: Option<DurationSpec>,
    /// Exact run duration for this attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "DurationSpec"))]
    duration: Option<DurationSpec>,
    /// The container that exits with `exit` (default: the behaviour's
    /// `container`, else the template's first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    container: Option<SmolStr>,
}

struct OutcomeVisitor;

impl<'de> Visitor<'de> for OutcomeVisitor {
    type Value = Outcome;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("succeed, fail, an exit code, or a map {exit, duration, startLatency, container}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Outcome, E> {
        match v {
            "succeed" => Ok(Outcome::exit(Exit::Succeed)),
            "fail" => Ok(Outcome::exit(Exit::Fail)),
            _ => Err(E::custom(format!(
                "unknown outcome {v:?}: expected succeed, fail, an exit code, or {{exit: 42, duration: 10m}}"
            ))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Outcome, E> {
        i32::try_from(v)
            .map(|c| Outcome::exit(Exit::Code(c)))
            .map_err(|_| E::custom(format!("exit code {v} is out of range (32-bit)")))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Outcome, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Outcome, A::Error> {
        let m = OutcomeMap::deserialize(MapAccessDeserializer::new(map))?;
        Ok(Outcome {
            exit: Exit::Code(m.exit.unwrap_or(0)),
            start_latency: m.start_latency,
            duration: m.duration,
            container: m.container,
        })
    }
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Outcome, D::Error> {
        d.deserialize_any(OutcomeVisitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Outcome {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Outcome".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let map = g.subschema_for::<OutcomeMap>();
        schemars::json_schema!({
            "description": "A scripted attempt: succeed, fail (exits with the behaviour's exitCode), a bare exit code, or {exit, duration, startLatency, container}.",
            "anyOf": [
                { "type": "string", "enum": ["succeed", "fail"] },
                { "type": "integer", "format": "int32" },
                map
            ]
        })
    }
}
