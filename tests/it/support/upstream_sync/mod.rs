//! The `TestControllerV2SyncCronJob` table of kubernetes
//! `pkg/controller/cronjob/cronjob_controllerv2_test.go`, case for case
//! with upstream's case names (newest stored version: the 71 v1.29 rows
//! plus the three `set lastsuccessfultime …` rows), as data for
//! `policy::cronjob::upstream_sync`.
//!
//! Upstream's expectations are kept, with these differences (each marked
//! `note:` on its row):
//! * upstream checks `expectActive` only against `cjc.Updates`, which a
//!   direct `syncCronJob` call never fills, so that assertion is dead
//!   there; where its value is wrong for the object the sync writes, the
//!   row carries the correct count.
//! * `expectErr: false` and `expectRequeueAfter: false` assert nothing
//!   upstream; here the error and the requeue are always asserted, from
//!   the controller's code (docs/fidelity/kubernetes-cronjob.md#cj-2),
//!   except where `now` is Go's zero time (upstream's `Duration`
//!   saturates there).
//! * upstream calls `syncCronJob` alone; we call `sync`, which runs history
//!   GC first. Only the `successfulJobsHistoryLimit: 0` row sees the
//!   difference.

mod hourly_rows;
mod later_rows;

use cronwarp::model::{Millis, Time};
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

/// All rows.
pub fn all() -> Vec<Case> {
    let mut v = hourly_rows::first_half();
    v.extend(later_rows::second_half());
    v
}
