//! What the controllers exchange with the API server and the event recorder.

use crate::model::{CronJob, Job};
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::sync::Arc;

/// An API call's failure, as the controllers distinguish them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ApiError {
    /// `apierrors.IsNotFound`.
    NotFound,
    /// `apierrors.IsAlreadyExists`.
    AlreadyExists,
    /// `apierrors.IsConflict` (a stale resourceVersion).
    Conflict,
    /// The namespace is terminating (`NamespaceTerminatingCause`).
    NamespaceTerminating,
    /// Anything else, with the error text the controller would print.
    Other(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::NotFound => f.write_str("not found"),
            ApiError::AlreadyExists => f.write_str("already exists"),
            ApiError::Conflict => f.write_str(
                "the object has been modified; please apply your changes to the latest version and try again",
            ),
            ApiError::NamespaceTerminating => f.write_str("namespace is being terminated"),
            ApiError::Other(s) => f.write_str(s),
        }
    }
}

/// `metav1.DeletionPropagation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Propagation {
    /// Dependents are deleted in the background, after the owner.
    Background,
    /// The owner stays until its dependents are gone.
    Foreground,
    /// Dependents are left in place.
    Orphan,
}

/// `corev1.EventTypeNormal` / `EventTypeWarning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum EventType {
    /// An ordinary Event.
    Normal,
    /// A Warning Event.
    Warning,
}

/// A Kubernetes Event as a controller records it: type, reason and message
/// exactly as upstream emits them, on the object named by `object`
/// (`kind/namespace/name`, e.g. `CronJob/default/backup`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// The object it is about, `Kind/namespace/name`.
    pub object: SmolStr,
    /// `Normal` or `Warning` (JSON `type`).
    #[serde(rename = "type")]
    pub type_: EventType,
    /// The Event's reason, e.g. `SuccessfulCreate`.
    pub reason: SmolStr,
    /// The Event's message.
    pub message: SmolStr,
}

impl Event {
    /// A Normal event.
    pub fn normal(
        object: impl Into<SmolStr>,
        reason: impl Into<SmolStr>,
        message: impl Into<SmolStr>,
    ) -> Event {
        Event {
            object: object.into(),
            type_: EventType::Normal,
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// A Warning event.
    pub fn warning(
        object: impl Into<SmolStr>,
        reason: impl Into<SmolStr>,
        message: impl Into<SmolStr>,
    ) -> Event {
        Event {
            object: object.into(),
            type_: EventType::Warning,
            reason: reason.into(),
            message: message.into(),
        }
    }
}

/// The API server as the CronJob controller's sync reaches it directly
/// (live calls, not the informer cache). Implementations decide uids,
/// creation timestamps (whole seconds) and failures.
pub trait Api {
    /// A live GET of a CronJob.
    fn get_cronjob(&mut self, namespace: &str, name: &str) -> Result<CronJob, ApiError>;
    /// A live GET of a Job.
    fn get_job(&mut self, namespace: &str, name: &str) -> Result<Job, ApiError>;
    /// CREATE a Job; returns the stored object (uid, creationTimestamp set),
    /// shared with the store rather than copied.
    fn create_job(&mut self, job: Job) -> Result<Arc<Job>, ApiError>;
    /// DELETE a Job with a propagation policy.
    fn delete_job(&mut self, namespace: &str, name: &str, propagation: Propagation) -> Result<(), ApiError>;
}

/// Why a controller deleted one of its children (a Job or an Operation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DeleteCause {
    /// History limits: the CronJob controller's `cleanupFinishedJobs`,
    /// Crossplane's `MarkGarbage`.
    HistoryGc,
    /// `concurrencyPolicy: Replace`.
    Replace,
}
