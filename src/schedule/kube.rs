//! The Kubernetes layer over robfig: how kube-controller-manager builds the
//! schedule string it parses, and the API server's create/update rules for
//! `spec.schedule` and `spec.timeZone`.
//!
//! These are distinct diagnostics, because they fail at different places in
//! a real cluster: the API server rejects an object on `kubectl apply`, while
//! the controller emits an event and silently stops scheduling.

use super::Schedule;
use super::parse::ParseError;
use super::zone::load_location;
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// What `formatSchedule` produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormattedSchedule {
    /// The string handed to `ParseStandard`.
    pub text: String,
    /// The schedule contains `TZ`, so the controller ignores `spec.timeZone`
    /// and emits Warning `UnsupportedSchedule` on every sync.
    pub tz_in_schedule: bool,
}

/// Mirrors `formatSchedule` in kubernetes `pkg/controller/cronjob/utils.go`:
/// a schedule containing the substring `TZ` anywhere is used verbatim and
/// `spec.timeZone` is ignored; otherwise a loadable `timeZone` is prefixed
/// as `TZ=<zone> `.
pub fn format_schedule(schedule: &str, time_zone: Option<&str>) -> FormattedSchedule {
    if schedule.contains("TZ") {
        return FormattedSchedule { text: schedule.to_string(), tz_in_schedule: true };
    }
    let text = match time_zone {
        Some(tz) if load_location(tz).is_ok() => super::text::concat(&["TZ=", tz, " ", schedule]),
        _ => schedule.to_string(),
    };
    FormattedSchedule { text, tz_in_schedule: false }
}

/// Parses what the controller parses, turning robfig's panics into errors
/// the way `parsers.ParseCronScheduleWithPanicRecovery` does
/// (`invalid schedule format: <panic>`).
pub fn controller_parse(formatted: &str) -> Result<Schedule, String> {
    // Parsing is pure and a simulated controller parses the same few
    // schedules on every sync: remember the results (bounded).
    PARSED.with_borrow_mut(|memo| {
        if let Some(r) = memo.get(formatted) {
            return r.clone();
        }
        let r = parse_uncached(formatted);
        if memo.len() >= PARSED_MAX {
            memo.clear();
        }
        memo.insert(formatted.to_string(), r.clone());
        r
    })
}

/// [`format_schedule`] then [`controller_parse`], as every CronJob sync
/// does: whether the schedule carries its own `TZ`, and the parsed
/// schedule. Remembered per thread (bounded) by schedule and zone, so a
/// sync neither formats nor looks up a zone again.
pub fn controller_schedule(schedule: &str, time_zone: Option<&str>) -> (bool, Result<Schedule, String>) {
    // The last answer first: a partition holds one CronJob, which asks
    // again at every sync, and comparing its two short strings costs less
    // than building and hashing the memo's key.
    let last = LAST_FORMATTED.with_borrow(|last| {
        let same = last.schedule == schedule && last.zone.as_deref() == time_zone;
        last.answer.as_ref().filter(|_| same).cloned()
    });
    if let Some(r) = last {
        return r;
    }
    let r = controller_schedule_memo(schedule, time_zone);
    // Kept in place: in a fleet's single engine CronJobs take turns, and
    // the last answer changes at almost every sync.
    LAST_FORMATTED.with_borrow_mut(|last| {
        last.schedule.clear();
        last.schedule.push_str(schedule);
        match time_zone {
            Some(tz) => {
                let z = last.zone.get_or_insert_with(String::new);
                z.clear();
                z.push_str(tz);
            }
            None => last.zone = None,
        }
        last.answer = Some(r.clone());
    });
    r
}

/// [`controller_schedule`]'s memo of every (schedule, zone) asked.
fn controller_schedule_memo(schedule: &str, time_zone: Option<&str>) -> (bool, Result<Schedule, String>) {
    FORMATTED.with_borrow_mut(|(scratch, memo)| {
        // The key: the zone's length (or a marker for none), the zone, the
        // schedule; built in a reused buffer, so a hit allocates nothing.
        scratch.clear();
        match time_zone {
            Some(tz) => {
                scratch.extend_from_slice(&(tz.len() as u64).to_le_bytes());
                scratch.extend_from_slice(tz.as_bytes());
            }
            None => scratch.extend_from_slice(&u64::MAX.to_le_bytes()),
        }
        scratch.extend_from_slice(schedule.as_bytes());
        if let Some(r) = memo.get(scratch.as_slice()) {
            return r.clone();
        }
        let formatted = format_schedule(schedule, time_zone);
        let r = (formatted.tz_in_schedule, controller_parse(&formatted.text));
        if memo.len() >= PARSED_MAX {
            memo.clear();
        }
        memo.insert(scratch.clone(), r.clone());
        r
    })
}

/// How many parse results [`controller_parse`] keeps per thread.
const PARSED_MAX: usize = 4096;

type FormattedMemo = (Vec<u8>, FxHashMap<Vec<u8>, (bool, Result<Schedule, String>)>);
/// The last (schedule, zone) [`controller_schedule`] answered, and its
/// answer (`None` before the first).
struct LastFormatted {
    schedule: String,
    zone: Option<String>,
    answer: Option<(bool, Result<Schedule, String>)>,
}

thread_local! {
    static FORMATTED: RefCell<FormattedMemo> = RefCell::new((Vec::new(), FxHashMap::default()));
    static LAST_FORMATTED: RefCell<LastFormatted> =
        const { RefCell::new(LastFormatted { schedule: String::new(), zone: None, answer: None }) };
    static PARSED: RefCell<BTreeMap<String, Result<Schedule, String>>> = const { RefCell::new(BTreeMap::new()) };
}

fn parse_uncached(formatted: &str) -> Result<Schedule, String> {
    match Schedule::parse(formatted) {
        Ok(s) => Ok(s),
        Err(ParseError::Panic(p)) => Err(format!("invalid schedule format: {p}")),
        Err(ParseError::Robfig(e)) => Err(e),
    }
}

/// One API-server validation failure, shaped like `field.Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// `spec.schedule` or `spec.timeZone`.
    pub field: &'static str,
    /// `Required value` or `Invalid value`.
    pub kind: FieldErrorKind,
    /// The value as written.
    pub value: String,
    /// The API server's detail text.
    pub detail: String,
}

/// `field.ErrorType`, the kinds used here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// The field is missing (`Required value`).
    Required,
    /// The field's value is rejected (`Invalid value`).
    Invalid,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            FieldErrorKind::Required => write!(f, "{}: Required value", self.field),
            FieldErrorKind::Invalid => {
                write!(f, "{}: Invalid value: {:?}: {}", self.field, self.value, self.detail)
            }
        }
    }
}

fn invalid(field: &'static str, value: &str, detail: impl Into<String>) -> FieldError {
    FieldError { field, kind: FieldErrorKind::Invalid, value: value.to_string(), detail: detail.into() }
}

/// Mirrors `validateCronJobSpec`'s schedule checks in kubernetes
/// `pkg/apis/batch/validation/validation.go` (`validateScheduleFormat` with
/// `allowTZInSchedule`). `old_schedule` is `None` on create; on update, a
/// `TZ` in the schedule is grandfathered only if the old one had it too.
///
/// A schedule robfig panics on is reported as invalid here; the real API
/// server would panic inside validation (not verified on a cluster).
pub fn validate_schedule(
    schedule: &str,
    time_zone: Option<&str>,
    old_schedule: Option<&str>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if schedule.is_empty() {
        errs.push(FieldError {
            field: "spec.schedule",
            kind: FieldErrorKind::Required,
            value: String::new(),
            detail: String::new(),
        });
        return errs;
    }
    if let Err(e) = Schedule::parse(schedule) {
        errs.push(invalid("spec.schedule", schedule, e.to_string()));
    }
    let allow_tz = old_schedule.is_some_and(|o| o.contains("TZ"));
    if schedule.contains("TZ") {
        if !allow_tz {
            errs.push(invalid(
                "spec.schedule",
                schedule,
                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
            ));
        } else if time_zone.is_some() {
            errs.push(invalid(
                "spec.schedule",
                schedule,
                "cannot use both timeZone field and TZ or CRON_TZ in schedule",
            ));
        }
    }
    errs
}

/// Mirrors `validateTimeZone` in kubernetes
/// `pkg/apis/batch/validation/validation.go`.
pub fn validate_time_zone(time_zone: Option<&str>) -> Vec<FieldError> {
    let Some(tz) = time_zone else { return Vec::new() };
    const F: &str = "spec.timeZone";
    if tz.is_empty() {
        return vec![invalid(F, tz, "timeZone must be nil or non-empty string")];
    }
    let part_ok = |p: &str| {
        p != "."
            && p != ".."
            && !p.starts_with('-')
            && (1..=14).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
    };
    if !tz.split('/').all(part_ok) {
        return vec![invalid(F, tz, format!("unknown time zone {tz}"))];
    }
    let mut errs = Vec::new();
    if tz.eq_ignore_ascii_case("local") {
        errs.push(invalid(
            F,
            tz,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones",
        ));
    }
    if let Err(e) = load_location(tz) {
        errs.push(invalid(F, tz, e));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_containing_tz_ignores_time_zone() {
        let f = format_schedule("TZ=UTC 0 * * * *", Some("Europe/Berlin"));
        assert_eq!(f.text, "TZ=UTC 0 * * * *");
        assert!(f.tz_in_schedule);
        // Even a stray "TZ" elsewhere counts (a plain substring test).
        assert!(format_schedule("0 * * * * #TZ", None).tz_in_schedule);
    }

    #[test]
    fn time_zone_is_prefixed_only_when_loadable() {
        assert_eq!(format_schedule("0 9 * * *", Some("Asia/Tokyo")).text, "TZ=Asia/Tokyo 0 9 * * *");
        assert_eq!(format_schedule("0 9 * * *", Some("Mars/Base")).text, "0 9 * * *");
        assert_eq!(format_schedule("0 9 * * *", None).text, "0 9 * * *");
    }

    /// The remembered answers (the last one, then the memo) are the
    /// answers: asked in turns, each (schedule, zone) gets its own, a
    /// missing zone and an empty one included.
    #[test]
    fn remembered_schedules_answer_as_parsing_does() {
        let questions = [
            ("0 9 * * *", Some("Asia/Tokyo")),
            ("0 9 * * *", Some("Europe/Berlin")),
            ("0 9 * * *", None),
            ("0 9 * * *", Some("")),
            ("*/5 * * * *", Some("Asia/Tokyo")),
            ("TZ=UTC 0 * * * *", Some("Asia/Tokyo")),
            ("61 * * * *", None),
        ];
        for round in 0..3 {
            for &(schedule, zone) in questions.iter().chain(questions.iter().rev()) {
                let f = format_schedule(schedule, zone);
                let fresh = (f.tz_in_schedule, parse_uncached(&f.text));
                assert_eq!(
                    controller_schedule(schedule, zone),
                    fresh,
                    "{schedule:?} in {zone:?}, round {round}"
                );
                assert_eq!(
                    controller_schedule(schedule, zone),
                    fresh,
                    "asked twice: {schedule:?} in {zone:?}"
                );
            }
        }
    }

    #[test]
    fn panics_become_invalid_schedule_format() {
        assert_eq!(
            controller_parse("TZ=UTC").unwrap_err(),
            "invalid schedule format: runtime error: slice bounds out of range [:-1]"
        );
    }

    #[test]
    fn create_rejects_tz_in_schedule() {
        let e = validate_schedule("TZ=UTC 0 * * * *", None, None);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].detail, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    }

    #[test]
    fn update_grandfathers_tz_unless_time_zone_is_set() {
        assert!(validate_schedule("TZ=UTC 0 * * * *", None, Some("TZ=UTC 1 * * * *")).is_empty());
        let e = validate_schedule("TZ=UTC 0 * * * *", Some("UTC"), Some("TZ=UTC 1 * * * *"));
        assert_eq!(e[0].detail, "cannot use both timeZone field and TZ or CRON_TZ in schedule");
    }

    #[test]
    fn parse_errors_carry_robfig_text() {
        let e = validate_schedule("0 0 * * 7", None, None);
        assert_eq!(
            e[0].to_string(),
            "spec.schedule: Invalid value: \"0 0 * * 7\": end of range (7) above maximum (6): 7"
        );
        assert_eq!(validate_schedule("", None, None)[0].to_string(), "spec.schedule: Required value");
    }

    #[test]
    fn time_zone_rules() {
        assert!(validate_time_zone(None).is_empty());
        assert_eq!(validate_time_zone(Some(""))[0].detail, "timeZone must be nil or non-empty string");
        assert_eq!(
            validate_time_zone(Some("America/Argentina/ComodRivadavia_x"))[0].detail,
            "unknown time zone America/Argentina/ComodRivadavia_x"
        );
        assert_eq!(validate_time_zone(Some("../x"))[0].detail, "unknown time zone ../x");
        assert!(validate_time_zone(Some("local"))[0].detail.starts_with("timeZone must be an explicit"));
        assert_eq!(validate_time_zone(Some("Europe/berlin"))[0].detail, "unknown time zone Europe/berlin");
        assert!(validate_time_zone(Some("Etc/GMT+5")).is_empty());
    }
}
