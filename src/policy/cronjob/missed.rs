//! The missed-schedule arithmetic of kubernetes
//! `pkg/controller/cronjob/utils.go`: `mostRecentScheduleTime`,
//! `nextScheduleTime` and `nextScheduleTimeDuration`
//! (docs/fidelity/kubernetes-cronjob.md#cj-4), with
//! Go's integer arithmetic reproduced exactly, quirks Q1/Q2 included.
//!
//! One deliberate difference: where upstream's loop over `Next` never
//! terminates (robfig's non-advancing `Next` in zones such as
//! Pacific/Chatham, or a `Next` that returns the zero time mid-walk), these
//! functions stop and report [`ScheduleFault::NeverReturns`] instead of
//! hanging.

use super::Missed;
use super::gotime::{self, GO_ZERO};
use crate::model::{CronJob, Millis, Time};
use crate::schedule::{Schedule, Zone};

/// `nextScheduleDelta`: the controller wakes 100 ms after a tick.
pub const NEXT_SCHEDULE_DELTA: Millis = 100;

/// The error text of `mostRecentScheduleTime` when the first two ticks are
/// less than a second apart (or `Next` returned the zero time).
pub const LESS_THAN_ONE_SECOND: &str = "time difference between two schedules is less than 1 second";

/// Upper bound on `Next` calls in one walk. Upstream walks at most about two
/// estimated intervals, a few hundred thousand steps for the most irregular
/// field combinations; a walk this long only happens where Go loops forever.
pub const MAX_WALK_STEPS: u32 = 1 << 22;

/// Why the arithmetic produced no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleFault {
    /// `mostRecentScheduleTime`'s error: the first two ticks are less than
    /// one second apart (Warning `InvalidSchedule`, no requeue).
    TooClose,
    /// Upstream's `for t := Next(..); !t.After(now); t = Next(t)` loop would
    /// never end: `Next` returned its argument (docs/fidelity/schedules.md#sch-9) or
    /// the zero time, from which the walk cycles. The real controller's
    /// worker goroutine spins forever at this point. `at` is the instant
    /// where the walk stopped advancing.
    NeverReturns {
        /// Where the walk stopped advancing.
        at: Time,
    },
}

impl std::fmt::Display for ScheduleFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScheduleFault::TooClose => f.write_str(LESS_THAN_ONE_SECOND),
            ScheduleFault::NeverReturns { at } => {
                write!(f, "robfig Next does not advance past {at}: the controller's loop never returns")
            }
        }
    }
}

/// What `mostRecentScheduleTime` returns, plus the raw missed count the
/// pre-PR #121327 controller printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MostRecent {
    /// lastScheduleTime, else creationTimestamp (Go's zero time when unset),
    /// raised to `now - startingDeadlineSeconds` when that is later and the
    /// deadline is included.
    pub earliest: Time,
    /// The most recent due tick, if the estimate found one.
    pub most_recent: Option<Time>,
    /// robfig's estimate of how many ticks were missed.
    pub missed: Missed,
    /// `numberOfMissedSchedules`: 0 when nothing is due, 1 when only the
    /// first tick is, else the estimate `elapsed / interval + 1`.
    pub count: i64,
}

/// Mirrors `mostRecentScheduleTime` (docs/fidelity/kubernetes-cronjob.md#cj-4), returning the
/// estimate's raw count too. `now` may have a sub-second part; every tick
/// is a whole second.
pub fn most_recent(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
    include_starting_deadline: bool,
) -> Result<MostRecent, ScheduleFault> {
    let mut earliest = cronjob.metadata.creation_timestamp.unwrap_or(GO_ZERO);
    if let Some(last) = cronjob.status.last_schedule_time {
        earliest = last;
    }
    if include_starting_deadline && let Some(sds) = cronjob.spec.starting_deadline_seconds {
        let deadline = gotime::add_seconds(now, sds.wrapping_neg());
        if deadline > earliest {
            earliest = deadline;
        }
    }
    let none = |count| MostRecent { earliest, most_recent: None, missed: Missed::None, count };

    let t1 = gotime::next(schedule, earliest, local);
    let t2 = gotime::next(schedule, t1, local);
    if now < t1 {
        return Ok(none(0));
    }
    if now < t2 {
        return Ok(MostRecent { most_recent: Some(t1), ..none(1) });
    }
    // Ticks are whole seconds, so `Round(time.Second)` only matters through
    // Sub's saturation, which `gotime::sub` already applies.
    let interval = gotime::whole_seconds(gotime::sub(t2, t1));
    if interval < 1 {
        return Err(ScheduleFault::TooClose);
    }
    let elapsed = gotime::whole_seconds(gotime::sub(now, t1));
    let count = elapsed / interval + 1;
    let potential_earliest = gotime::add_seconds(t1, (count - 2).wrapping_mul(interval));
    let latest = last_tick_not_after(schedule, potential_earliest, now, local)?;
    let missed = if count > 100 { Missed::Many } else { Missed::Few };
    Ok(MostRecent { earliest, most_recent: latest, missed, count })
}

/// The walk `for t := Next(from); !t.After(now); t = Next(t)`, keeping the
/// last `t`; `None` when the walk never starts.
fn last_tick_not_after(
    schedule: &Schedule,
    from: Time,
    now: Time,
    local: Zone,
) -> Result<Option<Time>, ScheduleFault> {
    let mut latest = None;
    walk(schedule, from, now, local, |t| {
        latest = Some(t);
        true
    })?;
    Ok(latest)
}

/// Calls `visit` with each tick after `from` up to `now` (stopping early when
/// it returns false), failing where Go's loop would not terminate.
fn walk(
    schedule: &Schedule,
    from: Time,
    now: Time,
    local: Zone,
    mut visit: impl FnMut(Time) -> bool,
) -> Result<(), ScheduleFault> {
    let mut t = gotime::next(schedule, from, local);
    let mut steps = 0u32;
    while t <= now {
        // From the zero time the walk restarts in year 1 and reaches the
        // same dead end again: a cycle.
        if t == GO_ZERO || steps >= MAX_WALK_STEPS {
            return Err(ScheduleFault::NeverReturns { at: t });
        }
        if !visit(t) {
            return Ok(());
        }
        // A sync's usual walk is a step or two, asked again at every sync;
        // a long catch-up walk would only churn the remembered answers.
        let n =
            if steps < 2 { gotime::next(schedule, t, local) } else { gotime::next_fresh(schedule, t, local) };
        if n == t {
            return Err(ScheduleFault::NeverReturns { at: t });
        }
        t = n;
        steps += 1;
    }
    Ok(())
}

/// The v1 controller's `getRecentUnmetScheduleTimes` count (≤ v1.20):
/// every tick in `(earliest, now]`, the deadline applied, counted up to
/// `limit`.
pub fn exact_missed_count(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
    limit: usize,
) -> Result<usize, ScheduleFault> {
    let mut earliest =
        cronjob.status.last_schedule_time.or(cronjob.metadata.creation_timestamp).unwrap_or(GO_ZERO);
    if let Some(sds) = cronjob.spec.starting_deadline_seconds {
        earliest = earliest.max(gotime::add_seconds(now, sds.wrapping_neg()));
    }
    let mut count = 0;
    if earliest > now {
        return Ok(0);
    }
    walk(schedule, earliest, now, local, |_| {
        count += 1;
        count < limit
    })?;
    Ok(count)
}

/// Mirrors `nextScheduleTime` without its event: the tick to start now
/// (deadline applied) and the estimate it came with.
pub fn scheduled_tick(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
) -> Result<(Option<Time>, MostRecent), ScheduleFault> {
    let r = most_recent(cronjob, now, schedule, local, true)?;
    let tick = r.most_recent.filter(|t| *t <= now);
    Ok((tick, r))
}

/// Mirrors `nextScheduleTimeDuration`: the requeue delay, the deadline
/// ignored, evaluated on the object as it stands after the sync.
pub fn requeue_after(
    cronjob: &CronJob,
    now: Time,
    schedule: &Schedule,
    local: Zone,
) -> Result<Millis, ScheduleFault> {
    let base = match most_recent(cronjob, now, schedule, local, false) {
        Err(ScheduleFault::TooClose) => now,
        Err(stuck) => return Err(stuck),
        Ok(MostRecent { most_recent: Some(t), .. }) => t,
        Ok(MostRecent { missed: Missed::None, earliest, .. }) => earliest,
        Ok(_) => now,
    };
    Ok(gotime::sub(gotime::next(schedule, base, local).add(NEXT_SCHEDULE_DELTA), now))
}
