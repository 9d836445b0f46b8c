//! `cronwarp run --stagger`: CronJobs that fire together spread over the
//! hour, and the fleet load's peaks before and after.

use crate::support::cli::cronwarp;

const SCENARIO: &str = "scenarios/fleet-load.yaml";

#[test]
fn the_stampede_flattens_when_the_hourly_cronjobs_spread_out() {
    let o = cronwarp(&["run", SCENARIO, "--stagger", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("JSON");
    let moves = v["moves"].as_array().expect("moves");
    // 72 CronJobs at `0 * * * *` (71 move), 13 at `30 * * * *` (12 move),
    // and the six-hourly and daily groups.
    assert!(moves.len() >= 83, "{} moves", moves.len());
    let first = &moves[0];
    assert_ne!(first["from"], first["to"]);
    let peak = |side: &str, k: &str| v[side][k].as_i64().unwrap_or_else(|| panic!("{side}.{k}: {v}"));
    for k in ["maxPods", "maxCpuMillis", "maxMemoryBytes"] {
        assert!(
            peak("after", k) * 2 < peak("before", k),
            "{k}: {} → {}",
            peak("before", k),
            peak("after", k)
        );
    }
    // The rule is in the text output too.
    let o = cronwarp(&["run", SCENARIO, "--stagger"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    for want in
        ["Peak at once, before and after", "(m + ⌊i·60/k⌋) mod 60", "requested CPU", "Proposed schedules"]
    {
        assert!(o.stdout.contains(want), "{want:?} missing:\n{}", o.stdout);
    }
}

#[test]
fn stagger_refuses_out_and_events() {
    for flag in ["--out", "--events"] {
        let o = cronwarp(&["run", SCENARIO, "--stagger", flag, "/tmp/cronwarp-stagger-never"]);
        assert_eq!(o.code, 2, "{flag}: {}", o.stderr);
        assert!(o.stderr.contains("cannot be used with"), "{flag}: {}", o.stderr);
    }
}
