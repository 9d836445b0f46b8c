//! The API server's `ops.crossplane.io` kinds: CronOperations and
//! Operations (cluster-scoped, so keyed by name), with what the API server
//! assigns to them (uids, resourceVersions, `creationTimestamp` at whole
//! seconds of its own clock, `metadata.generation` bumped on spec edits
//! only) and the log records of stored, finished and deleted Operations.

use super::{ApiServer, Change};
use crate::model::ObjectMeta;
use crate::model::crossplane::{
    CronOperation, LABEL_CRONOPERATION_NAME, Operation, TYPE_SUCCEEDED, validate_cronoperation,
};
use crate::policy::ApiError;
use crate::policy::crossplane::{CrossplaneApi, Trigger, slot_from_name};
use crate::sim::log::{DeletedBy, Entry};
use crate::sim::rng::fnv1a64;
use smol_str::SmolStr;
use std::sync::Arc;

/// The CronOperation controlling `op`, if any.
pub fn owner_of(op: &Operation) -> Option<SmolStr> {
    op.metadata.controller_ref().filter(|r| r.kind == "CronOperation").map(|r| r.name.clone())
}

impl ApiServer {
    pub(super) fn ops_rv(&mut self) -> SmolStr {
        self.next_ops_rv += 1;
        smol_str::format_smolstr!("{}", self.next_ops_rv)
    }

    /// A uid that depends only on the kind, the name and how often that
    /// name was created before: adding another workload never changes it.
    pub(super) fn ops_uid(&mut self, kind: &str, name: &str) -> SmolStr {
        let n = self.ops_creations.entry(smol_str::format_smolstr!("{kind}/{name}")).or_insert(0);
        *n += 1;
        let h = fnv1a64(format!("{kind}/{name}#{n}").as_bytes());
        let g = fnv1a64(&h.to_le_bytes());
        smol_str::format_smolstr!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            (g >> 48) & 0xfff,
            g & 0xffff_ffff_ffff
        )
    }

    /// Fills what the API server sets on create, keeping seeded values.
    fn admit_ops(&mut self, kind: &str, meta: &mut ObjectMeta) {
        if meta.uid.is_empty() {
            meta.uid = self.ops_uid(kind, &meta.name);
        }
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = Some(self.api_now().trunc_seconds());
        }
        meta.resource_version = self.ops_rv();
    }

    /// Stores a CronOperation (scenario set-up).
    pub fn create_cronoperation(&mut self, mut co: CronOperation) -> Result<CronOperation, ApiError> {
        let name = co.metadata.name.clone();
        if self.cronoperations.contains_key(&name) {
            return Err(ApiError::AlreadyExists);
        }
        self.admit_ops("CronOperation", &mut co.metadata);
        self.generations.insert(name.clone(), 1);
        self.cronoperations.insert(name.clone(), Arc::new(co.clone()));
        self.changes.push_back(Change::CronOperation { name, trigger: Trigger::Created });
        Ok(co)
    }

    /// Stores an Operation read from the scenario, logged as seeded (and as
    /// finished at once when it already is).
    pub fn seed_operation(&mut self, op: Operation) -> Result<(), ApiError> {
        let stored = self.store_operation(op, true)?;
        let mut finished = Operation::default();
        finished.metadata.name = stored.metadata.name.clone();
        self.log_finish(&finished, &stored);
        Ok(())
    }

    fn store_operation(&mut self, mut op: Operation, seeded: bool) -> Result<Operation, ApiError> {
        let name = op.metadata.name.clone();
        if self.operations.contains_key(&name) {
            return Err(ApiError::AlreadyExists);
        }
        self.admit_ops("Operation", &mut op.metadata);
        let cronoperation = op.metadata.labels.get(LABEL_CRONOPERATION_NAME).cloned().unwrap_or_default();
        self.log.push(Entry::OperationCreated {
            operation: name.clone(),
            scheduled_time: slot_from_name(&cronoperation, &name),
            cronoperation,
            uid: op.metadata.uid.clone(),
            seeded,
        });
        if let Some(label) = op.metadata.labels.get(LABEL_CRONOPERATION_NAME) {
            self.operations_by_label.entry(label.clone()).or_default().insert(name.clone());
        }
        self.operations.insert(name.clone(), Arc::new(op.clone()));
        let owner = owner_of(&op);
        self.changes.push_back(Change::Operation { name, owner, trigger: Trigger::Created });
        Ok(op)
    }

    /// Logs `OperationFinished` when `new` completed and `old` had not.
    fn log_finish(&mut self, old: &Operation, new: &Operation) {
        if old.is_complete() || !new.is_complete() {
            return;
        }
        let Some(c) = new.condition(TYPE_SUCCEEDED) else { return };
        self.log.push(Entry::OperationFinished {
            operation: new.metadata.name.clone(),
            succeeded: c.status == "True",
            reason: c.reason.as_str().into(),
            message: c.message.as_str().into(),
        });
    }

    /// A DELETE of an Operation (no finalizers: it leaves at once).
    pub fn remove_operation(&mut self, name: &str, by: DeletedBy) -> Result<(), ApiError> {
        let op = self.operations.remove(name).ok_or(ApiError::NotFound)?;
        if let Some(label) = op.metadata.labels.get(LABEL_CRONOPERATION_NAME)
            && let Some(names) = self.operations_by_label.get_mut(label)
        {
            names.remove(name);
            if names.is_empty() {
                self.operations_by_label.remove(label);
            }
        }
        self.log.push(Entry::OperationDeleted { operation: name.into(), by });
        let owner = owner_of(&op);
        self.changes.push_back(Change::Operation { name: name.into(), owner, trigger: Trigger::Deleted });
        Ok(())
    }

    /// A scenario edit of a CronOperation: `spec` edits bump the
    /// generation; metadata-only edits (the pause annotation) do not.
    /// Returns the API server's validation errors, if it refused.
    pub fn edit_cronoperation(
        &mut self,
        name: &str,
        edit: impl FnOnce(&mut CronOperation),
    ) -> Result<(), String> {
        let rv = self.ops_rv();
        let old = self.cronoperations.get(name).ok_or_else(|| "not found".to_string())?;
        let mut new = CronOperation::clone(old);
        edit(&mut new);
        let errs = validate_cronoperation(&new);
        if !errs.is_empty() {
            return Err(errs.join("; "));
        }
        // An edit that changes nothing is no write: no generation, no event.
        if new == **old {
            return Ok(());
        }
        let trigger = if new.spec != old.spec {
            *self.generations.entry(name.into()).or_insert(1) += 1;
            Trigger::SpecChanged
        } else {
            Trigger::MetadataChanged
        };
        new.metadata.resource_version = rv;
        self.cronoperations.insert(name.into(), Arc::new(new));
        self.changes.push_back(Change::CronOperation { name: name.into(), trigger });
        Ok(())
    }

    /// A DELETE of a CronOperation; with the garbage collector running its
    /// Operations go too (otherwise when it starts, see
    /// [`ApiServer::collect_garbage`]).
    pub fn delete_cronoperation(&mut self, name: &str, gc_running: bool) -> Result<(), ApiError> {
        self.cronoperations.remove(name).ok_or(ApiError::NotFound)?;
        self.generations.remove(name);
        self.changes.push_back(Change::CronOperation { name: name.into(), trigger: Trigger::Deleted });
        if gc_running {
            self.collect_orphaned_operations();
        }
        Ok(())
    }

    /// The garbage collector's sweep of Operations: those whose controlling
    /// CronOperation is gone (or has another uid) are deleted.
    pub(super) fn collect_orphaned_operations(&mut self) {
        let orphans: Vec<SmolStr> = self
            .operations
            .values()
            .filter(|op| {
                op.metadata.controller_ref().filter(|r| r.kind == "CronOperation").is_some_and(|r| {
                    self.cronoperations
                        .get(&r.name)
                        .is_none_or(|co| !r.uid.is_empty() && co.metadata.uid != r.uid)
                })
            })
            .map(|op| op.metadata.name.clone())
            .collect();
        for name in orphans {
            let _ = self.remove_operation(&name, DeletedBy::CronOperationDeleted);
        }
    }

    /// `Status().Update` of an Operation. The simulated controllers read
    /// the store directly (no informer lag), so only a different uid is a
    /// conflict. A write that changes nothing sends no watch event.
    pub fn write_operation_status(&mut self, op: &Operation) -> Result<(), ApiError> {
        let name = op.metadata.name.clone();
        let stored = self.operations.get(&name).ok_or(ApiError::NotFound)?;
        if stored.metadata.uid != op.metadata.uid {
            return Err(ApiError::Conflict);
        }
        if stored.status == op.status {
            return Ok(());
        }
        let old = Arc::clone(stored);
        let mut new = Operation {
            api_version: old.api_version.clone(),
            kind: old.kind.clone(),
            metadata: old.metadata.clone(),
            spec: old.spec.clone(),
            status: op.status.clone(),
        };
        new.metadata.resource_version = self.ops_rv();
        self.log_finish(&old, &new);
        let owner = owner_of(&new);
        self.operations.insert(name.clone(), Arc::new(new));
        self.changes.push_back(Change::Operation { name, owner, trigger: Trigger::StatusChanged });
        Ok(())
    }
}

impl CrossplaneApi for ApiServer {
    fn list_operations(&mut self, cronoperation: &str) -> Result<Vec<Arc<Operation>>, ApiError> {
        // Name order, as a scan of the store by name would give.
        let names = self.operations_by_label.get(cronoperation).into_iter().flatten();
        Ok(names.filter_map(|n| self.operations.get(n)).cloned().collect())
    }

    fn create_operation(&mut self, op: Operation) -> Result<Operation, ApiError> {
        self.store_operation(op, self.seeding)
    }

    fn delete_operation(&mut self, name: &str) -> Result<(), ApiError> {
        // The caller attributes the deletion (GC or Replace) afterwards.
        self.remove_operation(name, DeletedBy::HistoryGc)
    }

    fn update_cronoperation_status(&mut self, co: &CronOperation) -> Result<(), ApiError> {
        let name = co.metadata.name.clone();
        let stored = self.cronoperations.get(&name).ok_or(ApiError::NotFound)?;
        if stored.metadata.uid != co.metadata.uid {
            return Err(ApiError::Conflict);
        }
        if stored.status == co.status {
            return Ok(());
        }
        let rv = self.ops_rv();
        if let Some(s) = self.cronoperations.get_mut(&name) {
            let s = Arc::make_mut(s);
            s.status = co.status.clone();
            s.metadata.resource_version = rv;
        }
        self.changes.push_back(Change::CronOperation { name, trigger: Trigger::StatusChanged });
        Ok(())
    }

    fn update_operation_status(&mut self, op: &Operation) -> Result<(), ApiError> {
        self.write_operation_status(op)
    }

    /// Credentials Secrets are not modelled: they exist.
    fn get_secret(&mut self, _namespace: &str, _name: &str) -> Result<(), ApiError> {
        Ok(())
    }

    /// Composed resources are not modelled: server-side apply succeeds.
    fn apply_resource(
        &mut self,
        _op: &Operation,
        _name: &str,
        _r: &serde_json::Value,
    ) -> Result<(), ApiError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Time;
    use crate::sim::edit::SpecEdit;

    fn co(name: &str) -> CronOperation {
        let mut co = CronOperation::default();
        co.metadata.name = name.into();
        co.spec.schedule = "0 * * * *".into();
        co.spec.operation_template.spec.pipeline = vec![crate::model::crossplane::PipelineStep {
            step: "run".into(),
            function_ref: crate::model::crossplane::FunctionReference { name: "f".into() },
            ..Default::default()
        }];
        co
    }

    #[test]
    fn generation_moves_on_spec_edits_only() {
        let mut s = ApiServer::default();
        s.create_cronoperation(co("a")).unwrap();
        s.edit_cronoperation("a", |c| SpecEdit::Paused(true).apply_to_cronoperation(c)).unwrap();
        assert_eq!(s.generations["a"], 1);
        assert_eq!(
            s.changes.back(),
            Some(&Change::CronOperation { name: "a".into(), trigger: Trigger::MetadataChanged })
        );
        s.edit_cronoperation("a", |c| SpecEdit::Schedule("*/5 * * * *".into()).apply_to_cronoperation(c))
            .unwrap();
        assert_eq!(s.generations["a"], 2);
        let bad = s.edit_cronoperation("a", |c| {
            SpecEdit::ConcurrencyPolicy("Never".into()).apply_to_cronoperation(c)
        });
        assert!(bad.unwrap_err().contains("spec.concurrencyPolicy: Unsupported value"));
    }

    #[test]
    fn uids_depend_on_the_name_alone() {
        let mut one = ApiServer::default();
        let a1 = one.create_cronoperation(co("a")).unwrap().metadata.uid;
        let mut two = ApiServer::default();
        two.create_cronoperation(co("b")).unwrap();
        let a2 = two.create_cronoperation(co("a")).unwrap().metadata.uid;
        assert_eq!(a1, a2);
        two.delete_cronoperation("a", true).unwrap();
        let again = two.create_cronoperation(co("a")).unwrap().metadata.uid;
        assert_ne!(again, a2, "a re-created object gets a new uid");
    }

    #[test]
    fn creation_timestamps_are_whole_seconds_of_the_api_clock() {
        let mut s = ApiServer { now: Time::from_unix(100).add(999), ..ApiServer::default() };
        let mut op = Operation::default();
        op.metadata.name = "a-60".into();
        op.metadata.labels.insert(LABEL_CRONOPERATION_NAME.into(), "a".into());
        let stored = s.create_operation(op.clone()).unwrap();
        assert_eq!(stored.metadata.creation_timestamp, Some(Time::from_unix(100)));
        assert_eq!(s.create_operation(op), Err(ApiError::AlreadyExists));
        assert!(matches!(
            &s.log[0],
            Entry::OperationCreated { scheduled_time: Some(t), cronoperation, .. } if *t == Time::from_unix(60) && cronoperation == "a"
        ));
    }
}
