//! What every simulated controller is to the engine: an [`Actor`] running
//! in a [`Process`], reacting to the API server's changes through its
//! informer handlers, to its work queue's items and to its own timers, and
//! losing its memory when its process stops.
//!
//! The engine ([`super::engine`]) knows no concrete controller. It owns the
//! [`Core`] (virtual clock and event queue, the API server, the log, the
//! processes' state and the per-workload behaviour) and a list of actors
//! registered in one place ([`super::actors::register`]); it hands each
//! actor the core when the actor's turn comes. The order of registration is
//! the order in which a change reaches the actors of one process, as an
//! informer calls its handlers in the order they were added.

use super::api_server::{ApiServer, Change, Kinds};
use super::behaviour::Behaviour;
use super::edit::SpecEdit;
use super::log::{Entry, Record};
use super::queue::{EventQueue, Wake, WorkQueue};
use super::run::WorkloadKind;
use crate::model::{Millis, Time};
use crate::policy::Settings;
use crate::schedule::Zone;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::sync::Arc;

/// An actor's index in the engine's registration list.
pub type ActorId = u8;

/// A process of the simulated cluster. Downtime, informer lag and
/// controller state are per process: its actors stop and start together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Process {
    /// The node: the kubelet. It never stops.
    Node,
    /// kube-controller-manager: the CronJob, Job and TTL-after-finished
    /// controllers, and the garbage collector.
    ControllerManager,
    /// The Crossplane pod: the CronOperation and Operation controllers.
    Crossplane,
    /// Argo's workflow-controller: the CronWorkflow controller and the
    /// Workflow operator.
    Argo,
}

impl Process {
    /// How many processes there are.
    pub const COUNT: usize = 4;

    /// Every process, in the order a change reaches them.
    pub const ALL: [Process; Process::COUNT] =
        [Process::Node, Process::ControllerManager, Process::Crossplane, Process::Argo];

    fn index(self) -> usize {
        self as usize
    }
}

/// One process's state.
#[derive(Debug, Clone, Copy)]
pub struct ProcessState {
    /// The process is not running.
    pub down: bool,
    /// Bumped at every stop and start: queued work and lagging
    /// notifications from before are stale.
    pub epoch: u64,
    /// How late its informers see a change.
    pub informer_lag: Millis,
}

/// Something scheduled on the simulator's queue.
#[derive(Debug, Clone)]
pub enum Ev {
    /// A work-queue key of `actor` is due for processing.
    Work {
        /// The actor whose queue holds the key.
        actor: ActorId,
        /// The key.
        key: SmolStr,
        /// The process's epoch when it was queued (stale if the epoch moved on).
        epoch: u64,
    },
    /// A worker of `actor` got its token and its first request through:
    /// the sync of `key` runs now (capacity model).
    Run {
        /// The actor whose worker runs it.
        actor: ActorId,
        /// The key.
        key: SmolStr,
        /// The process's epoch when it was picked.
        epoch: u64,
        /// When the key was ready in the queue.
        ready: Time,
    },
    /// A worker of `actor` finished the requests of its sync of `key`.
    Free {
        /// The actor whose worker is free.
        actor: ActorId,
        /// The key it held.
        key: SmolStr,
        /// The process's epoch when it was picked.
        epoch: u64,
    },
    /// A delaying-queue timer (`AddAfter`) of `actor` comes due.
    Timer {
        /// The actor whose timer it is.
        actor: ActorId,
        /// The key.
        key: SmolStr,
        /// When the timer comes due.
        at: Time,
        /// The process's epoch when it was set (stale if the epoch moved on).
        epoch: u64,
    },
    /// An actor's own wake-up (a kubelet step, the end of an attempt),
    /// with a token the actor checks for staleness.
    Wake {
        /// The actor that wakes.
        actor: ActorId,
        /// The key it wakes for.
        key: SmolStr,
        /// The token the actor checks for staleness.
        token: u64,
    },
    /// A process's informers deliver a change late (`informerLag`).
    Notify {
        /// The process whose informers deliver it.
        process: Process,
        /// What changed.
        change: Change,
        /// The process's epoch when it was sent (stale if the epoch moved on).
        epoch: u64,
    },
    /// The API server stops answering until `until`.
    ApiDown {
        /// When it answers again.
        until: Time,
    },
    /// The API server answers again.
    ApiUp,
    /// The control plane's processes stop until `end`.
    DowntimeStart {
        /// When the processes come back.
        end: Time,
    },
    /// They are back.
    DowntimeEnd {
        /// When the downtime began.
        start: Time,
    },
    /// A scenario edit (`kubectl edit`, `annotate` or `delete`) of a
    /// CronJob or a CronOperation.
    Edit {
        /// Which kind of object.
        kind: WorkloadKind,
        /// The CronJob's `namespace/name`, or the CronOperation's name.
        object: SmolStr,
        /// The edit.
        edit: SpecEdit,
    },
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
    /// The workload's pod (or pipeline) behaviour model.
    pub behaviour: Behaviour,
    /// Runs (Jobs, Operations) seen for this workload so far: the next
    /// run's index.
    pub runs: u64,
    /// A CronOperation whose last reconcile had nothing to fix (a slot not
    /// due yet, or its Operation just created) under `Allow`: a reconcile
    /// one of its Operations' status writes triggers would change nothing.
    pub settled: bool,
    /// The event-queue lane of its partition (0 unless one engine runs
    /// several partitions).
    pub lane: u16,
}

impl WorkloadState {
    /// The next run's index, counted.
    pub fn next_run(&mut self) -> u64 {
        self.runs += 1;
        self.runs - 1
    }
}

/// An object of the initial list a process's informers deliver when it
/// starts.
#[derive(Debug, Clone, Copy)]
pub enum Listed<'a> {
    /// A CronJob, by key.
    CronJob(&'a SmolStr),
    /// A Job, by key, with the stored object.
    Job(&'a SmolStr, &'a Arc<crate::model::Job>),
    /// A CronOperation, by name.
    CronOperation(&'a SmolStr),
    /// An Operation, by name.
    Operation(&'a SmolStr),
    /// A CronWorkflow, by key.
    CronWorkflow(&'a SmolStr),
}

/// The engine's state every actor may use.
pub struct Core {
    /// The simulator's event queue.
    pub queue: EventQueue<Ev>,
    /// The API server's store.
    pub api: ApiServer,
    /// Records written since the driver last took them, in time order.
    pub out: Vec<Record>,
    /// Records written so far.
    pub records: u64,
    /// Kubernetes Events recorded so far (each is a request of its
    /// controller's client).
    pub events: u64,
    /// The sink reads detail records ([`Entry::is_detail`]); when not,
    /// they are counted but neither built nor kept.
    pub detail: bool,
    /// kube-controller-manager's workers, rate limits and latency.
    pub capacity: super::capacity::Capacity,
    /// Crossplane 2.0's global reconcile limiter, once a reconcile met it.
    pub reconcile_limiter: Option<super::crossplane_capacity::ReconcileLimiter>,
    /// This partition logs the control plane's own faults (clock skew and
    /// informer lag at set-up, downtime): in a merged log only the first
    /// partition does, since every partition replays the same downtime.
    pub logs_faults: bool,
    /// kube-controller-manager's settings (version switches).
    pub settings: Settings,
    /// The controllers' local zone.
    pub local: Zone,
    /// The scenario's random seed.
    pub seed: u64,
    processes: [ProcessState; Process::COUNT],
    /// By workload key: a CronJob's `namespace/name`, a CronOperation's
    /// name.
    pub workloads: FxHashMap<SmolStr, WorkloadState>,
    /// What kube-controller-manager's first list lacks or holds older
    /// than the store (`firstList`): each change's `old` is the listed
    /// version, its `new` the stored one. Used, and emptied, at its
    /// first start.
    pub first_list: Vec<Change>,
    /// The actor whose turn it is, and its process.
    pub(crate) current: (ActorId, Process),
}

impl Core {
    /// A core at `start` with every process but the node down.
    pub fn new(start: Time, api: ApiServer, settings: Settings, local: Zone, seed: u64) -> Core {
        let down = ProcessState { down: true, epoch: 0, informer_lag: 0 };
        Core {
            queue: EventQueue::new(start),
            api,
            out: Vec::new(),
            records: 0,
            events: 0,
            detail: true,
            capacity: super::capacity::Capacity::default(),
            reconcile_limiter: None,
            logs_faults: false,
            settings,
            local,
            seed,
            processes: [ProcessState { down: false, ..down }, down, down, down],
            workloads: FxHashMap::default(),
            first_list: Vec::new(),
            current: (0, Process::Node),
        }
    }

    /// The controller clock.
    pub fn now(&self) -> Time {
        self.queue.now()
    }

    /// A process's state.
    pub fn process(&self, p: Process) -> &ProcessState {
        &self.processes[p.index()]
    }

    /// A process's state, to change.
    pub fn process_mut(&mut self, p: Process) -> &mut ProcessState {
        &mut self.processes[p.index()]
    }

    /// Writes one log record at the current time.
    pub fn emit(&mut self, entry: Entry) {
        self.records += 1;
        if let Entry::Event(_) = entry {
            self.events += 1;
        }
        if !self.detail && entry.is_detail() {
            return;
        }
        let time = self.now();
        self.out.push(Record { time, entry });
    }

    /// Writes a detail record ([`Entry::is_detail`]), built only when the
    /// sink reads detail: a report-only run counts it without cloning its
    /// keys into a record it would drop at once.
    pub fn emit_detail(&mut self, build: impl FnOnce() -> Entry) {
        if self.detail {
            let entry = build();
            // A record the sink must see may not go through here.
            debug_assert!(entry.is_detail(), "emit_detail with a non-detail record: {entry:?}");
            self.emit(entry);
        } else {
            self.records += 1;
        }
    }

    /// Emits a Normal Event built only when the sink reads detail (it is
    /// counted either way: an Event is a request of the controller's
    /// client).
    pub fn emit_normal_event(&mut self, build: impl FnOnce() -> crate::policy::Event) {
        if self.detail {
            self.emit(Entry::Event(build()));
        } else {
            self.count_unbuilt_events(1);
        }
    }

    /// Counts Normal Events a policy recorded without building them.
    pub fn count_unbuilt_events(&mut self, n: u32) {
        self.records += u64::from(n);
        self.events += u64::from(n);
    }

    /// Writes the API server's pending log entries.
    pub fn flush_api_log(&mut self) {
        if self.api.log.is_empty() {
            return;
        }
        // Drained in place: the buffer keeps its capacity for the next
        // request instead of being freed and grown again.
        let mut log = std::mem::take(&mut self.api.log);
        for e in log.drain(..) {
            self.emit(e);
        }
        self.api.log = log;
    }

    /// Adds `key` to the current actor's work queue `q`; nothing while its
    /// process is down. Returns the instant a timer was set for, if any.
    pub fn enqueue(&mut self, q: &mut WorkQueue, key: &SmolStr, how: Enqueue) -> Option<Time> {
        let (actor, process) = self.current;
        let st = self.processes[process.index()];
        if st.down {
            return None;
        }
        let now = self.now();
        let wake = match how {
            Enqueue::Now => q.add(key, now),
            Enqueue::After(d) => q.add_after(key, d, now),
            Enqueue::RateLimited => q.add_rate_limited(key, now),
        };
        let epoch = st.epoch;
        match wake {
            Wake::Nothing => None,
            Wake::At(at) if at <= now => {
                self.queue.push(at, Ev::Work { actor, key: key.clone(), epoch });
                None
            }
            Wake::At(at) => {
                self.queue.push(at, Ev::Timer { actor, key: key.clone(), at, epoch });
                Some(at)
            }
        }
    }

    /// Schedules the current actor's [`Actor::on_wake`] at `at`.
    pub fn wake_at(&mut self, at: Time, key: &SmolStr, token: u64) {
        let actor = self.current.0;
        self.queue.push(at, Ev::Wake { actor, key: key.clone(), token });
    }

    /// The next run index of a workload (0 for an object no workload
    /// owns).
    pub fn next_run(&mut self, workload: &SmolStr) -> u64 {
        self.workloads.get_mut(workload).map_or(0, WorkloadState::next_run)
    }
}

/// A simulated controller (or the kubelet): upstream's informer handlers,
/// work-queue processing and timers around a pure policy.
///
/// Every method has a default that does nothing, so an actor implements
/// only what its upstream counterpart reacts to. The engine calls them with
/// the core's current actor set to it, so [`Core::enqueue`] and
/// [`Core::wake_at`] reach it back.
pub trait Actor: Send {
    /// Which process runs it.
    fn process(&self) -> Process;

    /// The kinds its informers watch; changes to other kinds never reach
    /// it.
    fn watches(&self) -> Kinds;

    /// Its work queue, if it has one: the engine takes a due key off it
    /// before [`Actor::on_work`] and fires its timers.
    fn queue(&mut self) -> Option<&mut WorkQueue> {
        None
    }

    /// Which kube-controller-manager client and worker pool it is, if its
    /// capacity is modelled ([`super::capacity`]).
    fn client(&self) -> Option<super::capacity::Client> {
        None
    }

    /// Whether a sync of `key` now would send any request, if the actor can
    /// tell without syncing: when its client's bucket is empty, a sync that
    /// sends none runs at once instead of waiting for a token.
    fn sync_sends(&self, _core: &Core, _key: &SmolStr) -> Option<bool> {
        None
    }

    /// Until when the sync of `key` just made holds its worker beyond its
    /// requests: an Operation's attempt runs its functions inside the
    /// reconcile, so the worker is busy until the attempt ends.
    fn busy_until(&self, _key: &SmolStr) -> Option<Time> {
        None
    }

    /// Every change of a watched kind, whether its process runs or not:
    /// informer caches and simulator bookkeeping that outlives restarts.
    fn observe(&mut self, _core: &mut Core, _change: &Change) {}

    /// The informer event handlers, while its process runs.
    fn on_change(&mut self, _core: &mut Core, _change: &Change) {}

    /// A work-queue item is due (`processNextWorkItem`).
    fn on_work(&mut self, _core: &mut Core, _key: &SmolStr) {}

    /// A wake-up it scheduled with [`Core::wake_at`].
    fn on_wake(&mut self, _core: &mut Core, _key: &SmolStr, _token: u64) {}

    /// Its process starts, before the initial list.
    fn start(&mut self, _core: &mut Core) {}

    /// One object of the initial list (informers deliver every stored
    /// object of a watched kind as an add when the process starts).
    fn on_listed(&mut self, _core: &mut Core, _object: Listed<'_>) {}

    /// Its process stops: in-memory state is lost.
    fn stop(&mut self, _core: &mut Core) {}

    /// A scenario fault or edit is about to take effect at the current
    /// instant (before any other event of that instant the actor set up
    /// itself): an actor that fast-forwards (the Operation controller's
    /// retry loops) brings its state up to now.
    fn interrupt(&mut self, _core: &mut Core) {}
}
