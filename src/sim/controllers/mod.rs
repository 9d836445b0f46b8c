//! The kube-controller-manager actors: each wraps a pure policy in
//! upstream's informer handlers and work-queue handling, as `impl` blocks
//! on [`Engine`](super::engine::Engine).

mod cronjob;
mod job;
mod ttl;
