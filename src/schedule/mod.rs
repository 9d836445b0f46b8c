//! Kubernetes-exact cron schedules: robfig/cron v3 `ParseStandard` and
//! `Schedule.Next`, time zones and DST included.
//!
//! Kubernetes parses `spec.schedule` with robfig/cron v3 and walks it with
//! `Next`; cronwarp reproduces both exactly, quirks included (see
//! docs/design.md#schedules-robfigs-field-walk-not-instant-matching and
//! docs/fidelity/schedules.md).
//!
//! ```
//! use cronwarp::schedule::{Schedule, Zone};
//! use chrono::{DateTime, Utc};
//!
//! let s = Schedule::parse("TZ=America/New_York 30 1 * * *").unwrap();
//! let from: DateTime<Utc> = "2025-11-02T00:00:00-04:00".parse().unwrap();
//! let runs: Vec<String> = s
//!     .iter_after(from.timestamp(), Zone::Utc)
//!     .take(3)
//!     .map(|t| s.format_rfc3339(t, Zone::Utc))
//!     .collect();
//! // The repeated hour fires twice, once per offset.
//! assert_eq!(runs, [
//!     "2025-11-02T01:30:00-04:00",
//!     "2025-11-02T01:30:00-05:00",
//!     "2025-11-03T01:30:00-05:00",
//! ]);
//! ```

mod analysis;
mod civil;
mod describe;
mod golang;
pub mod kube;
mod next;
pub mod output;
mod parse;
pub mod text;
mod zone;

pub use analysis::{
    Anomaly, AnomalyKind, DayRule, Transition, analyze, analyze_as, analyze_windows, day_rule, fmt_offset,
    group_anomalies, simple_next, transitions,
};
pub use civil::Wall;
pub use describe::describe;
/// Go's `strconv.Quote` (`%q`), which controllers use in event and error texts.
pub use golang::quote as go_quote;
pub use parse::{ParseError, STAR_BIT};
pub use zone::{Location, Zone, load_location};

/// A parsed schedule: robfig's `SpecSchedule` or `ConstantDelaySchedule`,
/// plus the location from a `TZ=` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    kind: ScheduleKind,
    location: Location,
}

/// The two schedule types `ParseStandard` produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// Five cron fields (or a descriptor that stands for them).
    Spec(SpecSchedule),
    /// `@every D`, in whole seconds (at least 1).
    Every(u64),
}

/// Bitmasks of the cron fields, bit N set when value N matches; bit 63 is
/// [`STAR_BIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecSchedule {
    /// Seconds 0–59; always just bit 0, as standard specs have no seconds field.
    pub second: u64,
    /// Minutes 0–59.
    pub minute: u64,
    /// Hours 0–23.
    pub hour: u64,
    /// Days of the month 1–31.
    pub dom: u64,
    /// Months 1–12.
    pub month: u64,
    /// Days of the week 0–6, 0 = Sunday.
    pub dow: u64,
}

impl Schedule {
    /// robfig `ParseStandard`.
    pub fn parse(spec: &str) -> Result<Schedule, ParseError> {
        parse::parse_standard(spec)
    }

    /// [`Schedule::parse`], remembered per thread (bounded): a simulated
    /// controller that parses its schedule at every reconcile (Crossplane's
    /// CronOperation controller) pays for a lookup, not a parse.
    pub fn parse_remembered(spec: &str) -> Result<Schedule, ParseError> {
        PARSE_MEMO.with_borrow_mut(|memo| {
            if let Some(r) = memo.get(spec) {
                return r.clone();
            }
            let r = parse::parse_standard(spec);
            if memo.len() >= PARSE_MEMO_MAX {
                memo.clear();
            }
            memo.insert(spec.to_string(), r.clone());
            r
        })
    }

    /// The parsed form.
    pub fn kind(&self) -> &ScheduleKind {
        &self.kind
    }

    /// The location from a `TZ=`/`CRON_TZ=` prefix, or [`Location::Local`].
    pub fn location(&self) -> Location {
        self.location
    }

    /// The zone the schedule is evaluated in when the caller's local zone is
    /// `local` (kube-controller-manager's zone, UTC unless configured).
    pub fn zone(&self, local: Zone) -> Zone {
        self.location.resolve(local)
    }

    /// robfig `Schedule.Next`: the first fire time strictly after `after`
    /// (Unix seconds, already floored), or `None` for Go's zero time.
    ///
    /// Like robfig, this can return `after` itself in zones whose DST shift
    /// is not a whole hour (docs/fidelity/schedules.md#sch-9); callers that
    /// iterate must guard against that, as [`Schedule::iter_after`] does not.
    #[inline]
    pub fn next(&self, after: i64, local: Zone) -> Option<i64> {
        match self.kind {
            ScheduleKind::Every(d) => after.checked_add(d as i64),
            ScheduleKind::Spec(ref s) => next::spec_next(s, self.zone(local), after),
        }
    }

    /// [`Schedule::next`], remembered: a controller asks the same few
    /// questions (the tick after the last schedule time, the one after
    /// now) at every sync of a CronJob, so the last answers are kept per
    /// thread and a repeated question costs a lookup instead of a walk over
    /// the calendar. The answers are those of [`Schedule::next`].
    pub fn next_remembered(&self, after: i64, local: Zone) -> Option<i64> {
        let ScheduleKind::Spec(spec) = &self.kind else { return self.next(after, local) };
        let zone = self.zone(local);
        NEXT_MEMO.with_borrow_mut(|memo| {
            if let Some(hit) = memo.find(spec, zone, after) {
                return hit;
            }
            let r = next::spec_next(spec, zone, after);
            memo.insert((*spec, zone, after, r));
            r
        })
    }

    /// Iterates `Next` from `after`, feeding each result back in, exactly as
    /// robfig's callers do. Ends at the first zero time.
    pub fn iter_after(&self, after: i64, local: Zone) -> impl Iterator<Item = i64> + '_ {
        let mut cur = Some(after);
        std::iter::from_fn(move || {
            cur = self.next(cur?, local);
            cur
        })
    }

    /// RFC 3339 in the schedule's zone, as Go's `time.RFC3339` prints it
    /// (`Z` for a zero offset).
    pub fn format_rfc3339(&self, unix: i64, local: Zone) -> String {
        format_rfc3339(unix, self.zone(local))
    }
}

/// Writes `YYYY-MM-DDTHH:MM:SS` of a UTC instant into the first 19 bytes
/// of `buf`, for years 0–9999 (`None` outside them): the digits chrono's
/// `%Y-%m-%dT%H:%M:%S` prints, without its formatting machinery.
pub fn utc_wall_text(unix: i64, buf: &mut [u8]) -> Option<()> {
    let buf = buf.get_mut(..19)?;
    let w = Wall::from_local_seconds(unix);
    let year = u32::try_from(w.year).ok().filter(|y| *y <= 9999)?;
    let two = |b: &mut [u8], v: u32| {
        b[0] = b'0' + (v / 10 % 10) as u8;
        b[1] = b'0' + (v % 10) as u8;
    };
    two(&mut buf[0..2], year / 100);
    two(&mut buf[2..4], year % 100);
    for (i, (sep, v)) in [(b'-', w.month), (b'-', w.day), (b'T', w.hour), (b':', w.minute), (b':', w.second)]
        .into_iter()
        .enumerate()
    {
        buf[4 + 3 * i] = sep;
        two(&mut buf[5 + 3 * i..7 + 3 * i], v);
    }
    Some(())
}

/// RFC 3339 of an instant in a zone, Go-style (`Z` for a zero offset).
pub fn format_rfc3339(unix: i64, zone: Zone) -> String {
    match rfc3339_text(unix, zone, &mut [0u8; 25]) {
        Some(text) => text.to_string(),
        None => rfc3339_any_year(unix, zone),
    }
}

/// [`format_rfc3339`] written into `buf`, for local years 0–9999 (`None`
/// outside them), without allocating: a CronJob's Job carries its
/// scheduled time in this form.
pub fn rfc3339_text(unix: i64, zone: Zone, buf: &mut [u8; 25]) -> Option<&str> {
    let off = zone.offset_at(unix);
    utc_wall_text(unix + i64::from(off), &mut buf[..])?;
    let len = if off == 0 {
        buf[19] = b'Z';
        20
    } else {
        buf[19] = if off < 0 { b'-' } else { b'+' };
        // Go's RFC3339 drops offset seconds (LMT zones have them).
        let a = off.unsigned_abs();
        let (h, m) = (a / 3600, a / 60 % 60);
        buf[20..25].copy_from_slice(&[
            b'0' + (h / 10 % 10) as u8,
            b'0' + (h % 10) as u8,
            b':',
            b'0' + (m / 10) as u8,
            b'0' + (m % 10) as u8,
        ]);
        25
    };
    std::str::from_utf8(&buf[..len]).ok()
}

/// Reads the plain RFC 3339 forms [`rfc3339_text`] writes,
/// `YYYY-MM-DDTHH:MM:SSZ` and `YYYY-MM-DDTHH:MM:SS±HH:MM`, as Unix seconds,
/// without chrono: every Job's scheduled-time annotation is read back twice
/// (the log's `JobCreated`, the kubelet's run index). `None` for any other
/// text, and for what the plain reading would not be sure of (leap
/// seconds, fields out of range), which the caller then hands to the
/// general parser.
pub fn rfc3339_plain_unix(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        b.get(from..from + len)?
            .iter()
            .try_fold(0u32, |v, &c| c.is_ascii_digit().then(|| v * 10 + u32::from(c - b'0')))
    };
    let punct = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if !(b.len() == 20 || b.len() == 25) || punct.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day == 0 || day > civil::days_in_month(i64::from(year), month) {
        return None;
    }
    let offset = match (b.len(), b[19]) {
        (20, b'Z') => 0,
        (25, sign @ (b'+' | b'-')) if b[22] == b':' => {
            let (h, m) = (num(20, 2)?, num(23, 2)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = i64::from(h * 3600 + m * 60);
            if sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let days = civil::days_from_civil(i64::from(year), month, day);
    Some(days * civil::DAY + i64::from(hour * 3600 + minute * 60 + second) - offset)
}

/// [`format_rfc3339`] for any year (five digits, or a sign).
fn rfc3339_any_year(unix: i64, zone: Zone) -> String {
    let off = zone.offset_at(unix);
    let w = Wall::from_local_seconds(unix + i64::from(off));
    let mut s = String::with_capacity(25);
    match u64::try_from(w.year) {
        Ok(y) => text::push_padded(&mut s, y, 4),
        Err(_) => s.push_str(&format!("{:04}", w.year)),
    }
    for (sep, v) in [('-', w.month), ('-', w.day), ('T', w.hour), (':', w.minute), (':', w.second)] {
        s.push(sep);
        text::push_padded(&mut s, u64::from(v), 2);
    }
    if off == 0 {
        s.push('Z');
        return s;
    }
    s.push(if off < 0 { '-' } else { '+' });
    let a = u64::from(off.unsigned_abs());
    text::push_padded(&mut s, a / 3600, 2);
    s.push(':');
    text::push_padded(&mut s, a / 60 % 60, 2);
    s
}

/// The last answers of [`Schedule::next_remembered`]: a few, replaced in
/// turn, which is all one CronJob's sync asks again.
struct NextMemo {
    entries: Vec<(SpecSchedule, Zone, i64, Option<i64>)>,
    oldest: usize,
}

impl NextMemo {
    const SIZE: usize = 8;

    fn find(&self, spec: &SpecSchedule, zone: Zone, after: i64) -> Option<Option<i64>> {
        self.entries.iter().find(|e| e.2 == after && e.1 == zone && e.0 == *spec).map(|e| e.3)
    }

    fn insert(&mut self, entry: (SpecSchedule, Zone, i64, Option<i64>)) {
        if self.entries.len() < Self::SIZE {
            self.entries.push(entry);
        } else {
            self.entries[self.oldest] = entry;
            self.oldest = (self.oldest + 1) % Self::SIZE;
        }
    }
}

/// How many parse results [`Schedule::parse_remembered`] keeps per thread.
const PARSE_MEMO_MAX: usize = 4096;

type ParseMemo = rustc_hash::FxHashMap<String, Result<Schedule, ParseError>>;

thread_local! {
    static NEXT_MEMO: std::cell::RefCell<NextMemo> =
        const { std::cell::RefCell::new(NextMemo { entries: Vec::new(), oldest: 0 }) };
    static PARSE_MEMO: std::cell::RefCell<ParseMemo> = std::cell::RefCell::new(ParseMemo::default());
}

#[cfg(test)]
mod tests {
    use super::{Location, Schedule, Zone, load_location};

    /// The remembered answers are keyed by schedule, zone and instant: a
    /// second pass (all hits) and interleaved schedules and local zones
    /// give exactly what a fresh `next` gives.
    #[test]
    fn remembered_next_answers_as_next_does() {
        let berlin = match load_location("Europe/Berlin") {
            Ok(Location::Zone(z)) => z,
            other => panic!("Europe/Berlin loads as a zone: {other:?}"),
        };
        let specs = ["0 2 * * *", "TZ=America/New_York 30 2 * * *", "*/7 * * * *", "@every 90m"];
        let schedules: Vec<Schedule> = specs.iter().filter_map(|s| Schedule::parse(s).ok()).collect();
        assert_eq!(schedules.len(), specs.len());
        // Around the 2025 spring-forward in both zones.
        let start = 1_741_300_000i64;
        for _pass in 0..2 {
            for step in 0..400 {
                let t = start + step * 3_607;
                for s in &schedules {
                    for local in [Zone::Utc, berlin] {
                        assert_eq!(
                            s.next_remembered(t, local),
                            s.next(t, local),
                            "{s:?} after {t} in {local:?}"
                        );
                    }
                }
            }
        }
    }

    /// The allocation-free RFC 3339 text is the general one's, byte for
    /// byte, in zones with whole-hour, half-hour, negative and LMT
    /// (offset seconds) offsets, across DST changes and year 0 to 9999.
    #[test]
    fn rfc3339_text_writes_what_the_general_formatter_writes() {
        let mut zones = vec![Zone::Utc];
        for name in
            ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Europe/Amsterdam", "Pacific/Apia"]
        {
            match load_location(name) {
                Ok(Location::Zone(z)) => zones.push(z),
                other => panic!("{name}: {other:?}"),
            }
        }
        let (first, last) = (-62_167_219_200_i64, 253_402_300_799_i64);
        let mut checked = 0;
        for zone in zones {
            let mut t = first;
            while t <= last {
                let fast = super::rfc3339_text(t, zone, &mut [0u8; 25]).map(str::to_string);
                if let Some(fast) = fast {
                    assert_eq!(fast, super::rfc3339_any_year(t, zone), "at {t}");
                    checked += 1;
                }
                t += 7_919_993;
            }
        }
        assert!(checked > 150_000, "{checked}");
    }

    /// The plain reader agrees with chrono's RFC 3339 parser on every text
    /// the writer makes (six zones, years 0 to 9999), and declines, rather
    /// than misreads, the texts it is not sure of.
    #[test]
    fn rfc3339_plain_unix_reads_what_chrono_reads() {
        let chrono_unix = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp());
        let mut zones = vec![Zone::Utc];
        for name in
            ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Apia", "Africa/Monrovia"]
        {
            if let Ok(Location::Zone(z)) = load_location(name) {
                zones.push(z);
            }
        }
        let mut read = 0;
        for zone in zones {
            let mut t = -62_135_596_800_i64;
            while t <= 253_402_300_799 {
                if let Some(text) = super::rfc3339_text(t, zone, &mut [0u8; 25]) {
                    let plain = super::rfc3339_plain_unix(text);
                    assert_eq!(plain, chrono_unix(text), "{text}");
                    read += usize::from(plain.is_some());
                }
                t += 7_919_993;
            }
        }
        assert!(read > 150_000, "{read}");
        for text in ["2024-02-29T23:59:59-23:59", "0000-01-01T00:00:00Z", "2025-01-01T00:00:00-00:00"] {
            let plain = super::rfc3339_plain_unix(text);
            assert!(plain.is_some() && plain == chrono_unix(text), "{text}: {plain:?}");
        }
        for text in [
            "2025-02-29T00:00:00Z",
            "2025-12-31T23:59:60Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01t00:00:00z",
            "2025-01-01T00:00:00.5Z",
            "2025-01-01T00:00:00+24:00",
            "2025-1-01T00:00:00Z",
            "+025-01-01T00:00:00Z",
        ] {
            let plain = super::rfc3339_plain_unix(text);
            assert!(plain.is_none() || plain == chrono_unix(text), "{text}: {plain:?}");
        }
    }
}
