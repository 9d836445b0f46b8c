//! `cronwarp::report`: accounting, rendering and comparison of runs.

mod accounting;
mod compare_snapshots;
mod crossplane;
mod crossplane_output;
mod expectations;
mod fleet_load;
mod html;
mod html_in_browser;
mod png;
mod pr_markdown;
mod reasons;
mod scenario_snapshots;
mod svg;
mod tick_at_horizon_start;
mod warnings;
