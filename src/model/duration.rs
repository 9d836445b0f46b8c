//! The duration type every scenario field that says "how long" uses.
//!
//! Written as Go's `time.ParseDuration` strings (`"100ms"`, `"30s"`,
//! `"5m"`, `"1h30m"`, `"1.5s"`), plus a `d` unit (24 h, no calendar or DST
//! meaning) as a convenience: `"2d"`, `"1d12h"`. Durations are
//! non-negative and have millisecond resolution, the simulator's tick:
//! `"1500us"` is rejected rather than silently rounded. A bare number is
//! rejected too (is `30` seconds or milliseconds?), except `0`.

use crate::model::{Millis, format_duration};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A non-negative span of virtual time at millisecond resolution, parsed
/// from a Go-style duration string (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DurationSpec(Millis);

/// Nanoseconds per unit, longest unit names first where they share a
/// prefix (`ms` before `m`).
const UNITS: [(&str, u128); 9] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
    ("d", 86_400_000_000_000),
];

const NANOS_PER_MILLI: u128 = 1_000_000;

/// The JSON Schema pattern matching what [`DurationSpec::parse`] accepts.
pub const DURATION_PATTERN: &str = r"^(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d))+)$";

const EXAMPLES: &str = r#"write e.g. "100ms", "30s", "5m", "1h30m" or "2d""#;

impl DurationSpec {
    /// Zero.
    pub const ZERO: DurationSpec = DurationSpec(0);

    /// From milliseconds; `None` if negative.
    pub const fn from_millis(ms: Millis) -> Option<DurationSpec> {
        if ms < 0 { None } else { Some(DurationSpec(ms)) }
    }

    /// From milliseconds, negatives clamped to zero.
    pub const fn from_millis_clamped(ms: Millis) -> DurationSpec {
        DurationSpec(if ms < 0 { 0 } else { ms })
    }

    /// The span in milliseconds (never negative).
    pub const fn millis(self) -> Millis {
        self.0
    }

    /// Parses a duration string (see the module docs for the accepted form).
    pub fn parse(text: &str) -> Result<DurationSpec, String> {
        let bad = |why: &str| format!("invalid duration {text:?}: {why}; {EXAMPLES}");
        if text == "0" {
            return Ok(DurationSpec::ZERO);
        }
        if text.starts_with('-') {
            return Err(format!("invalid duration {text:?}: durations must not be negative"));
        }
        if text.is_empty() {
            return Err(bad("empty"));
        }
        if text.contains(char::is_whitespace) {
            return Err(bad("spaces are not allowed"));
        }
        let mut rest = text;
        let mut nanos: u128 = 0;
        while !rest.is_empty() {
            let (value, after) = split_number(rest).ok_or_else(|| bad("expected a number"))?;
            let (unit, scale) = UNITS
                .iter()
                .filter(|(name, _)| after.starts_with(name))
                .max_by_key(|(name, _)| name.len())
                .ok_or_else(|| match after.chars().next() {
                    None => bad(&format!("missing unit after {value}")),
                    Some(_) => bad(&format!(
                        "unknown unit {:?} (units: ns, us, ms, s, m, h, d)",
                        after.split(|c: char| c.is_ascii_digit() || c == '.').next().unwrap_or(after)
                    )),
                })?;
            nanos = scaled(value, *scale).and_then(|n| n.checked_add(nanos).ok_or(TOO_LARGE)).map_err(bad)?;
            rest = &after[unit.len()..];
        }
        if !nanos.is_multiple_of(NANOS_PER_MILLI) {
            return Err(bad(TOO_FINE));
        }
        Millis::try_from(nanos / NANOS_PER_MILLI).map(DurationSpec).map_err(|_| bad(TOO_LARGE))
    }
}

/// Splits a leading decimal number (`12`, `1.5`, `.5`, `3.`) off `s`.
fn split_number(s: &str) -> Option<(&str, &str)> {
    let end = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    let number = &s[..end];
    let valid = number.matches('.').count() <= 1 && number.chars().any(|c| c.is_ascii_digit());
    valid.then(|| (number, &s[end..]))
}

const TOO_LARGE: &str = "too large";
const TOO_FINE: &str = "not a whole number of milliseconds (the simulator's resolution)";

/// `number × scale` in nanoseconds, exactly.
fn scaled(number: &str, scale: u128) -> Result<u128, &'static str> {
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let parse = |digits: &str| if digits.is_empty() { Ok(0) } else { digits.parse::<u128>() };
    let whole_nanos = parse(whole).ok().and_then(|w| w.checked_mul(scale)).ok_or(TOO_LARGE)?;
    // A unit's scale divides by at most 2^16 × 5^11 (a day in ns), so a
    // fraction with more than 16 significant digits cannot give whole
    // nanoseconds; capping at 18 also keeps the product below 2^128.
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 18 {
        return Err(TOO_FINE);
    }
    let denominator = 10u128.pow(fraction.len() as u32);
    let fraction_nanos = parse(fraction).map_err(|_| TOO_FINE)? * scale;
    if !fraction_nanos.is_multiple_of(denominator) {
        return Err(TOO_FINE);
    }
    whole_nanos.checked_add(fraction_nanos / denominator).ok_or(TOO_LARGE)
}

impl FromStr for DurationSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<DurationSpec, String> {
        DurationSpec::parse(s)
    }
}

impl fmt::Display for DurationSpec {
    /// Go's `time.Duration.String` form (`1h30m0s`, `100ms`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

impl Serialize for DurationSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Accepts strings, and the bare number 0; other bare numbers get an error
/// that names the missing unit.
struct DurationVisitor;

impl Visitor<'_> for DurationVisitor {
    type Value = DurationSpec;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a duration string such as "30s", "5m" or "1h30m""#)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<DurationSpec, E> {
        DurationSpec::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<DurationSpec, E> {
        match v {
            0 => Ok(DurationSpec::ZERO),
            _ if v < 0 => Err(E::custom(format!("invalid duration {v}: durations must not be negative"))),
            _ => Err(E::custom(format!(r#"invalid duration {v}: missing unit; write "{v}s" or "{v}ms""#))),
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<DurationSpec, E> {
        self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<DurationSpec, E> {
        Err(E::custom(format!(r#"invalid duration {v}: missing unit; write e.g. "{v}s""#)))
    }
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<DurationSpec, D::Error> {
        d.deserialize_any(DurationVisitor)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for DurationSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A non-negative duration at millisecond resolution, as Go writes it (\"100ms\", \"30s\", \"5m\", \"1h30m\"), plus \"d\" for 24 h (\"2d\"). A bare number is only accepted for 0.",
            "anyOf": [
                { "type": "string", "pattern": DURATION_PATTERN },
                { "const": 0 }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HOUR, MINUTE, SECOND};

    fn ms(s: &str) -> Result<Millis, String> {
        DurationSpec::parse(s).map(DurationSpec::millis)
    }

    #[test]
    fn parses_go_duration_strings() {
        assert_eq!(ms("100ms"), Ok(100));
        assert_eq!(ms("30s"), Ok(30 * SECOND));
        assert_eq!(ms("5m"), Ok(5 * MINUTE));
        assert_eq!(ms("1h30m"), Ok(90 * MINUTE));
        assert_eq!(ms("1.5s"), Ok(1_500));
        assert_eq!(ms(".5m"), Ok(30 * SECOND));
        assert_eq!(ms("2000000ns"), Ok(2));
        assert_eq!(ms("0"), Ok(0));
        assert_eq!(ms("0s"), Ok(0));
    }

    #[test]
    fn accepts_days_as_24_hours() {
        assert_eq!(ms("2d"), Ok(48 * HOUR));
        assert_eq!(ms("1d12h"), Ok(36 * HOUR));
        assert_eq!(ms("0.5d"), Ok(12 * HOUR));
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        let err = |s: &str| ms(s).unwrap_err();
        assert!(err("-5s").contains("must not be negative"), "{}", err("-5s"));
        assert!(err("30").contains("missing unit after 30"), "{}", err("30"));
        assert!(err("5x").contains(r#"unknown unit "x""#), "{}", err("5x"));
        assert!(err("1h 30m").contains("spaces"), "{}", err("1h 30m"));
        assert!(err("1500us").contains("whole number of milliseconds"), "{}", err("1500us"));
        assert!(err("").contains("empty"));
        assert!(err("s").contains("expected a number"));
        assert!(err("1..2s").contains("expected a number"));
        assert!(err("99999999999999999999d").contains("too large"));
        assert!(err("999999999999999999999999999999999999999999s").contains("too large"));
        assert!(err("1.00000000000000000000001s").contains("whole number of milliseconds"));
        assert_eq!(ms("1.000000000000000000000000s"), Ok(1_000));
        assert!(err("5q").contains("e.g."));
    }

    #[test]
    fn displays_as_go_does() {
        assert_eq!(DurationSpec::parse("1h30m").map(|d| d.to_string()), Ok("1h30m0s".into()));
        assert_eq!(DurationSpec::from_millis(-1), None);
    }
}
