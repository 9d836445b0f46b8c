//! How long finished Jobs stay: history limits of 0 (CW-L7, CW-L9) and
//! TTLs shorter than the schedule's interval (CW-L8).

use super::timing::Timing;
use super::{Out, Severity, words};
use crate::model::CronJob;

const TTL: &str = "spec.jobTemplate.spec.ttlSecondsAfterFinished";

/// CW-L7 and CW-L9 mirror kubernetes `cleanupFinishedJobs`
/// (`pkg/controller/cronjob/cronjob_controllerv2.go`): every sync, and a
/// Job's completion triggers one, deletes the finished Jobs beyond each
/// limit, whatever their TTL. CW-L8 mirrors the TTL-after-finished
/// controller (`pkg/controller/ttlafterfinished`), which deletes a Job
/// `ttlSecondsAfterFinished` after it finished, whatever the limits.
pub(super) fn lint(cj: &CronJob, timing: Option<&Timing>, out: &mut Out) {
    let spec = &cj.spec;
    let ttl = spec.job_template.spec.ttl_seconds_after_finished;
    let limits = [
        ("spec.failedJobsHistoryLimit", spec.failed_jobs_history_limit, "failed"),
        ("spec.successfulJobsHistoryLimit", spec.successful_jobs_history_limit, "successful"),
    ];
    for (field, limit, what) in limits {
        if limit != Some(0) {
            continue;
        }
        match ttl {
            None => out.push(
                "CW-L7",
                Severity::Note,
                field,
                format!("{what} Jobs are deleted as soon as they finish"),
                "with a history limit of 0 the controller deletes each finished Job at its next sync, and its \
                 pods and logs go with it: nothing is left to debug",
                format!("keep at least 1 ({field}: 1), or set jobTemplate.spec.ttlSecondsAfterFinished"),
            ),
            Some(t) => out.push(
                "CW-L9",
                Severity::Note,
                field,
                format!(
                    "{what} Jobs are deleted as soon as they finish: ttlSecondsAfterFinished: {t} never gets \
                     its turn"
                ),
                "a Job's completion triggers a CronJob sync, and the sync deletes every finished Job beyond \
                 the history limit, TTL or not; with a limit of 0 that is each Job, about a second after it \
                 ended, with its pods and logs",
                format!("set {field}: 1 (or more) and let the TTL delete the Jobs it keeps"),
            ),
        }
    }
    let Some(ttl) = ttl.map(i64::from) else { return };
    let Some(gap) = timing.and_then(|t| t.gaps).map(|g| g.typical) else { return };
    if ttl < gap {
        out.push(
            "CW-L8",
            Severity::Note,
            TTL,
            format!(
                "ttlSecondsAfterFinished: {ttl} is shorter than the {} between runs: a Job is deleted before \
                 the next one starts",
                words(gap)
            ),
            "the TTL controller deletes each finished Job, its pods and logs, that long after it finished, \
             whatever the history limits say: they never have a finished Job to keep, and a failure's \
             evidence is gone before the next run can be compared with it",
            format!(
                "set ttlSecondsAfterFinished to a few intervals (at least {gap}), or remove it and let the \
                 history limits keep the last runs"
            ),
        );
    }
}
