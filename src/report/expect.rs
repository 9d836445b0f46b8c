//! Checks a report against a scenario's `expect:` block. Violations make
//! `cronwarp run` exit 1, which is how users gate CI on a scenario.
//!
//! The block has three scopes (see `sim::scenario::Expect`): bounds on
//! every workload, bounds on the workloads a group selects, and fleet-wide
//! bounds on the Jobs and pods of all workloads at once. Each violation
//! names the workload (`*` for the fleet), the tick, Job or instant, and
//! the measured value against the bound.

use super::types::{Report, RunEnd, TickOutcome, WorkloadReport};
use crate::model::{Millis, Time, format_duration};
use crate::sim::duration::DurationSpec;
use crate::sim::scenario::{Expect, ExpectGroup, Selection};
use serde::{Deserialize, Serialize};

/// One failed expectation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The `expect:` key: `maxMissed`, or `groups[0].maxLateness` for a
    /// group's bound.
    pub expectation: String,
    /// `namespace/name` of the CronJob (a CronOperation's name); `*` for a
    /// fleet-wide bound.
    pub cronjob: String,
    /// What was expected and what happened, in plain words.
    pub message: String,
    /// The tick concerned (a late tick, the first tick not started).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick: Option<Time>,
    /// The Job (or Operation) concerned, `namespace/name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// The instant concerned (an overlap's start, a fleet-wide peak, a
    /// deletion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Time>,
    /// What was measured: a count, or milliseconds for a duration bound
    /// (`maxLateness`, `minFailedRetention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<i64>,
    /// The bound, in the same unit as `measured`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<i64>,
}

/// Most violations listed one by one per bound and workload (late ticks,
/// overlaps); one more line counts the rest.
const LISTED: usize = 5;

/// Every violation of `expect` in `report`. Groups select by the report's
/// workload names only, so a selector asking for labels selects nothing
/// here; [`check_selected`] takes the selection a scenario resolved
/// (`sim::Scenario::select_workloads`, which reads labels).
pub fn check(expect: &Expect, report: &Report) -> Vec<Violation> {
    let selection = expect.select_by_keys(report.workloads.iter().map(|w| w.name.as_str()));
    check_selected(expect, &selection, report)
}

/// Every violation of `expect` in `report`: the bounds on every workload,
/// CronJob by CronJob, then each group's on the workloads `selection`
/// holds for it, then the fleet-wide bounds.
pub fn check_selected(expect: &Expect, selection: &Selection, report: &Report) -> Vec<Violation> {
    let mut out = Vec::new();
    let every = Bounds::of_expect(expect);
    for cj in &report.workloads {
        check_one(&every, "", cj, &mut out);
    }
    for (g, group) in expect.groups.iter().enumerate() {
        let bounds = Bounds::of_group(group);
        let prefix = format!("groups[{g}].");
        let Some(picked) = selection.get(g) else { continue };
        for cj in report.workloads.iter().filter(|w| picked.contains(&w.name)) {
            check_one(&bounds, &prefix, cj, &mut out);
        }
    }
    check_fleet(expect, report, &mut out);
    out
}

/// Checks `expect` and records the outcome in the report (groups selected
/// by name, as [`check`]).
pub fn apply(expect: &Expect, report: &mut Report) {
    report.violations = check(expect, report);
    report.expectations_checked = declared(expect);
}

/// Checks `expect` with a resolved selection and records the outcome in
/// the report.
pub fn apply_selected(expect: &Expect, selection: &Selection, report: &mut Report) {
    report.violations = check_selected(expect, selection, report);
    report.expectations_checked = declared(expect);
}

/// How many checks an `expect:` block declares: one per bound, wherever it
/// is written.
pub(crate) fn declared(e: &Expect) -> usize {
    let fleet = e.fleet_bounds();
    Bounds::of_expect(e).count() + e.groups.iter().map(|g| Bounds::of_group(g).count()).sum::<usize>() + fleet
}

/// The per-workload bounds of one scope.
#[derive(Debug, Clone, Copy, Default)]
struct Bounds {
    max_missed: Option<u64>,
    no_missed_runs: Option<bool>,
    max_concurrent: Option<u64>,
    min_failed_retention: Option<DurationSpec>,
    min_jobs: Option<u64>,
    max_jobs: Option<u64>,
    max_lateness: Option<DurationSpec>,
    max_not_started: Option<u64>,
    min_succeeded: Option<u64>,
    no_overlap: Option<bool>,
}

impl Bounds {
    fn of_expect(e: &Expect) -> Bounds {
        Bounds {
            max_missed: e.max_missed,
            no_missed_runs: e.no_missed_runs,
            max_concurrent: e.max_concurrent,
            min_failed_retention: e.min_failed_retention,
            min_jobs: e.min_jobs,
            max_jobs: e.max_jobs,
            max_lateness: e.max_lateness,
            max_not_started: e.max_not_started,
            min_succeeded: e.min_succeeded,
            no_overlap: e.no_overlap,
        }
    }

    fn of_group(g: &ExpectGroup) -> Bounds {
        Bounds {
            max_missed: g.max_missed,
            no_missed_runs: g.no_missed_runs,
            max_concurrent: g.max_concurrent,
            min_failed_retention: g.min_failed_retention,
            min_jobs: g.min_jobs,
            max_jobs: g.max_jobs,
            max_lateness: g.max_lateness,
            max_not_started: g.max_not_started,
            min_succeeded: g.min_succeeded,
            no_overlap: g.no_overlap,
        }
    }

    /// The checks declared (`false` for a yes/no bound declares none).
    fn count(&self) -> usize {
        [
            self.max_missed.is_some(),
            self.no_missed_runs == Some(true),
            self.max_concurrent.is_some(),
            self.min_failed_retention.is_some(),
            self.min_jobs.is_some(),
            self.max_jobs.is_some(),
            self.max_lateness.is_some(),
            self.max_not_started.is_some(),
            self.min_succeeded.is_some(),
            self.no_overlap == Some(true),
        ]
        .iter()
        .filter(|b| **b)
        .count()
    }
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn check_one(b: &Bounds, prefix: &str, cj: &WorkloadReport, out: &mut Vec<Violation>) {
    let n = super::semantics::of(cj.kind).nouns();
    let (run, runs) = (n.run, n.runs);
    let mut v = |key: &str, message: String, fill: &dyn Fn(&mut Violation)| {
        let mut x = Violation {
            expectation: format!("{prefix}{key}"),
            cronjob: cj.name.clone(),
            message,
            ..Default::default()
        };
        fill(&mut x);
        out.push(x)
    };
    let missed = cj.ticks.not_started;
    let first = cj.exceptions.iter().find(|x| x.outcome == TickOutcome::NotStarted);
    let first_tick = first.map(|x| x.tick);
    if b.no_missed_runs == Some(true) && missed > 0 {
        v(
            "noMissedRuns",
            format!("{missed} of {} ticks were not started{}", cj.ticks.total, first_why(cj)),
            &|x| (x.tick, x.measured, x.bound) = (first_tick, Some(count(missed)), Some(0)),
        );
    }
    if let Some(max) = b.max_missed
        && missed > max
    {
        v("maxMissed", format!("{missed} ticks were not started, more than {max}{}", first_why(cj)), &|x| {
            (x.tick, x.measured, x.bound) = (first_tick, Some(count(missed)), Some(count(max)))
        });
    }
    if let Some(max) = b.max_not_started
        && missed > max
    {
        v(
            "maxNotStarted",
            format!("{missed} ticks not started, over maxNotStarted {max}{}", first_why(cj)),
            &|x| (x.tick, x.measured, x.bound) = (first_tick, Some(count(missed)), Some(count(max))),
        );
    }
    if let Some(max) = b.max_concurrent
        && u64::from(cj.overlaps.max_concurrency) > max
    {
        let at = cj.overlaps.intervals.iter().find(|o| u64::from(o.max_running) > max).map(|o| o.start);
        let when = at.map(|t| format!(" (first from {t})")).unwrap_or_default();
        v(
            "maxConcurrent",
            format!("{} {runs} ran at once, more than {max}{when}", cj.overlaps.max_concurrency),
            &|x| {
                (x.at, x.measured, x.bound) = (at, Some(cj.overlaps.max_concurrency.into()), Some(count(max)))
            },
        );
    }
    if b.no_overlap == Some(true) {
        no_overlap(cj, runs, &mut v);
    }
    if let Some(bound) = b.max_lateness {
        max_lateness(cj, run, bound.millis(), &mut v);
    }
    if let Some(min) = b.min_failed_retention {
        let min = min.millis();
        for d in cj.deletions.iter().filter(|d| d.condition == RunEnd::Failed) {
            if let Some(kept) = d.retained
                && kept < min
            {
                v(
                    "minFailedRetention",
                    format!(
                        "failed {run} {} was deleted by {} after {}, less than {}",
                        d.job,
                        d.by.name(),
                        format_duration(kept),
                        format_duration(min)
                    ),
                    &|x| {
                        (x.job, x.at, x.measured, x.bound) =
                            (Some(d.job.to_string()), Some(d.at), Some(kept), Some(min))
                    },
                );
            }
        }
    }
    let o = &cj.outcomes;
    let created = o.created;
    if let Some(min) = b.min_jobs
        && created < min
    {
        v("minJobs", format!("{created} {runs} were created, fewer than {min}"), &|x| {
            (x.measured, x.bound) = (Some(count(created)), Some(count(min)))
        });
    }
    if let Some(max) = b.max_jobs
        && created > max
    {
        v("maxJobs", format!("{created} {runs} were created, more than {max}"), &|x| {
            (x.measured, x.bound) = (Some(count(created)), Some(count(max)))
        });
    }
    if let Some(min) = b.min_succeeded
        && o.succeeded < min
    {
        v(
            "minSucceeded",
            format!(
                "{} {runs} succeeded, under minSucceeded {min} ({created} created: {} failed, {} replaced, {} unfinished)",
                o.succeeded,
                o.failed(),
                o.replaced,
                o.unfinished
            ),
            &|x| (x.measured, x.bound) = (Some(count(o.succeeded)), Some(count(min))),
        );
    }
}

type Emit<'a> = dyn FnMut(&str, String, &dyn Fn(&mut Violation)) + 'a;

/// `noOverlap`: each overlap interval, the first [`LISTED`] named.
fn no_overlap(cj: &WorkloadReport, runs: &str, v: &mut Emit<'_>) {
    let all = &cj.overlaps.intervals;
    for o in all.iter().take(LISTED) {
        v(
            "noOverlap",
            format!(
                "{} {runs} ran at once from {} to {} ({}), but noOverlap",
                o.max_running,
                o.start,
                o.end,
                format_duration(o.end.since(o.start))
            ),
            &|x| (x.at, x.measured, x.bound) = (Some(o.start), Some(o.max_running.into()), Some(1)),
        );
    }
    if all.len() > LISTED {
        v(
            "noOverlap",
            format!(
                "and {} more overlaps ({} with two or more {runs} running in all)",
                all.len() - LISTED,
                format_duration(cj.overlaps.total)
            ),
            &|x| (x.measured, x.bound) = (Some(cj.overlaps.max_concurrency.into()), Some(1)),
        );
    }
}

/// `maxLateness`: each tick that started later than `bound`, the first
/// [`LISTED`] named, then how many more and the worst.
fn max_lateness(cj: &WorkloadReport, run: &str, bound: Millis, v: &mut Emit<'_>) {
    if cj.max_lateness <= bound {
        return;
    }
    let shown = format_duration(bound);
    let mut over = cj.exceptions.iter().filter(|x| x.late_by.is_some_and(|l| l > bound));
    let mut listed = 0;
    for row in over.by_ref().take(LISTED) {
        let late = row.late_by.unwrap_or_default();
        let job = row.job.as_deref().map(|j| format!(" ({run} {j})")).unwrap_or_default();
        v(
            "maxLateness",
            format!(
                "tick {} started {} late{job}, over maxLateness {shown}",
                row.local,
                format_duration(late)
            ),
            &|x| {
                (x.tick, x.job, x.measured, x.bound) =
                    (Some(row.tick), row.job.clone(), Some(late), Some(bound))
            },
        );
        listed += 1;
    }
    let more = over.count();
    let omitted = cj.exceptions_omitted > 0;
    if listed == 0 || more > 0 || omitted {
        // Ticks started within a second are not rows (a bound under a
        // second), and a long run keeps only the first rows.
        let what = match (listed, more) {
            (0, _) => "ticks started within a second of the tick are not listed".to_string(),
            (_, 0) => format!("ticks past the report's first {} rows are not listed", cj.exceptions.len()),
            (_, m) => format!("and {m} more ticks started later than {shown}"),
        };
        let tail =
            if omitted && listed > 0 && more > 0 { ", besides any past the report's rows" } else { "" };
        v(
            "maxLateness",
            format!(
                "{what}{tail}; worst lateness {}, over maxLateness {shown}",
                format_duration(cj.max_lateness)
            ),
            &|x| (x.measured, x.bound) = (Some(cj.max_lateness), Some(bound)),
        );
    }
}

/// The fleet-wide bounds against the report's fleet peaks; without them
/// (an accountant of one partition alone) the bound is reported as not
/// measured, never passed. CPU is compared in millicores, memory in bytes.
fn check_fleet(e: &Expect, report: &Report, out: &mut Vec<Violation>) {
    let xp = report.workloads.iter().any(|w| w.kind == crate::sim::WorkloadKind::CronOperation);
    let jobs = if xp { "Jobs and Operations" } else { "Jobs" };
    let f = report.fleet.as_ref();
    let counted = |n: Option<u64>| n.map(count);
    let checks: [FleetCheck<'_>; 4] = [
        (
            "maxConcurrentJobs",
            counted(e.max_concurrent_jobs),
            Unit::Count(jobs),
            f.map(|f| (f.max_jobs.into(), f.max_jobs_at)),
        ),
        (
            "maxConcurrentPods",
            counted(e.max_concurrent_pods),
            Unit::Count("pods"),
            f.map(|f| (f.max_pods.into(), f.max_pods_at)),
        ),
        (
            "maxRequestedCpu",
            e.max_requested_cpu.as_ref().map(|q| q.milli_value()),
            Unit::Cpu,
            f.map(|f| (f.max_cpu_millis, f.max_cpu_at)),
        ),
        (
            "maxRequestedMemory",
            e.max_requested_memory.as_ref().map(|q| q.value()),
            Unit::Memory,
            f.map(|f| (f.max_memory_bytes, f.max_memory_at)),
        ),
    ];
    for (key, bound, unit, peak) in checks {
        let Some(bound) = bound else { continue };
        let mut x = Violation { expectation: key.into(), cronjob: "*".into(), ..Default::default() };
        match peak {
            None => {
                x.message = "not measured: the report has no fleet-wide counts (an accountant fed the \
                             merged log with `Accountant::with_fleet` counts them; `cronwarp run` does)"
                    .to_string();
            }
            Some((n, at)) if n > bound => {
                let when = at.map(|t| format!(" at {t}")).unwrap_or_default();
                x.message = match unit {
                    Unit::Count(what) => format!("{n} {what} at once{when}, over {key} {bound}"),
                    Unit::Cpu | Unit::Memory => format!(
                        "the live pods requested {}{when}, over {key} {}",
                        unit.show(n),
                        unit.show(bound)
                    ),
                };
                (x.at, x.measured, x.bound) = (at, Some(n), Some(bound));
            }
            Some(_) => continue,
        }
        out.push(x);
    }
}

/// A fleet-wide check: its key, its bound, what it counts, and the peak
/// with its first instant (`None`: not measured).
type FleetCheck<'a> = (&'a str, Option<i64>, Unit, Option<(i64, Option<Time>)>);

/// What a fleet-wide bound counts.
#[derive(Clone, Copy)]
enum Unit {
    Count(&'static str),
    Cpu,
    Memory,
}

impl Unit {
    fn show(self, n: i64) -> String {
        match self {
            Unit::Count(_) => n.to_string(),
            Unit::Cpu => super::fleet::format_cpu(n),
            Unit::Memory => super::fleet::format_memory(n),
        }
    }
}

fn first_why(cj: &WorkloadReport) -> String {
    cj.exceptions
        .iter()
        .find(|x| x.outcome == TickOutcome::NotStarted)
        .map(|x| format!("; first: {} ({})", x.local, x.why))
        .unwrap_or_default()
}
