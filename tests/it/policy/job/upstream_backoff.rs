//! Ports of kubernetes `pkg/controller/job/backoff_utils_test.go`
//! (`TestNewBackoffRecord`, `TestGetFinishedTime`,
//! `TestGetRemainingBackoffTime`), case names kept. Left out: the sidecar
//! case of `TestGetFinishedTime` (restartable init containers are not
//! modelled) and `TestGetRemainingBackoffTimePerIndex` (no
//! backoffLimitPerIndex).

use cronwarp::model::{Condition, ContainerStatus, ContainerTerminated, Millis, Pod, PodPhase, SECOND, Time};
use cronwarp::policy::job::{BackoffRecord, pod_finish_time, remaining_backoff};

/// 2009-11-10T23:00:00Z, upstream's `defaultTestTime`.
fn default_test_time() -> Time {
    Time::parse_rfc3339("2009-11-10T23:00:00Z").unwrap()
}

fn terminated(finished_at: Option<Time>) -> ContainerStatus {
    ContainerStatus {
        terminated: Some(ContainerTerminated { finished_at, ..ContainerTerminated::default() }),
        ..ContainerStatus::default()
    }
}

fn running() -> ContainerStatus {
    ContainerStatus::default()
}

fn pod_finished_at(phase: PodPhase, t: Time) -> Pod {
    let mut p = Pod::default();
    p.status.phase = phase;
    p.status.container_statuses = vec![terminated(Some(t))];
    p
}

#[test]
fn test_new_backoff_record() {
    let d = default_test_time();
    let ms = |n: i64| d.add(n);
    struct Case {
        name: &'static str,
        store: BackoffRecord,
        succeeded: Vec<Time>,
        failed: Vec<Time>,
        want: BackoffRecord,
    }
    let empty = BackoffRecord::default();
    let cases = vec![
        Case {
            name: "Empty backoff store and one new failure",
            store: empty,
            succeeded: vec![],
            failed: vec![d],
            want: BackoffRecord { failures_after_last_success: 1, last_failure_time: Some(d) },
        },
        Case {
            name: "Empty backoff store and two new failures",
            store: empty,
            succeeded: vec![],
            failed: vec![d, ms(-1)],
            want: BackoffRecord { failures_after_last_success: 2, last_failure_time: Some(d) },
        },
        Case {
            name: "Empty backoff store, two failures followed by success",
            store: empty,
            succeeded: vec![d],
            failed: vec![ms(-2), ms(-1)],
            want: empty,
        },
        Case {
            name: "Empty backoff store, two failures, one success and two more failures",
            store: empty,
            succeeded: vec![ms(-2)],
            failed: vec![d, ms(-4), ms(-3), ms(-1)],
            want: BackoffRecord { failures_after_last_success: 2, last_failure_time: Some(d) },
        },
        Case {
            name: "Backoff store having failure count 2 and one new failure",
            store: BackoffRecord { failures_after_last_success: 2, last_failure_time: None },
            succeeded: vec![],
            failed: vec![d],
            want: BackoffRecord { failures_after_last_success: 3, last_failure_time: Some(d) },
        },
        Case {
            name: "Empty backoff store with success and failure at same timestamp",
            store: empty,
            succeeded: vec![d],
            failed: vec![d],
            want: empty,
        },
        Case {
            name: "Empty backoff store with no success/failure",
            store: empty,
            succeeded: vec![],
            failed: vec![],
            want: empty,
        },
        Case {
            name: "Empty backoff store with one success",
            store: empty,
            succeeded: vec![d],
            failed: vec![],
            want: empty,
        },
    ];
    for c in cases {
        let s: Vec<Pod> = c.succeeded.iter().map(|t| pod_finished_at(PodPhase::Succeeded, *t)).collect();
        let f: Vec<Pod> = c.failed.iter().map(|t| pod_finished_at(PodPhase::Failed, *t)).collect();
        let got = c.store.update(&s.iter().collect::<Vec<_>>(), &f.iter().collect::<Vec<_>>());
        assert_eq!(got, c.want, "{}", c.name);
    }
}

#[test]
fn test_get_finished_time() {
    let d = default_test_time();
    let minus30 = d.add(-30 * SECOND);
    let with = |f: &dyn Fn(&mut Pod)| {
        let mut p = Pod::default();
        f(&mut p);
        p
    };
    let ready = |status: &str, at: Time, reason: &str| Condition {
        type_: "Ready".into(),
        status: status.into(),
        reason: reason.into(),
        last_transition_time: Some(at),
        ..Condition::default()
    };
    let cases: Vec<(&str, Pod, Time)> = vec![
        (
            "Pod with multiple containers and all containers terminated",
            with(&|p| {
                p.status.container_statuses = vec![
                    terminated(Some(d.add(-SECOND))),
                    terminated(Some(d)),
                    terminated(Some(d.add(-2 * SECOND))),
                ]
            }),
            d,
        ),
        (
            "Pod with multiple containers; two containers in terminated state and one in running state; fallback to deletionTimestamp",
            with(&|p| {
                p.status.container_statuses =
                    vec![terminated(Some(d.add(-SECOND))), running(), terminated(Some(d.add(-2 * SECOND)))];
                p.metadata.deletion_timestamp = Some(d);
            }),
            d,
        ),
        (
            "fallback to deletionTimestamp",
            with(&|p| {
                p.status.container_statuses = vec![running()];
                p.metadata.deletion_timestamp = Some(d);
            }),
            d,
        ),
        (
            "fallback to deletionTimestamp, decremented by grace period",
            with(&|p| {
                p.status.container_statuses = vec![running()];
                p.metadata.deletion_timestamp = Some(d);
                p.metadata.deletion_grace_period_seconds = Some(30);
            }),
            minus30,
        ),
        (
            "fallback to PodReady.LastTransitionTime when status of the condition is False",
            with(&|p| {
                p.status.container_statuses = vec![terminated(None)];
                p.status.conditions = vec![ready("False", d, "PodFailed")];
            }),
            d,
        ),
        (
            "skip fallback to PodReady.LastTransitionTime when status of the condition is True",
            with(&|p| {
                p.status.container_statuses = vec![terminated(None)];
                p.status.conditions = vec![ready("True", minus30, "")];
                p.metadata.deletion_timestamp = Some(d);
            }),
            d,
        ),
        (
            "fallback to creationTimestamp",
            with(&|p| {
                p.status.container_statuses = vec![terminated(None)];
                p.metadata.creation_timestamp = Some(d);
            }),
            d,
        ),
    ];
    for (name, pod, want) in cases {
        assert_eq!(pod_finish_time(&pod), Some(want), "{name}");
    }
}

#[test]
fn test_get_remaining_backoff_time() {
    let d = default_test_time();
    // (name, failures, last failure, now, want in seconds); upstream uses a
    // 5 s base and a 700 s cap in every case.
    let cases: Vec<(&str, u32, Option<Time>, Time, Millis)> = vec![
        ("no failures", 0, None, Time::default(), 0),
        ("one failure; current time and failure time are same", 1, Some(d), d, 5),
        ("one failure; current time == 1 second + failure time", 1, Some(d), d.add(SECOND), 4),
        ("one failure; current time == expected backoff time", 1, Some(d), d.add(5 * SECOND), 0),
        ("one failure; current time == expected backoff time + 1 Second", 1, Some(d), d.add(6 * SECOND), 0),
        ("three failures; current time and failure time are same", 3, Some(d), d, 20),
        (
            "eight failures; current time and failure time are same; backoff not exceeding maxBackoff",
            8,
            Some(d),
            d,
            640,
        ),
        (
            "nine failures; current time and failure time are same; backoff exceeding maxBackoff",
            9,
            Some(d),
            d,
            700,
        ),
    ];
    for (name, failures, last, now, want) in cases {
        let got = remaining_backoff(failures, last, now.trunc_seconds(), 5 * SECOND, 700 * SECOND);
        assert_eq!(got, want * SECOND, "{name}");
    }
}

#[test]
fn remaining_uses_the_10s_base_and_the_configured_cap() {
    let d = default_test_time();
    let record = |n| BackoffRecord { failures_after_last_success: n, last_failure_time: Some(d) };
    let delays: Vec<Millis> = (1..=8).map(|n| record(n).remaining(d, 600 * SECOND) / SECOND).collect();
    assert_eq!(delays, vec![10, 20, 40, 80, 160, 320, 600, 600]);
    // The older 6-minute cap (MaxJobBackOff = 360 s) from the 7th failure on.
    assert_eq!(record(7).remaining(d, 360 * SECOND), 360 * SECOND);
    assert_eq!(record(6).remaining(d, 360 * SECOND), 320 * SECOND);
}
