//! How a workload's pods behave: start latency, run duration, exit codes,
//! failures. Declared per workload in the scenario. STUB: being written.

use crate::model::Millis;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

/// A workload's behaviour model, as the scenario declares it under
/// `behaviour:` (see the README's scenario format).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Behaviour {}

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

impl Behaviour {
    /// Draws attempt number `attempt` (0-based: pod attempts under
    /// `restartPolicy: Never`, container restarts under `OnFailure`) of run
    /// number `run` (0-based: the n-th Job of this workload). Scripted
    /// sequences index by `run`/`attempt`; random parts draw from `rng`,
    /// which the caller takes from [`super::rng::stream`] for this run.
    pub fn attempt(&self, rng: &mut ChaCha8Rng, run: u64, attempt: u32) -> Attempt {
        let _ = (rng, run, attempt);
        todo!("sim::behaviour::Behaviour::attempt")
    }
}
