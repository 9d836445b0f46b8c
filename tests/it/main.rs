//! cronwarp's integration tests, as one test binary (`cargo test --test it`).
//!
//! The modules mirror `src/`: `schedule`, `model`, `policy`, `sim`,
//! `report`, `sweep` and `cli`, each testing the public API of its namesake
//! (`cli` runs the real binary), plus `docs` (every citation resolves inside the
//! repository) and `fuzz_replay` (the fuzz corpus through `cronwarp::fuzz`). Helpers shared between modules live in `support`.
//! Two tests stay binaries of their own: `robfig_parity` (it builds and
//! drives the Go oracle) and `schedule_alloc_free` (it installs a counting
//! global allocator).

// A test binary has no public surface: `pub` in `support` means "shared
// between test modules".
#![allow(unreachable_pub)]

mod cli;
mod docs;
mod facade;
mod fuzz_replay;
mod gate;
mod model;
mod policy;
mod report;
mod schedule;
mod schemas;
mod sim;
mod support;
mod sweep;
mod variants;
