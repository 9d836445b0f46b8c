//! The `cronwarp` binary as a user runs it.

mod ci_recipe;
mod compare;
mod conventions;
mod explain;
mod lint;
mod manifests;
mod render;
mod run;
mod schedule;
mod shards;
mod stagger;
mod sweep;
mod test;
