//! The accountant on hand-written Crossplane event logs (and the Replace
//! overlap note, for both controllers): every CronOperation slot accounted
//! exactly once, with the reason Crossplane's reconciler gives.

use cronwarp::model::Time;
use cronwarp::policy::Propagation;
use cronwarp::report::{Accountant, Header, Report, ReportInput};
use cronwarp::schedule::Zone;
use cronwarp::sim::log::{DeletedBy, Entry, LogSink, Record};
use cronwarp::sim::{CronJobMeta, WorkloadKind};

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

const START: &str = "2025-03-03T00:00:00Z";
const END: &str = "2025-03-03T06:00:00Z";

fn meta(kind: WorkloadKind, key: &str, schedule: &str, policy: &str) -> CronJobMeta {
    CronJobMeta {
        key: key.into(),
        kind,
        local_zone: "UTC".into(),
        schedule: schedule.into(),
        time_zone: None,
        concurrency_policy: policy.into(),
        starting_deadline_seconds: None,
        suspended: false,
        horizon_start: t(START),
        horizon_end: t(END),
        phase_origin: Some(t(START)),
    }
}

fn accountant(m: CronJobMeta) -> Accountant {
    Accountant::new(ReportInput {
        header: Header {
            scenario: "test".into(),
            seed: 1,
            start: t(START),
            end: t(END),
            tzdb_version: "2025b".into(),
            cronwarp_version: "0".into(),
            local_zone: "UTC".into(),
        },
        local_zone: Zone::Utc,
        cronjobs: vec![m],
    })
}

fn feed(a: &mut Accountant, at: &str, entry: Entry) {
    a.record(Record { time: t(at), entry });
}

mod replace_overlap {
    use super::*;

    fn job_created(a: &mut Accountant, at: &str, job: &str) {
        let entry = Entry::JobCreated {
            job: job.into(),
            cronjob: "default/cj".into(),
            scheduled_time: Some(t(at)),
            uid: job.into(),
            seeded: false,
        };
        feed(a, at, entry);
        feed(a, at, Entry::PodCreated { pod: format!("{job}-p"), job: job.into() });
    }

    fn pod_finished(a: &mut Accountant, at: &str, job: &str) {
        let entry = Entry::PodFinished {
            pod: format!("{job}-p"),
            job: job.into(),
            exit_code: 0,
            phase: cronwarp::model::PodPhase::Succeeded,
        };
        feed(a, at, entry);
    }

    /// The replaced Job's pod outlives its replacement: the overlap still
    /// carries the Replace note (it used to be lost when the new Job ended
    /// first).
    #[test]
    fn kubernetes_note_kept_when_the_new_job_finishes_first() {
        let mut a = accountant(meta(WorkloadKind::CronJob, "default/cj", "0 * * * *", "Replace"));
        job_created(&mut a, "2025-03-03T01:00:00Z", "default/cj-1");
        let del = Entry::JobDeleted {
            job: "default/cj-1".into(),
            by: DeletedBy::Replace,
            propagation: Propagation::Background,
        };
        feed(&mut a, "2025-03-03T02:00:00.1Z", del);
        feed(&mut a, "2025-03-03T02:00:00.1Z", Entry::JobRemoved { job: "default/cj-1".into() });
        job_created(&mut a, "2025-03-03T02:00:00.1Z", "default/cj-2");
        pod_finished(&mut a, "2025-03-03T02:00:10Z", "default/cj-2");
        let fin = Entry::JobFinished {
            job: "default/cj-2".into(),
            condition: "Complete".into(),
            reason: "Completed".into(),
            message: String::new(),
        };
        feed(&mut a, "2025-03-03T02:00:10Z", fin);
        pod_finished(&mut a, "2025-03-03T02:00:30Z", "default/cj-1");
        let r: Report = a.finish();
        let ov = &r.cronjobs[0].overlaps;
        assert_eq!(ov.intervals.len(), 1, "{ov:?}");
        assert!(ov.intervals[0].replace_termination, "{ov:?}");
        assert_eq!(ov.total, 9_900);
        assert_eq!(r.cronjobs[0].outcomes.replaced, 1);
    }
}
