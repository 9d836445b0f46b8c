//! Pod and node faults a workload's Jobs see, declared under the
//! workload's `behaviour:`: disruptions (an eviction, a preemption, a taint
//! or the kubelet ending a pod, with the `DisruptionTarget` condition
//! upstream writes), pods held `Pending` (an image pull), and the loss of
//! the node the pods run on. The kubelet (`sim::actors::kubelet`) applies
//! them; what each one does, and the upstream code it follows, is in
//! docs/fidelity/kubernetes-job.md#job-14 to #job-16.

use super::Probability;
use crate::model::{Millis, SECOND, Time};
use crate::sim::duration::DurationSpec;
use serde::{Deserialize, Serialize};

/// Who disrupted a pod: the `reason` of the `DisruptionTarget` condition
/// (`k8s.io/api/core/v1` `PodReasonPreemptionByScheduler` and friends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DisruptionReason {
    /// The Eviction API (a drain, `kubectl drain`): the API server adds the
    /// condition and deletes the pod with its grace period
    /// (`pkg/registry/core/pod/storage/eviction.go`).
    #[default]
    EvictionByEvictionAPI,
    /// The scheduler preempted the pod for a higher-priority one: condition,
    /// then a graceful delete (`pkg/scheduler/framework/preemption`).
    PreemptionByScheduler,
    /// The taint manager, for a `NoExecute` taint the pod does not
    /// tolerate: condition, then a graceful delete
    /// (`pkg/controller/tainteviction/taint_eviction.go`).
    DeletionByTaintManager,
    /// The kubelet ended the pod itself (node-pressure eviction, node
    /// shutdown): condition and phase `Failed`, no DELETE
    /// (`pkg/kubelet/eviction/eviction_manager.go`).
    TerminationByKubelet,
}

impl DisruptionReason {
    /// The condition's message, as upstream writes it.
    pub fn message(self) -> &'static str {
        match self {
            DisruptionReason::EvictionByEvictionAPI => "Eviction API: evicting",
            DisruptionReason::PreemptionByScheduler => {
                "default-scheduler: preempting to accommodate a higher priority pod"
            }
            DisruptionReason::DeletionByTaintManager => "Taint manager: deleting due to NoExecute taint",
            DisruptionReason::TerminationByKubelet => {
                "Pod was terminated in response to imminent node shutdown."
            }
        }
    }

    /// Whether the pod is deleted (the kubelet then stops it within its
    /// grace period) rather than ended by the kubelet at once.
    pub fn deletes(self) -> bool {
        self != DisruptionReason::TerminationByKubelet
    }
}

/// One disruption rule: `at` an instant (every pod of the workload not yet
/// finished then) or, with `probability`, each pod `after` its container
/// starts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Disruption {
    /// Every pod of the workload still running (or pending) at this
    /// instant is disrupted.
    #[serde(default)]
    pub at: Option<Time>,
    /// Chance, per pod, that it is disrupted `after` its container starts.
    #[serde(default)]
    pub probability: Option<Probability>,
    /// With `probability`: how long after the container starts (default 0).
    #[serde(default)]
    pub after: Option<DurationSpec>,
    /// The condition's reason (default `EvictionByEvictionAPI`).
    #[serde(default)]
    pub reason: DisruptionReason,
}

/// Pods held in `Pending` before their container starts (an image pull):
/// `from`/`until`, a window in which no pod of the workload can start
/// (they start at `until`), or `duration` added to a pod's start latency,
/// with `probability` (default 1).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pending {
    /// The window's start.
    #[serde(default)]
    pub from: Option<Time>,
    /// The window's end: pods created in it start no earlier.
    #[serde(default)]
    pub until: Option<Time>,
    /// Extra time in `Pending`, per pod.
    #[serde(default)]
    pub duration: Option<DurationSpec>,
    /// Chance, per pod, of the extra `duration` (default 1).
    #[serde(default)]
    pub probability: Option<Probability>,
}

/// The node running the workload's pods is lost at `at` (powered off:
/// its containers stop, its kubelet reports nothing), and back at `until`
/// if given.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeLoss {
    /// When the node stops.
    pub at: Time,
    /// When it is back (its kubelet then ends the pods it had); never
    /// within the horizon when left out.
    #[serde(default)]
    pub until: Option<Time>,
}

/// `--node-monitor-grace-period`: how long after its last heartbeat the
/// node lifecycle controller marks a node `Unknown` and taints it
/// `node.kubernetes.io/unreachable:NoExecute` (50 s since v1.32,
/// kubernetes#126287; 40 s before).
pub const NODE_MONITOR_GRACE_PERIOD: Millis = 50 * SECOND;

/// The `tolerationSeconds` every pod gets for the `not-ready` and
/// `unreachable` taints from the `DefaultTolerationSeconds` admission
/// plugin (`plugin/pkg/admission/defaulttolerationseconds`, flags
/// `--default-not-ready-toleration-seconds` and
/// `--default-unreachable-toleration-seconds`, 300 by default).
pub const DEFAULT_TOLERATION: Millis = 300 * SECOND;

/// The most rules of each kind (each has its own keystream region).
pub(super) const MAX_RULES: usize = 32;

impl Disruption {
    fn check(&self) -> Result<(), String> {
        match (self.at, self.probability, self.after) {
            (Some(_), None, None) | (None, Some(_), _) => Ok(()),
            (Some(_), None, Some(_)) => Err("`after` goes with `probability`, not with `at`".into()),
            _ => Err("give exactly one of `at` or `probability`".into()),
        }
    }
}

impl Pending {
    fn check(&self) -> Result<(), String> {
        match (self.from, self.until, self.duration, self.probability) {
            (Some(f), Some(u), None, None) if f < u => Ok(()),
            (Some(_), Some(_), None, None) => Err("`until` must be after `from`".into()),
            (None, None, Some(_), _) => Ok(()),
            _ => Err(
                "give either `from` and `until` (a window), or `duration` (with an optional `probability`)"
                    .into(),
            ),
        }
    }

    /// When a pod created at `created` whose container would start at
    /// `start` does start; `hit` draws the `probability`.
    pub fn hold(&self, created: Time, start: Time, hit: impl FnOnce(Probability) -> bool) -> Time {
        match (self.from, self.until, self.duration) {
            (Some(f), Some(u), _) if created >= f && created < u => start.max(u),
            (_, _, Some(d)) if hit(self.probability.unwrap_or(Probability::ONE)) => start.add(d.millis()),
            _ => start,
        }
    }
}

/// Checks every rule: shapes, windows, and at most [`MAX_RULES`] of each.
/// `(field, message)`, the field relative to `behaviour`.
pub(super) fn check(
    disruptions: &[Disruption],
    pending: &[Pending],
    node_loss: &[NodeLoss],
) -> Result<(), (String, String)> {
    for (name, n) in
        [("disruptions", disruptions.len()), ("pending", pending.len()), ("nodeLoss", node_loss.len())]
    {
        if n > MAX_RULES {
            return Err((name.into(), format!("at most {MAX_RULES} rules, got {n}")));
        }
    }
    for (i, d) in disruptions.iter().enumerate() {
        d.check().map_err(|e| (format!("disruptions[{i}]"), e))?;
    }
    for (i, p) in pending.iter().enumerate() {
        p.check().map_err(|e| (format!("pending[{i}]"), e))?;
    }
    for (i, l) in node_loss.iter().enumerate() {
        if l.until.is_some_and(|u| u <= l.at) {
            return Err((format!("nodeLoss[{i}].until"), "`until` must be after `at`".into()));
        }
    }
    Ok(())
}

/// The instants the rules name that lie outside `[start, end)`: the first
/// as `(field, message)`, the field relative to `behaviour`.
pub(super) fn check_horizon(
    disruptions: &[Disruption],
    pending: &[Pending],
    node_loss: &[NodeLoss],
    start: Time,
    end: Time,
) -> Result<(), (String, String)> {
    let mut instants: Vec<(String, Time)> = Vec::new();
    for (i, d) in disruptions.iter().enumerate() {
        instants.extend(d.at.map(|t| (format!("disruptions[{i}].at"), t)));
    }
    for (i, p) in pending.iter().enumerate() {
        instants.extend(p.from.map(|t| (format!("pending[{i}].from"), t)));
        instants.extend(p.until.map(|t| (format!("pending[{i}].until"), t)));
    }
    for (i, l) in node_loss.iter().enumerate() {
        instants.push((format!("nodeLoss[{i}].at"), l.at));
        instants.extend(l.until.map(|t| (format!("nodeLoss[{i}].until"), t)));
    }
    match instants.into_iter().find(|(_, t)| *t < start || *t > end) {
        Some((field, t)) => Err((field, format!("{t} is outside the horizon, {start} to {end}"))),
        None => Ok(()),
    }
}
