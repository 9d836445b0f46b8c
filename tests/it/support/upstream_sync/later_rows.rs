//! Rows for long overdue runs, time skew, slow listers, `@every`, namespace
//! termination and lastSuccessfulTime.

use super::{
    CREATED, Case, D, DELETED, EVERY_HOUR, Fail, GO_ZERO, JUST_AFTER_THE_HOUR, JUST_AFTER_THE_PRIOR_HOUR,
    JUST_BEFORE_THE_HOUR, JUST_BEFORE_THE_NEXT_HOUR, JUST_BEFORE_THE_PRIOR_HOUR, LONG_DEAD, MEDIUM_DEAD,
    Requeue, SAW, SHORT_DEAD, TOO_MANY, TOP_OF_THE_HOUR, WEEK_AFTER_THE_HOUR, after, base, creates, done,
    hourly, running,
};
use cronwarp::model::{HOUR, MINUTE, SECOND, Time};
use cronwarp::policy::cronjob::DeleteCause;

/// The second half: long overdue, time skew, slow listers, `@every`,
/// namespace termination, lastSuccessfulTime.
pub(super) fn second_half() -> Vec<Case> {
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
        // commented out ("This test will fail"): see policy::cronjob::quirks.
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
