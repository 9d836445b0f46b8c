//! The API server: one store of typed objects (CronJobs, Jobs and Pods;
//! CronOperations and Operations), what the API server assigns on a write
//! (uids, resourceVersions, `creationTimestamp` at whole seconds of its own
//! clock, `metadata.generation`), deletion with propagation, the garbage
//! collector's sweep, and one stream of [`Change`]s for the informers of
//! every process, plus the log records of stored, finished and deleted
//! objects.
//!
//! Deleted objects leave the maps, so memory stays flat however long the
//! horizon. `kube.rs` holds the batch/v1 and v1 kinds, `ops.rs` the
//! `ops.crossplane.io` kinds, `argo.rs` the `argoproj.io` ones;
//! `cronjob_api.rs` the CronJob controller's views of the store.

mod argo;
mod cronjob_api;
mod faults;
mod kube;
mod ops;
mod pod_index;

pub use argo::{StoredWorkflow, phase_name};
pub use cronjob_api::{CronJobApi, DryRunApi};
pub use faults::{ApiFault, FaultError, Faults, Resource, Verb};
pub use ops::owner_of;
pub use pod_index::StoredJobPods;

use super::log::{DeletedBy, Entry};
use crate::model::crossplane::{CronOperation, Operation};
use crate::model::{CronJob, Job, JobSpec, Millis, Pod, Shared, Time};
use crate::policy::crossplane::Trigger;
use rustc_hash::FxHashMap;
use smol_str::SmolStr;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// What changed in the store: the informers' add/update/delete
/// notifications, one type for every kind.
///
/// For the Kubernetes kinds `old`/`new` are `None` for an add/delete; the
/// objects are shared with the store and the informer caches (a write
/// replaces the stored `Arc`, so a notification's copies never change under
/// it). A pod's previous version is summarised ([`PodWas`]) rather than
/// kept: no handler needs more, and without a second reference the store
/// updates the pod in place instead of copying it at every kubelet step.
///
/// The Crossplane kinds carry what controller-runtime's predicates read: the
/// [`Trigger`], and for an Operation its controlling CronOperation (for
/// `Owns(Operation)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A CronJob was added, updated or deleted.
    CronJob {
        /// Its key, `namespace/name`.
        key: SmolStr,
        /// The version before; `None` for an add.
        old: Option<Arc<CronJob>>,
        /// The version after; `None` for a delete.
        new: Option<Arc<CronJob>>,
    },
    /// A Job was added, updated or deleted.
    Job {
        /// Its key, `namespace/name`.
        key: SmolStr,
        /// The version before; `None` for an add.
        old: Option<Arc<Job>>,
        /// The version after; `None` for a delete.
        new: Option<Arc<Job>>,
    },
    /// A pod was added, updated or deleted.
    Pod {
        /// Its key, `namespace/name`.
        key: SmolStr,
        /// The key of the Job that controls it.
        job: SmolStr,
        /// What the version before was; `None` for an add.
        old: Option<PodWas>,
        /// The version after; `None` for a delete.
        new: Option<Arc<Pod>>,
    },
    /// A CronOperation changed.
    CronOperation {
        /// Its name.
        name: SmolStr,
        /// What kind of change it was.
        trigger: Trigger,
    },
    /// An Operation changed.
    Operation {
        /// Its name.
        name: SmolStr,
        /// Its controlling CronOperation's name, if any.
        owner: Option<SmolStr>,
        /// What kind of change it was.
        trigger: Trigger,
    },
    /// An Argo CronWorkflow changed.
    CronWorkflow {
        /// Its key, `namespace/name`.
        key: SmolStr,
        /// What kind of change it was.
        trigger: Trigger,
    },
    /// An Argo Workflow changed.
    Workflow {
        /// Its key, `namespace/name`.
        key: SmolStr,
        /// The key of the CronWorkflow it belongs to, if any.
        owner: Option<SmolStr>,
        /// What kind of change it was.
        trigger: Trigger,
    },
}

/// The kinds of object the store holds, as a bit set: which kinds an
/// informer watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Kinds(u8);

impl Kinds {
    /// No kind.
    pub const NONE: Kinds = Kinds(0);
    /// CronJobs.
    pub const CRONJOB: Kinds = Kinds(1);
    /// Jobs.
    pub const JOB: Kinds = Kinds(2);
    /// Pods.
    pub const POD: Kinds = Kinds(4);
    /// Crossplane CronOperations.
    pub const CRONOPERATION: Kinds = Kinds(8);
    /// Crossplane Operations.
    pub const OPERATION: Kinds = Kinds(16);
    /// Argo CronWorkflows.
    pub const CRONWORKFLOW: Kinds = Kinds(32);
    /// Argo Workflows.
    pub const WORKFLOW: Kinds = Kinds(64);

    /// Both sets.
    pub const fn with(self, other: Kinds) -> Kinds {
        Kinds(self.0 | other.0)
    }

    /// Whether the sets share a kind.
    pub const fn overlaps(self, other: Kinds) -> bool {
        self.0 & other.0 != 0
    }

    /// How many kinds there are.
    pub const COUNT: usize = 7;

    /// Each single kind, by [`Kinds::index`].
    pub const EACH: [Kinds; Kinds::COUNT] = [
        Kinds::CRONJOB,
        Kinds::JOB,
        Kinds::POD,
        Kinds::CRONOPERATION,
        Kinds::OPERATION,
        Kinds::CRONWORKFLOW,
        Kinds::WORKFLOW,
    ];

    /// A single kind's position in [`Kinds::EACH`].
    pub const fn index(self) -> usize {
        self.0.trailing_zeros() as usize
    }
}

impl Change {
    /// The kind of object that changed.
    pub fn kind(&self) -> Kinds {
        match self {
            Change::CronJob { .. } => Kinds::CRONJOB,
            Change::Job { .. } => Kinds::JOB,
            Change::Pod { .. } => Kinds::POD,
            Change::CronOperation { .. } => Kinds::CRONOPERATION,
            Change::Operation { .. } => Kinds::OPERATION,
            Change::CronWorkflow { .. } => Kinds::CRONWORKFLOW,
            Change::Workflow { .. } => Kinds::WORKFLOW,
        }
    }
}

/// What the informer handlers read of a pod's previous version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodWas {
    /// It had a deletionTimestamp.
    pub deleting: bool,
}

impl PodWas {
    fn of(pod: &Pod) -> PodWas {
        PodWas { deleting: pod.metadata.deletion_timestamp.is_some() }
    }
}

/// The store.
#[derive(Debug, Default)]
pub struct ApiServer {
    /// CronJobs by key (`namespace/name`).
    pub cronjobs: FxHashMap<SmolStr, Arc<CronJob>>,
    /// Jobs by key (`namespace/name`).
    pub jobs: FxHashMap<SmolStr, Arc<Job>>,
    /// Pods by key (`namespace/name`).
    pub pods: FxHashMap<SmolStr, Arc<Pod>>,
    /// Pods by the key of the Job that controls them.
    pods_by_job: FxHashMap<SmolStr, pod_index::PodIndex>,
    /// Pods created per Job so far: the sequence `generateName` suffixes
    /// are drawn from (see [`ApiServer::next_pod_seq`]).
    pod_seq: FxHashMap<SmolStr, u64>,
    /// Job templates' specs and their defaulted versions, by the
    /// template's address (see `ApiServer::default_job`).
    defaulted_specs: FxHashMap<usize, (Shared<JobSpec>, Shared<JobSpec>)>,
    /// Crossplane's kinds are cluster-scoped: by name.
    pub cronoperations: BTreeMap<SmolStr, Arc<CronOperation>>,
    /// Operations by name.
    pub operations: BTreeMap<SmolStr, Arc<Operation>>,
    /// Operation names by their `ops.crossplane.io/cronoperation` label:
    /// a CronOperation's list reads its own, not a fleet's.
    operations_by_label: BTreeMap<SmolStr, std::collections::BTreeSet<SmolStr>>,
    /// `metadata.generation` of each CronOperation (the model's
    /// `ObjectMeta` does not carry it).
    pub generations: BTreeMap<SmolStr, i64>,
    /// Argo CronWorkflows by key (`namespace/name`).
    pub cronworkflows: BTreeMap<SmolStr, crate::model::argo::CronWorkflow>,
    /// Argo Workflows by key (`namespace/name`).
    pub workflows: BTreeMap<SmolStr, StoredWorkflow>,
    /// Creations per Crossplane `Kind/name`, so a re-created object gets a
    /// new uid.
    ops_creations: BTreeMap<SmolStr, u64>,
    /// The next uid number of each uid space (a partition's; in an engine
    /// that runs several partitions together, each keeps its own count, so
    /// uids are those the partitions would have given alone).
    next_uids: FxHashMap<u64, u64>,
    next_rv: u64,
    /// resourceVersions of the Crossplane kinds. A counter of its own keeps
    /// every version a log has ever shown; versions are only ever compared
    /// within one object, so two counters are as good as one.
    next_ops_rv: u64,
    /// Which partition of the scenario this store holds (see
    /// [`super::partition`]): the first group of its Kubernetes uids, so
    /// that uids stay unique across partitions. (Crossplane uids hash the
    /// object's name and need no such care.)
    pub uid_space: u64,
    /// How far the controller clock runs ahead of the API server's.
    pub skew: Millis,
    /// The controller clock; the engine sets it before each step.
    pub now: Time,
    /// Requests sent to it so far (writes, no-op ones included: the client
    /// cannot tell), which kube-controller-manager's capacity model times.
    pub requests: u64,
    /// The request being made comes from a controller's client (the only
    /// requests faults refuse).
    pub from_controller: bool,
    /// `controller.apiFaults` and `controller.apiServerDown`.
    pub faults: Faults,
    /// Objects stored now come from the scenario, not from a controller.
    pub seeding: bool,
    /// Who the next Job deletions are attributed to in the log.
    pub deleter: Option<DeletedBy>,
    /// Notifications not yet delivered.
    pub changes: VecDeque<Change>,
    /// Log entries not yet stamped and written.
    pub log: Vec<Entry>,
}

/// `namespace/name`.
pub fn key(namespace: &str, name: &str) -> SmolStr {
    crate::schedule::text::concat_smol(&[namespace, "/", name])
}

/// Calls `f` with `namespace/name` built in a reused per-thread buffer, so
/// a lookup by key neither allocates nor validates or clears a buffer (a
/// call nested in `f` builds its own key).
pub fn with_key<R>(namespace: &str, name: &str, f: impl FnOnce(&str) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUF.with(|b| match b.try_borrow_mut() {
        Ok(mut k) => {
            k.clear();
            k.push_str(namespace);
            k.push('/');
            k.push_str(name);
            f(&k)
        }
        Err(_) => f(&key(namespace, name)),
    })
}

/// `namespace/name` as `map` stores it: a clone of the map's own key
/// (which compares by pointer with every other clone of it) when present,
/// else built anew. A lookup key built from text would cost an allocation
/// and a full compare at each use.
pub fn stored_key<V, S: std::hash::BuildHasher>(
    map: &std::collections::HashMap<SmolStr, V, S>,
    namespace: &str,
    name: &str,
) -> SmolStr {
    with_key(namespace, name, |k| match map.get_key_value(k) {
        Some((k, _)) => k.clone(),
        None => SmolStr::from(k),
    })
}

/// `namespace/name` split at its first `/`. A byte scan, not
/// `split_once`: `CharSearcher` costs about 160 instructions on a short key,
/// and every write to the store splits one.
fn split_key(k: &str) -> (&str, &str) {
    match k.bytes().position(|b| b == b'/') {
        Some(i) => (&k[..i], &k[i + 1..]),
        None => ("", k),
    }
}

impl ApiServer {
    /// An empty store whose clock is `skew` ms behind the controller clock.
    pub fn new(skew: Millis) -> Self {
        ApiServer { skew, next_rv: 1, ..ApiServer::default() }
    }

    /// The API server's clock.
    pub fn api_now(&self) -> Time {
        self.now.add(-self.skew)
    }

    /// The garbage collector's sweep (it runs in kube-controller-manager):
    /// Jobs whose controlling CronJob and Operations whose controlling
    /// CronOperation no longer exist are deleted (Background), the Jobs
    /// first.
    pub fn collect_garbage(&mut self) {
        self.collect_orphaned_jobs();
        self.collect_orphaned_operations();
        self.collect_orphaned_workflows();
    }
}
