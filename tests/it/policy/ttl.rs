//! The TTL-after-finished decision: a port of kubernetes
//! `pkg/controller/ttlafterfinished/ttlafterfinished_controller_test.go`
//! `TestTimeLeft` (case names kept), plus `processTTL`'s decisions.

use cronwarp::model::{Condition, Job, SECOND, Time};
use cronwarp::policy::Propagation;
use cronwarp::policy::ttl::{TtlDecision, time_left, ttl_decision};

fn now() -> Time {
    Time::parse_rfc3339("2024-06-01T12:00:00Z").unwrap()
}

/// Upstream's `newJob(completionTime, failedTime, ttl)`.
fn new_job(completed: Option<Time>, failed: Option<Time>, ttl: Option<i32>) -> Job {
    let mut j = Job::default();
    j.metadata.name = "foobar".into();
    j.metadata.namespace = "default".into();
    for (type_, at) in [("Complete", completed), ("Failed", failed)] {
        if let Some(at) = at {
            j.status.conditions.push(Condition::true_(type_, "", "", at));
        }
    }
    j.spec.ttl_seconds_after_finished = ttl;
    j
}

#[test]
fn test_time_left() {
    let n = now();
    let ago10 = Some(n.add(-10 * SECOND));
    // (name, completed, failed, ttl, Err(substring) | Ok((left s, expire)))
    type Row = (&'static str, Option<Time>, Option<Time>, Option<i32>, Result<(i64, Time), &'static str>);
    #[rustfmt::skip]
    let cases: Vec<Row> = vec![
        ("Error case: Job unfinished", None, None, Some(100), Err("should not be cleaned up")),
        ("Error case: Job completed now, no TTL", Some(n), None, None, Err("should not be cleaned up")),
        ("Job completed now, 0s TTL", Some(n), None, Some(0), Ok((0, n))),
        ("Job completed now, 10s TTL", Some(n), None, Some(10), Ok((10, n.add(10 * SECOND)))),
        ("Job completed 10s ago, 15s TTL", ago10, None, Some(15), Ok((5, n.add(5 * SECOND)))),
        ("Error case: Job failed now, no TTL", None, Some(n), None, Err("should not be cleaned up")),
        ("Job failed now, 0s TTL", None, Some(n), Some(0), Ok((0, n))),
        ("Job failed now, 10s TTL", None, Some(n), Some(10), Ok((10, n.add(10 * SECOND)))),
        ("Job failed 10s ago, 15s TTL", None, ago10, Some(15), Ok((5, n.add(5 * SECOND)))),
    ];
    for (name, completed, failed, ttl, want) in cases {
        let got = time_left(&new_job(completed, failed, ttl), n);
        match want {
            Err(sub) => {
                let err = got.expect_err(name);
                assert!(err.contains(sub), "{name}: {err}");
                assert!(err.contains("default/foobar"), "{name}: {err}");
            }
            Ok((left, expire)) => assert_eq!(got, Ok((left * SECOND, expire)), "{name}"),
        }
    }
}

#[test]
fn ttl_zero_deletes_right_after_finishing_with_foreground_propagation() {
    let job = new_job(Some(now()), None, Some(0));
    assert_eq!(ttl_decision(&job, now()), Ok(TtlDecision::Delete { propagation: Propagation::Foreground }));
}

#[test]
fn ttl_n_waits_until_the_finish_time_plus_n_then_deletes() {
    let job = new_job(None, Some(now()), Some(100));
    let expire = now().add(100 * SECOND);
    assert_eq!(ttl_decision(&job, now()), Ok(TtlDecision::WaitUntil(expire)));
    assert_eq!(ttl_decision(&job, expire.add(-1)), Ok(TtlDecision::WaitUntil(expire)));
    assert!(matches!(ttl_decision(&job, expire), Ok(TtlDecision::Delete { .. })));
}

#[test]
fn unfinished_untimed_or_deleting_jobs_are_not_cleaned_up() {
    let unfinished = new_job(None, None, Some(0));
    assert_eq!(ttl_decision(&unfinished, now()), Ok(TtlDecision::NotApplicable));
    let no_ttl = new_job(Some(now()), None, None);
    assert_eq!(ttl_decision(&no_ttl, now()), Ok(TtlDecision::NotApplicable));
    let mut deleting = new_job(Some(now()), None, Some(0));
    deleting.metadata.deletion_timestamp = Some(now());
    assert_eq!(ttl_decision(&deleting, now()), Ok(TtlDecision::NotApplicable));
    // Interim conditions do not count as finished.
    let mut interim = new_job(None, None, Some(0));
    interim.status.conditions.push(Condition::true_("FailureTarget", "BackoffLimitExceeded", "", now()));
    assert_eq!(ttl_decision(&interim, now()), Ok(TtlDecision::NotApplicable));
}

#[test]
fn a_finished_condition_without_transition_time_is_an_error() {
    let mut job = new_job(Some(now()), None, Some(10));
    job.status.conditions[0].last_transition_time = None;
    let err = ttl_decision(&job, now()).unwrap_err();
    assert_eq!(err, "unable to find the time when the Job default/foobar finished");
}
