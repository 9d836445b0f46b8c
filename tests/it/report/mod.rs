//! `cronwarp::report`: accounting, rendering and comparison of runs.

mod accounting;
mod compare_snapshots;
mod crossplane;
mod crossplane_output;
mod expectations;
mod scenario_snapshots;
mod svg;
