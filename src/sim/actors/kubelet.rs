//! The kubelet and pod model: start latency, run time and exit code drawn
//! from the workload's [`Behaviour`](crate::sim::behaviour::Behaviour), container
//! restarts with CrashLoopBackOff under `restartPolicy: OnFailure`, and
//! termination within the grace period when a pod is deleted.
//!
//! Each Job (run) draws from its own stream,
//! `rng::run_stream(seed, "<ns>/<cronjob>", tick, run)`, attempt by attempt,
//! so one CronJob's pods never change another's, and the Job for a tick
//! draws the same whatever became of earlier ticks.
//!
//! Container statuses carry the pod template's container names (regular
//! and init), so `podFailurePolicy` `onExitCodes.containerName` rules see
//! the container that failed (`behaviour.container`). The workload's pod
//! and node faults (disruptions, `Pending` holds, node loss) are in
//! `kubelet/faults.rs`.

mod containers;
mod faults;

use crate::model::{Job, MINUTE, Millis, Pod, PodPhase, SECOND, Time};
use crate::sim::actor::{Actor, Core, Process};
use crate::sim::api_server::{Change, Kinds, stored_key};
use crate::sim::behaviour::{Attempt, PodFaults};
use crate::sim::log::Entry;
use containers::{Containers, Target};
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::sync::Arc;

/// CrashLoopBackOff: 10 s, doubling per restart…
pub const CRASHLOOP_BASE: Millis = 10 * SECOND;
/// …capped at 5 minutes.
pub const CRASHLOOP_CAP: Millis = 5 * MINUTE;
/// `terminationGracePeriodSeconds` default.
pub const DEFAULT_GRACE: Millis = 30 * SECOND;
/// Exit code of a container killed at the end of its grace period.
pub const KILLED_EXIT_CODE: i32 = 137;

/// The random state of one Job's pods.
#[derive(Debug, Clone)]
struct JobRun {
    workload: SmolStr,
    run: u64,
    rng: ChaCha8Rng,
    next_attempt: u32,
    /// How long the run had been going when the simulation found it
    /// running (a Job from a cluster dump with a past `status.startTime`);
    /// 0 for runs the simulation starts.
    elapsed: Millis,
    /// What its pods take from the template, shared with each of them.
    template: Arc<PodTemplate>,
}

/// What a pod takes from its Job's pod template when it is created. A pod
/// keeps it after its Job leaves the store: a Job deleted in the
/// background, or orphaned, leaves pods that still run by their own spec
/// (restart policy, grace period, containers), as the kubelet only ever
/// reads the pod.
#[derive(Debug)]
struct PodTemplate {
    /// `restartPolicy: OnFailure`.
    on_failure: bool,
    /// `terminationGracePeriodSeconds`.
    grace: Millis,
    /// The container names.
    containers: Containers,
    /// `behaviour.statusReportDelay` of the workload.
    report_delay: Millis,
}

/// What the kubelet will do next for a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    Exit {
        code: i32,
    },
    /// The CrashLoopBackOff delay after a failed run (which exited with
    /// `code`) is over: start the container again.
    Restart {
        code: i32,
        backoff: Millis,
    },
    Kill,
    /// The container exited with `code` at `finished_at` (API clock) and
    /// the pod is done: the kubelet reports the terminal phase now, its
    /// `statusReportDelay` later.
    Report {
        code: i32,
        finished_at: Time,
    },
    Idle,
}

#[derive(Debug, Clone)]
struct PodRun {
    job: SmolStr,
    template: Arc<PodTemplate>,
    token: u64,
    next: Step,
    next_at: Time,
    attempt: Attempt,
    restarts: i32,
    /// Consecutive crashes for CrashLoopBackOff (reset by a run of 10 min).
    crash_streak: u32,
    /// The container the attempt's exit code belongs to.
    target: Target,
    /// The faults drawn for this pod.
    faults: PodFaults,
    /// On a lost node: nothing runs or is reported until it is back.
    lost: bool,
}

/// The kubelet's memory: per Job and per pod, dropped when they leave the
/// store.
#[derive(Debug, Default)]
pub struct Kubelet {
    jobs: FxHashMap<SmolStr, JobRun>,
    pods: FxHashMap<SmolStr, PodRun>,
    tokens: u64,
    /// Wake-ups for faults, by token: the pod and what happens to it.
    fault_wakes: FxHashMap<u64, (SmolStr, faults::FaultWake)>,
}

/// The Job's CronJob as the workloads table keys it (a shared clone of that
/// key when the CronJob is a workload).
fn owner_cronjob(core: &Core, job: &Job) -> Option<SmolStr> {
    let r = job.metadata.controller_ref().filter(|r| r.kind == "CronJob")?;
    Some(stored_key(&core.workloads, &job.metadata.namespace, &r.name))
}

impl Actor for Kubelet {
    fn process(&self) -> Process {
        Process::Node
    }

    fn watches(&self) -> Kinds {
        Kinds::JOB.with(Kinds::POD)
    }

    fn observe(&mut self, core: &mut Core, change: &Change) {
        self.observe_change(core, change);
    }

    fn on_wake(&mut self, core: &mut Core, key: &SmolStr, token: u64) {
        // Faults are rare: an empty map is not hashed into.
        let fault = if self.fault_wakes.is_empty() { None } else { self.fault_wakes.remove(&token) };
        match fault {
            Some((pod, wake)) => self.on_fault(core, &pod, wake),
            None => self.step(core, key, token),
        }
    }
}

impl Kubelet {
    /// Reacts to store changes the kubelet (or, for runs, the behaviour
    /// bookkeeping) cares about: new Jobs get a run index and stream, new
    /// pods start, deleted pods terminate.
    fn observe_change(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::Job { key: k, old: None, new: Some(job) } => {
                let owner = job.metadata.controller_ref().filter(|r| r.kind == "CronJob");
                let tick = owner.and_then(|r| crate::policy::cronjob::job_slot(job, &r.name));
                let workload = owner_cronjob(core, job).unwrap_or_else(|| k.clone());
                // One lookup for the run index and the report delay.
                let (run, report_delay) = match core.workloads.get_mut(&workload) {
                    Some(w) => (w.next_run(), w.behaviour.status_report_delay.millis()),
                    None => (0, 0),
                };
                let pod_spec = &job.spec.template.spec;
                // Only a Job stored already running has a startTime at
                // creation; its first pod resumes rather than restarts.
                let elapsed = match job.status.start_time {
                    Some(started) if !job.is_finished() => core.now().since(started).max(0),
                    _ => 0,
                };
                let jr = JobRun {
                    rng: crate::sim::rng::run_stream(core.seed, &workload, tick, run),
                    workload,
                    run,
                    next_attempt: 0,
                    elapsed,
                    template: Arc::new(PodTemplate {
                        on_failure: pod_spec.restart_policy == "OnFailure",
                        grace: pod_spec
                            .termination_grace_period_seconds
                            .map_or(DEFAULT_GRACE, |s| s * SECOND),
                        containers: Containers::of(pod_spec),
                        report_delay,
                    }),
                };
                self.jobs.insert(k.clone(), jr);
            }
            Change::Job { key: k, new: None, .. } => {
                self.jobs.remove(k);
            }
            Change::Pod { key: k, job, old: None, new: Some(_) } => self.pod_created(core, k, job),
            Change::Pod { key: k, old: Some(old), new: Some(new), .. }
                if !old.deleting && new.metadata.deletion_timestamp.is_some() =>
            {
                self.terminate(core, k, new);
            }
            Change::Pod { key: k, new: None, .. } => {
                self.pods.remove(k);
            }
            _ => {}
        }
    }

    /// A new pod: its first attempt is drawn, its faults too, and its
    /// container starts after the start latency (or when a `pending` rule
    /// lets it).
    fn pod_created(&mut self, core: &mut Core, k: &SmolStr, job: &SmolStr) {
        let Some((attempt, target, template)) = self.draw(core, job) else { return };
        let now = core.now();
        let mut at = now.add(attempt.start_latency.max(0));
        let faults = self.draw_faults(core, job, now, at);
        if let Some(until) = faults.held_until {
            at = until;
            core.emit(Entry::Fault(crate::sim::log::Fault::PodHeldPending {
                pod: k.clone(),
                job: job.clone(),
                until,
            }));
        }
        let run = PodRun {
            job: job.clone(),
            template,
            token: 0,
            next: Step::Idle,
            next_at: at,
            attempt,
            restarts: 0,
            crash_streak: 0,
            target,
            faults,
            lost: false,
        };
        self.pods.insert(k.clone(), run);
        self.schedule(core, k, Step::Start, at);
        self.schedule_timed_faults(core, k, job);
    }

    /// The next attempt of a Job's run, the container its exit code belongs
    /// to, and what the Job's pods take from its template.
    fn draw(&mut self, core: &Core, job: &SmolStr) -> Option<(Attempt, Target, Arc<PodTemplate>)> {
        let jr = self.jobs.get_mut(job)?;
        let behaviour = &core.workloads.get(&jr.workload)?.behaviour;
        let a = match (jr.next_attempt, jr.elapsed) {
            (0, elapsed) if elapsed > 0 => behaviour.resumed_attempt(&mut jr.rng, jr.run, elapsed),
            _ => behaviour.attempt(&mut jr.rng, jr.run, jr.next_attempt),
        };
        let target = jr.template.containers.target(behaviour.failing_container(jr.run, jr.next_attempt));
        jr.next_attempt += 1;
        Some((a, target, Arc::clone(&jr.template)))
    }

    fn schedule(&mut self, core: &mut Core, pod: &SmolStr, step: Step, at: Time) {
        self.tokens += 1;
        let token = self.tokens;
        let Some(run) = self.pods.get_mut(pod) else { return };
        run.token = token;
        run.next = step;
        run.next_at = at;
        // Tokens are never reused, so a wake-up for an earlier pod of the
        // same name is stale by its token alone.
        core.wake_at(at, pod, token);
    }

    /// Nothing more to do for a pod (pending wake-ups become stale).
    fn idle(&mut self, pod: &SmolStr) {
        self.tokens += 1;
        if let Some(run) = self.pods.get_mut(pod) {
            run.token = self.tokens;
            run.next = Step::Idle;
        }
    }

    /// A deleted pod: one not yet started ends at once; a running one
    /// ends at its natural exit or when the grace period runs out.
    fn terminate(&mut self, core: &mut Core, k: &SmolStr, pod: &Pod) {
        let Some(run) = self.pods.get(k) else { return };
        // A lost node's kubelet hears of nothing until the node is back.
        if pod.status.phase.is_terminal() || run.lost {
            return;
        }
        let grace = run.template.grace;
        let now = core.now();
        let deadline = now.add(grace);
        match run.next {
            Step::Start | Step::Restart { .. } | Step::Idle => self.schedule(core, k, Step::Kill, now),
            Step::Report { .. } => {}
            Step::Exit { .. } if run.next_at <= deadline => {}
            Step::Exit { .. } | Step::Kill => self.schedule(core, k, Step::Kill, deadline),
        }
    }

    /// Runs a scheduled kubelet step, if still current.
    fn step(&mut self, core: &mut Core, k: &SmolStr, token: u64) {
        let Some(run) = self.pods.get(k) else { return };
        if run.token != token {
            return;
        }
        let run = run.clone();
        let api_now = core.api.api_now().trunc_seconds();
        // One read of the stored pod serves the whole step: nothing writes
        // it before the step's own write.
        let stored = core.api.pods.get(k);
        let deleting = stored.is_some_and(|p| p.metadata.deletion_timestamp.is_some());
        let started = stored.and_then(|p| p.status.start_time);
        match run.next {
            Step::Idle => {}
            Step::Start => {
                let (regular, init) = run.template.containers.started(run.target, run.attempt.exit_code);
                let _ = core.api.update_job_pod(k, &run.job, |p| {
                    p.status.phase = PodPhase::Running;
                    p.status.start_time = Some(api_now);
                    p.status.container_statuses = regular;
                    p.status.init_container_statuses = init;
                });
                core.emit_detail(|| Entry::PodStarted { pod: k.clone(), job: run.job.clone() });
                let code = run.attempt.exit_code;
                self.schedule(core, k, Step::Exit { code }, core.now().add(run.attempt.duration.max(0)));
                self.schedule_drawn_disruption(core, k, &run);
            }
            Step::Exit { code } => self.container_exit(core, k, &run, code, deleting, started),
            Step::Kill => self.container_exit(core, k, &run, KILLED_EXIT_CODE, true, started),
            Step::Restart { code, backoff } => self.container_restart(core, k, &run, code, backoff),
            Step::Report { code, finished_at } => {
                self.report_terminal(core, k, &run, code, started, finished_at)
            }
        }
    }

    /// The kubelet starts a new container for a pod whose last one failed
    /// (kuberuntime `startContainer`): only now does `restartCount` rise,
    /// since each new container is labelled with the previous count + 1
    /// (`io.kubernetes.container.restartCount`) and the status reports the
    /// newest container's label. A Job's `pastBackoffLimitOnFailure` so
    /// sees restart N when run N+1 starts, not when run N exits.
    fn container_restart(
        &mut self,
        core: &mut Core,
        k: &SmolStr,
        run: &PodRun,
        exit_code: i32,
        backoff: Millis,
    ) {
        let (attempt, target) = match self.draw(core, &run.job) {
            Some((attempt, target, _)) => (attempt, target),
            None => (run.attempt, run.target),
        };
        let restarts = run.restarts + 1;
        if let Some(r) = self.pods.get_mut(k) {
            r.attempt = attempt;
            r.restarts = restarts;
            r.target = target;
        }
        let _ = core.api.update_job_pod(k, &run.job, |p| {
            // The container that failed restarts; the count is the pod's
            // (one failing container per pod in this model).
            if let Some(c) = containers::status_mut(&mut p.status, run.target) {
                c.restart_count = restarts;
                c.terminated = None;
            }
        });
        core.emit(Entry::ContainerRestarted {
            pod: k.clone(),
            job: run.job.clone(),
            restart_count: restarts,
            exit_code,
            backoff,
        });
        let code = attempt.exit_code;
        self.schedule(core, k, Step::Exit { code }, core.now().add(attempt.duration.max(0)));
    }

    /// `started` is the pod's `status.startTime` as stored.
    fn container_exit(
        &mut self,
        core: &mut Core,
        k: &SmolStr,
        run: &PodRun,
        code: i32,
        deleting: bool,
        started: Option<Time>,
    ) {
        let api_now = core.api.api_now().trunc_seconds();
        if code != 0 && run.template.on_failure && !deleting {
            let terminated = containers::terminated(code, started, Some(api_now));
            // CrashLoopBackOff resets after 10 minutes of running.
            let streak = if run.attempt.duration >= 10 * MINUTE { 1 } else { run.crash_streak + 1 };
            let backoff = crate::sim::queue::backoff(CRASHLOOP_BASE, CRASHLOOP_CAP, streak - 1);
            // The exit is visible at once as the last state; the restart
            // count waits for the new container (see `container_restart`).
            let _ = core.api.update_job_pod(k, &run.job, |p| {
                if let Some(c) = containers::status_mut(&mut p.status, run.target) {
                    c.last_terminated = Some(terminated);
                }
            });
            if let Some(r) = self.pods.get_mut(k) {
                r.crash_streak = streak;
            }
            self.schedule(core, k, Step::Restart { code, backoff }, core.now().add(backoff));
            return;
        }
        let delay = run.template.report_delay;
        if delay > 0 {
            let at = core.now().add(delay);
            self.schedule(core, k, Step::Report { code, finished_at: api_now }, at);
            return;
        }
        self.report_terminal(core, k, run, code, started, api_now);
    }

    /// The kubelet writes the pod's terminal phase and its containers'
    /// terminated states (`finishedAt` when the container exited).
    fn report_terminal(
        &mut self,
        core: &mut Core,
        k: &SmolStr,
        run: &PodRun,
        code: i32,
        started: Option<Time>,
        finished_at: Time,
    ) {
        let phase = if code == 0 { PodPhase::Succeeded } else { PodPhase::Failed };
        self.idle(k);
        let _ = core.api.update_job_pod(k, &run.job, |p| {
            p.status.phase = phase;
            run.template.containers.exited(&mut p.status, run.target, code, started, finished_at);
        });
        core.emit(Entry::PodFinished { pod: k.clone(), job: run.job.clone(), exit_code: code, phase });
    }
}
