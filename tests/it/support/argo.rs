//! A replay of one CronWorkflow under virtual time through
//! `policy::argo::Controller`: a fake API server holding the CronWorkflow
//! and its Workflows (each running a fixed time and then succeeding or
//! failing), the runner's timer, `syncAll` every 10 s, the informer's
//! 20-minute resync, an update event after every patch that changed the
//! object, controller downtime and spec edits.

use cronwarp::model::argo::CronWorkflow;
use cronwarp::model::{Millis, ObjectReference, SECOND, Time};
use cronwarp::policy::argo::{
    ArgoApi, CRON_SYNC_PERIOD_MS, ChildWorkflow, Controller, RESYNC_PERIOD_MS, RunRecord, SubmitError,
    WorkflowPhase,
};
use cronwarp::schedule::Zone;
use smol_str::SmolStr;
use std::collections::BTreeMap;

/// One child Workflow in the fake store.
#[derive(Debug, Clone)]
pub struct FakeWorkflow {
    /// When it finishes on its own.
    pub ends: Time,
    /// Whether it then succeeds.
    pub succeeds: bool,
    /// When Replace terminated it.
    pub terminated: Option<Time>,
}

/// The fake API server.
#[derive(Debug, Clone)]
pub struct FakeArgo {
    /// The stored CronWorkflow.
    pub cw: CronWorkflow,
    /// Its Workflows by name.
    pub wfs: BTreeMap<SmolStr, FakeWorkflow>,
    /// Workflows deleted by history GC, in order.
    pub deleted: Vec<SmolStr>,
    /// Every Workflow ever created: (name, scheduled, created).
    pub history: Vec<(SmolStr, Time, Time)>,
    /// Workflows Replace terminated, in order.
    pub terminated: Vec<SmolStr>,
    now: Time,
    behaviour: fn(usize) -> (Millis, bool),
}

impl FakeArgo {
    fn phase(&self, w: &FakeWorkflow) -> (WorkflowPhase, Option<Time>) {
        match w.terminated {
            Some(at) if at <= self.now => (WorkflowPhase::Failed, Some(at)),
            _ if w.ends <= self.now => {
                (if w.succeeds { WorkflowPhase::Succeeded } else { WorkflowPhase::Failed }, Some(w.ends))
            }
            _ => (WorkflowPhase::Running, None),
        }
    }
}

impl ArgoApi for FakeArgo {
    fn submit(
        &mut self,
        _cw: &CronWorkflow,
        name: &SmolStr,
        scheduled: Time,
    ) -> Result<ObjectReference, SubmitError> {
        if self.wfs.contains_key(name) {
            return Err(SubmitError::AlreadyExists);
        }
        let (d, succeeds) = (self.behaviour)(self.history.len());
        let w = FakeWorkflow { ends: self.now.add(d), succeeds, terminated: None };
        self.wfs.insert(name.clone(), w);
        self.history.push((name.clone(), scheduled, self.now));
        Ok(ObjectReference { name: name.clone(), uid: format!("uid-{name}").into(), ..Default::default() })
    }

    fn terminate(&mut self, name: &SmolStr) {
        let now = self.now;
        if let Some(w) = self.wfs.get_mut(name)
            && w.ends > now
            && w.terminated.is_none()
        {
            w.terminated = Some(now);
            self.terminated.push(name.clone());
        }
    }

    fn delete(&mut self, name: &SmolStr) {
        if self.wfs.remove(name).is_some() {
            self.deleted.push(name.clone());
        }
    }

    fn children(&self, cw: &CronWorkflow) -> Vec<ChildWorkflow> {
        self.wfs
            .iter()
            .map(|(name, w)| {
                let (phase, finished_at) = self.phase(w);
                ChildWorkflow {
                    name: name.clone(),
                    uid: format!("uid-{name}").into(),
                    phase,
                    finished_at,
                    cron_label: Some(cw.metadata.name.clone()),
                }
            })
            .collect()
    }

    fn patch(&mut self, cw: &CronWorkflow) -> bool {
        let changed = self.cw.status != cw.status
            || self.cw.metadata.labels != cw.metadata.labels
            || self.cw.metadata.annotations != cw.metadata.annotations;
        self.cw.status = cw.status.clone();
        self.cw.metadata.labels = cw.metadata.labels.clone();
        self.cw.metadata.annotations = cw.metadata.annotations.clone();
        changed
    }
}

/// A spec edit at an instant.
pub type Edit = (Time, fn(&mut CronWorkflow));

/// What to replay.
pub struct Setup {
    /// The CronWorkflow as applied at `start`.
    pub cw: CronWorkflow,
    /// The controller starts here.
    pub start: Time,
    /// The replay ends here (excluded).
    pub until: Time,
    /// Controller downtime windows, in order.
    pub down: Vec<(Time, Time)>,
    /// Spec edits, in order.
    pub edits: Vec<Edit>,
    /// Run `i`'s duration and whether it succeeds.
    pub behaviour: fn(usize) -> (Millis, bool),
}

impl Setup {
    /// `cw` from `start` to `until`, no faults, runs of one second that succeed.
    pub fn new(cw: CronWorkflow, start: Time, until: Time) -> Setup {
        Setup { cw, start, until, down: Vec::new(), edits: Vec::new(), behaviour: |_| (SECOND, true) }
    }
}

/// The replay's result.
pub struct Replay {
    /// Every `run`, with the instant it ran.
    pub runs: Vec<(Time, RunRecord)>,
    /// The API server at the end.
    pub api: FakeArgo,
}

impl Replay {
    /// The Workflows created, as (scheduled, created) in creation order.
    pub fn created(&self) -> Vec<(Time, Time)> {
        self.api.history.iter().map(|(_, s, c)| (*s, *c)).collect()
    }

    /// The scheduled times of the Workflows created, RFC 3339.
    pub fn scheduled(&self) -> Vec<String> {
        self.created().iter().map(|(s, _)| s.to_string()).collect()
    }
}

/// Replays `s`.
pub fn replay(s: Setup) -> Replay {
    let mut api = FakeArgo {
        cw: s.cw.clone(),
        wfs: BTreeMap::new(),
        deleted: Vec::new(),
        history: Vec::new(),
        terminated: Vec::new(),
        now: s.start,
        behaviour: s.behaviour,
    };
    let mut ctl = Controller::new(Zone::Utc);
    let mut runs = Vec::new();
    let mut edits = s.edits.into_iter().peekable();
    let is_down = |t: Time| s.down.iter().any(|(a, b)| *a <= t && t < *b);
    let mut up = !is_down(s.start);
    let mut now = s.start;
    let mut pending_process = up;
    let mut next_sync = s.start.add(CRON_SYNC_PERIOD_MS);
    let mut next_resync = s.start.add(RESYNC_PERIOD_MS);
    for _ in 0..10_000_000 {
        // An update event (or the initial list) is processed at once.
        let mut guard = 0;
        while pending_process && up && guard < 100 {
            guard += 1;
            api.now = now;
            let cw = api.cw.clone();
            let out = ctl.process(&mut api, &cw, now);
            runs.extend(out.runs.into_iter().map(|r| (now, r)));
            pending_process = out.updated;
        }
        pending_process = false;
        let boundary = s.down.iter().flat_map(|(a, b)| [*a, *b]).filter(|t| *t > now).min();
        let candidates = [
            ctl.due().filter(|_| up),
            Some(next_sync),
            Some(next_resync),
            boundary,
            edits.peek().map(|(t, _)| *t),
        ];
        let Some(t) = candidates.into_iter().flatten().min() else { break };
        if t >= s.until {
            break;
        }
        now = t;
        api.now = now;
        let was_up = up;
        up = !is_down(now);
        if was_up && !up {
            ctl.stop();
        }
        if !was_up && up {
            pending_process = true;
            next_sync = now.add(CRON_SYNC_PERIOD_MS);
            next_resync = now.add(RESYNC_PERIOD_MS);
        }
        while edits.peek().is_some_and(|(at, _)| *at <= now) {
            let (_, edit) = edits.next().expect("peeked");
            edit(&mut api.cw);
            pending_process = true;
        }
        if up && ctl.due() == Some(now) {
            let cw = api.cw.clone();
            let out = ctl.fire(&mut api, &cw, now);
            runs.extend(out.runs.into_iter().map(|r| (now, r)));
            pending_process |= out.updated;
        }
        if now >= next_sync {
            next_sync = now.add(CRON_SYNC_PERIOD_MS);
            if up {
                let cw = api.cw.clone();
                pending_process |= ctl.sync(&mut api, &cw, now).updated;
            }
        }
        if now >= next_resync {
            next_resync = now.add(RESYNC_PERIOD_MS);
            pending_process |= up;
        }
    }
    Replay { runs, api }
}
