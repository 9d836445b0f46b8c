//! The API server's batch/v1 and v1 kinds: CronJobs, Jobs and Pods by
//! `namespace/name`, with deletion propagation and the garbage
//! collector's part in it.

use super::{ApiServer, Change, PodWas, Resource, Verb, key, split_key, stored_key, with_key};
use crate::model::defaults::{set_object_defaults_cronjob, set_object_defaults_job_spec};
use crate::model::validation::validate_cronjob_update;
use crate::model::{CronJob, Job, Pod, PodPhase, Shared, Time};
use crate::policy::job::JOB_TRACKING_FINALIZER;
use crate::policy::{ApiError, Propagation};
use crate::schedule::text::{Digits, concat_smol, decimal};
use crate::sim::log::{DeletedBy, Entry};
use smol_str::SmolStr;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Whether a pod leaves the store: deleted, terminal and free of
/// finalizers, or an orphan that is terminal (no controller is left to
/// delete it, and dropping it keeps memory flat).
fn removable(pod: &Pod) -> bool {
    let terminal = pod.status.phase.is_terminal();
    let done = pod.metadata.deletion_timestamp.is_some() && terminal && pod.metadata.finalizers.is_empty();
    done || (terminal && pod.metadata.controller_ref().is_none())
}

/// A CronJob handed to a status write: the caller's, or one the store may
/// keep as it is.
enum Written<'a> {
    Borrowed(&'a CronJob),
    Shared(Arc<CronJob>),
}

impl std::ops::Deref for Written<'_> {
    type Target = CronJob;

    fn deref(&self) -> &CronJob {
        match self {
            Written::Borrowed(c) => c,
            Written::Shared(c) => c,
        }
    }
}

/// The next resourceVersion from the store's counter. One per write:
/// digits on the stack, no `fmt`, stored inline.
fn next_rv(counter: &mut u64) -> SmolStr {
    let n = *counter;
    *counter += 1;
    SmolStr::new(decimal(n, &mut Digits::new()))
}

impl ApiServer {
    fn uid(&mut self) -> SmolStr {
        let next = self.next_uids.entry(self.uid_space).or_insert(1);
        let n = *next;
        *next += 1;
        // Zero-padded as `{:08}` and `{:012}` (wider numbers in full),
        // copied once into the uid's buffer.
        const ZEROS: &str = "000000000000";
        let pad = |digits: &str, width: usize| &ZEROS[..width.saturating_sub(digits.len())];
        let (mut a, mut b) = (Digits::new(), Digits::new());
        let (space, seq) = (decimal(self.uid_space, &mut a), decimal(n, &mut b));
        concat_smol(&[pad(space, 8), space, "-0000-4000-8000-", pad(seq, 12), seq])
    }

    fn rv(&mut self) -> SmolStr {
        next_rv(&mut self.next_rv)
    }

    /// Fills what the API server sets on create, keeping values the
    /// scenario already carries (objects read from a live cluster).
    fn admit(&mut self, meta: &mut crate::model::ObjectMeta) {
        if meta.uid.is_empty() {
            meta.uid = self.uid();
        }
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(self.api_now().trunc_seconds());
        }
        meta.resource_version = self.rv();
    }

    /// Stores a CronJob (scenario set-up or `kubectl apply`).
    pub fn create_cronjob(&mut self, mut cj: CronJob) -> Result<CronJob, ApiError> {
        let k = key(&cj.metadata.namespace, &cj.metadata.name);
        if self.cronjobs.contains_key(&k) {
            return Err(ApiError::AlreadyExists);
        }
        set_object_defaults_cronjob(&mut cj);
        self.admit(&mut cj.metadata);
        let shared = Arc::new(cj.clone());
        self.cronjobs.insert(k.clone(), Arc::clone(&shared));
        self.changes.push_back(Change::CronJob { key: k, old: None, new: Some(shared) });
        Ok(cj)
    }

    /// Replaces a CronJob's spec (a scenario edit); the status is kept. An
    /// edit that changes nothing is a no-op: no new resourceVersion, no
    /// watch event (the API server's `GuaranteedUpdate` skips the write when
    /// the new object's bytes equal the stored ones).
    pub fn update_cronjob_spec(&mut self, k: &str, edit: impl FnOnce(&mut CronJob)) -> Result<(), ApiError> {
        let stored = self.cronjobs.get_mut(k).ok_or(ApiError::NotFound)?;
        let old = Arc::clone(stored);
        let cj = Arc::make_mut(stored);
        edit(cj);
        cj.status = old.status.clone();
        if *cj == *old {
            *stored = old;
            return Ok(());
        }
        let rv = self.rv();
        let Some(stored) = self.cronjobs.get_mut(k) else { return Err(ApiError::NotFound) };
        Arc::make_mut(stored).metadata.resource_version = rv;
        let new = Arc::clone(stored);
        self.changes.push_back(Change::CronJob { key: k.into(), old: Some(old), new: Some(new) });
        Ok(())
    }

    /// `kubectl edit` of a CronJob: the API server validates the update and
    /// refuses an invalid one, which changes nothing (the error says why).
    pub fn edit_cronjob(&mut self, k: &str, edit: impl Fn(&mut CronJob)) -> Result<(), String> {
        let old = self.cronjobs.get(k).ok_or_else(|| "not found".to_string())?;
        let mut new = (**old).clone();
        edit(&mut new);
        let errs = validate_cronjob_update(&new, old);
        if !errs.is_empty() {
            return Err(errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "));
        }
        self.update_cronjob_spec(k, edit).map_err(|e| e.to_string())
    }

    /// `UpdateStatus`: writes `cj.status` to the stored object of the same
    /// uid and resourceVersion (else Conflict). A write of the status the
    /// object already has is a no-op: it succeeds, but the resourceVersion
    /// stays and no watch event goes out (the API server's
    /// `GuaranteedUpdate` skips an update whose bytes equal the stored
    /// object's), so the controller's own `updateCronJob` handler is not
    /// called.
    pub fn update_cronjob_status(&mut self, cj: &CronJob) -> Result<(), ApiError> {
        self.write_cronjob_status(Written::Borrowed(cj))
    }

    /// [`ApiServer::update_cronjob_status`] handing over the written object,
    /// which then becomes the stored one (the resourceVersion check makes
    /// it the stored version with a new status).
    pub fn update_cronjob_status_owned(&mut self, cj: CronJob) -> Result<(), ApiError> {
        self.write_cronjob_status(Written::Shared(Arc::new(cj)))
    }

    /// [`ApiServer::update_cronjob_status_owned`] for an object already in
    /// an `Arc` (a sync's [`Working`](crate::policy::cronjob::Working)
    /// copy): the store keeps that very allocation, nothing is copied.
    pub fn update_cronjob_status_shared(&mut self, cj: Arc<CronJob>) -> Result<(), ApiError> {
        self.write_cronjob_status(Written::Shared(cj))
    }

    fn write_cronjob_status(&mut self, cj: Written<'_>) -> Result<(), ApiError> {
        self.request(Verb::Update, Resource::CronJobStatus, &cj.metadata.namespace, &cj.metadata.name)?;
        // The stored key, shared rather than built anew.
        let found = with_key(&cj.metadata.namespace, &cj.metadata.name, |k| self.cronjobs.get_key_value(k));
        let (k, stored) = found.ok_or(ApiError::NotFound)?;
        let k = k.clone();
        // Optimistic concurrency: a write based on a stale copy fails.
        if stored.metadata.uid != cj.metadata.uid
            || (!cj.metadata.resource_version.is_empty()
                && stored.metadata.resource_version != cj.metadata.resource_version)
        {
            return Err(ApiError::Conflict);
        }
        // The status subresource writes the status alone: the same status
        // is the same object.
        if stored.status == cj.status {
            return Ok(());
        }
        let rv = self.rv();
        let Some(stored) = self.cronjobs.get_mut(&k) else { return Err(ApiError::NotFound) };
        let old = Arc::clone(stored);
        match cj {
            Written::Shared(mut cj) if !cj.metadata.resource_version.is_empty() => {
                Arc::make_mut(&mut cj).metadata.resource_version = rv;
                *stored = cj;
            }
            cj => {
                let written = Arc::make_mut(stored);
                written.status = cj.status.clone();
                written.metadata.resource_version = rv;
            }
        }
        let new = Arc::clone(stored);
        self.changes.push_back(Change::CronJob { key: k, old: Some(old), new: Some(new) });
        Ok(())
    }

    /// Deletes a CronJob (Background): it is gone at once. The garbage
    /// collector (part of kube-controller-manager) deletes the Jobs it
    /// controlled: at once when `gc_running`, else at the next
    /// [`ApiServer::collect_garbage`].
    pub fn delete_cronjob(&mut self, k: &str, gc_running: bool) -> Result<(), ApiError> {
        let cj = self.cronjobs.remove(k).ok_or(ApiError::NotFound)?;
        self.changes.push_back(Change::CronJob { key: k.into(), old: Some(cj), new: None });
        if gc_running {
            self.collect_orphaned_jobs();
        }
        Ok(())
    }

    /// The garbage collector's sweep of Jobs: those whose controlling CronJob no
    /// longer exists are deleted (Background).
    pub(super) fn collect_orphaned_jobs(&mut self) {
        let live: BTreeSet<&str> = self.cronjobs.values().map(|c| c.metadata.uid.as_str()).collect();
        let mut dangling: Vec<SmolStr> = self
            .jobs
            .iter()
            .filter(|(_, j)| {
                j.metadata
                    .controller_ref()
                    .is_some_and(|r| r.kind == "CronJob" && !live.contains(r.uid.as_str()))
            })
            .map(|(k, _)| k.clone())
            .collect();
        // Hashed maps: the sweep goes in key order, as the ordered store did.
        dangling.sort_unstable();
        let saved = self.deleter.replace(DeletedBy::CronJobDeleted);
        for jk in dangling {
            let (ns, name) = split_key(&jk);
            let (ns, name) = (ns.to_string(), name.to_string());
            // Already-deleted Jobs are fine: the GC's delete is idempotent.
            let _ = self.delete_job_key(&ns, &name, Propagation::Background);
        }
        self.deleter = saved;
    }

    /// Stores a Job: `create_job` on behalf of a controller, or a Job the
    /// scenario seeds.
    pub fn insert_job(&mut self, mut job: Job) -> Result<Arc<Job>, ApiError> {
        self.request(Verb::Create, Resource::Jobs, &job.metadata.namespace, &job.metadata.name)?;
        let k = key(&job.metadata.namespace, &job.metadata.name);
        if self.jobs.contains_key(&k) {
            return Err(ApiError::AlreadyExists);
        }
        // The API server defaults every Job on create, those the CronJob
        // controller makes from its (undefaulted) template included.
        self.default_job(&mut job);
        self.admit(&mut job.metadata);
        let owner = job.metadata.controller_ref().filter(|r| r.kind == "CronJob");
        self.log.push(Entry::JobCreated {
            job: k.clone(),
            cronjob: owner
                .map(|r| stored_key(&self.cronjobs, &job.metadata.namespace, &r.name))
                .unwrap_or_default(),
            scheduled_time: job
                .metadata
                .annotations
                .get("batch.kubernetes.io/cronjob-scheduled-timestamp")
                .and_then(|s| Time::parse_rfc3339(s).ok()),
            uid: job.metadata.uid.clone(),
            seeded: self.seeding,
        });
        // A seeded Job that had already finished is logged as such, so that
        // readers of the log (the report's overlaps) don't count it as running.
        if self.seeding
            && let Some(c) = job.finished_condition()
        {
            self.log.push(Entry::JobFinished {
                job: k.clone(),
                condition: c.type_.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                finished_at: c.last_transition_time,
            });
        }
        self.pod_seq.insert(k.clone(), 0);
        let shared = Arc::new(job);
        self.jobs.insert(k.clone(), Arc::clone(&shared));
        self.changes.push_back(Change::Job { key: k, old: None, new: Some(Arc::clone(&shared)) });
        Ok(shared)
    }

    /// `SetObjectDefaults_Job`, with the spec defaulted once per template:
    /// the Jobs of one CronJob share their template's spec, and defaulting
    /// it anew would copy it for every Job.
    fn default_job(&mut self, job: &mut Job) {
        if job.metadata.labels.is_empty() {
            job.metadata.labels = job.spec.template.metadata.labels.clone();
        }
        let addr = Shared::addr(&job.spec);
        if let Some((template, defaulted)) = self.defaulted_specs.get(&addr)
            && Shared::ptr_eq(template, &job.spec)
        {
            job.spec = defaulted.clone();
            return;
        }
        // The map keeps the template alive, so its address stays its own.
        let template = job.spec.clone();
        set_object_defaults_job_spec(&mut job.spec);
        self.defaulted_specs.insert(addr, (template, job.spec.clone()));
    }

    /// Writes a Job's status (the Job controller's `UpdateStatus`); the
    /// status the Job already has is a no-op, as for CronJobs (no new
    /// resourceVersion, no watch event).
    pub fn update_job_status(
        &mut self,
        k: &SmolStr,
        status: crate::model::JobStatus,
    ) -> Result<(), ApiError> {
        let (ns, name) = split_key(k);
        self.request(Verb::Update, Resource::JobStatus, ns, name)?;
        let stored = self.jobs.get_mut(k).ok_or(ApiError::NotFound)?;
        if stored.status == status {
            return Ok(());
        }
        // The counter, not `self.rv()`: the stored Job stays borrowed, so
        // the write looks the key up once.
        let rv = next_rv(&mut self.next_rv);
        // The new version is built from the old one's parts: copying the
        // whole Job first (`Arc::make_mut`, as the old version lives on in
        // the change) would copy the status it replaces.
        let mut metadata = stored.metadata.clone();
        metadata.resource_version = rv;
        let job = crate::model::Job {
            api_version: stored.api_version.clone(),
            kind: stored.kind.clone(),
            metadata,
            spec: stored.spec.clone(),
            status,
        };
        let old = std::mem::replace(stored, Arc::new(job));
        let new = Arc::clone(stored);
        self.changes.push_back(Change::Job { key: k.clone(), old: Some(old), new: Some(new) });
        Ok(())
    }

    /// DELETE of a Job. Background and Orphan remove it at once (Background
    /// deletes its pods, Orphan leaves them running without an owner);
    /// Foreground marks it and its pods, and removes it once the pods are
    /// gone.
    pub fn delete_job_key(&mut self, ns: &str, name: &str, propagation: Propagation) -> Result<(), ApiError> {
        self.request(Verb::Delete, Resource::Jobs, ns, name)?;
        // The stored key, shared rather than built anew.
        let k = with_key(ns, name, |k| self.jobs.get_key_value(k).map(|(k, _)| k.clone()));
        let k = k.ok_or(ApiError::NotFound)?;
        let api_now = self.api_now().trunc_seconds();
        let stored = self.jobs.get_mut(&k).ok_or(ApiError::NotFound)?;
        if stored.metadata.deletion_timestamp.is_some() {
            return Ok(());
        }
        self.log.push(Entry::JobDeleted {
            job: k.clone(),
            by: self.deleter.unwrap_or(DeletedBy::Scenario),
            propagation,
        });
        match propagation {
            Propagation::Foreground => {
                let old = Arc::clone(stored);
                let job = Arc::make_mut(stored);
                job.metadata.deletion_timestamp = Some(api_now);
                job.metadata.finalizers.push("foregroundDeletion".into());
                let new = Arc::clone(stored);
                self.changes.push_back(Change::Job { key: k.clone(), old: Some(old), new: Some(new) });
                self.delete_pods_of(&k);
                self.remove_job_if_done(&k);
            }
            Propagation::Background => {
                self.remove_job(&k);
                self.delete_pods_of(&k);
            }
            Propagation::Orphan => {
                self.remove_job(&k);
                for pk in self.pods_by_job.remove(&k).unwrap_or_default().all {
                    if let Some(p) = self.pods.get_mut(&pk) {
                        Arc::make_mut(p).metadata.owner_references.clear();
                    }
                }
            }
        }
        Ok(())
    }

    fn remove_job(&mut self, k: &SmolStr) {
        if let Some(job) = self.jobs.remove(k) {
            self.pod_seq.remove(k);
            self.log.push(Entry::JobRemoved { job: k.clone() });
            self.changes.push_back(Change::Job { key: k.clone(), old: Some(job), new: None });
        }
    }

    /// A Foreground-deleted Job leaves once it has no pods.
    fn remove_job_if_done(&mut self, k: &SmolStr) {
        let deleting = self.jobs.get(k).is_some_and(|j| j.metadata.deletion_timestamp.is_some());
        if deleting && self.pods_by_job.get(k).is_none_or(|s| s.is_empty()) {
            self.pods_by_job.remove(k);
            self.remove_job(k);
        }
    }

    /// Deletes a deleted Job's pods. Their tracking finalizers go too: no
    /// Job is left to count them (the Job controller strips finalizers of
    /// pods whose Job is gone or being deleted).
    fn delete_pods_of(&mut self, job_key: &SmolStr) {
        // On the stack: a Job rarely has more than a few pods left.
        let pods: smallvec::SmallVec<[SmolStr; 4]> =
            self.pods_by_job.get(job_key).into_iter().flat_map(|i| &i.all).cloned().collect();
        for pk in pods {
            if let Some(p) = self.pods.get_mut(&pk)
                && p.metadata.finalizers.iter().any(|f| f == JOB_TRACKING_FINALIZER)
            {
                let mut index = self.pods_by_job.get_mut(job_key);
                if let Some(i) = index.as_deref_mut() {
                    i.count(&pk, p, -1);
                }
                let pod = Arc::make_mut(p);
                pod.metadata.finalizers.retain(|f| f != JOB_TRACKING_FINALIZER);
                if let Some(i) = index {
                    i.count(&pk, pod, 1);
                }
            }
            // The garbage collector's requests, not the caller's: not
            // counted, never refused.
            let (requests, from_controller) = (self.requests, self.from_controller);
            self.from_controller = false;
            let _ = self.delete_pod_of(&pk, Some(job_key));
            (self.requests, self.from_controller) = (requests, from_controller);
        }
    }

    /// The pods a Job controls, in name order.
    pub fn pods_of(&self, job_key: &str) -> Vec<Pod> {
        self.pods_of_refs(job_key).into_iter().cloned().collect()
    }

    /// [`ApiServer::pods_of`] without copying the pods.
    pub fn pods_of_refs(&self, job_key: &str) -> crate::policy::job::PodRefs<'_> {
        use crate::policy::job::JobPods;
        self.job_pods(job_key).all()
    }

    /// The next pod sequence number of a Job, from which its next pod's
    /// `generateName` suffix is made (the API server generates names; a
    /// counter instead of randomness keeps them reproducible). A Job the
    /// store does not hold numbers from 0 every time.
    pub fn next_pod_seq(&mut self, job: &SmolStr) -> u64 {
        match self.pod_seq.get_mut(job) {
            Some(n) => {
                *n += 1;
                *n - 1
            }
            None => 0,
        }
    }

    /// Creates a pod controlled by the Job `job_key` (with the Job tracking
    /// finalizer, as the Job controller does).
    pub fn create_pod(&mut self, job_key: &SmolStr, mut pod: Pod) -> Result<(), ApiError> {
        self.request(Verb::Create, Resource::Pods, &pod.metadata.namespace, &pod.metadata.name)?;
        let k = key(&pod.metadata.namespace, &pod.metadata.name);
        if self.pods.contains_key(&k) {
            return Err(ApiError::AlreadyExists);
        }
        self.admit(&mut pod.metadata);
        if !pod.metadata.finalizers.iter().any(|f| f == JOB_TRACKING_FINALIZER) {
            pod.metadata.finalizers.push(JOB_TRACKING_FINALIZER.into());
        }
        let shared = Arc::new(pod);
        self.pods.insert(k.clone(), Arc::clone(&shared));
        // The Job's own key, shared: a copy made from its text would cost
        // an allocation here and a full compare at every later lookup.
        let job = job_key.clone();
        let index = self.pods_by_job.entry(job.clone()).or_default();
        index.all.insert(k.clone());
        index.count(&k, &shared, 1);
        self.log.push(Entry::PodCreated { pod: k.clone(), job: job.clone() });
        self.changes.push_back(Change::Pod { key: k, job, old: None, new: Some(shared) });
        Ok(())
    }

    /// The Job key of a pod's controller (empty when orphaned).
    pub fn job_of(&self, pod: &Pod) -> SmolStr {
        let Some(r) = pod.metadata.controller_ref() else { return SmolStr::default() };
        stored_key(&self.jobs, &pod.metadata.namespace, &r.name)
    }

    /// Applies an edit to a pod (kubelet status, finalizer removal) and
    /// removes it when it is deleted, terminal and free of finalizers.
    pub fn update_pod(&mut self, k: &SmolStr, edit: impl FnOnce(&mut Pod)) -> Result<(), ApiError> {
        let (ns, name) = split_key(k);
        self.request(Verb::Update, Resource::Pods, ns, name)?;
        let job = self.pods.get(k).map(|p| self.job_of(p)).ok_or(ApiError::NotFound)?;
        self.update_pod_of(k, job, edit)
    }

    /// [`ApiServer::update_pod`] by a caller that knows the pod's Job (the
    /// kubelet): the pod's owner is not looked up again.
    pub fn update_job_pod(
        &mut self,
        k: &SmolStr,
        job: &SmolStr,
        edit: impl FnOnce(&mut Pod),
    ) -> Result<(), ApiError> {
        let (ns, name) = split_key(k);
        self.request(Verb::Update, Resource::Pods, ns, name)?;
        self.update_pod_of(k, job.clone(), edit)
    }

    /// [`ApiServer::update_pod`] for a pod whose controlling Job's key the
    /// caller already has (an edit never changes a pod's owner).
    fn update_pod_of(
        &mut self,
        k: &SmolStr,
        job: SmolStr,
        edit: impl FnOnce(&mut Pod),
    ) -> Result<(), ApiError> {
        let rv = self.rv();
        let stored = self.pods.get_mut(k).ok_or(ApiError::NotFound)?;
        let old = PodWas::of(stored);
        let mut index = self.pods_by_job.get_mut(&job);
        if let Some(i) = index.as_deref_mut() {
            i.count(k, stored, -1);
        }
        let pod = Arc::make_mut(stored);
        edit(pod);
        pod.metadata.resource_version = rv;
        if let Some(i) = index {
            i.count(k, pod, 1);
        }
        let done = removable(pod);
        let new = Arc::clone(stored);
        self.changes.push_back(Change::Pod {
            key: k.clone(),
            job: job.clone(),
            old: Some(old),
            new: Some(new),
        });
        if done {
            self.remove_pod(k, job);
        }
        Ok(())
    }

    /// DELETE of a pod: sets the deletionTimestamp; the kubelet ends it
    /// within the grace period, and it leaves once terminal and free of
    /// finalizers.
    pub fn delete_pod(&mut self, k: &SmolStr) -> Result<(), ApiError> {
        self.delete_pod_of(k, None)
    }

    /// [`ApiServer::delete_pod`] for a pod of the Job `job` when the caller
    /// knows it: a deleted Job is no longer stored, and finding its key
    /// again would build it anew.
    fn delete_pod_of(&mut self, k: &SmolStr, job: Option<&SmolStr>) -> Result<(), ApiError> {
        let (ns, name) = split_key(k);
        self.request(Verb::Delete, Resource::Pods, ns, name)?;
        let now = self.api_now().trunc_seconds();
        let pod = self.pods.get(k).ok_or(ApiError::NotFound)?;
        if pod.metadata.deletion_timestamp.is_some() {
            return Ok(());
        }
        let job = job.cloned().unwrap_or_else(|| self.job_of(pod));
        self.log.push(Entry::PodDeleted { pod: k.clone(), job: job.clone() });
        self.update_pod_of(k, job, |p| p.metadata.deletion_timestamp = Some(now))
    }

    /// Removes a pod [`removable`] found done, once the change that made it
    /// so is out.
    fn remove_pod(&mut self, k: &SmolStr, job: SmolStr) {
        if let Some(pod) = self.pods.remove(k) {
            if let Some(set) = self.pods_by_job.get_mut(&job) {
                set.all.remove(k);
                set.count(k, &pod, -1);
                if set.is_empty() {
                    self.pods_by_job.remove(&job);
                }
            }
            self.changes.push_back(Change::Pod {
                key: k.clone(),
                job: job.clone(),
                old: Some(PodWas::of(&pod)),
                new: None,
            });
            self.remove_job_if_done(&job);
        }
    }

    /// Whether a pod is running or waiting to run (not terminal).
    pub fn pod_phase(&self, k: &str) -> Option<PodPhase> {
        self.pods.get(k).map(|p| p.status.phase)
    }
}
