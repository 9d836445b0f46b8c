//! Proleptic-Gregorian calendar arithmetic on Unix seconds.
//!
//! The field walk in [`super::next`] reads and rebuilds wall-clock fields
//! millions of times per simulated year, so it works on plain integers
//! rather than going through chrono's types.

/// Seconds in one civil day.
pub(super) const DAY: i64 = 86_400;

/// Days since 1970-01-01 for a civil date (month 1–12, any day ≥ 1 that the
/// month holds). Howard Hinnant's `days_from_civil`.
pub(super) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1–12, day 1–31) of a day count since 1970-01-01.
#[inline]
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Shifted by whole 400-year eras so the count is unsigned and `4n + 3`
    // fits in 32 bits: years about −800,000 to +2,000,000.
    const ERAS: i64 = 2_000;
    let n = days + 719_468 + ERAS * 146_097;
    if (0..1_073_741_823).contains(&n) {
        let (y, m, d) = civil_from_shifted_days(n as u32);
        return (i64::from(y) - ERAS * 400, m, d);
    }
    civil_from_days_wide(days)
}

/// Cassio Neri and Lorenz Schneider's `to_date` ("Euclidean affine
/// functions and their application to calendar algorithms", 2022): days
/// since 0000-03-01 to a civil date, in 32-bit multiplications and shifts.
/// Wall clocks are read several times per `Next`, so this is hot.
#[inline]
fn civil_from_shifted_days(n: u32) -> (u32, u32, u32) {
    let n1 = 4 * n + 3;
    let century = n1 / 146_097;
    let n2 = (n1 % 146_097) | 3;
    let p2 = 2_939_745 * u64::from(n2);
    let year_of_century = (p2 >> 32) as u32;
    let day_of_year = (p2 as u32) / 2_939_745 / 4;
    let n3 = 2_141 * day_of_year + 197_913;
    let (month, day) = (n3 >> 16, (n3 & 0xFFFF) / 2_141 + 1);
    let jan_feb = u32::from(day_of_year >= 306);
    (100 * century + year_of_century + jan_feb, month - 12 * jan_feb, day)
}

/// Howard Hinnant's `civil_from_days`, for any day count.
fn civil_from_days_wide(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `year` is a Gregorian leap year.
#[inline]
pub(super) fn is_leap(year: i64) -> bool {
    // Divisible by 400 is divisible by 100 and by 16.
    year & 3 == 0 && (year % 100 != 0 || year & 15 == 0)
}

/// Days in a month (1–12) of a year.
pub(super) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Wall-clock fields of one instant in one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wall {
    /// Year, proleptic Gregorian (may be negative).
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour, 0–23.
    pub hour: u32,
    /// Minute, 0–59.
    pub minute: u32,
    /// Second, 0–59.
    pub second: u32,
    /// 0 = Sunday, as Go's `time.Weekday`.
    pub weekday: u32,
}

impl Wall {
    /// Splits local seconds (Unix seconds plus the zone offset) into fields.
    #[inline]
    pub fn from_local_seconds(local: i64) -> Wall {
        let days = local.div_euclid(DAY);
        let secs = local.rem_euclid(DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Wall {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            // 1970-01-01 was a Thursday (4).
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// The wall clock `n` calendar days later at the same time of day; a
    /// move within the month or to the 1st of the next, the day loop's
    /// jumps, skips the calendar split.
    #[inline]
    pub fn plus_days(&self, n: u32) -> Wall {
        let left = days_in_month(self.year, self.month) - self.day;
        let (year, month, day) = if n <= left {
            (self.year, self.month, self.day + n)
        } else if n == left + 1 && self.month < 12 {
            (self.year, self.month + 1, 1)
        } else if n == left + 1 {
            (self.year + 1, 1, 1)
        } else {
            return self.plus(i64::from(n) * DAY);
        };
        Wall { year, month, day, weekday: (self.weekday + n % 7) % 7, ..*self }
    }

    /// The wall clock `secs` seconds of local time later (or earlier). A
    /// move within the day or onto the next one, the common case in a
    /// schedule walk, skips the calendar split.
    #[inline]
    pub fn plus(&self, secs: i64) -> Wall {
        let of_day = i64::from(self.hour * 3600 + self.minute * 60 + self.second) + secs;
        if !(0..2 * DAY).contains(&of_day) {
            let days = days_from_civil(self.year, self.month, self.day);
            return Wall::from_local_seconds(days * DAY + of_day);
        }
        // Today or tomorrow: no calendar split needed.
        let of_day = of_day as u32;
        let (next_day, of_day) = (of_day >= DAY as u32, of_day % DAY as u32);
        let (mut year, mut month, mut day, mut weekday) = (self.year, self.month, self.day, self.weekday);
        if next_day {
            weekday = if weekday == 6 { 0 } else { weekday + 1 };
            if day < days_in_month(year, month) {
                day += 1;
            } else if month < 12 {
                (month, day) = (month + 1, 1);
            } else {
                (year, month, day) = (year + 1, 1, 1);
            }
        }
        Wall { year, month, day, hour: of_day / 3600, minute: of_day / 60 % 60, second: of_day % 60, weekday }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_day_across_four_centuries() {
        for days in -200_000..200_000 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn fast_and_wide_date_splits_agree() {
        let mut days = -3_000_000_000i64;
        while days < 3_000_000_000 {
            assert_eq!(civil_from_days(days), civil_from_days_wide(days), "{days}");
            days += 999_983;
        }
        for days in (-800_000 * 366..=-800_000 * 365).step_by(997).chain(-1_000_000..1_000_000) {
            assert_eq!(civil_from_days(days), civil_from_days_wide(days), "{days}");
        }
    }

    #[test]
    fn moving_a_wall_clock_matches_splitting_afresh() {
        let steps =
            [1, 59, 60, 3_599, 3_600, 86_399, 86_400, 90_000, 28 * DAY, 31 * DAY, 400 * DAY, -1, -DAY];
        let mut local = days_from_civil(1999, 12, 1) * DAY;
        while local < days_from_civil(2001, 3, 1) * DAY {
            let w = Wall::from_local_seconds(local);
            for s in steps {
                assert_eq!(w.plus(s), Wall::from_local_seconds(local + s), "{local} + {s}");
            }
            for n in [1, 2, 27, 28, 29, 30, 31, 32, 61, 400] {
                let later = Wall::from_local_seconds(local + i64::from(n) * DAY);
                assert_eq!(w.plus_days(n), later, "{local} + {n} days");
            }
            local += 7 * 3_600 + 13 * 60 + 17;
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        let w = Wall::from_local_seconds(1_735_689_600); // 2025-01-01T00:00:00
        assert_eq!((w.year, w.month, w.day, w.weekday), (2025, 1, 1, 3));
    }
}
