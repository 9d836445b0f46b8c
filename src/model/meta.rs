//! `metav1.ObjectMeta`, owner and object references, and conditions: the
//! metadata fields the controllers read or write.

use super::time::Time;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// `metav1.ObjectMeta`, the fields that matter to the controllers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMeta {
    pub name: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub namespace: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub uid: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_timestamp: Option<Time>,
    /// Seconds the object was given to terminate when deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owner_references: Vec<OwnerReference>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<SmolStr, SmolStr>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<SmolStr, SmolStr>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub finalizers: Vec<SmolStr>,
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
    pub api_version: SmolStr,
    pub kind: SmolStr,
    pub name: SmolStr,
    pub uid: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// `corev1.ObjectReference`, as `status.active` holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectReference {
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub api_version: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub kind: SmolStr,
    pub name: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub namespace: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub uid: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub resource_version: SmolStr,
}

/// A status condition (`batchv1.JobCondition` and friends).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Condition {
    #[serde(rename = "type")]
    pub type_: SmolStr,
    /// `True`, `False` or `Unknown`.
    pub status: SmolStr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_probe_time: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub reason: SmolStr,
    #[serde(skip_serializing_if = "SmolStr::is_empty")]
    pub message: SmolStr,
}

impl Condition {
    /// A condition with status `True`.
    pub fn true_(type_: &str, reason: &str, message: &str, at: Time) -> Condition {
        Condition {
            type_: type_.into(),
            status: "True".into(),
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
