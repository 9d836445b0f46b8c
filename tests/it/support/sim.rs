//! Helpers shared by the `sim` tests: CronJob scenarios in YAML and log
//! queries.

use cronwarp::model::Time;
use cronwarp::sim::log::{Entry, Record};
use cronwarp::sim::{Scenario, SimOptions, SimOutput, simulate};

/// A time on 2025-03-03 (a Monday), `HH:MM:SS[.mmm]` UTC.
pub fn at(hms: &str) -> Time {
    Time::parse_rfc3339(&format!("2025-03-03T{hms}Z")).unwrap()
}

/// A CronJob manifest (YAML, indented for a `manifest:` key in a workload
/// list item) with the given name, schedule and extra spec lines.
pub fn cronjob(name: &str, schedule: &str, extra_spec: &str, job_spec: &str) -> String {
    let mut s = format!(
        "      apiVersion: batch/v1\n      kind: CronJob\n      metadata:\n        name: {name}\n        namespace: default\n        creationTimestamp: \"2025-03-03T09:00:00Z\"\n      status:\n        lastScheduleTime: \"2025-03-03T10:00:00Z\"\n      spec:\n        schedule: \"{schedule}\"\n"
    );
    for l in extra_spec.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("        {l}\n"));
    }
    s.push_str("        jobTemplate:\n          spec:\n");
    for l in job_spec.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("            {l}\n"));
    }
    s.push_str(
        "            template:\n              spec:\n                restartPolicy: Never\n                containers:\n                  - name: main\n                    image: busybox\n",
    );
    s
}

/// A workload list item: manifest plus behaviour (YAML lines under
/// `behaviour:`, may be empty).
pub fn workload(manifest: &str, behaviour: &str) -> String {
    let mut s = format!("  - manifest:\n{manifest}");
    if !behaviour.trim().is_empty() {
        s.push_str("    behaviour:\n");
        for l in behaviour.lines().filter(|l| !l.trim().is_empty()) {
            s.push_str(&format!("      {l}\n"));
        }
    }
    s
}

/// A whole scenario from 10:00 to `end` with `controller` lines and
/// workload items.
pub fn scenario(end: &str, controller: &str, workloads: &[String]) -> Scenario {
    let mut s =
        format!("horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T{end}Z\"\nseed: 7\n");
    if !controller.trim().is_empty() {
        s.push_str("controller:\n");
        for l in controller.lines().filter(|l| !l.trim().is_empty()) {
            s.push_str(&format!("  {l}\n"));
        }
    }
    s.push_str("workloads:\n");
    for w in workloads {
        s.push_str(w);
    }
    Scenario::from_yaml(&s, "test.yaml").unwrap_or_else(|e| panic!("{e}\n---\n{s}"))
}

/// Runs a scenario.
pub fn run(sc: &Scenario) -> SimOutput {
    simulate(sc, SimOptions::default()).unwrap()
}

/// The log as JSON lines.
pub fn lines(out: &SimOutput) -> Vec<String> {
    out.log.iter().map(Record::to_json_line).collect()
}

/// `(time, job, scheduledTime)` of every JobCreated.
pub fn created(out: &SimOutput) -> Vec<(Time, String, Option<Time>)> {
    out.log
        .iter()
        .filter_map(|r| match &r.entry {
            Entry::JobCreated { job, scheduled_time, .. } => Some((r.time, job.to_string(), *scheduled_time)),
            _ => None,
        })
        .collect()
}

/// Records whose entry matches.
pub fn find<'a>(out: &'a SimOutput, f: impl Fn(&Entry) -> bool + 'a) -> Vec<&'a Record> {
    out.log.iter().filter(|r| f(&r.entry)).collect()
}

/// Events with this reason.
pub fn events<'a>(out: &'a SimOutput, reason: &'a str) -> Vec<&'a Record> {
    find(out, move |e| matches!(e, Entry::Event(ev) if ev.reason == reason))
}

/// The report of `sc` through one accountant per partition, with the fleet
/// load swept across them window by window, as `cronwarp::run` makes it
/// without an event log.
pub fn split_report(
    sc: &Scenario,
    input: &cronwarp::report::ReportInput,
    threads: usize,
) -> cronwarp::report::Report {
    use cronwarp::report::{Accountant, LoadSweep, LoadWindow};
    use std::sync::Mutex;
    let mut sweep = LoadSweep::default();
    let window = std::sync::Arc::new(Mutex::new(LoadWindow::default()));
    let mut after_window = |parts: &[Mutex<Accountant>]| {
        for p in parts {
            p.lock().unwrap().flush_load();
        }
        window.lock().unwrap().sweep_into(&mut sweep);
    };
    let loaded = cronwarp::sim::Loaded::new(sc).unwrap();
    let (_, parts) = loaded
        .simulate_split_with(
            sc.seed,
            |ws| Accountant::new(input.part(ws)).share_load(&window),
            &mut after_window,
            SimOptions { progress: None, threads },
        )
        .unwrap();
    let mut report = Accountant::finish_parts(parts).unwrap();
    report.fleet = Some(sweep.finish());
    report
}
