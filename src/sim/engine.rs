//! The simulation core: the loop that pops the (time, seq) event queue and
//! hands each event to the [`Actor`] it belongs to, delivers the API
//! server's changes to the processes' informers, stops and starts processes
//! for downtime, and applies the scenario's edits.
//!
//! The engine knows no concrete controller: they are registered in one
//! place, [`super::actors::register`]. A change reaches a process's actors
//! at once or, with an informer lag, `informerLag` later; a stopped process
//! loses its work queues and in-memory state, and when it starts its
//! informers list every stored object again. The node (the kubelet) and the
//! API server keep running through downtime.

use super::actor::{Actor, ActorId, Core, Ev, Listed, Process};
use super::api_server::{Change, Kinds, key, owner_of};
use super::capacity::Workers;
use super::edit::SpecEdit;
use super::log::{Entry, Fault};
use super::queue::Wake;
use super::run::WorkloadKind;
use crate::model::Time;
use smol_str::SmolStr;

/// More events than this at one instant means a livelock.
pub const MAX_EVENTS_PER_INSTANT: u32 = 1_000_000;

/// The simulator: one partition of a scenario (see [`super::run`]).
pub struct Engine {
    /// The state every actor may use.
    pub core: Core,
    actors: Vec<Box<dyn Actor>>,
    /// Each actor's process and watched kinds.
    routes: Vec<(Process, Kinds)>,
    /// The kinds each process watches (any of its actors).
    watched: [Kinds; Process::COUNT],
    /// By process and kind: the actors a change of that kind reaches, in
    /// registration order (looked up at every change).
    reach: [[Vec<ActorId>; Kinds::COUNT]; Process::COUNT],
    /// By actor: its workers, when its capacity is modelled.
    workers: Vec<Option<Workers>>,
    /// The uid space of lane 0: the partition index of an engine that runs
    /// one partition; 0 for one that runs several, each in the lane of its
    /// partition index.
    pub lane_base: u64,
    /// The engine runs several partitions, each in a lane of its own.
    pub lanes: bool,
}

impl Engine {
    /// An engine over `core` running `actors`, in that order.
    pub fn new(core: Core, actors: Vec<Box<dyn Actor>>) -> Engine {
        let routes: Vec<(Process, Kinds)> = actors.iter().map(|a| (a.process(), a.watches())).collect();
        let mut watched = [Kinds::NONE; Process::COUNT];
        let mut reach: [[Vec<ActorId>; Kinds::COUNT]; Process::COUNT] = Default::default();
        for (i, (p, k)) in routes.iter().enumerate() {
            watched[*p as usize] = watched[*p as usize].with(*k);
            for kind in Kinds::EACH {
                if k.overlaps(kind) {
                    reach[*p as usize][kind.index()].push(i as ActorId);
                }
            }
        }
        let workers = actors
            .iter()
            .map(|a| {
                let client = a.client().filter(|_| core.capacity.limited())?;
                Some(Workers::new(&core.capacity, client, core.now()))
            })
            .collect();
        let lane_base = core.api.uid_space;
        Engine { core, actors, routes, watched, reach, workers, lane_base, lanes: false }
    }

    /// The controller clock.
    pub fn now(&self) -> Time {
        self.core.now()
    }

    /// Runs until the queue empties or the next event is at or after `end`.
    /// Fails if one instant keeps producing events (a feedback loop between
    /// controllers would otherwise never let time advance).
    pub fn run_until(&mut self, end: Time) -> Result<(), Time> {
        let (mut instant, mut at_instant) = (self.now(), 0u32);
        while let Some(t) = self.core.queue.peek_time() {
            if t >= end {
                break;
            }
            let Some((t, ev)) = self.core.queue.pop() else { break };
            if t == instant {
                at_instant += 1;
                if at_instant > MAX_EVENTS_PER_INSTANT {
                    return Err(t);
                }
            } else {
                (instant, at_instant) = (t, 0);
            }
            self.core.api.now = t;
            self.core.api.uid_space = self.lane_base + u64::from(self.core.queue.lane());
            self.handle(ev);
            self.pump();
        }
        Ok(())
    }

    /// Gives the core to actor `id` for one call.
    fn with_actor<R>(&mut self, id: ActorId, f: impl FnOnce(&mut dyn Actor, &mut Core) -> R) -> R {
        let i = usize::from(id);
        self.core.current = (id, self.routes[i].0);
        f(self.actors[i].as_mut(), &mut self.core)
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::Work { actor, key, epoch } => {
                let st = self.core.process(self.routes[usize::from(actor)].0);
                if epoch != st.epoch || st.down {
                    return;
                }
                if self.workers[usize::from(actor)].is_some() {
                    let now = self.now();
                    self.offer(actor, key, now);
                    return;
                }
                let from_controller = self.actors[usize::from(actor)].client().is_some();
                self.core.api.from_controller = from_controller;
                self.with_actor(actor, |a, core| {
                    if a.queue().is_some_and(|q| q.take(&key)) {
                        a.on_work(core, &key);
                    }
                });
                self.core.api.from_controller = false;
            }
            Ev::Timer { actor, key, at, epoch } => {
                let st = self.core.process(self.routes[usize::from(actor)].0);
                if epoch != st.epoch || st.down {
                    return;
                }
                let fired = self.actors[usize::from(actor)].queue().map(|q| q.fire(&key, at));
                if let Some(Wake::At(t)) = fired {
                    self.core.queue.push(t, Ev::Work { actor, key, epoch });
                }
            }
            Ev::Run { actor, key, epoch, ready } => {
                if self.current_epoch(actor) == Some(epoch) {
                    self.sync(actor, key, ready, true, true);
                }
            }
            Ev::Free { actor, key, epoch } => {
                if self.current_epoch(actor) == Some(epoch) {
                    self.free(actor, Some(key));
                }
            }
            Ev::Wake { actor, key, token } => self.with_actor(actor, |a, core| a.on_wake(core, &key, token)),
            Ev::Notify { process, change, epoch } => {
                if epoch == self.core.process(process).epoch {
                    self.deliver(process, &change);
                }
            }
            Ev::ApiDown { until } => {
                if self.core.logs_faults {
                    self.core.emit(Entry::Fault(Fault::ApiServerDown { until }));
                }
            }
            Ev::ApiUp => {
                if self.core.logs_faults {
                    self.core.emit(Entry::Fault(Fault::ApiServerUp));
                }
            }
            Ev::DowntimeStart { end } => {
                self.interrupt();
                if self.core.logs_faults {
                    self.core.emit(Entry::Fault(Fault::DowntimeStart { until: end }));
                }
                self.stop(Process::ControllerManager);
                self.stop(Process::Crossplane);
                self.stop(Process::Argo);
            }
            Ev::DowntimeEnd { start } => {
                self.interrupt();
                if self.core.logs_faults {
                    self.core.emit(Entry::Fault(Fault::DowntimeEnd { since: start }));
                }
                self.start_control_plane();
            }
            Ev::Edit { kind, object, edit } => {
                self.interrupt();
                self.edit(kind, &object, &edit)
            }
        }
    }

    /// The epoch of `actor`'s process, if it runs.
    fn current_epoch(&self, actor: ActorId) -> Option<u64> {
        let st = self.core.process(self.routes[usize::from(actor)].0);
        (!st.down).then_some(st.epoch)
    }

    /// A key of a capacity-modelled controller is ready: a free worker
    /// picks it, or it waits in line (`workqueue`'s FIFO). A key a worker
    /// still holds stays queued and goes back in line when the worker lets
    /// go of it (client-go's `dirty` and `processing` sets).
    fn offer(&mut self, actor: ActorId, key: SmolStr, ready: Time) {
        let Some(w) = self.workers[usize::from(actor)].as_mut() else { return };
        if w.holds(&key) {
            return;
        }
        if w.busy >= w.count || !w.ready.is_empty() {
            w.ready.push_back((key, ready));
            return;
        }
        self.pick(actor, key, ready);
    }

    /// A worker takes `key` (`processNextWorkItem`): it waits for a token
    /// and the request's latency, then syncs.
    fn pick(&mut self, actor: ActorId, key: SmolStr, ready: Time) {
        let a = usize::from(actor);
        if !self.actors[a].queue().is_some_and(|q| q.take(&key)) {
            return;
        }
        let now = self.now();
        // A sync that sends nothing never waits for a token: with an empty
        // bucket, ask the controller whether this one would send any.
        let silent = self.workers[a].as_ref().is_some_and(|w| w.would_wait(now))
            && self.actors[a].sync_sends(&self.core, &key) == Some(false);
        let Some(w) = self.workers[a].as_mut() else { return };
        w.busy += 1;
        if silent {
            return self.sync(actor, key, ready, false, false);
        }
        let run = w.first_request(now);
        if run > now {
            w.processing.push(key.clone());
            let epoch = self.core.process(self.routes[a].0).epoch;
            self.core.queue.push(run, Ev::Run { actor, key, epoch, ready });
        } else {
            self.sync(actor, key, ready, false, true);
        }
    }

    /// The sync of `key` by a worker (`held`: the worker has held it since
    /// an earlier instant; `reserved`: it took a token for its first
    /// request), then the worker's remaining requests.
    fn sync(&mut self, actor: ActorId, key: SmolStr, ready: Time, held: bool, reserved: bool) {
        let a = usize::from(actor);
        let now = self.now();
        if now > ready
            && let Some(w) = &self.workers[a]
        {
            let controller = w.client.controller();
            let queued = u32::try_from(w.ready.len()).unwrap_or(u32::MAX);
            let waited = now.since(ready);
            self.core.emit(Entry::Throttled {
                controller,
                object: key.clone(),
                ready_at: ready,
                waited,
                queued,
            });
        }
        let (requests, events) = (self.core.api.requests, self.core.events);
        self.core.api.from_controller = true;
        self.with_actor(actor, |a, core| a.on_work(core, &key));
        self.core.api.from_controller = false;
        let (requests, events) = (self.core.api.requests - requests, self.core.events - events);
        let busy = self.actors[a].busy_until(&key);
        let Some(w) = self.workers[a].as_mut() else { return };
        // A sync that took no token at its pick (it was known to send
        // nothing) has none to give back.
        let free = w.settle(now, requests, events, reserved).max(busy.unwrap_or(now));
        if free > now {
            if !held {
                w.processing.push(key.clone());
            }
            let epoch = self.core.process(self.routes[a].0).epoch;
            self.core.queue.push(free, Ev::Free { actor, key, epoch });
        } else {
            self.free(actor, held.then_some(key));
        }
    }

    /// A worker is free (having let go of `key` if it held it past its
    /// pick): a key queued meanwhile goes back in line, and free workers
    /// pick the keys waiting.
    fn free(&mut self, actor: ActorId, key: Option<SmolStr>) {
        let a = usize::from(actor);
        let requeue = match key {
            Some(k) => {
                if let Some(w) = self.workers[a].as_mut() {
                    w.release(&k);
                }
                self.actors[a].queue().is_some_and(|q| q.is_queued(&k)).then_some(k)
            }
            None => None,
        };
        let now = self.now();
        let Some(w) = self.workers[a].as_mut() else { return };
        w.busy = w.busy.saturating_sub(1);
        if let Some(k) = requeue {
            w.ready.push_back((k, now));
        }
        loop {
            let Some(w) = self.workers[a].as_mut() else { return };
            if w.busy >= w.count {
                return;
            }
            let Some((k, ready)) = w.ready.pop_front() else { return };
            self.pick(actor, k, ready);
        }
    }

    /// Writes pending store log entries and delivers pending changes, until
    /// both are drained (handlers may change the store again).
    pub fn pump(&mut self) {
        loop {
            self.core.flush_api_log();
            let Some(change) = self.core.api.changes.pop_front() else { break };
            let kind = change.kind();
            // While the API server does not answer, the controllers' watches
            // wait and deliver what changed when it is back.
            let outage = self.core.api.faults.down_until(self.now());
            for p in Process::ALL {
                if !self.watched[p as usize].overlaps(kind) {
                    continue;
                }
                let st = *self.core.process(p);
                let held = outage.filter(|_| p != Process::Node);
                if st.informer_lag > 0 || held.is_some() {
                    let at = self.now().add(st.informer_lag).max(held.unwrap_or(Time(i64::MIN)));
                    self.core
                        .queue
                        .push(at, Ev::Notify { process: p, change: change.clone(), epoch: st.epoch });
                } else {
                    self.deliver(p, &change);
                }
            }
        }
    }

    /// A change reaches process `p`'s actors, in registration order.
    fn deliver(&mut self, p: Process, change: &Change) {
        let up = !self.core.process(p).down;
        let reach = &self.reach[p as usize][change.kind().index()];
        for &i in reach {
            self.core.current = (i, p);
            let a = &mut self.actors[usize::from(i)];
            a.observe(&mut self.core, change);
            if up {
                a.on_change(&mut self.core, change);
            }
        }
    }

    /// Process `p` stops: its actors lose their queues and memory.
    /// Lets every actor settle before a fault or edit ([`Actor::interrupt`]).
    fn interrupt(&mut self) {
        for i in 0..self.actors.len() {
            self.with_actor(i as ActorId, |a, core| a.interrupt(core));
        }
    }

    fn stop(&mut self, p: Process) {
        let st = self.core.process_mut(p);
        st.down = true;
        st.epoch += 1;
        self.reset_workers(p);
        for i in self.actors_of(p) {
            self.with_actor(i, |a, core| a.stop(core));
        }
    }

    /// The control plane starts (at the start of the horizon and after
    /// downtime): kube-controller-manager, the Crossplane pod, then Argo's
    /// workflow-controller.
    pub fn start_control_plane(&mut self) {
        self.start(Process::ControllerManager);
        self.start(Process::Crossplane);
        self.start(Process::Argo);
    }

    /// Process `p` starts: its informers list everything it watches, object
    /// by object, each object reaching every actor in turn. In
    /// kube-controller-manager the garbage collector first catches up on
    /// owners deleted while it was down (and on seeded objects whose owner
    /// is not in the scenario).
    fn start(&mut self, p: Process) {
        let st = self.core.process_mut(p);
        st.down = false;
        st.epoch += 1;
        self.reset_workers(p);
        if p == Process::ControllerManager {
            self.core.api.collect_garbage();
            self.core.flush_api_log();
        }
        let actors = self.actors_of(p);
        for &i in &actors {
            self.with_actor(i, |a, core| a.start(core));
        }
        let behind = if p == Process::ControllerManager {
            std::mem::take(&mut self.core.first_list)
        } else {
            Vec::new()
        };
        self.list_behind(p, &behind);
        let unseen =
            |k: &SmolStr| behind.iter().any(|c| matches!(c, Change::Job { key, old: None, .. } if key == k));
        let watched = self.watched[p as usize];
        let lane = self.core.queue.lane();
        // The store is hashed; the initial list goes in key order.
        if watched.overlaps(Kinds::CRONJOB) {
            let mut keys: Vec<SmolStr> = self.core.api.cronjobs.keys().cloned().collect();
            keys.sort_unstable();
            for k in &keys {
                self.enter_lane(k);
                self.list_to(&actors, Kinds::CRONJOB, Listed::CronJob(k));
            }
        }
        if watched.overlaps(Kinds::JOB) {
            let mut jobs: Vec<_> = self.core.api.jobs.iter().map(|(k, j)| (k.clone(), j.clone())).collect();
            jobs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            for (k, j) in jobs.iter().filter(|(k, _)| !unseen(k)) {
                if self.lanes {
                    let owner = j.metadata.controller_ref().map(|r| key(&j.metadata.namespace, &r.name));
                    self.enter_lane(owner.as_deref().unwrap_or(""));
                }
                self.list_to(&actors, Kinds::JOB, Listed::Job(k, j));
            }
        }
        if watched.overlaps(Kinds::CRONOPERATION) {
            let keys: Vec<SmolStr> = self.core.api.cronoperations.keys().cloned().collect();
            for k in &keys {
                self.enter_lane(k);
                self.list_to(&actors, Kinds::CRONOPERATION, Listed::CronOperation(k));
            }
        }
        if watched.overlaps(Kinds::OPERATION) {
            let keys: Vec<SmolStr> = self.core.api.operations.keys().cloned().collect();
            for k in &keys {
                if self.lanes {
                    let owner = self.core.api.operations.get(k).and_then(|o| owner_of(o));
                    self.enter_lane(owner.as_deref().unwrap_or(""));
                }
                self.list_to(&actors, Kinds::OPERATION, Listed::Operation(k));
            }
        }
        if watched.overlaps(Kinds::CRONWORKFLOW) {
            let keys: Vec<SmolStr> = self.core.api.cronworkflows.keys().cloned().collect();
            for k in &keys {
                self.enter_lane(k);
                self.list_to(&actors, Kinds::CRONWORKFLOW, Listed::CronWorkflow(k));
            }
        }
        self.core.queue.set_lane(lane);
    }

    /// The first list of process `p` lags the store by `behind`
    /// (`firstList`, docs/fidelity/kubernetes-cronjob.md#cj-24): its
    /// actors' caches, just filled from the store, are turned back to each
    /// change's `old` (the newest change last undone first), and the watch
    /// delivers the changes `informerLag` later, as it delivers any other.
    /// Mirrors client-go's reflector, whose first LIST may be served from
    /// the API server's watch cache.
    fn list_behind(&mut self, p: Process, behind: &[Change]) {
        if behind.is_empty() {
            return;
        }
        for change in behind.iter().rev() {
            let Some(undo) = undone(change) else { continue };
            for i in self.reach[p as usize][change.kind().index()].clone() {
                self.with_actor(i, |a, core| a.observe(core, &undo));
            }
        }
        let st = *self.core.process(p);
        let at = self.now().add(st.informer_lag);
        let lane = self.core.queue.lane();
        for change in behind {
            if self.lanes {
                let workload = match change {
                    Change::Job { new: Some(j), .. } | Change::Job { old: Some(j), .. } => {
                        j.metadata.controller_ref().map(|r| key(&j.metadata.namespace, &r.name))
                    }
                    Change::CronJob { key, .. } => Some(key.clone()),
                    _ => None,
                };
                self.enter_lane(workload.as_deref().unwrap_or(""));
            }
            self.core.queue.push(at, Ev::Notify { process: p, change: change.clone(), epoch: st.epoch });
        }
        self.core.queue.set_lane(lane);
    }

    fn list_to(&mut self, actors: &[ActorId], kind: Kinds, object: Listed<'_>) {
        for &i in actors {
            if self.routes[usize::from(i)].1.overlaps(kind) {
                self.with_actor(i, |a, core| a.on_listed(core, object));
            }
        }
    }

    /// With several partitions in this engine, the work an object of the
    /// initial list starts goes in its workload's lane.
    fn enter_lane(&mut self, workload: &str) {
        if self.lanes {
            let lane = self.core.workloads.get(workload).map_or(0, |w| w.lane);
            self.core.queue.set_lane(lane);
        }
    }

    /// A process that stops or starts has new workers and clients.
    fn reset_workers(&mut self, p: Process) {
        let now = self.now();
        for (i, w) in self.workers.iter_mut().enumerate() {
            if let Some(w) = w
                && self.routes[i].0 == p
            {
                w.reset(&self.core.capacity, now);
            }
        }
    }

    fn actors_of(&self, p: Process) -> Vec<ActorId> {
        (0..self.routes.len()).filter(|&i| self.routes[i].0 == p).map(|i| i as ActorId).collect()
    }

    /// A scenario edit, as `kubectl edit`, `annotate` or `delete` would
    /// make it: the API server validates an update and refuses an invalid
    /// one (the `Fault` record says why); editing an object that is gone
    /// changes nothing. A deletion with kube-controller-manager up lets its
    /// garbage collector take the object's Jobs or Operations at once.
    fn edit(&mut self, kind: WorkloadKind, object: &str, edit: &SpecEdit) {
        let gc_running = !self.core.process(Process::ControllerManager).down;
        let core = &mut self.core;
        if let SpecEdit::Delete = edit {
            core.emit(Entry::Fault(Fault::CronJobDeleted { object: object.into() }));
            let _ = match kind {
                WorkloadKind::CronJob => core.api.delete_cronjob(object, gc_running),
                WorkloadKind::CronOperation => core.api.delete_cronoperation(object, gc_running),
                WorkloadKind::CronWorkflow => core.api.delete_cronworkflow(object, gc_running),
            };
            return;
        }
        let applied = match kind {
            WorkloadKind::CronJob => core.api.edit_cronjob(object, |cj| edit.apply_to_cronjob(cj)),
            WorkloadKind::CronOperation => {
                core.api.edit_cronoperation(object, |co| edit.apply_to_cronoperation(co))
            }
            WorkloadKind::CronWorkflow => {
                core.api.edit_cronworkflow(object, |cw| edit.apply_to_cronworkflow(cw))
            }
        };
        let (object, change) = (object.to_string(), edit.clone());
        core.emit(Entry::Fault(match applied {
            Ok(()) => Fault::SpecChange { object, change },
            Err(error) => Fault::SpecChangeRejected { object, change, error },
        }));
    }
}

/// The change that turns a CronJob or Job back to its `old` version (an
/// add undone is a delete); `None` for other kinds, which no first list
/// holds back.
fn undone(change: &Change) -> Option<Change> {
    Some(match change {
        Change::CronJob { key, old, new } => {
            Change::CronJob { key: key.clone(), old: new.clone(), new: old.clone() }
        }
        Change::Job { key, old, new } => Change::Job { key: key.clone(), old: new.clone(), new: old.clone() },
        _ => return None,
    })
}
