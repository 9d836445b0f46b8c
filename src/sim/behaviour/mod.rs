//! How a workload's pods behave: start latency, run duration, exit codes,
//! failures. Declared per workload in the scenario under `behaviour:`
//! (format and examples: docs/scenario-reference.md#pod-behaviour-behaviour).
//!
//! Determinism: [`Behaviour::attempt`] is a pure function of the run's
//! generator key and stream (see [`crate::sim::rng`]), the run index and
//! the attempt index. Each drawn quantity reads its own region of the run's
//! keystream, so adding `failureProbability` does not change durations,
//! and asking for attempts in any order, or twice, gives the same answers.

mod faults;
mod script;
mod timing;

pub use faults::{
    DEFAULT_TOLERATION, Disruption, DisruptionReason, NODE_MONITOR_GRACE_PERIOD, NodeLoss, Pending,
};
pub use script::{Exit, Outcome};
pub use timing::{Distribution, Slow, Timing, Z99};

use crate::model::{Millis, SECOND, Time};
use crate::sim::duration::DurationSpec;
use crate::sim::rng::{slot, unit_f64};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// A workload's behaviour model, as the scenario declares it under
/// `behaviour:`. Every field is optional; the defaults describe a pod that
/// starts instantly, runs 1 s and succeeds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Behaviour {
    /// From pod creation to container start, drawn per attempt (default 0).
    pub start_latency: Timing,
    /// From container start to exit, drawn per attempt (default `1s`).
    pub duration: Timing,
    /// Chance that an unscripted attempt fails, drawn per attempt
    /// (default 0).
    pub failure_probability: Probability,
    /// Exit code of random failures and of scripted `fail` (default 1).
    /// Must not be 0, which means success.
    #[serde(deserialize_with = "failure_exit_code")]
    #[cfg_attr(feature = "schema", schemars(extend("not" = { "const": 0 })))]
    pub exit_code: i32,
    /// Scripted outcomes by attempt (0-based) for every run; attempts past
    /// the end follow the random model (`failureProbability`).
    pub script: Vec<Outcome>,
    /// Scripts for particular runs (0-based run index: run 0 is the
    /// workload's first Job), replacing `script` for those runs.
    pub runs: BTreeMap<u64, Vec<Outcome>>,
    /// The container a failure's exit code belongs to (a regular or an
    /// init container of the Job's pod template); default the template's
    /// first container. A script's `{exit: 42, container: x}` overrides it.
    #[serde(default)]
    pub container: Option<smol_str::SmolStr>,
    /// How long after a container's exit the kubelet reports the pod's
    /// terminal phase (default 0; about 1 s on a real node: its PLEG
    /// relist).
    pub status_report_delay: DurationSpec,
    /// Pods disrupted (evicted, preempted, tainted out, ended by the
    /// kubelet), each with the `DisruptionTarget` condition.
    pub disruptions: Vec<Disruption>,
    /// Pods held `Pending` before they start (an image pull).
    pub pending: Vec<Pending>,
    /// The node the pods run on is lost.
    pub node_loss: Vec<NodeLoss>,
}

impl Default for Behaviour {
    fn default() -> Behaviour {
        Behaviour {
            start_latency: Timing::fixed(DurationSpec::ZERO),
            duration: Timing::fixed(DurationSpec::from_millis_clamped(SECOND)),
            failure_probability: Probability::default(),
            exit_code: 1,
            script: Vec::new(),
            runs: BTreeMap::new(),
            container: None,
            status_report_delay: DurationSpec::ZERO,
            disruptions: Vec::new(),
            pending: Vec::new(),
            node_loss: Vec::new(),
        }
    }
}

/// One container run of one pod attempt, drawn from a [`Behaviour`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// From pod creation to container start.
    pub start_latency: Millis,
    /// From container start to exit.
    pub duration: Millis,
    /// 0 = success.
    pub exit_code: i32,
}

/// Where in a run's keystream each quantity is drawn (see
/// [`crate::sim::rng::slot`]). Changing these changes every draw: treat
/// them as part of the seed format.
mod slots {
    /// Run-level: is this run slow to start?
    pub(super) const SLOW_START: u64 = 0;
    /// Run-level: is this run slow to finish?
    pub(super) const SLOW_DURATION: u64 = 1;
    /// Attempt-level slots begin here, [`PER_ATTEMPT`] per attempt.
    pub(super) const FIRST_ATTEMPT: u64 = 16;
    /// Slots reserved per attempt.
    pub(super) const PER_ATTEMPT: u64 = 4;
    /// Offsets within an attempt's slots.
    pub(super) const START: u64 = 0;
    /// See [`START`].
    pub(super) const DURATION: u64 = 1;
    /// See [`START`].
    pub(super) const FAILURE: u64 = 2;
    /// Redraws of a resumed run's duration (see
    /// [`super::Behaviour::resumed_attempt`]): far above any attempt's slots.
    pub(super) const RESUME_REDRAWS: u64 = 1 << 40;
    /// Pod faults: per attempt, [`PER_FAULT_ATTEMPT`] slots from here, the
    /// `pending` rules' draws first, then the `disruptions`'.
    pub(super) const FAULTS: u64 = 1 << 41;
    /// See [`FAULTS`].
    pub(super) const PER_FAULT_ATTEMPT: u64 = 2 * super::faults::MAX_RULES as u64;
}

/// The faults one pod attempt meets, drawn from the behaviour's
/// `pending` and `disruptions` rules (the instants of `at` rules and node
/// losses are the kubelet's to schedule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodFaults {
    /// When the container can start at the earliest, if a `pending` rule
    /// held the pod; None when none did.
    pub held_until: Option<Time>,
    /// A `probability` disruption: how long after the container starts,
    /// and its reason.
    pub disruption: Option<(Millis, DisruptionReason)>,
}

/// How many times a resumed run's duration is redrawn looking for one
/// longer than the time already elapsed, before the run is taken to be
/// overdue and to end at once.
const RESUME_TRIES: u64 = 64;

impl Behaviour {
    /// Draws attempt number `attempt` (0-based: pod attempts under
    /// `restartPolicy: Never`, container restarts under `OnFailure`) of run
    /// number `run` (0-based: the n-th Job of this workload). Scripted
    /// sequences index by `run`/`attempt`; random parts draw from `rng`,
    /// which the caller takes from [`super::rng::run_stream`] for this run.
    ///
    /// Only `rng`'s key and stream are used, not its position, and `rng`
    /// is left unchanged: the result depends on (seed, entity, run,
    /// attempt) alone.
    pub fn attempt(&self, rng: &mut ChaCha8Rng, run: u64, attempt: u32) -> Attempt {
        let scripted = self.runs.get(&run).unwrap_or(&self.script).get(attempt as usize);
        let base = slots::FIRST_ATTEMPT + slots::PER_ATTEMPT * u64::from(attempt);
        let rng: &ChaCha8Rng = rng;
        let draw = |timing: &Timing, offset: u64, slow: u64| {
            timing.sample(run, || slot(rng, base + offset), || slot(rng, slow))
        };
        let start_latency = match scripted.and_then(|o| o.start_latency) {
            Some(d) => d.millis(),
            None => draw(&self.start_latency, slots::START, slots::SLOW_START),
        };
        let duration = match scripted.and_then(|o| o.duration) {
            Some(d) => d.millis(),
            None => draw(&self.duration, slots::DURATION, slots::SLOW_DURATION),
        };
        let exit_code = match scripted {
            Some(o) => o.exit_code(self.exit_code),
            None if self.failure_probability.hit(|| slot(rng, base + slots::FAILURE)) => self.exit_code,
            None => 0,
        };
        Attempt { start_latency, duration, exit_code }
    }

    /// Whether every attempt of run `run` from number `from` on lasts at
    /// least `floor`: none of them is scripted, and the duration cannot
    /// be drawn shorter. (An Operation whose attempts all hit the 2-minute
    /// timeout retries for ever, the same way each time.)
    pub fn attempts_last_at_least(&self, run: u64, from: u32, floor: Millis) -> bool {
        let scripted = self.runs.get(&run).unwrap_or(&self.script);
        scripted.len() <= from as usize && self.duration.never_below(run, floor)
    }

    /// Whether every attempt of every run lasts at least `floor` (nothing
    /// scripted, no shorter draw).
    pub fn always_lasts_at_least(&self, floor: Millis) -> bool {
        self.script.is_empty() && self.runs.is_empty() && self.duration.always_at_least(floor)
    }

    /// The first attempt of run `run` when its container had already run
    /// `elapsed` before the simulation began (a running Job from a cluster
    /// dump, its `status.startTime` in the past): the container is up (no
    /// start latency), and its remaining time is the duration drawn
    /// *given* that it exceeds `elapsed`, less `elapsed`. Drawn by
    /// rejection: the first of [`attempt`](Behaviour::attempt)'s draw and up
    /// to 63 redraws (each from its own keystream region, with the run's
    /// slow factor) that is longer than `elapsed`; when none is, the run is
    /// overdue by the model's own measure and ends at once. A scripted
    /// duration is a total: what remains of it.
    pub fn resumed_attempt(&self, rng: &mut ChaCha8Rng, run: u64, elapsed: Millis) -> Attempt {
        let mut a = self.attempt(rng, run, 0);
        a.start_latency = 0;
        if elapsed <= 0 {
            return a;
        }
        let scripted = self.runs.get(&run).unwrap_or(&self.script).first().and_then(|o| o.duration);
        if scripted.is_some() {
            a.duration = a.duration.saturating_sub(elapsed).max(0);
            return a;
        }
        let rng: &ChaCha8Rng = rng;
        let mut total = a.duration;
        for k in 1..RESUME_TRIES {
            if total > elapsed {
                break;
            }
            let region = slots::RESUME_REDRAWS + k;
            total = self.duration.sample(run, || slot(rng, region), || slot(rng, slots::SLOW_DURATION));
        }
        a.duration = total.saturating_sub(elapsed).max(0);
        a
    }

    /// The faults pod attempt `attempt` of run `run`, created at `created`
    /// with its container due to start at `start`, meets: the `pending`
    /// rules in order (each can push the start later), and the first
    /// `probability` disruption that hits. Pure in (seed, entity, run,
    /// attempt), like [`Behaviour::attempt`].
    pub fn pod_faults(&self, rng: &ChaCha8Rng, attempt: u32, created: Time, start: Time) -> PodFaults {
        let base = slots::FAULTS + slots::PER_FAULT_ATTEMPT * u64::from(attempt);
        let mut at = start;
        for (i, p) in self.pending.iter().enumerate() {
            at = p.hold(created, at, |prob| prob.hit(|| slot(rng, base + i as u64)));
        }
        let rules = faults::MAX_RULES as u64;
        let disruption = self.disruptions.iter().enumerate().find_map(|(i, d)| {
            let p = d.probability?;
            p.hit(|| slot(rng, base + rules + i as u64))
                .then(|| (d.after.map_or(0, DurationSpec::millis), d.reason))
        });
        PodFaults { held_until: (at > start).then_some(at), disruption }
    }

    /// The container that exits with attempt `attempt`'s code in run
    /// `run`: the script's `container`, else the behaviour's; None for the
    /// template's first container.
    pub fn failing_container(&self, run: u64, attempt: u32) -> Option<&str> {
        let scripted = self.runs.get(&run).unwrap_or(&self.script).get(attempt as usize);
        scripted.and_then(|o| o.container.as_deref()).or(self.container.as_deref())
    }

    /// Checks what the types cannot: distribution bounds, slow factors,
    /// a non-zero `exitCode` and the fault rules' shapes. Errors name the
    /// offending field.
    pub fn validate(&self) -> Result<(), String> {
        self.start_latency.validate().map_err(|e| format!("startLatency: {e}"))?;
        self.duration.validate().map_err(|e| format!("duration: {e}"))?;
        check_failure_exit_code(self.exit_code).map(drop).map_err(|e| format!("exitCode: {e}"))?;
        self.check_faults().map_err(|(field, e)| format!("{field}: {e}"))
    }

    /// [`Behaviour::validate`]'s checks of the fault rules, as
    /// `(field, message)` with the field relative to `behaviour`, so the
    /// scenario can point at it.
    pub fn check_faults(&self) -> Result<(), (String, String)> {
        faults::check(&self.disruptions, &self.pending, &self.node_loss)
    }

    /// The fault rules' instants that lie outside the horizon `[start,
    /// end]`, as `(field, message)` relative to `behaviour`.
    pub fn check_horizon(&self, start: Time, end: Time) -> Result<(), (String, String)> {
        faults::check_horizon(&self.disruptions, &self.pending, &self.node_loss, start, end)
    }
}

fn check_failure_exit_code(code: i32) -> Result<i32, String> {
    match code {
        0 => Err("failures need a non-zero exit code (0 means success)".into()),
        _ => Ok(code),
    }
}

fn failure_exit_code<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    check_failure_exit_code(i32::deserialize(d)?).map_err(serde::de::Error::custom)
}

/// A probability in [0, 1]; anything else is rejected when deserializing.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Probability(f64);

impl Probability {
    /// Certainty.
    pub const ONE: Probability = Probability(1.0);

    /// Checks `p` is in [0, 1] (NaN is not).
    pub fn new(p: f64) -> Result<Probability, String> {
        if (0.0..=1.0).contains(&p) {
            Ok(Probability(p))
        } else {
            Err(format!("probability must be between 0 and 1, got {p}"))
        }
    }

    /// The value.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// One Bernoulli draw from the generator `rng` makes: true with this
    /// probability. 0 and 1 are certain and draw nothing.
    pub fn hit(self, rng: impl FnOnce() -> ChaCha8Rng) -> bool {
        self.0 >= 1.0 || (self.0 > 0.0 && unit_f64(&mut rng()) < self.0)
    }
}

impl<'de> Deserialize<'de> for Probability {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Probability, D::Error> {
        Probability::new(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Probability {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Probability".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "number", "minimum": 0, "maximum": 1 })
    }
}
