//! The event recorder and deletion log one sync writes to.

use super::Deletion;
use crate::model::CronJob;
use crate::policy::api::Event;
use crate::schedule::text::{concat, concat_smol};
use smol_str::SmolStr;

/// Events (in emission order) and deletions of one sync, all on one
/// CronJob.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    namespace: SmolStr,
    name: SmolStr,
    /// `CronJob/<namespace>/<name>`, built at the first event: most syncs
    /// record none.
    object: Option<SmolStr>,
    pub events: Vec<Event>,
    pub deletions: Vec<Deletion>,
}

impl Recorder {
    /// A recorder for events on `cronjob` (`CronJob/<namespace>/<name>`).
    pub(super) fn new(cronjob: &CronJob) -> Recorder {
        Recorder {
            namespace: cronjob.metadata.namespace.clone(),
            name: cronjob.metadata.name.clone(),
            ..Recorder::default()
        }
    }

    fn object(&mut self) -> SmolStr {
        let (ns, name) = (&self.namespace, &self.name);
        self.object.get_or_insert_with(|| concat_smol(&["CronJob/", ns, "/", name])).clone()
    }

    /// Records a Normal event.
    pub(super) fn normal(&mut self, reason: &'static str, message: impl Into<SmolStr>) {
        let object = self.object();
        self.events.push(Event::normal(object, SmolStr::new_static(reason), message));
    }

    /// Records a Warning event.
    pub(super) fn warning(&mut self, reason: &'static str, message: impl Into<SmolStr>) {
        let object = self.object();
        self.events.push(Event::warning(object, SmolStr::new_static(reason), message));
    }
}

/// The `object` of the events recorded on a CronJob.
pub fn event_object(cronjob: &CronJob) -> String {
    concat(&["CronJob/", &cronjob.metadata.namespace, "/", &cronjob.metadata.name])
}
