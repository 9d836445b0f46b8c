//! One Job sync (`syncJob`, `manageJob`, `trackJobStatusAndRemoveFinalizers`
//! and `enactJobFinished` in `pkg/controller/job/job_controller.go`).

use super::pods::{
    has_tracking_finalizer, is_active, is_pod_failed, is_ready, only_replace_failed_pods, sort_for_removal,
};
use super::view::{JobPods, PodRefs, PodTally};
use super::{
    BackoffRecord, Finished, JobSyncOutcome, MAX_POD_CREATE_DELETE_PER_SYNC, MAX_UNCOUNTED_PODS,
    MIN_BACKOFF_REQUEUE, PodDeleteCause, PodDeletion, match_pod_failure_policy,
};
use crate::model::{Condition, Job, JobStatus, Millis, Pod, SECOND, Time};
use crate::policy::{Event, Settings};
use crate::schedule::text::concat;
use serde::Serialize;
use smol_str::SmolStr;

/// The pod counts a sync derives from the Job and its pods.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Pods neither finished nor being deleted.
    pub active: i32,
    /// Active pods that are Ready.
    pub ready: i32,
    /// Pods being deleted that have not finished.
    pub terminating: i32,
    /// Succeeded pods: `status.succeeded` plus those newly counted.
    pub succeeded: i32,
    /// Failed pods: `status.failed` plus those newly counted (ignored failures excluded).
    pub failed: i32,
}

/// What a sync carries between its steps (upstream's `syncJobCtx`).
struct Ctx<'c, 'a> {
    job: &'c Job,
    now: Time,
    settings: &'c Settings,
    /// `status.startTime` as this sync sees it: set to `now` (untruncated,
    /// like the Go value before serialisation) on first start and resume.
    start_time: Option<Time>,
    pods: &'c dyn JobPods<'a>,
    /// Active pods before this sync deleted or created any.
    active_before: i32,
    counts: JobCounts,
    backoff: BackoffRecord,
    out: JobSyncOutcome,
}

/// `syncJob`: one pass of the Job controller over `job` and the pods it
/// owns (`pods`: every pod with the Job's controller ownerRef, in any phase,
/// including those being deleted, in the informer's order), at `now`, with
/// the in-memory `backoff` record for this Job. See [`JobSyncOutcome`].
///
/// The caller applies the outcome at once: it removes the tracking
/// finalizer from every pod in `pods_to_count` before the next sync (the
/// status already counts them; upstream's `uncountedTerminatedPods` is
/// always empty between syncs here), deletes `pods_to_delete` (first
/// removing the finalizer when [`PodDeleteCause::removes_finalizer`]),
/// creates `pods_to_create` pods carrying the finalizer, and stores
/// `backoff`. Indexed Jobs are treated as NonIndexed.
///
/// Quirk kept from upstream: while the backoff delays a replacement,
/// `manageJob` reports 0 active pods, so `status.active` reads 0 even with
/// pods running.
pub fn sync_job(
    job: &Job,
    pods: &[Pod],
    backoff: &BackoffRecord,
    now: Time,
    settings: &Settings,
) -> JobSyncOutcome {
    let pods: Vec<&Pod> = pods.iter().collect();
    sync_job_refs(job, &pods, backoff, now, settings)
}

/// [`sync_job`] over borrowed pods, so a caller whose pods live elsewhere
/// (the simulator's store) need not copy them.
pub fn sync_job_refs(
    job: &Job,
    pods: &[&Pod],
    backoff: &BackoffRecord,
    now: Time,
    settings: &Settings,
) -> JobSyncOutcome {
    sync_job_view(job, &pods, backoff, now, settings)
}

/// [`sync_job`] over any [`JobPods`]: the same decisions, read from
/// tallies where the caller keeps them, so that only the pods a sync may
/// count or delete are visited.
pub fn sync_job_view<'a>(
    job: &Job,
    pods: &dyn JobPods<'a>,
    backoff: &BackoffRecord,
    now: Time,
    settings: &Settings,
) -> JobSyncOutcome {
    let mut out = JobSyncOutcome {
        status: job.status.clone(),
        pods_to_create: 0,
        pods_to_delete: Vec::new(),
        pods_to_count: Vec::new(),
        events: Vec::new(),
        requeue_after: None,
        backoff: *backoff,
        finished: None,
    };
    // A finished Job is left alone; its backoff record is dropped.
    if job.is_finished() {
        out.backoff = BackoffRecord::default();
        return out;
    }
    if let Some(mode) = &job.spec.completion_mode
        && mode != "NonIndexed"
        && mode != "Indexed"
    {
        out.events.push(Event::warning(
            job_ref(job),
            "UnknownCompletionMode",
            "Skipped Job sync because completion mode is unknown",
        ));
        return out;
    }

    // Only settled pods (finalizer, terminal or being deleted) can be new
    // successes or failures.
    let settled = pods.settled();
    let new_succeeded: PodRefs<'_> =
        settled.iter().copied().filter(|p| p.status.phase == crate::model::PodPhase::Succeeded).collect();
    let new_failed: PodRefs<'_> = settled.iter().copied().filter(|p| is_pod_failed(p, job)).collect();
    let tally = pods.tally();
    let counts = JobCounts {
        active: clamp_i32(tally.active),
        ready: clamp_i32(tally.ready),
        terminating: clamp_i32(tally.terminating),
        succeeded: job.status.succeeded.saturating_add(len_i32(new_succeeded.len())),
        failed: job.status.failed.saturating_add(non_ignored_failed(job, &new_failed)),
    };
    let suspended = is_suspended(job);
    let mut start_time = job.status.start_time;
    if start_time.is_none() && !suspended {
        start_time = Some(now);
    }
    let mut cx = Ctx {
        job,
        now,
        settings,
        start_time,
        pods,
        active_before: counts.active,
        counts,
        backoff: backoff.update(&new_succeeded, &new_failed),
        out,
    };

    let mut finished = failure_or_success_already_decided(&cx);
    if finished.is_none() {
        finished = limit_or_deadline_failure(&mut cx, &tally);
    }

    let mut suspend_changed_status = None;
    if finished.is_some() {
        // deleteActivePods: deletions succeed in this model, so the
        // finished condition stands.
        let victims = active_pods(&cx);
        delete_pods(&mut cx, &victims, PodDeleteCause::JobFinishing);
    } else {
        let manage_called = job.metadata.deletion_timestamp.is_none();
        if manage_called {
            manage_job(&mut cx);
        }
        let complete = match job.spec.completions {
            None => cx.counts.succeeded > 0 && cx.counts.active == 0,
            Some(c) => cx.counts.succeeded >= c && cx.counts.active == 0,
        };
        if complete {
            finished = Some(new_success_condition(&cx));
        } else if manage_called {
            suspend_changed_status = Some(suspended);
        }
    }
    if let Some(suspended) = suspend_changed_status {
        apply_suspend_condition(&mut cx, suspended);
    }
    let status = &mut cx.out.status;
    status.start_time = cx.start_time.map(Time::trunc_seconds);
    status.active = cx.counts.active;
    status.ready = Some(cx.counts.ready);
    status.terminating = settings.job_delay_terminal_condition.then_some(cx.counts.terminating);
    track_status_and_finish(&mut cx, &settled, finished);
    cx.out.backoff = cx.backoff;
    cx.out
}

/// The Job's events go on `Job/<namespace>/<name>`.
fn job_ref(job: &Job) -> String {
    concat(&["Job/", &job.metadata.namespace, "/", &job.metadata.name])
}

fn len_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn clamp_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })
}

/// The active pods, in order; a scan only when there are some.
fn active_pods<'a>(cx: &Ctx<'_, 'a>) -> PodRefs<'a> {
    if cx.active_before == 0 {
        return PodRefs::new();
    }
    cx.pods.all().into_iter().filter(|p| is_active(p)).collect()
}

fn is_suspended(job: &Job) -> bool {
    job.spec.suspend == Some(true)
}

/// `nonIgnoredFailedPodsCount`.
fn non_ignored_failed(job: &Job, failed: &[&Pod]) -> i32 {
    let counted = failed
        .iter()
        .filter(|p| {
            job.spec
                .pod_failure_policy
                .as_ref()
                .and_then(|pfp| match_pod_failure_policy(pfp, p))
                .is_none_or(|m| m.counts())
        })
        .count();
    len_i32(counted)
}

fn condition(type_: &str, reason: impl Into<SmolStr>, message: impl Into<SmolStr>, now: Time) -> Condition {
    Condition::true_(type_, reason, message, now.trunc_seconds())
}

fn find_condition<'c>(status: &'c JobStatus, type_: &str) -> Option<&'c Condition> {
    status.conditions.iter().find(|c| c.type_ == type_)
}

/// The finish the Job already committed to: an existing
/// `SuccessCriteriaMet`, an existing `FailureTarget` (turned into
/// `Failed`), or a failed pod matching a `FailJob` rule.
fn failure_or_success_already_decided(cx: &Ctx) -> Option<Condition> {
    let status = &cx.job.status;
    if let Some(c) = status.conditions.iter().find(|c| c.is_true("SuccessCriteriaMet")) {
        return Some(c.clone());
    }
    if let Some(c) = find_condition(status, "FailureTarget").filter(|c| c.status == "True") {
        return Some(condition("Failed", c.reason.clone(), c.message.clone(), cx.now));
    }
    let pfp = cx.job.spec.pod_failure_policy.as_ref()?;
    cx.pods
        .all()
        .into_iter()
        .filter(|p| is_pod_failed(p, cx.job))
        .find_map(|p| match_pod_failure_policy(pfp, p).and_then(|m| m.message))
        .map(|msg| condition("FailureTarget", "PodFailurePolicy", &msg, cx.now))
}

/// backoffLimit, then activeDeadlineSeconds (with its exact wake-up).
fn limit_or_deadline_failure(cx: &mut Ctx, tally: &PodTally) -> Option<Condition> {
    let spec = &cx.job.spec;
    if cx.counts.failed > backoff_limit(cx.job) || restarts_past_limit(cx.job, tally.restarts) {
        return Some(new_failure_condition(
            cx,
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        ));
    }
    if deadline_passed(cx.job, cx.start_time, cx.now) {
        return Some(new_failure_condition(
            cx,
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
        ));
    }
    if let (Some(ads), Some(start), false) =
        (spec.active_deadline_seconds, cx.start_time, is_suspended(cx.job))
    {
        requeue(&mut cx.out, ads.saturating_mul(SECOND) - cx.now.since(start));
    }
    None
}

/// `spec.backoffLimit`, defaulted to 6 as the API server would.
fn backoff_limit(job: &Job) -> i32 {
    job.spec.backoff_limit.unwrap_or(6)
}

/// `newFailureCondition`: `FailureTarget` first when terminal conditions
/// are delayed, else `Failed` at once.
fn new_failure_condition(cx: &Ctx, reason: &'static str, message: &'static str) -> Condition {
    let type_ = if cx.settings.job_delay_terminal_condition { "FailureTarget" } else { "Failed" };
    condition(type_, SmolStr::new_static(reason), SmolStr::new_static(message), cx.now)
}

/// `newSuccessCondition`: `SuccessCriteriaMet` first when terminal
/// conditions are delayed, else `Complete`; the reason exists only in
/// releases with JobSuccessPolicy, the same ones that delay.
fn new_success_condition(cx: &Ctx) -> Condition {
    if cx.settings.job_delay_terminal_condition {
        condition(
            "SuccessCriteriaMet",
            SmolStr::new_static("CompletionsReached"),
            SmolStr::new_static("Reached expected number of succeeded pods"),
            cx.now,
        )
    } else {
        condition("Complete", "", "", cx.now)
    }
}

/// Keeps the earliest wake-up, as the delaying work queue does.
fn requeue(out: &mut JobSyncOutcome, after: Millis) {
    out.requeue_after = Some(out.requeue_after.map_or(after, |r| r.min(after)));
}

/// Records deletions of `victims`, adjusting the active, ready and
/// terminating counts as `deleteActivePods`/`deleteJobPods` do.
fn delete_pods(cx: &mut Ctx, victims: &[&Pod], cause: PodDeleteCause) {
    let n = len_i32(victims.len());
    cx.counts.active -= n;
    cx.counts.ready -= len_i32(victims.iter().filter(|p| is_ready(p)).count());
    if track_terminating_pods(cx) {
        cx.counts.terminating += n;
    }
    cx.out.pods_to_delete.extend(victims.iter().map(|p| PodDeletion { pod: p.metadata.name.clone(), cause }));
}

/// `trackTerminatingPods`: on whenever JobPodReplacementPolicy is (the
/// same releases that delay terminal conditions), or with a podFailurePolicy.
fn track_terminating_pods(cx: &Ctx) -> bool {
    cx.settings.job_delay_terminal_condition || cx.job.spec.pod_failure_policy.is_some()
}

/// `manageJob`: suspend deletes everything; too many active pods are
/// deleted; too few are created once the backoff allows.
fn manage_job(cx: &mut Ctx) {
    if is_suspended(cx.job) {
        let mut victims = active_pods(cx);
        sort_for_removal(&mut victims);
        delete_pods(cx, &victims, PodDeleteCause::Suspended);
        return;
    }
    let want = want_active(cx.job, cx.counts.active, cx.counts.succeeded);
    let surplus = usize::try_from(cx.counts.active - want).unwrap_or(0);
    if surplus > 0 {
        let mut victims = active_pods(cx);
        sort_for_removal(&mut victims);
        victims.truncate(surplus.min(MAX_POD_CREATE_DELETE_PER_SYNC));
        delete_pods(cx, &victims, PodDeleteCause::TooManyActive);
        return;
    }
    let terminating = if only_replace_failed_pods(cx.job) { cx.counts.terminating } else { 0 };
    let diff = want - terminating - cx.counts.active;
    if diff <= 0 {
        return;
    }
    let remaining = cx.backoff.remaining(cx.now, cx.settings.pod_failure_backoff_cap);
    if remaining > 0 {
        requeue(&mut cx.out, remaining.max(MIN_BACKOFF_REQUEUE));
        // Upstream returns 0 here, so status.active reads 0 while the
        // replacement waits, even with pods still running.
        cx.counts.active = 0;
        return;
    }
    let n = diff.min(len_i32(MAX_POD_CREATE_DELETE_PER_SYNC));
    cx.out.pods_to_create = u32::try_from(n).unwrap_or(0);
    cx.counts.active += n;
}

/// The `JobSuspended` condition and its event (`ensureJobConditionStatus`);
/// resuming resets `status.startTime`.
fn apply_suspend_condition(cx: &mut Ctx, suspended: bool) {
    let (cstatus, reason, message, event) = if suspended {
        ("True", "JobSuspended", "Job suspended", "Suspended")
    } else {
        ("False", "JobResumed", "Job resumed", "Resumed")
    };
    let (reason, message) = (SmolStr::new_static(reason), SmolStr::new_static(message));
    if ensure_condition(&mut cx.out.status, "Suspended", cstatus, &reason, &message, cx.now) {
        cx.out.events.push(Event::normal(job_ref(cx.job), event, message));
        if !suspended {
            cx.start_time = Some(cx.now);
        }
    }
}

/// `ensureJobConditionStatus`: replace a condition of that type when
/// anything differs, append one unless its status is False; whether the
/// list changed.
fn ensure_condition(
    status: &mut JobStatus,
    type_: &str,
    cstatus: &str,
    reason: &SmolStr,
    message: &SmolStr,
    now: Time,
) -> bool {
    // Built only when written: most syncs find the condition as it is.
    let fresh = || {
        let mut c = condition(type_, reason.clone(), message.clone(), now);
        c.status = cstatus.into();
        c
    };
    if let Some(c) = status.conditions.iter_mut().find(|c| c.type_ == type_) {
        if c.status != cstatus || c.reason != *reason || c.message != *message {
            *c = fresh();
            return true;
        }
        return false;
    }
    if cstatus != "False" {
        status.conditions.push(fresh());
        return true;
    }
    false
}

/// `trackJobStatusAndRemoveFinalizers` with `flushUncountedAndRemoveFinalizers`
/// and `enactJobFinished`: count terminal pods (and, once the Job is
/// failing, every pod still holding the finalizer), write the interim
/// condition, and the terminal one once no pod is terminating.
fn track_status_and_finish<'a>(cx: &mut Ctx<'_, 'a>, settled: &[&'a Pod], mut finished: Option<Condition>) {
    let failing = finished.as_ref().is_some_and(|c| c.type_ != "SuccessCriteriaMet");
    let job_deleting = cx.job.metadata.deletion_timestamp.is_some();
    let mut uncounted = 0usize;
    let mut reached_max_uncounted = false;
    // Outside a finish or a deletion only terminal pods are counted, and
    // those are all settled; otherwise every pod with the finalizer is.
    let candidates = if job_deleting || finished.is_some() {
        cx.pods.all().into_iter().filter(|p| has_tracking_finalizer(p)).collect()
    } else {
        settled.to_vec()
    };
    for pod in candidates {
        let failed = is_pod_failed(pod, cx.job);
        let succeeded = pod.status.phase == crate::model::PodPhase::Succeeded;
        if !(job_deleting || finished.is_some() || succeeded || failed) {
            continue;
        }
        cx.out.pods_to_count.push(pod.metadata.name.clone());
        if succeeded {
            cx.out.status.succeeded = cx.out.status.succeeded.saturating_add(1);
            uncounted += 1;
        } else if failed || failing {
            let counts = cx
                .job
                .spec
                .pod_failure_policy
                .as_ref()
                .and_then(|pfp| match_pod_failure_policy(pfp, pod))
                .is_none_or(|m| m.counts());
            if counts {
                cx.out.status.failed = cx.out.status.failed.saturating_add(1);
                uncounted += 1;
            }
        }
        if uncounted >= MAX_UNCOUNTED_PODS {
            reached_max_uncounted = true;
            break;
        }
    }
    if let Some(c) = finished.take() {
        finished = Some(match c.type_.as_str() {
            "FailureTarget" => {
                let terminal = condition("Failed", c.reason.clone(), c.message.clone(), cx.now);
                cx.out.status.conditions.push(c);
                terminal
            }
            "SuccessCriteriaMet" => {
                let terminal = condition("Complete", c.reason.clone(), c.message.clone(), cx.now);
                if !cx.out.status.conditions.iter().any(|x| x.is_true("SuccessCriteriaMet")) {
                    cx.out.status.conditions.push(c);
                }
                terminal
            }
            _ => c,
        });
    }
    let Some(terminal) = finished else { return };
    if reached_max_uncounted || (cx.settings.job_delay_terminal_condition && cx.counts.terminating > 0) {
        return;
    }
    ensure_condition(
        &mut cx.out.status,
        &terminal.type_,
        "True",
        &terminal.reason,
        &terminal.message,
        cx.now,
    );
    let object = job_ref(cx.job);
    if terminal.type_ == "Complete" {
        cx.out.status.completion_time = Some(cx.now.trunc_seconds());
        if cx.job.spec.completions.is_some_and(|c| cx.out.status.succeeded > c) {
            cx.out.events.push(Event::warning(
                object.clone(),
                "TooManySucceededPods",
                "Too many succeeded pods running after completion count reached",
            ));
        }
        cx.out.events.push(Event::normal(object, "Completed", "Job completed"));
    } else {
        cx.out.events.push(Event::warning(object, terminal.reason.clone(), terminal.message.clone()));
    }
    cx.out.finished = Some(Finished { condition: terminal.type_, reason: terminal.reason });
}

/// How many pods should be active (`wantActive` in `manageJob`):
/// `parallelism` capped by the completions still needed; without
/// `completions`, `parallelism` until the first success, then the active ones.
pub fn want_active(job: &Job, active: i32, succeeded: i32) -> i32 {
    let parallelism = job.spec.parallelism.unwrap_or(1);
    match job.spec.completions {
        None if succeeded > 0 => active,
        None => parallelism,
        Some(c) => (c - succeeded).min(parallelism).max(0),
    }
}

/// `pastBackoffLimitOnFailure`: for `restartPolicy: OnFailure`, whether the
/// container restarts (init and regular) of Running and Pending pods reach
/// the backoff limit: sum `> 0` when the limit is 0, else sum `>= limit`.
pub fn past_backoff_limit_on_failure<P: std::borrow::Borrow<Pod>>(job: &Job, pods: &[P]) -> bool {
    let mut tally = PodTally::default();
    for p in pods {
        tally.count(p.borrow(), 1);
    }
    restarts_past_limit(job, tally.restarts)
}

/// [`past_backoff_limit_on_failure`] given the restart sum.
fn restarts_past_limit(job: &Job, restarts: i64) -> bool {
    if job.spec.template.spec.restart_policy != "OnFailure" {
        return false;
    }
    let limit = i64::from(backoff_limit(job));
    if limit == 0 { restarts > 0 } else { restarts >= limit }
}

/// `pastActiveDeadline`: `now - status.startTime >= activeDeadlineSeconds`,
/// never while suspended or with the start time or the deadline unset.
pub fn past_active_deadline(job: &Job, now: Time) -> bool {
    deadline_passed(job, job.status.start_time, now)
}

fn deadline_passed(job: &Job, start_time: Option<Time>, now: Time) -> bool {
    match (job.spec.active_deadline_seconds, start_time) {
        (Some(ads), Some(start)) if !is_suspended(job) => now.since(start) >= ads.saturating_mul(SECOND),
        _ => false,
    }
}

/// Slow-start batch sizes for creating `n` pods (`SlowStartInitialBatchSize`
/// 1, doubling after each batch): 1, 2, 4, … with the last one trimmed.
pub fn slow_start_batches(n: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let (mut left, mut batch) = (n, 1u32);
    while left > 0 {
        let b = batch.min(left);
        out.push(b);
        left -= b;
        batch = batch.saturating_mul(2);
    }
    out
}
