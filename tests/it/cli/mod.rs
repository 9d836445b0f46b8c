//! The `cronwarp` binary as a user runs it.

mod compare;
mod conventions;
mod explain;
mod render;
mod run;
mod schedule;
mod sweep;
