//! The `cronwarp` binary as a user runs it.

mod bad_input;
mod ci_recipe;
mod compare;
mod conventions;
mod explain;
mod lint;
mod manifests;
mod render;
mod run;
mod schedule;
mod sweep;
mod test;
