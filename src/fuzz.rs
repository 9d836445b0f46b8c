//! Entry points for fuzzing: each takes arbitrary bytes and drives one of
//! cronwarp's readers as far as the input lets it, the way the command line
//! does. A panic (or a hang) is a bug; an error is the right answer to bad
//! input and is dropped.
//!
//! The `fuzz/` directory's cargo-fuzz targets call these, one each, and the
//! integration tests replay every committed corpus entry and crash through
//! the same functions, so a crash found once stays fixed without a fuzzer
//! (docs/fuzzing.md says how to run them).

use crate::Scenario;
use crate::model::Time;
use crate::model::kubevela::{read_applications, render_all, repeated_cronjob, validate_rendered};
use crate::model::manifest::{FieldValidation, Manifests};
use crate::schedule::kube::{controller_schedule, validate_schedule, validate_time_zone};
use crate::schedule::{self as sched, Zone};
use crate::sim::scenario::ManifestRun;
use crate::sim::scenario::convert::both_forms;

/// A fuzz target's entry point: bytes in, nothing out but a panic.
pub type Target = fn(&[u8]);

/// The fuzz targets by name, as `fuzz/fuzz_targets/<name>.rs` and
/// `fuzz/corpus/<name>/` call them.
pub const TARGETS: [(&str, Target); 4] =
    [("schedule", schedule), ("scenario", scenario), ("manifests", manifests), ("render", render)];

/// The instant the targets evaluate schedules from: fixed, so a run is a
/// function of its input.
const FROM: i64 = 1_741_392_000; // 2025-03-08T00:00:00Z

const DAY: i64 = 86_400;

/// How many fire times the schedule target walks.
const FIRE_TIMES: usize = 8;

/// A schedule as `cronwarp schedule` and `explain` read one: the first line
/// is `spec.schedule`, an optional second line `spec.timeZone`. Parses it
/// as kube-controller-manager does, validates it as the API server does,
/// describes it, walks its next fire times from 2025 and from the end of
/// year 9999, and looks for DST anomalies at the zone's next two offset changes.
pub fn schedule(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (expr, tz) = match text.split_once('\n') {
        Some((e, z)) => (e, Some(z.trim_end_matches('\n'))),
        None => (text, None),
    };
    let _ = validate_schedule(expr, tz, None);
    let _ = validate_time_zone(tz);
    let (_, parsed) = controller_schedule(expr, tz);
    let Ok(s) = parsed else { return };
    let _ = sched::describe(&s);
    if let sched::ScheduleKind::Spec(spec) = s.kind() {
        let _ = sched::day_rule(spec);
    }
    for from in [FROM, 253_402_300_000] {
        let mut cur = from;
        for t in s.iter_after(from, Zone::Utc).take(FIRE_TIMES) {
            let _ = s.format_rfc3339(t, Zone::Utc);
            cur = t;
        }
        let _ = s.next_remembered(cur, Zone::Utc);
    }
    // A whole year of an every-minute schedule costs milliseconds; two days
    // around each of the zone's next two offset changes hold every anomaly
    // kind at a fraction of that.
    let zone = s.zone(Zone::Utc);
    for tr in sched::transitions(zone, FROM, FROM + 366 * DAY).iter().take(2) {
        let _ = sched::analyze(&s, Zone::Utc, tr.at - DAY, tr.at + DAY);
    }
}

/// A scenario file's text as [`Scenario::from_yaml`] reads it, then
/// validated (every workload converted and checked as the API server
/// would) and converted to both controllers' forms as `cronwarp compare`
/// does. Nothing is simulated: the simulator's cost grows with the
/// horizon, which the input chooses.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(s) = Scenario::from_yaml(text, "fuzz.yaml") else { return };
    if s.validate().is_err() {
        return;
    }
    let _ = both_forms(s.as_sim());
}

/// Manifests as `cronwarp run FILE` reads them without a scenario: every
/// object of a `---` stream or `List` dispatched on its kind, unknown
/// fields checked, the dump split into one workload per CronJob (or
/// CronOperation) with the Jobs it owns, each defaulted and validated.
pub fn manifests(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(mut m) = Manifests::read(text, "fuzz.yaml") {
        let _ = m.validate_fields(FieldValidation::Warn);
    }
    let run = ManifestRun {
        from: Some(Time::from_unix(FROM)),
        validate: FieldValidation::Warn,
        ..ManifestRun::default()
    };
    let Ok(sim) = crate::sim::Scenario::from_manifests(vec![("fuzz.yaml".into(), text.into())], &run) else {
        return;
    };
    let _ = Scenario::from_sim(sim, "fuzz.yaml").validate();
}

/// `cronwarp render`: the KubeVela Applications of a file rendered to
/// CronJobs, each validated as the API server would and written as YAML.
pub fn render(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(read) = read_applications(text, "fuzz.yaml") else { return };
    let mut seen = std::collections::BTreeMap::new();
    for app in &read.apps {
        let Ok(rendering) = render_all(app) else { continue };
        for item in &rendering.items {
            let _ = validate_rendered(app, item);
            let _ = repeated_cronjob(&mut seen, app, item);
            let _ = serde_saphyr::to_string(&item.manifest);
        }
    }
}
