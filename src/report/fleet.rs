//! Fleet-wide peaks: the most Jobs (and Operations) and pods of all
//! workloads together at one instant, for `expect:`'s
//! `maxConcurrentJobs` and `maxConcurrentPods`.
//!
//! Only the merged log shows every workload at one instant, so only an
//! accountant fed the merged log counts them
//! ([`Accountant::with_fleet`](super::Accountant::with_fleet)). The counts
//! are taken at the end of each instant: within one instant the records of
//! independent partitions come partition by partition, and a Job that
//! ends just as another starts never ran beside it.

use super::types::FleetPeaks;
use crate::model::Time;
use crate::sim::log::{Entry, Record};
use rustc_hash::FxHashSet;
use smol_str::SmolStr;

/// Running counts and their peaks. Holds one entry per unfinished Job or
/// Operation; nothing else grows.
#[derive(Debug, Default)]
pub(super) struct FleetTracker {
    /// Unfinished Jobs (`namespace/name`) and Operations (`name`): the two
    /// cannot collide, as only Jobs' keys have a `/`.
    active: FxHashSet<SmolStr>,
    pods: u32,
    /// The instant the counts are of.
    at: Time,
    peaks: FleetPeaks,
}

impl FleetTracker {
    /// One record of the merged log, in log order.
    pub(super) fn record(&mut self, r: &Record) {
        if r.time != self.at {
            self.settle();
            self.at = r.time;
        }
        match &r.entry {
            Entry::JobCreated { job: run, .. } | Entry::OperationCreated { operation: run, .. } => {
                self.active.insert(run.clone());
            }
            Entry::JobFinished { job: run, .. }
            | Entry::JobRemoved { job: run }
            | Entry::OperationFinished { operation: run, .. }
            | Entry::OperationDeleted { operation: run, .. } => {
                self.active.remove(run);
            }
            Entry::PodCreated { .. } => self.pods += 1,
            Entry::PodFinished { .. } => self.pods = self.pods.saturating_sub(1),
            _ => {}
        }
    }

    /// The counts at the end of the instant `at`.
    fn settle(&mut self) {
        let jobs = u32::try_from(self.active.len()).unwrap_or(u32::MAX);
        if jobs > self.peaks.max_jobs {
            self.peaks.max_jobs = jobs;
            self.peaks.max_jobs_at = Some(self.at);
        }
        if self.pods > self.peaks.max_pods {
            self.peaks.max_pods = self.pods;
            self.peaks.max_pods_at = Some(self.at);
        }
    }

    /// The peaks over the whole log.
    pub(super) fn finish(mut self) -> FleetPeaks {
        self.settle();
        self.peaks
    }
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

    #[test]
    fn counts_at_the_end_of_each_instant() {
        let mut f = FleetTracker::default();
        f.record(&rec(0, created("ns/a")));
        f.record(&rec(0, Entry::PodCreated { pod: "ns/a-1".into(), job: "ns/a".into() }));
        // b starts at the instant a ends, logged first: not concurrent.
        f.record(&rec(10, created("ns/b")));
        f.record(&rec(10, finished("ns/a")));
        f.record(&rec(10, Entry::PodCreated { pod: "ns/b-1".into(), job: "ns/b".into() }));
        f.record(&rec(
            10,
            Entry::PodFinished {
                pod: "ns/a-1".into(),
                job: "ns/a".into(),
                exit_code: 0,
                phase: PodPhase::Succeeded,
            },
        ));
        f.record(&rec(20, created("ns/c")));
        f.record(&rec(20, Entry::JobRemoved { job: "ns/a".into() }));
        let p = f.finish();
        assert_eq!((p.max_jobs, p.max_jobs_at), (2, Some(Time(20))));
        assert_eq!((p.max_pods, p.max_pods_at), (1, Some(Time(0))));
    }
}
