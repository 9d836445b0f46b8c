//! Hand-written Crossplane (and CronJob) event logs for the report tests:
//! metas, an accountant, and one helper per record kind.

use super::t;
use cronwarp::policy::crossplane::CronDecision;
use cronwarp::report::{Accountant, Header, Report, ReportInput, TickRow, WorkloadReport};
use cronwarp::schedule::Zone;
use cronwarp::sim::log::{Entry, Fault, LogSink, Record};
use cronwarp::sim::{WorkloadKind, WorkloadMeta};

pub const START: &str = "2025-03-03T00:00:00Z";
pub const END: &str = "2025-03-03T06:00:00Z";

pub fn meta(kind: WorkloadKind, key: &str, schedule: &str, policy: &str) -> WorkloadMeta {
    WorkloadMeta {
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
        pod_requests: Default::default(),
        name_cursor: false,
        more_schedules: Vec::new(),
    }
}

pub fn accountant(m: WorkloadMeta) -> Accountant {
    Accountant::new(ReportInput {
        header: Header {
            scenario: "test".into(),
            seed: 1,
            start: m.horizon_start,
            end: m.horizon_end,
            tzdb_version: "2025b".into(),
            cronwarp_version: "0".into(),
            local_zone: "UTC".into(),
        },
        local_zone: Zone::Utc,
        workloads: vec![m],
    })
}

pub fn feed(a: &mut impl LogSink, at: &str, entry: Entry) {
    a.record(Record { time: t(at), entry });
}

/// The CronOperation `nightly` (cluster-scoped: its key is its name).
pub const CO: &str = "nightly";

pub fn xp(schedule: &str, policy: &str, deadline: Option<i64>) -> Accountant {
    let mut m = meta(WorkloadKind::CronOperation, CO, schedule, policy);
    m.starting_deadline_seconds = deadline;
    accountant(m)
}

pub fn op_name(slot: &str) -> String {
    format!("{CO}-{}", t(slot).unix())
}

pub fn sync(a: &mut impl LogSink, at: &str, decision: CronDecision) {
    feed(
        a,
        at,
        Entry::CronOperationSync {
            object: CO.into(),
            requeue_at: None,
            retry_at: None,
            decision: Box::new(decision),
        },
    );
}

/// Crossplane creates the Operation for `slot` at `at` (the store logs the
/// Operation before the reconcile's decision, as the simulator does).
pub fn create(a: &mut impl LogSink, at: &str, slot: &str) -> String {
    let operation = op_name(slot);
    let entry = Entry::OperationCreated {
        operation: operation.clone().into(),
        cronoperation: CO.into(),
        scheduled_time: Some(t(slot)),
        uid: operation.clone().into(),
        seeded: false,
    };
    feed(a, at, entry);
    let decision =
        CronDecision::Created { slot: t(slot), operation: operation.clone().into(), replaced: vec![] };
    sync(a, at, decision);
    operation
}

pub fn attempt(a: &mut impl LogSink, at: &str, op: &str, n: u32) {
    feed(a, at, Entry::OperationAttemptStarted { operation: op.into(), attempt: n });
}

pub fn attempt_failed(a: &mut impl LogSink, at: &str, op: &str, failures: i64) {
    let error = "cannot run pipeline step \"run\": boom".into();
    feed(a, at, Entry::OperationAttemptFailed { operation: op.into(), failures, error });
}

pub fn finish(a: &mut impl LogSink, at: &str, op: &str, succeeded: bool, message: &str) {
    let reason = if succeeded { "PipelineSuccess" } else { "PipelineError" };
    let entry = Entry::OperationFinished {
        operation: op.into(),
        succeeded,
        reason: reason.into(),
        message: message.into(),
    };
    feed(a, at, entry);
}

/// One attempt from `at` that succeeds at `done`.
pub fn run_ok(a: &mut impl LogSink, at: &str, done: &str, op: &str) {
    attempt(a, at, op, 1);
    finish(a, done, op, true, "");
}

pub fn down(a: &mut impl LogSink, from: &str, until: &str) {
    feed(a, from, Entry::Fault(Fault::DowntimeStart { until: t(until) }));
    feed(a, until, Entry::Fault(Fault::DowntimeEnd { since: t(from) }));
}

pub fn change(a: &mut impl LogSink, at: &str, change: &str) {
    let change = change.parse().expect("a spec edit's log text");
    feed(a, at, Entry::Fault(Fault::SpecChange { object: CO.into(), change }));
}

pub fn report(a: Accountant) -> WorkloadReport {
    let mut r: Report = a.finish();
    r.workloads.remove(0)
}

pub fn row<'a>(r: &'a WorkloadReport, tick: &str) -> &'a TickRow {
    r.exceptions
        .iter()
        .find(|x| x.tick == t(tick))
        .unwrap_or_else(|| panic!("no exception row for {tick}: {:#?}", r.exceptions))
}

pub fn counts(r: &WorkloadReport) -> (u64, u64, u64, u64, u64) {
    let c = &r.ticks;
    assert_eq!(c.total, c.on_time + c.late + c.not_started + c.pending, "every tick once");
    (c.total, c.on_time, c.late, c.not_started, c.pending)
}
