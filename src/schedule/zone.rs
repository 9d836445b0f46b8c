//! Time zones as Go's `time.LoadLocation` sees them.
//!
//! Kubernetes hands zone names to Go, which reads the system tzdata
//! (`/usr/share/zoneinfo`). cronwarp uses chrono-tz, which ships the same IANA
//! data, and reproduces Go's answers (and error texts) for the names Go would
//! find on a Debian system: zones, links, the `posix/` and `right/` copies,
//! the non-zone files in that directory and its sub-directories.

use super::civil::{self, DAY};
use chrono::{NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use std::cell::Cell;

/// A concrete zone: something with a UTC offset at every instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Go's `time.UTC`.
    Utc,
    /// An IANA zone.
    Tz(Tz),
}

/// First instant chrono-tz has no rules for: it stores transitions up to
/// 2099, while Go extends the zone's final rule forever.
const RULES_END: i64 = 4_102_444_800; // 2100-01-01T00:00:00Z

impl Zone {
    /// The zone's name as Go prints it (`time.Location.String`).
    pub fn name(self) -> &'static str {
        match self {
            Zone::Utc => "UTC",
            Zone::Tz(tz) => tz.name(),
        }
    }

    /// Total UTC offset in seconds (standard plus DST) at a Unix instant.
    pub fn offset_at(self, unix: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Tz(tz) => match STEADY.with(Cell::get) {
                Some(s) if s.tz == tz && s.lo <= unix && unix <= s.hi => s.off,
                _ => uncached_offset(tz, unix),
            },
        }
    }

    /// The offset at `from` and the last instant, up to `want`, through
    /// which it stays the same: the offset is constant on `[from, reach]`,
    /// and when `reach < want` the offset changes at `reach + 1`. `None`
    /// outside 1800–2099, where the probing argument below is unchecked.
    ///
    /// chrono-tz hides its transition table, so the stretch is found by
    /// probing at most [`STEADY_PROBE`] apart: no two offset changes of any
    /// zone are that close, so a probe window whose ends agree holds no
    /// change, and one whose ends differ holds exactly one, which bisection
    /// pins to the second. The stretch is remembered per thread, so walking
    /// a schedule forward costs one probe every few days of zone time.
    pub fn steady(self, from: i64, want: i64) -> Option<(i32, i64)> {
        let tz = match self {
            Zone::Utc => return Some((0, want)),
            Zone::Tz(tz) => tz,
        };
        let limit = RULES_END - 1;
        if !(PROBE_FROM..=limit).contains(&from) {
            return None;
        }
        let mut s = match STEADY.with(Cell::get) {
            Some(s) if s.tz == tz && s.lo <= from && from <= s.hi => s,
            Some(s)
                if s.tz == tz
                    && from < s.lo
                    && s.lo - from <= STEADY_PROBE
                    && tz_offset(tz, from) == s.off =>
            {
                Steady { lo: from, ..s }
            }
            _ => Steady { tz, lo: from, hi: from, off: tz_offset(tz, from), ends: false },
        };
        while s.hi < want.min(limit) && !s.ends {
            let probe = s.hi.saturating_add(STEADY_PROBE).min(limit);
            if tz_offset(tz, probe) == s.off {
                s.hi = probe;
                continue;
            }
            // Exactly one change in (hi, probe]: find the last instant before it.
            let (mut same, mut other) = (s.hi, probe);
            while other - same > 1 {
                let mid = same + (other - same) / 2;
                if tz_offset(tz, mid) == s.off {
                    same = mid;
                } else {
                    other = mid;
                }
            }
            s.hi = same;
            s.ends = true;
        }
        STEADY.with(|c| c.set(Some(s)));
        Some((s.off, s.hi.min(want)))
    }

    /// Wall-clock fields of an instant in this zone.
    pub fn wall(self, unix: i64) -> civil::Wall {
        civil::Wall::from_local_seconds(unix + i64::from(self.offset_at(unix)))
    }
}

/// Probe spacing for [`Zone::steady`]. The closest two changes of a zone's
/// total offset in chrono-tz 0.10.4's data for 1800–2099 are 6.96 days
/// apart (America/Boa_Vista 2000, Asia/Gaza in the 2040s); the test
/// `offset_changes_are_never_closer_than_the_probe_spacing` re-checks it.
const STEADY_PROBE: i64 = 4 * DAY;

/// 1800-01-01T00:00:00Z: the start of the range that claim was checked on.
const PROBE_FROM: i64 = -5_364_662_400;

/// A stretch `[lo, hi]` over which `tz`'s offset is known to be `off`;
/// `ends` when the offset changes at `hi + 1`.
#[derive(Clone, Copy)]
struct Steady {
    tz: Tz,
    lo: i64,
    hi: i64,
    off: i32,
    ends: bool,
}

thread_local! {
    /// The stretch [`Zone::steady`] found last. Plain `Copy` data with a
    /// const initialiser, so reading and writing it never allocates.
    static STEADY: Cell<Option<Steady>> = const { Cell::new(None) };
}

fn uncached_offset(tz: Tz, unix: i64) -> i32 {
    if unix >= RULES_END { extended_offset(tz, unix) } else { tz_offset(tz, unix) }
}

fn tz_offset(tz: Tz, unix: i64) -> i32 {
    match NaiveDateTime::from_timestamp_opt_compat(unix) {
        Some(naive) => tz.offset_from_utc_datetime(&naive).fix().local_minus_utc(),
        None => 0,
    }
}

/// Go keeps applying a zone's last rule after 2099; chrono-tz stops. A rule
/// such as "second Sunday of March" depends only on the calendar, so an
/// instant after 2099 gets the offset of the same moment in the last year
/// before 2100 with the same calendar (same leap-ness, same weekday on
/// January 1st). Zones whose offset no longer changes by 2099 keep it.
fn extended_offset(tz: Tz, unix: i64) -> i32 {
    let probe_year = |m: u32| tz_offset(tz, civil::days_from_civil(2099, m, 1) * DAY);
    let fixed = (1..=12).map(probe_year).all(|o| o == probe_year(1));
    if fixed {
        return tz_offset(tz, RULES_END - 1);
    }
    let (year, _, _) = civil::civil_from_days(unix.div_euclid(DAY));
    let jan1 = civil::days_from_civil(year, 1, 1);
    let weekday = (jan1 + 4).rem_euclid(7);
    let twin = (2072..=2099)
        .rev()
        .find(|&y| {
            let d = civil::days_from_civil(y, 1, 1);
            civil::is_leap(y) == civil::is_leap(year) && (d + 4).rem_euclid(7) == weekday
        })
        .unwrap_or(2099);
    let shift = (civil::days_from_civil(twin, 1, 1) - jan1) * DAY;
    tz_offset(tz, unix + shift)
}

/// chrono's `DateTime::from_timestamp` without the deprecated API.
trait FromTimestampCompat: Sized {
    fn from_timestamp_opt_compat(secs: i64) -> Option<Self>;
}

impl FromTimestampCompat for NaiveDateTime {
    fn from_timestamp_opt_compat(secs: i64) -> Option<Self> {
        chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
    }
}

/// What a zone name resolves to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Go's `time.Local`: robfig then evaluates in the zone of the time it is
    /// given, which in kube-controller-manager is the process's local zone.
    Local,
    /// A fixed zone.
    Zone(Zone),
}

impl Location {
    /// The zone to evaluate in, given the caller's local zone.
    pub fn resolve(self, local: Zone) -> Zone {
        match self {
            Location::Local => local,
            Location::Zone(z) => z,
        }
    }
}

/// Files in Debian's `/usr/share/zoneinfo` that are not TZif data.
const NOT_TZIF: &[&str] = &[
    "iso3166.tab",
    "leap-seconds.list",
    "leapseconds",
    "tzdata.zi",
    "zone.tab",
    "zone1970.tab",
    "zonenow.tab",
];

/// Go's `time.LoadLocation`, returning Go's error text on failure.
///
/// The controller's own zone (`localtime`, `Local`) is UTC, as on a stock
/// kube-controller-manager image.
pub fn load_location(name: &str) -> Result<Location, String> {
    match name {
        "" | "UTC" => return Ok(Location::Zone(Zone::Utc)),
        "Local" => return Ok(Location::Local),
        _ => {}
    }
    if name.contains("..") || name.starts_with('/') || name.starts_with('\\') {
        return Err("time: invalid location name".to_string());
    }
    // The kernel, not Go, resolves the path: empty and "." components vanish.
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    let trailing_slash = name.ends_with('/');
    let unknown = || Err(format!("unknown time zone {name}"));
    let mut rest: &[&str] = &parts;
    if let Some((&first, tail)) = rest.split_first()
        && (first == "posix" || first == "right")
    {
        if tail.is_empty() {
            return Err("is a directory".to_string());
        }
        rest = tail;
    }
    let path = rest.join("/");
    let file = match path.as_str() {
        "localtime" | "UTC" => Some(Location::Zone(Zone::Utc)),
        "posixrules" => Some(Location::Zone(Zone::Tz(Tz::America__New_York))),
        p if rest.len() == parts.len() && NOT_TZIF.contains(&p) => {
            return if trailing_slash {
                Err("not a directory".to_string())
            } else {
                Err("malformed time zone information".to_string())
            };
        }
        p => p.parse::<Tz>().ok().map(|tz| Location::Zone(Zone::Tz(tz))),
    };
    if let Some(loc) = file {
        return if trailing_slash { Err("not a directory".to_string()) } else { Ok(loc) };
    }
    if is_directory(&path) {
        return Err("is a directory".to_string());
    }
    // A path that runs through a file ("UTC/x") fails with ENOTDIR.
    for cut in 1..rest.len() {
        let prefix = rest[..cut].join("/");
        if prefix.parse::<Tz>().is_ok()
            || (cut == 1 && (NOT_TZIF.contains(&rest[0]) || rest[0] == "localtime"))
        {
            return Err("not a directory".to_string());
        }
    }
    unknown()
}

/// Whether some zone name lives below `path/`.
fn is_directory(path: &str) -> bool {
    !path.is_empty()
        && chrono_tz::TZ_VARIANTS.iter().any(|tz| {
            let n = tz.name();
            n.len() > path.len() && n.starts_with(path) && n.as_bytes()[path.len()] == b'/'
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_special_names() {
        assert_eq!(load_location(""), Ok(Location::Zone(Zone::Utc)));
        assert_eq!(load_location("UTC"), Ok(Location::Zone(Zone::Utc)));
        assert_eq!(load_location("Local"), Ok(Location::Local));
        assert_eq!(load_location("utc").unwrap_err(), "unknown time zone utc");
        assert_eq!(load_location("../etc").unwrap_err(), "time: invalid location name");
        assert_eq!(load_location("America").unwrap_err(), "is a directory");
        assert_eq!(load_location("zone.tab").unwrap_err(), "malformed time zone information");
        assert_eq!(load_location("America/New_York/").unwrap_err(), "not a directory");
        assert!(load_location("posix/Europe/Berlin").is_ok());
    }

    #[test]
    fn offsets_continue_after_2099_like_go() {
        let ny = Zone::Tz(Tz::America__New_York);
        // 2104-07-01 is summer time, 2104-01-01 is not.
        let summer = civil::days_from_civil(2104, 7, 1) * DAY;
        let winter = civil::days_from_civil(2104, 1, 1) * DAY;
        assert_eq!(ny.offset_at(summer), -4 * 3600);
        assert_eq!(ny.offset_at(winter), -5 * 3600);
        let tokyo = Zone::Tz(Tz::Asia__Tokyo);
        assert_eq!(tokyo.offset_at(summer), 9 * 3600);
    }

    #[test]
    fn steady_stretches_end_exactly_at_offset_changes() {
        let ny = Zone::Tz(Tz::America__New_York);
        // 2025-03-09T07:00:00Z: New York springs forward.
        let change = 1_741_503_600;
        let from = change - 10 * DAY;
        assert_eq!(ny.steady(from, change + DAY), Some((-5 * 3600, change - 1)));
        assert_eq!(ny.steady(change, change + DAY), Some((-4 * 3600, change + DAY)));
        assert_eq!(ny.steady(from - 3 * DAY, from), Some((-5 * 3600, from)));
        assert_eq!(Zone::Utc.steady(0, 1 << 40), Some((0, 1 << 40)));
        assert_eq!(ny.steady(RULES_END, RULES_END + DAY), None);
        assert_eq!(ny.steady(PROBE_FROM - 1, PROBE_FROM), None);
    }

    #[test]
    fn steady_agrees_with_uncached_offsets() {
        let zones = [Tz::Australia__Lord_Howe, Tz::Africa__Casablanca, Tz::Europe__London, Tz::Asia__Gaza];
        let mut x: i64 = 0x2545_f491;
        for i in 0..400 {
            // A small LCG: deterministic, no dependency on the rand API here.
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let tz = zones[i % zones.len()];
            let from = PROBE_FROM + (x >> 11).rem_euclid(RULES_END - PROBE_FROM - 60 * DAY);
            let want = from + (x >> 3).rem_euclid(60 * DAY);
            let (off, reach) = Zone::Tz(tz).steady(from, want).unwrap();
            assert_eq!(off, tz_offset(tz, from));
            for t in (from..=reach).step_by(3600).chain([reach]) {
                assert_eq!(tz_offset(tz, t), off, "{tz} {from}..{reach} at {t}");
            }
            if reach < want {
                assert_ne!(tz_offset(tz, reach + 1), off, "{tz} change after {reach}");
            }
        }
    }

    /// The claim behind [`STEADY_PROBE`], over every zone: scanning a day at
    /// a time (finer scans, hourly and every 10 minutes, were run once and
    /// found nothing closer either), consecutive offset changes are more
    /// than the probe spacing apart.
    #[test]
    fn offset_changes_are_never_closer_than_the_probe_spacing() {
        for tz in chrono_tz::TZ_VARIANTS {
            let mut last_change = None;
            let mut t = PROBE_FROM;
            let mut off = tz_offset(tz, t);
            while t < RULES_END {
                let next = t + DAY;
                let o = tz_offset(tz, next);
                if o != off {
                    let (mut same, mut other) = (t, next);
                    while other - same > 1 {
                        let mid = same + (other - same) / 2;
                        if tz_offset(tz, mid) == off { same = mid } else { other = mid }
                    }
                    if let Some(prev) = last_change {
                        assert!(other - prev > STEADY_PROBE, "{tz}: changes at {prev} and {other}");
                    }
                    last_change = Some(other);
                    off = o;
                }
                t = next;
            }
        }
    }
}
