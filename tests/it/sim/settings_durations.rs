//! `controller.settings.podFailureBackoffCap` is a duration like every
//! other (`6m`); the integer milliseconds it first took still work, and
//! anything else is a located error.

use cronwarp::model::MINUTE;
use cronwarp::sim::Scenario;

fn with_cap(value: &str) -> Result<Scenario, String> {
    let text = format!(
        "horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T11:00:00Z\"\ncontroller:\n  settings:\n    podFailureBackoffCap: {value}\nworkloads: []\n"
    );
    Scenario::from_yaml(&text, "cap.yaml").map_err(|e| e.to_string())
}

fn cap(value: &str) -> i64 {
    with_cap(value).unwrap_or_else(|e| panic!("{value}: {e}")).controller.settings.pod_failure_backoff_cap
}

#[test]
fn the_backoff_cap_reads_a_duration_string() {
    assert_eq!(cap("6m"), 6 * MINUTE);
    assert_eq!(cap("\"10m\""), 10 * MINUTE);
    assert_eq!(cap("1m30s"), 90_000);
}

#[test]
fn integer_milliseconds_still_work() {
    assert_eq!(cap("360000"), 6 * MINUTE);
    assert_eq!(cap("0"), 0);
}

#[test]
fn garbage_is_a_located_error() {
    for bad in ["ten minutes", "6 minutes", "-5m", "-1", "true", "1.5"] {
        let err = with_cap(bad).expect_err(bad);
        assert!(err.starts_with("cap.yaml:6:"), "{bad}: {err}");
        assert!(err.contains("duration"), "{bad}: {err}");
    }
}
