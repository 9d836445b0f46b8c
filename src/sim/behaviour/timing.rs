//! How long something takes: a [`Distribution`] of durations, plus
//! optional [`Slow`] outlier runs. Used for a pod's start latency and its
//! run duration.

use super::Probability;
use crate::model::Millis;
use crate::sim::duration::DurationSpec;
use crate::sim::rng::{below, standard_normal};
use rand_chacha::ChaCha8Rng;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::fmt;

/// The standard normal quantile at 0.99: a lognormal's p99 is
/// `median × e^(σ × Z99)`.
pub const Z99: f64 = 2.3263478740408408;

/// The shape durations are drawn from. Every variant yields whole
/// milliseconds, never negative.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Always this long.
    Fixed(DurationSpec),
    /// Uniform over `[min, max]`, inclusive, at millisecond resolution.
    Uniform {
        /// Shortest draw.
        min: DurationSpec,
        /// Longest draw.
        max: DurationSpec,
    },
    /// Normal, with negative draws clamped to zero.
    Normal {
        /// Mean before clamping.
        mean: DurationSpec,
        /// Standard deviation before clamping.
        stddev: DurationSpec,
    },
    /// Lognormal given by its median and 99th percentile:
    /// `μ = ln(median)`, `σ = ln(p99 / median) / Z99`.
    LogNormal {
        /// 50th percentile.
        median: DurationSpec,
        /// 99th percentile; greater than the median.
        p99: DurationSpec,
    },
    /// One value per run (run 0 takes the first); runs past the end hold the
    /// last value.
    List(Vec<DurationSpec>),
    /// One value per run, starting over after the last.
    Cycle(Vec<DurationSpec>),
}

/// Outlier runs: with `probability`, a whole run (every attempt in it) is
/// `factor` times as long as drawn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Slow {
    /// Chance that a run is slow, in [0, 1].
    pub probability: Probability,
    /// Multiplier applied to a slow run's draws; at least 1.
    #[cfg_attr(feature = "schema", schemars(range(min = 1.0)))]
    pub factor: f64,
}

/// A distribution with optional slow outliers: what a scenario writes for
/// `startLatency` and `duration`.
///
/// YAML forms: a duration string (`30s`, fixed), a list of durations
/// (`[1m, 2m]`, same as `list:`), or a map with exactly one of `fixed`,
/// `uniform`, `normal`, `lognormal`, `list`, `cycle`, plus optional `slow`.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// What is drawn.
    pub distribution: Distribution,
    /// Optional outlier runs.
    pub slow: Option<Slow>,
}

impl Timing {
    /// A fixed span with no outliers.
    pub const fn fixed(d: DurationSpec) -> Timing {
        Timing { distribution: Distribution::Fixed(d), slow: None }
    }

    /// Checks the invariants deserialization cannot express in types.
    pub fn validate(&self) -> Result<(), String> {
        self.distribution.validate()?;
        match &self.slow {
            Some(s) if !(s.factor.is_finite() && s.factor >= 1.0) => {
                Err(format!("slow.factor must be a finite number of at least 1, got {}", s.factor))
            }
            _ => Ok(()),
        }
    }

    /// The span for one attempt of run `run`: the distribution drawn from
    /// `draw`, times the slow factor if `run_draw` says this run is slow.
    /// `run_draw` must give the same generator for every attempt of a run,
    /// so a run is slow for all its attempts or none. The generators are
    /// only made when a draw needs them.
    pub fn sample(
        &self,
        run: u64,
        draw: impl FnOnce() -> ChaCha8Rng,
        run_draw: impl FnOnce() -> ChaCha8Rng,
    ) -> Millis {
        let base = self.distribution.sample(run, draw);
        match &self.slow {
            Some(s) if s.probability.hit(run_draw) => to_millis(base as f64 * s.factor),
            _ => base,
        }
    }
}

impl Timing {
    /// Whether every span of run `run` is at least `floor`, whatever is
    /// drawn: the distribution cannot go below it, and the slow factor
    /// (at least 1) only lengthens.
    pub fn never_below(&self, run: u64, floor: Millis) -> bool {
        match &self.distribution {
            Distribution::Fixed(d) => d.millis() >= floor,
            Distribution::Uniform { min, .. } => min.millis() >= floor,
            // Per run, not per attempt: the run's one value.
            Distribution::List(_) | Distribution::Cycle(_) => {
                self.distribution.sample(run, no_draws) >= floor
            }
            Distribution::Normal { .. } | Distribution::LogNormal { .. } => false,
        }
    }

    /// [`Timing::never_below`] for every run.
    pub fn always_at_least(&self, floor: Millis) -> bool {
        match &self.distribution {
            Distribution::List(v) | Distribution::Cycle(v) => v.iter().all(|d| d.millis() >= floor),
            _ => self.never_below(0, floor),
        }
    }
}

/// A generator for distributions that draw nothing (lists and cycles).
fn no_draws() -> ChaCha8Rng {
    <ChaCha8Rng as rand_chacha::rand_core::SeedableRng>::from_seed([0; 32])
}

impl Distribution {
    /// Checks `min ≤ max`, `0 < median < p99` and non-empty lists.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Distribution::Uniform { min, max } if min > max => {
                Err(format!("uniform: min ({min}) must not exceed max ({max})"))
            }
            Distribution::LogNormal { median, .. } if median.millis() <= 0 => {
                Err("lognormal: median must be greater than 0".into())
            }
            Distribution::LogNormal { median, p99 } if p99 <= median => {
                Err(format!("lognormal: p99 ({p99}) must be greater than median ({median})"))
            }
            Distribution::List(v) | Distribution::Cycle(v) if v.is_empty() => {
                Err("a list of durations must not be empty".into())
            }
            _ => Ok(()),
        }
    }

    /// One draw for run `run`: lists index by run; the other random
    /// shapes draw from the generator `rng` makes. Never negative.
    pub fn sample(&self, run: u64, rng: impl FnOnce() -> ChaCha8Rng) -> Millis {
        match self {
            Distribution::Fixed(d) => d.millis(),
            Distribution::Uniform { min, max } => {
                let span = max.millis().saturating_sub(min.millis()).max(0);
                min.millis().saturating_add(below(&mut rng(), span as u64) as Millis)
            }
            Distribution::Normal { mean, stddev } => {
                to_millis(mean.millis() as f64 + stddev.millis() as f64 * standard_normal(&mut rng()))
            }
            Distribution::LogNormal { median, p99 } => {
                let mu = (median.millis() as f64).ln();
                let sigma = (p99.millis() as f64 / median.millis() as f64).ln() / Z99;
                to_millis((mu + sigma * standard_normal(&mut rng())).exp())
            }
            Distribution::List(v) => {
                let i = usize::try_from(run).unwrap_or(usize::MAX).min(v.len().saturating_sub(1));
                v.get(i).map_or(0, |d| d.millis())
            }
            Distribution::Cycle(v) => match u64::try_from(v.len()) {
                Ok(n) if n > 0 => v.get((run % n) as usize).map_or(0, |d| d.millis()),
                _ => 0,
            },
        }
    }
}

/// Rounds to whole milliseconds, clamping negatives (and NaN) to 0 and
/// saturating at the top.
fn to_millis(x: f64) -> Millis {
    if x.is_nan() || x <= 0.0 { 0 } else { x.round() as Millis }
}

// The map form of [`Timing`]; its doc text is the schema's description.
// The `with` and `skip_serializing_if` attributes keep `null` out of the
// schema (the struct is never serialized).
/// Exactly one of fixed, uniform, normal, lognormal, list, cycle; plus
/// optional slow outliers.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", schemars(rename = "DistributionMap", extend("minProperties" = 1)))]
struct TimingMap {
    /// Always this long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "DurationSpec"))]
    fixed: Option<DurationSpec>,
    /// Uniform over [min, max].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "MinMax"))]
    uniform: Option<MinMax>,
    /// Normal (mean, stddev), negative draws clamped to 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "MeanStddev"))]
    normal: Option<MeanStddev>,
    /// Lognormal given by its median and 99th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "MedianP99"))]
    lognormal: Option<MedianP99>,
    /// One value per run; runs past the end hold the last value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<DurationSpec>"))]
    list: Option<Vec<DurationSpec>>,
    /// One value per run, starting over after the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<DurationSpec>"))]
    cycle: Option<Vec<DurationSpec>>,
    /// Outlier runs: with `probability`, a run takes `factor` times as long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Slow"))]
    slow: Option<Slow>,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct MinMax {
    min: DurationSpec,
    max: DurationSpec,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct MeanStddev {
    mean: DurationSpec,
    stddev: DurationSpec,
}

#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct MedianP99 {
    median: DurationSpec,
    p99: DurationSpec,
}

const SHAPES: &str = "fixed, uniform, normal, lognormal, list or cycle";

impl TryFrom<TimingMap> for Timing {
    type Error = String;
    fn try_from(m: TimingMap) -> Result<Timing, String> {
        let shapes = [
            m.fixed.map(Distribution::Fixed),
            m.uniform.map(|u| Distribution::Uniform { min: u.min, max: u.max }),
            m.normal.map(|n| Distribution::Normal { mean: n.mean, stddev: n.stddev }),
            m.lognormal.map(|l| Distribution::LogNormal { median: l.median, p99: l.p99 }),
            m.list.map(Distribution::List),
            m.cycle.map(Distribution::Cycle),
        ];
        let mut given = shapes.into_iter().flatten();
        let distribution = given.next().ok_or_else(|| format!("expected one of {SHAPES}"))?;
        if given.next().is_some() {
            return Err(format!("give only one of {SHAPES}"));
        }
        let timing = Timing { distribution, slow: m.slow };
        timing.validate()?;
        Ok(timing)
    }
}

struct TimingVisitor;

impl<'de> Visitor<'de> for TimingVisitor {
    type Value = Timing;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a duration (\"30s\"), a list of durations, or a map with one of {SHAPES}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Timing, E> {
        DurationSpec::parse(v).map(Timing::fixed).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Timing, E> {
        DurationSpec::deserialize(de::value::I64Deserializer::new(v)).map(Timing::fixed)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Timing, E> {
        DurationSpec::deserialize(de::value::U64Deserializer::new(v)).map(Timing::fixed)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Timing, E> {
        DurationSpec::deserialize(de::value::F64Deserializer::new(v)).map(Timing::fixed)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Timing, A::Error> {
        let list = Vec::<DurationSpec>::deserialize(SeqAccessDeserializer::new(seq))?;
        let timing = Timing { distribution: Distribution::List(list), slow: None };
        timing.validate().map_err(de::Error::custom)?;
        Ok(timing)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Timing, A::Error> {
        let m = TimingMap::deserialize(MapAccessDeserializer::new(map))?;
        Timing::try_from(m).map_err(de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for Timing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Timing, D::Error> {
        d.deserialize_any(TimingVisitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Timing {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Distribution".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let duration = g.subschema_for::<DurationSpec>();
        let map = g.subschema_for::<TimingMap>();
        schemars::json_schema!({
            "description": "A duration: fixed (\"30s\"), a per-run list ([\"1m\", \"2m\"]), or a map with exactly one of fixed, uniform, normal, lognormal, list, cycle, plus optional slow outliers.",
            "anyOf": [
                duration,
                { "type": "array", "items": duration, "minItems": 1 },
                map
            ]
        })
    }
}
