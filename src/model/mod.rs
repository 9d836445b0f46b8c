//! The API objects cronwarp reads and the controllers exchange: batch/v1
//! CronJob and Job, and the parts of v1 Pod that matter, with the API
//! server's defaults and validation.
//!
//! Types follow the Kubernetes field names (camelCase on the wire) and
//! tolerate unknown fields, since `kubectl get -o yaml` output carries many.

mod cronjob;
pub mod defaults;
pub mod duration;
mod field;
pub mod input;
mod job;
pub mod kubevela;
pub mod manifest;
mod meta;
mod pod;
pub mod quantity;
pub mod select;
mod shared;
mod time;
pub mod validation;
mod validation_job;
pub mod yaml;
mod yaml_de;
mod yaml_node;

pub use cronjob::{ConcurrencyPolicy, CronJob, CronJobSpec, CronJobStatus};
pub use field::{BadValue, ErrorType, FieldError};
pub use job::{
    Container, Job, JobSpec, JobStatus, JobTemplateSpec, OnExitCodes, OnPodCondition, PodFailurePolicy,
    PodFailurePolicyRule, PodSpec, PodTemplateSpec, Resources, TemplateMeta,
};
pub use manifest::{FieldValidation, Located, Manifests, SUPPORTED_KINDS};
pub use meta::{Condition, Labels, ObjectMeta, ObjectReference, OwnerReference};
pub use pod::{ContainerStatus, ContainerTerminated, Pod, PodPhase, PodStatus};
pub use select::Select;
pub use shared::{Collection, Shared, SharedCollection};
pub use time::{HOUR, LAST_RFC3339_UNIX, MINUTE, Millis, SECOND, Time, format_duration, rfc3339_error};
pub use yaml::{Node, Position, YamlError, from_yaml, from_yaml_multi};

pub mod argo;
pub mod crossplane;
