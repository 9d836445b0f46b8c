//! What if kube-controller-manager were down for longer? Builds a scenario
//! in code (a nightly backup CronJob, a maintenance window starting just
//! before it is due) and compares two downtime lengths, with and without
//! `startingDeadlineSeconds`.
//!
//! ```text
//! cargo run --example what_if_downtime
//! ```

use cronwarp::{Error, RunOptions, Scenario};

/// A backup at 02:00 every night; `{deadline}` is filled in.
const BACKUP: &str = r#"
    apiVersion: batch/v1
    kind: CronJob
    metadata:
      name: backup
      namespace: ops
      creationTimestamp: "2025-03-01T00:00:00Z"
    spec:
      schedule: "0 2 * * *"
      {deadline}
      jobTemplate:
        spec:
          template:
            spec:
              restartPolicy: Never
              containers:
                - name: backup
                  image: busybox
"#;

/// Runs a week with the controller down every night from 01:55 for
/// `length`; returns (on time, late, not started) of the backup.
fn week(length: &str, deadline: Option<u32>) -> Result<(u64, u64, u64), Error> {
    let deadline = deadline.map_or(String::new(), |s| format!("startingDeadlineSeconds: {s}"));
    let mut builder = Scenario::builder()
        .name(format!("backup, down {length} a night"))
        .horizon("2025-03-03T00:00:00Z", "2025-03-10T00:00:00Z")
        .workload(BACKUP.replace("{deadline}", &deadline))
        .behaviour("duration: {uniform: {min: 10m, max: 20m}}");
    for day in 3..10 {
        builder = builder.downtime_for(format!("2025-03-{day:02}T01:55:00Z"), length);
    }
    let run = cronwarp::run(&builder.build()?, RunOptions::default())?;
    let w = run.workload("ops/backup").expect("the CronJob is in the report");
    Ok((w.on_time(), w.late(), w.not_started()))
}

fn main() -> Result<(), Error> {
    println!(
        "{:<12} {:<22} {:>8} {:>5} {:>12}",
        "downtime", "startingDeadline", "on time", "late", "not started"
    );
    for length in ["10m", "2h"] {
        for deadline in [None, Some(3600)] {
            let (on_time, late, missed) = week(length, deadline)?;
            let d = deadline.map_or("none".to_string(), |s| format!("{s}s"));
            println!("{length:<12} {d:<22} {on_time:>8} {late:>5} {missed:>12}");
        }
    }
    println!(
        "\nA late start is still a backup; past startingDeadlineSeconds the controller skips the night."
    );
    Ok(())
}
