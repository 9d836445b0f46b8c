//! Fleet load: what the cluster carries at each instant across all
//! workloads (unfinished Jobs and Operations, pods, the CPU and memory the
//! pods request), its peaks and when they came, and the Job starts per
//! minute of the hour. `expect:`'s `maxConcurrentJobs`,
//! `maxConcurrentPods`, `maxRequestedCpu` and `maxRequestedMemory` bound
//! the peaks.
//!
//! Two halves, so that a split run (a sink per partition) can measure it
//! too. A [`LoadSource`] reads one partition's records (or the merged log)
//! and turns each that changes the load into a [`LoadDelta`]; it holds one
//! entry per unfinished Job and live pod. A [`LoadSweep`] adds the deltas
//! of every partition up in time order, a running sweep line, and keeps
//! only the running totals and their peaks: memory stays flat however long
//! the horizon. The counts are taken at the end of each instant: within
//! one instant the records of independent partitions come partition by
//! partition, and a Job that ends just as another starts never ran beside
//! it.

use super::types::FleetPeaks;
use crate::model::quantity::PodRequests;
use crate::model::{MINUTE, Time};
use crate::sim::WorkloadMeta;
use crate::sim::log::{Entry, Record};
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::sync::{Arc, Mutex, PoisonError};

/// How the fleet's load changed at one instant: one record's change, or
/// several of one partition's at the same instant added up (a partition
/// buffers a simulated day of them, so they are kept small: 40 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadDelta {
    /// When.
    pub time: Time,
    /// Jobs and Operations created, less those that finished or left.
    pub jobs: i32,
    /// Pods created, less those that terminated.
    pub pods: i32,
    /// The change of requested CPU, in millicores.
    pub cpu_millis: i64,
    /// The change of requested memory, in bytes.
    pub memory_bytes: i64,
    /// Jobs and Operations made in the horizon (not those the scenario
    /// brought): they count in the starts per minute of the hour.
    pub starts: u32,
}

impl LoadDelta {
    /// Adds `d` (of the same instant) into this one.
    pub fn absorb(&mut self, d: &LoadDelta) {
        self.jobs += d.jobs;
        self.pods += d.pods;
        self.cpu_millis += d.cpu_millis;
        self.memory_bytes += d.memory_bytes;
        self.starts += d.starts;
    }
}

/// Where an accountant's fleet-load deltas go.
#[derive(Debug)]
pub(crate) enum LoadOut {
    /// Straight into a sweep: this accountant sees the merged log.
    Sweep(Box<LoadSweep>),
    /// One partition's, added into the window every partition of the run
    /// shares, to be swept window by window (an instant's sum does not
    /// depend on the order its deltas arrive in). The current instant's
    /// deltas are folded here first, so the window is locked once an
    /// instant, and nothing is buffered per partition.
    Shared { window: Arc<Mutex<LoadWindow>>, pending: Option<LoadDelta> },
}

impl LoadOut {
    /// Takes one record's delta.
    pub(crate) fn add(&mut self, d: LoadDelta) {
        match self {
            LoadOut::Sweep(sweep) => sweep.add(&d),
            LoadOut::Shared { window, pending } => match pending {
                Some(p) if p.time == d.time => p.absorb(&d),
                _ => {
                    if let Some(p) = pending.replace(d) {
                        window.lock().unwrap_or_else(PoisonError::into_inner).add(&p);
                    }
                }
            },
        }
    }

    /// Adds the last instant's deltas into the shared window.
    pub(crate) fn flush(&mut self) {
        if let LoadOut::Shared { window, pending } = self
            && let Some(d) = pending.take()
        {
            window.lock().unwrap_or_else(PoisonError::into_inner).add(&d);
        }
    }
}

/// Turns records into [`LoadDelta`]s: one partition's, or the merged log's.
#[derive(Debug, Clone, Default)]
pub struct LoadSource {
    /// What one pod of each workload requests, by workload key.
    requests: FxHashMap<SmolStr, PodRequests>,
    /// Unfinished Jobs (`namespace/name`) and Operations (`name`), with
    /// what a pod of theirs requests: the two cannot collide, as only Jobs'
    /// keys have a `/`.
    active: FxHashMap<SmolStr, PodRequests>,
    /// Live pods and their requests, to take back when they end.
    pods: FxHashMap<SmolStr, PodRequests>,
}

impl LoadSource {
    /// A source for the workloads of `metas`.
    pub fn new<'a>(metas: impl IntoIterator<Item = &'a WorkloadMeta>) -> LoadSource {
        let requests = metas.into_iter().map(|m| (m.key.as_str().into(), m.pod_requests)).collect();
        LoadSource { requests, ..LoadSource::default() }
    }

    /// The change `r` makes, if any.
    pub fn delta(&mut self, r: &Record) -> Option<LoadDelta> {
        let mut d = LoadDelta { time: r.time, jobs: 0, pods: 0, cpu_millis: 0, memory_bytes: 0, starts: 0 };
        match &r.entry {
            Entry::JobCreated { job, cronjob, seeded, .. } => {
                let per_pod = self.requests.get(cronjob).copied().unwrap_or_default();
                d.starts = u32::from(!seeded);
                d.jobs = i32::from(self.active.insert(job.clone(), per_pod).is_none());
            }
            Entry::OperationCreated { operation, .. } => {
                d.starts = 1;
                d.jobs = i32::from(self.active.insert(operation.clone(), PodRequests::default()).is_none());
            }
            Entry::JobFinished { job: run, .. }
            | Entry::JobRemoved { job: run }
            | Entry::OperationFinished { operation: run, .. }
            | Entry::OperationDeleted { operation: run, .. } => {
                self.active.remove(run)?;
                d.jobs = -1;
            }
            Entry::PodCreated { pod, job } => {
                let per_pod = self.active.get(job).copied().unwrap_or_default();
                if self.pods.insert(pod.clone(), per_pod).is_some() {
                    return None;
                }
                (d.pods, d.cpu_millis, d.memory_bytes) = (1, per_pod.cpu_millis, per_pod.memory_bytes);
            }
            Entry::PodFinished { pod, .. } => {
                let per_pod = self.pods.remove(pod)?;
                (d.pods, d.cpu_millis, d.memory_bytes) = (-1, -per_pod.cpu_millis, -per_pod.memory_bytes);
            }
            _ => return None,
        }
        Some(d)
    }
}

/// The namespace of the Job or pod a record is about (empty for an
/// Operation, or a record about neither): the fleet-load chart's stacks.
pub fn namespace_of(r: &Record) -> &str {
    let key = match &r.entry {
        Entry::JobCreated { job, .. }
        | Entry::JobFinished { job, .. }
        | Entry::JobRemoved { job }
        | Entry::PodCreated { job, .. }
        | Entry::PodFinished { job, .. } => job.as_str(),
        _ => "",
    };
    key.split_once('/').map_or("", |(ns, _)| ns)
}

/// Running totals over the deltas of all partitions, fed in time order,
/// and their peaks.
#[derive(Debug)]
pub struct LoadSweep {
    /// The instant the totals are of.
    at: Time,
    jobs: i64,
    pods: i64,
    cpu: i64,
    memory: i64,
    peaks: FleetPeaks,
    starts: [u64; 60],
}

impl Default for LoadSweep {
    fn default() -> LoadSweep {
        LoadSweep {
            at: Time(0),
            jobs: 0,
            pods: 0,
            cpu: 0,
            memory: 0,
            peaks: FleetPeaks::default(),
            starts: [0; 60],
        }
    }
}

impl LoadSweep {
    /// One delta; deltas come in time order (any order within an instant).
    pub fn add(&mut self, d: &LoadDelta) {
        if d.time != self.at {
            self.settle();
            self.at = d.time;
        }
        self.jobs += i64::from(d.jobs);
        self.pods += i64::from(d.pods);
        self.cpu += d.cpu_millis;
        self.memory += d.memory_bytes;
        self.starts[minute_of_hour(d.time)] += u64::from(d.starts);
    }

    /// Folds the totals at the end of the instant `at` into the peaks.
    fn settle(&mut self) {
        let p = &mut self.peaks;
        let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        if count(self.jobs) > p.max_jobs {
            (p.max_jobs, p.max_jobs_at) = (count(self.jobs), Some(self.at));
        }
        if count(self.pods) > p.max_pods {
            (p.max_pods, p.max_pods_at) = (count(self.pods), Some(self.at));
        }
        if self.cpu > p.max_cpu_millis {
            (p.max_cpu_millis, p.max_cpu_at) = (self.cpu, Some(self.at));
        }
        if self.memory > p.max_memory_bytes {
            (p.max_memory_bytes, p.max_memory_at) = (self.memory, Some(self.at));
        }
    }

    /// The peaks over everything added, and the starts per minute of the
    /// hour.
    pub fn finish(mut self) -> FleetPeaks {
        self.settle();
        let mut peaks = self.peaks;
        peaks.starts_by_minute = self.starts.to_vec();
        peaks
    }
}

/// The minute of the hour of `t`, in UTC (the same as local time in every
/// zone whose offset is whole hours).
fn minute_of_hour(t: Time) -> usize {
    (t.0.div_euclid(MINUTE) % 60) as usize
}

/// The deltas of every partition over one window of virtual time, added
/// up by instant: the order within an instant does not matter (the totals
/// are read at its end), and a fleet's partitions share most instants, so
/// this holds far fewer entries than the partitions' deltas.
#[derive(Debug, Default)]
pub struct LoadWindow(std::collections::BTreeMap<Time, LoadDelta>);

impl LoadWindow {
    /// One delta of any partition, in any order.
    pub fn add(&mut self, d: &LoadDelta) {
        self.0.entry(d.time).and_modify(|x| x.absorb(d)).or_insert(*d);
    }

    /// Feeds the window to `sweep` in time order and empties it.
    pub fn sweep_into(&mut self, sweep: &mut LoadSweep) {
        for d in std::mem::take(&mut self.0).into_values() {
            sweep.add(&d);
        }
    }
}

/// Millicores as a reader writes CPU: `250m CPU` below one CPU, else
/// CPUs with the millicores as decimals: `2 CPU`, `102.75 CPU`.
pub(crate) fn format_cpu(millis: i64) -> String {
    if millis.abs() < 1000 {
        return format!("{millis}m CPU");
    }
    let (whole, frac) = (millis / 1000, (millis % 1000).abs());
    if frac == 0 {
        return format!("{whole} CPU");
    }
    let decimals = format!("{frac:03}");
    format!("{whole}.{} CPU", decimals.trim_end_matches('0'))
}

/// Bytes in the largest binary unit they reach, to a tenth: `512Mi`,
/// `1.5Gi`, `900` (bytes).
pub(crate) fn format_memory(bytes: i64) -> String {
    const UNITS: [(&str, u32); 5] = [("Pi", 50), ("Ti", 40), ("Gi", 30), ("Mi", 20), ("Ki", 10)];
    for (unit, shift) in UNITS {
        let size = 1i64 << shift;
        if bytes.abs() >= size {
            if bytes % size == 0 {
                return format!("{}{unit}", bytes / size);
            }
            // Tenths, rounded to the nearest.
            let tenths = (i128::from(bytes) * 10 + i128::from(size) / 2) / i128::from(size);
            return format!("{}.{}{unit}", tenths / 10, tenths % 10);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PodPhase;

    fn rec(t: i64, entry: Entry) -> Record {
        Record { time: Time(t), entry }
    }

    fn created(job: &str) -> Entry {
        Entry::JobCreated {
            job: job.into(),
            cronjob: "ns/cj".into(),
            scheduled_time: None,
            uid: "u".into(),
            seeded: false,
        }
    }

    fn finished(job: &str) -> Entry {
        Entry::JobFinished {
            job: job.into(),
            condition: "Complete".into(),
            reason: "".into(),
            message: "".into(),
            finished_at: None,
        }
    }

    fn pod_finished(pod: &str, job: &str) -> Entry {
        Entry::PodFinished { pod: pod.into(), job: job.into(), exit_code: 0, phase: PodPhase::Succeeded }
    }

    fn sweep(records: &[Record], requests: PodRequests) -> FleetPeaks {
        let mut source = LoadSource::default();
        source.requests.insert("ns/cj".into(), requests);
        let mut sweep = LoadSweep::default();
        for r in records {
            if let Some(d) = source.delta(r) {
                sweep.add(&d);
            }
        }
        sweep.finish()
    }

    #[test]
    fn counts_at_the_end_of_each_instant() {
        let records = [
            rec(0, created("ns/a")),
            rec(0, Entry::PodCreated { pod: "ns/a-1".into(), job: "ns/a".into() }),
            // b starts at the instant a ends, logged first: not concurrent.
            rec(10, created("ns/b")),
            rec(10, finished("ns/a")),
            rec(10, Entry::PodCreated { pod: "ns/b-1".into(), job: "ns/b".into() }),
            rec(10, pod_finished("ns/a-1", "ns/a")),
            rec(20, created("ns/c")),
            rec(20, Entry::JobRemoved { job: "ns/a".into() }),
        ];
        let p = sweep(&records, PodRequests { cpu_millis: 250, memory_bytes: 1 << 20 });
        assert_eq!((p.max_jobs, p.max_jobs_at), (2, Some(Time(20))));
        assert_eq!((p.max_pods, p.max_pods_at), (1, Some(Time(0))));
        assert_eq!((p.max_cpu_millis, p.max_cpu_at), (250, Some(Time(0))));
        assert_eq!(p.max_memory_bytes, 1 << 20);
        assert_eq!(p.starts_by_minute[0], 3);
    }

    #[test]
    fn requests_add_up_over_pods_and_come_back_when_they_end() {
        let mut records = Vec::new();
        for (i, job) in ["ns/a", "ns/b", "ns/c"].iter().enumerate() {
            let t = i as i64 * MINUTE;
            records.push(rec(t, created(job)));
            records.push(rec(t, Entry::PodCreated { pod: format!("{job}-1").into(), job: (*job).into() }));
            records.push(rec(t, Entry::PodCreated { pod: format!("{job}-2").into(), job: (*job).into() }));
        }
        records.push(rec(3 * MINUTE, pod_finished("ns/a-1", "ns/a")));
        records.push(rec(3 * MINUTE, pod_finished("ns/a-1", "ns/a"))); // twice: counted once
        let p = sweep(&records, PodRequests { cpu_millis: 500, memory_bytes: 100 });
        assert_eq!((p.max_pods, p.max_pods_at), (6, Some(Time(2 * MINUTE))));
        assert_eq!((p.max_cpu_millis, p.max_memory_bytes), (3000, 600));
        assert_eq!(&p.starts_by_minute[..4], &[1, 1, 1, 0]);
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(format_cpu(2000), "2 CPU");
        assert_eq!(format_cpu(2500), "2.5 CPU");
        assert_eq!(format_cpu(102_750), "102.75 CPU");
        assert_eq!(format_cpu(250), "250m CPU");
        assert_eq!(format_memory(512 << 20), "512Mi");
        assert_eq!(format_memory(3 << 29), "1.5Gi");
        assert_eq!(format_memory(1_000_000_000), "953.7Mi");
        assert_eq!(format_memory(900), "900");
    }
}
