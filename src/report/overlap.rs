//! Overlap intervals: the spans where two or more runs (Jobs of a CronJob,
//! Operations of a CronOperation) of one workload are running at once.

use super::types::{OverlapRow, Overlaps};
use crate::model::Time;

/// The running count of one workload and its open overlap interval.
#[derive(Debug, Default)]
pub(super) struct OverlapTracker {
    running: u32,
    /// Runs deleted by Replace that still run: a Job's pods terminating, an
    /// Operation's function call in flight (Crossplane does not cancel it).
    /// Any overlap while one exists carries the Replace note, whichever run
    /// ends first.
    replaced_running: u32,
    open: Option<OverlapRow>,
}

impl OverlapTracker {
    /// A run started.
    pub(super) fn start(&mut self, t: Time, out: &mut Overlaps) {
        self.change(t, 1, out);
    }

    /// A run stopped; `replaced`: it was one [`replacing`](Self::replacing)
    /// counted.
    pub(super) fn stop(&mut self, t: Time, replaced: bool, out: &mut Overlaps) {
        self.change(t, -1, out);
        if replaced {
            self.replaced_running = self.replaced_running.saturating_sub(1);
        }
    }

    /// A running run was deleted by Replace and keeps running for a while.
    pub(super) fn replacing(&mut self) {
        self.replaced_running += 1;
        self.flag_open();
    }

    fn flag_open(&mut self) {
        if let Some(o) = self.open.as_mut() {
            o.replace_termination |= self.replaced_running > 0;
        }
    }

    fn change(&mut self, t: Time, delta: i32, out: &mut Overlaps) {
        let before = self.running;
        self.running = before.saturating_add_signed(delta);
        out.max_concurrency = out.max_concurrency.max(self.running);
        if before < 2 && self.running >= 2 {
            self.open =
                Some(OverlapRow { start: t, end: t, max_running: self.running, replace_termination: false });
        }
        if let Some(o) = self.open.as_mut() {
            o.max_running = o.max_running.max(self.running);
        }
        // Flagged before a close, so the run that ends first (the
        // replacement or the replaced one) cannot drop the note.
        self.flag_open();
        if self.running < 2 {
            self.close(t, out);
        }
    }

    /// Closes the open interval (if any) at `end`.
    pub(super) fn close(&mut self, end: Time, out: &mut Overlaps) {
        if let Some(mut o) = self.open.take() {
            o.end = end;
            out.total += o.end.since(o.start);
            out.intervals.push(o);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_note_survives_when_the_replacement_ends_first() {
        let mut tr = OverlapTracker::default();
        let mut out = Overlaps::default();
        tr.start(Time(0), &mut out);
        tr.replacing();
        tr.start(Time(10), &mut out);
        tr.stop(Time(20), false, &mut out);
        tr.stop(Time(30), true, &mut out);
        assert_eq!(out.intervals.len(), 1);
        assert!(out.intervals[0].replace_termination);
        assert_eq!(out.total, 10);
    }

    #[test]
    fn plain_overlap_has_no_replace_note() {
        let mut tr = OverlapTracker::default();
        let mut out = Overlaps::default();
        tr.start(Time(0), &mut out);
        tr.start(Time(5), &mut out);
        tr.stop(Time(9), false, &mut out);
        assert!(!out.intervals[0].replace_termination);
        assert_eq!(out.max_concurrency, 2);
    }
}
