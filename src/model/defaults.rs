//! The API server's defaulting for `batch/v1`, applied on create before
//! validation (kubernetes `pkg/apis/batch/v1/defaults.go` and the generated
//! `zz_generated.defaults.go`, plus the parts of `pkg/apis/core/v1`
//! `SetDefaults_PodSpec` that cronwarp models).
//!
//! A CronJob's `jobTemplate.spec` gets only the pod-template and
//! pod-failure-policy defaults, not `SetDefaults_Job`: `parallelism`,
//! `completions` and `backoffLimit` are filled in when the controller
//! creates each Job, which is why `kubectl get cronjob -o yaml` shows a
//! template without them.

use super::cronjob::CronJob;
use super::job::{Job, JobSpec, PodSpec};

/// Mirrors `SetDefaults_CronJob`: `concurrencyPolicy` `Allow`, `suspend`
/// false, `successfulJobsHistoryLimit` 3, `failedJobsHistoryLimit` 1.
/// `startingDeadlineSeconds` and `timeZone` stay unset.
pub fn set_defaults_cronjob(cj: &mut CronJob) {
    let spec = &mut cj.spec;
    if spec.concurrency_policy.is_empty() {
        spec.concurrency_policy = "Allow".into();
    }
    spec.suspend.get_or_insert(false);
    spec.successful_jobs_history_limit.get_or_insert(3);
    spec.failed_jobs_history_limit.get_or_insert(1);
}

/// Mirrors `SetDefaults_Job` (v1.31+, `JobPodReplacementPolicy` on, as it
/// is by default since 1.29 and GA in 1.34):
/// * both `completions` and `parallelism` unset → both 1; else
///   `parallelism` unset → 1;
/// * `backoffLimit` unset → `MaxInt32` with `backoffLimitPerIndex`, else 6;
/// * Job labels empty → copied from the pod template's labels;
/// * `completionMode` `NonIndexed`, `suspend` false, `manualSelector`
///   false;
/// * `podReplacementPolicy` `Failed` with a `podFailurePolicy`, else
///   `TerminatingOrFailed`.
///
/// `activeDeadlineSeconds` and `ttlSecondsAfterFinished` have no default.
pub fn set_defaults_job(job: &mut Job) {
    if job.metadata.labels.is_empty() {
        job.metadata.labels = job.spec.template.metadata.labels.clone();
    }
    set_defaults_job_spec(&mut job.spec);
}

/// [`set_defaults_job`]'s defaults of the spec alone: they read nothing
/// else, which lets the simulated API server default each template once.
fn set_defaults_job_spec(spec: &mut JobSpec) {
    if spec.completions.is_none() && spec.parallelism.is_none() {
        spec.completions = Some(1);
    }
    spec.parallelism.get_or_insert(1);
    if spec.backoff_limit.is_none() {
        spec.backoff_limit = Some(if spec.backoff_limit_per_index.is_some() { i32::MAX } else { 6 });
    }
    spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
    spec.suspend.get_or_insert(false);
    if spec.pod_replacement_policy.is_none() {
        let p = if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
        spec.pod_replacement_policy = Some(p.into());
    }
    spec.manual_selector.get_or_insert(false);
}

/// The modelled part of core/v1 `SetDefaults_PodSpec`: `restartPolicy`
/// `Always` (which a Job then rejects) and `terminationGracePeriodSeconds`
/// 30.
pub fn set_defaults_pod_spec(spec: &mut PodSpec) {
    if spec.restart_policy.is_empty() {
        spec.restart_policy = "Always".into();
    }
    spec.termination_grace_period_seconds.get_or_insert(30);
}

/// Mirrors `SetDefaults_PodFailurePolicyOnPodConditionsPattern` over every
/// rule: an empty `onPodConditions[].status` becomes `True`.
fn set_defaults_pod_failure_policy(spec: &mut JobSpec) {
    let Some(pfp) = spec.pod_failure_policy.as_mut() else { return };
    for pattern in pfp.rules.iter_mut().flat_map(|r| r.on_pod_conditions.iter_mut()) {
        if pattern.status.is_empty() {
            pattern.status = "True".into();
        }
    }
}

/// Mirrors the generated `SetObjectDefaults_CronJob`: the CronJob's own
/// defaults plus those of the pod template and pod failure policy inside
/// `jobTemplate` (not `SetDefaults_Job`, see the module docs).
pub fn set_object_defaults_cronjob(cj: &mut CronJob) {
    set_defaults_cronjob(cj);
    let spec = &mut cj.spec.job_template.spec;
    set_defaults_pod_failure_policy(spec);
    set_defaults_pod_spec(&mut spec.template.spec);
}

/// Mirrors the generated `SetObjectDefaults_Job`.
pub fn set_object_defaults_job(job: &mut Job) {
    if job.metadata.labels.is_empty() {
        job.metadata.labels = job.spec.template.metadata.labels.clone();
    }
    set_object_defaults_job_spec(&mut job.spec);
}

/// The part of [`set_object_defaults_job`] that reads and writes only the
/// spec (the labels default reads the pod template's labels, which no
/// default changes, so the order is immaterial).
pub fn set_object_defaults_job_spec(spec: &mut JobSpec) {
    set_defaults_job_spec(spec);
    set_defaults_pod_failure_policy(spec);
    set_defaults_pod_spec(&mut spec.template.spec);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OnPodCondition, PodFailurePolicy, PodFailurePolicyRule};

    #[test]
    fn cronjob_defaults_fill_only_unset_fields() {
        let mut cj = CronJob::default();
        set_defaults_cronjob(&mut cj);
        assert_eq!(cj.spec.concurrency_policy, "Allow");
        assert_eq!(cj.spec.suspend, Some(false));
        assert_eq!(cj.spec.successful_jobs_history_limit, Some(3));
        assert_eq!(cj.spec.failed_jobs_history_limit, Some(1));
        assert_eq!(cj.spec.starting_deadline_seconds, None);
        assert_eq!(cj.spec.time_zone, None);

        let mut cj = CronJob::default();
        cj.spec.concurrency_policy = "Forbid".into();
        cj.spec.suspend = Some(true);
        cj.spec.successful_jobs_history_limit = Some(0);
        cj.spec.failed_jobs_history_limit = Some(0);
        set_defaults_cronjob(&mut cj);
        assert_eq!(cj.spec.concurrency_policy, "Forbid");
        assert_eq!(cj.spec.suspend, Some(true));
        assert_eq!(cj.spec.successful_jobs_history_limit, Some(0));
        assert_eq!(cj.spec.failed_jobs_history_limit, Some(0));
    }

    #[test]
    fn job_with_neither_count_gets_one_and_one() {
        let mut job = Job::default();
        set_defaults_job(&mut job);
        assert_eq!((job.spec.completions, job.spec.parallelism), (Some(1), Some(1)));
        assert_eq!(job.spec.backoff_limit, Some(6));
        assert_eq!(job.spec.completion_mode.as_deref(), Some("NonIndexed"));
        assert_eq!(job.spec.suspend, Some(false));
        assert_eq!(job.spec.manual_selector, Some(false));
        assert_eq!(job.spec.pod_replacement_policy.as_deref(), Some("TerminatingOrFailed"));
        assert_eq!(job.spec.active_deadline_seconds, None);
        assert_eq!(job.spec.ttl_seconds_after_finished, None);
    }

    #[test]
    fn job_with_completions_only_keeps_completions_unset_parallelism_one() {
        let mut job = Job::default();
        job.spec.completions = Some(5);
        set_defaults_job(&mut job);
        assert_eq!((job.spec.completions, job.spec.parallelism), (Some(5), Some(1)));

        // Parallelism alone leaves completions nil (work-queue Job).
        let mut job = Job::default();
        job.spec.parallelism = Some(3);
        set_defaults_job(&mut job);
        assert_eq!((job.spec.completions, job.spec.parallelism), (None, Some(3)));
    }

    #[test]
    fn backoff_limit_per_index_makes_backoff_limit_max() {
        let mut job = Job::default();
        job.spec.backoff_limit_per_index = Some(1);
        set_defaults_job(&mut job);
        assert_eq!(job.spec.backoff_limit, Some(i32::MAX));
    }

    #[test]
    fn pod_failure_policy_sets_replacement_failed_and_condition_status_true() {
        let mut job = Job::default();
        job.spec.pod_failure_policy = Some(PodFailurePolicy {
            rules: vec![PodFailurePolicyRule {
                action: "Ignore".into(),
                on_exit_codes: None,
                on_pod_conditions: vec![OnPodCondition {
                    type_: "DisruptionTarget".into(),
                    status: Default::default(),
                }],
            }],
        });
        set_object_defaults_job(&mut job);
        assert_eq!(job.spec.pod_replacement_policy.as_deref(), Some("Failed"));
        let rules = &job.spec.pod_failure_policy.as_ref().unwrap().rules;
        assert_eq!(rules[0].on_pod_conditions[0].status, "True");
    }

    #[test]
    fn job_labels_come_from_the_template_only_when_empty() {
        let mut job = Job::default();
        job.spec.template.metadata.labels.insert("app".into(), "x".into());
        set_defaults_job(&mut job);
        assert_eq!(job.metadata.labels.get("app").map(|s| s.as_str()), Some("x"));

        let mut job = Job::default();
        job.metadata.labels.insert("own".into(), "y".into());
        job.spec.template.metadata.labels.insert("app".into(), "x".into());
        set_defaults_job(&mut job);
        assert_eq!(job.metadata.labels.len(), 1);
    }

    #[test]
    fn cronjob_template_gets_pod_defaults_but_not_job_defaults() {
        let mut cj = CronJob::default();
        set_object_defaults_cronjob(&mut cj);
        let tmpl = &cj.spec.job_template.spec;
        assert_eq!(tmpl.template.spec.restart_policy, "Always");
        assert_eq!(tmpl.template.spec.termination_grace_period_seconds, Some(30));
        assert_eq!((tmpl.completions, tmpl.parallelism, tmpl.backoff_limit), (None, None, None));
    }

    #[test]
    fn explicit_restart_policy_is_kept() {
        let mut spec = PodSpec { restart_policy: "Never".into(), ..PodSpec::default() };
        set_defaults_pod_spec(&mut spec);
        assert_eq!(spec.restart_policy, "Never");
    }
}
