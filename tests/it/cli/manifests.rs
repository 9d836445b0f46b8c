//! `cronwarp run` on manifests as a cluster holds them: bare CronJobs,
//! `kubectl get -o yaml` dumps with many CronJobs, standard input, the flags
//! that say what a scenario file would, strict field validation, and a
//! scenario workload that selects part of a dump.

use crate::support::cli::cronwarp;
use crate::support::scratch::ScratchDir;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const DUMP: &str = "scenarios/dumps/fleet.yaml";

fn s(p: &Path) -> &str {
    p.to_str().expect("scratch paths are UTF-8")
}

/// A bare CronJob with no timestamp, as written by hand.
const BARE: &str = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: tidy, namespace: ops}\nspec:\n  schedule: '0 * * * *'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: i}]}}}}\n";

mod dumps {
    use super::*;

    #[test]
    fn a_multi_namespace_dump_runs_unmodified_one_workload_per_cronjob() {
        let o = cronwarp(&["run", DUMP, "--horizon", "7d"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        for cj in [
            "data/backup-db",
            "data/report-halfhourly",
            "web/cache-warm",
            "web/sitemap",
            "batch/legacy-export",
            "batch/ttl-sweeper",
        ] {
            assert!(o.stdout.contains(&format!("CronJob {cj}\n")), "{cj} missing:\n{}", o.stdout);
        }
        // The dump's newest timestamp starts the horizon.
        assert!(o.stdout.contains("Horizon 2025-03-05T02:11:02Z → 2025-03-12T02:11:02Z"), "{}", o.stdout);
        // Pods: one line, not one each.
        assert_eq!(
            o.stderr.matches("ignored: the Job controller creates pods anew").count(),
            1,
            "{}",
            o.stderr
        );
        // A stored CronJob the API server would refuse today loads, with a warning.
        assert!(o.stderr.contains("stored CronJob batch/legacy-export loaded as it is"), "{}", o.stderr);
        assert!(o.stderr.contains("did you mean `US/Pacific`?"), "{}", o.stderr);
    }

    #[test]
    fn standard_input_reads_the_same_dump() {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cronwarp"))
            .args(["run", "-", "--horizon", "7d"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cronwarp starts");
        let text = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(DUMP)).unwrap();
        child.stdin.take().expect("piped").write_all(&text).unwrap();
        let piped = child.wait_with_output().unwrap();
        assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
        let from_file = cronwarp(&["run", DUMP, "--horizon", "7d"]).stdout;
        let piped = String::from_utf8(piped.stdout).unwrap();
        // Only the title names the input.
        let body = |s: &str| s.lines().skip(2).collect::<Vec<_>>().join("\n");
        assert!(piped.starts_with("cronwarp report: <stdin>\n"), "{piped}");
        assert_eq!(body(&piped), body(&from_file));
    }

    #[test]
    fn a_scenario_workload_selects_part_of_a_dump_and_an_object_cannot_be_selected_twice() {
        let scratch = ScratchDir::created("cli-select");
        let dir = scratch.path();
        std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(DUMP), dir.join("fleet.yaml")).unwrap();
        let head = "horizon: {start: \"2025-03-05T02:12:00Z\", end: \"2025-03-06T02:12:00Z\"}\nworkloads:\n";
        let data = "  - path: fleet.yaml\n    select: {namespace: data}\n    behaviour: {duration: 20m}\n";
        let web = "  - path: fleet.yaml\n    select: {name: \"cache-*\"}\n    behaviour: {duration: 2m}\n";
        std::fs::write(dir.join("ok.yaml"), format!("{head}{data}{web}")).unwrap();
        let o = cronwarp(&["run", s(&dir.join("ok.yaml"))]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let cronjobs: Vec<&str> = o.stdout.lines().filter(|l| l.starts_with("CronJob ")).collect();
        assert_eq!(
            cronjobs,
            ["CronJob data/backup-db", "CronJob data/report-halfhourly", "CronJob web/cache-warm"]
        );

        let twice = "  - path: fleet.yaml\n    select: {labels: {team: web}}\n";
        std::fs::write(dir.join("twice.yaml"), format!("{head}{data}{web}{twice}")).unwrap();
        let o = cronwarp(&["run", s(&dir.join("twice.yaml"))]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr.contains("twice.yaml:10:5: workloads[2].select: CronJob web/cache-warm is already simulated by workloads[1]"),
            "{}",
            o.stderr
        );

        let nothing = "  - path: fleet.yaml\n    select: {namespace: dat}\n";
        std::fs::write(dir.join("nothing.yaml"), format!("{head}{nothing}")).unwrap();
        let o = cronwarp(&["run", s(&dir.join("nothing.yaml"))]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(
            o.stderr.contains("nothing.yaml:4:5: workloads[0].select: selects nothing (namespace=dat)"),
            "{}",
            o.stderr
        );
        assert!(o.stderr.contains("data/backup-db"), "the error lists what the file holds: {}", o.stderr);
    }

    #[test]
    fn a_duplicate_object_in_a_dump_is_located() {
        let scratch = ScratchDir::created("cli-dup");
        let f = scratch.path().join("dup.yaml");
        std::fs::write(&f, format!("{BARE}---\n{BARE}")).unwrap();
        let o = cronwarp(&["run", s(&f), "--from", "2025-03-03T00:00:00Z"]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stderr.contains("dup.yaml:8:1: duplicate CronJob ops/tidy"), "{}", o.stderr);
    }
}

mod flags {
    use super::*;

    #[test]
    fn a_bare_cronjob_needs_a_start_and_runs_with_the_flags_behaviour() {
        let scratch = ScratchDir::created("cli-bare");
        let f = scratch.path().join("cj.yaml");
        std::fs::write(&f, BARE).unwrap();
        let o = cronwarp(&["run", s(&f)]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("no timestamp in the manifests to start from"), "{}", o.stderr);
        assert!(o.stderr.contains("--from"), "{}", o.stderr);
        let args = ["run", s(&f), "--from", "2025-03-03T00:00:00Z", "--horizon", "6h", "--duration", "90m"];
        let o = cronwarp(&args);
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stdout.contains("Horizon 2025-03-03T00:00:00Z → 2025-03-03T06:00:00Z"), "{}", o.stdout);
        // 90-minute runs every hour under Allow: two at once.
        assert!(o.stdout.contains("at most 2 at once"), "{}", o.stdout);
        let down = ["--downtime", "2025-03-03T01:30:00Z+3h"];
        let o = cronwarp(&[&args[..], &down[..]].concat());
        assert!(o.stdout.contains("not started"), "{}", o.stdout);
    }

    /// `--from now` is the one place the wall clock is read (by the CLI,
    /// rounded down to the minute); the test reads its own clock around
    /// the run to check where the horizon starts.
    #[test]
    fn from_now_starts_the_horizon_at_the_current_minute() {
        use std::time::{SystemTime, UNIX_EPOCH};
        let clock = || SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let scratch = ScratchDir::created("cli-from-now");
        let f = scratch.path().join("cj.yaml");
        std::fs::write(&f, BARE).unwrap();
        let before = clock();
        let o = cronwarp(&["run", s(&f), "--from", "now", "--horizon", "3h", "--format", "json"]);
        let after = clock();
        assert_eq!(o.code, 0, "{}", o.stderr);
        let report: serde_json::Value = serde_json::from_str(&o.stdout).expect("a JSON report");
        let at = |key: &str| {
            let text = report["header"][key].as_str().unwrap_or_else(|| panic!("no header.{key}"));
            cronwarp::Time::parse_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}")).unix()
        };
        let (start, end) = (at("start"), at("end"));
        let (before, after) = (i64::try_from(before).unwrap(), i64::try_from(after).unwrap());
        assert_eq!(start % 60, 0, "not a whole minute: {start}");
        assert!(before - 60 < start && start <= after, "{start} is not the minute of {before}..{after}");
        assert_eq!(end - start, 3 * 3600);
        // An hourly CronJob created at the start: two or three full hours
        // (the end may or may not fall on one), each run.
        let ticks = &report["workloads"][0]["ticks"];
        assert!(ticks["total"].as_u64() >= Some(2) && ticks["onTime"] == ticks["total"], "{ticks}");
    }

    #[test]
    fn bad_flags_are_invalid_input_with_a_hint() {
        let scratch = ScratchDir::created("cli-badflags");
        let f = scratch.path().join("cj.yaml");
        std::fs::write(&f, BARE).unwrap();
        let from = ["run", s(&f), "--from", "2025-03-03T00:00:00Z"];
        for (extra, said) in [
            (&["--horizon", "7 days"][..], "invalid --horizon \"7 days\""),
            (&["--horizon", "0s"][..], "--horizon must be longer than 0s"),
            (&["--downtime", "2025-03-03T01:00:00Z"][..], "invalid --downtime"),
            (&["--downtime", "2025-03-03T02:00:00Z..2025-03-03T01:00:00Z"][..], "ends before it starts"),
            (&["--duration", "fast"][..], "invalid behaviour flag"),
            (&["--failure-rate", "1.5"][..], "invalid behaviour flag"),
            (&["--until", "2025-03-02T00:00:00Z"][..], "before it starts"),
        ] {
            let o = cronwarp(&[&from[..], extra].concat());
            assert_eq!(o.code, 2, "{extra:?}: {}", o.stderr);
            assert!(o.stderr.contains(said), "{extra:?}: {}", o.stderr);
        }
        let o = cronwarp(&["run", s(&f), "--from", "yesterday"]);
        assert!(o.stderr.contains("invalid --from \"yesterday\""), "{}", o.stderr);
        let o = cronwarp(&["run", s(&f), "--validate", "loose", "--from", "2025-03-03T00:00:00Z"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("use strict, warn or ignore"), "{}", o.stderr);
        // Behaviour flags belong to manifests; a scenario has its own.
        let o = cronwarp(&["run", "scenarios/downtime-catchup.yaml", "--duration", "3s"]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("apply to manifests"), "{}", o.stderr);
        // One scenario at a time.
        let o = cronwarp(&["run", "scenarios/downtime-catchup.yaml", s(&f)]);
        assert_eq!(o.code, 2);
        assert!(o.stderr.contains("is a scenario file, which is run on its own"), "{}", o.stderr);
    }

    #[test]
    fn horizon_flags_override_a_scenario() {
        let o = cronwarp(&["run", "scenarios/downtime-catchup.yaml", "--horizon", "2h"]);
        assert!(
            o.stdout.contains("Horizon 2025-03-03T10:00:00Z → 2025-03-03T12:00:00Z (2h0m0s)"),
            "{}",
            o.stdout
        );
    }
}

mod field_validation {
    use super::*;

    /// `timezone:` for `timeZone`: the API server refuses it under strict
    /// validation, so a CI gate must not go green on it.
    #[test]
    fn a_misspelt_field_is_an_error_by_default_and_a_warning_with_validate_warn() {
        let scratch = ScratchDir::created("cli-validate");
        let f = scratch.path().join("cj.yaml");
        std::fs::write(&f, BARE.replace("  schedule:", "  timezone: Europe/Berlin\n  schedule:")).unwrap();
        let from = ["run", s(&f), "--from", "2025-03-03T00:00:00Z"];
        let o = cronwarp(&from);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stderr.contains("cj.yaml:5:3: spec.timezone: unknown field \"timezone\""), "{}", o.stderr);
        assert!(o.stderr.contains("did you mean `timeZone`?"), "{}", o.stderr);
        let o = cronwarp(&[&from[..], &["--validate", "warn"][..]].concat());
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(o.stderr.contains("warning: "), "{}", o.stderr);
        let o = cronwarp(&[&from[..], &["--validate", "ignore"][..]].concat());
        assert_eq!(o.code, 0, "{}", o.stderr);
        assert!(!o.stderr.contains("timezone"), "{}", o.stderr);
    }

    #[test]
    fn an_unknown_zone_on_a_created_cronjob_suggests_the_right_name() {
        let scratch = ScratchDir::created("cli-zone");
        let f = scratch.path().join("cj.yaml");
        std::fs::write(&f, BARE.replace("  schedule:", "  timeZone: europe/berlin\n  schedule:")).unwrap();
        let o = cronwarp(&["run", s(&f), "--from", "2025-03-03T00:00:00Z"]);
        assert_eq!(o.code, 2, "{}", o.stderr);
        assert!(o.stderr.contains("did you mean `Europe/Berlin`?"), "{}", o.stderr);
    }
}
