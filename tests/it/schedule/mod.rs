//! `cronwarp::schedule`: parsing, `Next`, DST and the anomaly analysis.

mod analysis_windows;
mod cron_crate_crosscheck;
mod dst;
mod parse;
