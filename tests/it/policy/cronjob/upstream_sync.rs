//! Port of upstream's `TestControllerV2SyncCronJob` (kubernetes
//! `pkg/controller/cronjob/cronjob_controllerv2_test.go`) against
//! `policy::cronjob::sync`. The rows live in
//! `support::upstream_sync`; this file builds each row's
//! objects the way upstream's loop does and checks every expectation.
//! All rows run; failures are collected and reported together.

use crate::support::fake_api::FakeApi;
use crate::support::fixtures::{
    CJ_NAMESPACE, CJ_UID, SCHEDULED_ANNOTATION, complete, cronjob, job_for, name_for, object_ref,
};
use crate::support::upstream_sync::{self as cases, Case, Fail, Requeue};
use cronwarp::model::{CronJob, Job, SECOND};
use cronwarp::policy::cronjob::{Decision, Deletion, SyncContext, SyncOutcome, sends_any, sync, with_facts};
use cronwarp::policy::{ApiError, Propagation, Settings};
use cronwarp::schedule::{Zone, format_rfc3339, load_location};
use std::panic::{AssertUnwindSafe, catch_unwind};

/// The uid upstream gives the pre-existing Job.
const OLD_JOB_UID: &str = "1234";

fn api_error(f: Fail) -> ApiError {
    match f {
        Fail::AlreadyExists => ApiError::AlreadyExists,
        Fail::NamespaceTerminating => ApiError::NamespaceTerminating,
        Fail::BadRequest => ApiError::Other("request is invalid".into()),
    }
}

/// The row's world, as upstream's loop builds it: the CronJob handed to
/// the sync, the lister's Jobs, the API server (holding `realCJ`, the
/// "fresh" copy, and the old Job), and the old Job if any.
struct Setup {
    cj: CronJob,
    jobs: Vec<Job>,
    api: FakeApi,
    old_job: Option<Job>,
}

fn setup(c: &Case) -> Setup {
    let mut cj = cronjob(c.schedule, c.policy, cases::JUST_BEFORE_THE_HOUR);
    cj.spec.suspend = Some(c.suspend);
    cj.spec.time_zone = c.time_zone.map(Into::into);
    cj.spec.starting_deadline_seconds = c.deadline;
    cj.spec.successful_jobs_history_limit = c.successful_limit;
    let mut real = cj.clone();
    let mut api = FakeApi::new();
    let mut jobs = Vec::new();
    let mut old_job = None;
    if c.ran_previously {
        cj.metadata.creation_timestamp = Some(c.cronjob_created.unwrap_or(cases::JUST_BEFORE_THE_PRIOR_HOUR));
        cj.status.last_schedule_time = Some(c.last_schedule.unwrap_or(cases::JUST_AFTER_THE_PRIOR_HOUR));
        let mut job = job_for(&cj, c.job_created, OLD_JOB_UID);
        let r = object_ref(&job);
        if c.job_in_active {
            cj.status.active = vec![r.clone()];
        }
        if c.still_active {
            real.status.active = vec![r];
        } else {
            complete(&mut job, c.job_created.add(10 * SECOND));
        }
        if !c.job_not_in_lister {
            jobs.push(job.clone());
        }
        api.put_job(job.clone());
        old_job = Some(job);
    } else {
        cj.metadata.creation_timestamp = Some(c.cronjob_created.unwrap_or(cases::JUST_BEFORE_THE_HOUR));
    }
    api.put_cronjob(real);
    api.create_err = c.create_err.map(api_error);
    if matches!(c.create_err, Some(Fail::AlreadyExists)) {
        // Upstream's fake GetJob returns its one Job whatever the name.
        api.job_for_any_name = old_job.clone();
    }
    // Upstream's `Err` fails GET and DELETE alike.
    api.get_job_err = c.get_err.map(api_error);
    api.delete_err = c.get_err.map(api_error);
    api.now = c.now;
    Setup { cj, jobs, api, old_job }
}

fn zone_of(c: &Case) -> Zone {
    match c.time_zone {
        Some(tz) => load_location(tz).map(|l| l.resolve(Zone::Utc)).unwrap_or(Zone::Utc),
        None => Zone::Utc,
    }
}

/// Every mismatch between the outcome and the row, as messages.
fn check(c: &Case, s: &Setup, out: &SyncOutcome) -> Vec<String> {
    let mut bad = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            bad.push(what);
        }
    };
    expect(out.error.is_some() == c.want_err, format!("error: want {}, got {:?}", c.want_err, out.error));
    if c.want_requeue != Requeue::Unchecked {
        let want = match c.want_requeue {
            Requeue::After(ms) => Some(ms),
            _ => None,
        };
        expect(
            out.requeue_after == want,
            format!("requeueAfter: want {want:?}, got {:?}", out.requeue_after),
        );
    }
    expect(
        out.status_changed == c.want_update_status,
        format!("updateStatus: want {}, got {}", c.want_update_status, out.status_changed),
    );
    let got_events: Vec<_> = out.events.iter().map(|e| (e.type_, e.reason.as_str())).collect();
    expect(got_events == c.want_events, format!("events: want {:?}, got {:?}", c.want_events, out.events));
    for e in &out.events {
        expect(e.object == "CronJob/snazzycats/mycronjob", format!("event on {:?}", e.object));
    }
    if c.ran_previously && !c.still_active {
        let want = Some(c.job_created.add(10 * SECOND));
        let got = out.cronjob.status.last_successful_time;
        expect(got == want, format!("lastSuccessfulTime: want {want:?}, got {got:?}"));
    }

    // Created Jobs (upstream: `len(jc.Jobs)` and the controller reference).
    let created = &s.api.created;
    expect(
        created.len() == usize::from(c.want_create.is_some()),
        format!("created: want {:?}, got {:?}", c.want_create, s.api.created_names()),
    );
    let created_bad = match (c.want_create, created.first()) {
        (Some(tick), Some(job)) => check_created(c, tick, job, out),
        _ => Vec::new(),
    };

    // Deleted Jobs (upstream: `len(jc.DeleteJobName)`).
    match (c.want_delete, &s.old_job) {
        (Some(cause), Some(old)) => {
            let want = vec![Deletion { job: old.metadata.name.clone(), cause, ok: true }];
            expect(out.deletions == want, format!("deletions: want {want:?}, got {:?}", out.deletions));
            let got: Vec<_> = s.api.deleted.iter().map(|d| (d.name.clone(), d.propagation)).collect();
            let want = vec![(old.metadata.name.to_string(), Propagation::Background)];
            expect(got == want, format!("API deletes: want {want:?}, got {got:?}"));
        }
        _ => {
            expect(s.api.deleted.is_empty(), format!("API deletes: want none, got {:?}", s.api.deleted));
            expect(out.deletions.is_empty(), format!("deletions: want none, got {:?}", out.deletions));
        }
    }

    expect(out.cronjob.spec == s.cj.spec, "the sync changed the spec".into());
    let decision_ok = match (&out.decision, c.want_create, c.want_adopt) {
        (Decision::Created { tick, job, .. }, Some(want), _) => {
            *tick == want && *job == name_for("mycronjob", want)
        }
        (Decision::Adopted { tick, .. }, None, Some(want)) => *tick == want,
        (Decision::ApiError { .. }, None, None) => c.want_err,
        (Decision::Created { .. } | Decision::Adopted { .. }, _, _) => false,
        (_, None, None) => !c.want_err,
        _ => false,
    };
    expect(decision_ok, format!("decision: got {:?}", out.decision));

    // The written status (only meaningful when it is written).
    if c.want_update_status {
        let active = &out.cronjob.status.active;
        expect(active.len() == c.want_active, format!("active: want {}, got {active:?}", c.want_active));
        let want_last = c.want_create.or(c.want_adopt).or(s.cj.status.last_schedule_time);
        let got = out.cronjob.status.last_schedule_time;
        expect(got == want_last, format!("lastScheduleTime: want {want_last:?}, got {got:?}"));
        if c.want_adopt.is_some() {
            let last = active.last().map(|r| r.uid.as_str());
            expect(last == Some(OLD_JOB_UID), format!("adopted ref: want uid {OLD_JOB_UID}, got {last:?}"));
        }
    }
    bad.extend(created_bad);
    bad
}

/// The created Job: name, namespace, controller reference, template copy.
fn check_created(c: &Case, tick: cronwarp::model::Time, job: &Job, out: &SyncOutcome) -> Vec<String> {
    let mut bad = Vec::new();
    let m = &job.metadata;
    let want_name = name_for("mycronjob", tick);
    if m.name != want_name {
        bad.push(format!("created name: want {want_name}, got {}", m.name));
    }
    if m.namespace != CJ_NAMESPACE {
        bad.push(format!("created namespace: want {CJ_NAMESPACE}, got {:?}", m.namespace));
    }
    match m.controller_ref() {
        Some(r)
            if r.api_version == "batch/v1"
                && r.kind == "CronJob"
                && r.name == "mycronjob"
                && r.uid == CJ_UID => {}
        other => bad.push(format!("controller ref: got {other:?}")),
    }
    if m.labels.get("a").map(|s| s.as_str()) != Some("b")
        || m.annotations.get("x").map(|s| s.as_str()) != Some("y")
    {
        bad.push(format!("template labels/annotations not copied: {:?} {:?}", m.labels, m.annotations));
    }
    let want_ts = format_rfc3339(tick.unix(), zone_of(c));
    if m.annotations.get(SCHEDULED_ANNOTATION).map(|s| s.as_str()) != Some(want_ts.as_str()) {
        bad.push(format!(
            "{SCHEDULED_ANNOTATION}: want {want_ts}, got {:?}",
            m.annotations.get(SCHEDULED_ANNOTATION)
        ));
    }
    if *job.spec != cases_job_spec() {
        bad.push(format!("created spec differs from the template: {:?}", job.spec));
    }
    let last = out.cronjob.status.active.last();
    if last.map(|r| (&r.name, &r.uid)) != Some((&m.name, &m.uid)) {
        bad.push(format!("new Job not last in active: {last:?}"));
    }
    bad
}

fn cases_job_spec() -> cronwarp::model::JobSpec {
    crate::support::fixtures::job_spec()
}

fn run(c: &Case) -> Result<Vec<String>, String> {
    let mut s = setup(c);
    let settings = Settings::default();
    let ctx = SyncContext { now: c.now, local: Zone::Utc, settings: &settings, detail: true };
    let (cj, jobs) = (s.cj.clone(), s.jobs.clone());
    let out = catch_unwind(AssertUnwindSafe(|| sync(&mut s.api, &cj, &jobs, ctx))).map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|m| m.to_string()))
            .unwrap_or_else(|| "panic".into())
    })?;
    Ok(check(c, &s, &out))
}

#[test]
fn upstream_table_has_every_row_once() {
    let all = cases::all();
    assert_eq!(all.len(), 74, "71 v1.29 rows + 3 lastSuccessfulTime rows");
    let mut names: Vec<_> = all.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), all.len(), "duplicate case names");
}

#[test]
fn controller_v2_sync_cronjob() {
    let filter = std::env::var("CASE").unwrap_or_default();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let all: Vec<Case> = cases::all().into_iter().filter(|c| c.name.contains(&filter)).collect();
    for c in &all {
        match run(c) {
            Ok(bad) if bad.is_empty() => {}
            Ok(bad) => failures.push(format!("{}:\n    {}", c.name, bad.join("\n    "))),
            Err(p) => failures.push(format!("{}: panicked: {p}", c.name)),
        }
    }
    std::panic::set_hook(hook);
    let notes: Vec<_> =
        all.iter().filter(|c| !c.note.is_empty()).map(|c| format!("{}: {}", c.name, c.note)).collect();
    println!("deviations from upstream's literal expectations:\n  {}", notes.join("\n  "));
    assert!(failures.is_empty(), "{}/{} rows failed:\n{}", failures.len(), all.len(), failures.join("\n"));
}

/// The capacity model's probe (`sends_any`) stops at the first write it is
/// sure of; on every row it answers as the full sync's own requests do.
#[test]
fn write_probe_agrees_with_the_full_sync_on_every_row() {
    let settings = Settings::default();
    let (mut sends, mut silent) = (0, 0);
    for c in &cases::all() {
        let ctx = SyncContext { now: c.now, local: Zone::Utc, settings: &settings, detail: true };
        let mut full = setup(c);
        let (cj, jobs) = (full.cj.clone(), full.jobs.clone());
        let out = sync(&mut full.api, &cj, &jobs, ctx);
        let writes = full.api.calls.iter().filter(|call| !call.starts_with("GET")).count();
        let expected = writes > 0 || out.status_changed;
        let mut probed = setup(c);
        let refs: Vec<&Job> = jobs.iter().collect();
        let mut facts = Vec::new();
        let listed = with_facts(&refs, &mut facts);
        assert_eq!(sends_any(&mut probed.api, &cj, &listed, ctx), expected, "{}", c.name);
        assert!(probed.api.created.is_empty() || expected, "{}: the probe created a Job", c.name);
        if expected { sends += 1 } else { silent += 1 }
    }
    assert!(sends > 10 && silent > 10, "the table has both kinds: {sends} writing, {silent} silent");
}
