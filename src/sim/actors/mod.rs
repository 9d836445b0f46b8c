//! The simulated controllers, one file each, and the one place they are
//! registered.
//!
//! | actor | process | upstream |
//! |---|---|---|
//! | [`kubelet::Kubelet`] | node | the kubelet's pod lifecycle (as far as Jobs see it) |
//! | [`cronjob::CronJobController`] | kube-controller-manager | `pkg/controller/cronjob` (`ControllerV2`) |
//! | [`job::JobController`] | kube-controller-manager | `pkg/controller/job` |
//! | [`ttl::TtlController`] | kube-controller-manager | `pkg/controller/ttlafterfinished` |
//! | [`cronoperation::CronOperationController`] | Crossplane pod | crossplane `internal/controller/ops/cronoperation` |
//! | [`operation::OperationController`] | Crossplane pod | crossplane `internal/controller/ops/operation` |
//! | [`cronworkflow::CronWorkflowController`] | Argo workflow-controller | argo-workflows `workflow/cron` |
//! | [`workflow::WorkflowController`] | Argo workflow-controller | argo-workflows `workflow/controller` (the phase only) |
//!
//! Adding a controller is a file here implementing [`Actor`] and a line in
//! [`register`]; CONTRIBUTING.md walks through it.

pub mod cronjob;
mod cronjob_cache;
pub mod cronoperation;
pub mod cronworkflow;
mod functions;
pub mod job;
pub mod kubelet;
pub mod operation;
pub mod ttl;
pub mod workflow;

pub use functions::{SimFunctions, failure_text};

use super::actor::Actor;
use crate::policy::crossplane::CrossplaneSettings;

/// Every actor of a partition, in the order a change reaches the actors of
/// one process (the order upstream adds their informer handlers).
pub fn register(crossplane: &CrossplaneSettings) -> Vec<Box<dyn Actor>> {
    vec![
        Box::new(kubelet::Kubelet::default()),
        Box::new(cronjob::CronJobController::default()),
        Box::new(job::JobController::default()),
        Box::new(ttl::TtlController::default()),
        Box::new(cronoperation::CronOperationController::new(crossplane.clone())),
        Box::new(operation::OperationController::default()),
        Box::new(cronworkflow::CronWorkflowController::default()),
        Box::new(workflow::WorkflowController::default()),
    ]
}
