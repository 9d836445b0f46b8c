//! `cronwarp::policy`: the controllers' decisions, one sync at a time,
//! including the ports of upstream's test tables.

mod argo;
mod cronjob;
mod crossplane;
mod job;
mod ttl;
