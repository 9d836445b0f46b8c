//! What one sync reads of a Job's pods, as a trait: a plain list scans
//! every pod, the simulator's store answers from per-Job tallies it keeps
//! up to date on every pod write, so a sync costs what changed since the
//! last one, not the Job's size (a `parallelism: 100000` Job syncs a few
//! hundred times).

use super::pods::{has_tracking_finalizer, is_active, is_ready, is_terminating};
use crate::model::{Pod, PodPhase};

/// The counts a sync needs from every pod of a Job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodTally {
    /// Pods neither terminal nor being deleted (`controller.IsPodActive`).
    pub active: i64,
    /// Active pods that are Ready.
    pub ready: i64,
    /// Pods being deleted that are not terminal yet.
    pub terminating: i64,
    /// Container restarts (init and regular) of Running and Pending pods,
    /// which `pastBackoffLimitOnFailure` sums.
    pub restarts: i64,
}

impl PodTally {
    /// Adds (`sign` 1) or takes away (`sign` -1) one pod's share.
    pub fn count(&mut self, p: &Pod, sign: i64) {
        let active = is_active(p);
        self.active += sign * i64::from(active);
        self.ready += sign * i64::from(active && is_ready(p));
        self.terminating += sign * i64::from(is_terminating(p));
        if matches!(p.status.phase, PodPhase::Running | PodPhase::Pending) {
            let restarts: i64 = p
                .status
                .init_container_statuses
                .iter()
                .chain(&p.status.container_statuses)
                .map(|cs| i64::from(cs.restart_count))
                .sum();
            self.restarts += sign * restarts;
        }
    }
}

/// Whether a sync may count the pod: it still holds the tracking finalizer
/// and is terminal or being deleted. Every pod `trackJobStatusAndRemoveFinalizers`
/// counts outside a finish is one of these.
pub fn is_settled(p: &Pod) -> bool {
    has_tracking_finalizer(p) && (p.status.phase.is_terminal() || p.metadata.deletion_timestamp.is_some())
}

/// Pods a sync reads, held on the stack up to the count most Jobs never
/// exceed.
pub type PodRefs<'a> = smallvec::SmallVec<[&'a Pod; 4]>;

/// A Job's pods as a sync reads them, each list in the informer's (name)
/// order.
pub trait JobPods<'a> {
    /// Every pod with the Job's controller ownerRef, in any phase.
    fn all(&self) -> PodRefs<'a>;
    /// The tally over [`JobPods::all`].
    fn tally(&self) -> PodTally;
    /// The pods of [`JobPods::all`] that [`is_settled`] accepts.
    fn settled(&self) -> PodRefs<'a>;
}

/// A plain list: every answer is a scan.
impl<'a> JobPods<'a> for &[&'a Pod] {
    fn all(&self) -> PodRefs<'a> {
        PodRefs::from_slice(self)
    }

    fn tally(&self) -> PodTally {
        let mut t = PodTally::default();
        for p in *self {
            t.count(p, 1);
        }
        t
    }

    fn settled(&self) -> PodRefs<'a> {
        self.iter().copied().filter(|p| is_settled(p)).collect()
    }
}
