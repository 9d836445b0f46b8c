//! The Job a tick produces: kubernetes `cronjob_controllerv2.go`
//! `getJobName` and `utils.go` `getJobFromTemplate2` (docs/fidelity/kubernetes-cronjob.md#cj-16).

use crate::model::{CronJob, Job, JobStatus, ObjectMeta, OwnerReference, Time};
use crate::schedule::{Location, Zone, format_rfc3339, load_location, rfc3339_text};
use smol_str::SmolStr;

/// The annotation carrying the scheduled time
/// (`batchv1.CronJobScheduledTimestampAnnotation`).
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// Mirrors `getJobName`: `<cronjob>-<minutes since the epoch>`, with Go's
/// truncating division (`Unix() / 60`).
pub fn job_name(cronjob_name: &str, scheduled: Time) -> SmolStr {
    let minutes = scheduled.unix() / 60;
    match u64::try_from(minutes) {
        Ok(m) => {
            let mut buf = crate::schedule::text::Digits::new();
            let digits = crate::schedule::text::decimal(m, &mut buf);
            crate::schedule::text::concat_smol(&[cronjob_name, "-", digits])
        }
        Err(_) => smol_str::format_smolstr!("{cronjob_name}-{minutes}"),
    }
}

/// The tick a Job was created for: its scheduled-timestamp annotation,
/// else the minutes in its `<cronjob>-<minutes>` name (Jobs created before
/// the annotation existed, kubernetes 1.28). `None` for a Job made by hand.
pub fn job_slot(job: &Job, cronjob_name: &str) -> Option<Time> {
    if let Some(t) = job.metadata.annotations.get(SCHEDULED_TIMESTAMP_ANNOTATION)
        && let Ok(t) = Time::parse_rfc3339(t)
    {
        return Some(t);
    }
    let minutes = job.metadata.name.strip_prefix(cronjob_name)?.strip_prefix('-')?.parse::<i64>().ok()?;
    Some(Time::from_unix(minutes.checked_mul(60)?))
}

/// Mirrors `getJobFromTemplate2` with UTC as the controller's local zone;
/// a `timeZone` that does not load (which the sync rejects before getting
/// here) formats the annotation in UTC.
pub fn job_from_template(cronjob: &CronJob, scheduled: Time) -> Job {
    job_from_template_in(cronjob, scheduled, Zone::Utc)
        .unwrap_or_else(|_| build(cronjob, scheduled, Zone::Utc))
}

/// Mirrors `getJobFromTemplate2`: name, the template's labels and
/// annotations plus the scheduled-timestamp annotation (RFC 3339 in
/// `spec.timeZone`, `""` meaning UTC, `Local` meaning `local`), the request's
/// creationTimestamp set to the tick (the API server ignores it), the
/// controller owner reference, and a copy of the Job spec. The namespace is
/// left empty, as upstream passes it to `CreateJob` separately. Fails with
/// `time.LoadLocation`'s error.
pub fn job_from_template_in(cronjob: &CronJob, scheduled: Time, local: Zone) -> Result<Job, String> {
    let zone = match load_location(cronjob.spec.time_zone.as_deref().unwrap_or(""))? {
        Location::Local => local,
        Location::Zone(z) => z,
    };
    Ok(build(cronjob, scheduled, zone))
}

fn build(cronjob: &CronJob, scheduled: Time, zone: Zone) -> Job {
    let template = &cronjob.spec.job_template;
    let mut annotations = template.metadata.annotations.clone();
    annotations.insert(
        SmolStr::new_static(SCHEDULED_TIMESTAMP_ANNOTATION),
        match rfc3339_text(scheduled.unix(), zone, &mut [0u8; 25]) {
            Some(text) => SmolStr::new(text),
            None => format_rfc3339(scheduled.unix(), zone).into(),
        },
    );
    Job {
        metadata: ObjectMeta {
            name: job_name(&cronjob.metadata.name, scheduled),
            labels: template.metadata.labels.clone(),
            annotations,
            creation_timestamp: Some(scheduled),
            owner_references: vec![controller_ref(cronjob)].into(),
            ..ObjectMeta::default()
        },
        spec: template.spec.clone(),
        // Not `..Job::default()`: that would allocate a default spec only
        // to drop it.
        api_version: SmolStr::default(),
        kind: SmolStr::default(),
        status: JobStatus::default(),
    }
}

/// `metav1.NewControllerRef(cronJob, batch/v1 CronJob)`.
fn controller_ref(cronjob: &CronJob) -> OwnerReference {
    OwnerReference {
        api_version: "batch/v1".into(),
        kind: "CronJob".into(),
        name: cronjob.metadata.name.clone(),
        uid: cronjob.metadata.uid.clone(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}
