//! robfig/cron v3 `ParseStandard`, error texts included.
//!
//! Kubernetes validates `spec.schedule` with this parser, so its error text is
//! what `kubectl apply` shows; cronwarp returns the same text.

use super::golang::{atoi, fields, parse_duration};
use super::zone::{Location, load_location};
use super::{Schedule, ScheduleKind, SpecSchedule};
use std::fmt;

/// Set in a field's bitmask when an item's base is `*` or `?` with no step
/// above 1; decides the day-of-month / day-of-week OR rule.
pub const STAR_BIT: u64 = 1 << 63;

/// Why a schedule does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// robfig returned an error; the text is robfig's, verbatim.
    Robfig(String),
    /// robfig panics on this input (a `TZ=`/`CRON_TZ=` prefix with no space
    /// after it). The text is the Go runtime's panic value.
    Panic(String),
}

impl ParseError {
    /// robfig's error text, or the Go panic value.
    pub fn robfig_text(&self) -> &str {
        match self {
            ParseError::Robfig(s) | ParseError::Panic(s) => s,
        }
    }

    /// A short hint for fixing the input, when one helps.
    pub fn hint(&self) -> Option<&'static str> {
        let t = self.robfig_text();
        let hint = if matches!(self, ParseError::Panic(_)) {
            "put a space between the TZ=ZONE prefix and the five fields, e.g. `TZ=UTC 0 * * * *`"
        } else if t.starts_with("expected exactly 5 fields") {
            "Kubernetes uses 5 fields: minute hour day-of-month month day-of-week (no seconds, no year)"
        } else if t.starts_with("end of range (7) above maximum (6)") {
            "day of week runs 0-6 with Sunday = 0; write 0 or SUN for Sunday"
        } else if t.contains("failed to parse int from")
            && (t.contains('L') || t.contains('W') || t.contains('#'))
        {
            "robfig/cron has no L, W, # or H; list the days explicitly"
        } else if t.contains("failed to parse int from") {
            "numbers, `*`, `?` and three-letter names (jan-dec, sun-sat) are allowed"
        } else if t.starts_with("unrecognized descriptor") {
            "descriptors are @yearly @annually @monthly @weekly @daily @midnight @hourly and `@every DURATION`"
        } else if t.starts_with("failed to parse duration") {
            "@every takes a Go duration such as 90m, 1h30m or 45s (units: ns us ms s m h; no d)"
        } else if t.starts_with("provided bad location") {
            "use an IANA zone name such as Europe/Berlin (case matters)"
        } else if t.starts_with("beginning of range") || t.contains("above maximum") {
            "ranges: minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6; no wrap-around"
        } else {
            return None;
        };
        Some(hint)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Robfig(s) => f.write_str(s),
            ParseError::Panic(s) => write!(f, "robfig/cron panics on this schedule: {s}"),
        }
    }
}

impl std::error::Error for ParseError {}

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MONTH_NAMES: &[&str] =
    &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DOW_NAMES: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const SECONDS: Bounds = Bounds { min: 0, max: 59, names: &[] };
const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds { min: 1, max: 12, names: MONTH_NAMES };
const DOW: Bounds = Bounds { min: 0, max: 6, names: DOW_NAMES };

fn err<T>(s: String) -> Result<T, ParseError> {
    Err(ParseError::Robfig(s))
}

/// robfig `ParseStandard`: five fields, descriptors, `@every`, and the
/// `TZ=`/`CRON_TZ=` prefix.
pub(super) fn parse_standard(spec: &str) -> Result<Schedule, ParseError> {
    if spec.is_empty() {
        return err("empty spec string".into());
    }
    let mut spec = spec;
    let mut location = Location::Local;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        // robfig slices from the first '=' to the first ASCII space; with no
        // space the slice bound is -1 and Go panics.
        let Some(space) = spec.find(' ') else {
            return Err(ParseError::Panic("runtime error: slice bounds out of range [:-1]".into()));
        };
        let eq = spec.find('=').unwrap_or(0);
        let name = &spec[eq + 1..space];
        location = load_location(name)
            .map_err(|e| ParseError::Robfig(format!("provided bad location {name}: {e}")))?;
        spec = spec[space..].trim_matches(super::golang::is_go_space);
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec, location);
    }
    let f = fields(spec);
    if f.len() != 5 {
        return err(format!("expected exactly 5 fields, found {}: [{}]", f.len(), f.join(" ")));
    }
    let spec = SpecSchedule {
        second: get_field("0", &SECONDS)?,
        minute: get_field(f[0], &MINUTES)?,
        hour: get_field(f[1], &HOURS)?,
        dom: get_field(f[2], &DOM)?,
        month: get_field(f[3], &MONTHS)?,
        dow: get_field(f[4], &DOW)?,
    };
    Ok(Schedule { kind: ScheduleKind::Spec(spec), location })
}

fn all(b: &Bounds) -> u64 {
    bits(b.min, b.max, 1) | STAR_BIT
}

fn parse_descriptor(d: &str, location: Location) -> Result<Schedule, ParseError> {
    let one = |b: &Bounds| 1u64 << b.min;
    let spec = match d {
        "@yearly" | "@annually" => SpecSchedule {
            second: one(&SECONDS),
            minute: one(&MINUTES),
            hour: one(&HOURS),
            dom: one(&DOM),
            month: one(&MONTHS),
            dow: all(&DOW),
        },
        "@monthly" => SpecSchedule {
            second: one(&SECONDS),
            minute: one(&MINUTES),
            hour: one(&HOURS),
            dom: one(&DOM),
            month: all(&MONTHS),
            dow: all(&DOW),
        },
        "@weekly" => SpecSchedule {
            second: one(&SECONDS),
            minute: one(&MINUTES),
            hour: one(&HOURS),
            dom: all(&DOM),
            month: all(&MONTHS),
            dow: one(&DOW),
        },
        "@daily" | "@midnight" => SpecSchedule {
            second: one(&SECONDS),
            minute: one(&MINUTES),
            hour: one(&HOURS),
            dom: all(&DOM),
            month: all(&MONTHS),
            dow: all(&DOW),
        },
        "@hourly" => SpecSchedule {
            second: one(&SECONDS),
            minute: one(&MINUTES),
            hour: all(&HOURS),
            dom: all(&DOM),
            month: all(&MONTHS),
            dow: all(&DOW),
        },
        _ => {
            let Some(rest) = d.strip_prefix("@every ") else {
                return err(format!("unrecognized descriptor: {d}"));
            };
            let nanos = parse_duration(rest)
                .map_err(|e| ParseError::Robfig(format!("failed to parse duration {d}: {e}")))?;
            // robfig `Every`: at least 1 s, sub-second part dropped.
            let secs = (nanos.max(1_000_000_000) / 1_000_000_000) as u64;
            return Ok(Schedule { kind: ScheduleKind::Every(secs), location });
        }
    };
    Ok(Schedule { kind: ScheduleKind::Spec(spec), location })
}

/// robfig `getField`: comma items, empty ones dropped.
fn get_field(field: &str, b: &Bounds) -> Result<u64, ParseError> {
    let mut out = 0;
    for item in field.split(',').filter(|s| !s.is_empty()) {
        out |= get_range(item, b)?;
    }
    Ok(out)
}

/// robfig `getRange`: `base[/step]`, base `*`, `?`, `a` or `a-b`.
fn get_range(expr: &str, b: &Bounds) -> Result<u64, ParseError> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_high.len() == 1;
    let (mut start, mut end, mut extra);
    if low_high[0] == "*" || low_high[0] == "?" {
        (start, end, extra) = (u64::from(b.min), u64::from(b.max), STAR_BIT);
    } else {
        start = int_or_name(low_high[0], b.names)?;
        end = match low_high.len() {
            1 => start,
            2 => int_or_name(low_high[1], b.names)?,
            _ => return err(format!("too many hyphens: {expr}")),
        };
        extra = 0;
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1])?;
            if single {
                end = u64::from(b.max);
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return err(format!("too many slashes: {expr}")),
    };
    let (min, max) = (u64::from(b.min), u64::from(b.max));
    if start < min {
        return err(format!("beginning of range ({start}) below minimum ({min}): {expr}"));
    }
    if end > max {
        return err(format!("end of range ({end}) above maximum ({max}): {expr}"));
    }
    if start > end {
        return err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
    }
    if step == 0 {
        return err(format!("step of range should be a positive number: {expr}"));
    }
    start = start.min(63);
    Ok(bits(start as u32, end as u32, step) | extra)
}

fn int_or_name(expr: &str, names: &[&str]) -> Result<u64, ParseError> {
    let lower = expr.to_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        // Month names start at 1, weekday names at 0.
        let base = if names.len() == 12 { 1 } else { 0 };
        return Ok(i as u64 + base);
    }
    must_parse_int(expr)
}

fn must_parse_int(expr: &str) -> Result<u64, ParseError> {
    let n = atoi(expr).map_err(|e| ParseError::Robfig(format!("failed to parse int from {expr}: {e}")))?;
    if n < 0 {
        return err(format!("negative number ({n}) not allowed: {expr}"));
    }
    Ok(n as u64)
}

fn bits(min: u32, max: u32, step: u64) -> u64 {
    if step == 1 {
        return (!(u64::MAX << (max + 1))) & (u64::MAX << min);
    }
    let mut out = 0;
    let mut i = u64::from(min);
    while i <= u64::from(max) {
        out |= 1 << i;
        i += step;
    }
    out
}
