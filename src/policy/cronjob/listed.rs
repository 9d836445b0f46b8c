//! What a CronJob sync reads of each Job it lists, kept apart from the Job.
//!
//! Every sync walks all of its CronJob's Jobs: `cleanupFinishedJobs`
//! classifies them by `jobutil.FinishedCondition`, and `syncCronJob`
//! matches each uid against `status.active`, asks `IsJobFinished` and,
//! for a succeeded Job, reads its `completionTime`. Those answers change
//! only with a new version of the Job, so a caller that keeps Jobs (the
//! simulator's informer cache) computes [`JobFacts`] once per version and
//! the sync reads them, not the Job: with a fleet in one engine, a
//! CronJob's older Jobs have left the CPU's cache by its next sync.

use crate::model::{Job, Time};
use smol_str::SmolStr;

/// A Job's terminal state as `jobutil.FinishedCondition` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    /// The first terminal condition with status True is `Complete`.
    Complete,
    /// The first terminal condition with status True is `Failed`.
    Failed,
}

impl Terminal {
    /// The condition type.
    pub fn as_str(self) -> &'static str {
        match self {
            Terminal::Complete => "Complete",
            Terminal::Failed => "Failed",
        }
    }
}

/// What a sync reads of one Job version.
#[derive(Debug, Clone, PartialEq)]
pub struct JobFacts {
    /// `metadata.uid`.
    pub uid: SmolStr,
    /// `jobutil.FinishedCondition`'s type: the first `Complete` or
    /// `Failed` condition with status True.
    pub finished: Option<Terminal>,
    /// Any `Complete` condition with status True (a Job may carry both
    /// terminal conditions, then this and `finished` can disagree).
    pub complete: bool,
    /// `status.completionTime`.
    pub completion_time: Option<Time>,
}

impl JobFacts {
    /// Reads `job` with upstream's helpers, once per version: the sync
    /// then reads these, not the Job.
    pub fn of(job: &Job) -> JobFacts {
        // `FinishedCondition` only ever matches these two types.
        let finished = job
            .finished_condition()
            .map(|c| if c.type_ == "Complete" { Terminal::Complete } else { Terminal::Failed });
        JobFacts {
            uid: job.metadata.uid.clone(),
            finished,
            complete: job.is_complete(),
            completion_time: job.status.completion_time,
        }
    }
}

/// A listed Job with its [`JobFacts`], which must be those of this version.
#[derive(Debug, Clone, Copy)]
pub struct ListedJob<'a> {
    /// The Job.
    pub job: &'a Job,
    /// What a sync reads of it.
    pub facts: &'a JobFacts,
}

/// Pairs each Job with its facts, computed here: for callers that keep no
/// facts of their own (tests, one-off syncs).
pub fn with_facts<'a>(jobs: &[&'a Job], facts: &'a mut Vec<JobFacts>) -> Vec<ListedJob<'a>> {
    *facts = jobs.iter().map(|j| JobFacts::of(j)).collect();
    jobs.iter().zip(facts.iter()).map(|(&job, facts)| ListedJob { job, facts }).collect()
}

#[cfg(test)]
mod tests {
    use super::JobFacts;
    use crate::model::{Condition, Job};

    fn cond(type_: &str, status: &str) -> Condition {
        Condition { type_: type_.into(), status: status.into(), ..Condition::default() }
    }

    /// The facts say what the upstream helpers say, whatever the order and
    /// mix of conditions (a Job may carry both terminal conditions).
    #[test]
    fn facts_agree_with_finished_condition_and_is_complete() {
        let lists = [
            vec![],
            vec![cond("SuccessCriteriaMet", "True"), cond("Complete", "True")],
            vec![cond("FailureTarget", "True"), cond("Failed", "True")],
            vec![cond("Failed", "True"), cond("Complete", "True")],
            vec![cond("Complete", "False"), cond("Failed", "True")],
            vec![cond("Complete", "Unknown"), cond("Suspended", "True")],
            vec![cond("Failed", "False"), cond("Complete", "True"), cond("Failed", "True")],
        ];
        for conditions in lists {
            let mut job = Job::default();
            job.status.conditions = conditions;
            let f = JobFacts::of(&job);
            let expected = job.finished_condition().map(|c| c.type_.to_string());
            assert_eq!(f.finished.map(|t| t.as_str().to_string()), expected, "{:?}", job.status.conditions);
            assert_eq!(f.complete, job.is_complete(), "{:?}", job.status.conditions);
        }
    }
}
