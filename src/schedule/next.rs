//! robfig/cron v3 `SpecSchedule.Next`, walked over wall-clock fields with
//! Go's `time.Date` normalisation, so that the exotic-zone deviations
//! (reference §3.2: Lord Howe, Chatham, midnight-DST zones) come out bit for
//! bit.

use super::SpecSchedule;
use super::civil::{DAY, days_from_civil};
use super::parse::STAR_BIT;
use super::zone::Zone;

/// Go's `time.Date(y, mo, d, h, mi, s, 0, loc)`: normalise overflowing
/// fields, then resolve the wall time with Go's two-lookup rule, which pushes
/// a non-existent time forward or backward depending on the zone and picks
/// either occurrence of an ambiguous one.
pub fn go_date(zone: Zone, year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> i64 {
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
pub fn day_matches(s: &SpecSchedule, day: u32, weekday: u32) -> bool {
    let dom = s.dom & (1 << day) != 0;
    let dow = s.dow & (1 << weekday) != 0;
    if (s.dom | s.dow) & STAR_BIT != 0 { dom && dow } else { dom || dow }
}

/// robfig `SpecSchedule.Next` on whole Unix seconds: `after` is the floor of
/// the time given. `None` is Go's zero time (no match within five years).
pub fn spec_next(s: &SpecSchedule, zone: Zone, after: i64) -> Option<i64> {
    let mut t = after + 1;
    let mut added = false;
    let mut w = zone.wall(t);
    let year_limit = w.year + 5;

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
            // AddDate(0, 1, 0)
            t = go_date(
                zone,
                w.year,
                i64::from(w.month) + 1,
                i64::from(w.day),
                i64::from(w.hour),
                i64::from(w.minute),
                i64::from(w.second),
            );
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
            t += 3600;
            w = zone.wall(t);
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
            t += 60;
            w = zone.wall(t);
            if w.minute == 0 {
                continue 'wrap;
            }
        }
        while s.second & (1 << w.second) == 0 {
            // Truncate(time.Second) is a no-op on whole seconds.
            added = true;
            t += 1;
            w = zone.wall(t);
            if w.second == 0 {
                continue 'wrap;
            }
        }
        return Some(t);
    }
}
