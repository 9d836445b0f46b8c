//! The pod and node faults a workload's Jobs met, in plain words: one row
//! per `podDisrupted`, `podHeldPending` and `nodeLost` record of the log,
//! completed with how the Job ended. What each fault does upstream is in
//! docs/fidelity/kubernetes-job.md#job-14 to #job-16.

use super::MAX_ROWS;
use super::account::Account;
use super::types::PodFaultRow;
use crate::model::{Time, format_duration};
use crate::sim::behaviour::{DEFAULT_TOLERATION, DisruptionReason, NODE_MONITOR_GRACE_PERIOD};
use crate::sim::log::Fault;

/// The row's text for a pod fault; None for the other faults.
pub(super) fn describe(fault: &Fault) -> Option<(&str, &str, String)> {
    Some(match fault {
        Fault::PodDisrupted { pod, job, reason } => (pod, job, disruption(*reason)),
        Fault::PodHeldPending { pod, job, until } => (
            pod,
            job,
            format!("held Pending until {until} (image pull); the Job's deadline counts from its start"),
        ),
        Fault::NodeLost { pod, job, until } => {
            let evict = format_duration(NODE_MONITOR_GRACE_PERIOD + DEFAULT_TOLERATION);
            let back = match until {
                Some(u) => format!("back at {u}"),
                None => "not back".to_string(),
            };
            (
                pod,
                job,
                format!("node lost ({back}): no reports; the taint manager deletes the pod {evict} later"),
            )
        }
        _ => return None,
    })
}

fn disruption(reason: DisruptionReason) -> String {
    let what = match reason {
        DisruptionReason::EvictionByEvictionAPI => "evicted (Eviction API), deleted",
        DisruptionReason::PreemptionByScheduler => "preempted by the scheduler, deleted",
        DisruptionReason::DeletionByTaintManager => "deleted by the taint manager",
        DisruptionReason::TerminationByKubelet => "ended by the kubelet",
    };
    format!("{what}: DisruptionTarget/{reason:?}")
}

impl Account {
    /// A pod fault at `at` on one of this workload's Jobs.
    pub(super) fn pod_fault(&mut self, at: Time, fault: &Fault) {
        let Some((pod, job, text)) = describe(fault) else { return };
        let r = &mut self.report;
        if r.pod_faults.len() >= MAX_ROWS {
            r.pod_faults_omitted += 1;
            return;
        }
        r.pod_faults.push(PodFaultRow {
            at,
            job: job.to_string(),
            pod: pod.to_string(),
            fault: text,
            job_outcome: "unfinished".into(),
        });
    }

    /// `job` ended with `condition` (and `reason`): the outcome of the
    /// rows about it.
    pub(super) fn pod_fault_job_finished(&mut self, job: &str, condition: &str, reason: &str) {
        let outcome = match condition {
            "Complete" => "Complete".to_string(),
            _ => format!("{condition}: {reason}"),
        };
        for row in self.report.pod_faults.iter_mut().filter(|r| r.job == job) {
            row.job_outcome = outcome.clone();
        }
    }
}
