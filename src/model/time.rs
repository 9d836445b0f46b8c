//! Instants and durations at millisecond precision.
//!
//! The simulator needs sub-second time (the CronJob controller wakes at
//! tick + 100 ms; the Job controller batches pod events for 1 s), while the
//! API server stores `metav1.Time` at whole seconds. One integer type serves
//! both: Kubernetes' truncation is an explicit [`Time::trunc_seconds`] call
//! where the API server would truncate.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The last instant RFC 3339 can write, 9999-12-31T23:59:59Z, in Unix
/// seconds: its years have four digits, as do Go's `time.RFC3339` layout
/// that Kubernetes' timestamps use. cronwarp reads no instant past it, and
/// its schedule listings stop before it, so every instant it prints can be
/// read back.
pub const LAST_RFC3339_UNIX: i64 = 253_402_300_799;

/// Why `s` is not an RFC 3339 instant: chrono's reason, or for a year of
/// more than four digits, the limit.
pub fn rfc3339_error(s: &str, e: impl fmt::Display) -> String {
    let year = s.trim_start().split('-').next().unwrap_or("");
    if year.len() > 4 && year.bytes().all(|b| b.is_ascii_digit()) {
        return format!(
            "year {year} has more than four digits: RFC 3339 (and Kubernetes' timestamps) end at \
             9999-12-31T23:59:59Z"
        );
    }
    e.to_string()
}

/// An instant: milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Time(pub i64);

/// A span of time in milliseconds (may be negative).
pub type Millis = i64;

/// One second in [`Millis`].
pub const SECOND: Millis = 1_000;
/// One minute in [`Millis`].
pub const MINUTE: Millis = 60 * SECOND;
/// One hour in [`Millis`].
pub const HOUR: Millis = 60 * MINUTE;

impl Time {
    /// The [`Display`](fmt::Display) text written into `buf`, for years
    /// 0–9999 (every instant a simulation meets; `None` otherwise), without
    /// chrono's formatter: event logs and seeded draws print several
    /// instants a Job run.
    pub fn text_into(self, buf: &mut [u8; 24]) -> Option<&str> {
        let (secs, ms) = (self.0.div_euclid(1000), self.0.rem_euclid(1000));
        crate::schedule::utc_wall_text(secs, buf)?;
        let mut len = 19;
        if ms != 0 {
            let ms = ms as u32;
            let digits = [b'.', b'0' + (ms / 100) as u8, b'0' + (ms / 10 % 10) as u8, b'0' + (ms % 10) as u8];
            buf[19..23].copy_from_slice(&digits);
            len = 23;
        }
        buf[len] = b'Z';
        std::str::from_utf8(&buf[..=len]).ok()
    }

    /// From whole Unix seconds.
    pub const fn from_unix(secs: i64) -> Time {
        Time(secs.saturating_mul(1000))
    }

    /// Whole Unix seconds, rounded toward negative infinity (Go's `Unix()`).
    pub const fn unix(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// Truncated to whole seconds, as `metav1.Time` stores it.
    pub const fn trunc_seconds(self) -> Time {
        Time(self.0 - self.0.rem_euclid(1000))
    }

    /// `self + d`.
    pub const fn add(self, d: Millis) -> Time {
        Time(self.0.saturating_add(d))
    }

    /// `self - other`.
    pub const fn since(self, other: Time) -> Millis {
        self.0.saturating_sub(other.0)
    }

    /// Parses RFC 3339 (any offset, optional fraction); sub-millisecond
    /// digits are dropped.
    pub fn parse_rfc3339(s: &str) -> Result<Time, String> {
        if let Some(unix) = crate::schedule::rfc3339_plain_unix(s) {
            return Ok(Time::from_unix(unix));
        }
        chrono::DateTime::parse_from_rfc3339(s).map(|d| Time(d.timestamp_millis())).map_err(|e| {
            format!("invalid RFC 3339 time {s:?}: {} (example: 2025-11-02T01:30:00Z)", rfc3339_error(s, e))
        })
    }

    /// RFC 3339 in UTC: whole seconds print as `…:05Z`, others with three
    /// fraction digits (`…:05.100Z`).
    pub fn rfc3339(self) -> String {
        self.to_string()
    }

    /// RFC 3339 in UTC, always with milliseconds (`…:05.000Z`): the event
    /// log's fixed-width form.
    pub fn rfc3339_millis(self) -> String {
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(d) => d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            None => format!("@{}ms", self.0),
        }
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.text_into(&mut [0u8; 24]) {
            return f.write_str(text);
        }
        match chrono::DateTime::from_timestamp_millis(self.0) {
            Some(d) if self.0 % 1000 == 0 => write!(f, "{}", d.format("%Y-%m-%dT%H:%M:%SZ")),
            Some(d) => write!(f, "{}", d.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(f, "@{}ms", self.0),
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
        let s = String::deserialize(d)?;
        Time::parse_rfc3339(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Time {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Time".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

/// Formats a span as Go's `time.Duration.String` does (`1h2m3.5s`, `100ms`).
///
/// Written digit by digit rather than with `format!`: a report of a fleet
/// whose controller falls behind formats a lateness or two for each of its
/// tens of thousands of late ticks.
pub fn format_duration(ms: Millis) -> String {
    use crate::schedule::text::{Digits, decimal};
    if ms == 0 {
        return "0s".into();
    }
    let a = ms.unsigned_abs();
    let mut out = String::with_capacity(16);
    if ms < 0 {
        out.push('-');
    }
    let mut digits = Digits::new();
    if a < 1000 {
        out.push_str(decimal(a, &mut digits));
        out.push_str("ms");
        return out;
    }
    let (h, m, s, frac) = (a / 3_600_000, a / 60_000 % 60, a / 1000 % 60, a % 1000);
    if h > 0 {
        out.push_str(decimal(h, &mut digits));
        out.push('h');
    }
    if h > 0 || m > 0 {
        out.push_str(decimal(m, &mut digits));
        out.push('m');
    }
    out.push_str(decimal(s, &mut digits));
    if frac != 0 {
        // Three digits with the trailing zeros dropped: .5, .05, .005.
        out.push('.');
        let kept = if frac % 100 == 0 {
            1
        } else if frac % 10 == 0 {
            2
        } else {
            3
        };
        for d in [frac / 100, frac / 10 % 10, frac % 10].into_iter().take(kept) {
            out.push(char::from(b'0' + d as u8));
        }
    }
    out.push('s');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// chrono's text, which the fast path must reproduce byte for byte.
    fn chrono_text(t: Time) -> String {
        match chrono::DateTime::from_timestamp_millis(t.0) {
            Some(d) if t.0 % 1000 == 0 => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            Some(d) => d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            None => format!("@{}ms", t.0),
        }
    }

    #[test]
    fn display_without_chrono_prints_what_chrono_prints() {
        // Years 0 to 9999 and beyond, leap days, whole and fractional
        // seconds, negative instants: a stride that visits every field.
        let (lo, hi) =
            (Time::parse_rfc3339("0000-01-01T00:00:00Z").unwrap().0, 253_402_300_800_000 + 86_400_000);
        let mut t = lo - 86_400_000;
        while t < hi {
            assert_eq!(Time(t).to_string(), chrono_text(Time(t)), "at {t} ms");
            t += 9_876_543_211;
        }
        for t in [0, -1, 1, 999, 1000, 951_782_400_000, 951_868_799_999, -62_135_596_800_000] {
            assert_eq!(Time(t).to_string(), chrono_text(Time(t)), "at {t} ms");
        }
    }

    #[test]
    fn round_trips_rfc3339() {
        let t = Time::parse_rfc3339("2025-11-02T01:30:00-04:00").unwrap();
        assert_eq!(t.to_string(), "2025-11-02T05:30:00Z");
        assert_eq!(t.add(100).to_string(), "2025-11-02T05:30:00.100Z");
        assert_eq!(t.add(100).trunc_seconds(), t);
        assert_eq!(Time(-1).unix(), -1);
    }

    #[test]
    fn go_duration_strings() {
        assert_eq!(format_duration(100), "100ms");
        assert_eq!(format_duration(48 * HOUR + 30 * MINUTE + 100), "48h30m0.1s");
        assert_eq!(format_duration(90 * SECOND), "1m30s");
        assert_eq!(format_duration(0), "0s");
    }

    /// The digit-by-digit writer gives what the `format!` one it replaced
    /// gave, over every millisecond count that changes a digit position
    /// and both signs.
    #[test]
    fn duration_strings_match_the_formatted_ones() {
        fn formatted(ms: Millis) -> String {
            if ms == 0 {
                return "0s".into();
            }
            let a = ms.unsigned_abs();
            let sign = if ms < 0 { "-" } else { "" };
            if a < 1000 {
                return format!("{sign}{a}ms");
            }
            let (h, m, s, frac) = (a / 3_600_000, a / 60_000 % 60, a / 1000 % 60, a % 1000);
            let mut out = sign.to_string();
            if h > 0 {
                out += &format!("{h}h");
            }
            if h > 0 || m > 0 {
                out += &format!("{m}m");
            }
            if frac == 0 {
                out += &format!("{s}s");
            } else {
                out += &format!("{s}.{}s", format!("{frac:03}").trim_end_matches('0'));
            }
            out
        }
        let mut cases: Vec<Millis> = (0..3_000).collect();
        cases.extend([59_999, 60_000, 60_001, 61_010, 3_599_999, 3_600_000, 3_600_100, 86_400_005, i64::MAX]);
        cases.extend((1..40).map(|k| 7_919 * k * k * k));
        for ms in cases {
            assert_eq!(format_duration(ms), formatted(ms), "{ms}");
            assert_eq!(format_duration(-ms), formatted(-ms), "{}", -ms);
        }
        assert_eq!(format_duration(i64::MIN), formatted(i64::MIN));
    }
}
