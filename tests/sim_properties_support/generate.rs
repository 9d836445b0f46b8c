//! Random scenarios as YAML text, drawn from a seeded ChaCha generator:
//! schedules from a pool (minute steps, hourly, daily, weekdays, `@every`,
//! DST zones), concurrency policies, deadlines, history limits, TTL, pod
//! behaviours, downtime, suspend/resume and schedule edits.

use cronwarp::model::Time;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One generated scenario.
#[derive(Debug, Clone)]
pub struct Case {
    /// The scenario file's text.
    pub text: String,
    /// Per workload (`default/w<i>`): whether a change edits its schedule,
    /// so its ticks are not those of the initial schedule alone.
    pub schedule_edited: Vec<bool>,
}

/// `(schedule, rough period in seconds)`: the period sizes durations and
/// caps the horizon so no case draws more than a few hundred ticks.
const SCHEDULES: &[(&str, i64)] = &[
    ("* * * * *", 60),
    ("*/5 * * * *", 300),
    ("*/15 * * * *", 900),
    ("7,37 * * * *", 1800),
    ("0 * * * *", 3600),
    ("@hourly", 3600),
    ("30 */2 * * *", 7200),
    ("*/10 1-3 * * *", 600),
    ("30 1 * * *", 86_400),
    ("30 2 * * *", 86_400),
    ("0 9 * * *", 86_400),
    ("@daily", 86_400),
    ("0 9 * * 1-5", 86_400),
    ("@every 90s", 90),
    ("@every 7m", 420),
    ("@every 1h30m", 5400),
];

/// `None` means no `spec.timeZone` (the controller's local zone applies).
const ZONES: &[Option<&str>] = &[
    None,
    None,
    None,
    Some("UTC"),
    Some("America/New_York"),
    Some("Europe/Berlin"),
    Some("Australia/Lord_Howe"),
    Some("Asia/Kolkata"),
];

const LOCAL_ZONES: &[Option<&str>] = &[None, None, None, Some("America/New_York"), Some("Europe/London")];

/// Days around DST changes (US, EU, Lord Howe) and one plain summer day.
const DAYS: &[&str] =
    &["2025-03-08", "2025-03-29", "2025-04-05", "2025-06-15", "2025-10-04", "2025-10-25", "2025-11-01"];

const HOUR: i64 = 3600;

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.random_range(0..xs.len())]
}

fn ts(t: Time) -> String {
    t.rfc3339()
}

/// A Go duration in whole seconds (`DurationSpec` reads `90s`).
fn dur(secs: i64) -> String {
    format!("{}s", secs.max(0))
}

/// Generates case number `index` of the run seeded `seed`.
pub fn case(seed: u64, index: u64) -> Case {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    let day = pick(&mut rng, DAYS);
    let day_start = Time::parse_rfc3339(&format!("{day}T00:00:00Z")).expect("pool day parses");
    let mut start = day_start.add(rng.random_range(0..48 * 60) * 60_000);
    if rng.random_bool(0.15) {
        start = start.add(rng.random_range(0..60_000));
    }
    let n = rng.random_range(1..=3usize);
    let scheds: Vec<(&str, i64)> = (0..n).map(|_| *pick(&mut rng, SCHEDULES)).collect();
    let fastest = scheds.iter().map(|s| s.1).min().unwrap_or(HOUR);
    let wanted = *pick(&mut rng, &[HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 48 * HOUR, 72 * HOUR]);
    let len = wanted.min(fastest * 200).max(HOUR);
    let end = start.add(len * 1000);

    let mut text = format!(
        "horizon:\n  start: \"{}\"\n  end: \"{}\"\nseed: {}\n",
        ts(start),
        ts(end),
        rng.random_range(0..u64::MAX)
    );
    text.push_str(&controller(&mut rng, start, len));
    text.push_str("workloads:\n");
    let mut schedule_edited = Vec::new();
    for (i, (schedule, period)) in scheds.iter().enumerate() {
        let (w, edited) = workload(&mut rng, i, schedule, *period, start, len);
        text.push_str(&w);
        schedule_edited.push(edited);
    }
    Case { text, schedule_edited }
}

fn controller(rng: &mut ChaCha8Rng, start: Time, len: i64) -> String {
    let mut s = String::new();
    if let Some(z) = pick(rng, LOCAL_ZONES) {
        s.push_str(&format!("  localZone: {z}\n"));
    }
    let windows = *pick(rng, &[0, 0, 1, 1, 2]);
    if windows > 0 {
        s.push_str("  downtime:\n");
    }
    for _ in 0..windows {
        let at = start.add(rng.random_range(-600..len) * 1000);
        let length = *pick(rng, &[60, 5 * 60, 29 * 60, 2 * HOUR, 7 * HOUR]);
        if rng.random_bool(0.5) {
            s.push_str(&format!(
                "    - start: \"{}\"\n      end: \"{}\"\n",
                ts(at),
                ts(at.add(length * 1000))
            ));
        } else {
            s.push_str(&format!("    - at: \"{}\"\n      for: {}\n", ts(at), dur(length)));
        }
    }
    if s.is_empty() { s } else { format!("controller:\n{s}") }
}

/// One workload list item; also whether its schedule is edited.
fn workload(
    rng: &mut ChaCha8Rng,
    i: usize,
    schedule: &str,
    period: i64,
    start: Time,
    len: i64,
) -> (String, bool) {
    let created = start.add(-*pick(rng, &[0, 60, HOUR, 2 * 24 * HOUR]) * 1000);
    let mut spec = format!("        schedule: \"{schedule}\"\n");
    if let Some(z) = pick(rng, ZONES) {
        spec.push_str(&format!("        timeZone: {z}\n"));
    }
    if let Some(p) = pick(rng, &[None, Some("Allow"), Some("Forbid"), Some("Forbid"), Some("Replace")]) {
        spec.push_str(&format!("        concurrencyPolicy: {p}\n"));
    }
    if let Some(d) = pick(rng, &[None, None, Some(0), Some(10), Some(300)]) {
        spec.push_str(&format!("        startingDeadlineSeconds: {d}\n"));
    }
    for field in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        if rng.random_bool(0.7) {
            spec.push_str(&format!("        {field}: {}\n", rng.random_range(0..=3)));
        }
    }
    let suspended = rng.random_bool(0.1);
    if suspended {
        spec.push_str("        suspend: true\n");
    }
    let mut job = String::new();
    if rng.random_bool(0.6) {
        job.push_str(&format!("            backoffLimit: {}\n", rng.random_range(0..=3)));
    }
    if rng.random_bool(0.2) {
        job.push_str(&format!("            activeDeadlineSeconds: {}\n", (period / 2).max(30)));
    }
    if let Some(ttl) = pick(rng, &[None, None, Some(0), Some(30), Some(600)]) {
        job.push_str(&format!("            ttlSecondsAfterFinished: {ttl}\n"));
    }
    let restart = if rng.random_bool(0.3) { "OnFailure" } else { "Never" };
    let mut status = String::new();
    if rng.random_bool(0.3) {
        status = format!("      status:\n        lastScheduleTime: \"{}\"\n", ts(start.add(-period * 1000)));
    }
    let mut s = format!(
        "  - manifest:\n      apiVersion: batch/v1\n      kind: CronJob\n      metadata:\n        name: w{i}\n        namespace: default\n        creationTimestamp: \"{}\"\n      spec:\n{spec}        jobTemplate:\n          spec:\n{job}            template:\n              spec:\n                restartPolicy: {restart}\n                containers:\n                  - name: main\n                    image: busybox\n{status}",
        ts(created)
    );
    s.push_str(&behaviour(rng, period));
    let (changes, edited) = changes(rng, start, len, suspended);
    s.push_str(&changes);
    (s, edited)
}

/// Durations well under or past the period, or a lognormal tail across it.
fn behaviour(rng: &mut ChaCha8Rng, period: i64) -> String {
    let mut s = String::from("    behaviour:\n");
    if rng.random_bool(0.3) {
        s.push_str("      startLatency: 2s\n");
    }
    let d = match rng.random_range(0..4) {
        0 => dur(rng.random_range(1..=(period / 10).max(2))),
        1 => dur(period + period / 2),
        2 => format!("{{lognormal: {{median: {}, p99: {}}}}}", dur((period / 2).max(2)), dur(period * 2)),
        _ => format!("{{uniform: {{min: 1s, max: {}}}}}", dur(period * 3)),
    };
    s.push_str(&format!("      duration: {d}\n"));
    let p = *pick(rng, &[0.0, 0.0, 0.1, 0.5, 1.0]);
    if p > 0.0 {
        s.push_str(&format!("      failureProbability: {p}\n"));
    }
    s
}

/// Timed edits: suspend/resume pairs, a schedule edit, a deadline edit.
fn changes(rng: &mut ChaCha8Rng, start: Time, len: i64, suspended: bool) -> (String, bool) {
    let mut items = Vec::new();
    let at = |rng: &mut ChaCha8Rng| ts(start.add(rng.random_range(0..len) * 1000));
    if suspended || rng.random_bool(0.2) {
        let a = start.add(rng.random_range(0..len) * 1000);
        let b = a.add(rng.random_range(60..=len) * 1000);
        if !suspended {
            items.push(format!("      - at: \"{}\"\n        suspend: true\n", ts(a)));
        }
        items.push(format!("      - at: \"{}\"\n        resume: true\n", ts(b)));
    }
    let edited = rng.random_bool(0.1);
    if edited {
        let (s, _) = pick(rng, SCHEDULES);
        items.push(format!("      - at: \"{}\"\n        schedule: \"{s}\"\n", at(rng)));
    }
    if rng.random_bool(0.1) {
        let d = pick(rng, &[-1, 0, 10, 300]);
        items.push(format!("      - at: \"{}\"\n        startingDeadlineSeconds: {d}\n", at(rng)));
    }
    if items.is_empty() {
        return (String::new(), false);
    }
    (format!("    changes:\n{}", items.concat()), edited)
}
