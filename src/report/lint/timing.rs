//! A schedule as the controller parses it, with the gaps between its
//! ticks: what the interval rules (CW-L8, CW-L10) compare settings with.

use super::DstWindow;
use crate::schedule::{Schedule, Zone};

/// CW-L10 speaks when more than 100 ticks fit in an outage this long or
/// shorter: a day, the cluster stopped overnight of kubernetes#42649.
/// Longer thresholds (a 15-minute schedule's 25 hours) are left alone.
pub const TOO_MANY_MISSED_WITHIN: i64 = 86_400;

/// At most this many ticks are looked at per schedule: enough for the
/// gaps of any schedule with at most one irregular week, cheap for a
/// fleet of every-minute schedules.
const SAMPLE: usize = 2_000;

/// A parsed schedule and the gaps between its ticks.
pub(super) struct Timing {
    /// The schedule, `TZ=` prefix included.
    pub(super) schedule: Schedule,
    /// `None` when fewer than two ticks fall in the window.
    pub(super) gaps: Option<Gaps>,
}

/// Seconds between consecutive ticks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gaps {
    /// The shortest (a fall-back fold can make a daily schedule's 1 h).
    pub(super) min: i64,
    /// The median: "the interval" a reader has in mind.
    pub(super) typical: i64,
}

impl Timing {
    pub(super) fn new(schedule: Schedule, local: Zone, window: DstWindow) -> Timing {
        let ticks = ticks(&schedule, local, window.from, window.to, SAMPLE);
        let mut gaps: Vec<i64> = ticks.windows(2).map(|w| w[1] - w[0]).collect();
        gaps.sort_unstable();
        let gaps = (!gaps.is_empty()).then(|| Gaps { min: gaps[0], typical: gaps[gaps.len() / 2] });
        Timing { schedule, gaps }
    }
}

/// The schedule's ticks in `(from, to]`, at most `cap`, as the controller
/// walks them (`Next` fed its own output). A `Next` that does not advance
/// (CW-L16's stuck case) ends the walk, as it ends the controller's.
pub(super) fn ticks(schedule: &Schedule, local: Zone, from: i64, to: i64, cap: usize) -> Vec<i64> {
    let mut out = Vec::new();
    let mut prev = from;
    for t in schedule.iter_after(from, local) {
        if t <= prev || t > to || out.len() >= cap {
            break;
        }
        out.push(t);
        prev = t;
    }
    out
}
