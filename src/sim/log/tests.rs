//! The log's wire format: field names, time formats, round trips.

use super::*;

fn t() -> Time {
    Time::parse_rfc3339("2025-01-01T10:05:00.1Z").unwrap()
}

#[test]
fn event_record_has_flat_fields_and_millis_time() {
    let r = Record {
        time: t(),
        entry: Entry::Event(policy::Event::normal(
            "CronJob/default/a",
            "SuccessfulCreate",
            "Created job a-1",
        )),
    };
    assert_eq!(
        r.to_json_line(),
        r#"{"time":"2025-01-01T10:05:00.100Z","kind":"Event","object":"CronJob/default/a","type":"Normal","reason":"SuccessfulCreate","message":"Created job a-1"}"#
    );
}

#[test]
fn sync_record_flattens_the_decision() {
    let r = Record {
        time: t(),
        entry: Entry::Sync {
            controller: Controller::Cronjob,
            object: "default/a".into(),
            requeue_at: Some(t().add(300_000)),
            retry_at: None,
            decision: Some(Decision::NothingDue),
            status: Some(None),
        },
    };
    let line = r.to_json_line();
    assert_eq!(
        line,
        r#"{"time":"2025-01-01T10:05:00.100Z","kind":"Sync","controller":"cronjob","object":"default/a","requeueAt":"2025-01-01T10:10:00.100Z","decision":"nothingDue","status":null}"#
    );
    let back: Record = serde_json::from_str(&line).unwrap();
    assert_eq!(back, r);
}

#[test]
fn sync_record_carries_the_written_status() {
    let written = WrittenStatus {
        last_schedule_time: Some(t()),
        last_successful_time: None,
        active: vec!["a-1".into()],
    };
    let r = Record {
        time: t(),
        entry: Entry::Sync {
            controller: Controller::Cronjob,
            object: "default/a".into(),
            requeue_at: None,
            retry_at: None,
            decision: Some(Decision::NothingDue),
            status: Some(Some(Box::new(written))),
        },
    };
    let line = r.to_json_line();
    assert!(
        line.ends_with(r#""decision":"nothingDue","status":{"lastScheduleTime":"2025-01-01T10:05:00.100Z","active":["a-1"]}}"#),
        "{line}"
    );
    let back: Record = serde_json::from_str(&line).unwrap();
    assert_eq!(back, r);
    // The other controllers' syncs have no status at all.
    let job = Record {
        time: t(),
        entry: Entry::Sync {
            controller: Controller::Job,
            object: "default/a-1".into(),
            requeue_at: None,
            retry_at: None,
            decision: None,
            status: None,
        },
    };
    assert!(!job.to_json_line().contains("status"));
    assert_eq!(serde_json::from_str::<Record>(&job.to_json_line()).unwrap(), job);
}

#[test]
fn fault_and_deletion_records_use_stable_names() {
    let f = Record { time: t(), entry: Entry::Fault(Fault::DowntimeStart { until: t().add(1000) }) };
    assert_eq!(
        f.to_json_line(),
        r#"{"time":"2025-01-01T10:05:00.100Z","kind":"Fault","fault":"downtimeStart","until":"2025-01-01T10:05:01.100Z"}"#
    );
    let d = Record {
        time: t(),
        entry: Entry::JobDeleted {
            job: "default/a-1".into(),
            by: DeletedBy::HistoryGc,
            propagation: Propagation::Background,
        },
    };
    assert!(d.to_json_line().contains(r#""by":"HistoryGC","propagation":"Background""#));
}

/// Every record a run emits is moved three times on its way to the sink:
/// up to 128 bytes the compiler copies it inline, past that each move is a
/// `memcpy` call (a week of the one-CronJob benchmark spent 0.85% of its
/// instructions there). A large new variant should box its payload, as the
/// Crossplane reconcile records box their decisions.
#[test]
#[cfg(target_pointer_width = "64")]
fn a_record_stays_small_enough_to_be_copied_inline() {
    assert!(std::mem::size_of::<Entry>() <= 120, "Entry is {} bytes", std::mem::size_of::<Entry>());
    assert!(std::mem::size_of::<Record>() <= 128, "Record is {} bytes", std::mem::size_of::<Record>());
}
