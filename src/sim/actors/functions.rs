//! The function runtime as the Operation controller sees it, driven by the
//! workload's [`Behaviour`]: one drawn [`Behaviour::attempt`] per Operation
//! attempt. Its `duration` is the whole pipeline's function time (spent in
//! the first step's `RunFunction`; later steps take no time) and a failed
//! draw is that call returning an error. `startLatency` and `exitCode` have
//! no meaning for Operations and are ignored.

use crate::model::crossplane::{Operation, RequiredResourceSelector, RequiredSchemaSelector};
use crate::policy::crossplane::{FunctionCall, FunctionResponse, FunctionRunner};
use crate::sim::behaviour::Behaviour;
use rand_chacha::ChaCha8Rng;

/// One attempt's function runtime.
pub struct SimFunctions<'a> {
    behaviour: &'a Behaviour,
    /// The run's stream (`sim::rng::run_stream(seed, cronoperation, tick, run)`).
    rng: ChaCha8Rng,
    run: u64,
    /// 0-based attempt index within the run.
    attempt: u32,
    calls: u32,
}

impl<'a> SimFunctions<'a> {
    /// The runtime for attempt `attempt` of run `run`.
    pub fn new(behaviour: &'a Behaviour, rng: ChaCha8Rng, run: u64, attempt: u32) -> Self {
        SimFunctions { behaviour, rng, run, attempt, calls: 0 }
    }
}

/// The text of a drawn failure (cronwarp's wording: the real text is
/// whatever the function's gRPC error says).
pub fn failure_text(exit_code: i32) -> String {
    format!("rpc error: code = Unknown desc = function failed (simulated, exit code {exit_code})")
}

impl FunctionRunner for SimFunctions<'_> {
    fn check_capabilities(&mut self, _functions: &[String]) -> Result<(), String> {
        Ok(())
    }

    fn fetch_required_resources(&mut self, _selector: &RequiredResourceSelector) -> Result<(), String> {
        Ok(())
    }

    fn fetch_required_schema(&mut self, _selector: &RequiredSchemaSelector) -> Result<(), String> {
        Ok(())
    }

    fn run_function(&mut self, _op: &Operation, _step: &str, _function: &str) -> FunctionCall {
        self.calls += 1;
        if self.calls > 1 {
            return FunctionCall { took: 0, response: Ok(FunctionResponse::default()) };
        }
        let a = self.behaviour.attempt(&mut self.rng, self.run, self.attempt);
        let response =
            if a.exit_code == 0 { Ok(FunctionResponse::default()) } else { Err(failure_text(a.exit_code)) };
        FunctionCall { took: a.duration, response }
    }
}
