//! CronOperations and Operations in the simulator.

mod capacity;
mod format;
mod operations;
mod reference_traces;
mod retry_loops;
mod scenarios;
