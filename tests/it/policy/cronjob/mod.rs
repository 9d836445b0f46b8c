//! The CronJob controller (`policy::cronjob`).

mod hung_schedule;
mod quirks;
mod sync;
mod template;
mod upstream_sync;
mod upstream_utils;
mod working;
