//! The workload's pod and node faults as the kubelet applies them
//! (`behaviour.disruptions`, `pending`, `nodeLoss`; the rules are in
//! [`crate::sim::behaviour::Disruption`] and its neighbours).
//!
//! - A disruption writes the `DisruptionTarget` condition (status `True`,
//!   upstream's reason and message) and then, as the Eviction API, the
//!   scheduler's preemption and the taint manager do
//!   (`pkg/registry/core/pod/storage/eviction.go`,
//!   `pkg/scheduler/framework/preemption`,
//!   `pkg/controller/tainteviction/taint_eviction.go`
//!   `addConditionAndDeletePod`), deletes the pod: the kubelet stops it
//!   within its grace period and reports `Failed`. `TerminationByKubelet`
//!   (`pkg/kubelet/eviction/eviction_manager.go`, node shutdown) ends the
//!   container at once, without a DELETE.
//! - A node loss stops the pod's container and its kubelet's reports. The
//!   node lifecycle controller taints the node
//!   `node.kubernetes.io/unreachable:NoExecute` after
//!   `--node-monitor-grace-period`, and once the pod's default
//!   `tolerationSeconds` (300 s, `DefaultTolerationSeconds`) have run out
//!   the taint manager adds `DisruptionTarget`/`DeletionByTaintManager` and
//!   deletes it. Nobody can stop the pod's containers, so it stays
//!   terminating, not terminal, until the node is back (pod GC's
//!   `gcTerminating` only takes pods on nodes tainted `out-of-service`,
//!   `pkg/controller/podgc/gc_controller.go`); then its kubelet ends it.
//!   Docs: docs/fidelity/kubernetes-job.md#job-16.

use super::{KILLED_EXIT_CODE, Kubelet, PodRun, Step};
use crate::model::{Condition, Time};
use crate::sim::actor::Core;
use crate::sim::behaviour::{DEFAULT_TOLERATION, DisruptionReason, NODE_MONITOR_GRACE_PERIOD, PodFaults};
use crate::sim::log::{Entry, Fault};
use smol_str::SmolStr;

/// What a fault wake-up does to its pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FaultWake {
    /// Disrupt it with this reason.
    Disrupt(DisruptionReason),
    /// Its node is lost, and back at this instant if ever.
    NodeLost(Option<Time>),
    /// The taint manager's eviction of a pod on the lost node.
    TaintEviction,
    /// Its node is back.
    NodeBack,
}

impl Kubelet {
    /// The `pending` and `probability` disruption draws of the pod just
    /// created for `job` at `created`, its container due at `start`.
    pub(super) fn draw_faults(&self, core: &Core, job: &SmolStr, created: Time, start: Time) -> PodFaults {
        let Some(jr) = self.jobs.get(job) else { return PodFaults::default() };
        let Some(w) = core.workloads.get(&jr.workload) else { return PodFaults::default() };
        // The attempt just drawn was `next_attempt - 1`.
        w.behaviour.pod_faults(&jr.rng, jr.next_attempt.saturating_sub(1), created, start)
    }

    /// The faults of the workload's `at` rules and node losses that are
    /// still to come, for a new pod.
    pub(super) fn schedule_timed_faults(&mut self, core: &mut Core, pod: &SmolStr, job: &SmolStr) {
        let Some(w) = self.jobs.get(job).and_then(|jr| core.workloads.get(&jr.workload)) else { return };
        let now = core.now();
        let mut wakes: Vec<(Time, FaultWake)> = Vec::new();
        for d in &w.behaviour.disruptions {
            wakes.extend(d.at.filter(|at| *at >= now).map(|at| (at, FaultWake::Disrupt(d.reason))));
        }
        for l in &w.behaviour.node_loss {
            if l.at >= now {
                wakes.push((l.at, FaultWake::NodeLost(l.until)));
            }
        }
        for (at, wake) in wakes {
            self.fault_wake(core, pod, at, wake);
        }
    }

    /// A `probability` disruption drawn for the pod: due `after` its
    /// container starts (once: not again when an `OnFailure` container
    /// restarts, as it is scheduled at the first start only).
    pub(super) fn schedule_drawn_disruption(&mut self, core: &mut Core, pod: &SmolStr, run: &PodRun) {
        if run.restarts > 0 {
            return;
        }
        if let Some((after, reason)) = run.faults.disruption {
            let at = core.now().add(after);
            self.fault_wake(core, pod, at, FaultWake::Disrupt(reason));
        }
    }

    fn fault_wake(&mut self, core: &mut Core, pod: &SmolStr, at: Time, wake: FaultWake) {
        self.tokens += 1;
        let token = self.tokens;
        self.fault_wakes.insert(token, (pod.clone(), wake));
        core.wake_at(at, pod, token);
    }

    /// A fault comes due for `pod`.
    pub(super) fn on_fault(&mut self, core: &mut Core, pod: &SmolStr, wake: FaultWake) {
        let Some(run) = self.pods.get(pod) else { return };
        let Some(stored) = core.api.pods.get(pod) else { return };
        if stored.status.phase.is_terminal() {
            return;
        }
        let deleting = stored.metadata.deletion_timestamp.is_some();
        let (job, lost) = (run.job.clone(), run.lost);
        match wake {
            FaultWake::Disrupt(_) | FaultWake::NodeLost(_) if lost => {}
            FaultWake::Disrupt(reason) if !deleting => self.disrupt(core, pod, &job, reason),
            FaultWake::Disrupt(_) => {}
            FaultWake::NodeLost(until) => {
                self.idle(pod);
                if let Some(r) = self.pods.get_mut(pod) {
                    r.lost = true;
                }
                core.emit(Entry::Fault(Fault::NodeLost { pod: pod.clone(), job, until }));
                let evict_at = core.now().add(NODE_MONITOR_GRACE_PERIOD + DEFAULT_TOLERATION);
                if until.is_none_or(|u| u > evict_at) {
                    self.fault_wake(core, pod, evict_at, FaultWake::TaintEviction);
                }
                if let Some(u) = until {
                    self.fault_wake(core, pod, u, FaultWake::NodeBack);
                }
            }
            FaultWake::TaintEviction if lost && !deleting => {
                self.disrupt(core, pod, &job, DisruptionReason::DeletionByTaintManager)
            }
            FaultWake::TaintEviction => {}
            FaultWake::NodeBack if lost => {
                if let Some(r) = self.pods.get_mut(pod) {
                    r.lost = false;
                }
                // The node was off: the container is gone. A deleted pod
                // ends; one still wanted fails (or, under OnFailure,
                // restarts) as after any crash.
                let step = if deleting { Step::Kill } else { Step::Exit { code: KILLED_EXIT_CODE } };
                self.schedule(core, pod, step, core.now());
            }
            FaultWake::NodeBack => {}
        }
    }

    /// Writes `DisruptionTarget` and deletes the pod (or, for the kubelet's
    /// own termination, ends its container at once).
    fn disrupt(&mut self, core: &mut Core, pod: &SmolStr, job: &SmolStr, reason: DisruptionReason) {
        core.emit(Entry::Fault(Fault::PodDisrupted { pod: pod.clone(), job: job.clone(), reason }));
        let at = core.api.api_now().trunc_seconds();
        let reason_text = format!("{reason:?}");
        let _ = core.api.update_pod(pod, |p| {
            p.status.conditions.retain(|c| c.type_ != "DisruptionTarget");
            p.status.conditions.push(Condition::true_(
                "DisruptionTarget",
                &reason_text,
                reason.message(),
                at,
            ));
        });
        if reason.deletes() {
            if core.api.delete_pod(pod).is_ok() {
                core.flush_api_log();
            }
        } else {
            self.schedule(core, pod, Step::Kill, core.now());
        }
    }
}
