//! The `Fault` records: scenario faults and changes as they take effect.

use crate::model::{Millis, Time};
use crate::sim::edit::SpecEdit;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// A scenario fault or change, as logged when it takes effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "fault", rename_all = "camelCase")]
pub enum Fault {
    /// kube-controller-manager goes down until `until`.
    #[serde(rename_all = "camelCase")]
    DowntimeStart {
        /// When the downtime ends.
        until: Time,
    },
    /// kube-controller-manager is back (every controller resyncs everything;
    /// in-memory queues, timers and backoff records are gone).
    #[serde(rename_all = "camelCase")]
    DowntimeEnd {
        /// When the downtime began.
        since: Time,
    },
    /// A scenario edit of a CronJob's spec (`change` names the field and the
    /// new value, e.g. `suspend=true`).
    #[serde(rename_all = "camelCase")]
    SpecChange {
        /// The CronJob, `namespace/name`.
        object: String,
        /// The edit (in the log: the field and its new value, e.g.
        /// `suspend=true`).
        change: SpecEdit,
    },
    /// A scenario edit the API server refused (validation `error`, or the
    /// CronJob is gone): nothing changed.
    #[serde(rename_all = "camelCase")]
    SpecChangeRejected {
        /// The CronJob, `namespace/name`.
        object: String,
        /// The refused edit (in the log, e.g. `suspend=true`).
        change: SpecEdit,
        /// Why the API server refused it.
        error: String,
    },
    /// A scenario deletion of a CronJob.
    #[serde(rename_all = "camelCase")]
    CronJobDeleted {
        /// The CronJob, `namespace/name`.
        object: String,
    },
    /// The controller clock differs from the API server's by `skew` ms
    /// (logged once at the start when non-zero).
    #[serde(rename_all = "camelCase")]
    ClockSkew {
        /// Controller clock minus API server clock, in milliseconds.
        skew: Millis,
    },
    /// The informer cache lags the API server by `lag` ms (logged once at
    /// the start when non-zero).
    #[serde(rename_all = "camelCase")]
    InformerLag {
        /// How far the informer cache is behind, in milliseconds.
        lag: Millis,
    },
    /// A controller's request was refused by a `controller.apiFaults` rule
    /// or an `apiServerDown` window.
    #[serde(rename_all = "camelCase")]
    ApiRequestFailed {
        /// The request's verb.
        verb: crate::sim::api_server::Verb,
        /// The resource.
        resource: crate::sim::api_server::Resource,
        /// The object, `namespace/name`.
        object: SmolStr,
        /// The fault (`quotaExceeded`, `unavailable`, …).
        error: SmolStr,
        /// The error the controller got.
        message: String,
    },
    /// The API server stops answering until `until` (the controllers keep
    /// running; their requests fail and their watches wait).
    #[serde(rename_all = "camelCase")]
    ApiServerDown {
        /// When it answers again.
        until: Time,
    },
    /// The API server answers again; the controllers' watches resume and
    /// deliver what changed meanwhile.
    ApiServerUp,
    /// A `behaviour.disruptions` rule disrupted a pod: it got the
    /// `DisruptionTarget` condition with `reason` (and, but for
    /// `TerminationByKubelet`, a DELETE).
    #[serde(rename_all = "camelCase")]
    PodDisrupted {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
        /// The condition's reason.
        reason: crate::sim::behaviour::DisruptionReason,
    },
    /// A `behaviour.pending` rule holds a new pod in `Pending` (an image
    /// pull) until `until`.
    #[serde(rename_all = "camelCase")]
    PodHeldPending {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
        /// When its container starts at the earliest.
        until: Time,
    },
    /// A `behaviour.nodeLoss` rule: the node running this pod is lost (its
    /// container stops; nothing is reported until the node is back, at
    /// `until` if ever).
    #[serde(rename_all = "camelCase")]
    NodeLost {
        /// The pod, `namespace/name`.
        pod: SmolStr,
        /// Its Job, `namespace/name`.
        job: SmolStr,
        /// When the node is back, if within the horizon.
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<Time>,
    },
}
