//! Behaviour that changed between Kubernetes releases, as named settings
//! (docs/fidelity/kubernetes-cronjob.md#cj-22). [`Settings::default`] is current Kubernetes.

use crate::model::duration::DurationSpec;
use crate::model::{MINUTE, Millis};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// How the CronJob controller finds its Jobs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum JobListing {
    /// ≤ ~1.34: any Job whose controller ownerRef has the CronJob's name
    /// (a re-created CronJob adopts and garbage-collects the old one's Jobs).
    OwnerName,
    /// Current: controller ownerRef with the CronJob's uid.
    #[default]
    OwnerUid,
}

/// Version-dependent controller behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Settings {
    /// How Jobs are matched to their CronJob.
    pub job_listing: JobListing,
    /// PR #122025 (2024): `lastSuccessfulTime` is set in the same pass in
    /// which a Job leaves `status.active`. `false` is the older behaviour
    /// (set only on a later sync, never with `successfulJobsHistoryLimit: 0`),
    /// and with it the older SawCompletedJob wording (`…, status: Complete`
    /// instead of `…, condition: Complete`), which the pre-#122025 code has;
    /// the release of that rename is not pinned separately.
    pub last_successful_time_same_pass: bool,
    /// Before PR #121327 (≤ v1.28) the TooManyMissedTimes message carried
    /// the count (`too many missed start times: 115. Set or …`).
    pub too_many_missed_message_with_count: bool,
    /// The v1 controller (≤ v1.20): more than 100 missed ticks means no Job
    /// at all (`FailedNeedsStart`). Layered on the v2 sync: when v2 finds a
    /// tick to start, the ticks in `(lastScheduleTime or creation, now]`
    /// (deadline applied) are counted exactly, as v1 did, and more than 100
    /// gives the v1 warning and no Job; v2's TooManyMissedTimes is not
    /// emitted. v1's 10 s polling is not modelled: the requeue stays v2's.
    pub legacy_give_up_after_100_misses: bool,
    /// Cap of the Job controller's pod-failure backoff: 10 min now
    /// (`MaxJobPodFailureBackOff`), 6 min in older releases and the docs.
    /// Written as a duration (`6m`) like every other; a bare integer is
    /// milliseconds, as the field first took.
    #[serde(deserialize_with = "duration_or_millis")]
    #[cfg_attr(feature = "schema", schemars(with = "DurationOrMillis"))]
    pub pod_failure_backoff_cap: Millis,
    /// Job controller ≥ 1.31 (`delayTerminalCondition`, on whenever
    /// JobPodReplacementPolicy or JobManagedBy is enabled): a failing or
    /// succeeding Job first gets `FailureTarget`/`SuccessCriteriaMet` and
    /// the terminal `Failed`/`Complete` only once its pods are gone.
    /// `false`: the terminal condition is written at once.
    pub job_delay_terminal_condition: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            job_listing: JobListing::OwnerUid,
            last_successful_time_same_pass: true,
            too_many_missed_message_with_count: false,
            legacy_give_up_after_100_misses: false,
            pod_failure_backoff_cap: 10 * MINUTE,
            job_delay_terminal_condition: true,
        }
    }
}

/// A duration string (`"6m"`, see [`DurationSpec`]) or, as the settings
/// first took it, a non-negative integer of milliseconds.
fn duration_or_millis<'de, D: Deserializer<'de>>(d: D) -> Result<Millis, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = Millis;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(r#"a duration such as "6m" or "10m" (or whole milliseconds)"#)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Millis, E> {
            DurationSpec::parse(v).map(DurationSpec::millis).map_err(E::custom)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
            DurationSpec::from_millis(v)
                .map(DurationSpec::millis)
                .ok_or_else(|| E::custom(format!("invalid duration {v}: durations must not be negative")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
            Millis::try_from(v).map_err(|_| E::custom(format!("invalid duration {v}: too large")))
        }
    }
    d.deserialize_any(V)
}

/// A duration string (`"6m"`), or whole milliseconds as the settings
/// first took them (`360000`).
#[cfg(feature = "schema")]
#[allow(dead_code)]
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
enum DurationOrMillis {
    /// A duration string.
    Duration(DurationSpec),
    /// Whole milliseconds (the older form).
    Millis(u64),
}
