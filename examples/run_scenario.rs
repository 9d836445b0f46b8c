//! Runs a scenario file and prints each workload's figures.
//!
//! ```text
//! cargo run --example run_scenario -- scenarios/forbid-long-jobs.yaml
//! ```
//!
//! Without an argument it runs `scenarios/downtime-catchup.yaml`. Exits 1
//! when the scenario's `expect:` checks fail, 2 when it cannot run.

use cronwarp::{RunOptions, Scenario};
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args().nth(1).unwrap_or_else(|| "scenarios/downtime-catchup.yaml".into());
    let scenario = match Scenario::from_path(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let run = match cronwarp::run(&scenario, RunOptions::default()) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let header = &run.report().header;
    println!("{} ({} → {}, seed {})", scenario.name(), header.start, header.end, header.seed);
    println!(
        "{:<40} {:>6} {:>8} {:>5} {:>12} {:>5} {:>10}",
        "workload", "ticks", "on time", "late", "not started", "jobs", "succeeded"
    );
    for w in run.workloads() {
        println!(
            "{:<40} {:>6} {:>8} {:>5} {:>12} {:>5} {:>10}",
            w.name,
            w.ticks.total,
            w.on_time(),
            w.late(),
            w.not_started(),
            w.jobs_created(),
            w.succeeded()
        );
        if let Some(first) = w.not_started_ticks().next() {
            println!("    first tick not started: {} ({})", first.local, first.why);
        }
    }
    for w in run.warnings() {
        eprintln!("warning: {w}");
    }
    match run.check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failures) => {
            eprintln!("{failures}");
            ExitCode::from(1)
        }
    }
}
