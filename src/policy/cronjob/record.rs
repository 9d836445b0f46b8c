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
    /// Build Normal Events (else count them in `unbuilt`).
    detail: bool,
    pub unbuilt: u32,
}

impl Recorder {
    /// A recorder for events on `cronjob` (`CronJob/<namespace>/<name>`).
    pub(super) fn new(cronjob: &CronJob, detail: bool) -> Recorder {
        Recorder {
            namespace: cronjob.metadata.namespace.clone(),
            name: cronjob.metadata.name.clone(),
            detail,
            ..Recorder::default()
        }
    }

    fn object(&mut self) -> SmolStr {
        let (ns, name) = (&self.namespace, &self.name);
        self.object.get_or_insert_with(|| remembered_object(ns, name)).clone()
    }

    /// Records a Normal event, its message built only when kept.
    pub(super) fn normal<M: Into<SmolStr>>(&mut self, reason: &'static str, message: impl FnOnce() -> M) {
        if !self.detail {
            self.unbuilt += 1;
            return;
        }
        let object = self.object();
        self.events.push(Event::normal(object, SmolStr::new_static(reason), message()));
    }

    /// Records a Warning event.
    pub(super) fn warning(&mut self, reason: &'static str, message: impl Into<SmolStr>) {
        let object = self.object();
        self.events.push(Event::warning(object, SmolStr::new_static(reason), message));
    }
}

/// `CronJob/<namespace>/<name>`, the last one remembered per thread: a
/// CronJob's syncs follow one another (a partition holds one CronJob), and
/// the text is too long to be kept inline, so building it anew cost an
/// allocation at every sync that records an event.
fn remembered_object(namespace: &SmolStr, name: &SmolStr) -> SmolStr {
    type Last = Option<(SmolStr, SmolStr, SmolStr)>;
    thread_local! {
        static LAST: std::cell::RefCell<Last> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((ns, n, object)) = last.as_ref()
            && ns == namespace
            && n == name
        {
            return object.clone();
        }
        let object = concat_smol(&["CronJob/", namespace, "/", name]);
        *last = Some((namespace.clone(), name.clone(), object.clone()));
        object
    })
}

/// The `object` of the events recorded on a CronJob.
pub fn event_object(cronjob: &CronJob) -> String {
    concat(&["CronJob/", &cronjob.metadata.namespace, "/", &cronjob.metadata.name])
}
