//! robfig/cron v3 `SpecSchedule.Next`, walked over wall-clock fields with
//! Go's `time.Date` normalisation, so that the exotic-zone deviations
//! (docs/fidelity/schedules.md#sch-8: Lord Howe, Chatham, midnight-DST zones) come out bit for
//! bit.
//!
//! robfig's loops move one second, minute, hour, day or month at a time and
//! re-read the wall clock after each move. Where the zone's offset cannot
//! change (always in UTC, and everywhere away from a DST change), every
//! wall clock the walk reads is plain arithmetic, which gives two shortcuts,
//! both landing on the instant robfig's walk lands on:
//!
//! - when the whole walk stays inside one stretch of steady offset, its
//!   result is the first wall time that matches every field, found directly
//!   from the field bitmasks ([`steady_next`]);
//! - otherwise each loop jumps straight to where it would stop (the first
//!   matching value, or the wrap to 0 that sends robfig back to the top) as
//!   far as the offset stays steady, and takes robfig's single steps across
//!   an offset change.
//!
//! The unit tests compare the result with a walk that takes every single
//! step, on random schedules across zones; the robfig parity test compares
//! it with robfig itself.

use super::SpecSchedule;
use super::civil::{DAY, Wall, days_from_civil, days_in_month};
use super::parse::STAR_BIT;
use super::zone::{Steady, Zone};

/// Go's `time.Date(y, mo, d, h, mi, s, 0, loc)`: normalise overflowing
/// fields, then resolve the wall time with Go's two-lookup rule, which pushes
/// a non-existent time forward or backward depending on the zone and picks
/// either occurrence of an ambiguous one.
pub(super) fn go_date(zone: Zone, year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> i64 {
    let m0 = month - 1;
    let year = year + m0.div_euclid(12);
    let month = m0.rem_euclid(12) as u32 + 1;
    let first = days_from_civil(year, month, 1);
    let wall = (first + day - 1) * DAY + hour * 3600 + min * 60 + sec;
    let off1 = i64::from(zone.offset_at(wall));
    if off1 == 0 {
        return wall;
    }
    let utc = wall - off1;
    let off2 = i64::from(zone.offset_at(utc));
    wall - off2
}

/// Whether a wall date matches the day fields: AND when either field has the
/// star bit, OR otherwise (robfig `dayMatches`).
#[inline]
pub(super) fn day_matches(s: &SpecSchedule, day: u32, weekday: u32) -> bool {
    let dom = s.dom & (1 << day) != 0;
    let dow = s.dow & (1 << weekday) != 0;
    if (s.dom | s.dow) & STAR_BIT != 0 { dom && dow } else { dom || dow }
}

/// robfig `SpecSchedule.Next` on whole Unix seconds: `after` is the floor of
/// the time given. `None` is Go's zero time (no match within five years).
pub(super) fn spec_next(s: &SpecSchedule, zone: Zone, after: i64) -> Option<i64> {
    walk(s, zone, after, Stride::Jump)
}

/// How the field loops advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stride {
    /// Straight to where the loop stops, when the offset is steady.
    Jump,
    /// One robfig iteration at a time: the reference the jumps must equal.
    #[cfg_attr(not(test), allow(dead_code))]
    Step,
}

/// robfig `SpecSchedule.Next`, taking shortcuts unless `stride` says
/// [`Stride::Step`].
fn walk(s: &SpecSchedule, zone: Zone, after: i64, stride: Stride) -> Option<i64> {
    let mut span = Spans { zone, cur: None, jump: stride == Stride::Jump };
    let mut t = after.checked_add(1)?;
    let mut added = false;
    let steady = span.at(t);
    let mut w = match steady {
        Some(st) => Wall::from_local_seconds(t + i64::from(st.off)),
        None => zone.wall(t),
    };
    let year_limit = w.year + 5;
    if let Some(st) = steady
        && let Some(fire) = steady_next(s, st, t, &w, year_limit)
    {
        return Some(fire);
    }

    'wrap: loop {
        if w.year > year_limit {
            return None;
        }
        while s.month & (1 << w.month) == 0 {
            if !added {
                added = true;
                t = go_date(zone, w.year, i64::from(w.month), 1, 0, 0, 0);
                w = zone.wall(t);
            }
            // Months are 1-based; January is where the loop wraps.
            let n = steps_to_stop(s.month >> 1, w.month - 1, 12);
            let j = if n > 1 && w.day <= 28 { span.wall_steps(t, n, |k| month_shift(&w, k)) } else { 0 };
            t = if j > 0 {
                t + month_shift(&w, j)
            } else {
                // AddDate(0, 1, 0)
                go_date(
                    zone,
                    w.year,
                    i64::from(w.month) + 1,
                    i64::from(w.day),
                    i64::from(w.hour),
                    i64::from(w.minute),
                    i64::from(w.second),
                )
            };
            w = zone.wall(t);
            if w.month == 1 {
                continue 'wrap;
            }
        }
        while !day_matches(s, w.day, w.weekday) {
            if !added {
                added = true;
                t = go_date(zone, w.year, i64::from(w.month), i64::from(w.day), 0, 0, 0);
                w = zone.wall(t);
            }
            let n = days_to_stop(s, &w);
            let j = if w.hour == 0 { span.wall_steps(t, n, |k| i64::from(k) * DAY) } else { 0 };
            if j > 0 {
                t += i64::from(j) * DAY;
                w = w.plus_days(j);
            } else {
                // AddDate(0, 0, 1)
                t = go_date(
                    zone,
                    w.year,
                    i64::from(w.month),
                    i64::from(w.day) + 1,
                    i64::from(w.hour),
                    i64::from(w.minute),
                    i64::from(w.second),
                );
                w = zone.wall(t);
                // Midnight may not exist on DST days: pull back to 00:00.
                if w.hour != 0 {
                    if w.hour > 12 {
                        t += i64::from(24 - w.hour) * 3600;
                    } else {
                        t -= i64::from(w.hour) * 3600;
                    }
                    w = zone.wall(t);
                }
            }
            if w.day == 1 {
                continue 'wrap;
            }
        }
        while s.hour & (1 << w.hour) == 0 {
            if !added {
                added = true;
                t = go_date(zone, w.year, i64::from(w.month), i64::from(w.day), i64::from(w.hour), 0, 0);
                w = zone.wall(t);
            }
            (t, w) = span.advance(t, &w, 3600, steps_to_stop(s.hour, w.hour, 24));
            if w.hour == 0 {
                continue 'wrap;
            }
        }
        while s.minute & (1 << w.minute) == 0 {
            if !added {
                added = true;
                t -= t.rem_euclid(60);
                w = zone.wall(t);
            }
            (t, w) = span.advance(t, &w, 60, steps_to_stop(s.minute, w.minute, 60));
            if w.minute == 0 {
                continue 'wrap;
            }
        }
        while s.second & (1 << w.second) == 0 {
            // Truncate(time.Second) is a no-op on whole seconds.
            added = true;
            (t, w) = span.advance(t, &w, 1, steps_to_stop(s.second, w.second, 60));
            if w.second == 0 {
                continue 'wrap;
            }
        }
        return Some(t);
    }
}

/// How many steps a field loop takes from value `v` (of `0..m`) before it
/// stops: at the first value in `mask`, or at 0, where robfig wraps.
#[inline]
fn steps_to_stop(mask: u64, v: u32, m: u32) -> u32 {
    let stops = mask & !(u64::MAX << m) & (u64::MAX << (v + 1));
    if stops == 0 { m - v } else { stops.trailing_zeros() - v }
}

/// Bit `k` set when day `day + k` of a month of `last` days matches the
/// day fields, day `day` falling on `weekday`.
#[inline]
fn day_hits(s: &SpecSchedule, day: u32, weekday: u32, last: u32) -> u64 {
    if day > last {
        return 0;
    }
    let dom = s.dom >> day;
    // The weekday field rotated to start at `weekday`, repeated weekly.
    let dow7 = s.dow & 0x7F;
    let week = ((dow7 >> weekday) | (dow7 << (7 - weekday))) & 0x7F;
    let dow = week * 0x0102_0408_1020_4081;
    let hits = if (s.dom | s.dow) & STAR_BIT != 0 { dom & dow } else { dom | dow };
    hits & (u64::MAX >> (63 - (last - day)))
}

/// How many days the day loop takes from `w` before it stops: at the first
/// matching day, or at the 1st of the next month, where robfig wraps.
fn days_to_stop(s: &SpecSchedule, w: &Wall) -> u32 {
    let last = days_in_month(w.year, w.month);
    let hits = day_hits(s, w.day, w.weekday, last) & !1;
    if hits == 0 { last - w.day + 1 } else { hits.trailing_zeros() }
}

/// The first value at or above `v` and at most `max` in `mask`.
#[inline]
fn first_from(mask: u64, v: u32, max: u32) -> Option<u32> {
    let bits = mask & (u64::MAX << v) & !(u64::MAX << (max + 1));
    (bits != 0).then(|| bits.trailing_zeros())
}

/// robfig's walk, from `t` with wall clock `w`, when the zone's offset is
/// `st.off` everywhere the walk looks: back to the start of the day or
/// month holding `t` (its first adjustment), forward to the fire time, and
/// the wall times read as instants on the way. Every wall clock the walk
/// reads is then plain arithmetic (given a whole-minute offset), and the
/// walk finds the earliest wall time at or after `w` that matches every
/// field: later today if today matches, else on the first matching date
/// after today, at the first matching time of day. `None` when the stretch does not cover
/// the walk or the search passes the year limit: the caller then walks.
fn steady_next(s: &SpecSchedule, st: Steady, t: i64, w: &Wall, year_limit: i64) -> Option<i64> {
    let off = i64::from(st.off);
    let of_day = i64::from(w.hour * 3600 + w.minute * 60 + w.second);
    let back = if s.month & (1 << w.month) == 0 { of_day + i64::from(w.day - 1) * DAY } else { of_day };
    // Offsets with seconds (old local mean times) make robfig's minute
    // truncation, done on the instant, leave the wall clock off the minute.
    if t - back + off.min(0) < st.lo || off % 60 != 0 {
        return None;
    }
    let today = (t + off).div_euclid(DAY);
    let now = (s.month & (1 << w.month) != 0 && day_matches(s, w.day, w.weekday))
        .then(|| first_time(s, w.hour, w.minute, w.second))
        .flatten();
    let (day, time) = match now {
        Some(time) => (today, time),
        None => (first_date_after(s, w, today, year_limit)?, first_time(s, 0, 0, 0)?),
    };
    let fire = day * DAY + time - off;
    (fire + off.max(0) <= st.hi).then_some(fire)
}

/// The first date after `w`'s (day number `today`) that matches the month
/// and day fields, as a day number; `None` past the year limit.
fn first_date_after(s: &SpecSchedule, w: &Wall, today: i64, limit: i64) -> Option<i64> {
    let (mut y, mut mo, mut d, mut days) = (w.year, w.month, w.day, today);
    // Today itself is out.
    let mut skip = 1;
    while y <= limit {
        match first_from(s.month, mo, 12) {
            None => {
                (y, mo, d, skip) = (y + 1, 1, 1, 0);
                days = days_from_civil(y, 1, 1);
                continue;
            }
            Some(m) if m > mo => {
                (mo, d, skip) = (m, 1, 0);
                days = days_from_civil(y, mo, 1);
            }
            Some(_) => {}
        }
        let hits = day_hits(s, d, (days + 4).rem_euclid(7) as u32, days_in_month(y, mo)) & !skip;
        if hits != 0 {
            return Some(days + i64::from(hits.trailing_zeros()));
        }
        (y, mo, d, skip) = if mo == 12 { (y + 1, 1, 1, 0) } else { (y, mo + 1, 1, 0) };
        days = days_from_civil(y, mo, 1);
    }
    None
}

/// The first time of day at or after `h:mi:se` that matches the hour,
/// minute and second fields, in seconds since midnight.
fn first_time(s: &SpecSchedule, h: u32, mi: u32, se: u32) -> Option<i64> {
    let at = |h: u32, mi: u32, se: u32| Some(i64::from(h * 3600 + mi * 60 + se));
    if s.hour & (1 << h) != 0 {
        if s.minute & (1 << mi) != 0
            && let Some(x) = first_from(s.second, se, 59)
        {
            return at(h, mi, x);
        }
        if let Some(m) = first_from(s.minute, mi + 1, 59) {
            return at(h, m, first_from(s.second, 0, 59)?);
        }
    }
    let h = first_from(s.hour, h + 1, 23)?;
    at(h, first_from(s.minute, 0, 59)?, first_from(s.second, 0, 59)?)
}

/// Seconds the wall clock moves when `AddDate(0, k, 0)` is applied to `w`
/// with a day of month that every month has.
fn month_shift(w: &Wall, k: u32) -> i64 {
    let m0 = i64::from(w.month) - 1 + i64::from(k);
    let to = days_from_civil(w.year + m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, w.day);
    (to - days_from_civil(w.year, w.month, w.day)) * DAY
}

/// The walk's view of the zone: the stretch of steady offset it is in.
struct Spans {
    zone: Zone,
    cur: Option<Steady>,
    /// Off for the single-step reference walk.
    jump: bool,
}

impl Spans {
    /// The stretch holding `t`, if the walk may jump there.
    #[inline]
    fn at(&mut self, t: i64) -> Option<Steady> {
        if !self.jump {
            return None;
        }
        match self.cur {
            Some(s) if s.covers(t, t) => Some(s),
            _ => {
                self.cur = self.zone.steady_at(t);
                self.cur
            }
        }
    }

    /// Moves `t` (whose wall clock is `w`) on by whole `step`s, as robfig's
    /// hour, minute and second loops do (`t.Add`), covering as many of the
    /// `n` steps the loop would take as the offset stays steady for; at
    /// least one step. Returns the new instant and its wall clock.
    #[inline]
    fn advance(&mut self, t: i64, w: &Wall, step: i64, n: u32) -> (i64, Wall) {
        if let Some(s) = self.at(t) {
            let j = (s.hi.saturating_sub(t) / step).min(i64::from(n));
            if j > 0 {
                return (t + j * step, w.plus(j * step));
            }
        }
        (t + step, self.zone.wall(t + step))
    }

    /// How many of `n` wall-clock steps (`AddDate`) from `t` are plain
    /// arithmetic: step `k` moves the wall clock by `shift(k)` seconds, and
    /// Go's `Date` lands on wall minus offset as long as the offset is that
    /// of `t` both there and at the wall time read as an instant, which
    /// `go_date` looks up first. 0 when not even the first step is.
    fn wall_steps(&mut self, t: i64, n: u32, shift: impl Fn(u32) -> i64) -> u32 {
        let Some(s) = self.at(t) else { return 0 };
        let off = i64::from(s.off);
        let (below, above) = (off.min(0), off.max(0));
        if !s.covers(t + below, t) {
            return 0;
        }
        (1..=n).rev().find(|&k| t + shift(k) + above <= s.hi).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Schedule, ScheduleKind};
    use chrono_tz::Tz;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn spec(expr: &str) -> SpecSchedule {
        match Schedule::parse(expr).map(|s| *s.kind()) {
            Ok(ScheduleKind::Spec(s)) => s,
            other => panic!("{expr}: {other:?}"),
        }
    }

    #[test]
    fn stops_at_the_first_match_or_at_the_wrap() {
        assert_eq!(steps_to_stop(1, 1, 60), 59);
        assert_eq!(steps_to_stop(spec("*/5 * * * *").minute, 1, 60), 4);
        assert_eq!(steps_to_stop(spec("0 9 * * *").hour, 9, 24), 15);
        assert_eq!(steps_to_stop(spec("0 9 * * *").hour, 3, 24), 6);
        assert_eq!(steps_to_stop(STAR_BIT | 1 << 30, 30, 60), 30);
    }

    #[test]
    fn day_loop_stops_at_the_first_of_next_month() {
        let s = spec("0 0 1 * *");
        let w = Wall::from_local_seconds(days_from_civil(2024, 2, 2) * DAY);
        assert_eq!(days_to_stop(&s, &w), 28);
        let w = Wall::from_local_seconds(days_from_civil(2025, 4, 30) * DAY);
        assert_eq!(days_to_stop(&s, &w), 1);
        // 2025-01-01 is a Wednesday; the next Monday is the 6th.
        let w = Wall::from_local_seconds(days_from_civil(2025, 1, 1) * DAY);
        assert_eq!(days_to_stop(&spec("0 0 * * 1"), &w), 5);
    }

    const FIELDS: [&[&str]; 5] = [
        &["*", "0", "30", "*/5", "*/15", "7/20", "59", "1,31"],
        &["*", "0", "1", "2", "3", "23", "1-3", "*/2", "0-23/6"],
        &["*", "1", "15", "29", "31", "*/2", "1-7", "*/1"],
        &["*", "1", "3", "11", "mar-may", "*/3", "10-12"],
        &["*", "0", "1-5", "sat,sun", "*/2", "6"],
    ];

    const ZONES: &[Tz] = &[
        Tz::America__New_York,
        Tz::Europe__Berlin,
        Tz::Australia__Lord_Howe,
        Tz::Pacific__Chatham,
        Tz::America__Sao_Paulo,
        Tz::Asia__Beirut,
        Tz::America__Santiago,
        Tz::Africa__Casablanca,
        Tz::Asia__Gaza,
        Tz::America__St_Johns,
        Tz::Pacific__Apia,
        Tz::Asia__Kolkata,
    ];

    #[test]
    fn jumping_lands_where_single_steps_land() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut compared = 0;
        for _ in 0..4000 {
            let expr: Vec<&str> = FIELDS.iter().map(|f| f[rng.random_range(0..f.len())]).collect();
            let s = spec(&expr.join(" "));
            let zone = if rng.random_bool(0.1) {
                Zone::Utc
            } else {
                Zone::Tz(ZONES[rng.random_range(0..ZONES.len())])
            };
            // 1900–2110: old LMT offsets, the probe limits and Go's rule extension.
            let mut t = rng.random_range(-2_208_988_800..4_449_600_000);
            for _ in 0..6 {
                let stepped = walk(&s, zone, t, Stride::Step);
                assert_eq!(walk(&s, zone, t, Stride::Jump), stepped, "{expr:?} in {zone:?} after {t}");
                compared += 1;
                match stepped {
                    Some(n) if n > t => t = n,
                    _ => break,
                }
            }
        }
        assert!(compared > 15_000, "{compared}");
    }

    #[test]
    fn jumping_lands_where_single_steps_land_around_dst_changes() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..4000 {
            let expr: Vec<&str> = FIELDS.iter().map(|f| f[rng.random_range(0..f.len())]).collect();
            let s = spec(&expr.join(" "));
            let tz = ZONES[rng.random_range(0..ZONES.len())];
            let zone = Zone::Tz(tz);
            // Start within two days before a change of offset.
            let year = rng.random_range(1970..2040);
            let mut t = days_from_civil(year, rng.random_range(1..=12), 1) * DAY;
            let steady = zone.steady_at(t).expect("tabulated");
            if steady.hi < t + 400 * DAY {
                assert_ne!(zone.offset_at(steady.hi + 1), steady.off);
                t = steady.hi - rng.random_range(0..2 * DAY);
            }
            for _ in 0..4 {
                let stepped = walk(&s, zone, t, Stride::Step);
                assert_eq!(walk(&s, zone, t, Stride::Jump), stepped, "{expr:?} in {tz} after {t}");
                match stepped {
                    Some(n) if n > t => t = n,
                    _ => break,
                }
            }
        }
    }
}
