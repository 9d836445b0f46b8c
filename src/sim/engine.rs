//! The simulation core: one event queue, the API store, the controllers'
//! work queues and the kubelet, and the loop that runs them.
//!
//! Controllers react to store changes the way informer handlers do
//! (delivered `informerLag` late), sync from their work queues, and lose all
//! in-memory state when kube-controller-manager goes down. The kubelet and
//! the API server keep running through downtime.

use super::behaviour::Behaviour;
use super::cache::Cache;
use super::kubelet::Kubelet;
use super::log::{Controller, Entry, Fault, Record};
use super::queue::{EventQueue, Wake, WorkQueue};
use super::scenario::Edit;
use super::world::{Change, World};
use crate::model::validation::validate_cronjob_update;
use crate::model::{Millis, Time};
use crate::policy::Settings;
use crate::policy::job::BackoffRecord;
use crate::schedule::Zone;
use smol_str::SmolStr;

/// More events than this at one instant means a livelock.
pub const MAX_EVENTS_PER_INSTANT: u32 = 1_000_000;

/// Something scheduled on the simulator's queue.
#[derive(Debug, Clone)]
pub enum Ev {
    /// A work-queue key is due for processing.
    Work { ctrl: Controller, key: SmolStr, epoch: u64 },
    /// A delaying-queue timer (`AddAfter`) comes due.
    Timer { ctrl: Controller, key: SmolStr, at: Time, epoch: u64 },
    /// An informer delivers a change late (`informerLag`).
    Notify { change: Change, epoch: u64 },
    /// A kubelet step for a pod (see [`super::kubelet`]).
    Kubelet { pod: SmolStr, uid: SmolStr, token: u64 },
    /// kube-controller-manager stops until `end`.
    DowntimeStart { end: Time },
    /// kube-controller-manager is back.
    DowntimeEnd { start: Time },
    /// A scenario edit of a CronJob.
    Edit { cronjob: SmolStr, edit: Edit },
    /// Crossplane's controllers and store (see [`super::crossplane`]).
    Xp(super::crossplane::XpEv),
}

/// How to add a key to a work queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueue {
    /// `Add`.
    Now,
    /// `AddAfter(d)`.
    After(Millis),
    /// `AddRateLimited`.
    RateLimited,
}

/// Per-workload data the actors need: the behaviour model and the run
/// counter that indexes its random streams.
#[derive(Debug, Clone)]
pub struct WorkloadState {
    pub behaviour: Behaviour,
    /// Jobs seen for this workload so far (the next Job's run index).
    pub runs: u64,
}

/// The simulator: one partition of a scenario (see [`super::run`]).
pub struct Engine {
    pub queue: EventQueue<Ev>,
    pub world: World,
    /// Records written since the driver last took them, in time order.
    pub out: Vec<Record>,
    /// This partition logs the control plane's own faults (clock skew and
    /// informer lag at set-up, downtime): in a merged log only the first
    /// partition does, since every partition replays the same downtime.
    pub logs_faults: bool,
    pub settings: Settings,
    pub local: Zone,
    pub seed: u64,
    pub informer_lag: Millis,
    /// kube-controller-manager is down.
    pub down: bool,
    /// Bumped at every controller stop: queued work from before is stale.
    pub epoch: u64,
    pub cronjob_queue: WorkQueue,
    pub job_queue: WorkQueue,
    pub ttl_queue: WorkQueue,
    /// The Job controller's in-memory pod-failure backoff records.
    pub job_backoff: rustc_hash::FxHashMap<SmolStr, BackoffRecord>,
    pub kubelet: Kubelet,
    /// The CronJob controller's listers.
    pub cache: Cache,
    /// By CronJob key (`namespace/name`).
    pub workloads: rustc_hash::FxHashMap<SmolStr, WorkloadState>,
    /// Records written so far.
    pub records: u64,
    /// The Crossplane pod and its objects.
    pub xp: super::crossplane::XpState,
}

impl Engine {
    /// The controller clock.
    pub fn now(&self) -> Time {
        self.queue.now()
    }

    /// Writes one log record at the current time.
    pub fn emit(&mut self, entry: Entry) {
        self.records += 1;
        let time = self.now();
        self.out.push(Record { time, entry });
    }

    fn queue_of(&mut self, ctrl: Controller) -> &mut WorkQueue {
        match ctrl {
            Controller::Cronjob => &mut self.cronjob_queue,
            Controller::Job => &mut self.job_queue,
            Controller::Ttl => &mut self.ttl_queue,
        }
    }

    /// Adds `key` to a controller's work queue. Returns the instant a
    /// timer was set for, if any.
    pub fn enqueue(&mut self, ctrl: Controller, key: &str, how: Enqueue) -> Option<Time> {
        if self.down {
            return None;
        }
        let now = self.now();
        let q = self.queue_of(ctrl);
        let wake = match how {
            Enqueue::Now => q.add(key, now),
            Enqueue::After(d) => q.add_after(key, d, now),
            Enqueue::RateLimited => q.add_rate_limited(key, now),
        };
        let epoch = self.epoch;
        match wake {
            Wake::Nothing => None,
            Wake::At(at) if at <= now => {
                self.queue.push(at, Ev::Work { ctrl, key: key.into(), epoch });
                None
            }
            Wake::At(at) => {
                self.queue.push(at, Ev::Timer { ctrl, key: key.into(), at, epoch });
                Some(at)
            }
        }
    }

    /// `Forget`.
    pub fn forget(&mut self, ctrl: Controller, key: &str) {
        self.queue_of(ctrl).forget(key);
    }

    /// Runs until the queue empties or the next event is at or after `end`.
    /// Fails if one instant keeps producing events (a feedback loop between
    /// controllers would otherwise never let time advance).
    pub fn run_until(&mut self, end: Time) -> Result<(), Time> {
        let (mut instant, mut at_instant) = (self.now(), 0u32);
        while let Some(t) = self.queue.peek_time() {
            if t >= end {
                break;
            }
            let Some((t, ev)) = self.queue.pop() else { break };
            if t == instant {
                at_instant += 1;
                if at_instant > MAX_EVENTS_PER_INSTANT {
                    return Err(t);
                }
            } else {
                (instant, at_instant) = (t, 0);
            }
            self.world.now = t;
            self.handle(ev);
            self.pump();
        }
        Ok(())
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Work { ctrl, key, epoch } => {
                if epoch != self.epoch || self.down || !self.queue_of(ctrl).take(&key) {
                    return;
                }
                match ctrl {
                    Controller::Cronjob => self.sync_cronjob(&key),
                    Controller::Job => self.sync_job(&key),
                    Controller::Ttl => self.sync_ttl(&key),
                }
            }
            Ev::Timer { ctrl, key, at, epoch } => {
                if epoch != self.epoch || self.down {
                    return;
                }
                if let Wake::At(t) = self.queue_of(ctrl).fire(&key, at) {
                    self.queue.push(t, Ev::Work { ctrl, key, epoch });
                }
            }
            Ev::Notify { change, epoch } => {
                if epoch == self.epoch {
                    self.cache.apply(&change);
                    self.deliver(&change);
                }
            }
            Ev::Kubelet { pod, uid, token } => self.kubelet_step(&pod, &uid, token),
            Ev::DowntimeStart { end } => self.controllers_stop(end),
            Ev::DowntimeEnd { start } => {
                if self.logs_faults {
                    self.emit(Entry::Fault(Fault::DowntimeEnd { since: start }));
                }
                self.controllers_start();
            }
            Ev::Edit { cronjob, edit } => self.apply_edit(&cronjob, &edit),
            Ev::Xp(ev) => self.xp_handle(ev),
        }
    }

    /// Writes pending store log entries and delivers pending changes, until
    /// both are drained (handlers may change the store again).
    pub fn pump(&mut self) {
        loop {
            self.flush_world_log();
            let Some(change) = self.world.changes.pop_front() else { break };
            self.kubelet_observe(&change);
            if self.informer_lag > 0 {
                let at = self.now().add(self.informer_lag);
                self.queue.push(at, Ev::Notify { change, epoch: self.epoch });
            } else {
                self.cache.apply(&change);
                self.deliver(&change);
            }
        }
    }

    /// Writes the store's pending log entries.
    pub fn flush_world_log(&mut self) {
        for e in std::mem::take(&mut self.world.log) {
            self.emit(e);
        }
    }

    /// The informer handlers of all three controllers.
    fn deliver(&mut self, change: &Change) {
        if self.down {
            return;
        }
        match change {
            Change::CronJob { key, old, new } => self.on_cronjob_change(key, old.as_deref(), new.as_deref()),
            Change::Job { key, old, new } => {
                self.cronjob_on_job_change(old.as_deref(), new.as_deref());
                self.job_on_job_change(key, old.as_deref(), new.as_deref());
                self.ttl_on_job_change(key, new.as_deref());
            }
            Change::Pod { job, .. } => {
                if !job.is_empty() {
                    self.job_on_pod_change(job);
                }
            }
        }
    }

    /// kube-controller-manager stops: queues, timers and backoff records
    /// are lost.
    fn controllers_stop(&mut self, end: Time) {
        if self.logs_faults {
            self.emit(Entry::Fault(Fault::DowntimeStart { until: end }));
        }
        self.down = true;
        self.epoch += 1;
        self.cronjob_queue.clear();
        self.job_queue.clear();
        self.ttl_queue.clear();
        self.job_backoff.clear();
        self.xp_stop();
    }

    /// kube-controller-manager starts: the informers list everything, so
    /// every object is added to every controller's queue.
    pub fn controllers_start(&mut self) {
        self.down = false;
        self.epoch += 1;
        // The garbage collector catches up on owners deleted while it was
        // down (and on seeded Jobs whose owner is not in the scenario).
        self.world.collect_garbage();
        self.flush_world_log();
        self.cache.relist(&self.world);
        // The store is hashed; the informers' initial list goes in key order.
        let mut cronjobs: Vec<SmolStr> = self.world.cronjobs.keys().cloned().collect();
        cronjobs.sort_unstable();
        for k in cronjobs {
            self.enqueue(Controller::Cronjob, &k, Enqueue::Now);
        }
        let mut jobs: Vec<(SmolStr, std::sync::Arc<crate::model::Job>)> =
            self.world.jobs.iter().map(|(k, j)| (k.clone(), j.clone())).collect();
        jobs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (k, j) in jobs {
            self.enqueue(Controller::Job, &k, Enqueue::Now);
            self.ttl_on_job_change(&k, Some(&j));
        }
        self.xp_start();
    }

    /// A scenario edit, as `kubectl edit` would make it: the API server
    /// validates the update and rejects an invalid one (the `Fault` record
    /// says why); editing a CronJob that is gone changes nothing.
    fn apply_edit(&mut self, cronjob: &str, edit: &Edit) {
        if let Edit::Delete = edit {
            self.emit(Entry::Fault(Fault::CronJobDeleted { object: cronjob.into() }));
            let gc_running = !self.down;
            let _ = self.world.delete_cronjob(cronjob, gc_running);
            return;
        }
        let rejected = match self.world.cronjobs.get(cronjob) {
            None => Some("not found".to_string()),
            Some(old) => {
                let mut new = (**old).clone();
                edit.apply(&mut new);
                let errs = validate_cronjob_update(&new, old);
                (!errs.is_empty()).then(|| errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
            }
        };
        let (object, change) = (cronjob.to_string(), edit.describe());
        match rejected {
            Some(error) => self.emit(Entry::Fault(Fault::SpecChangeRejected { object, change, error })),
            None => {
                self.emit(Entry::Fault(Fault::SpecChange { object, change }));
                let _ = self.world.update_cronjob_spec(cronjob, |cj| edit.apply(cj));
            }
        }
    }
}
