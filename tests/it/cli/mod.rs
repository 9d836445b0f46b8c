//! The `cronwarp` binary as a user runs it.

mod compare;
mod explain;
mod manifests;
mod render;
mod run;
mod schedule;
mod sweep;
