//! `controller.kubernetesVersion` and `crossplaneVersion`: the settings each
//! release had (docs/fidelity/kubernetes-cronjob.md#cj-23), with the keys a
//! scenario writes still winning, and a located error naming the supported
//! range for any other release.

use cronwarp::model::MINUTE;
use cronwarp::policy::Settings;
use cronwarp::policy::crossplane::{CrossplaneSettings, CursorSource};
use cronwarp::policy::settings::JobListing;
use cronwarp::policy::versions::{KUBERNETES_CHANGES, NEWEST_KUBERNETES, OLDEST_KUBERNETES};
use cronwarp::sim::Scenario;

fn scenario(controller: &str) -> Result<Scenario, String> {
    let text = format!(
        "horizon:\n  start: \"2025-03-03T10:00:00Z\"\n  end: \"2025-03-03T11:00:00Z\"\ncontroller:\n{controller}workloads: []\n"
    );
    Scenario::from_yaml(&text, "v.yaml").map_err(|e| e.to_string())
}

fn settings_of(version: &str) -> Settings {
    let sc = scenario(&format!("  kubernetesVersion: \"{version}\"\n")).unwrap_or_else(|e| panic!("{e}"));
    sc.controller.settings
}

/// One row per release that changed something, and the ends of the range:
/// (version, jobListing, lastSuccessfulTimeSamePass,
/// tooManyMissedMessageWithCount, podFailureBackoffCap in minutes,
/// jobDelayTerminalCondition).
const TABLE: [(&str, JobListing, bool, bool, i64, bool); 9] = [
    ("1.21", JobListing::OwnerName, false, true, 6, false),
    ("1.27", JobListing::OwnerName, false, true, 6, false),
    ("1.28", JobListing::OwnerName, false, true, 10, false),
    ("1.29", JobListing::OwnerName, false, false, 10, false),
    ("1.30", JobListing::OwnerName, false, false, 10, false),
    ("1.31", JobListing::OwnerName, true, false, 10, true),
    ("1.34", JobListing::OwnerName, true, false, 10, true),
    ("1.35", JobListing::OwnerUid, true, false, 10, true),
    ("1.36", JobListing::OwnerUid, true, false, 10, true),
];

#[test]
fn each_release_selects_the_settings_it_had() {
    for (v, listing, same_pass, with_count, cap, delay) in TABLE {
        let s = settings_of(v);
        let want = Settings {
            job_listing: listing,
            last_successful_time_same_pass: same_pass,
            too_many_missed_message_with_count: with_count,
            legacy_give_up_after_100_misses: false,
            pod_failure_backoff_cap: cap * MINUTE,
            job_delay_terminal_condition: delay,
        };
        assert_eq!(s, want, "{v}");
    }
}

#[test]
fn every_release_in_range_has_a_profile_and_the_newest_is_the_default() {
    for minor in OLDEST_KUBERNETES..=NEWEST_KUBERNETES {
        let _ = settings_of(&format!("1.{minor}"));
    }
    assert_eq!(settings_of(&format!("v1.{NEWEST_KUBERNETES}.2")), Settings::default());
    // Each switch flips exactly at its release: the one before differs.
    for c in KUBERNETES_CHANGES {
        let (before, at) =
            (settings_of(&format!("1.{}", c.since - 1)), settings_of(&format!("1.{}", c.since)));
        assert_ne!(before, at, "{} at 1.{}", c.setting, c.since);
    }
}

#[test]
fn written_settings_win_over_the_profile() {
    let sc = scenario("  kubernetesVersion: \"1.27\"\n  settings:\n    podFailureBackoffCap: 10m\n    jobListing: ownerUid\n")
        .unwrap();
    let s = sc.controller.settings;
    assert_eq!(s.pod_failure_backoff_cap, 10 * MINUTE);
    assert_eq!(s.job_listing, JobListing::OwnerUid);
    // The keys not written come from 1.27.
    assert!(s.too_many_missed_message_with_count);
    assert!(!s.last_successful_time_same_pass);
}

#[test]
fn changing_the_version_later_keeps_the_written_keys() {
    let mut sc =
        scenario("  kubernetesVersion: \"1.36\"\n  settings:\n    jobDelayTerminalCondition: false\n")
            .unwrap();
    sc.controller.kubernetes_version = Some("1.27".into());
    sc.controller.apply_versions().unwrap();
    assert!(!sc.controller.settings.job_delay_terminal_condition);
    assert_eq!(sc.controller.settings.pod_failure_backoff_cap, 6 * MINUTE);
}

#[test]
fn crossplane_releases_run_upstream_code_unless_written() {
    let sc = scenario("  crossplaneVersion: \"2.1\"\n").unwrap();
    assert_eq!(sc.controller.crossplane, CrossplaneSettings::default());
    let sc = scenario("  crossplaneVersion: \"2.0\"\n  crossplane:\n    cursor: nameEncodedSlot\n").unwrap();
    assert_eq!(sc.controller.crossplane.cursor, CursorSource::NameEncodedSlot);
    assert!(!sc.controller.crossplane.tolerate_already_exists);
}

#[test]
fn unsupported_releases_are_located_errors_naming_the_range() {
    for (controller, at, says) in [
        ("  kubernetesVersion: \"1.20\"\n", "v.yaml:5:3: controller.kubernetesVersion:", "1.21 to 1.36"),
        ("  kubernetesVersion: \"1.99\"\n", "v.yaml:5:3: controller.kubernetesVersion:", "1.21 to 1.36"),
        ("  kubernetesVersion: latest\n", "v.yaml:5:3: controller.kubernetesVersion:", "such as \"1.27\""),
        (
            "  crossplaneVersion: \"1.20\"\n",
            "v.yaml:5:3: controller.crossplaneVersion:",
            "came with Crossplane 2.0",
        ),
    ] {
        let e = scenario(controller).expect_err(controller);
        assert!(e.starts_with(at), "{controller}: {e}");
        assert!(e.contains(says), "{controller}: {e}");
    }
}
