//! Every `cronwarp lint` rule against a simulation: each rule has a
//! scenario in `scenarios/` that the lint flags, and running that
//! scenario (the library facade, as `cronwarp run` does) shows what the
//! finding says will happen. A rule whose words and the simulator's
//! behaviour drift apart fails here.

use crate::support::cli::cronwarp_in_process;
use chrono_tz::Tz;
use cronwarp::report::WorkloadReport;
use cronwarp::report::lint::{RULES, STAMPEDE_THRESHOLD};
use cronwarp::{Entry, Run, RunOptions, Scenario};
use serde_json::Value;
use std::path::PathBuf;

/// A finding and the simulation of the scenario it came from.
struct Seen<'a> {
    finding: &'a Value,
    run: &'a Run,
    scenario: &'a Scenario,
}

impl Seen<'_> {
    fn message(&self) -> &str {
        self.finding["message"].as_str().unwrap_or_default()
    }

    fn workload(&self) -> &WorkloadReport {
        let name = self.finding["object"].as_str().unwrap_or_default();
        self.run.workload(name).unwrap_or_else(|| panic!("{name} is not in the report"))
    }

    fn warned(&self, reason: &str) -> bool {
        self.workload().warnings.iter().any(|w| w.reason == reason)
    }

    /// The scheduled times (Unix seconds) of the Jobs the workload's
    /// CronJob created during the horizon, from the event log.
    fn scheduled(&self) -> Vec<i64> {
        let name = self.finding["object"].as_str().unwrap_or_default();
        let events = self.run.events().expect("the run kept its events");
        events
            .iter()
            .filter_map(|r| match &r.entry {
                Entry::JobCreated { cronjob, scheduled_time: Some(t), seeded: false, .. }
                    if cronjob == name =>
                {
                    Some(t.unix())
                }
                _ => None,
            })
            .collect()
    }

    /// The scheduled times as wall minutes (`2025-03-09 02:30`) in `zone`.
    fn scheduled_walls(&self, zone: Tz) -> Vec<String> {
        self.scheduled().into_iter().map(|t| wall(t, zone)).collect()
    }
}

fn wall(unix: i64, zone: Tz) -> String {
    let t = chrono::DateTime::from_timestamp(unix, 0).expect("a valid instant");
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

type Check = fn(&Seen<'_>) -> Result<(), String>;

/// One rule, the scenario that shows it, the object it flags there and
/// what the simulation must show.
struct Case {
    rule: &'static str,
    scenario: &'static str,
    object: &'static str,
    agrees: Check,
}

fn case(rule: &'static str, scenario: &'static str, object: &'static str, agrees: Check) -> Case {
    Case { rule, scenario, object, agrees }
}

fn ensure(ok: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(what()) }
}

/// No Job ever runs; every tick is "not started".
fn never_runs(s: &Seen<'_>) -> Result<(), String> {
    let w = s.workload();
    ensure(w.jobs_created() == 0 && w.on_time() + w.late() == 0 && w.not_started() > 0, || {
        format!("{} Jobs, {} ticks on time, {} not started", w.jobs_created(), w.on_time(), w.not_started())
    })
}

/// The ticks the outage covered are dropped because of the deadline.
fn outage_drops_ticks(s: &Seen<'_>) -> Result<(), String> {
    let w = s.workload();
    let why: Vec<&str> = w.not_started_ticks().map(|t| t.why.as_str()).collect();
    ensure(!why.is_empty() && why.iter().all(|y| y.contains("startingDeadlineSeconds")), || {
        format!("not started: {why:?}")
    })?;
    ensure(w.warnings.is_empty(), || format!("the drop should be silent, got {:?}", w.warnings))
}

/// Each `YYYY-MM-DD HH:MM <what>` the finding names inside the horizon
/// shows in the Jobs: no Job at a skipped wall time, two at a fold, one at
/// an off-schedule time, and for a stuck `Next` the InvalidSchedule
/// warning and nothing from then on.
fn dated_surprises(s: &Seen<'_>) -> Result<(), String> {
    let msg = s.message();
    let zone: Tz = msg
        .split(" in ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .and_then(|z| z.parse().ok())
        .ok_or_else(|| format!("no zone in {msg:?}"))?;
    let walls = s.scheduled_walls(zone);
    let (start, end) = s.scenario.horizon();
    let items = msg.split_once(": ").map_or("", |(_, r)| r).split("; ");
    let mut checked = 0;
    for item in items {
        let (when, what) = item.split_at(16);
        if when > wall(end.unix(), zone).as_str() || when <= wall(start.unix(), zone).as_str() {
            continue;
        }
        let n = walls.iter().filter(|w| w.as_str() == when).count();
        checked += 1;
        if what.contains("Next stuck") {
            let last = walls.iter().max().cloned().unwrap_or_default();
            ensure(s.warned("InvalidSchedule") && last.as_str() < when, || {
                format!("{when}: stuck, yet the last Job is at {last}")
            })?;
            return Ok(());
        }
        let want = match what {
            w if w.contains("no run") => 0,
            w if w.contains("runs twice") => 2,
            _ => 1,
        };
        ensure(n == want, || format!("{when}{what}: {n} Jobs at that wall time, want {want}"))?;
    }
    ensure(checked > 0, || format!("nothing in the horizon to check in {msg:?}"))
}

fn cases() -> Vec<Case> {
    vec![
        case("CW-L1", "deadline-zero", "default/deadline-0", never_runs),
        case("CW-L1", "deadline-zero", "default/every-hour-deadline-10m", never_runs),
        case("CW-L2", "deadline-ten-seconds", "default/every-5m-deadline-5s", |s| {
            outage_drops_ticks(s)?;
            // On time whenever the controller is up: a note, not a warning.
            let w = s.workload();
            ensure(w.on_time() + 2 == w.ticks.total, || format!("{:?}", w.ticks))
        }),
        case("CW-L3", "stored-zone-quirks", "reports/paris-prefix", |s| {
            ensure(s.warned("UnsupportedSchedule"), || "no UnsupportedSchedule warning".into())?;
            let walls = s.scheduled_walls(chrono_tz::Europe::Paris);
            ensure(!walls.is_empty() && walls.iter().all(|w| w.ends_with(" 03:00")), || {
                format!("the prefix's zone is not followed: {walls:?}")
            })
        }),
        case("CW-L4", "day-fields-or", "billing/first-monday", |s| {
            use chrono::Datelike;
            let days: Vec<(u32, chrono::Weekday)> = s
                .scheduled()
                .into_iter()
                .filter_map(|t| chrono::DateTime::from_timestamp(t, 0))
                .map(|t| (t.day(), t.weekday()))
                .collect();
            let first_not_monday = days.iter().any(|&(d, w)| d == 1 && w != chrono::Weekday::Mon);
            let monday_not_first = days.iter().any(|&(d, w)| d != 1 && w == chrono::Weekday::Mon);
            ensure(first_not_monday && monday_not_first, || format!("runs on {days:?}: not an OR"))
        }),
        case("CW-L5", "dst-new-york", "default/spring", dated_surprises),
        case("CW-L5", "dst-new-york", "default/fall", dated_surprises),
        case("CW-L6", "sweep-nightly-backup", "ops/backup", outage_drops_ticks),
        case("CW-L7", "history-limits-ttl", "default/keep-0", |s| deleted_at_once(s.workload(), "")),
        case("CW-L8", "ttl-shorter-than-interval", "ops/short-ttl", |s| {
            let d = &s.workload().deletion_summary;
            ensure(
                !d.is_empty() && d.iter().all(|x| x.by == "TTL" && x.max_retained < 3_600_000 - 180_000),
                || format!("not all deleted by TTL before the next run: {d:?}"),
            )
        }),
        case("CW-L9", "ttl-shorter-than-interval", "ops/fail-limit-0", |s| {
            deleted_at_once(s.workload(), "Failed")
        }),
        case("CW-L10", "too-many-missed", "default/sweeper", |s| {
            let w = s.workload();
            ensure(s.warned("TooManyMissedTimes") && w.late() == 1, || {
                format!("warnings {:?}, {} late", w.warnings, w.late())
            })
        }),
        case("CW-L10", "deadline-ten-seconds", "default/every-5m-deadline-10s", outage_drops_ticks),
        case("CW-L11", "job-retries", "etl/fail-job-policy", |s| {
            let o = &s.workload().outcomes;
            ensure(o.created > 0 && o.failed_other == o.created && o.retries == 0, || format!("{o:?}"))
        }),
        case("CW-L11", "job-retries", "etl/short-deadline", |s| {
            let o = &s.workload().outcomes;
            let fit: u64 = s
                .message()
                .split("room for ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .and_then(|n| n.parse().ok())
                .ok_or("no retry count in the finding")?;
            ensure(
                o.created > 0
                    && o.deadline_exceeded == o.created
                    && o.backoff_limit_exceeded == 0
                    && o.retries == fit * o.created,
                || format!("{o:?}, {fit} retries per Job expected"),
            )
        }),
        case("CW-L12", "job-retries", "etl/no-retry", |s| {
            let o = &s.workload().outcomes;
            ensure(o.created > 0 && o.backoff_limit_exceeded == o.created && o.retries == 0, || {
                format!("{o:?}")
            })
        }),
        case("CW-L13", "crossplane-deadline-stall", "hourly", |s| {
            // From the first missed deadline on, nothing runs again.
            let w = s.workload();
            let first = w.not_started_ticks().next().ok_or("no tick missed")?.tick;
            ensure(w.on_time() + w.late() + w.not_started() == w.ticks.total, || format!("{:?}", w.ticks))?;
            let after = s.scheduled().into_iter().filter(|&t| t >= first.unix()).count();
            let stalled = w.not_started_ticks().all(|t| t.why.contains("stalls for good"));
            ensure(after == 0 && stalled, || format!("{after} runs after {first:?}"))
        }),
        case("CW-L14", "crossplane-clock-skew", "skewed", |s| {
            let w = s.workload();
            ensure(s.warned("CreateOperation") && w.not_started() + 1 == w.ticks.total, || {
                format!("warnings {:?}, ticks {:?}", w.warnings, w.ticks)
            })
        }),
        case("CW-L15", "fleet-stampede", "apps/billing-export", |s| {
            let fleet = s.run.report().fleet.as_ref().ok_or("no fleet peaks")?;
            let minute = s.message().split("minute of ").nth(1).map_or("", |r| &r[..16]);
            let at = fleet.max_jobs_at.map(|t| t.rfc3339()).unwrap_or_default();
            ensure(fleet.max_jobs as usize > STAMPEDE_THRESHOLD && at.starts_with(minute), || {
                format!("peak {} at {at}, the finding names {minute}", fleet.max_jobs)
            })
        }),
        case("CW-L16", "lord-howe", "island/midnight", dated_surprises),
        case("CW-L16", "lord-howe", "island/two-am", dated_surprises),
        case("CW-L16", "lord-howe", "island/half-past-one", dated_surprises),
        case("CW-L16", "chatham-stuck", "islands/quarter-to-four", dated_surprises),
        case("CW-L17", "stored-zone-quirks", "reports/legacy-zone", |s| {
            ensure(s.warned("UnknownTimeZone"), || "no UnknownTimeZone warning".into())?;
            never_runs(s)
        }),
    ]
}

/// Every Job of `condition` ("" for all) is deleted by history GC within
/// seconds of finishing, none by the TTL controller.
fn deleted_at_once(w: &WorkloadReport, condition: &str) -> Result<(), String> {
    let d: Vec<_> =
        w.deletion_summary.iter().filter(|x| condition.is_empty() || x.condition == condition).collect();
    ensure(!d.is_empty() && d.iter().all(|x| x.by == "HistoryGC" && x.max_retained < 5_000), || {
        format!("{d:?}")
    })
}

fn path(scenario: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{scenario}.yaml"))
}

#[test]
fn every_rule_has_a_scenario_and_the_simulation_agrees_with_the_finding() {
    let cases = cases();
    for rule in RULES {
        assert!(cases.iter().any(|c| c.rule == rule.id), "{} has no scenario here", rule.id);
    }
    let mut failures = Vec::new();
    let scenarios: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.scenario).collect();
    for name in scenarios {
        let p = path(name);
        let lint = cronwarp_in_process(&["lint", &p.to_string_lossy(), "--format", "json"], "", &[]);
        assert_eq!(lint.code, 0, "{name}: {}", lint.stderr);
        let findings: Value = serde_json::from_str(&lint.stdout).expect("JSON findings");
        let scenario = Scenario::from_path(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        let run = cronwarp::run(&scenario, RunOptions::default().keep_events(true))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for case in cases.iter().filter(|c| c.scenario == name) {
            let found = findings
                .as_array()
                .into_iter()
                .flatten()
                .find(|f| f["rule"] == case.rule && f["object"] == case.object);
            let Some(finding) = found else {
                failures.push(format!("{name}: no {} finding for {}", case.rule, case.object));
                continue;
            };
            let seen = Seen { finding, run: &run, scenario: &scenario };
            if let Err(e) = (case.agrees)(&seen) {
                failures.push(format!("{name}: {} on {}: {}: {e}", case.rule, case.object, seen.message()));
            }
        }
    }
    assert!(failures.is_empty(), "lint and simulation disagree:\n{}", failures.join("\n"));
}

/// Seconds in a span as CW-L10 words it (`1h40m`, `4d4h`, `45s`).
fn seconds(words: &str) -> i64 {
    let (mut total, mut n) = (0, 0);
    for c in words.chars() {
        match c.to_digit(10) {
            Some(d) => n = n * 10 + i64::from(d),
            None => {
                let unit = match c {
                    'd' => 86_400,
                    'h' => 3600,
                    'm' => 60,
                    _ => 1,
                };
                (total, n) = (total + n * unit, 0);
            }
        }
    }
    total
}

/// CW-L10's number is where the controller starts warning: an outage of
/// an every-minute CronJob a little over it ends in TooManyMissedTimes,
/// one a little under does not.
#[test]
fn the_outage_cw_l10_names_is_where_too_many_missed_times_begins() {
    const MINUTELY: &str = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: minutely, namespace: ops, \
        creationTimestamp: '2025-03-03T00:00:00Z'}\nspec:\n  schedule: '* * * * *'\n  jobTemplate: {spec: \
        {template: {spec: {restartPolicy: Never, containers: [{name: m, image: b}]}}}}\nstatus: \
        {lastScheduleTime: '2025-03-03T00:59:00Z'}\n";
    let lint = cronwarp_in_process(&["lint", "-", "--format", "json"], MINUTELY, &[]);
    let findings: Value = serde_json::from_str(&lint.stdout).expect("JSON findings");
    let message = findings
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["rule"] == "CW-L10")
        .and_then(|f| f["message"].as_str())
        .unwrap_or_else(|| panic!("no CW-L10 finding: {}", lint.stdout));
    let words = message.split("outage over ").nth(1).and_then(|r| r.split(' ').next()).unwrap_or_default();
    let outage = seconds(words);
    assert_eq!(outage, 6000, "{message}");
    for (length, warns) in [(outage - 90, false), (outage + 90, true)] {
        // Down from just after the 01:00 run.
        let scenario = Scenario::builder()
            .horizon("2025-03-03T01:00:00Z", "2025-03-03T04:00:00Z")
            .workload(MINUTELY)
            .downtime_for("2025-03-03T01:00:30Z", format!("{length}s"))
            .build()
            .expect("a valid scenario");
        let run = cronwarp::run(&scenario, RunOptions::default()).expect("runs");
        let w = run.workload("ops/minutely").expect("in the report");
        let warned = w.warnings.iter().any(|x| x.reason == "TooManyMissedTimes");
        assert_eq!(warned, warns, "an outage of {length}s: {:?}", w.warnings);
    }
}
