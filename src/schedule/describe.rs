//! An English reading of a parsed schedule, in the spirit of crontab.guru.
//!
//! It reads the bitmasks robfig built, not the text, so robfig's quirks come
//! out as robfig applies them: `*-5` reads as "every", `*/60` as minute 0,
//! and `1-31` in the day-of-month field ORs with the day of week.

use super::analysis::{DayRule, day_rule};
use super::{Location, STAR_BIT, Schedule, ScheduleKind, SpecSchedule};

const MONTHS: [&str; 13] = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/// Longest month (leap February included), to spot dates that never exist.
const MONTH_DAYS: [u32; 13] = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Describes a schedule in one sentence, e.g. "At 01:30, only on Monday"
/// or "Every 15 minutes, between 01:00 and 03:59". A `TZ=` prefix adds the
/// zone; without one the schedule follows the controller's local zone.
pub fn describe(schedule: &Schedule) -> String {
    let text = match schedule.kind() {
        ScheduleKind::Every(secs) => {
            format!("Every {}, counted from the previous run, not aligned to the clock", go_duration(*secs))
        }
        ScheduleKind::Spec(spec) => describe_spec(spec),
    };
    match schedule.location() {
        Location::Zone(z) if !matches!(schedule.kind(), ScheduleKind::Every(_)) => {
            format!("{text} (wall clock in {})", z.name())
        }
        _ => text,
    }
}

/// Go's `time.Duration.String` for whole seconds: `1h30m0s`, `1m0s`, `45s`.
pub(super) fn go_duration(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{m}m{s}s")
    } else {
        format!("{s}s")
    }
}

fn values(mask: u64, min: u32, max: u32) -> Vec<u32> {
    (min..=max).filter(|v| mask & (1 << v) != 0).collect()
}

fn describe_spec(spec: &SpecSchedule) -> String {
    let minutes = values(spec.minute, 0, 59);
    let hours = values(spec.hour, 0, 23);
    let months = values(spec.month, 1, 12);
    let doms = values(spec.dom, 1, 31);
    let dows = values(spec.dow, 0, 6);
    let rule = day_rule(spec);
    let empty = [("minute", &minutes), ("hour", &hours), ("month", &months)]
        .into_iter()
        .chain(match rule {
            DayRule::And => vec![("day-of-month", &doms), ("day-of-week", &dows)],
            DayRule::Or if doms.is_empty() && dows.is_empty() => vec![("day", &doms)],
            DayRule::Or => vec![],
        })
        .find(|(_, v)| v.is_empty());
    if let Some((field, _)) = empty {
        return format!("Never fires: the {field} field holds no values");
    }
    if rule == DayRule::And
        && dows.len() == 7
        && !months.iter().any(|&m| doms.iter().any(|&d| d <= MONTH_DAYS[m as usize]))
    {
        return format!(
            "Never fires: no day-of-month {} in {}",
            list(&doms, |d| d.to_string()),
            list(&months, |m| MONTHS[m as usize].to_string())
        );
    }
    let mut out = time_phrase(&minutes, &hours);
    if let Some(days) = day_phrase(spec, rule, &doms, &dows) {
        out.push_str(", ");
        out.push_str(&days);
    }
    if months.len() < 12 {
        out.push_str(&format!(", only in {}", list(&months, |m| MONTHS[m as usize].to_string())));
    }
    out
}

fn time_phrase(minutes: &[u32], hours: &[u32]) -> String {
    if minutes.len() * hours.len() <= 6 && hours.len() < 24 {
        let times: Vec<String> =
            hours.iter().flat_map(|h| minutes.iter().map(move |m| format!("{h:02}:{m:02}"))).collect();
        return format!("At {}", join(&times));
    }
    let minute = if minutes.len() == 60 {
        "Every minute".to_string()
    } else if let Some(step) = step_from_zero(minutes, 60) {
        format!("Every {step} minutes")
    } else if minutes.len() == 1 {
        format!("At minute {}", minutes[0])
    } else {
        format!("At minutes {}", list(minutes, |m| m.to_string()))
    };
    let hour = if hours.len() == 24 {
        if minute.starts_with("At") { " past every hour".to_string() } else { String::new() }
    } else if let Some((a, b)) = single_run(hours) {
        format!(", between {a:02}:00 and {b:02}:59")
    } else if let Some(step) = step_from_zero(hours, 24) {
        format!(", every {step} hours from 00:00")
    } else {
        format!(", in hours {}", list(hours, |h| format!("{h:02}")))
    };
    minute + &hour
}

fn day_phrase(spec: &SpecSchedule, rule: DayRule, doms: &[u32], dows: &[u32]) -> Option<String> {
    let dom = || format!("on day-of-month {}", list(doms, |d| d.to_string()));
    let dow = || list(dows, |d| WEEKDAYS[d as usize].to_string());
    match rule {
        DayRule::And => {
            let dom_all = spec.dom & STAR_BIT != 0 || doms.len() == 31;
            let dow_all = spec.dow & STAR_BIT != 0 || dows.len() == 7;
            match (dom_all, dow_all) {
                (true, true) => None,
                (true, false) => Some(format!("only on {}", dow())),
                (false, true) => Some(dom()),
                (false, false) => Some(format!("{} AND on {}", dom(), dow())),
            }
        }
        DayRule::Or if doms.is_empty() => Some(format!("only on {}", dow())),
        DayRule::Or if dows.is_empty() => Some(dom()),
        DayRule::Or => {
            let every = if doms.len() == 31 || dows.len() == 7 { " (that is, every day)" } else { "" };
            Some(format!(
                "{} OR on {}{every} — robfig ORs the two day fields when both are restricted",
                dom(),
                dow()
            ))
        }
    }
}

/// `Some(k)` when the values are exactly 0, k, 2k, … up to `limit` and k
/// divides `limit`, so the runs really are evenly spaced.
fn step_from_zero(v: &[u32], limit: u32) -> Option<u32> {
    let step = *v.get(1)?;
    let expected: Vec<u32> = (0..limit).step_by(step as usize).collect();
    let even = limit.is_multiple_of(step);
    (even && v.first() == Some(&0) && step > 1 && v == expected.as_slice()).then_some(step)
}

/// `Some((a, b))` when the values are the consecutive run a..=b.
fn single_run(v: &[u32]) -> Option<(u32, u32)> {
    let (a, b) = (*v.first()?, *v.last()?);
    (b - a + 1 == v.len() as u32).then_some((a, b))
}

/// "1 through 5, 10 and 15": runs of three or more collapse to a range.
fn list(v: &[u32], name: impl Fn(u32) -> String) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{} through {}", name(v[i]), name(v[j])));
        } else {
            parts.extend(v[i..=j].iter().map(|&x| name(x)));
        }
        i = j + 1;
    }
    join(&parts)
}

/// "a", "a and b", "a, b and c".
fn join(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(expr: &str) -> String {
        describe(&Schedule::parse(expr).expect("parses"))
    }

    #[test]
    fn fixed_times() {
        assert_eq!(d("30 1 * * 1"), "At 01:30, only on Monday");
        assert_eq!(d("0 9,17 * * 1-5"), "At 09:00 and 17:00, only on Monday through Friday");
        assert_eq!(d("@daily"), "At 00:00");
        assert_eq!(d("@yearly"), "At 00:00, on day-of-month 1, only in January");
    }

    #[test]
    fn repeating_times() {
        assert_eq!(d("*/15 1-3 * * *"), "Every 15 minutes, between 01:00 and 03:59");
        assert_eq!(d("* * * * *"), "Every minute");
        assert_eq!(d("0 * * * *"), "At minute 0 past every hour");
        assert_eq!(d("1-5 * * * *"), "At minutes 1 through 5 past every hour");
        assert_eq!(d("5,20 */6 * * *"), "At minutes 5 and 20, every 6 hours from 00:00");
        assert_eq!(d("0 */2 * * *"), "At minute 0, every 2 hours from 00:00");
        // 56 then 0: not evenly spaced, so listed.
        assert_eq!(d("*/7 * * * *"), "At minutes 0, 7, 14, 21, 28, 35, 42, 49 and 56 past every hour");
    }

    #[test]
    fn day_rule_is_spelled_out_when_both_fields_are_restricted() {
        assert_eq!(
            d("0 0 1 * 1"),
            "At 00:00, on day-of-month 1 OR on Monday — robfig ORs the two day fields when both are restricted"
        );
        assert!(d("0 0 1-31 * 1").contains("(that is, every day)"));
        // `*/1` carries the star bit: AND, Mondays only.
        assert_eq!(d("0 0 */1 * 1"), "At 00:00, only on Monday");
    }

    #[test]
    fn never_firing_schedules() {
        assert_eq!(d("0 0 30 2 *"), "Never fires: no day-of-month 30 in February");
        assert_eq!(d("0 0 31 4,6 *"), "Never fires: no day-of-month 31 in April and June");
        assert_eq!(d("0 0 , * *"), "Never fires: the day-of-month field holds no values");
    }

    #[test]
    fn every_and_zones() {
        assert_eq!(
            d("@every 1h30m"),
            "Every 1h30m0s, counted from the previous run, not aligned to the clock"
        );
        assert_eq!(d("@every 500ms"), "Every 1s, counted from the previous run, not aligned to the clock");
        assert_eq!(d("TZ=Europe/Berlin 0 12 * * *"), "At 12:00 (wall clock in Europe/Berlin)");
    }
}
