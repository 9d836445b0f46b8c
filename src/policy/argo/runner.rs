//! robfig/cron v3's in-process runner (`cron.go` `Cron.run`), as the Argo
//! controller drives it through `workflow/cron/cron_facade.go`
//! (docs/fidelity/argo.md#argo-3).
//!
//! Unlike the CronJob controller's sync loop, nothing here looks back: an
//! entry added at `now` fires first at `Schedule.Next(now)`, and after each
//! fire its next time is `Schedule.Next` of the instant the timer fired. A
//! tick that passes while the entry is not registered (controller down,
//! the CronWorkflow being re-registered) is simply never fired; only the
//! one catch-up of [`super::missed_execution`] can bring it back.

use crate::model::Time;
use crate::schedule::{Schedule, Zone};

/// One registered schedule (`cron.Entry`).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The parsed schedule, `CRON_TZ=` prefix included.
    pub schedule: Schedule,
    /// When it fires next; `None` is Go's zero time (never).
    pub next: Option<Time>,
    /// When it last fired; `None` until it has.
    pub prev: Option<Time>,
}

/// A CronWorkflow's entries in the runner (`cronFacade.entryIDs[key]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Runner {
    entries: Vec<Entry>,
    local: Zone,
}

impl Runner {
    /// `cronFacade.Delete(key)` then `AddJob` per schedule at `now`: each
    /// entry's `Next` is `Schedule.Next(now)`, and `Prev` starts empty.
    /// `local` is the controller's zone (`time.Local`, what a schedule
    /// without `CRON_TZ=` is read in). A schedule robfig refuses stops the
    /// registration there, the entries before it staying registered.
    pub fn register(schedules: &[String], now: Time, local: Zone) -> (Runner, Option<String>) {
        let mut entries = Vec::with_capacity(schedules.len());
        for s in schedules {
            match Schedule::parse(s) {
                Ok(schedule) => {
                    let next = schedule.next(now.unix(), local).map(Time::from_unix);
                    entries.push(Entry { schedule, next, prev: None });
                }
                Err(e) => return (Runner { entries, local }, Some(e.robfig_text().to_string())),
            }
        }
        (Runner { entries, local }, None)
    }

    /// The entries, in registration order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// When the runner's timer fires next for these entries.
    pub fn due(&self) -> Option<Time> {
        self.entries.iter().filter_map(|e| e.next).min()
    }

    /// The timer fired at `now`: every entry due by then runs (`startJob`),
    /// its `Prev` becomes its `Next`, and its `Next` becomes
    /// `Schedule.Next(now)`. Returns how many entries ran: each is one
    /// `Run()` of the CronWorkflow.
    pub fn fire(&mut self, now: Time) -> usize {
        let mut ran = 0;
        for e in &mut self.entries {
            if e.next.is_some_and(|n| n <= now) {
                ran += 1;
                e.prev = e.next;
                let after = e.schedule.next(now.unix(), self.local).map(Time::from_unix);
                // robfig's Next can return its argument in half-hour DST
                // zones (docs/fidelity/schedules.md#sch-9): the timer would
                // fire again at once; one run per instant is what shows.
                e.next = after
                    .filter(|a| *a > now)
                    .or_else(|| e.schedule.next(now.unix() + 1, self.local).map(Time::from_unix));
            }
        }
        ran
    }

    /// `ScheduledTimeFunc` (`cronFacade.AddJob`'s closure): the latest
    /// `Prev` of the key's entries, what `Run` takes as the scheduled time.
    /// Two schedules firing at one instant therefore submit the same
    /// Workflow name twice, and the second is refused
    /// (docs/fidelity/argo.md#argo-9).
    pub fn scheduled_time(&self) -> Option<Time> {
        self.entries.iter().filter_map(|e| e.prev).max()
    }
}
