//! The few Go `time` semantics the controller's arithmetic depends on, on
//! cronwarp's millisecond instants: the zero time, saturating `Sub`, and
//! `Duration` products that wrap like Go's `int64`.

use crate::model::{Millis, Time};
use crate::schedule::{Schedule, Zone};

/// Go's zero `time.Time` (0001-01-01T00:00:00Z), which robfig's `Next`
/// returns when nothing matches within five years.
pub const GO_ZERO: Time = Time(-62_135_596_800_000);

/// `maxDuration` (2^63-1 ns) in whole milliseconds: where `Time.Sub`
/// saturates.
const MAX_DURATION_MS: Millis = 9_223_372_036_854;

/// robfig `Schedule.Next(t)`: strictly after `t`, whole seconds, Go's zero
/// time when nothing matches (see [`Schedule::next_remembered`]).
pub(super) fn next(schedule: &Schedule, t: Time, local: Zone) -> Time {
    schedule.next_remembered(t.unix(), local).map(Time::from_unix).unwrap_or(GO_ZERO)
}

/// [`next`] computed afresh, not from the remembered answers (for long
/// walks, whose answers are asked once).
pub(super) fn next_fresh(schedule: &Schedule, t: Time, local: Zone) -> Time {
    schedule.next(t.unix(), local).map(Time::from_unix).unwrap_or(GO_ZERO)
}

/// `a.Sub(b)`, saturating at Go's ±292 years as `time.Time.Sub` does.
pub(super) fn sub(a: Time, b: Time) -> Millis {
    let d = i128::from(a.0) - i128::from(b.0);
    d.clamp(-i128::from(MAX_DURATION_MS), i128::from(MAX_DURATION_MS)) as Millis
}

/// `t.Add(time.Duration(n) * time.Second)` with Go's wrapping `int64`
/// product, floored to milliseconds.
pub(super) fn add_seconds(t: Time, n: i64) -> Time {
    let ns = n.wrapping_mul(1_000_000_000);
    t.add(ns.div_euclid(1_000_000))
}

/// `int64(d.Seconds())` for a `Sub` result: truncation toward zero.
pub(super) fn whole_seconds(d: Millis) -> i64 {
    d / 1000
}

pub(super) use crate::schedule::go_quote as quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_saturates_like_go() {
        assert_eq!(sub(Time::from_unix(1_463_652_000), GO_ZERO), MAX_DURATION_MS);
        assert_eq!(sub(GO_ZERO, Time::from_unix(1_463_652_000)), -MAX_DURATION_MS);
        assert_eq!(sub(Time(1500), Time(0)), 1500);
    }

    #[test]
    fn quote_matches_go_for_ascii() {
        assert_eq!(quote("0 * * * *"), "\"0 * * * *\"");
        assert_eq!(quote("a\"b\\c\td\x01"), "\"a\\\"b\\\\c\\td\\x01\"");
    }

    #[test]
    fn whole_seconds_truncates_toward_zero() {
        assert_eq!(whole_seconds(3_600_100), 3600);
        assert_eq!(whole_seconds(-1500), -1);
    }

    #[test]
    fn add_seconds_wraps_like_go_duration_products() {
        assert_eq!(add_seconds(Time(0), -10), Time(-10_000));
        // 2^63 / 1e9 s overflows the nanosecond product and wraps negative.
        assert!(add_seconds(Time(0), 9_300_000_000) < Time(0));
    }
}
