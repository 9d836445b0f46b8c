//! The API server's `argoproj.io` kinds: CronWorkflows and the Workflows
//! they submit (namespaced, keyed `namespace/name`), what the API server
//! assigns to them (uids, resourceVersions, `creationTimestamp` at whole
//! seconds of its own clock), and the log records of created, finished and
//! deleted Workflows.
//!
//! A Workflow is stored with what the CronWorkflow controller reads of it
//! (phase, `finishedAt`, its `workflows.argoproj.io/cron-workflow` label):
//! the Workflow controller's nodes and pods are not modelled, only the
//! phase its operator writes (docs/fidelity/argo.md#argo-12).

use super::{ApiServer, Change};
use crate::model::argo::{
    ANNOTATION_SCHEDULED_TIME, ARGO_API_VERSION, CronWorkflow, LABEL_CRON_WORKFLOW, validate_cronworkflow,
};
use crate::model::{ObjectMeta, ObjectReference, OwnerReference, Time};
use crate::policy::ApiError;
use crate::policy::argo::WorkflowPhase;
use crate::policy::crossplane::Trigger;
use crate::sim::log::{DeletedBy, Entry};
use smol_str::SmolStr;

/// A Workflow as the store holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredWorkflow {
    /// `metadata`: name, namespace, uid, labels, the scheduled-time
    /// annotation, the CronWorkflow's owner reference.
    pub metadata: ObjectMeta,
    /// The tick it was submitted for.
    pub scheduled: Time,
    /// The key of its CronWorkflow.
    pub owner: SmolStr,
    /// `status.phase`.
    pub phase: WorkflowPhase,
    /// `status.finishedAt`, once fulfilled.
    pub finished_at: Option<Time>,
    /// `status.message`.
    pub message: SmolStr,
}

impl StoredWorkflow {
    /// The store's key of the Workflow.
    pub fn key(&self) -> SmolStr {
        super::key(&self.metadata.namespace, &self.metadata.name)
    }
}

/// The phase's name as Argo writes it.
pub fn phase_name(p: WorkflowPhase) -> &'static str {
    match p {
        WorkflowPhase::Pending => "Pending",
        WorkflowPhase::Running => "Running",
        WorkflowPhase::Succeeded => "Succeeded",
        WorkflowPhase::Failed => "Failed",
        WorkflowPhase::Error => "Error",
    }
}

impl ApiServer {
    /// A uid for an Argo object: the kind, its key and how often that key
    /// was created before, hashed as the Crossplane kinds' are.
    fn argo_admit(&mut self, kind: &str, meta: &mut ObjectMeta) {
        if meta.uid.is_empty() {
            meta.uid = self.ops_uid(kind, &super::key(&meta.namespace, &meta.name));
        }
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(self.api_now().trunc_seconds());
        }
        meta.resource_version = self.ops_rv();
    }

    /// Stores a CronWorkflow (scenario set-up).
    pub fn create_cronworkflow(&mut self, mut cw: CronWorkflow) -> Result<CronWorkflow, ApiError> {
        if cw.metadata.namespace.is_empty() {
            cw.metadata.namespace = "default".into();
        }
        let key = super::key(&cw.metadata.namespace, &cw.metadata.name);
        if self.cronworkflows.contains_key(&key) {
            return Err(ApiError::AlreadyExists);
        }
        self.argo_admit("CronWorkflow", &mut cw.metadata);
        self.cronworkflows.insert(key.clone(), cw.clone());
        self.changes.push_back(Change::CronWorkflow { key, trigger: Trigger::Created });
        Ok(cw)
    }

    /// A scenario's `kubectl edit` of a CronWorkflow: refused when Argo's
    /// validating admission (the `argo` CLI and server lint, mirrored by
    /// [`validate_cronworkflow`]) would refuse the result.
    pub fn edit_cronworkflow(
        &mut self,
        key: &str,
        edit: impl FnOnce(&mut CronWorkflow),
    ) -> Result<(), String> {
        let old = self.cronworkflows.get(key).ok_or_else(|| "not found".to_string())?;
        let mut new = old.clone();
        edit(&mut new);
        if let Some(bad) = validate_cronworkflow(&new) {
            return Err(bad.message);
        }
        if new == *old {
            return Ok(());
        }
        new.metadata.resource_version = self.ops_rv();
        self.cronworkflows.insert(key.into(), new);
        self.changes.push_back(Change::CronWorkflow { key: key.into(), trigger: Trigger::SpecChanged });
        Ok(())
    }

    /// A DELETE of a CronWorkflow; with the garbage collector running its
    /// Workflows go too.
    pub fn delete_cronworkflow(&mut self, key: &str, gc_running: bool) -> Result<(), ApiError> {
        self.cronworkflows.remove(key).ok_or(ApiError::NotFound)?;
        self.changes.push_back(Change::CronWorkflow { key: key.into(), trigger: Trigger::Deleted });
        if gc_running {
            self.collect_orphaned_workflows();
        }
        Ok(())
    }

    /// The controller's merge patch of a CronWorkflow's status, labels and
    /// annotations (`persistUpdate`); returns whether the stored object
    /// changed, in which case an update event follows.
    pub fn patch_cronworkflow(&mut self, key: &str, cw: &CronWorkflow) -> bool {
        let Some(stored) = self.cronworkflows.get(key) else { return false };
        if stored.status == cw.status
            && stored.metadata.labels == cw.metadata.labels
            && stored.metadata.annotations == cw.metadata.annotations
        {
            return false;
        }
        let rv = self.ops_rv();
        let Some(stored) = self.cronworkflows.get_mut(key) else { return false };
        stored.status = cw.status.clone();
        stored.metadata.labels = cw.metadata.labels.clone();
        stored.metadata.annotations = cw.metadata.annotations.clone();
        stored.metadata.resource_version = rv;
        self.changes.push_back(Change::CronWorkflow { key: key.into(), trigger: Trigger::StatusChanged });
        true
    }

    /// `SubmitWorkflow` of the child `name` of `cw` for `scheduled`, as
    /// `ConvertCronWorkflowToWorkflowWithProperties`
    /// (`workflow/common/convert.go`) builds it: the cron-workflow label,
    /// the scheduled-time annotation, a controller owner reference.
    /// `catch_up` is logged (the run came from the missed-run check).
    pub fn submit_workflow(
        &mut self,
        cw: &CronWorkflow,
        name: &SmolStr,
        scheduled: Time,
        catch_up: bool,
    ) -> Result<ObjectReference, ApiError> {
        let namespace = cw.metadata.namespace.clone();
        let key = super::key(&namespace, name);
        if self.workflows.contains_key(&key) {
            return Err(ApiError::AlreadyExists);
        }
        let owner = super::key(&namespace, &cw.metadata.name);
        let mut meta =
            ObjectMeta { name: name.clone(), namespace: namespace.clone(), ..ObjectMeta::default() };
        if let Some(m) = &cw.spec.workflow_metadata {
            meta.labels.extend(m.labels.iter().map(|(k, v)| (k.clone(), v.clone())));
            meta.annotations.extend(m.annotations.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        meta.labels.insert(LABEL_CRON_WORKFLOW.into(), cw.metadata.name.clone());
        meta.annotations.insert(ANNOTATION_SCHEDULED_TIME.into(), scheduled.to_string().into());
        meta.owner_references.push(OwnerReference {
            api_version: ARGO_API_VERSION.into(),
            kind: "CronWorkflow".into(),
            name: cw.metadata.name.clone(),
            uid: cw.metadata.uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        });
        self.argo_admit("Workflow", &mut meta);
        self.log.push(Entry::WorkflowCreated {
            workflow: key.clone(),
            cronworkflow: owner.clone(),
            scheduled_time: scheduled,
            uid: meta.uid.clone(),
            catch_up,
        });
        let reference = ObjectReference {
            kind: "Workflow".into(),
            api_version: ARGO_API_VERSION.into(),
            name: name.clone(),
            namespace,
            uid: meta.uid.clone(),
            resource_version: meta.resource_version.clone(),
        };
        let wf = StoredWorkflow {
            metadata: meta,
            scheduled,
            owner: owner.clone(),
            phase: WorkflowPhase::Pending,
            finished_at: None,
            message: SmolStr::default(),
        };
        self.workflows.insert(key.clone(), wf);
        self.changes.push_back(Change::Workflow { key, owner: Some(owner), trigger: Trigger::Created });
        Ok(reference)
    }

    /// The Workflow operator writes a phase (a fulfilled one with its
    /// `finishedAt` and message, logged). Nothing for a Workflow that is
    /// gone or already fulfilled.
    pub fn set_workflow_phase(&mut self, key: &str, phase: WorkflowPhase, message: &str) {
        let now = self.api_now().trunc_seconds();
        let Some(wf) = self.workflows.get_mut(key) else { return };
        if wf.phase.fulfilled() || wf.phase == phase {
            return;
        }
        wf.phase = phase;
        wf.message = message.into();
        let owner = wf.owner.clone();
        if phase.fulfilled() {
            wf.finished_at = Some(now);
            self.log.push(Entry::WorkflowFinished {
                workflow: key.into(),
                phase: phase_name(phase).into(),
                message: message.into(),
            });
        }
        self.changes.push_back(Change::Workflow {
            key: key.into(),
            owner: Some(owner),
            trigger: Trigger::StatusChanged,
        });
    }

    /// A DELETE of a Workflow (its pods' clean-up is not modelled: it
    /// leaves at once).
    pub fn delete_workflow(&mut self, key: &str, by: DeletedBy) -> Result<(), ApiError> {
        let wf = self.workflows.remove(key).ok_or(ApiError::NotFound)?;
        self.log.push(Entry::WorkflowDeleted { workflow: key.into(), by });
        self.changes.push_back(Change::Workflow {
            key: key.into(),
            owner: Some(wf.owner),
            trigger: Trigger::Deleted,
        });
        Ok(())
    }

    /// The garbage collector's sweep of Workflows whose CronWorkflow is
    /// gone (or was re-created with another uid).
    pub(super) fn collect_orphaned_workflows(&mut self) {
        let orphans: Vec<SmolStr> = self
            .workflows
            .values()
            .filter(|wf| {
                let uid = wf.metadata.controller_ref().map(|r| r.uid.clone()).unwrap_or_default();
                self.cronworkflows.get(&wf.owner).is_none_or(|cw| !uid.is_empty() && cw.metadata.uid != uid)
            })
            .map(StoredWorkflow::key)
            .collect();
        for k in orphans {
            let _ = self.delete_workflow(&k, DeletedBy::CronWorkflowDeleted);
        }
    }

    /// The Workflows of the CronWorkflow `owner` (its key), in key order.
    pub fn workflows_of<'a>(&'a self, owner: &'a str) -> impl Iterator<Item = &'a StoredWorkflow> + 'a {
        self.workflows.values().filter(move |w| w.owner == owner)
    }
}
