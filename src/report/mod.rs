//! Reports built from a simulation's event log.

pub mod svg;
