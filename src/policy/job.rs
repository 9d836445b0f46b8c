//! The Job controller (`pkg/controller/job`) as pure functions. STUB: being
//! written.
