//! The `cronwarp` binary as a user runs it.

mod bad_input;
mod ci_recipe;
mod compare;
mod conventions;
mod explain;
mod lint;
mod lint_and_simulation_agree;
mod manifests;
mod render;
mod run;
mod schedule;
mod shards;
mod stagger;
mod sweep;
mod test;
