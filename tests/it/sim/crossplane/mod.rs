//! CronOperations and Operations in the simulator.

mod format;
mod operations;
mod reference_traces;
mod retry_loops;
mod scenarios;
