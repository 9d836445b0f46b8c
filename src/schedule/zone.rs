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
use std::sync::OnceLock;

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
            Zone::Tz(tz) => match stretch(tz, unix) {
                Some(s) => s.steady.off,
                None if unix >= RULES_END => extended_offset(tz, unix),
                None => tz_offset(tz, unix),
            },
        }
    }

    /// The longest stretch of instants around `unix` over which the zone's
    /// offset stays the same, bounded by its offset changes (and, for IANA
    /// zones, by the ends of the table: 1800 and 2100, where Go's rule
    /// extension takes over). `None` outside that range.
    pub(super) fn steady_at(self, unix: i64) -> Option<Steady> {
        match self {
            Zone::Utc => Some(Steady { lo: i64::MIN, hi: i64::MAX, off: 0 }),
            Zone::Tz(tz) => stretch(tz, unix).map(|s| s.steady),
        }
    }

    /// Wall-clock fields of an instant in this zone.
    pub fn wall(self, unix: i64) -> civil::Wall {
        civil::Wall::from_local_seconds(unix + i64::from(self.offset_at(unix)))
    }
}

/// 1800-01-01T00:00:00Z: where the offset tables start.
const TABLE_FROM: i64 = -5_364_662_400;

/// Probe spacing used to build the tables. chrono-tz hides its transition
/// list, so the changes of a zone's total offset are found by probing: in
/// chrono-tz 0.10.4's data for 1800–2099 no two changes are closer than
/// 6.96 days (America/Boa_Vista 2000, Asia/Gaza in the 2040s), so a probe
/// window whose ends agree holds no change, and one whose ends differ holds
/// exactly one, which bisection pins to the second. The test
/// `offset_changes_are_never_closer_than_the_probe_spacing` re-checks it.
const TABLE_PROBE: i64 = 4 * DAY;

/// Most offset changes any zone has in 1800–2099 is 365 (Europe/London).
const TABLE_CAP: usize = 384;

/// The changes of one zone's total UTC offset, 1800–2099: `off[i]` holds
/// from `at[i - 1]` (or 1800) up to `at[i]` (or 2100).
struct Table {
    len: usize,
    at: [i64; TABLE_CAP],
    off: [i32; TABLE_CAP + 1],
}

impl Table {
    /// Probes the zone; `None` if it changes offset more than the table holds.
    fn build(tz: Tz) -> Option<Table> {
        let mut t = Table { len: 0, at: [0; TABLE_CAP], off: [0; TABLE_CAP + 1] };
        let mut off = tz_offset(tz, TABLE_FROM);
        t.off[0] = off;
        let mut probe = TABLE_FROM;
        while probe < RULES_END - 1 {
            let next = (probe + TABLE_PROBE).min(RULES_END - 1);
            let o = tz_offset(tz, next);
            if o != off {
                let (mut same, mut other) = (probe, next);
                while other - same > 1 {
                    let mid = same + (other - same) / 2;
                    if tz_offset(tz, mid) == off {
                        same = mid;
                    } else {
                        other = mid;
                    }
                }
                *t.at.get_mut(t.len)? = other;
                t.len += 1;
                t.off[t.len] = o;
                off = o;
            }
            probe = next;
        }
        Some(t)
    }
}

const ZONES: usize = chrono_tz::TZ_VARIANTS.len();

/// One lazily built table per zone, in static memory: built on the zone's
/// first use (about 30,000 probes, a millisecond), never on the heap.
static TABLES: [OnceLock<Option<Table>>; ZONES] = [const { OnceLock::new() }; ZONES];

/// Instants `lo..=hi` over which a zone's UTC offset is `off` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Steady {
    pub lo: i64,
    pub hi: i64,
    pub off: i32,
}

impl Steady {
    /// Whether the stretch holds every instant of `from..=to`.
    #[inline]
    pub(super) fn covers(&self, from: i64, to: i64) -> bool {
        self.lo <= from && to <= self.hi
    }
}

/// A tabulated stretch of one zone.
#[derive(Clone, Copy)]
struct Stretch {
    tz: Tz,
    steady: Steady,
}

thread_local! {
    /// The two stretches looked up last: a walk stays in one stretch for
    /// months and, around an offset change, moves between two. Plain `Copy`
    /// data with a const initialiser, so it never allocates.
    static LAST: Cell<[Option<Stretch>; 2]> = const { Cell::new([None; 2]) };
}

/// The tabulated stretch of `tz` holding `unix`.
#[inline]
fn stretch(tz: Tz, unix: i64) -> Option<Stretch> {
    let last = LAST.with(Cell::get);
    let hit = |s: &Option<Stretch>| matches!(s, Some(s) if s.tz == tz && s.steady.covers(unix, unix));
    if hit(&last[0]) {
        return last[0];
    }
    if hit(&last[1]) {
        LAST.with(|c| c.set([last[1], last[0]]));
        return last[1];
    }
    let s = lookup(tz, unix)?;
    LAST.with(|c| c.set([Some(s), last[0]]));
    Some(s)
}

fn lookup(tz: Tz, unix: i64) -> Option<Stretch> {
    if !(TABLE_FROM..RULES_END).contains(&unix) {
        return None;
    }
    let table = TABLES.get(tz as usize)?.get_or_init(|| Table::build(tz)).as_ref()?;
    let at = &table.at[..table.len];
    let i = at.partition_point(|&x| x <= unix);
    Some(Stretch {
        tz,
        steady: Steady {
            lo: if i == 0 { TABLE_FROM } else { at[i - 1] },
            hi: at.get(i).map_or(RULES_END - 1, |&x| x - 1),
            off: table.off[i],
        },
    })
}

fn tz_offset(tz: Tz, unix: i64) -> i32 {
    match NaiveDateTime::from_timestamp_opt_compat(unix) {
        Some(naive) => tz.offset_from_utc_datetime(&naive).fix().local_minus_utc(),
        None => 0,
    }
}

/// The offset a zone keeps after 2099 if it no longer changes then, else
/// `None`. Asked on every offset after 2099 (a five-year search for a
/// schedule that never matches asks it for each step), so it is worked out
/// once per zone and thread: twelve tz lookups per call made such a search
/// take seconds.
fn fixed_after_2099(tz: Tz) -> Option<i32> {
    // A few zones per thread, in a fixed array: `Schedule::next` allocates
    // nothing (tests/schedule_alloc_free.rs).
    const SLOTS: usize = 8;
    type Slots = ([Option<(Tz, Option<i32>)>; SLOTS], usize);
    thread_local! {
        static FIXED: std::cell::RefCell<Slots> = const { std::cell::RefCell::new(([None; SLOTS], 0)) };
    }
    let known =
        FIXED.with_borrow(|(slots, _)| slots.iter().flatten().find(|(z, _)| *z == tz).map(|(_, o)| *o));
    if let Some(hit) = known {
        return hit;
    }
    let probe_year = |m: u32| tz_offset(tz, civil::days_from_civil(2099, m, 1) * DAY);
    let fixed = (1..=12).map(probe_year).all(|o| o == probe_year(1));
    let answer = fixed.then(|| tz_offset(tz, RULES_END - 1));
    FIXED.with_borrow_mut(|(slots, next)| {
        slots[*next] = Some((tz, answer));
        *next = (*next + 1) % SLOTS;
    });
    answer
}

/// Go keeps applying a zone's last rule after 2099; chrono-tz stops. A rule
/// such as "second Sunday of March" depends only on the calendar, so an
/// instant after 2099 gets the offset of the same moment in the last year
/// before 2100 with the same calendar (same leap-ness, same weekday on
/// January 1st). Zones whose offset no longer changes by 2099 keep it.
fn extended_offset(tz: Tz, unix: i64) -> i32 {
    if let Some(off) = fixed_after_2099(tz) {
        return off;
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
        // New York springs forward at 2025-03-09T07:00:00Z and falls back
        // at 2024-11-03T06:00:00Z.
        let (fall, spring) = (1_730_613_600, 1_741_503_600);
        let winter = Steady { lo: fall, hi: spring - 1, off: -5 * 3600 };
        assert_eq!(ny.steady_at(spring - 10 * DAY), Some(winter));
        assert_eq!(ny.steady_at(fall), Some(winter));
        assert_eq!(ny.steady_at(spring).map(|s| (s.lo, s.off)), Some((spring, -4 * 3600)));
        assert_eq!(ny.steady_at(fall - 1).map(|s| (s.hi, s.off)), Some((fall - 1, -4 * 3600)));
        assert_eq!(Zone::Utc.steady_at(0), Some(Steady { lo: i64::MIN, hi: i64::MAX, off: 0 }));
        assert_eq!(ny.steady_at(RULES_END), None);
        assert_eq!(ny.steady_at(TABLE_FROM - 1), None);
        // Before 1800 and from 2100 on, offsets come from chrono-tz and Go's rule extension.
        assert_eq!(ny.offset_at(TABLE_FROM - 1), tz_offset(Tz::America__New_York, TABLE_FROM - 1));
    }

    #[test]
    fn steady_stretches_agree_with_chrono_tz() {
        let zones = [Tz::Australia__Lord_Howe, Tz::Africa__Casablanca, Tz::Europe__London, Tz::Asia__Gaza];
        let mut x: i64 = 0x2545_f491;
        for i in 0..400 {
            // A small LCG: deterministic.
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let tz = zones[i % zones.len()];
            let at = TABLE_FROM + (x >> 11).rem_euclid(RULES_END - TABLE_FROM);
            let s = Zone::Tz(tz).steady_at(at).unwrap();
            assert!(s.covers(at, at));
            assert_eq!(Zone::Tz(tz).offset_at(at), tz_offset(tz, at));
            let (from, to) = (s.lo.max(at - 60 * DAY), s.hi.min(at + 60 * DAY));
            for t in (from..=to).step_by(3600).chain([s.lo, s.hi]) {
                assert_eq!(tz_offset(tz, t), s.off, "{tz} {s:?} at {t}");
            }
            assert!(s.lo == TABLE_FROM || tz_offset(tz, s.lo - 1) != s.off, "{tz} {s:?}");
            assert!(s.hi == RULES_END - 1 || tz_offset(tz, s.hi + 1) != s.off, "{tz} {s:?}");
        }
    }

    /// The claim behind [`TABLE_PROBE`], over every zone: scanning a day at
    /// a time (finer scans, hourly and every 10 minutes, were run once and
    /// found nothing closer either), consecutive offset changes are more
    /// than the probe spacing apart, and the tables hold exactly the
    /// changes the scan finds.
    #[test]
    fn offset_changes_are_never_closer_than_the_probe_spacing() {
        for tz in chrono_tz::TZ_VARIANTS {
            let mut changes = Vec::new();
            let mut t = TABLE_FROM;
            let mut off = tz_offset(tz, t);
            while t < RULES_END - 1 {
                let next = (t + DAY).min(RULES_END - 1);
                let o = tz_offset(tz, next);
                if o != off {
                    let (mut same, mut other) = (t, next);
                    while other - same > 1 {
                        let mid = same + (other - same) / 2;
                        if tz_offset(tz, mid) == off { same = mid } else { other = mid }
                    }
                    if let Some(prev) = changes.last() {
                        assert!(other - prev > TABLE_PROBE, "{tz}: changes at {prev} and {other}");
                    }
                    changes.push(other);
                    off = o;
                }
                t = next;
            }
            let table = Table::build(tz).unwrap_or_else(|| panic!("{tz}: {} changes", changes.len()));
            assert_eq!(&table.at[..table.len], &changes[..], "{tz}");
        }
    }
}
