//! What a schedule does around DST transitions, and where robfig's
//! field walk departs from the plain reading of the wall clock.
//!
//! [`simple_next`] is the "simple model" (docs/fidelity/schedules.md#sch-11): the
//! earliest whole minute whose wall clock matches. It shares nothing with
//! robfig's field walk in [`super::next`], so comparing the two finds the
//! deviations (Lord Howe, Chatham, midnight-DST zones) without knowing
//! their causes.

use super::civil::{DAY, Wall, civil_from_days};
use super::next::day_matches;
use super::{STAR_BIT, Schedule, ScheduleKind, SpecSchedule, Zone};

/// How robfig combines the day-of-month and day-of-week fields
/// (robfig `dayMatches`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayRule {
    /// At least one day field carries the star bit, so a day must match
    /// both; as a star field matches every day, only the other one counts.
    And,
    /// Neither field carries the star bit: a day matching either is enough.
    /// This is the only case where the rule changes which days fire.
    Or,
}

impl DayRule {
    /// Whether the rule changes anything, i.e. both fields are restricted
    /// (written without a `*`/`?` base, even if they cover every day).
    pub fn matters(self) -> bool {
        self == DayRule::Or
    }
}

/// robfig `dayMatches`' choice between AND and OR.
pub fn day_rule(spec: &SpecSchedule) -> DayRule {
    if (spec.dom | spec.dow) & STAR_BIT != 0 { DayRule::And } else { DayRule::Or }
}

/// A change of a zone's UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// First instant (Unix seconds) with the new offset.
    pub at: i64,
    /// Offset in seconds before `at`.
    pub offset_before: i32,
    /// Offset in seconds from `at` on.
    pub offset_after: i32,
}

/// What kind of surprise a tick holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnomalyKind {
    /// A matching wall time does not exist that day (spring forward): no
    /// tick existed, and Kubernetes does not run later instead.
    Gap,
    /// A matching wall time happens twice (fall back): Kubernetes runs at
    /// both instants.
    Fold,
    /// Exotic: robfig skips a tick whose wall time exists and matches.
    Skipped,
    /// Exotic: robfig fires at an instant whose wall time does not match.
    NonMatching,
    /// Exotic: `Next` returns its own input (or earlier), so the controller
    /// stops scheduling (docs/fidelity/kubernetes-cronjob.md#cj-19).
    NotAdvancing,
}

impl AnomalyKind {
    /// The deviations caused by robfig's field walk rather than by the
    /// clock itself.
    pub fn is_exotic(self) -> bool {
        matches!(self, AnomalyKind::Skipped | AnomalyKind::NonMatching | AnomalyKind::NotAdvancing)
    }

    /// A short label for listings.
    pub fn label(self) -> &'static str {
        match self {
            AnomalyKind::Gap => "no run (DST gap)",
            AnomalyKind::Fold => "runs twice (DST fold)",
            AnomalyKind::Skipped => "no run (robfig walk)",
            AnomalyKind::NonMatching => "off-schedule run (robfig walk)",
            AnomalyKind::NotAdvancing => "Next stuck (robfig walk)",
        }
    }
}

/// One surprising tick (or missing one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// What happens.
    pub kind: AnomalyKind,
    /// Sort key: the first instant, or for a gap the instant the run would
    /// have had on the old offset.
    pub at: i64,
    /// The instants involved: none for a gap, both passes for a fold, the
    /// skipped or fired instant otherwise.
    pub instants: Vec<i64>,
    /// Local wall date and time of the tick (for a gap, the missing one).
    pub wall: Wall,
    /// The zone offset (seconds) at each instant; for a gap, the offsets
    /// before and after the jump.
    pub offsets: Vec<i32>,
    /// The DST transition behind it, when one is within three days.
    pub transition: Option<Transition>,
    /// Plain-words explanation, ready for a report.
    pub explanation: String,
}

impl Anomaly {
    /// `2025-03-09 02:30` (the local wall minute) and `-05:00 -> -04:00`
    /// (a gap's jump) or `-04:00, -05:00` (the offsets of the instants):
    /// the heading `cronwarp explain` and the report's DST notes share.
    pub fn heading(&self) -> (String, String) {
        let w = &self.wall;
        let wall = format!("{:04}-{:02}-{:02} {:02}:{:02}", w.year, w.month, w.day, w.hour, w.minute);
        let offsets: Vec<String> = self.offsets.iter().map(|&o| fmt_offset(o)).collect();
        let sep = if self.kind == AnomalyKind::Gap { " -> " } else { ", " };
        (wall, offsets.join(sep))
    }
}

/// Runs of anomalies with the same kind, transition and local date, so an
/// every-minute schedule lists an hour-long gap once.
pub fn group_anomalies(all: &[Anomaly]) -> Vec<&[Anomaly]> {
    let same = |a: &Anomaly, b: &Anomaly| {
        a.kind == b.kind
            && a.transition == b.transition
            && (a.wall.year, a.wall.month, a.wall.day) == (b.wall.year, b.wall.month, b.wall.day)
    };
    all.chunk_by(|a, b| same(a, b)).collect()
}

/// The simple model (docs/fidelity/schedules.md#sch-11): the earliest
/// whole-minute instant after `after` whose wall clock in `zone` matches the
/// fields, no more than five wall years on (robfig's search limit).
/// Independent of robfig's field walk.
pub fn simple_next(spec: &SpecSchedule, zone: Zone, after: i64) -> Option<i64> {
    let start = after.checked_add(1)?;
    let limit = zone.wall(start).year + 5;
    // A fold across midnight can put a later instant on an earlier date,
    // so start one day early and look one day past the first find.
    let mut day = local_day(zone, start) - 1;
    let mut best: Option<(i64, i64)> = None;
    loop {
        if civil_from_days(day).0 > limit || best.is_some_and(|(_, d)| day > d + 1) {
            return best.map(|(u, _)| u);
        }
        for u in day_ticks(spec, zone, day) {
            if u > after && zone.wall(u).year <= limit && best.is_none_or(|(b, _)| u < b) {
                best = Some((u, best.map_or(day, |(_, d)| d)));
            }
        }
        day += 1;
    }
}

/// Ticks, DST gaps and folds, and robfig deviations in `(from, to]`, in
/// time order. `@every` schedules have none: they count real seconds.
///
/// Where `Next` does not advance, a [`AnomalyKind::NotAdvancing`] entry is
/// recorded (at `from` itself if `from` is the stuck instant) and the walk
/// resumes one second later, so later anomalies still show.
///
/// Explanations name Kubernetes as the scheduler; [`analyze_as`] names
/// another controller that walks robfig the same way (Crossplane).
pub fn analyze(schedule: &Schedule, local: Zone, from: i64, to: i64) -> Vec<Anomaly> {
    analyze_as(schedule, local, from, to, "Kubernetes")
}

/// [`analyze`], with `scheduler` as the controller the explanations name.
pub fn analyze_as(schedule: &Schedule, local: Zone, from: i64, to: i64, scheduler: &str) -> Vec<Anomaly> {
    let ScheduleKind::Spec(spec) = schedule.kind() else { return Vec::new() };
    if to <= from {
        return Vec::new();
    }
    let zone = schedule.zone(local);
    let ctx = Ctx {
        spec,
        zone,
        scheduler,
        transitions: transitions(zone, from.saturating_sub(3 * DAY), to.saturating_add(3 * DAY)),
    };
    let mut out = Vec::new();
    let robfig = ctx.robfig_ticks(schedule, local, from, to, &mut out);
    let simple = simple_ticks(spec, zone, from, to);
    for tr in &ctx.transitions {
        ctx.gaps_and_folds(tr, from, to, &robfig, &mut out);
    }
    for &u in robfig.iter().filter(|u| simple.binary_search(u).is_err()) {
        out.push(ctx.non_matching(u));
    }
    for &u in simple.iter().filter(|u| robfig.binary_search(u).is_err()) {
        out.push(ctx.skipped(u, &simple));
    }
    out.sort_by_key(|a| (a.at, a.kind));
    out
}

/// Length of the windows [`analyze_windows`] walks in.
const WINDOW: i64 = 28 * DAY;

/// [`analyze`] over `(from, to]` one window of about four weeks at a time,
/// so memory stays flat however long the span: each window's anomalies go
/// to `visit` in time order. Windows are cut at a local midnight with no
/// offset change within two days, so no transition's context and no local
/// date is split: the concatenated windows equal one `analyze` call (up to
/// robfig's five-year limit, which only a tick gap of over four years can
/// reach).
pub fn analyze_windows(
    schedule: &Schedule,
    local: Zone,
    from: i64,
    to: i64,
    scheduler: &str,
    mut visit: impl FnMut(Vec<Anomaly>),
) {
    let zone = schedule.zone(local);
    let mut start = from;
    while start < to {
        let cut = quiet_midnight_after(zone, start.saturating_add(WINDOW)).filter(|&c| c < to);
        let end = cut.unwrap_or(to);
        visit(analyze_as(schedule, local, start, end, scheduler));
        start = end;
    }
}

/// The first local midnight after `t` with no offset change within two
/// days of it (searching up to a year on), or `None`.
fn quiet_midnight_after(zone: Zone, t: i64) -> Option<i64> {
    let first = local_day(zone, t).checked_add(1)?;
    (first..first + 366).find_map(|day| {
        let guess = day.checked_mul(DAY)?;
        let midnight = guess - i64::from(zone.offset_at(guess));
        let quiet = transitions(zone, midnight - 2 * DAY, midnight + 2 * DAY).is_empty();
        (quiet && local_day(zone, midnight) == day).then_some(midnight)
    })
}

/// Every simple-model tick in `(from, to]`, sorted, with the five-year limit
/// applied as iterating [`simple_next`] would.
fn simple_ticks(spec: &SpecSchedule, zone: Zone, from: i64, to: i64) -> Vec<i64> {
    let mut all = Vec::new();
    for day in local_day(zone, from + 1) - 1..=local_day(zone, to) + 1 {
        all.extend(day_ticks(spec, zone, day).into_iter().filter(|&u| u > from && u <= to));
    }
    all.sort_unstable();
    let mut prev = from;
    for (i, &u) in all.iter().enumerate() {
        // Only a gap of four years or more can cross the limit.
        if u - prev > 4 * 365 * DAY && zone.wall(u).year > zone.wall(prev + 1).year + 5 {
            all.truncate(i);
            break;
        }
        prev = u;
    }
    all
}

/// Local day number (days since 1970-01-01 on the wall calendar).
fn local_day(zone: Zone, unix: i64) -> i64 {
    (unix + i64::from(zone.offset_at(unix))).div_euclid(DAY)
}

/// The instants on local day `day` whose wall clock matches, sorted.
fn day_ticks(spec: &SpecSchedule, zone: Zone, day: i64) -> Vec<i64> {
    let (_, month, dom) = civil_from_days(day);
    let weekday = (day + 4).rem_euclid(7) as u32;
    if spec.month & (1 << month) == 0 || !day_matches(spec, dom, weekday) || spec.second & 1 == 0 {
        return Vec::new();
    }
    let offsets = day_offsets(zone, day);
    let mut out = Vec::new();
    for h in (0..24).filter(|h| spec.hour & (1 << h) != 0) {
        for m in (0..60).filter(|m| spec.minute & (1 << m) != 0) {
            let wall = day * DAY + h * 3600 + m * 60;
            for &o in &offsets {
                let u = wall - i64::from(o);
                if offsets.len() == 1 || zone.offset_at(u) == o {
                    out.push(u);
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// Every offset the zone uses at an instant whose wall date is `day`.
/// Hourly samples suffice: no zone changes offset twice within an hour.
fn day_offsets(zone: Zone, day: i64) -> Vec<i32> {
    if zone == Zone::Utc {
        return vec![0];
    }
    // Offsets stay within ±17 h (LMT included), so every instant with this
    // wall date lies in the window.
    const MARGIN: i64 = 17 * 3600;
    let mut offsets = Vec::with_capacity(2);
    let mut t = day * DAY - MARGIN;
    while t <= (day + 1) * DAY + MARGIN {
        let o = zone.offset_at(t);
        if !offsets.contains(&o) {
            offsets.push(o);
        }
        t += 3600;
    }
    offsets
}

/// The zone's offset changes in `[from, to]`.
pub fn transitions(zone: Zone, from: i64, to: i64) -> Vec<Transition> {
    let mut out = Vec::new();
    if zone == Zone::Utc {
        return out;
    }
    let (mut t, mut o) = (from, zone.offset_at(from));
    while t < to {
        let n = t.saturating_add(3600).min(to);
        if zone.offset_at(n) == o {
            t = n;
            continue;
        }
        let (mut lo, mut hi) = (t, n);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if zone.offset_at(mid) == o { lo = mid } else { hi = mid }
        }
        let after = zone.offset_at(hi);
        out.push(Transition { at: hi, offset_before: o, offset_after: after });
        (t, o) = (hi, after);
    }
    out
}

/// Whether a wall time matches every field (robfig's seconds field is 0).
fn wall_matches(spec: &SpecSchedule, w: &Wall) -> bool {
    spec.second & (1 << w.second) != 0
        && spec.minute & (1 << w.minute) != 0
        && spec.hour & (1 << w.hour) != 0
        && spec.month & (1 << w.month) != 0
        && day_matches(spec, w.day, w.weekday)
}

struct Ctx<'a> {
    spec: &'a SpecSchedule,
    zone: Zone,
    /// The controller the explanations name.
    scheduler: &'a str,
    transitions: Vec<Transition>,
}

impl Ctx<'_> {
    /// robfig's ticks in `(from, to]`, recording every place where `Next`
    /// does not advance and stepping past it.
    fn robfig_ticks(
        &self,
        schedule: &Schedule,
        local: Zone,
        from: i64,
        to: i64,
        out: &mut Vec<Anomaly>,
    ) -> Vec<i64> {
        let mut ticks = Vec::new();
        let mut cur = from;
        let mut last_stuck = None;
        while let Some(n) = schedule.next(cur, local) {
            if n <= cur {
                if last_stuck != Some(n) {
                    last_stuck = Some(n);
                    out.push(self.not_advancing(cur, n));
                }
                cur += 1;
                continue;
            }
            if n > to {
                break;
            }
            ticks.push(n);
            cur = n;
        }
        ticks
    }

    fn gaps_and_folds(&self, tr: &Transition, from: i64, to: i64, robfig: &[i64], out: &mut Vec<Anomaly>) {
        let (before, after) = (i64::from(tr.offset_before), i64::from(tr.offset_after));
        let (lo, hi) =
            if after > before { (tr.at + before, tr.at + after) } else { (tr.at + after, tr.at + before) };
        // Wall minutes in [lo, hi): missing (gap) or repeated (fold).
        let mut wall = lo + (60 - lo.rem_euclid(60)) % 60;
        while wall < hi {
            let w = Wall::from_local_seconds(wall);
            if wall_matches(self.spec, &w) {
                if after > before {
                    let at = wall - before;
                    if at > from && at <= to {
                        out.push(self.gap(tr, w, at));
                    }
                } else {
                    let pair = [wall - before, wall - after];
                    if pair.iter().all(|u| *u > from && *u <= to && robfig.binary_search(u).is_ok()) {
                        out.push(self.fold(tr, w, pair));
                    }
                }
            }
            wall += 60;
        }
    }

    fn gap(&self, tr: &Transition, w: Wall, at: i64) -> Anomaly {
        let jump_from = tr.at + i64::from(tr.offset_before);
        let jump_to = tr.at + i64::from(tr.offset_after);
        let explanation = format!(
            "{} does not exist on {} in {} (clocks jump from {} {} to {} {}): no tick existed, \
             and {} does not run later instead",
            hhmm(&w),
            date(&w),
            self.zone.name(),
            hhmm(&Wall::from_local_seconds(jump_from)),
            fmt_offset(tr.offset_before),
            hhmm(&Wall::from_local_seconds(jump_to)),
            fmt_offset(tr.offset_after),
            self.scheduler,
        );
        Anomaly {
            kind: AnomalyKind::Gap,
            at,
            instants: Vec::new(),
            wall: w,
            offsets: vec![tr.offset_before, tr.offset_after],
            transition: Some(*tr),
            explanation,
        }
    }

    fn fold(&self, tr: &Transition, w: Wall, pair: [i64; 2]) -> Anomaly {
        let explanation = format!(
            "{} happens twice on {} in {} (clocks go back from {} to {}): {} runs at both \
             {}{} and {}{}",
            hhmm(&w),
            date(&w),
            self.zone.name(),
            fmt_offset(tr.offset_before),
            fmt_offset(tr.offset_after),
            self.scheduler,
            hhmm(&w),
            fmt_offset(tr.offset_before),
            hhmm(&w),
            fmt_offset(tr.offset_after),
        );
        Anomaly {
            kind: AnomalyKind::Fold,
            at: pair[0],
            instants: pair.to_vec(),
            wall: w,
            offsets: vec![tr.offset_before, tr.offset_after],
            transition: Some(*tr),
            explanation,
        }
    }

    fn exotic(&self, kind: AnomalyKind, u: i64, explanation: String) -> Anomaly {
        Anomaly {
            kind,
            at: u,
            instants: vec![u],
            wall: self.zone.wall(u),
            offsets: vec![self.zone.offset_at(u)],
            transition: self.nearest_transition(u),
            explanation,
        }
    }

    fn non_matching(&self, u: i64) -> Anomaly {
        let w = self.zone.wall(u);
        let s = self.spec;
        let why = if s.hour & (1 << w.hour) == 0 {
            format!("the hour field does not include {}", w.hour)
        } else if s.minute & (1 << w.minute) == 0 {
            format!("the minute field does not include {}", w.minute)
        } else if s.month & (1 << w.month) == 0 {
            format!("the month field does not include {}", w.month)
        } else if !day_matches(s, w.day, w.weekday) {
            format!("{} {} does not match the day fields", WEEKDAYS[w.weekday as usize % 7], date(&w))
        } else {
            "the simple wall-clock reading has no run then".to_string()
        };
        let text = format!(
            "{} runs at {} {}{} although {why}, because of how robfig walks wall-clock fields ({})",
            self.scheduler,
            date(&w),
            hhmm(&w),
            fmt_offset(self.zone.offset_at(u)),
            self.cause(u)
        );
        self.exotic(AnomalyKind::NonMatching, u, text)
    }

    fn skipped(&self, u: i64, simple: &[i64]) -> Anomaly {
        let w = self.zone.wall(u);
        // The other pass of a repeated wall time, if this is one of two.
        let twin = self.transitions.iter().filter(|t| (t.at - u).abs() <= 3 * DAY).any(|t| {
            let shift = i64::from((t.offset_after - t.offset_before).abs());
            [u - shift, u + shift].iter().any(|v| simple.binary_search(v).is_ok() && self.zone.wall(*v) == w)
        });
        let text = if twin {
            format!(
                "{} runs the repeated {} only once, not at {}{}, because of how robfig walks \
                 wall-clock fields ({})",
                self.scheduler,
                hhmm(&w),
                hhmm(&w),
                fmt_offset(self.zone.offset_at(u)),
                self.cause(u)
            )
        } else {
            format!(
                "{} skips this run because of how robfig walks wall-clock fields ({})",
                self.scheduler,
                self.cause(u)
            )
        };
        self.exotic(AnomalyKind::Skipped, u, text)
    }

    fn not_advancing(&self, given: i64, got: i64) -> Anomaly {
        let text = format!(
            "robfig's Next returns {} when given {}, so Kubernetes stops scheduling this CronJob after \
             that run (\"time difference between two schedules is less than 1 second\", or a sync loop \
             that never ends) ({})",
            super::format_rfc3339(got, self.zone),
            super::format_rfc3339(given, self.zone),
            self.cause(got)
        );
        self.exotic(AnomalyKind::NotAdvancing, got, text)
    }

    fn nearest_transition(&self, u: i64) -> Option<Transition> {
        self.transitions
            .iter()
            .filter(|t| (t.at - u).abs() <= 3 * DAY)
            .min_by_key(|t| (t.at - u).abs())
            .copied()
    }

    /// Why robfig's walk goes wrong near `u` (docs/fidelity/schedules.md#sch-8, #sch-10).
    fn cause(&self, u: i64) -> String {
        let zone = self.zone.name();
        let off = self.zone.offset_at(u);
        if off % 60 != 0 {
            // robfig truncates to the minute in absolute time, which is not
            // a wall-clock minute boundary under such an offset (LMT).
            let a = off.unsigned_abs();
            return format!(
                "the offset {}{:02}:{:02}:{:02} in {zone} is not a whole number of minutes",
                if off < 0 { '-' } else { '+' },
                a / 3600,
                a / 60 % 60,
                a % 60
            );
        }
        let Some(tr) = self.nearest_transition(u) else {
            return format!("no DST transition nearby in {zone}");
        };
        let delta = tr.offset_after - tr.offset_before;
        let switch = tr.at + i64::from(tr.offset_before);
        let sw = Wall::from_local_seconds(switch);
        let clock = switch.rem_euclid(DAY);
        if delta % 3600 != 0 {
            format!("DST shift of {} min in {zone}", delta.unsigned_abs() / 60)
        } else if clock % 3600 != 0 {
            format!("DST transition at {} local time in {zone}", hhmm(&sw))
        } else if delta > 0 && (clock == 0 || clock + i64::from(delta) > DAY) {
            format!("DST gap at local midnight in {zone}")
        } else if delta < 0 && clock + i64::from(delta) < 0 {
            format!("clocks go back across local midnight in {zone}")
        } else {
            format!("DST transition on {} in {zone}", date(&sw))
        }
    }
}

const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// `HH:MM` of a wall time.
pub(crate) fn hhmm(w: &Wall) -> String {
    format!("{:02}:{:02}", w.hour, w.minute)
}

/// `YYYY-MM-DD` of a wall time.
pub(crate) fn date(w: &Wall) -> String {
    format!("{:04}-{:02}-{:02}", w.year, w.month, w.day)
}

/// `+HH:MM` / `-HH:MM` of an offset in seconds (seconds dropped, as Go's
/// RFC 3339 does).
pub fn fmt_offset(off: i32) -> String {
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, a / 60 % 60)
}
