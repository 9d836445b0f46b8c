//! The `TestControllerV2SyncCronJob` table of kubernetes
//! `pkg/controller/cronjob/cronjob_controllerv2_test.go`, case for case
//! with upstream's case names (newest stored version: the 71 v1.29 rows
//! plus the three `set lastsuccessfultime …` rows), as data for
//! `tests/upstream_cronjob_sync.rs`.
//!
//! Upstream's expectations are kept, with these differences (each marked
//! `note:` on its row):
//! * upstream checks `expectActive` only against `cjc.Updates`, which a
//!   direct `syncCronJob` call never fills, so that assertion is dead
//!   there; where its value is wrong for the object the sync writes, the
//!   row carries the correct count.
//! * `expectErr: false` and `expectRequeueAfter: false` assert nothing
//!   upstream; here the error and the requeue are always asserted, from
//!   the controller's code (reference §4), except where `now` is Go's zero
//!   time (upstream's `Duration` saturates there).
//! * upstream calls `syncCronJob` alone; we call `sync`, which runs history
//!   GC first. Only the `successfulJobsHistoryLimit: 0` row sees the
//!   difference.

use cronwarp::model::{HOUR, MINUTE, Millis, SECOND, Time};
use cronwarp::policy::EventType::{self, Normal, Warning};
use cronwarp::policy::cronjob::DeleteCause;

/// An API failure to inject (upstream's `jobCreateError`, `jobGetErr`).
#[derive(Debug, Clone, Copy)]
pub enum Fail {
    AlreadyExists,
    NamespaceTerminating,
    /// `errors.NewBadRequest("request is invalid")`.
    BadRequest,
}

/// What `requeue_after` must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requeue {
    Unchecked,
    Never,
    After(Millis),
}

/// One row. Setup fields mirror upstream's; `want_*` are expectations.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: &'static str,
    pub policy: &'static str,
    pub suspend: bool,
    pub schedule: &'static str,
    pub time_zone: Option<&'static str>,
    pub deadline: Option<i64>,
    pub successful_limit: Option<i32>,
    pub ran_previously: bool,
    pub still_active: bool,
    pub cronjob_created: Option<Time>,
    pub job_created: Time,
    pub last_schedule: Option<Time>,
    pub now: Time,
    pub create_err: Option<Fail>,
    pub get_err: Option<Fail>,
    pub job_not_in_lister: bool,
    pub job_in_active: bool,
    /// The tick a new Job is created for.
    pub want_create: Option<Time>,
    /// The tick whose CREATE hits AlreadyExists and adopts the old Job.
    pub want_adopt: Option<Time>,
    pub want_delete: Option<DeleteCause>,
    pub want_active: usize,
    pub want_events: &'static [(EventType, &'static str)],
    pub want_err: bool,
    pub want_requeue: Requeue,
    pub want_update_status: bool,
    pub note: &'static str,
}

const MAY19: i64 = 1_463_616_000;
const fn at(day: i64, h: i64, m: i64, s: i64) -> Time {
    Time::from_unix(day + h * 3600 + m * 60 + s)
}
/// Go's zero `time.Time` (0001-01-01T00:00:00Z).
pub const GO_ZERO: Time = Time::from_unix(-62_135_596_800);
pub const JUST_BEFORE_THE_PRIOR_HOUR: Time = at(MAY19, 8, 59, 0);
pub const JUST_AFTER_THE_PRIOR_HOUR: Time = at(MAY19, 9, 1, 0);
pub const JUST_BEFORE_THE_HOUR: Time = at(MAY19, 9, 59, 0);
pub const TOP_OF_THE_HOUR: Time = at(MAY19, 10, 0, 0);
pub const JUST_AFTER_THE_HOUR: Time = at(MAY19, 10, 1, 0);
pub const JUST_BEFORE_THE_NEXT_HOUR: Time = at(MAY19, 10, 59, 0);
pub const WEEK_AFTER_THE_HOUR: Time = at(MAY19 + 7 * 86_400, 10, 0, 0);

const SHORT_DEAD: i64 = 10;
const MEDIUM_DEAD: i64 = 2 * 60 * 60;
const LONG_DEAD: i64 = 1_000_000;
const ERROR_SCHEDULE: &str = "obvious error schedule";
const ON_THE_HOUR: &str = "0 * * * ?";
const EVERY_HOUR: &str = "@every 1h";
const NEW_YORK: &str = "America/New_York";
/// `nextScheduleDelta`.
const D: Millis = 100;

const SAW: (EventType, &str) = (Normal, "SawCompletedJob");
const CREATED: (EventType, &str) = (Normal, "SuccessfulCreate");
const DELETED: (EventType, &str) = (Normal, "SuccessfulDelete");
const ALREADY_ACTIVE: (EventType, &str) = (Normal, "JobAlreadyActive");
const TOO_MANY: (EventType, &str) = (Warning, "TooManyMissedTimes");
const UNPARSEABLE: (EventType, &str) = (Warning, "UnparseableSchedule");
const UNKNOWN_TZ: (EventType, &str) = (Warning, "UnknownTimeZone");
const UNSUPPORTED: (EventType, &str) = (Warning, "UnsupportedSchedule");
const FAILED_GET: (EventType, &str) = (Warning, "FailedGet");

/// Upstream's zero values: no job, nothing expected.
fn base() -> Case {
    Case {
        name: "",
        policy: "",
        suspend: false,
        schedule: "",
        time_zone: None,
        deadline: None,
        successful_limit: None,
        ran_previously: false,
        still_active: false,
        cronjob_created: None,
        job_created: GO_ZERO,
        last_schedule: None,
        now: GO_ZERO,
        create_err: None,
        get_err: None,
        job_not_in_lister: false,
        job_in_active: false,
        want_create: None,
        want_adopt: None,
        want_delete: None,
        want_active: 0,
        want_events: &[],
        want_err: false,
        want_requeue: Requeue::Unchecked,
        want_update_status: false,
        note: "",
    }
}

/// The `onTheHour` rows' common setup (job of the prior hour, in active).
fn hourly(name: &'static str, policy: &'static str, deadline: Option<i64>, now: Time) -> Case {
    Case {
        name,
        policy,
        schedule: ON_THE_HOUR,
        deadline,
        job_created: JUST_AFTER_THE_PRIOR_HOUR,
        now,
        job_in_active: true,
        ..base()
    }
}

/// A finished previous run (`ranPreviously`, not `stillActive`).
fn done(c: Case) -> Case {
    Case { ran_previously: true, want_update_status: true, ..c }
}

/// A running previous run (`ranPreviously`, `stillActive`).
fn running(c: Case) -> Case {
    Case { ran_previously: true, still_active: true, want_active: 1, ..c }
}

/// A Job created for `tick` in this sync.
fn creates(c: Case, tick: Time) -> Case {
    Case { want_create: Some(tick), want_update_status: true, want_active: c.want_active + 1, ..c }
}

fn after(ms: Millis) -> Requeue {
    Requeue::After(ms)
}

/// The first half of the table: never ran, prev ran but done, still active.
pub fn first_half() -> Vec<Case> {
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

/// The second half: long overdue, time skew, slow listers, `@every`,
/// namespace termination, lastSuccessfulTime.
pub fn second_half() -> Vec<Case> {
    let none = None;
    let (short, medium, long) = (Some(SHORT_DEAD), Some(MEDIUM_DEAD), Some(LONG_DEAD));
    let mut v = Vec::new();
    // Long overdue: a week of hourly ticks (169 by the estimate) is "many"
    // unless the deadline window shrinks the count.
    for (name, policy, deadline, many) in [
        ("prev ran but done, long overdue, not past deadline, A", "Allow", long, true),
        ("prev ran but done, long overdue, not past deadline, R", "Replace", long, true),
        ("prev ran but done, long overdue, not past deadline, F", "Forbid", long, true),
        ("prev ran but done, long overdue, no deadline, A", "Allow", none, true),
        ("prev ran but done, long overdue, no deadline, R", "Replace", none, true),
        ("prev ran but done, long overdue, no deadline, F", "Forbid", none, true),
        ("prev ran but done, long overdue, past medium deadline, A", "Allow", medium, false),
        ("prev ran but done, long overdue, past short deadline, A", "Allow", short, false),
        ("prev ran but done, long overdue, past medium deadline, R", "Replace", medium, false),
        ("prev ran but done, long overdue, past short deadline, R", "Replace", short, false),
        ("prev ran but done, long overdue, past medium deadline, F", "Forbid", medium, false),
        ("prev ran but done, long overdue, past short deadline, F", "Forbid", short, false),
    ] {
        let c = Case {
            want_events: if many { &[SAW, TOO_MANY, CREATED] } else { &[SAW, CREATED] },
            want_requeue: after(HOUR + D),
            ..hourly(name, policy, deadline, WEEK_AFTER_THE_HOUR)
        };
        v.push(creates(done(c), WEEK_AFTER_THE_HOUR));
    }

    // Time skew: the controller sees the job is created, takes no action.
    v.push(done(Case {
        job_created: JUST_AFTER_THE_HOUR,
        job_in_active: false,
        create_err: Some(Fail::AlreadyExists),
        want_requeue: after(MINUTE + D),
        ..hourly("this ran but done, time drifted back, F", "Forbid", none, JUST_BEFORE_THE_HOUR)
    }));

    // Slow job lister: the active Job is only in the API server.
    // Slow CronJob lister: the Job is only in a fresh GET of the CronJob.
    let (created, now) = (TOP_OF_THE_HOUR.add(100), JUST_AFTER_THE_HOUR.add(100));
    for (name, policy, not_in_lister) in [
        ("this started but went missing, not past deadline, A", "Allow", true),
        ("this started but went missing, not past deadline, f", "Forbid", true),
        ("this started but went missing, not past deadline, R", "Replace", true),
        ("this started but is not present in cronjob active list, not past deadline, A", "Allow", false),
        ("this started but is not present in cronjob active list, not past deadline, f", "Forbid", false),
        ("this started but is not present in cronjob active list, not past deadline, R", "Replace", false),
    ] {
        v.push(running(Case {
            job_created: created,
            job_not_in_lister: not_in_lister,
            job_in_active: not_in_lister,
            want_requeue: after(HOUR - MINUTE - 100 + D),
            ..hourly(name, policy, long, now)
        }));
    }

    v.extend(every_hour());

    v.push(running(Case {
        create_err: Some(Fail::NamespaceTerminating),
        job_in_active: false,
        want_active: 0,
        want_err: true,
        want_requeue: Requeue::Never,
        ..hourly("do nothing if the namespace is terminating", "Allow", none, JUST_AFTER_THE_HOUR)
    }));

    // Upstream leaves policy, deadline (0, so startingDeadlineSeconds: 0),
    // job creation time and `now` at their zero values.
    for (name, limit) in [
        ("set lastsuccessfultime if successfulJobHistoryLimit is ten", Some(10)),
        ("set lastsuccessfultime if successfulJobHistoryLimit is nil", None),
    ] {
        v.push(done(Case {
            successful_limit: limit,
            want_events: &[SAW],
            ..hourly(name, "", Some(0), GO_ZERO)
        }));
    }
    v.push(done(Case {
        successful_limit: Some(0),
        want_delete: Some(DeleteCause::HistoryGc),
        want_events: &[DELETED],
        note: "`sync` runs history GC first: the finished Job is deleted (SuccessfulDelete, leaves \
               active) before syncCronJob sees it, so SawCompletedJob is not emitted; \
               lastSuccessfulTime is still set (PR #122025)",
        ..hourly("set lastsuccessfultime if successfulJobHistoryLimit is zero", "", Some(0), GO_ZERO)
    }));
    v
}

/// The `@every 1h` rows.
fn every_hour() -> Vec<Case> {
    let (short, long) = (Some(SHORT_DEAD), Some(LONG_DEAD));
    let every = |name, deadline, created: Time, job: Time, last: Option<Time>, now| Case {
        name,
        policy: "Allow",
        schedule: EVERY_HOUR,
        deadline,
        cronjob_created: Some(created),
        job_created: job,
        last_schedule: last,
        now,
        job_in_active: true,
        ..base()
    };
    let (b_prior, b_hour) = (JUST_BEFORE_THE_PRIOR_HOUR, JUST_BEFORE_THE_HOUR);
    let next_hour = JUST_BEFORE_THE_NEXT_HOUR;
    let s = SECOND;
    let mut v = vec![
        Case {
            want_requeue: after(HOUR - MINUTE + D),
            ..every("with @every schedule, never ran, not time", None, b_hour, b_hour, None, TOP_OF_THE_HOUR)
        },
        creates(
            Case {
                want_events: &[CREATED],
                want_requeue: after(HOUR + D),
                ..every("with @every schedule, never ran, is time", None, b_prior, b_prior, None, b_hour)
            },
            b_hour,
        ),
        Case {
            want_requeue: after(HOUR - 11 * s + D),
            ..every(
                "with @every schedule, never ran, is time, past deadline",
                short,
                b_prior,
                b_prior,
                None,
                b_hour.add(11 * s),
            )
        },
        creates(
            Case {
                want_events: &[CREATED],
                want_requeue: after(HOUR - 9 * s + D),
                ..every(
                    "with @every schedule, never ran, is time, not past deadline",
                    long,
                    b_prior,
                    b_prior,
                    None,
                    b_hour.add(9 * s),
                )
            },
            b_hour,
        ),
        done(Case {
            want_events: &[SAW],
            want_requeue: after(HOUR - MINUTE + D),
            ..every(
                "with @every schedule, prev ran but done, not time",
                None,
                b_prior,
                b_prior,
                Some(b_hour),
                TOP_OF_THE_HOUR,
            )
        }),
        creates(
            done(Case {
                want_events: &[SAW, CREATED],
                want_requeue: after(HOUR - MINUTE + D),
                ..every(
                    "with @every schedule, prev ran but done, is time",
                    None,
                    b_prior,
                    b_prior,
                    Some(b_hour),
                    TOP_OF_THE_HOUR.add(HOUR),
                )
            }),
            next_hour,
        ),
        done(Case {
            want_events: &[SAW],
            want_requeue: after(HOUR - 11 * s + D),
            ..every(
                "with @every schedule, prev ran but done, is time, past deadline",
                short,
                b_prior,
                b_prior,
                Some(b_hour),
                next_hour.add(11 * s),
            )
        }),
        // Upstream's "…, prev ran but done, is time, not past deadline" row is
        // commented out ("This test will fail"): see tests/quirks_cronjob.rs.
        running(Case {
            want_requeue: after(HOUR - MINUTE + D),
            ..every(
                "with @every schedule, still active, not time",
                None,
                b_prior,
                b_hour,
                Some(b_hour),
                TOP_OF_THE_HOUR,
            )
        }),
        creates(
            running(Case {
                want_events: &[CREATED],
                want_requeue: after(HOUR - 2 * MINUTE + D),
                ..every(
                    "with @every schedule, still active, is time",
                    None,
                    b_prior,
                    b_prior,
                    Some(b_prior),
                    JUST_AFTER_THE_HOUR,
                )
            }),
            b_hour,
        ),
        running(Case {
            want_requeue: after(HOUR - 11 * s + D),
            ..every(
                "with @every schedule, still active, is time, past deadline",
                short,
                b_prior,
                b_hour,
                Some(b_hour),
                next_hour.add(11 * s),
            )
        }),
        creates(
            running(Case {
                want_events: &[CREATED],
                want_requeue: after(HOUR - 9 * s + D),
                ..every(
                    "with @every schedule, still active, is time, not past deadline",
                    long,
                    b_prior,
                    b_hour,
                    Some(b_hour),
                    next_hour.add(9 * s),
                )
            }),
            next_hour,
        ),
    ];
    let (a_prior, a_hour) = (JUST_AFTER_THE_PRIOR_HOUR, JUST_AFTER_THE_HOUR);
    v.push(creates(
        done(Case {
            want_events: &[SAW, TOO_MANY, CREATED],
            want_requeue: after(MINUTE + D),
            ..every(
                "with @every schedule, prev ran but done, long overdue, no deadline",
                None,
                a_prior,
                a_prior,
                Some(a_hour),
                WEEK_AFTER_THE_HOUR,
            )
        }),
        WEEK_AFTER_THE_HOUR.add(-59 * MINUTE),
    ));
    v.push(done(Case {
        want_events: &[SAW],
        want_requeue: after(HOUR - 11 * s + D),
        note: "upstream's expectActive 1 is never checked; the finished Job leaves active and nothing starts",
        ..every(
            "with @every schedule, prev ran but done, long overdue, past deadline",
            short,
            a_prior,
            a_prior,
            Some(a_hour),
            WEEK_AFTER_THE_HOUR.add(MINUTE + 11 * s),
        )
    }));
    v
}

/// All rows.
pub fn all() -> Vec<Case> {
    let mut v = first_half();
    v.extend(second_half());
    v
}
