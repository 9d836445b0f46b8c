//! The TTL-after-finished controller (`pkg/controller/ttlafterfinished`) as
//! pure functions. STUB: being written.
