//! The Crossplane pod's own capacity: its controllers' workers and, on
//! Crossplane 2.0, the global reconcile limiter
//! (docs/fidelity/crossplane.md#xp-b8).
//!
//! Upstream (`cmd/crossplane/core/core.go`, `startCommand.Run`) builds one
//! controller-runtime manager for all of Crossplane's controllers and gives
//! each of them `MaxConcurrentReconciles` workers: the
//! `--max-concurrent-reconciles` flag (alias `--max-reconcile-rate`),
//! default 100. Crossplane 2.0 also wrapped every reconciler in
//! crossplane-runtime's `ratelimiter.Reconciler` around one shared
//! `ratelimiter.NewGlobal(maxReconcileRate)` bucket (100 a second, burst
//! 1,000): a reconcile the bucket holds back returns `RequeueAfter` its
//! delay without running, and passes at once when it comes back
//! (`Reconciler.when`). Crossplane 2.1 removed that limiter.
//!
//! The manager's client gets no client-side bucket that binds: from 2.1 on
//! controller-runtime's `config.GetConfig` turns client-go's limiter off
//! (`QPS = -1`, relying on the API server's priority and fairness); on 2.0
//! `ratelimiter.LimitRESTConfig` set 5 requests a second per reconcile of
//! the rate (burst 10 per reconcile), so the reconcile limiter binds first.

use super::actor::{Core, Process};
use super::capacity::TokenBucket;
use super::log::{Controller, Entry};
use crate::model::{Millis, Time};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// `--max-concurrent-reconciles`' default, and Crossplane 2.0's
/// `--max-reconcile-rate`.
const UPSTREAM_DEFAULT: u32 = 100;

/// `controller.capacity.crossplane`: the Crossplane pod's workers and
/// global reconcile limiter, upstream's defaults unless set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CrossplaneCapacity {
    /// `--max-concurrent-reconciles`: the workers of each of the Crossplane
    /// pod's controllers (CronOperation, Operation); default 100 (on 2.0,
    /// whose one flag set both, `maxReconcileRate`). An Operation's
    /// attempt holds its worker until the attempt ends.
    pub max_concurrent_reconciles: Option<u32>,
    /// Crossplane 2.0's `--max-reconcile-rate`: the global reconcile
    /// limiter all its controllers share, this many reconciles a second
    /// with a burst of ten times as many. Default: 100 with
    /// `crossplaneVersion: "2.0"`, none from 2.1 (upstream removed it).
    pub max_reconcile_rate: Option<u32>,
    /// Set by `crossplaneVersion: "2.0"`: the release has the global
    /// limiter.
    #[serde(skip)]
    #[cfg_attr(feature = "schema", schemars(skip))]
    pub release_has_global_limiter: bool,
}

impl CrossplaneCapacity {
    /// Why the settings cannot be simulated, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if self.max_concurrent_reconciles == Some(0) {
            return Err("controller.capacity.crossplane.maxConcurrentReconciles: 0 workers would never \
                        reconcile anything; give at least 1 (upstream's default is 100)"
                .into());
        }
        match self.max_reconcile_rate {
            Some(0) => Err("controller.capacity.crossplane.maxReconcileRate: 0 reconciles a second would \
                            never reconcile anything; give at least 1 (Crossplane 2.0's default is 100)"
                .into()),
            Some(r) if r > 1_000_000 => Err(format!(
                "controller.capacity.crossplane.maxReconcileRate: {r} is not a rate cronwarp can simulate; \
                 give reconciles per second up to 1000000"
            )),
            _ => Ok(()),
        }
    }

    /// The workers of each controller: on 2.0 `--max-reconcile-rate` set
    /// them too (`MaxConcurrentReconciles: c.MaxReconcileRate`).
    pub fn workers(&self) -> u32 {
        let legacy = self.max_reconcile_rate.filter(|_| self.release_has_global_limiter);
        self.max_concurrent_reconciles.or(legacy).unwrap_or(UPSTREAM_DEFAULT)
    }

    /// The global limiter's rate, if there is one.
    pub fn reconcile_rate(&self) -> Option<u32> {
        self.max_reconcile_rate.or(self.release_has_global_limiter.then_some(UPSTREAM_DEFAULT))
    }
}

/// Crossplane 2.0's global reconcile limiter at run time: a token bucket
/// shared by the pod's controllers, and the reconciles it held back that
/// will pass when they come back.
#[derive(Debug, Clone)]
pub struct ReconcileLimiter {
    bucket: TokenBucket,
    /// By item (`controller/key`): when it was first held back.
    limited: BTreeMap<SmolStr, Time>,
    /// The Crossplane pod's epoch it was built in: a restart builds a
    /// new one.
    epoch: u64,
}

impl ReconcileLimiter {
    /// A full bucket of `rate` a second, burst `10 × rate`
    /// (`ratelimiter.NewGlobal`).
    pub fn new(rate: u32, start: Time, epoch: u64) -> ReconcileLimiter {
        ReconcileLimiter {
            bucket: TokenBucket::new(f64::from(rate), rate.saturating_mul(10), start),
            limited: BTreeMap::new(),
            epoch,
        }
    }

    /// `Reconciler.when`: an item held back before passes at once (and
    /// says since when it waited); any other reserves a token and waits
    /// out the reservation's delay.
    pub fn admit(&mut self, item: &str, now: Time) -> Admission {
        if let Some(since) = self.limited.remove(item) {
            return Admission::Passed { since };
        }
        let at = self.bucket.reserve(now);
        if at > now {
            self.limited.insert(item.into(), now);
            Admission::HeldBack { after: at.since(now) }
        } else {
            Admission::Now
        }
    }

    /// Reconciles held back and not yet come back.
    pub fn held_back(&self) -> usize {
        self.limited.len()
    }
}

/// What the global limiter does with one reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// It runs now.
    Now,
    /// Held back before, it runs now; it was first ready at `since`.
    Passed {
        /// When the limiter first held it back.
        since: Time,
    },
    /// It does not run: `RequeueAfter` this long.
    HeldBack {
        /// The reservation's delay, in ms.
        after: Millis,
    },
}

impl Core {
    /// The global reconcile limiter's say on a reconcile of `key` by one
    /// of the Crossplane pod's controllers: `Some(delay)` when it is held
    /// back and must requeue after `delay`. A reconcile that passes after
    /// waiting is logged as `Throttled`. Mirrors crossplane-runtime's
    /// `ratelimiter.Reconciler.Reconcile`.
    pub fn admit_reconcile(&mut self, controller: Controller, key: &SmolStr) -> Option<Millis> {
        let rate = self.capacity.crossplane.reconcile_rate().filter(|_| !self.capacity.unlimited)?;
        let (now, epoch) = (self.now(), self.process(Process::Crossplane).epoch);
        let limiter = match &mut self.reconcile_limiter {
            Some(l) if l.epoch == epoch => l,
            slot => slot.insert(ReconcileLimiter::new(rate, now, epoch)),
        };
        let item = format!("{}/{key}", controller.name());
        match limiter.admit(&item, now) {
            Admission::Now => None,
            Admission::HeldBack { after } => Some(after),
            Admission::Passed { since } => {
                let queued = u32::try_from(limiter.held_back()).unwrap_or(u32::MAX);
                if now > since {
                    self.emit(Entry::Throttled {
                        controller,
                        object: key.clone(),
                        ready_at: since,
                        waited: now.since(since),
                        queued,
                    });
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_burst_passes_then_each_reconcile_waits_its_reservation() {
        let mut l = ReconcileLimiter::new(2, Time(0), 1);
        for i in 0..20 {
            assert_eq!(l.admit(&format!("op/{i}"), Time(0)), Admission::Now);
        }
        assert_eq!(l.admit("op/20", Time(0)), Admission::HeldBack { after: 500 });
        assert_eq!(l.admit("op/21", Time(0)), Admission::HeldBack { after: 1000 });
        assert_eq!(l.held_back(), 2);
        // Coming back (early, on a watch event, or on time) it passes.
        assert_eq!(l.admit("op/20", Time(100)), Admission::Passed { since: Time(0) });
        assert_eq!(l.held_back(), 1);
    }

    #[test]
    fn zero_workers_and_zero_rates_are_refused() {
        let c = CrossplaneCapacity { max_concurrent_reconciles: Some(0), ..Default::default() };
        assert!(c.check().unwrap_err().contains("maxConcurrentReconciles"));
        let c = CrossplaneCapacity { max_reconcile_rate: Some(0), ..Default::default() };
        assert!(c.check().unwrap_err().contains("maxReconcileRate"));
    }

    #[test]
    fn only_crossplane_2_0_has_the_global_limiter_by_default() {
        let current = CrossplaneCapacity::default();
        assert_eq!(current.reconcile_rate(), None);
        let old = CrossplaneCapacity { release_has_global_limiter: true, ..Default::default() };
        assert_eq!(old.reconcile_rate(), Some(100));
        let set = CrossplaneCapacity { max_reconcile_rate: Some(5), ..current };
        assert_eq!((set.reconcile_rate(), set.workers()), (Some(5), 100));
        let set_on_2_0 = CrossplaneCapacity { max_reconcile_rate: Some(5), ..old };
        assert_eq!((set_on_2_0.reconcile_rate(), set_on_2_0.workers()), (Some(5), 5));
    }
}
