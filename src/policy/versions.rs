//! Version profiles: the [`Settings`] each Kubernetes release's controllers
//! had, and the [`CrossplaneSettings`] of a Crossplane release
//! (docs/fidelity/kubernetes-cronjob.md#cj-23). A scenario names a release
//! (`controller.kubernetesVersion: "1.27"`); its `controller.settings`
//! keys, where given, still win.
//!
//! Each switch flips at one release, cited in [`KUBERNETES_CHANGES`] to
//! the upstream pull request that changed it. Releases before 1.21 ran the
//! v1 CronJob controller by default, which cronwarp models only in part
//! (`legacyGiveUpAfter100Misses`), so the profiles start at 1.21, the
//! first release whose default is `ControllerV2` (feature gate
//! `CronJobControllerV2`, on by default since 1.21).

use super::crossplane::CrossplaneSettings;
use super::settings::{JobListing, Settings};
use crate::model::MINUTE;

/// The oldest Kubernetes minor release with a profile (1.21).
pub const OLDEST_KUBERNETES: u32 = 21;
/// The newest Kubernetes minor release with a profile (1.36): no switch
/// cronwarp models changed after 1.35.
pub const NEWEST_KUBERNETES: u32 = 36;

/// One switch that changed at a release: from `since` on, `setting` has
/// the current value; before, the older one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionChange {
    /// The first minor release (1.`since`) with the current behaviour.
    pub since: u32,
    /// The `controller.settings` key.
    pub setting: &'static str,
    /// The upstream change, as the fidelity page cites it.
    pub upstream: &'static str,
}

/// Every modelled switch, by the release that changed it.
pub const KUBERNETES_CHANGES: [VersionChange; 5] = [
    VersionChange {
        since: 28,
        setting: "podFailureBackoffCap",
        upstream: "kubernetes PR #118759: the pod-failure backoff (MaxJobPodFailureBackOff, 10 min) split \
                   from the API-error backoff; before, one MaxJobBackOff of 360 s capped both",
    },
    VersionChange {
        since: 29,
        setting: "tooManyMissedMessageWithCount",
        upstream: "kubernetes PR #121327: TooManyMissedTimes no longer prints the count",
    },
    VersionChange {
        since: 31,
        setting: "lastSuccessfulTimeSamePass",
        upstream: "kubernetes PR #122025: lastSuccessfulTime is set in the pass that sees the Job finish",
    },
    VersionChange {
        since: 31,
        setting: "jobDelayTerminalCondition",
        upstream: "kubernetes PR #125510: Failed/Complete wait until the Job's pods are terminal \
                   (FailureTarget/SuccessCriteriaMet first)",
    },
    VersionChange {
        since: 35,
        setting: "jobListing",
        upstream: "kubernetes PR #133313: the CronJob controller resolves a Job's controller reference by \
                   name and uid, so a re-created CronJob no longer adopts the old one's Jobs",
    },
];

/// A Kubernetes minor release, read from `"1.27"`, `"v1.27"` or
/// `"1.27.3"` (the patch is ignored: no modelled switch changed in one).
/// The error names the supported range.
pub fn parse_kubernetes_version(text: &str) -> Result<u32, String> {
    let minor = major_minor(text)
        .filter(|(major, _)| *major == 1)
        .map(|(_, minor)| minor)
        .ok_or_else(|| format!("{text:?} is not a Kubernetes version such as \"1.27\""))?;
    if !(OLDEST_KUBERNETES..=NEWEST_KUBERNETES).contains(&minor) {
        return Err(format!(
            "Kubernetes 1.{minor} has no profile: the supported releases are 1.{OLDEST_KUBERNETES} to \
             1.{NEWEST_KUBERNETES} (before 1.21 the v1 CronJob controller was the default; leave \
             kubernetesVersion out for the current release)"
        ));
    }
    Ok(minor)
}

/// `(major, minor)` of `"v1.27"`, `"1.27"` or `"1.27.3"`.
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let t = text.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    let mut parts = t.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    match parts.next() {
        None => {}
        Some(patch) if patch.parse::<u32>().is_ok() && parts.next().is_none() => {}
        Some(_) => return None,
    }
    Some((major, minor))
}

impl Settings {
    /// The settings Kubernetes 1.`minor` had (an already parsed minor, see
    /// [`parse_kubernetes_version`]); releases after the last change are
    /// [`Settings::default`].
    pub fn for_kubernetes(minor: u32) -> Settings {
        let since = |setting: &str| {
            KUBERNETES_CHANGES.iter().find(|c| c.setting == setting).is_some_and(|c| minor >= c.since)
        };
        Settings {
            job_listing: if since("jobListing") { JobListing::OwnerUid } else { JobListing::OwnerName },
            last_successful_time_same_pass: since("lastSuccessfulTimeSamePass"),
            too_many_missed_message_with_count: !since("tooManyMissedMessageWithCount"),
            legacy_give_up_after_100_misses: false,
            pod_failure_backoff_cap: if since("podFailureBackoffCap") { 10 * MINUTE } else { 6 * MINUTE },
            job_delay_terminal_condition: since("jobDelayTerminalCondition"),
        }
    }

    /// Copies the fields named in `given` (their `controller.settings`
    /// keys) from `explicit`: what a scenario wrote wins over a profile.
    pub fn keep_given(&mut self, explicit: &Settings, given: &[String]) {
        for key in given {
            match key.as_str() {
                "jobListing" => self.job_listing = explicit.job_listing,
                "lastSuccessfulTimeSamePass" => {
                    self.last_successful_time_same_pass = explicit.last_successful_time_same_pass
                }
                "tooManyMissedMessageWithCount" => {
                    self.too_many_missed_message_with_count = explicit.too_many_missed_message_with_count
                }
                "legacyGiveUpAfter100Misses" => {
                    self.legacy_give_up_after_100_misses = explicit.legacy_give_up_after_100_misses
                }
                "podFailureBackoffCap" => self.pod_failure_backoff_cap = explicit.pod_failure_backoff_cap,
                "jobDelayTerminalCondition" => {
                    self.job_delay_terminal_condition = explicit.job_delay_terminal_condition
                }
                _ => {}
            }
        }
    }
}

/// A Crossplane release, read from `"2.0"`, `"v2.1"` or `"2.1.3"`: any 2.x
/// (CronOperations came with 2.0). The error says why another is refused.
pub fn parse_crossplane_version(text: &str) -> Result<(u32, u32), String> {
    let (major, minor) =
        major_minor(text).ok_or_else(|| format!("{text:?} is not a Crossplane version such as \"2.0\""))?;
    // CronOperations (`ops.crossplane.io`, alpha) came with 2.0: every 2.x.
    if major != 2 {
        return Err(format!(
            "Crossplane {major}.{minor} has no profile: CronOperations came with Crossplane 2.0, and the \
             supported releases are 2.x"
        ));
    }
    Ok((major, minor))
}

impl CrossplaneSettings {
    /// The settings of a Crossplane 2.x release: upstream's code, since
    /// neither proposed fix for crossplane#7524 (PRs #7535, #7834) is in a
    /// release.
    pub fn for_crossplane(_release: (u32, u32)) -> CrossplaneSettings {
        CrossplaneSettings::default()
    }

    /// Copies the fields named in `given` (their `controller.crossplane`
    /// keys) from `explicit`.
    pub fn keep_given(&mut self, explicit: &CrossplaneSettings, given: &[String]) {
        for key in given {
            match key.as_str() {
                "cursor" => self.cursor = explicit.cursor,
                "tolerateAlreadyExists" => self.tolerate_already_exists = explicit.tolerate_already_exists,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_profile_is_the_current_default() {
        assert_eq!(Settings::for_kubernetes(NEWEST_KUBERNETES), Settings::default());
    }

    #[test]
    fn versions_read_with_or_without_v_and_patch() {
        assert_eq!(parse_kubernetes_version("1.27"), Ok(27));
        assert_eq!(parse_kubernetes_version("v1.27.3"), Ok(27));
        assert!(parse_kubernetes_version("1.27.x").is_err());
        assert!(parse_kubernetes_version("1.20").unwrap_err().contains("1.21 to 1.36"));
        assert!(parse_kubernetes_version("2.1").is_err());
        assert_eq!(parse_crossplane_version("v2.1"), Ok((2, 1)));
        assert!(parse_crossplane_version("1.20").unwrap_err().contains("2.0"));
    }
}
