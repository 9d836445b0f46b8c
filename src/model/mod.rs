//! The API objects cronwarp reads and the controllers exchange: batch/v1
//! CronJob and Job, and the parts of v1 Pod that matter, with the API
//! server's defaults and validation.
//!
//! Types follow the Kubernetes field names (camelCase on the wire) and
//! tolerate unknown fields, since `kubectl get -o yaml` output carries many.

mod cronjob;
mod job;
mod meta;
mod pod;
mod time;

pub use cronjob::{ConcurrencyPolicy, CronJob, CronJobSpec, CronJobStatus};
pub use job::{
    Container, Job, JobSpec, JobStatus, JobTemplateSpec, OnExitCodes, OnPodCondition, PodFailurePolicy,
    PodFailurePolicyRule, PodSpec, PodTemplateSpec, TemplateMeta,
};
pub use meta::{Condition, ObjectMeta, ObjectReference, OwnerReference};
pub use pod::{ContainerStatus, ContainerTerminated, Pod, PodPhase, PodStatus};
pub use time::{HOUR, MINUTE, Millis, SECOND, Time, format_duration};

pub mod crossplane;
