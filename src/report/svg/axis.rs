//! The time axis under the timelines and the fleet-load chart: ticks at
//! round UTC instants (minutes to weeks), or calendar months for long
//! horizons, at most about a dozen labels.

use crate::model::Time;

/// Axis ticks at round UTC instants (at most about a dozen), with labels.
pub(super) fn time_axis(start: Time, end: Time) -> Vec<(i64, String)> {
    const STEPS_S: [i64; 15] =
        [60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800, 1209600];
    const MAX_LABELS: i64 = 12;
    let span_s = end.since(start).max(1) / 1000;
    let fmt = |ms: i64, f: &str| {
        chrono::DateTime::from_timestamp_millis(ms).map(|d| d.format(f).to_string()).unwrap_or_default()
    };
    if let Some(step) = STEPS_S.iter().copied().find(|s| span_s / s <= MAX_LABELS) {
        // Weeks start on Monday (the epoch was a Thursday).
        let offset = if step == 604800 || step == 1209600 { 4 * 86400 } else { 0 };
        let first = (start.unix() - offset).div_euclid(step) * step + offset;
        let first = if first * 1000 < start.0 { first + step } else { first };
        let mut out: Vec<(i64, String)> = Vec::new();
        let mut prev_day = String::new();
        let mut t = first;
        while t * 1000 <= end.0 {
            let day = fmt(t * 1000, "%Y-%m-%d");
            let label = if step >= 86400 {
                day.clone()
            } else if day != prev_day {
                fmt(t * 1000, "%b %-d %H:%M")
            } else {
                fmt(t * 1000, "%H:%M")
            };
            prev_day = day;
            out.push((t * 1000, label));
            t += step;
        }
        return out;
    }
    month_axis(start, end, span_s)
}

/// Calendar-month ticks (every 1, 3, 6 or 12 months) for long horizons.
fn month_axis(start: Time, end: Time, span_s: i64) -> Vec<(i64, String)> {
    use chrono::{Datelike, NaiveDate};
    let months = span_s / (30 * 86400) + 1;
    let every = [1, 3, 6, 12].into_iter().find(|m| months / m <= 12).unwrap_or(12 * (months / 144 + 1));
    let Some(d) = chrono::DateTime::from_timestamp_millis(start.0) else { return Vec::new() };
    let (mut y, mut m) = (i64::from(d.year()), i64::from(d.month0()));
    let mut out = Vec::new();
    while out.len() < 200 {
        if m % every == 0 {
            let ms = NaiveDate::from_ymd_opt(y as i32, (m + 1) as u32, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp_millis());
            let Some(ms) = ms else { break };
            if ms > end.0 {
                break;
            }
            if ms >= start.0 {
                out.push((ms, format!("{y:04}-{:02}", m + 1)));
            }
        }
        m += 1;
        if m == 12 {
            (y, m) = (y + 1, 0);
        }
    }
    out
}
