//! cronwarp: a deterministic simulator and test harness for scheduled-job
//! controllers (Kubernetes CronJob, Crossplane CronOperation, KubeVela
//! `cron-task`).
//!
//! A *scenario* names CronJobs (real manifests, status and existing Jobs
//! included), a horizon of virtual time, faults (kube-controller-manager
//! downtime, clock skew, informer lag, timed edits) and how the pods
//! behave. cronwarp replays the horizon with the controllers' real
//! decisions (CronJob controller v2, Job controller, TTL controller; the
//! Crossplane CronOperation and Operation controllers) and accounts for
//! every schedule tick: started on time, started late and why, not started
//! and why. Same scenario and seed, same report, byte for byte.
//!
//! # Running a scenario from Rust
//!
//! The facade is four names: [`Scenario`] (read from a file, from text, or
//! [built in code](Scenario::builder)), [`run`] with its [`RunOptions`],
//! the resulting [`Run`] (its [`Report`], the event log, the `expect:`
//! checks), and one [`Error`]. A test that pins what a CronJob does after
//! half an hour of controller downtime:
//!
//! ```
//! use cronwarp::{RunOptions, Scenario};
//!
//! let scenario = Scenario::builder()
//!     .horizon("2025-03-03T10:00:00Z", "2025-03-03T11:00:00Z")
//!     .workload(
//!         r#"
//!         apiVersion: batch/v1
//!         kind: CronJob
//!         metadata:
//!           name: report
//!           namespace: default
//!           creationTimestamp: "2025-03-03T09:00:00Z"
//!         spec:
//!           schedule: "*/5 * * * *"
//!           jobTemplate:
//!             spec:
//!               template:
//!                 spec:
//!                   restartPolicy: Never
//!                   containers: [{name: report, image: busybox}]
//!         status:
//!           lastScheduleTime: "2025-03-03T10:00:00Z"
//!         "#,
//!     )
//!     .behaviour("duration: 40s")
//!     .downtime("2025-03-03T10:02:00Z", "2025-03-03T10:31:00Z")
//!     .expect("maxMissed: 5")
//!     .build()?;
//!
//! let run = cronwarp::run(&scenario, RunOptions::default())?;
//! let report = run.workload("default/report").expect("the CronJob is in the report");
//! // After the restart the controller starts one Job, for the most recent
//! // missed tick (10:30); 10:05 ... 10:25 are dropped.
//! assert_eq!(report.not_started(), 5);
//! assert_eq!(report.late(), 1);
//! assert!(run.check().is_ok()); // `maxMissed: 5` holds
//! # Ok::<(), cronwarp::Error>(())
//! ```
//!
//! [`Scenario::from_path`] reads a scenario file as `cronwarp run` does,
//! and [`run`] produces the same report as `cronwarp run` (its
//! `--format json` is the report serialized; [`Report`] and the event
//! log's [`Record`] deserialize too, so a saved report or log can be read
//! back). `examples/` has two complete programs.
//!
//! # Sweeping seeds
//!
//! Random durations and failures make each seed a different night. The
//! [`sweep()`] function runs a scenario at every seed of a range, in
//! parallel, and summarises the runs as percentiles per workload, with
//! the seeds of the worst runs to replay ([`mod@sweep`] has an example).
//!
//! # Golden reports
//!
//! The [`gate()`] function runs every scenario under some directories,
//! checks each one's `expect:` block and compares its Markdown report with a
//! golden copy kept next to it, as `cronwarp test` does in CI
//! ([`mod@gate`] has an example).
//!
//! # Layers
//!
//! Each module imports only those before it:
//!
//! | module | what it holds |
//! |---|---|
//! | [`schedule`] | the cron language as robfig/cron parses it, time zones, DST, `Next` |
//! | [`model`] | the Kubernetes and Crossplane objects, YAML reading, API-server validation |
//! | [`policy`] | the controllers' sync functions, one decision per sync, as upstream writes them |
//! | [`sim`] | the discrete-event engine: virtual clock, store, kubelet, faults, the event log |
//! | [`report`] | the accounting of a log into a [`Report`], expectations, text/Markdown/SVG |
//! | facade ([`run`], [`Scenario`], [`Error`]) | the pipeline a caller needs, in one call |
//! | [`mod@sweep`] | one scenario at many seeds, in parallel: the spread of outcomes; sharded sweeps and their merge |
//! | [`mod@stagger`] | the stagger what-if: CronJobs that fire together spread over the hour, fleet peaks before and after |
//! | [`mod@gate`] | a directory of scenarios against their golden reports, in parallel (`cronwarp test`) |
//! | `cli` | the `cronwarp` command line (feature `cli`), a thin layer over the facade |
//! | [`fuzz`] | one entry point per reader for the fuzz targets in `fuzz/` and their corpus replay |
//!
//! # Features
//!
//! All on by default; `cronwarp = { version = "…", default-features = false }`
//! builds the simulator, the report and the facade alone.
//!
//! | feature | gates | pulls in |
//! |---|---|---|
//! | `cli` | the `cli` module and the `cronwarp` binary (implies `svg` and `schema`) | clap |
//! | `svg` | `report::svg` timelines and [`Run::timeline_svg`] | plotters, ttf-parser |
//! | `schema` | `schemars::JsonSchema` for the scenario types (`cronwarp schema`) | schemars |
//! | `jemalloc` | jemalloc as the binary's allocator (off by default) | tikv-jemallocator |

#[cfg(feature = "cli")]
pub mod cli;
pub mod fuzz;
pub mod gate;
pub mod model;
pub mod policy;
pub mod report;
pub mod schedule;
pub mod sim;
pub mod stagger;
pub mod sweep;
pub mod variants;

mod error;
mod run;
mod scenario;
#[cfg(feature = "schema")]
pub mod schemas;

pub use error::Error;
pub use gate::{Gate, GateOptions, gate};
pub use model::Time;
pub use report::{Report, TickCounts, TickOutcome, TickRow, Violation, WorkloadReport};
pub use run::{ExpectationFailures, Run, RunOptions, run};
pub use scenario::{Scenario, ScenarioBuilder};
pub use sim::log::{Entry, Record};
pub use sim::scenario::{LoadOptions, ManifestRun};
pub use sweep::{Sweep, SweepOptions, sweep};
