//! Faults of the API server as the controllers meet them: requests refused
//! by kind and verb (`controller.apiFaults`), and windows in which the API
//! server does not answer at all (`controller.apiServerDown`).
//!
//! Only the controllers' requests fail: the kubelet's status reports and
//! the scenario's own edits go through (docs/fidelity/kubernetes-cronjob.md#cj-31).
//! Each refused request is logged as a `Fault` record (`apiRequestFailed`)
//! and answered with the error a real API server sends, worded as client-go
//! prints it; the controllers react as upstream does (an Event, a
//! rate-limited requeue).

use super::ApiServer;
use crate::model::Time;
use crate::policy::ApiError;
use crate::sim::rng;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// One rule of `controller.apiFaults`: which requests fail, how, when, and
/// how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApiFault {
    /// The request's verb: `create`, `update`, `delete` or `*`.
    pub verb: Verb,
    /// The resource: `jobs`, `jobs/status`, `pods`, `cronjobs/status` or
    /// `*`.
    pub resource: Resource,
    /// Only requests in this namespace (default: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// What the API server answers.
    pub error: FaultError,
    /// From this instant (default: the horizon start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Time>,
    /// Until this instant, exclusive (default: the horizon end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Time>,
    /// The chance that a matching request fails (default 1).
    #[serde(default = "certain")]
    pub probability: f64,
}

fn certain() -> f64 {
    1.0
}

/// A request verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Verb {
    /// POST: create.
    #[serde(rename = "create")]
    Create,
    /// PUT: update (of an object or its status).
    #[serde(rename = "update")]
    Update,
    /// DELETE.
    #[serde(rename = "delete")]
    Delete,
    /// Any verb.
    #[serde(rename = "*")]
    Any,
}

/// A resource the controllers write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Resource {
    /// Jobs (the CronJob controller creates and deletes them).
    #[serde(rename = "jobs")]
    Jobs,
    /// A Job's status (the Job controller writes it).
    #[serde(rename = "jobs/status")]
    JobStatus,
    /// Pods (the Job controller creates, patches and deletes them).
    #[serde(rename = "pods")]
    Pods,
    /// A CronJob's status (the CronJob controller writes it).
    #[serde(rename = "cronjobs/status")]
    CronJobStatus,
    /// Any of them.
    #[serde(rename = "*")]
    Any,
}

impl Resource {
    fn path(self) -> &'static str {
        match self {
            Resource::Jobs | Resource::JobStatus | Resource::Any => "jobs.batch",
            Resource::Pods => "pods",
            Resource::CronJobStatus => "cronjobs.batch",
        }
    }
}

/// What a refused request gets back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub enum FaultError {
    /// 403: a ResourceQuota is used up.
    QuotaExceeded,
    /// 403 with cause `NamespaceTerminating`: the namespace is being deleted.
    NamespaceTerminating,
    /// 400: a validating admission webhook denied the request.
    WebhookDenied,
    /// 500: the API server failed.
    InternalError,
    /// 504: no answer in the API server's request timeout.
    Timeout,
    /// 429: API Priority and Fairness rejected the request (client-go's
    /// retries, up to 10 after `Retry-After`, all failed too).
    TooManyRequests,
    /// 409: a resourceVersion conflict.
    Conflict,
    /// No answer: the connection is refused.
    Unavailable,
}

impl FaultError {
    /// The error the client sees, worded as client-go prints it.
    fn answer(self, verb: Verb, resource: Resource, namespace: &str, name: &str) -> ApiError {
        let verb_word = match verb {
            Verb::Create => "post",
            Verb::Update | Verb::Any => "put",
            Verb::Delete => "delete",
        };
        let res = resource.path();
        match self {
            FaultError::NamespaceTerminating => ApiError::NamespaceTerminating,
            FaultError::Conflict => ApiError::Conflict,
            FaultError::QuotaExceeded => ApiError::Other(format!(
                "{res} \"{name}\" is forbidden: exceeded quota: {namespace}-quota, requested: count/{res}=1, \
                 used: count/{res}=10, limited: count/{res}=10"
            )),
            FaultError::WebhookDenied => ApiError::Other(format!(
                "admission webhook \"policy.example.com\" denied the request: {res} \"{name}\" is not allowed"
            )),
            FaultError::InternalError => {
                ApiError::Other("Internal error occurred: etcdserver: request timed out".into())
            }
            FaultError::Timeout => ApiError::Other(format!(
                "the server was unable to return a response in the time allotted, but may still be \
                 processing the request ({verb_word} {res})"
            )),
            FaultError::TooManyRequests => ApiError::Other(format!(
                "the server has received too many requests and has asked us to try again later \
                 ({verb_word} {res})"
            )),
            FaultError::Unavailable => ApiError::Other(format!(
                "{} \"https://10.96.0.1:443/{}\": dial tcp 10.96.0.1:443: connect: connection refused",
                match verb {
                    Verb::Create => "Post",
                    Verb::Delete => "Delete",
                    Verb::Update | Verb::Any => "Put",
                },
                if resource == Resource::Pods {
                    format!("api/v1/namespaces/{namespace}/pods")
                } else {
                    format!("apis/batch/v1/namespaces/{namespace}/{}", res.trim_end_matches(".batch"))
                }
            )),
        }
    }

    /// Every fault, in the order the scenario reference lists them.
    pub const ALL: [FaultError; 8] = [
        FaultError::QuotaExceeded,
        FaultError::NamespaceTerminating,
        FaultError::WebhookDenied,
        FaultError::InternalError,
        FaultError::Timeout,
        FaultError::TooManyRequests,
        FaultError::Conflict,
        FaultError::Unavailable,
    ];

    /// The fault a log record names.
    pub fn from_name(name: &str) -> Option<FaultError> {
        FaultError::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the fault is, in a few words for the report.
    pub fn plain(self) -> &'static str {
        match self {
            FaultError::QuotaExceeded => "a ResourceQuota was used up (403 exceeded quota)",
            FaultError::NamespaceTerminating => "the namespace was being deleted (403 NamespaceTerminating)",
            FaultError::WebhookDenied => "an admission webhook denied it",
            FaultError::InternalError => "the API server failed (500)",
            FaultError::Timeout => "the API server timed out (504)",
            FaultError::TooManyRequests => "API Priority and Fairness throttled it (429)",
            FaultError::Conflict => "a resourceVersion conflict (409)",
            FaultError::Unavailable => "the API server did not answer",
        }
    }

    /// The name the log and the report use.
    pub fn name(self) -> &'static str {
        match self {
            FaultError::QuotaExceeded => "quotaExceeded",
            FaultError::NamespaceTerminating => "namespaceTerminating",
            FaultError::WebhookDenied => "webhookDenied",
            FaultError::InternalError => "internalError",
            FaultError::Timeout => "timeout",
            FaultError::TooManyRequests => "tooManyRequests",
            FaultError::Conflict => "conflict",
            FaultError::Unavailable => "unavailable",
        }
    }
}

impl ApiFault {
    /// Why the rule cannot be simulated within `(start, end)`, if it cannot.
    pub fn check(&self, start: Time, end: Time) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(format!(
                "probability: {} is not a chance; give a number from 0 to 1",
                self.probability
            ));
        }
        let (from, until) = (self.from.unwrap_or(start), self.until.unwrap_or(end));
        if until <= start || from >= end {
            return Err(format!(
                "the window from {from} to {until} lies outside the horizon [{start}, {end}): no \
                 request could fail; move it into the horizon"
            ));
        }
        if until <= from {
            return Err("the window ends before it starts: `until` must be after `from`".into());
        }
        Ok(())
    }

    fn matches(&self, verb: Verb, resource: Resource, namespace: &str, now: Time) -> bool {
        (self.verb == Verb::Any || self.verb == verb)
            && (self.resource == Resource::Any || self.resource == resource)
            && self.namespace.as_deref().is_none_or(|n| n == namespace)
            && self.from.is_none_or(|f| now >= f)
            && self.until.is_none_or(|u| now < u)
    }
}

/// The API server's fault state: the rules, the outage windows and the
/// draws made so far.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// `controller.apiFaults`.
    pub rules: Vec<ApiFault>,
    /// `controller.apiServerDown`, as `[start, end)` windows.
    pub down: Vec<(Time, Time)>,
    /// The scenario's seed, for the probabilities.
    pub seed: u64,
    /// Requests each rule has drawn for, by rule and object.
    drawn: rustc_hash::FxHashMap<(usize, SmolStr), u64>,
}

impl Faults {
    /// The rules and outage windows of a scenario run at `seed`.
    pub fn new(rules: Vec<ApiFault>, down: Vec<(Time, Time)>, seed: u64) -> Faults {
        Faults { rules, down, seed, drawn: Default::default() }
    }

    /// Whether any request can fail.
    pub fn any(&self) -> bool {
        !self.rules.is_empty() || !self.down.is_empty()
    }

    /// Whether the API server is down at `now`.
    pub fn down_at(&self, now: Time) -> bool {
        self.down_until(now).is_some()
    }

    /// When the outage `now` falls in ends, if it falls in one.
    pub fn down_until(&self, now: Time) -> Option<Time> {
        self.down.iter().filter(|&&(s, e)| now >= s && now < e).map(|&(_, e)| e).max()
    }
}

impl ApiServer {
    /// One request of a controller's client: counted, and refused when a
    /// fault says so (the API server is down, or a rule matches and its
    /// draw fails). Requests from the scenario and the kubelet pass.
    pub(super) fn request(
        &mut self,
        verb: Verb,
        resource: Resource,
        namespace: &str,
        name: &str,
    ) -> Result<(), ApiError> {
        self.requests += 1;
        if self.seeding || !self.from_controller || !self.faults.any() {
            return Ok(());
        }
        let now = self.now;
        let error = if self.faults.down_at(now) {
            Some(FaultError::Unavailable)
        } else {
            let object = super::key(namespace, name);
            let mut hit = None;
            for (i, rule) in self.faults.rules.iter().enumerate() {
                if !rule.matches(verb, resource, namespace, now) {
                    continue;
                }
                let n = self.faults.drawn.entry((i, object.clone())).or_insert(0);
                let mut draw = rng::stream(self.faults.seed, &format!("apiFaults[{i}]/{object}"), *n);
                *n += 1;
                if rule.probability >= 1.0 || rng::unit_f64(&mut draw) < rule.probability {
                    hit = Some(rule.error);
                    break;
                }
            }
            hit
        };
        let Some(error) = error else { return Ok(()) };
        let answer = error.answer(verb, resource, namespace, name);
        self.log.push(crate::sim::log::Entry::Fault(crate::sim::log::Fault::ApiRequestFailed {
            verb,
            resource,
            object: super::key(namespace, name),
            error: error.name().into(),
            message: answer.to_string(),
        }));
        Err(answer)
    }
}
