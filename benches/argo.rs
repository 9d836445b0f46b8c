//! A year of a `* * * * *` Argo CronWorkflow through
//! `policy::argo::Controller` (robfig's runner, a `Run` per tick, the
//! status patch and the re-registration it causes, `syncAll` every 10 s
//! with history GC), side by side with a week of the same CronJob in the
//! simulator, extrapolated to a year as `benches/sim.rs` does.
//!
//! The Argo side is measured twice: the controller's decisions against an
//! in-bench API server (each Workflow runs 20 s and succeeds), and the
//! CronWorkflow in the simulator (the workflow-controller's actors, the
//! Workflow store, behaviour draws and the event log, counted), for the
//! whole year. Plain timing (best of three; the simulated year once), no
//! criterion: one figure each.

use cronwarp::model::argo::CronWorkflow;
use cronwarp::model::{ObjectReference, SECOND, Time};
use cronwarp::policy::argo::{
    ArgoApi, CRON_SYNC_PERIOD_MS, ChildWorkflow, Controller, RESYNC_PERIOD_MS, SubmitError, WorkflowPhase,
};
use cronwarp::schedule::Zone;
use cronwarp::sim::log::{LogSink, Record};
use cronwarp::sim::{Scenario, SimOptions, simulate_into};
use smol_str::SmolStr;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

const CRONWORKFLOW: &str = r#"
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata: {name: minutely, namespace: default}
spec:
  schedules: ["* * * * *"]
  workflowSpec: {entrypoint: main, templates: [{name: main}]}
"#;

/// The API server: Workflows by name with the instant each finishes.
struct Api {
    stored: CronWorkflow,
    workflows: BTreeMap<SmolStr, Time>,
    now: Time,
    created: u64,
}

impl ArgoApi for Api {
    fn submit(&mut self, _: &CronWorkflow, name: &SmolStr, _: Time) -> Result<ObjectReference, SubmitError> {
        if self.workflows.insert(name.clone(), self.now.add(20 * SECOND)).is_some() {
            return Err(SubmitError::AlreadyExists);
        }
        self.created += 1;
        Ok(ObjectReference { name: name.clone(), uid: name.clone(), ..ObjectReference::default() })
    }

    fn terminate(&mut self, _: &SmolStr) {}

    fn delete(&mut self, name: &SmolStr) {
        self.workflows.remove(name);
    }

    fn children(&self, cw: &CronWorkflow) -> Vec<ChildWorkflow> {
        let done =
            |ends: &Time| if *ends <= self.now { WorkflowPhase::Succeeded } else { WorkflowPhase::Running };
        let child = |(name, ends): (&SmolStr, &Time)| ChildWorkflow {
            name: name.clone(),
            uid: name.clone(),
            phase: done(ends),
            finished_at: (*ends <= self.now).then_some(*ends),
            cron_label: Some(cw.metadata.name.clone()),
        };
        self.workflows.iter().map(child).collect()
    }

    fn patch(&mut self, cw: &CronWorkflow) -> bool {
        let changed = self.stored.status != cw.status || self.stored.metadata != cw.metadata;
        self.stored.status = cw.status.clone();
        self.stored.metadata = cw.metadata.clone();
        changed
    }
}

/// `days` of the CronWorkflow; returns the Workflows created.
fn argo(days: i64) -> u64 {
    let stored: CronWorkflow = cronwarp::model::from_yaml(CRONWORKFLOW, "bench").expect("parses");
    let start = Time::parse_rfc3339("2025-01-01T00:00:00Z").expect("valid");
    let until = start.add(days * 86_400_000);
    let mut api = Api { stored, workflows: BTreeMap::new(), now: start, created: 0 };
    let mut ctl = Controller::new(Zone::Utc);
    let (mut next_sync, mut next_resync) = (start.add(CRON_SYNC_PERIOD_MS), start.add(RESYNC_PERIOD_MS));
    let mut update = true;
    loop {
        while update {
            let (cw, now) = (api.stored.clone(), api.now);
            update = ctl.process(&mut api, &cw, now).updated;
        }
        let Some(now) = [ctl.due(), Some(next_sync), Some(next_resync)].into_iter().flatten().min() else {
            break;
        };
        if now >= until {
            break;
        }
        api.now = now;
        if ctl.due() == Some(now) {
            let cw = api.stored.clone();
            update |= ctl.fire(&mut api, &cw, now).updated;
        }
        if now >= next_sync {
            next_sync = now.add(CRON_SYNC_PERIOD_MS);
            let cw = api.stored.clone();
            update |= ctl.sync(&mut api, &cw, now).updated;
        }
        if now >= next_resync {
            next_resync = now.add(RESYNC_PERIOD_MS);
            update = true;
        }
    }
    api.created
}

/// Counts records without keeping them.
struct Count(u64);

impl LogSink for Count {
    fn record(&mut self, _: Record) {
        self.0 += 1;
    }
}

/// `days` from `start` of one workload (its YAML under `workloads:`) in
/// the simulator; returns the records logged.
fn simulate(start: &str, days: i64, workload: &str) -> u64 {
    let end = Time::parse_rfc3339(start).expect("valid").add(days * 86_400_000);
    let text = format!("horizon: {{start: \"{start}\", end: \"{end}\"}}\nseed: 1\nworkloads:\n{workload}");
    let sc = Scenario::from_yaml(&text, "bench").expect("bench scenario parses");
    let mut sink = Count(0);
    simulate_into(&sc, &mut sink, SimOptions { progress: None, threads: 1 }).expect("runs");
    sink.0
}

/// `days` of the same schedule as a CronJob in the simulator (20 s pods
/// that succeed); returns the records logged.
fn cronjob(days: i64) -> u64 {
    simulate(
        "2025-01-01T00:00:00Z",
        days,
        r#"  - manifest:
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: minutely, namespace: default, creationTimestamp: "2024-12-31T00:00:00Z"}
      spec:
        schedule: "* * * * *"
        jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}
    behaviour:
      duration: 20s
"#,
    )
}

/// `days` of the CronWorkflow in the simulator (20 s Workflows that
/// succeed); returns the records logged.
fn argo_sim(days: i64) -> u64 {
    simulate(
        "2025-01-01T00:00:30Z",
        days,
        r#"  - manifest:
      apiVersion: argoproj.io/v1alpha1
      kind: CronWorkflow
      metadata: {name: minutely, namespace: default, creationTimestamp: "2024-12-31T00:00:00Z"}
      spec:
        schedules: ["* * * * *"]
        workflowSpec: {entrypoint: main, templates: [{name: main}]}
    behaviour:
      duration: 20s
"#,
    )
}

/// One timed call.
fn timed<T>(f: impl Fn() -> T) -> (Duration, T) {
    let t = Instant::now();
    let v = f();
    (t.elapsed(), v)
}

fn main() {
    let fastest = |f: &dyn Fn() -> u64| (0..3).map(|_| timed(f)).min_by_key(|(d, _)| *d).expect("3 runs");
    let (ta, created) = fastest(&|| black_box(argo(365)));
    let (tc, records) = fastest(&|| black_box(cronjob(7)));
    let (ts, argo_records) = timed(|| black_box(argo_sim(365)));
    println!("a year of \"* * * * *\", best of 3, this machine:");
    println!(
        "  Argo CronWorkflow (controller decisions, no simulator): {:.3} s, {created} Workflows, {:.0} runs/s",
        ta.as_secs_f64(),
        created as f64 / ta.as_secs_f64()
    );
    println!(
        "  Kubernetes CronJob (simulator, 7 days x 365/7): {:.3} s ({:.3} s for 7 days, {records} records), {:.0} runs/s",
        tc.as_secs_f64() * 365.0 / 7.0,
        tc.as_secs_f64(),
        7.0 * 1440.0 / tc.as_secs_f64()
    );
    println!(
        "  Argo CronWorkflow (simulator, the whole year once): {:.3} s, {argo_records} records, {:.0} runs/s",
        ts.as_secs_f64(),
        365.0 * 1440.0 / ts.as_secs_f64()
    );
}
