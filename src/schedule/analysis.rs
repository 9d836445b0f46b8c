//! DST analysis (placeholder, filled in below).
use super::*;
pub enum AnomalyKind {}
pub struct Anomaly;
pub enum DayRule {}
pub fn analyze() {}
pub fn day_rule() {}
pub fn simple_next() {}
