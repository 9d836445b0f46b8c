//! Job naming, the Job template and which Jobs a CronJob lists.

use crate::support::cronjob_policy::*;
use crate::support::t;
use cronwarp::model::{OwnerReference, Time};
use cronwarp::policy::Settings;
use cronwarp::policy::cronjob::{
    SCHEDULED_TIMESTAMP_ANNOTATION, is_controlled_by, job_from_template, job_from_template_in, job_name,
    jobs_for_cronjob,
};
use cronwarp::policy::settings::JobListing;
use cronwarp::schedule::Zone;

#[test]
fn job_name_is_minutes_since_the_epoch() {
    assert_eq!(job_name("mycronjob", t("2016-05-19T10:00:00Z")), "mycronjob-24394200");
    // Two ticks in one minute share a name (at most one Job per minute).
    assert_eq!(job_name("x", t("2016-05-19T10:00:30Z")), job_name("x", t("2016-05-19T10:00:00Z")));
}

#[test]
fn job_name_truncates_toward_zero_before_1970_like_go() {
    assert_eq!(job_name("x", Time(-61_000)), "x--1");
    assert_eq!(job_name("x", Time(-1_000)), "x-0");
}

#[test]
fn template_sets_owner_annotation_and_copies_template_metadata_only() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T09:30:00Z"), None);
    cj.metadata.labels.insert("cronjob-own".into(), "label".into());
    cj.spec.job_template.metadata.annotations.insert("x".into(), "y".into());
    cj.spec.job_template.spec.backoff_limit = Some(2);
    let tick = t("2016-05-19T10:00:00Z");
    let job = job_from_template(&cj, tick);
    assert_eq!(job.metadata.name, "mycronjob-24394200");
    assert_eq!(job.metadata.namespace, "", "upstream passes the namespace to CreateJob separately");
    assert_eq!(job.metadata.creation_timestamp, Some(tick));
    assert_eq!(job.metadata.labels.keys().collect::<Vec<_>>(), ["a"]);
    assert_eq!(job.metadata.annotations["x"], "y");
    assert_eq!(job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], "2016-05-19T10:00:00Z");
    assert_eq!(
        *job.metadata.owner_references,
        [OwnerReference {
            api_version: "batch/v1".into(),
            kind: "CronJob".into(),
            name: "mycronjob".into(),
            uid: "1a2b3c".into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]
    );
    assert_eq!(job.spec.backoff_limit, Some(2));
    assert!(is_controlled_by(&job, &cj));
}

#[test]
fn scheduled_annotation_follows_the_time_zone_across_dst() {
    let mut cj = cronjob("30 1 * * *", t("2024-10-01T00:00:00Z"), None);
    cj.spec.time_zone = Some("America/New_York".into());
    let edt = job_from_template(&cj, t("2024-11-03T05:30:00Z"));
    let est = job_from_template(&cj, t("2024-11-03T06:30:00Z"));
    assert_eq!(edt.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], "2024-11-03T01:30:00-04:00");
    assert_eq!(est.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], "2024-11-03T01:30:00-05:00");
}

#[test]
fn local_time_zone_is_the_controllers_zone_and_bad_zones_fail() {
    let mut cj = cronjob("0 * * * *", t("2016-05-19T09:30:00Z"), None);
    cj.spec.time_zone = Some("Local".into());
    let tokyo = Zone::Tz(chrono_tz::Asia::Tokyo);
    let job = job_from_template_in(&cj, t("2016-05-19T10:00:00Z"), tokyo).unwrap();
    assert_eq!(job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], "2016-05-19T19:00:00+09:00");
    cj.spec.time_zone = Some("Mars/Olympus".into());
    assert_eq!(
        job_from_template_in(&cj, t("2016-05-19T10:00:00Z"), Zone::Utc).unwrap_err(),
        "unknown time zone Mars/Olympus"
    );
    // The infallible form falls back to UTC.
    let job = job_from_template(&cj, t("2016-05-19T10:00:00Z"));
    assert_eq!(job.metadata.annotations[SCHEDULED_TIMESTAMP_ANNOTATION], "2016-05-19T10:00:00Z");
}

#[test]
fn listing_by_uid_ignores_a_recreated_cronjobs_old_jobs() {
    let old = cronjob("0 * * * *", t("2016-05-19T09:30:00Z"), None);
    let mut recreated = old.clone();
    recreated.metadata.uid = "new-uid".into();
    let old_job = owned_job(&old, "old");
    let new_job = owned_job(&recreated, "new");
    let jobs = [old_job, new_job];
    let names = |s: &Settings| -> Vec<String> {
        jobs_for_cronjob(&recreated, &jobs, s).iter().map(|j| j.metadata.name.to_string()).collect()
    };
    assert_eq!(names(&Settings::default()), ["new"]);
    let by_name = Settings { job_listing: JobListing::OwnerName, ..Settings::default() };
    assert_eq!(names(&by_name), ["old", "new"]);
}

#[test]
fn listing_by_name_is_per_namespace_and_needs_a_controller_ref() {
    let cj = cronjob("0 * * * *", t("2016-05-19T09:30:00Z"), None);
    let mut elsewhere = owned_job(&cj, "elsewhere");
    elsewhere.metadata.namespace = "other".into();
    let mut not_controller = owned_job(&cj, "not-controller");
    not_controller.metadata.owner_references[0].controller = None;
    let jobs = [elsewhere, not_controller];
    let by_name = Settings { job_listing: JobListing::OwnerName, ..Settings::default() };
    assert!(jobs_for_cronjob(&cj, &jobs, &by_name).is_empty());
    // The uid indexer is cluster-wide: the uid alone decides.
    let by_uid: Vec<_> =
        jobs_for_cronjob(&cj, &jobs, &Settings::default()).iter().map(|j| &j.metadata.name).collect();
    assert_eq!(by_uid, ["elsewhere"]);
}
