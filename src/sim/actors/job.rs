//! The Job controller actor: kubernetes `job_controller.go`'s handlers
//! (`addJob`/`updateJob`, pod events batched by `syncJobBatchPeriod`), its
//! work queue, pod control (`RealPodControl`), around the pure
//! [`policy::job::sync_job`].

use crate::model::{Job, ObjectMeta, OwnerReference, Pod, PodStatus};
use crate::policy;
use crate::policy::job::{BackoffRecord, MIN_BACKOFF_REQUEUE, SYNC_JOB_BATCH_PERIOD};
use crate::schedule::text::concat_smol;
use crate::sim::actor::{Actor, Core, Enqueue, Listed, Process};
use crate::sim::api_server::{Change, Kinds, stored_key};
use crate::sim::log::{Controller, Entry};
use crate::sim::queue::WorkQueue;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;

/// The Job controller.
#[derive(Debug)]
pub struct JobController {
    /// Its rate limiter backs off from 1 s to 1 min (`DefaultJobApiBackOff`,
    /// `MaxJobApiBackOff`).
    queue: WorkQueue,
    /// The in-memory pod-failure backoff records (`podBackoffStore`).
    backoff: FxHashMap<SmolStr, BackoffRecord>,
}

impl Default for JobController {
    fn default() -> Self {
        JobController {
            queue: WorkQueue::with_backoff(MIN_BACKOFF_REQUEUE, 60 * MIN_BACKOFF_REQUEUE),
            backoff: FxHashMap::default(),
        }
    }
}

impl Actor for JobController {
    fn process(&self) -> Process {
        Process::ControllerManager
    }

    fn watches(&self) -> Kinds {
        Kinds::JOB.with(Kinds::POD)
    }

    fn client(&self) -> Option<crate::sim::capacity::Client> {
        Some(crate::sim::capacity::Client::Job)
    }

    fn queue(&mut self) -> Option<&mut WorkQueue> {
        Some(&mut self.queue)
    }

    fn on_change(&mut self, core: &mut Core, change: &Change) {
        match change {
            Change::Job { key, old, new } => self.on_job_change(core, key, old.as_deref(), new.as_deref()),
            Change::Pod { job, .. } if !job.is_empty() => self.on_pod_change(core, job),
            _ => {}
        }
    }

    fn on_work(&mut self, core: &mut Core, key: &SmolStr) {
        self.sync(core, key);
    }

    fn on_listed(&mut self, core: &mut Core, object: Listed<'_>) {
        if let Listed::Job(k, _) = object {
            core.enqueue(&mut self.queue, k, Enqueue::Now);
        }
    }

    fn stop(&mut self, _core: &mut Core) {
        self.queue.clear();
        self.backoff.clear();
    }
}

impl JobController {
    /// `addJob`/`updateJob`/`deleteJob`: a new Job or a spec change syncs
    /// at once, other updates (status writes) after the batch period.
    fn on_job_change(&mut self, core: &mut Core, k: &SmolStr, old: Option<&Job>, new: Option<&Job>) {
        match (old, new) {
            (_, None) => {
                self.backoff.remove(k);
            }
            (None, Some(_)) => {
                core.enqueue(&mut self.queue, k, Enqueue::Now);
            }
            (Some(o), Some(n)) => {
                if o.spec != n.spec || o.metadata.deletion_timestamp != n.metadata.deletion_timestamp {
                    core.enqueue(&mut self.queue, k, Enqueue::Now);
                } else if o.metadata.resource_version != n.metadata.resource_version {
                    core.enqueue(&mut self.queue, k, Enqueue::After(SYNC_JOB_BATCH_PERIOD));
                }
            }
        }
    }

    /// `addPod`/`updatePod`/`deletePod`: the owning Job syncs after the
    /// batch period.
    fn on_pod_change(&mut self, core: &mut Core, job: &SmolStr) {
        if core.api.jobs.contains_key(job) {
            core.enqueue(&mut self.queue, job, Enqueue::After(SYNC_JOB_BATCH_PERIOD));
        }
    }

    /// One `syncJob` and its side effects.
    fn sync(&mut self, core: &mut Core, k: &SmolStr) {
        let Some(job) = core.api.jobs.get(k).cloned() else {
            self.queue.forget(k);
            self.backoff.remove(k);
            core.emit_detail(|| sync_entry(Controller::Job, k, None));
            return;
        };
        // Pod failures are rare: an empty map is not hashed into.
        let record = if self.backoff.is_empty() { None } else { self.backoff.get(k).copied() };
        let record = record.unwrap_or_default();
        let mut out = {
            let pods = core.api.job_pods(k);
            policy::job::sync_job_view(&job, &pods, &record, core.now(), &core.settings)
        };
        if out.backoff == BackoffRecord::default() {
            if !self.backoff.is_empty() {
                self.backoff.remove(k);
            }
        } else {
            self.backoff.insert(k.clone(), out.backoff);
        }
        let ns = job.metadata.namespace.clone();
        // A failed request fails the sync: `processNextWorkItem` requeues
        // it rate-limited instead of forgetting it.
        let mut failed = false;
        // The events' object, built only when there is an event.
        let object = || concat_smol(&["Job/", k]);
        // Counting terminal pods (finalizer removal) comes before the
        // status write upstream; the order is invisible in the log.
        for p in &out.pods_to_count {
            let pk =
                if p.bytes().any(|b| b == b'/') { p.clone() } else { stored_key(&core.api.pods, &ns, p) };
            let _ = core.api.update_pod(&pk, |pod| {
                pod.metadata.finalizers.retain(|f| f != policy::job::JOB_TRACKING_FINALIZER)
            });
        }
        for d in &out.pods_to_delete {
            let (pk, name) = match d.pod.bytes().position(|b| b == b'/') {
                Some(i) => (d.pod.clone(), SmolStr::from(&d.pod[i + 1..])),
                None => (stored_key(&core.api.pods, &ns, &d.pod), d.pod.clone()),
            };
            if core.api.delete_pod(&pk).is_ok() {
                core.flush_api_log();
                core.emit_normal_event(|| {
                    policy::Event::normal(
                        object(),
                        SmolStr::new_static("SuccessfulDelete"),
                        concat_smol(&["Deleted pod: ", &name]),
                    )
                });
            }
        }
        if out.status != job.status {
            let started = job.status.start_time.is_none().then_some(out.status.start_time).flatten();
            // Read before the status moves into the store.
            let finished = out.finished.as_ref().map(|f| {
                let cond = out.status.conditions.iter().find(|c| c.is_true(&f.condition));
                (
                    cond.map(|c| c.message.clone()).unwrap_or_default(),
                    cond.and_then(|c| c.last_transition_time),
                )
            });
            let written = core.api.update_job_status(k, std::mem::take(&mut out.status));
            failed |= written.is_err();
            if written.is_ok() {
                if let Some(start_time) = started {
                    core.emit_detail(|| Entry::JobStarted { job: k.clone(), start_time });
                }
                if let (Some(f), Some((message, finished_at))) = (&out.finished, finished) {
                    core.emit(Entry::JobFinished {
                        job: k.clone(),
                        condition: f.condition.clone(),
                        reason: f.reason.clone(),
                        message,
                        finished_at,
                    });
                }
            }
        }
        for e in std::mem::take(&mut out.events) {
            core.emit(Entry::Event(e));
        }
        for _ in 0..out.pods_to_create {
            let pod = new_pod(core, k, &job);
            let name = pod.metadata.name.clone();
            match core.api.create_pod(k, pod) {
                Ok(()) => {
                    core.flush_api_log();
                    core.emit_normal_event(|| {
                        policy::Event::normal(
                            object(),
                            SmolStr::new_static("SuccessfulCreate"),
                            concat_smol(&["Created pod: ", &name]),
                        )
                    });
                }
                // `RealPodControl.createPods` records the failure on the
                // Job, and `manageJob` skips the rest of its batch.
                Err(e) => {
                    core.flush_api_log();
                    core.emit(Entry::Event(policy::Event::warning(
                        object(),
                        "FailedCreate",
                        format!("Error creating: {e}"),
                    )));
                    failed = true;
                    break;
                }
            }
        }
        if failed {
            let retry_at = core.enqueue(&mut self.queue, k, Enqueue::RateLimited);
            core.emit_detail(|| retry_entry(Controller::Job, k, retry_at));
            return;
        }
        self.queue.forget(k);
        let requeue_at = out.requeue_after.map(|d| {
            core.enqueue(&mut self.queue, k, Enqueue::After(d));
            core.now().add(d)
        });
        core.emit_detail(|| sync_entry(Controller::Job, k, requeue_at));
    }
}

/// A pod from the Job's template (`generateName: <job>-`), with a
/// deterministic suffix.
fn new_pod(core: &mut Core, job_key: &SmolStr, job: &Job) -> Pod {
    let mut labels = job.spec.template.metadata.labels.clone();
    labels.insert(SmolStr::new_static("batch.kubernetes.io/controller-uid"), job.metadata.uid.clone());
    labels.insert(SmolStr::new_static("batch.kubernetes.io/job-name"), job.metadata.name.clone());
    let n = core.api.next_pod_seq(job_key);
    let mut suffix = [0u8; 5];
    Pod {
        api_version: SmolStr::new_static("v1"),
        kind: SmolStr::new_static("Pod"),
        metadata: ObjectMeta {
            name: concat_smol(&[&job.metadata.name, "-", pod_suffix(&job.metadata.uid, n, &mut suffix)]),
            namespace: job.metadata.namespace.clone(),
            labels,
            annotations: job.spec.template.metadata.annotations.clone(),
            owner_references: vec![OwnerReference {
                api_version: SmolStr::new_static("batch/v1"),
                kind: SmolStr::new_static("Job"),
                name: job.metadata.name.clone(),
                uid: job.metadata.uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]
            .into(),
            ..ObjectMeta::default()
        },
        status: PodStatus::default(),
    }
}

/// A `Sync` entry without a CronJob decision.
pub(crate) fn sync_entry(
    controller: Controller,
    k: &SmolStr,
    requeue_at: Option<crate::model::Time>,
) -> Entry {
    Entry::Sync { controller, object: k.clone(), requeue_at, retry_at: None, decision: None, status: None }
}

/// A `Sync` entry without a CronJob decision for a sync that failed and
/// is retried rate-limited at `retry_at`.
pub(crate) fn retry_entry(
    controller: Controller,
    k: &SmolStr,
    retry_at: Option<crate::model::Time>,
) -> Entry {
    Entry::Sync { controller, object: k.clone(), requeue_at: None, retry_at, decision: None, status: None }
}

/// Five characters from the alphabet `generateName` uses, derived from the
/// Job's uid and the pod's sequence number (FNV-1a), so names look real and
/// stay reproducible.
fn pod_suffix<'b>(uid: &str, n: u64, out: &'b mut [u8; 5]) -> &'b str {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in uid.bytes().chain(n.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    for c in out.iter_mut() {
        *c = ALPHABET[(h % ALPHABET.len() as u64) as usize];
        h /= ALPHABET.len() as u64;
    }
    // The alphabet is ASCII.
    std::str::from_utf8(out).unwrap_or("xxxxx")
}
