//! Per-CronJob report notes on what DST does to a schedule inside the
//! horizon: gaps (a wall time that does not exist, so no tick), folds (a
//! wall time that happens twice, so two Jobs) and robfig's exotic
//! deviations, in the plain words of [`schedule::analyze`](crate::schedule::analyze),
//! the same analysis `cronwarp explain` prints.

use crate::model::Time;
use crate::schedule::{Anomaly, AnomalyKind, Schedule, Zone, group_anomalies};

/// At most this many notes per schedule; a longer list ends with a count.
pub const MAX_DST_NOTES: usize = 24;

/// Notes for the anomalies of `schedule` with ticks in the horizon span
/// `[from, to)` (the accountant's ticks: strictly after `from`, before
/// `to`), one per run of same-kind anomalies on one local date.
///
/// `Next` not advancing is left out: the accountant notes it where its tick
/// walk stops, with what the controller does then. A tick at such an
/// instant says so, since whether the controller starts it depends on its
/// state (chatham-stuck: it never does).
pub fn dst_notes(schedule: &Schedule, local: Zone, from: Time, to: Time, scheduler: &str) -> Vec<String> {
    // The last whole second before `to`: ticks are whole seconds.
    let (first, last) = (from.unix(), to.add(-1).unix());
    let mut notes = Vec::new();
    let (mut groups_seen, mut seen_until) = (0usize, first);
    // Window by window, so a long horizon never holds all its ticks; no
    // window splits a local date or a transition, so no group is split.
    crate::schedule::analyze_windows(schedule, local, first, last, scheduler, |window| {
        let (stuck, anomalies): (Vec<Anomaly>, Vec<Anomaly>) = window
            .into_iter()
            .filter(|a| seen_until < a.at && a.at <= last)
            .partition(|a| a.kind == AnomalyKind::NotAdvancing);
        let is_stuck = |g: &[Anomaly]| {
            g.iter().flat_map(|a| &a.instants).any(|u| stuck.iter().any(|s| s.instants.contains(u)))
        };
        for g in group_anomalies(&anomalies) {
            groups_seen += 1;
            if groups_seen <= MAX_DST_NOTES {
                let n = note(g);
                notes.push(if is_stuck(g) {
                    format!(
                        "{n} (but Next does not advance past this instant: see the note on where the \
                         controller stops)"
                    )
                } else {
                    n
                });
            }
        }
        seen_until = anomalies.iter().chain(&stuck).map(|a| a.at).max().unwrap_or(seen_until).max(seen_until);
    });
    if groups_seen > MAX_DST_NOTES {
        notes.push(format!("and {} more DST notes like these", groups_seen - MAX_DST_NOTES));
    }
    notes
}

/// `2025-03-09 02:30 no run (DST gap) [-05:00 -> -04:00]: <explanation>`,
/// with the extent of a run of several.
fn note(group: &[Anomaly]) -> String {
    let (Some(a), Some(last)) = (group.first(), group.last()) else { return String::new() };
    let (wall, offsets) = a.heading();
    let mut s = format!("{wall} {} [{offsets}]: {}", a.kind.label(), a.explanation);
    if group.len() > 1 {
        s.push_str(&format!(
            " (and {} more like it, the last at {:02}:{:02})",
            group.len() - 1,
            last.wall.hour,
            last.wall.minute
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Time {
        Time::parse_rfc3339(s).unwrap_or(Time(0))
    }

    fn notes(spec: &str, from: &str, to: &str) -> Vec<String> {
        let s = Schedule::parse(spec).expect("valid schedule");
        dst_notes(&s, Zone::Utc, at(from), at(to), "Kubernetes")
    }

    #[test]
    fn a_spring_forward_gap_inside_the_horizon_is_noted() {
        let n = notes("TZ=America/New_York 30 2 * * *", "2025-03-01T00:00:00Z", "2025-03-31T00:00:00Z");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].starts_with("2025-03-09 02:30 no run (DST gap) [-05:00 -> -04:00]: "), "{}", n[0]);
        assert!(n[0].contains("does not exist"), "{}", n[0]);
    }

    #[test]
    fn a_fall_back_fold_is_noted_with_both_offsets() {
        let n = notes("TZ=America/New_York 30 1 * * *", "2025-10-01T00:00:00Z", "2025-11-30T00:00:00Z");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].starts_with("2025-11-02 01:30 runs twice (DST fold) [-04:00, -05:00]: "), "{}", n[0]);
    }

    #[test]
    fn transitions_outside_the_horizon_give_no_note() {
        let n = notes("TZ=America/New_York 30 2 * * *", "2025-03-10T00:00:00Z", "2025-11-01T00:00:00Z");
        assert!(n.is_empty(), "{n:?}");
        assert!(notes("30 2 * * *", "2025-01-01T00:00:00Z", "2025-12-31T00:00:00Z").is_empty());
    }

    #[test]
    fn an_hour_long_gap_of_an_every_minute_schedule_is_one_note() {
        let n = notes("TZ=America/New_York * * * * *", "2025-03-09T00:00:00Z", "2025-03-10T00:00:00Z");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].ends_with("(and 59 more like it, the last at 02:59)"), "{}", n[0]);
    }

    #[test]
    fn a_tick_where_next_is_stuck_says_so() {
        let n = notes("TZ=Pacific/Chatham 45 3 * * *", "2025-04-01T00:00:00Z", "2025-04-12T00:00:00Z");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].starts_with("2025-04-06 02:45 off-schedule run (robfig walk)"), "{}", n[0]);
        assert!(n[0].ends_with("see the note on where the controller stops)"), "{}", n[0]);
    }

    #[test]
    fn lord_howe_midnight_skips_are_noted_as_robfig_walk_deviations() {
        let n = notes("TZ=Australia/Lord_Howe 0 0 * * *", "2025-04-04T00:00:00Z", "2025-10-07T00:00:00Z");
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(n.iter().all(|l| l.contains("no run (robfig walk)")), "{n:?}");
    }
}
