//! One reconcile: kubernetes `cronjob_controllerv2.go` `ControllerV2.sync`
//! (after the lister lookup) and `syncCronJob` (docs/fidelity/kubernetes-cronjob.md#cj-2).

use super::gotime::{GO_ZERO, quote};
use super::history::{cleanup_finished_jobs, delete_from_active, delete_job, over_limits};
use super::listed::{ListedJob, with_facts};
use super::missed::{self, MostRecent, ScheduleFault};
use super::ownership::{in_active_list, in_active_list_by_name, is_controlled_by, job_ref};
use super::record::Recorder;
use super::template::{job_from_template_in, job_name};
use super::{Decision, DeleteCause, Missed, SyncContext, SyncOutcome, Working};
use crate::model::{ConcurrencyPolicy, CronJob, Job, Millis, Time};
use crate::policy::api::{Api, ApiError, Propagation};
use crate::schedule::kube::controller_schedule;
use crate::schedule::text::concat_smol;
use crate::schedule::{Schedule, load_location};
use smol_str::SmolStr;
use std::sync::Arc;

/// The v1 controller's FailedNeedsStart message for more than 100 misses.
pub const V1_TOO_MANY_MISSED: &str = "Cannot determine if job needs to be started: too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew";

const TOO_MANY_MISSED_TAIL: &str = "Set or decrease .spec.startingDeadlineSeconds or check clock skew";

/// Mirrors `ControllerV2.sync` after the lister lookup:
/// `cleanupFinishedJobs`, then `syncCronJob`. `jobs` are the Jobs the
/// controller lists for this CronJob (see
/// [`Settings::job_listing`](crate::policy::Settings) and
/// [`jobs_for_cronjob`](super::jobs_for_cronjob)). `UpdateStatus` is left
/// to the caller ([`SyncOutcome::status_changed`]); when it fails, the real
/// controller drops `requeue_after` and retries with its rate limiter.
pub fn sync(api: &mut dyn Api, cronjob: &CronJob, jobs: &[Job], ctx: SyncContext<'_>) -> SyncOutcome {
    let jobs: Vec<&Job> = jobs.iter().collect();
    sync_refs(api, cronjob, &jobs, ctx)
}

/// [`sync`] over borrowed Jobs, so a caller whose Jobs live elsewhere (the
/// simulator's informer cache) need not copy them.
pub fn sync_refs(api: &mut dyn Api, cronjob: &CronJob, jobs: &[&Job], ctx: SyncContext<'_>) -> SyncOutcome {
    let mut facts = Vec::new();
    let jobs = with_facts(jobs, &mut facts);
    let out = sync_cow(api, cronjob, &jobs, ctx);
    SyncOutcome {
        cronjob: out.cronjob.into_owned(),
        status_changed: out.status_changed,
        error: out.error,
        requeue_after: out.requeue_after,
        events: out.events,
        unbuilt_events: out.unbuilt_events,
        decision: out.decision,
        deletions: out.deletions,
    }
}

/// [`sync_refs`] that copies the CronJob only once it changes (upstream's
/// `DeepCopy` is invisible): a sync that writes nothing copies nothing.
/// The Jobs come with what the sync reads of them ([`ListedJob`]), which a
/// caller keeping Jobs computes once per version.
pub fn sync_cow<'c>(
    api: &mut dyn Api,
    cronjob: &'c CronJob,
    jobs: &[ListedJob<'_>],
    ctx: SyncContext<'_>,
) -> SyncOutcome<Working<'c>> {
    let mut rec = Recorder::new(cronjob, ctx.detail);
    let mut run = Run::new(cronjob, false);
    let cleaned = cleanup_finished_jobs(api, &mut run.work, jobs, &mut rec);
    let exit = sync_cronjob(api, &mut run, jobs, ctx, &mut rec);
    let hung = matches!(exit.decision, Decision::WorkerHung { .. });
    let status_changed = !hung && (cleaned || run.update);
    SyncOutcome {
        cronjob: run.written.unwrap_or(run.work),
        status_changed,
        error: if exit.requeue.is_some() { None } else { exit.error },
        requeue_after: exit.requeue,
        events: rec.events,
        unbuilt_events: rec.unbuilt,
        decision: exit.decision,
        deletions: rec.deletions,
    }
}

/// Whether a sync of `cronjob` now would send any request: a DELETE or
/// CREATE of a Job, or the `UpdateStatus` after them. kube-controller-manager's
/// capacity model asks this before a worker waits for its client's token
/// bucket, since a sync that sends nothing never touches the rate limiter.
/// The answer is [`sync_cow`]'s (its creates and deletes, plus one for a
/// status it changed), but the walk stops at the first write it is sure
/// of: finished Jobs over a history limit (`cleanupFinishedJobs` deletes at
/// least one), or a Job to create.
pub fn sends_any(api: &mut dyn Api, cronjob: &CronJob, jobs: &[ListedJob<'_>], ctx: SyncContext<'_>) -> bool {
    if over_limits(cronjob, jobs) {
        return true;
    }
    let mut api = Counted { api, sent: false };
    let mut rec = Recorder::new(cronjob, false);
    let mut run = Run::new(cronjob, true);
    let exit = sync_cronjob(&mut api, &mut run, jobs, ctx, &mut rec);
    let hung = matches!(exit.decision, Decision::WorkerHung { .. });
    api.sent || run.stopped || (!hung && run.update)
}

/// An [`Api`] that notes whether a write went through it.
struct Counted<'a> {
    api: &'a mut dyn Api,
    sent: bool,
}

impl Api for Counted<'_> {
    fn get_cronjob(&mut self, namespace: &str, name: &str) -> Result<CronJob, ApiError> {
        self.api.get_cronjob(namespace, name)
    }

    fn get_job(&mut self, namespace: &str, name: &str) -> Result<Job, ApiError> {
        self.api.get_job(namespace, name)
    }

    fn create_job(&mut self, job: Job) -> Result<Arc<Job>, ApiError> {
        self.sent = true;
        self.api.create_job(job)
    }

    fn delete_job(&mut self, namespace: &str, name: &str, propagation: Propagation) -> Result<(), ApiError> {
        self.sent = true;
        self.api.delete_job(namespace, name, propagation)
    }
}

/// The CronJob `syncCronJob` works on. Upstream rebinds its local pointer to
/// a freshly fetched object in one case; from then on its changes go to
/// that object while `sync` still writes its own copy, so they are lost.
struct Run<'c> {
    work: Working<'c>,
    /// The copy `sync` writes, once `work` has been rebound.
    written: Option<Working<'c>>,
    /// `syncCronJob`'s `updateStatus`.
    update: bool,
    /// Only whether the sync writes is asked ([`sends_any`]): stop before
    /// building a Job to create.
    probe: bool,
    /// A probe stopped there.
    stopped: bool,
}

impl<'c> Run<'c> {
    fn new(cronjob: &'c CronJob, probe: bool) -> Run<'c> {
        Run { work: Working::borrowed(cronjob), written: None, update: false, probe, stopped: false }
    }

    fn rebind(&mut self, fresh: CronJob) {
        let fresh = self.work.fetched(fresh);
        let old = std::mem::replace(&mut self.work, fresh);
        self.written.get_or_insert(old);
    }
}

/// How `syncCronJob` returned.
struct Exit {
    requeue: Option<Millis>,
    error: Option<ApiError>,
    decision: Decision,
}

impl Exit {
    fn stop(decision: Decision) -> Exit {
        Exit { requeue: None, error: None, decision }
    }

    fn api(error: ApiError) -> Exit {
        Exit { requeue: None, decision: Decision::ApiError { error: error.to_string() }, error: Some(error) }
    }

    /// A walk that never returns; callers handle `TooClose` themselves, as
    /// only `mostRecentScheduleTime`'s own check raises it.
    fn hung(fault: ScheduleFault, job: Option<SmolStr>) -> Exit {
        let at = match fault {
            ScheduleFault::NeverReturns { at } => at,
            ScheduleFault::TooClose => GO_ZERO,
        };
        Exit::stop(Decision::WorkerHung { at, job })
    }
}

/// Mirrors `syncCronJob` (docs/fidelity/kubernetes-cronjob.md#cj-2).
fn sync_cronjob(
    api: &mut dyn Api,
    run: &mut Run,
    jobs: &[ListedJob<'_>],
    ctx: SyncContext<'_>,
    rec: &mut Recorder,
) -> Exit {
    let now = ctx.now;
    if let Err(e) = reconcile_jobs(api, run, jobs, ctx, rec) {
        return Exit::api(e);
    }
    let cj = &run.work;
    if cj.metadata.deletion_timestamp.is_some() {
        return Exit::stop(Decision::Deleting);
    }
    if let Some(tz) = &cj.spec.time_zone
        && let Err(e) = load_location(tz)
    {
        rec.warning("UnknownTimeZone", format!("invalid timeZone: {}: {e}", quote(tz)));
        return Exit::stop(Decision::UnknownTimeZone);
    }
    if cj.spec.suspended() {
        return Exit::stop(Decision::Suspended);
    }
    let (tz_in_schedule, parsed) = controller_schedule(&cj.spec.schedule, cj.spec.time_zone.as_deref());
    if tz_in_schedule {
        rec.warning(
            "UnsupportedSchedule",
            format!(
                "CRON_TZ or TZ used in schedule {} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                quote(&cj.spec.schedule)
            ),
        );
    }
    let sched = match parsed {
        Ok(s) => s,
        Err(e) => {
            rec.warning(
                "UnparseableSchedule",
                format!("unparseable schedule: {} : {e}", quote(&cj.spec.schedule)),
            );
            return Exit::stop(Decision::Unparseable);
        }
    };
    let (tick, estimate) = match missed::scheduled_tick(cj, now, &sched, ctx.local) {
        Ok(r) => r,
        Err(ScheduleFault::TooClose) => {
            rec.warning(
                "InvalidSchedule",
                format!("invalid schedule: {} : {}", cj.spec.schedule, ScheduleFault::TooClose),
            );
            return Exit::stop(Decision::InvalidSchedule);
        }
        Err(stuck) => return Exit::hung(stuck, None),
    };
    let Some(tick) = tick else {
        let decision = match estimate.missed {
            Missed::None => Decision::NothingDue,
            missed => Decision::EstimateDroppedMisses { missed },
        };
        return requeue(run, ctx, &sched, decision);
    };
    let too_many = estimate.missed == Missed::Many;
    if ctx.settings.legacy_give_up_after_100_misses {
        match missed::exact_missed_count(cj, now, &sched, ctx.local, 101) {
            Ok(n) if n > 100 => {
                rec.warning("FailedNeedsStart", SmolStr::new_static(V1_TOO_MANY_MISSED));
                return requeue(run, ctx, &sched, Decision::TooManyMissesGaveUp { tick });
            }
            Ok(_) => {}
            Err(stuck) => return Exit::hung(stuck, None),
        }
    } else if too_many {
        rec.warning("TooManyMissedTimes", too_many_missed_message(&estimate, ctx));
    }
    if let Some(sds) = cj.spec.starting_deadline_seconds
        && super::gotime::add_seconds(tick, sds) < now
    {
        rec.warning("MissSchedule", format!("Missed scheduled time to start a job: {}", rfc1123z_utc(tick)));
        return requeue(run, ctx, &sched, Decision::TooLate { tick });
    }
    let name = job_name(&cj.metadata.name, tick);
    if in_active_list_by_name(cj, &name) || cj.status.last_schedule_time == Some(tick) {
        return requeue(run, ctx, &sched, Decision::AlreadyProcessed { tick });
    }
    match cj.spec.policy() {
        ConcurrencyPolicy::Forbid if !cj.status.active.is_empty() => {
            rec.normal("JobAlreadyActive", || {
                SmolStr::new_static(
                    "Not starting job because prior execution is running and concurrency policy is Forbid",
                )
            });
            return requeue(run, ctx, &sched, Decision::ForbidSkip { tick });
        }
        ConcurrencyPolicy::Replace => {
            if let Err(exit) = replace_active(api, run, rec) {
                return exit;
            }
        }
        _ => {}
    }
    create(api, run, ctx, rec, &sched, tick, too_many)
}

/// `syncCronJob` steps 1 and 2: reconcile the listed Jobs with
/// `status.active` and `lastSuccessfulTime`, then drop active refs whose
/// Job is gone.
fn reconcile_jobs(
    api: &mut dyn Api,
    run: &mut Run,
    jobs: &[ListedJob<'_>],
    ctx: SyncContext<'_>,
    rec: &mut Recorder,
) -> Result<(), ApiError> {
    let same_pass = ctx.settings.last_successful_time_same_pass;
    for &ListedJob { job: j, facts } in jobs {
        let uid = &facts.uid;
        let found = in_active_list(&run.work, uid);
        let Some(terminal) = facts.finished else {
            if found {
                continue;
            }
            let fresh = api.get_cronjob(&run.work.metadata.namespace, &run.work.metadata.name)?;
            if in_active_list(&fresh, uid) {
                run.rebind(fresh);
                continue;
            }
            rec.warning(
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {}", j.metadata.name),
            );
            continue;
        };
        if found {
            delete_from_active(run.work.to_mut(), uid);
            // The wording changed together with PR #122025's restructure.
            let label = if same_pass { "condition" } else { "status" };
            rec.normal("SawCompletedJob", || {
                concat_smol(&["Saw completed job: ", &j.metadata.name, ", ", label, ": ", terminal.as_str()])
            });
            run.update = true;
            if !same_pass {
                continue;
            }
        }
        if facts.complete {
            record_success(run, facts.completion_time);
        }
    }
    // Only the refs no listed Job accounts for are looked up (a snapshot:
    // the loop edits the list). Upstream keeps the listed uids in a set; the
    // active list is short, so a scan of the listed Jobs finds the same.
    let unlisted: Vec<_> = run
        .work
        .status
        .active
        .iter()
        .filter(|r| !jobs.iter().any(|l| l.facts.uid == r.uid))
        .cloned()
        .collect();
    for r in unlisted {
        match api.get_job(&r.namespace, &r.name) {
            Err(ApiError::NotFound) => {
                rec.normal("MissingJob", || format!("Active job went missing: {}", r.name));
                delete_from_active(run.work.to_mut(), &r.uid);
                run.update = true;
            }
            Err(e) => return Err(e),
            // Found live but not listed (informer lag, or orphaned): kept.
            Ok(_) => {}
        }
    }
    Ok(())
}

/// `lastSuccessfulTime` from a succeeded Job: set when unset (even to a
/// nil completionTime), raised when the Job completed later.
fn record_success(run: &mut Run, completion_time: Option<Time>) {
    let before = run.work.status.last_successful_time;
    let mut after = before;
    if after.is_none() {
        after = completion_time;
        run.update = true;
    }
    if let (Some(done), Some(last)) = (completion_time, after)
        && done > last
    {
        after = Some(done);
        run.update = true;
    }
    if after != before {
        run.work.to_mut().status.last_successful_time = after;
    }
}

/// `concurrencyPolicy: Replace`: GET and delete every active Job.
fn replace_active(api: &mut dyn Api, run: &mut Run, rec: &mut Recorder) -> Result<(), Exit> {
    for r in run.work.status.active.clone() {
        let job = match api.get_job(&r.namespace, &r.name) {
            Ok(j) => j,
            Err(e) => {
                rec.warning("FailedGet", format!("Get job: {e}"));
                return Err(Exit::api(e));
            }
        };
        if !delete_job(api, &mut run.work, &job, DeleteCause::Replace, rec) {
            let msg = format!("could not replace job {}/{}", job.metadata.namespace, job.metadata.name);
            return Err(Exit::api(ApiError::Other(msg)));
        }
        run.update = true;
    }
    Ok(())
}

/// `syncCronJob` step 6: create the Job (or adopt it on AlreadyExists) and
/// record it in the status.
fn create(
    api: &mut dyn Api,
    run: &mut Run,
    ctx: SyncContext<'_>,
    rec: &mut Recorder,
    sched: &Schedule,
    tick: Time,
    too_many_missed: bool,
) -> Exit {
    if run.probe {
        run.stopped = true;
        return Exit::stop(Decision::NothingDue);
    }
    let cj = &run.work;
    let mut req = match job_from_template_in(cj, tick, ctx.local) {
        Ok(j) => j,
        Err(e) => return Exit::api(ApiError::Other(e)),
    };
    req.metadata.namespace = cj.metadata.namespace.clone();
    let name = req.metadata.name.clone();
    let (resp, adopted) = match api.create_job(req) {
        Ok(resp) => {
            rec.normal("SuccessfulCreate", || concat_smol(&["Created job ", &resp.metadata.name]));
            (resp, false)
        }
        Err(ApiError::NamespaceTerminating) => return Exit::api(ApiError::NamespaceTerminating),
        Err(ApiError::AlreadyExists) => {
            let existing = match api.get_job(&cj.metadata.namespace, &name) {
                Ok(j) => j,
                Err(e) => return Exit::api(e),
            };
            if !is_controlled_by(&existing, cj) || in_active_list(cj, &existing.metadata.uid) {
                return Exit::stop(Decision::AlreadyExistsIgnored { tick, job: name });
            }
            (Arc::new(existing), true)
        }
        Err(e) => {
            rec.warning("FailedCreate", format!("Error creating job: {e}"));
            return Exit::api(e);
        }
    };
    let status = &mut run.work.to_mut().status;
    status.active.push(job_ref(&resp));
    status.last_schedule_time = Some(tick);
    run.update = true;
    let job = resp.metadata.name.clone();
    match missed::requeue_after(&run.work, ctx.now, sched, ctx.local) {
        Ok(d) => {
            let decision = if adopted {
                Decision::Adopted { tick, job }
            } else {
                Decision::Created { tick, job, too_many_missed }
            };
            Exit { requeue: Some(d), error: None, decision }
        }
        Err(stuck) => Exit::hung(stuck, Some(job)),
    }
}

/// Returns with `nextScheduleTimeDuration` as the requeue.
fn requeue(run: &Run, ctx: SyncContext<'_>, sched: &Schedule, decision: Decision) -> Exit {
    match missed::requeue_after(&run.work, ctx.now, sched, ctx.local) {
        Ok(d) => Exit { requeue: Some(d), error: None, decision },
        Err(stuck) => Exit::hung(stuck, None),
    }
}

/// The TooManyMissedTimes text: with the estimated count before PR #121327.
fn too_many_missed_message(estimate: &MostRecent, ctx: SyncContext<'_>) -> String {
    if ctx.settings.too_many_missed_message_with_count {
        format!("too many missed start times: {}. {TOO_MANY_MISSED_TAIL}", estimate.count)
    } else {
        format!("too many missed start times. {TOO_MANY_MISSED_TAIL}")
    }
}

/// Go's `t.UTC().Format(time.RFC1123Z)`.
fn rfc1123z_utc(t: Time) -> String {
    match chrono::DateTime::from_timestamp(t.unix(), 0) {
        Some(d) => d.format("%a, %d %b %Y %H:%M:%S +0000").to_string(),
        None => t.to_string(),
    }
}
