//! Rows for the classic hourly schedule: never ran, prev ran but done, still active.

use super::{
    ALREADY_ACTIVE, CREATED, Case, D, DELETED, ERROR_SCHEDULE, FAILED_GET, Fail, JUST_AFTER_THE_HOUR,
    JUST_BEFORE_THE_HOUR, LONG_DEAD, NEW_YORK, Requeue, SAW, SHORT_DEAD, TOP_OF_THE_HOUR, UNKNOWN_TZ,
    UNPARSEABLE, UNSUPPORTED, after, creates, done, hourly, running,
};
use cronwarp::model::{HOUR, MINUTE};
use cronwarp::policy::cronjob::DeleteCause;

/// The first half of the table: never ran, prev ran but done, still active.
pub(super) fn first_half() -> Vec<Case> {
    let none = None;
    let (short, long) = (Some(SHORT_DEAD), Some(LONG_DEAD));
    let (before, after_h) = (JUST_BEFORE_THE_HOUR, JUST_AFTER_THE_HOUR);
    let mut v = Vec::new();
    for (name, policy) in [
        ("never ran, not valid schedule, A", "Allow"),
        ("never ran, not valid schedule, F", "Forbid"),
        // Upstream's "R" row uses Forbid too.
        ("never ran, not valid schedule, R", "Forbid"),
    ] {
        v.push(Case {
            schedule: ERROR_SCHEDULE,
            want_events: &[UNPARSEABLE],
            want_requeue: Requeue::Never,
            ..hourly(name, policy, none, before)
        });
    }
    v.push(Case {
        time_zone: Some("bad timezone"),
        want_events: &[UNKNOWN_TZ],
        want_requeue: Requeue::Never,
        ..hourly("never ran, not valid time zone", "Allow", none, before)
    });
    for (name, policy, tz) in [
        ("never ran, not time, A", "Allow", None),
        ("never ran, not time, F", "Forbid", None),
        ("never ran, not time, R", "Replace", None),
        ("never ran, not time in zone", "Allow", Some(NEW_YORK)),
    ] {
        v.push(Case { time_zone: tz, want_requeue: after(MINUTE + D), ..hourly(name, policy, none, before) });
    }
    for (name, policy, tz) in [
        ("never ran, is time, A", "Allow", None),
        ("never ran, is time, F", "Forbid", None),
        ("never ran, is time, R", "Replace", None),
        ("never ran, is time in zone, but time zone disabled", "Allow", Some(NEW_YORK)),
        ("never ran, is time in zone", "Allow", Some(NEW_YORK)),
    ] {
        let c = Case {
            time_zone: tz,
            want_events: &[CREATED],
            want_requeue: after(HOUR - MINUTE + D),
            ..hourly(name, policy, none, after_h)
        };
        v.push(creates(c, TOP_OF_THE_HOUR));
    }
    v.push(creates(
        Case {
            schedule: "TZ=UTC 0 * * * ?",
            time_zone: Some(NEW_YORK),
            want_events: &[UNSUPPORTED, CREATED],
            want_requeue: after(HOUR - MINUTE + D),
            note: "upstream's expectActive 0 is never checked; the created Job is active",
            ..hourly("never ran, is time in zone, but TZ is also set in schedule", "Allow", none, after_h)
        },
        TOP_OF_THE_HOUR,
    ));
    v.push(Case {
        suspend: true,
        want_requeue: Requeue::Never,
        ..hourly("never ran, is time, suspended", "Allow", none, after_h)
    });
    v.push(Case {
        want_requeue: after(HOUR - MINUTE - 11 * MINUTE + D),
        ..hourly("never ran, is time, past deadline", "Allow", short, after_h.add(11 * MINUTE))
    });
    v.push(creates(
        Case {
            want_events: &[CREATED],
            want_requeue: after(HOUR - MINUTE + D),
            ..hourly("never ran, is time, not past deadline", "Allow", long, after_h)
        },
        TOP_OF_THE_HOUR,
    ));

    // prev ran but done
    for (name, policy) in [
        ("prev ran but done, not time, A", "Allow"),
        ("prev ran but done, not time, F", "Forbid"),
        ("prev ran but done, not time, R", "Replace"),
    ] {
        v.push(done(Case {
            want_events: &[SAW],
            want_requeue: after(MINUTE + D),
            ..hourly(name, policy, none, before)
        }));
    }
    for (name, policy, deadline) in [
        ("prev ran but done, is time, A", "Allow", none),
        ("prev ran but done, is time, F", "Forbid", none),
        ("prev ran but done, is time, R", "Replace", none),
        ("prev ran but done, is time, not past deadline", "Allow", long),
    ] {
        let c = Case {
            want_events: &[SAW, CREATED],
            want_requeue: after(HOUR - MINUTE + D),
            ..hourly(name, policy, deadline, after_h)
        };
        v.push(creates(done(c), TOP_OF_THE_HOUR));
    }
    v.push(done(Case {
        create_err: Some(Fail::AlreadyExists),
        want_adopt: Some(TOP_OF_THE_HOUR),
        want_active: 1,
        want_events: &[SAW],
        want_requeue: after(HOUR - MINUTE + D),
        note: "AlreadyExists of a Job this CronJob controls and that is not active: adopted \
               (active 1, lastScheduleTime = tick, no SuccessfulCreate); upstream's expectActive 0 is never checked",
        ..hourly("prev ran but done, is time, create job failed, A", "Allow", none, after_h)
    }));
    v.push(done(Case {
        job_in_active: false,
        create_err: Some(Fail::AlreadyExists),
        want_adopt: Some(TOP_OF_THE_HOUR),
        want_active: 1,
        want_requeue: after(HOUR - MINUTE + D),
        note: "adopted as above; upstream's expectActive 0 is never checked",
        ..hourly(
            "prev ran but done, is time, job not present in CJ active status, create job failed, A",
            "Allow",
            none,
            after_h,
        )
    }));
    v.push(done(Case {
        suspend: true,
        want_events: &[SAW],
        want_requeue: Requeue::Never,
        ..hourly("prev ran but done, is time, suspended", "Allow", none, after_h)
    }));
    v.push(done(Case {
        want_events: &[SAW],
        want_requeue: after(HOUR - MINUTE + D),
        ..hourly("prev ran but done, is time, past deadline", "Allow", short, after_h)
    }));

    // still active
    for (name, policy) in [
        ("still active, not time, A", "Allow"),
        ("still active, not time, F", "Forbid"),
        ("still active, not time, R", "Replace"),
    ] {
        v.push(running(Case { want_requeue: after(MINUTE + D), ..hourly(name, policy, none, before) }));
    }
    for (name, deadline) in
        [("still active, is time, A", none), ("still active, is time, not past deadline", long)]
    {
        let c = Case {
            want_events: &[CREATED],
            want_requeue: after(HOUR - MINUTE + D),
            ..hourly(name, "Allow", deadline, after_h)
        };
        v.push(creates(running(c), TOP_OF_THE_HOUR));
    }
    v.push(running(Case {
        want_events: &[ALREADY_ACTIVE],
        want_requeue: after(HOUR - MINUTE + D),
        ..hourly("still active, is time, F", "Forbid", none, after_h)
    }));
    let replaced = Case {
        want_delete: Some(DeleteCause::Replace),
        want_events: &[DELETED, CREATED],
        want_requeue: after(HOUR - MINUTE + D),
        ..hourly("still active, is time, R", "Replace", none, after_h)
    };
    let replaced = creates(running(replaced), TOP_OF_THE_HOUR);
    v.push(Case { want_active: 1, ..replaced });
    v.push(running(Case {
        get_err: Some(Fail::BadRequest),
        want_events: &[FAILED_GET],
        want_err: true,
        want_requeue: Requeue::Never,
        ..hourly("still active, is time, get job failed, R", "Replace", none, after_h)
    }));
    v.push(running(Case {
        suspend: true,
        want_requeue: Requeue::Never,
        ..hourly("still active, is time, suspended", "Allow", none, after_h)
    }));
    v.push(running(Case {
        want_requeue: after(HOUR - MINUTE + D),
        ..hourly("still active, is time, past deadline", "Allow", short, after_h)
    }));
    v
}
