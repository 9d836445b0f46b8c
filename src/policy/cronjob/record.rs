//! The event recorder and deletion log one sync writes to.

use super::Deletion;
use crate::model::CronJob;
use crate::policy::api::Event;

/// Events (in emission order) and deletions of one sync, all on one
/// CronJob.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    object: smol_str::SmolStr,
    pub events: Vec<Event>,
    pub deletions: Vec<Deletion>,
}

impl Recorder {
    /// A recorder for events on `cronjob` (`CronJob/<namespace>/<name>`).
    pub(super) fn new(cronjob: &CronJob) -> Recorder {
        Recorder { object: event_object(cronjob).into(), ..Recorder::default() }
    }

    /// Records a Normal event.
    pub(super) fn normal(&mut self, reason: &str, message: String) {
        self.events.push(Event::normal(self.object.clone(), reason, message));
    }

    /// Records a Warning event.
    pub(super) fn warning(&mut self, reason: &str, message: String) {
        self.events.push(Event::warning(self.object.clone(), reason, message));
    }
}

/// The `object` of the events recorded on a CronJob.
pub fn event_object(cronjob: &CronJob) -> String {
    crate::schedule::text::concat(&["CronJob/", &cronjob.metadata.namespace, "/", &cronjob.metadata.name])
}
