//! Cross-check against the `cron` crate (0.17) on the subset of expressions
//! and times where its dialect and robfig's agree.
//!
//! The `cron` crate is an independent implementation, so agreement on
//! thousands of seeded random cases is evidence that cronwarp's fast walk
//! (jumps over steady offsets, bitmask day search) finds the same instants
//! as a plain cron evaluator wherever the robfig quirks do not come in. The
//! subset is chosen from how the crate differs from robfig
//! (docs/fidelity/schedules.md#sch-13):
//!
//! - **Zones.** The crate walks a DST fall-back fold differently (it yields
//!   both instants of an ambiguous wall time, then carries on from the wall
//!   time, which can go back in time) and never shows robfig's exotic-zone
//!   deviations (docs/fidelity/schedules.md#sch-8), so cases run in UTC,
//!   in zones with no offset change since the 1950s, or in DST zones with
//!   only the fire times that come more than two days before the zone's
//!   next offset change compared.
//! - **Day of week as names.** The crate numbers days of the week 1–7 from
//!   Sunday, robfig 0–6, so DOW is written with names (`MON`, `MON-FRI`,
//!   `SUN,WED`, `TUE-SAT/2`), which mean the same days in both.
//! - **Never both DOM and DOW restricted.** The crate always ANDs the two
//!   day fields; robfig ORs them when neither has the star bit
//!   (docs/fidelity/schedules.md#sch-3), so one of them is always `*` or
//!   `?`, where AND is what robfig does too.
//! - **Syntax both accept with one meaning.** No `@every`, `@midnight` or
//!   `@annually` (the crate rejects them), no `?` outside DOM/DOW, no `N/step`
//!   (`5/15`), no mixed name–number ranges (`4-DEC`), and none of robfig's
//!   quirks (`*-5`, `+5`, `,`, `*/60`).
//! - **Years before 2100**, which the crate cannot represent. Every
//!   generated expression fires at least once a year (no 30 February), so
//!   robfig's five-year search window never ends a walk here.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use cronwarp::schedule::{Schedule, Zone};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::str::FromStr;

const MONTHS: [&str; 12] =
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Zones with no offset change from 1971 on.
const FIXED: [Tz; 4] = [Tz::Asia__Tokyo, Tz::Asia__Kolkata, Tz::Africa__Johannesburg, Tz::Pacific__Honolulu];
/// DST zones, compared only away from their offset changes.
const DST: [Tz; 4] =
    [Tz::America__New_York, Tz::Europe__Berlin, Tz::Australia__Sydney, Tz::America__Santiago];

/// One field item in `min..=max`: a value, a range, `*/step` or a range with
/// a step, numbers spelt by `name`.
fn item(rng: &mut impl Rng, min: u32, max: u32, name: &dyn Fn(u32) -> String) -> String {
    let a = rng.random_range(min..=max);
    let b = rng.random_range(a..=max);
    // Steps no larger than the range: `*/60` is a robfig quirk.
    match rng.random_range(0..10) {
        0..=3 => name(a),
        6 => format!("*/{}", rng.random_range(2..=max - min)),
        7 if b > a => format!("{}-{}/{}", name(a), name(b), rng.random_range(2..=(b - a).max(2))),
        _ => format!("{}-{}", name(a), name(b)),
    }
}

/// A whole field: `*` or one to three items.
fn field(rng: &mut impl Rng, min: u32, max: u32, name: &dyn Fn(u32) -> String, star: f64) -> String {
    if rng.random_bool(star) {
        return "*".into();
    }
    let n = rng.random_range(1..=3);
    (0..n).map(|_| item(rng, min, max, name)).collect::<Vec<_>>().join(",")
}

/// A five-field expression in the shared dialect.
fn expression(rng: &mut impl Rng) -> String {
    let num = |v: u32| v.to_string();
    let month_name = |v: u32| MONTHS[v as usize - 1].to_string();
    let day_name = |v: u32| DAYS[v as usize].to_string();
    let minute = field(rng, 0, 59, &num, 0.2);
    let hour = field(rng, 0, 23, &num, 0.3);
    let month =
        if rng.random_bool(0.5) { field(rng, 1, 12, &num, 0.5) } else { field(rng, 1, 12, &month_name, 0.5) };
    // Days every month has unless the month is free, so no expression is
    // left searching for 30 February.
    let last_dom = if month == "*" { 31 } else { 28 };
    let star = if rng.random_bool(0.8) { "*" } else { "?" }.to_string();
    let (dom, dow) = match rng.random_range(0..3) {
        0 => (field(rng, 1, last_dom, &num, 0.0), star),
        1 => (star, field(rng, 0, 6, &day_name, 0.0)),
        _ => ("*".to_string(), "*".to_string()),
    };
    format!("{minute} {hour} {dom} {month} {dow}")
}

/// The first instant, found a day at a time, where `tz`'s offset differs
/// from its offset at `from`, or `until` if none comes before it.
fn next_offset_change(tz: Tz, from: i64, until: i64) -> i64 {
    let off = |t: i64| tz.offset_from_utc_datetime(&utc(t).naive_utc()).fix_offset();
    let start = off(from);
    let mut t = from;
    while t < until {
        t += 86_400;
        if off(t) != start {
            return t;
        }
    }
    until
}

fn utc(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).expect("in range")
}

trait FixOffset {
    fn fix_offset(&self) -> i32;
}

impl<O: chrono::Offset> FixOffset for O {
    fn fix_offset(&self) -> i32 {
        self.fix().local_minus_utc()
    }
}

/// The crate's next `n` fire times after `from`, in Unix seconds.
fn crate_fires(expr: &str, tz: Option<Tz>, from: i64, n: usize) -> Vec<i64> {
    let s = cron::Schedule::from_str(&format!("0 {expr}"))
        .unwrap_or_else(|e| panic!("the cron crate rejects {expr:?}: {e}"));
    match tz {
        None => s.after(&utc(from)).take(n).map(|d| d.timestamp()).collect(),
        Some(tz) => s.after(&utc(from).with_timezone(&tz)).take(n).map(|d| d.timestamp()).collect(),
    }
}

/// cronwarp's fire times: `next` fed back `n` times, stopping at zero time.
fn warp_fires(expr: &str, zone: Zone, from: i64, n: usize) -> (Vec<i64>, bool) {
    let s = Schedule::parse(expr).unwrap_or_else(|e| panic!("robfig rejects {expr:?}: {e}"));
    let mut out = Vec::new();
    let mut t = from;
    while out.len() < n {
        match s.next(t, zone) {
            Some(u) => {
                out.push(u);
                t = u;
            }
            None => return (out, true),
        }
    }
    (out, false)
}

const FIRES: usize = 6;

#[test]
fn cronwarp_agrees_with_the_cron_crate_where_the_dialects_agree() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_c405);
    let (mut cases, mut compared) = (0, 0);
    for _ in 0..10_000 {
        let expr = expression(&mut rng);
        let from = rng.random_range(31_536_000..3_660_000_000); // 1971 to 2085
        let (zone, tz, cutoff) = match rng.random_range(0..10) {
            0..=5 => (Zone::Utc, None, i64::MAX),
            6..=7 => {
                let tz = FIXED[rng.random_range(0..FIXED.len())];
                (Zone::Tz(tz), Some(tz), i64::MAX)
            }
            _ => {
                let tz = DST[rng.random_range(0..DST.len())];
                let change = next_offset_change(tz, from, from + 400 * 86_400);
                (Zone::Tz(tz), Some(tz), change.saturating_sub(3 * 86_400))
            }
        };
        cases += 1;
        let (ours, zero) = warp_fires(&expr, zone, from, FIRES);
        let ours: Vec<i64> = ours.into_iter().take_while(|&t| t < cutoff).collect();
        let theirs = crate_fires(&expr, tz, from, ours.len() + 1);
        assert_eq!(
            &theirs[..ours.len().min(theirs.len())],
            &ours[..],
            "{expr:?} in {zone:?} after {}",
            utc(from)
        );
        compared += ours.len();
        // Every generated expression fires at least once a year.
        assert!(!zero, "{expr:?}: robfig found nothing within five years of {}", utc(from));
    }
    assert!(compared > 50_000, "only {compared} fire times compared in {cases} cases");
    eprintln!("cron crate cross-check: {cases} cases, {compared} fire times");
}
