//! `metav1.ObjectMeta`, owner and object references, and conditions: the
//! metadata fields the controllers read or write.

use super::shared::SharedCollection;
use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// A label or annotation map, shared between an object's versions (and
/// between a Job's pods) until one of them changes it.
pub type Labels = SharedCollection<BTreeMap<SmolStr, SmolStr>>;

/// `metav1.ObjectMeta`, the fields that matter to the controllers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    /// `metadata.name`.
    pub name: SmolStr,
    /// `metadata.namespace`; empty when the manifest omits it.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub namespace: SmolStr,
    /// `metadata.uid`, assigned by the API server; empty until then.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub uid: SmolStr,
    /// `metadata.creationTimestamp`: set by the API server on create; None until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    /// `metadata.deletionTimestamp`: set when deletion was requested; None while not being deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    /// Seconds the object was given to terminate when deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    /// `metadata.ownerReferences`: the objects that own this one (a Job's CronJob).
    #[serde(skip_serializing_if = "SharedCollection::is_empty")]
    pub owner_references: SharedCollection<Vec<OwnerReference>>,
    /// `metadata.labels`; empty for none.
    #[serde(skip_serializing_if = "SharedCollection::is_empty")]
    pub labels: Labels,
    /// `metadata.annotations`; empty for none.
    #[serde(skip_serializing_if = "SharedCollection::is_empty")]
    pub annotations: Labels,
    /// `metadata.finalizers`: deletion waits until these are removed.
    #[serde(skip_serializing_if = "SharedCollection::is_empty")]
    pub finalizers: SharedCollection<Vec<SmolStr>>,
    /// `metadata.resourceVersion`: the API server's version of the object; empty until stored.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub resource_version: SmolStr,
}

impl ObjectMeta {
    /// The controller owner reference (`metav1.GetControllerOf`).
    pub fn controller_ref(&self) -> Option<&OwnerReference> {
        self.owner_references.iter().find(|r| r.controller == Some(true))
    }
}

/// `metav1.OwnerReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct OwnerReference {
    /// `apiVersion` of the owner.
    pub api_version: SmolStr,
    /// `kind` of the owner.
    pub kind: SmolStr,
    /// `name` of the owner.
    pub name: SmolStr,
    /// `uid` of the owner.
    pub uid: SmolStr,
    /// `controller`: whether the owner is the managing controller; None means false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    /// `blockOwnerDeletion`: foreground deletion of the owner waits for this object; None means false.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// `corev1.ObjectReference`, as `status.active` holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectReference {
    /// `apiVersion` of the object; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    /// `kind` of the object; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    /// `name` of the object.
    pub name: SmolStr,
    /// `namespace` of the object; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub namespace: SmolStr,
    /// `uid` of the object; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub uid: SmolStr,
    /// `resourceVersion` of the object; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub resource_version: SmolStr,
}

/// A status condition (`batchv1.JobCondition` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    /// `type`: e.g. `Complete`, `Failed`, `Suspended`.
    #[serde(rename = "type")]
    pub type_: SmolStr,
    /// `True`, `False` or `Unknown`.
    pub status: SmolStr,
    /// `lastProbeTime`: when the condition was last checked; None if not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Time>,
    /// `lastTransitionTime`: when `status` last changed; None if not recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// `reason`: a CamelCase code for the last transition; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub reason: SmolStr,
    /// `message`: human-readable detail; may be empty.
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub message: SmolStr,
}

impl Condition {
    /// A condition with status `True`.
    pub fn true_(
        type_: &str,
        reason: impl Into<SmolStr>,
        message: impl Into<SmolStr>,
        at: Time,
    ) -> Condition {
        Condition {
            type_: type_.into(),
            status: SmolStr::new_static("True"),
            last_probe_time: Some(at),
            last_transition_time: Some(at),
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// Whether this is `type_` with status `True`.
    pub fn is_true(&self, type_: &str) -> bool {
        self.type_ == type_ && self.status == "True"
    }
}
