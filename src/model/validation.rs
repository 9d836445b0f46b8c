//! The API server's create and update validation of CronJobs and Jobs
//! (kubernetes `pkg/apis/batch/validation/validation.go`), with errors
//! worded as the API server words them and positioned in the manifest.
//!
//! Validation runs on defaulted objects, as in the API server; [`admit`]
//! does both. Not modelled: label and annotation syntax, the pod spec
//! beyond containers and restart policy, `successPolicy`,
//! `maxFailedIndexes`, `managedBy`, and update immutability of Jobs.

use super::cronjob::{CronJob, CronJobSpec};
use super::defaults::{set_object_defaults_cronjob, set_object_defaults_job};
use super::field::{BadValue, FieldError, dns1123_label_errors, dns1123_subdomain_errors};
use super::job::{Job, JobTemplateSpec};
use super::manifest::{Located, Manifests};
use super::meta::ObjectMeta;
use super::validation_job::validate_job_spec;
use super::yaml::{YamlError, closest};
use crate::schedule::kube::{FieldErrorKind, validate_schedule, validate_time_zone};

pub use super::field::{ErrorType, go_quote};

/// The longest CronJob name: Job names (at most 63) add `-` and 10 digits.
pub const MAX_CRONJOB_NAME: usize = 52;

/// Mirrors `ValidateCronJobCreate`: metadata, spec, then the 52-character
/// name limit.
pub fn validate_cronjob_create(cj: &CronJob) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta(&cj.metadata, &mut errs);
    validate_cronjob_spec(&cj.spec, None, &mut errs);
    let name = &cj.metadata.name;
    if name.len() > MAX_CRONJOB_NAME {
        errs.push(
            FieldError::invalid(
                "metadata.name",
                BadValue::Str(name.to_string()),
                "must be no more than 52 characters",
            )
            .with_hint(format!(
                "shorten the name to 52 characters or fewer (it has {}): each Job is named \
                     <cronjob>-<minutes since epoch>, and Job names are limited to 63",
                name.len()
            )),
        );
    }
    errs
}

/// Mirrors `ValidateCronJobUpdate`: no name-length check (old, long names
/// stay editable), a `TZ` already in the old schedule is grandfathered, and
/// `timeZone` is checked only when it changed.
pub fn validate_cronjob_update(new: &CronJob, old: &CronJob) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_cronjob_spec(&new.spec, Some(&old.spec), &mut errs);
    errs
}

/// Mirrors `validateCronJobSpec`.
fn validate_cronjob_spec(spec: &CronJobSpec, old: Option<&CronJobSpec>, errs: &mut Vec<FieldError>) {
    let tz = spec.time_zone.as_deref();
    let old_schedule = old.map(|o| o.schedule.as_str());
    errs.extend(validate_schedule(&spec.schedule, tz, old_schedule).into_iter().map(from_schedule_error));
    errs.extend(FieldError::nonnegative(
        "spec.startingDeadlineSeconds",
        spec.starting_deadline_seconds,
        "use 0 or more seconds, or remove the field for no deadline (0 means a missed start is never run)",
    ));
    if old.is_none_or(|o| o.time_zone != spec.time_zone) {
        errs.extend(validate_time_zone(tz).into_iter().map(from_schedule_error));
    }
    validate_concurrency_policy(&spec.concurrency_policy, errs);
    validate_job_template_spec(&spec.job_template, "spec.jobTemplate", errs);
    let limits = [
        ("spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit),
        ("spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit),
    ];
    for (field, value) in limits {
        errs.extend(FieldError::nonnegative(
            field,
            value.map(i64::from),
            "use 0 or more (0 keeps no finished Jobs), or remove the field for the default",
        ));
    }
}

/// Mirrors `validateConcurrencyPolicy` (an empty value only reaches it
/// without defaulting).
fn validate_concurrency_policy(policy: &str, errs: &mut Vec<FieldError>) {
    const FIELD: &str = "spec.concurrencyPolicy";
    let allowed = ["Allow", "Forbid", "Replace"];
    if policy.is_empty() {
        errs.push(
            FieldError::required(FIELD, "").with_hint("set concurrencyPolicy: Allow, Forbid or Replace"),
        );
    } else if !allowed.contains(&policy) {
        let hint = match closest(policy, &allowed) {
            Some(c) => format!("did you mean `{c}`? (Allow, Forbid or Replace; case matters)"),
            None => "use Allow, Forbid or Replace".to_string(),
        };
        errs.push(FieldError::not_supported(FIELD, BadValue::Str(policy.into()), &allowed).with_hint(hint));
    }
}

/// Mirrors `ValidateJobTemplateSpec`: the JobSpec checks, and the selector
/// must be left to the controller.
pub fn validate_job_template_spec(t: &JobTemplateSpec, path: &str, errs: &mut Vec<FieldError>) {
    let spec_path = format!("{path}.spec");
    validate_job_spec(&t.spec, &spec_path, errs);
    if let Some(sel) = &t.spec.selector {
        errs.push(
            FieldError::invalid(
                format!("{spec_path}.selector"),
                BadValue::Raw(sel.to_string()),
                "`selector` will be auto-generated",
            )
            .with_hint("remove the selector: the Job controller generates one per Job"),
        );
    }
    if t.spec.manual_selector == Some(true) {
        errs.push(
            FieldError::not_supported(
                format!("{spec_path}.manualSelector"),
                BadValue::Bool(true),
                &["nil", "false"],
            )
            .with_hint("remove manualSelector (or set it to false)"),
        );
    }
}

/// Mirrors `ValidateJob` on create, after the strategy has generated the
/// selector: metadata, the JobSpec checks, and, for a Job that carries a
/// selector without `manualSelector: true`, that the selector is the
/// generated one (it selects the Job's own uid).
pub fn validate_job_create(job: &Job) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_object_meta(&job.metadata, &mut errs);
    let spec = &job.spec;
    let manual = spec.manual_selector == Some(true);
    match &spec.selector {
        Some(sel) if !manual && !is_generated_selector(sel, &job.metadata) => errs.push(
            FieldError::invalid(
                "spec.selector",
                BadValue::Raw(sel.to_string()),
                "`selector` not auto-generated",
            )
            .with_hint("remove spec.selector (it is generated), or set spec.manualSelector: true"),
        ),
        None if manual => errs.push(
            FieldError::required("spec.selector", "")
                .with_hint("with manualSelector: true, write a selector"),
        ),
        _ => {}
    }
    validate_job_spec(spec, "spec", &mut errs);
    errs
}

/// Whether a selector is one `generateSelector` could have produced: its
/// `matchLabels` select only the Job's uid and name labels
/// (`validateGeneratedSelector`). The API server assigns the uid before
/// validating, so an absent uid (a hand-written manifest) is not checked.
fn is_generated_selector(sel: &serde_json::Value, meta: &ObjectMeta) -> bool {
    let expected = [
        ("batch.kubernetes.io/controller-uid", meta.uid.as_str()),
        ("controller-uid", meta.uid.as_str()),
        ("batch.kubernetes.io/job-name", meta.name.as_str()),
        ("job-name", meta.name.as_str()),
    ];
    let Some(labels) = sel.get("matchLabels").and_then(|m| m.as_object()) else { return true };
    labels
        .iter()
        .all(|(k, v)| expected.iter().any(|(ek, ev)| ek == k && (ev.is_empty() || v.as_str() == Some(ev))))
}

/// The parts of `ValidateObjectMeta` (with `ValidateReplicationControllerName`)
/// that apply: a name that is a DNS-1123 subdomain, a namespace that is a
/// DNS-1123 label.
fn validate_object_meta(meta: &ObjectMeta, errs: &mut Vec<FieldError>) {
    validate_object_name(&meta.name, errs);
    if !meta.namespace.is_empty() {
        for msg in dns1123_label_errors(&meta.namespace) {
            errs.push(
                FieldError::invalid("metadata.namespace", BadValue::Str(meta.namespace.to_string()), msg)
                    .with_hint("use lower-case letters, digits and '-', at most 63 characters"),
            );
        }
    }
}

/// `metadata.name` as `ValidateObjectMeta` checks it with
/// `NameIsDNSSubdomain`: required, and a DNS-1123 subdomain. The API server
/// checks custom resources' names (Crossplane's CronOperations) the same
/// way.
pub(crate) fn validate_object_name(name: &str, errs: &mut Vec<FieldError>) {
    if name.is_empty() {
        errs.push(
            FieldError::required("metadata.name", "name or generateName is required")
                .with_hint("set metadata.name"),
        );
        return;
    }
    for msg in dns1123_subdomain_errors(name) {
        errs.push(FieldError::invalid("metadata.name", BadValue::Str(name.to_string()), msg).with_hint(
            "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        ));
    }
}

/// The IANA zone name closest to a misspelt `name` (`europe/berlin`,
/// `America/New_Yrok`), for "did you mean" hints.
pub fn closest_zone(name: &str) -> Option<&'static str> {
    let names: Vec<&'static str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    closest(name, &names)
}

/// The schedule layer's errors in this layer's shape, with hints.
fn from_schedule_error(e: crate::schedule::kube::FieldError) -> FieldError {
    let zone_hint;
    let hint = if e.field == "spec.timeZone" {
        zone_hint = match closest_zone(&e.value) {
            Some(c) => format!("did you mean `{c}`? (IANA zone names are case-sensitive)"),
            None => {
                "use an IANA zone name such as Europe/Berlin, or remove timeZone for the controller's zone \
                     (normally UTC)"
                    .to_string()
            }
        };
        zone_hint.as_str()
    } else if e.kind == FieldErrorKind::Required {
        "set spec.schedule, e.g. \"*/5 * * * *\""
    } else if e.detail.contains("cannot use both") {
        "remove the TZ=/CRON_TZ= prefix from the schedule, or unset spec.timeZone"
    } else if e.detail.contains("TZ") {
        "remove the TZ=/CRON_TZ= prefix and set spec.timeZone instead"
    } else {
        "use five fields (minute hour day-of-month month day-of-week), or @hourly, @daily, @every 1h and the like"
    };
    match e.kind {
        FieldErrorKind::Required => FieldError::required(e.field, e.detail).with_hint(hint),
        FieldErrorKind::Invalid => {
            FieldError::invalid(e.field, BadValue::Str(e.value), e.detail).with_hint(hint)
        }
    }
}

/// Positions field errors in the object's manifest.
pub fn locate<T>(obj: &Located<T>, errs: &[FieldError]) -> Vec<YamlError> {
    errs.iter()
        .map(|e| {
            let d = obj.error_at(&e.field, e.to_string());
            if e.hint.is_empty() { d } else { d.with_hint(e.hint.clone()) }
        })
        .collect()
}

/// Does what the API server does to each object on create: applies the
/// defaults (in place) and validates. Returns the located validation
/// errors; empty means every CronJob and Job would be admitted. Pods are
/// taken as they are.
///
/// An object that is already stored (it carries a `resourceVersion`, which
/// only the API server assigns and every `kubectl get -o yaml` dump shows;
/// a hand-written `uid` or `creationTimestamp`, which link and date
/// objects in a scenario, does not count) was
/// admitted once, perhaps under older rules or a controller-manager with
/// another tzdb: its problems become warnings in `m.warnings`, and the
/// simulation shows what the controller does with it as it is.
pub fn admit(m: &mut Manifests) -> Vec<YamlError> {
    let mut out = Vec::new();
    let mut stored_warnings = Vec::new();
    for cj in &mut m.cronjobs {
        set_object_defaults_cronjob(&mut cj.value);
        let found = locate(cj, &validate_cronjob_create(cj));
        sort_admitted(&cj.metadata, "CronJob", found, &mut out, &mut stored_warnings);
    }
    for job in &mut m.jobs {
        set_object_defaults_job(&mut job.value);
        let found = locate(job, &validate_job_create(job));
        sort_admitted(&job.metadata, "Job", found, &mut out, &mut stored_warnings);
    }
    m.warnings.extend(stored_warnings);
    out
}

/// A created object's validation errors stay errors; a stored object's
/// become warnings saying it was loaded as stored.
fn sort_admitted(
    meta: &ObjectMeta,
    kind: &str,
    found: Vec<YamlError>,
    errors: &mut Vec<YamlError>,
    warnings: &mut Vec<YamlError>,
) {
    let stored = !meta.resource_version.is_empty();
    if !stored {
        errors.extend(found);
        return;
    }
    for mut e in found {
        e.message = format!(
            "stored {kind} {}/{} loaded as it is, although the API server would refuse it on create today: {}",
            meta.namespace, meta.name, e.message
        );
        e.hint = Some(match e.hint.take() {
            Some(h) => format!("{h} (the simulation shows what the controller does with the stored object)"),
            None => "the simulation shows what the controller does with the stored object".into(),
        });
        warnings.push(e);
    }
}
