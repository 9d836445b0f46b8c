//! Shared fakes for the Crossplane policy tests: an in-memory API server,
//! a scripted function runtime, object builders, and a small event loop
//! that replays the CronOperation reconciler under virtual time the way
//! docs/fidelity/crossplane.md#xp-18 describes (timers, child watch events, a
//! wake-up latency, controller/API-server clock skew, downtime and the
//! 1 s → 60 s rate limiter; the Operation controller is reduced to
//! "Running after the latency, Succeeded after the run time").

use cronwarp::model::crossplane::{
    CronOperation, LABEL_CRONOPERATION_NAME, Operation, PipelineStep, RequiredResourceSelector,
    RequiredSchemaSelector, XpCondition, set_conditions,
};
use cronwarp::model::{Millis, Time};
use cronwarp::policy::ApiError;
use cronwarp::policy::crossplane::{
    CronContext, CronDecision, CrossplaneApi, CrossplaneSettings, FunctionCall, FunctionResponse,
    FunctionRunner, Requeue, reconcile_cronoperation, retry_backoff,
};
use cronwarp::schedule::Zone;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// A CronOperation with a one-step template.
pub fn cronop(name: &str, schedule: &str, created: Time) -> CronOperation {
    let mut co = CronOperation::default();
    co.metadata.name = name.into();
    co.metadata.uid = format!("uid-{name}").into();
    co.metadata.creation_timestamp = Some(created);
    co.spec.schedule = schedule.into();
    co.spec.operation_template.spec.pipeline =
        vec![PipelineStep { step: "main".into(), function_ref: fref("function-noop"), ..Default::default() }];
    co
}

fn fref(name: &str) -> cronwarp::model::crossplane::FunctionReference {
    cronwarp::model::crossplane::FunctionReference { name: name.into() }
}

/// A child Operation of `cronop` with `Succeeded` in the given state
/// (`None`: no status yet; `Some("Unknown")`: running).
pub fn child(cronop: &str, name: &str, created: Time, succeeded: Option<&str>, at: Time) -> Operation {
    let mut op = Operation::default();
    op.metadata.name = name.into();
    op.metadata.creation_timestamp = Some(created);
    op.metadata.labels.insert(LABEL_CRONOPERATION_NAME.into(), cronop.into());
    let cond = match succeeded {
        None => None,
        Some("True") => Some(XpCondition::complete(at)),
        Some("False") => Some(XpCondition::failed("failure limit of 5 reached", at)),
        Some(_) => Some(XpCondition::running(at)),
    };
    set_conditions(&mut op.status.conditions, cond);
    op
}

/// An in-memory API server.
#[derive(Debug, Default)]
pub struct Fake {
    /// The API server's clock: creation timestamps are this, truncated.
    pub api_now: Time,
    pub ops: BTreeMap<smol_str::SmolStr, Operation>,
    /// The last CronOperation status written.
    pub written: Option<CronOperation>,
    pub fail_list: Option<ApiError>,
    pub fail_create: Option<ApiError>,
    pub fail_delete: BTreeMap<String, ApiError>,
    pub fail_status: Option<ApiError>,
    pub fail_apply: Option<ApiError>,
    pub secrets: BTreeSet<(String, String)>,
    /// Calls in order (`create x`, `delete x`, `status x`, `apply x`).
    pub calls: Vec<String>,
}

impl Fake {
    pub fn at(api_now: Time) -> Fake {
        Fake { api_now, ..Fake::default() }
    }

    pub fn with(mut self, ops: impl IntoIterator<Item = Operation>) -> Fake {
        for op in ops {
            self.ops.insert(op.metadata.name.clone(), op);
        }
        self
    }
}

impl CrossplaneApi for Fake {
    fn list_operations(&mut self, cronoperation: &str) -> Result<Vec<std::sync::Arc<Operation>>, ApiError> {
        if let Some(e) = self.fail_list.clone() {
            return Err(e);
        }
        let mine = |o: &&Operation| {
            o.metadata.labels.get(LABEL_CRONOPERATION_NAME).is_some_and(|v| v == cronoperation)
        };
        Ok(self.ops.values().filter(mine).cloned().map(std::sync::Arc::new).collect())
    }

    fn create_operation(&mut self, mut op: Operation) -> Result<Operation, ApiError> {
        self.calls.push(format!("create {}", op.metadata.name));
        if let Some(e) = self.fail_create.clone() {
            return Err(e);
        }
        if self.ops.contains_key(&op.metadata.name) {
            return Err(ApiError::AlreadyExists);
        }
        op.metadata.creation_timestamp = Some(self.api_now.trunc_seconds());
        op.metadata.uid = format!("uid-{}", op.metadata.name).into();
        self.ops.insert(op.metadata.name.clone(), op.clone());
        Ok(op)
    }

    fn delete_operation(&mut self, name: &str) -> Result<(), ApiError> {
        self.calls.push(format!("delete {name}"));
        if let Some(e) = self.fail_delete.get(name) {
            return Err(e.clone());
        }
        self.ops.remove(name).map(|_| ()).ok_or(ApiError::NotFound)
    }

    fn update_cronoperation_status(&mut self, co: &CronOperation) -> Result<(), ApiError> {
        self.calls.push(format!("status {}", co.metadata.name));
        if let Some(e) = self.fail_status.clone() {
            return Err(e);
        }
        self.written = Some(co.clone());
        Ok(())
    }

    fn update_operation_status(&mut self, op: &Operation) -> Result<(), ApiError> {
        self.calls.push(format!("status {}", op.metadata.name));
        if let Some(e) = self.fail_status.clone() {
            return Err(e);
        }
        self.ops.insert(op.metadata.name.clone(), op.clone());
        Ok(())
    }

    fn get_secret(&mut self, namespace: &str, name: &str) -> Result<(), ApiError> {
        let found = self.secrets.contains(&(namespace.to_string(), name.to_string()));
        if found { Ok(()) } else { Err(ApiError::NotFound) }
    }

    fn apply_resource(
        &mut self,
        _op: &Operation,
        name: &str,
        _r: &serde_json::Value,
    ) -> Result<(), ApiError> {
        self.calls.push(format!("apply {name}"));
        self.fail_apply.clone().map_or(Ok(()), Err)
    }
}

/// A scripted function runtime: each `RunFunction` pops the next scripted
/// call (a quick success once the script is empty).
#[derive(Debug, Default)]
pub struct Functions {
    pub capabilities: Option<String>,
    pub script: VecDeque<FunctionCall>,
    pub fetch_error: Option<String>,
    /// Steps called, in order.
    pub called: Vec<String>,
}

impl Functions {
    pub fn scripted(calls: impl IntoIterator<Item = FunctionCall>) -> Functions {
        Functions { script: calls.into_iter().collect(), ..Functions::default() }
    }
}

/// A `RunFunction` that succeeds after `took` ms with `rsp`.
pub fn ok_call(took: Millis, rsp: FunctionResponse) -> FunctionCall {
    FunctionCall { took, response: Ok(rsp) }
}

/// A `RunFunction` that fails after `took` ms.
pub fn err_call(took: Millis, e: &str) -> FunctionCall {
    FunctionCall { took, response: Err(e.into()) }
}

impl FunctionRunner for Functions {
    fn check_capabilities(&mut self, _functions: &[String]) -> Result<(), String> {
        self.capabilities.clone().map_or(Ok(()), Err)
    }
    fn fetch_required_resources(&mut self, _s: &RequiredResourceSelector) -> Result<(), String> {
        self.fetch_error.clone().map_or(Ok(()), Err)
    }
    fn fetch_required_schema(&mut self, _s: &RequiredSchemaSelector) -> Result<(), String> {
        self.fetch_error.clone().map_or(Ok(()), Err)
    }
    fn run_function(&mut self, _op: &Operation, step: &str, _function: &str) -> FunctionCall {
        self.called.push(step.into());
        self.script.pop_front().unwrap_or_else(|| ok_call(100, FunctionResponse::default()))
    }
}

/// One replayed CronOperation scenario.
pub struct Scenario {
    pub co: CronOperation,
    pub settings: CrossplaneSettings,
    /// The Crossplane pod's zone.
    pub local: Zone,
    /// Controller clock minus API-server clock.
    pub skew: Millis,
    /// From a timer or watch event to the reconcile (and from a create to
    /// the Operation controller marking it Running).
    pub latency: Millis,
    /// How long each Operation runs once Running.
    pub run: Millis,
    /// Controller downtime `[from, to)` in API-server time.
    pub down: Option<(Time, Time)>,
    pub until: Time,
}

impl Scenario {
    pub fn new(co: CronOperation, until: Time) -> Scenario {
        Scenario {
            co,
            settings: CrossplaneSettings::default(),
            local: Zone::Utc,
            skew: 0,
            latency: 50,
            run: 60_000,
            down: None,
            until,
        }
    }
}

/// One reconcile of a replay.
#[derive(Debug, Clone)]
pub struct Step {
    /// API-server time of the reconcile.
    pub at: Time,
    pub decision: CronDecision,
    pub requeue: Requeue,
}

/// A replay's result: every reconcile and the final API state.
pub struct Replay {
    pub steps: Vec<Step>,
    pub fake: Fake,
    pub co: CronOperation,
}

impl Replay {
    /// `(slot, creationTimestamp)` of every Operation created, in order.
    pub fn created(&self) -> Vec<(Time, Time)> {
        self.steps
            .iter()
            .filter_map(|s| match &s.decision {
                CronDecision::Created { slot, .. } => Some((*slot, s.at.trunc_seconds())),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// The Operation controller marks an Operation Running.
    Start(smol_str::SmolStr),
    /// An Operation succeeds.
    Finish(smol_str::SmolStr),
    /// A watch event or restart wakes the CronOperation reconciler.
    Wake,
}

/// Replays `s` until `s.until`.
pub fn replay(s: Scenario) -> Replay {
    let mut fake = Fake::default();
    let mut co = s.co.clone();
    let created = co.metadata.creation_timestamp.unwrap_or_default();
    let mut queue: BTreeSet<(Time, Ev)> = BTreeSet::from([(created.add(s.latency), Ev::Wake)]);
    if let Some((_, up)) = s.down {
        queue.insert((up.add(s.latency), Ev::Wake));
    }
    let mut timer: Option<Time> = None;
    let mut failures = 0u32;
    let mut steps = Vec::new();
    let is_down = |at: Time| s.down.is_some_and(|(a, b)| at >= a && at < b);
    loop {
        let first = queue.first().map(|(at, _)| *at);
        let (at, ev) = match (first, timer) {
            (Some(q), Some(tm)) if tm < q => (tm, None),
            (None, Some(tm)) => (tm, None),
            (Some(_), _) => queue.pop_first().map(|(a, e)| (a, Some(e))).unwrap(),
            (None, None) => break,
        };
        if at > s.until {
            break;
        }
        let wake = |queue: &mut BTreeSet<(Time, Ev)>| {
            queue.insert((at.add(s.latency), Ev::Wake));
        };
        match ev {
            Some(Ev::Start(name)) => {
                if let Some(op) = fake.ops.get_mut(&name) {
                    set_conditions(&mut op.status.conditions, [XpCondition::running(at)]);
                    queue.insert((at.add(s.run), Ev::Finish(name)));
                    wake(&mut queue);
                }
            }
            Some(Ev::Finish(name)) => {
                if let Some(op) = fake.ops.get_mut(&name) {
                    set_conditions(&mut op.status.conditions, [XpCondition::complete(at)]);
                    wake(&mut queue);
                }
            }
            Some(Ev::Wake) | None => {
                if ev.is_none() {
                    timer = None;
                }
                if is_down(at) {
                    continue;
                }
                fake.api_now = at;
                let ctx = CronContext {
                    now: at.add(s.skew),
                    local: s.local,
                    settings: &s.settings,
                    list_order: None,
                };
                let out = reconcile_cronoperation(&mut fake, &co, ctx);
                if let Some(w) = fake.written.take() {
                    co.status = w.status;
                }
                if let Some(op) = &out.created {
                    queue.insert((at.add(s.latency), Ev::Start(op.metadata.name.clone())));
                    wake(&mut queue);
                }
                if out.deletions.iter().any(|d| d.ok) {
                    wake(&mut queue);
                }
                let delay = match &out.requeue {
                    Requeue::Done => {
                        failures = 0;
                        None
                    }
                    Requeue::After { after } => {
                        failures = 0;
                        Some(*after)
                    }
                    Requeue::RateLimited { .. } => {
                        failures += 1;
                        Some(retry_backoff(failures - 1))
                    }
                };
                if let Some(d) = delay {
                    let fire = at.add(d + s.latency);
                    timer = Some(timer.map_or(fire, |tm| tm.min(fire)));
                }
                steps.push(Step { at, decision: out.decision, requeue: out.requeue });
            }
        }
    }
    Replay { steps, fake, co }
}
