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
    /// The controller's informers lag, so its listers are not the store
    /// (the `status.active` replay does not apply).
    pub lagged: bool,
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
    let (controller, lagged) = controller(&mut rng, start, len);
    text.push_str(&controller);
    text.push_str("workloads:\n");
    let mut schedule_edited = Vec::new();
    for (i, (schedule, period)) in scheds.iter().enumerate() {
        let (w, edited) = workload(&mut rng, i, schedule, *period, start, len);
        text.push_str(&w);
        schedule_edited.push(edited);
    }
    Case { text, schedule_edited, lagged }
}

/// The controller block; also whether its informers lag.
fn controller(rng: &mut ChaCha8Rng, start: Time, len: i64) -> (String, bool) {
    let mut s = String::new();
    let mut settings = String::new();
    for (p, line) in [
        (0.2, "jobDelayTerminalCondition: false"),
        (0.1, "legacyGiveUpAfter100Misses: true"),
        (0.1, "jobListing: ownerName"),
        (0.1, "lastSuccessfulTimeSamePass: false"),
    ] {
        if rng.random_bool(p) {
            settings.push_str(&format!("    {line}\n"));
        }
    }
    if !settings.is_empty() {
        s.push_str(&format!("  settings:\n{settings}"));
    }
    if let Some(skew) = pick(rng, &[None, None, None, None, Some("2s"), Some("-1500ms")]) {
        s.push_str(&format!("  clockSkew: \"{skew}\"\n"));
    }
    let lag = *pick(rng, &[None, None, None, None, None, Some("300ms"), Some("3s")]);
    if let Some(lag) = lag {
        s.push_str(&format!("  informerLag: {lag}\n"));
    }
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
    let block = if s.is_empty() { s } else { format!("controller:\n{s}") };
    (block, lag.is_some())
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
    let mut spec = format!("  schedule: \"{schedule}\"\n");
    if let Some(z) = pick(rng, ZONES) {
        spec.push_str(&format!("  timeZone: {z}\n"));
    }
    if let Some(p) = pick(rng, &[None, Some("Allow"), Some("Forbid"), Some("Forbid"), Some("Replace")]) {
        spec.push_str(&format!("  concurrencyPolicy: {p}\n"));
    }
    if let Some(d) = pick(rng, &[None, None, Some(0), Some(10), Some(300)]) {
        spec.push_str(&format!("  startingDeadlineSeconds: {d}\n"));
    }
    for field in ["successfulJobsHistoryLimit", "failedJobsHistoryLimit"] {
        if rng.random_bool(0.7) {
            spec.push_str(&format!("  {field}: {}\n", rng.random_range(0..=3)));
        }
    }
    let suspended = rng.random_bool(0.1);
    if suspended {
        spec.push_str("  suspend: true\n");
    }
    let mut job = String::new();
    if rng.random_bool(0.6) {
        job.push_str(&format!("      backoffLimit: {}\n", rng.random_range(0..=3)));
    }
    if rng.random_bool(0.2) {
        job.push_str(&format!("      activeDeadlineSeconds: {}\n", (period / 2).max(30)));
    }
    if let Some(ttl) = pick(rng, &[None, None, Some(0), Some(30), Some(600)]) {
        job.push_str(&format!("      ttlSecondsAfterFinished: {ttl}\n"));
    }
    let restart = if rng.random_bool(0.3) { "OnFailure" } else { "Never" };
    let template = format!(
        "        spec:\n          restartPolicy: {restart}\n          containers:\n            - name: main\n              image: busybox\n"
    );
    let mut status = String::new();
    if rng.random_bool(0.3) {
        status = format!("status:\n  lastScheduleTime: \"{}\"\n", ts(start.add(-period * 1000)));
    }
    let body = format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: w{i}\n  namespace: default\n  creationTimestamp: \"{}\"\nspec:\n{spec}  jobTemplate:\n    spec:\n{job}      template:\n{template}{status}",
        ts(created)
    );
    let mut s = String::from("  - manifest:\n");
    if rng.random_bool(0.15) {
        let (job, listed) = seeded_job(rng, i, start, period, &template);
        let body = if listed {
            format!(
                "{body}{}  active:\n    - name: w{i}-seed\n",
                if status.is_empty() { "status:\n" } else { "" }
            )
        } else {
            body
        };
        s.push_str(&list_item(&body));
        s.push_str(&list_item(&job));
    } else {
        s.push_str(&indent(&body, 6));
    }
    s.push_str(&behaviour(rng, period));
    s.push_str(&pod_faults(rng, start, len));
    let (changes, edited) = changes(rng, start, len, suspended);
    s.push_str(&changes);
    (s, edited)
}

/// `text` with every line indented by `n` spaces.
fn indent(text: &str, n: usize) -> String {
    text.lines().map(|l| format!("{}{l}\n", " ".repeat(n))).collect()
}

/// `text` as an item of a YAML sequence under `manifest:`.
fn list_item(text: &str) -> String {
    let body = indent(text, 8);
    format!("      - {}", body.get(8..).unwrap_or(""))
}

/// A Job of workload `i` running since before the horizon (as read from
/// a cluster), and whether the CronJob's `status.active` lists it.
fn seeded_job(rng: &mut ChaCha8Rng, i: usize, start: Time, period: i64, template: &str) -> (String, bool) {
    let began = start.add(-rng.random_range(1..=period.min(6 * HOUR)) * 1000);
    let job = format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: w{i}-seed\n  namespace: default\n  creationTimestamp: \"{}\"\n  ownerReferences:\n    - apiVersion: batch/v1\n      kind: CronJob\n      name: w{i}\n      controller: true\nspec:\n  template:\n{}status:\n  startTime: \"{}\"\n  active: 1\n",
        ts(began),
        template.lines().map(|l| format!("{}\n", &l[4..])).collect::<String>(),
        ts(began)
    );
    (job, rng.random_bool(0.7))
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

/// Pod and node faults and a status-report delay, drawn from a stream of
/// their own (a clone of `rng` on another stream), so the rest of the
/// case is what it was before they existed.
fn pod_faults(rng: &ChaCha8Rng, start: Time, len: i64) -> String {
    let mut f = rng.clone();
    f.set_stream(0xfa17);
    let at = |f: &mut ChaCha8Rng| start.add(f.random_range(0..len) * 1000);
    let mut s = String::new();
    if f.random_bool(0.2) {
        s.push_str("      statusReportDelay: 1s\n");
    }
    if f.random_bool(0.15) {
        let reason =
            pick(&mut f, &["EvictionByEvictionAPI", "PreemptionByScheduler", "TerminationByKubelet"]);
        let rule = match f.random_bool(0.5) {
            true => format!("{{at: \"{}\", reason: {reason}}}", ts(at(&mut f))),
            false => {
                format!("{{probability: 0.3, after: {}, reason: {reason}}}", dur(f.random_range(0..600)))
            }
        };
        s.push_str(&format!("      disruptions: [{rule}]\n"));
    }
    if f.random_bool(0.1) {
        let from = at(&mut f);
        let until = from.add(f.random_range(60..=3600) * 1000).min(start.add(len * 1000));
        if until > from {
            s.push_str(&format!("      pending: [{{from: \"{}\", until: \"{}\"}}]\n", ts(from), ts(until)));
        }
    }
    if f.random_bool(0.1) {
        let lost = at(&mut f);
        let back = lost.add(f.random_range(60..=7200) * 1000);
        let until = match back <= start.add(len * 1000) && f.random_bool(0.7) {
            true => format!(", until: \"{}\"", ts(back)),
            false => String::new(),
        };
        s.push_str(&format!("      nodeLoss: [{{at: \"{}\"{until}}}]\n", ts(lost)));
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
    let zone_edit = rng.random_bool(0.05);
    if zone_edit {
        let z = pick(rng, &["", "America/New_York", "Australia/Lord_Howe"]);
        items.push(format!("      - at: \"{}\"\n        timeZone: \"{z}\"\n", at(rng)));
    }
    if rng.random_bool(0.08) {
        let p = pick(rng, &["Allow", "Forbid", "Replace"]);
        items.push(format!("      - at: \"{}\"\n        concurrencyPolicy: {p}\n", at(rng)));
    }
    if rng.random_bool(0.1) {
        let d = pick(rng, &[-1, 0, 10, 300]);
        items.push(format!("      - at: \"{}\"\n        startingDeadlineSeconds: {d}\n", at(rng)));
    }
    if items.is_empty() {
        return (String::new(), edited || zone_edit);
    }
    (format!("    changes:\n{}", items.concat()), edited || zone_edit)
}
