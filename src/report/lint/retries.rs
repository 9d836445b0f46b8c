//! Job retries the template rules out: `backoffLimit` ×
//! `podFailurePolicy` × `activeDeadlineSeconds` combinations whose
//! retries can never happen (CW-L11), and `backoffLimit: 0` (CW-L12).
//! Only what the manifest settles: single-pod Jobs, lower bounds on time.

use super::{Out, Severity, words};
use crate::model::{CronJob, JobSpec, Millis, SECOND};
use crate::policy::Settings;
use crate::policy::job::DEFAULT_POD_FAILURE_BACKOFF;

/// The API default of `backoffLimit`.
const DEFAULT_BACKOFF_LIMIT: i32 = 6;

pub(super) fn lint(cj: &CronJob, out: &mut Out) {
    let job = &cj.spec.job_template.spec;
    let restart = job.template.spec.restart_policy.as_str();
    if job.backoff_limit == Some(0) {
        let first = if restart == "OnFailure" {
            "the first container restart (with OnFailure, any restart is over a limit of 0)"
        } else {
            "the first failed pod"
        };
        out.push(
            "CW-L12",
            Severity::Note,
            "spec.jobTemplate.spec.backoffLimit",
            format!("backoffLimit: 0: {first} fails the Job"),
            "the Job controller does not retry, and the CronJob does not either: a transient failure costs \
             the whole run, and the next try is the next tick",
            "allow a retry or two (backoffLimit: 2) if the work can be repeated; keep 0 if a retry would do \
             harm",
        );
        return;
    }
    let limit = job.backoff_limit.unwrap_or(DEFAULT_BACKOFF_LIMIT);
    // With several pods at once, failures arrive together and the
    // per-failure arithmetic below no longer bounds anything.
    let single = job.parallelism.unwrap_or(1) <= 1
        && job.completions.unwrap_or(1) <= 1
        && job.backoff_limit_per_index.is_none();
    if limit <= 0 || !single {
        return;
    }
    if let Some(rule) = fail_job_on_every_exit(job) {
        out.push(
            "CW-L11",
            Severity::Warning,
            "spec.jobTemplate.spec.podFailurePolicy",
            format!(
                "podFailurePolicy rule {rule} fails the Job at the first non-zero exit: backoffLimit {limit} is \
                 never used for a container that exits with an error"
            ),
            "the Job controller takes the first rule matching a failed pod (matchPodFailurePolicy); a FailJob \
             rule with operator NotIn [0] matches every exit code, so only failures without one (evictions, \
             preemptions) are ever retried",
            "list only the exit codes that mean a permanent error (operator: In, values: [42]) so the others \
             are retried, or set backoffLimit: 0 to say no retry is meant",
        );
    } else if restart == "Never"
        && let Some(deadline) = job.active_deadline_seconds
    {
        let cap = Settings::default().pod_failure_backoff_cap;
        let fit = retries_within(deadline.saturating_mul(SECOND), limit, cap);
        if fit < limit {
            let what = if fit == 0 {
                "ends the Job before its first retry".to_string()
            } else {
                format!("leaves room for {fit} of its {limit} retries")
            };
            out.push(
                "CW-L11",
                Severity::Warning,
                "spec.jobTemplate.spec.activeDeadlineSeconds",
                format!(
                    "activeDeadlineSeconds: {deadline} {what}, even if every pod failed at once: backoffLimit \
                     {limit} is never reached"
                ),
                format!(
                    "the Job controller waits {} after a pod failure before it creates the next pod, doubling \
                     per failure up to {} (getRemainingTimeForFailuresCount); the deadline counts from the \
                     Job's start, so the Job ends DeadlineExceeded, never BackoffLimitExceeded",
                    words(DEFAULT_POD_FAILURE_BACKOFF / SECOND),
                    words(cap / SECOND)
                ),
                format!(
                    "raise activeDeadlineSeconds above the run time plus the backoffs, or lower backoffLimit \
                     to {fit} to say what really happens"
                ),
            );
        }
    }
}

/// The index of a `FailJob` rule that catches every non-zero exit of
/// every container, when no earlier exit-code rule can catch one first
/// (`matchPodFailurePolicy` takes the first matching rule; rules on pod
/// conditions match other failures and are passed over).
fn fail_job_on_every_exit(job: &JobSpec) -> Option<usize> {
    let policy = job.pod_failure_policy.as_ref()?;
    let pod = &job.template.spec;
    for (i, rule) in policy.rules.iter().enumerate() {
        let Some(codes) = &rule.on_exit_codes else { continue };
        let every_container = codes.container_name.as_ref().is_none_or(|name| {
            pod.init_containers.is_empty() && pod.containers.len() == 1 && pod.containers[0].name == *name
        });
        let every_code = codes.operator == "NotIn" && codes.values.iter().all(|&v| v == 0);
        return (rule.action == "FailJob" && every_container && every_code).then_some(i);
    }
    None
}

/// How many replacement pods fit before `deadline` (ms after the Job's
/// start) when every pod fails the instant it starts: the k-th waits the
/// k-th backoff (10 s doubling, up to `cap`) after the failure before it,
/// as upstream's `getRemainingTimeForFailuresCount` counts. At most `limit`.
fn retries_within(deadline: Millis, limit: i32, cap: Millis) -> i32 {
    let (mut at, mut delay, mut fit) = (0, DEFAULT_POD_FAILURE_BACKOFF, 0);
    while fit < limit {
        at += delay;
        if at >= deadline {
            break;
        }
        fit += 1;
        delay = delay.saturating_mul(2).min(cap);
    }
    fit
}
