//! kube-controller-manager's own capacity: each controller's workers and
//! its client's token bucket, and how long an API request takes.
//!
//! Upstream runs every controller of kube-controller-manager with a fixed
//! number of workers pulling keys from its work queue
//! (`--concurrent-cron-job-syncs`, `--concurrent-job-syncs`,
//! `--concurrent-ttl-after-finished-syncs`, 5 each:
//! `pkg/controller/cronjob/config/v1alpha1/defaults.go`,
//! `pkg/controller/job/config/v1alpha1/defaults.go`,
//! `pkg/controller/ttlafterfinished/config/v1alpha1/defaults.go`), and
//! each controller gets a clientset of its own
//! (`ControllerClientBuilder.ClientOrDie("cronjob-controller")`), whose
//! requests all pass one client-side token bucket
//! (`flowcontrol.NewTokenBucketRateLimiter(qps, burst)`, built in client-go
//! `rest.RESTClientForConfigAndClient`) with `--kube-api-qps` 20 and
//! `--kube-api-burst` 30 (`SetDefaults_KubeControllerManagerConfiguration`
//! in `pkg/controller/apis/config/v1alpha1/defaults.go`). Informers list
//! and watch through a shared client of their own, so a sync's reads from
//! listers cost nothing; its writes (create, update, delete, patch) and the
//! Events its recorder sends do.
//!
//! How a sync is timed (docs/fidelity/kubernetes-cronjob.md#cj-30):
//! - a key waits in its queue until one of the controller's workers is
//!   free (first in, first out);
//! - the worker then waits for a token (`rate.Limiter.Wait`) and the
//!   request's latency; the sync's writes take effect at that instant;
//! - each further request of the sync takes another token and another
//!   latency before the worker is free again; Events take a token without
//!   holding the worker (the broadcaster sends them from its own
//!   goroutine).
//!
//! Nothing here binds while requests stay under the burst and the
//! latency is zero: the ideal controller's timeline is unchanged.
//!
//! The Crossplane pod's controllers have workers of their own and, on
//! Crossplane 2.0, a global reconcile limiter, but no client-side bucket
//! that binds ([`super::crossplane_capacity`]).

use crate::model::{Millis, Time};
use crate::sim::duration::DurationSpec;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::collections::VecDeque;

/// `controller.capacity`: kube-controller-manager's workers, client rate
/// limits and request latency, upstream's defaults unless set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Capacity {
    /// `--kube-api-qps`: each controller's client may send this many
    /// requests a second on average (default 20). `0` is client-go's own
    /// default, 5; a negative value turns the client-side limit off.
    pub kube_api_qps: f64,
    /// `--kube-api-burst`: requests a controller's client may send at once
    /// (default 30). `0` is client-go's own default, 10.
    pub kube_api_burst: u32,
    /// `--concurrent-cron-job-syncs`: the CronJob controller's workers
    /// (default 5).
    pub concurrent_cron_job_syncs: u32,
    /// `--concurrent-job-syncs`: the Job controller's workers (default 5).
    pub concurrent_job_syncs: u32,
    /// `--concurrent-ttl-after-finished-syncs`: the TTL-after-finished
    /// controller's workers (default 5).
    pub concurrent_ttl_after_finished_syncs: u32,
    /// How long one API request takes, round trip (default `0s`).
    pub api_latency: DurationSpec,
    /// `true`: the ideal controller, with unlimited workers and no
    /// client-side limit (what cronwarp simulated before it modelled
    /// capacity); the Crossplane pod's limits are off too.
    pub unlimited: bool,
    /// The Crossplane pod's workers and global reconcile limiter.
    pub crossplane: super::crossplane_capacity::CrossplaneCapacity,
}

impl Default for Capacity {
    fn default() -> Self {
        Capacity {
            kube_api_qps: 20.0,
            kube_api_burst: 30,
            concurrent_cron_job_syncs: 5,
            concurrent_job_syncs: 5,
            concurrent_ttl_after_finished_syncs: 5,
            api_latency: DurationSpec::ZERO,
            unlimited: false,
            crossplane: Default::default(),
        }
    }
}

/// client-go's `DefaultQPS` and `DefaultBurst` (`rest/config.go`): what a
/// zero in the configuration becomes.
const CLIENT_GO_DEFAULT_QPS: f64 = 5.0;
const CLIENT_GO_DEFAULT_BURST: u32 = 10;

impl Capacity {
    /// Why the settings cannot be simulated, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if !self.kube_api_qps.is_finite() || self.kube_api_qps > 1e6 {
            return Err(format!(
                "controller.capacity.kubeApiQps: {} is not a rate cronwarp can simulate; give requests per \
                 second up to 1000000 (a negative value turns the client-side limit off)",
                self.kube_api_qps
            ));
        }
        for (name, n) in [
            ("concurrentCronJobSyncs", self.concurrent_cron_job_syncs),
            ("concurrentJobSyncs", self.concurrent_job_syncs),
            ("concurrentTtlAfterFinishedSyncs", self.concurrent_ttl_after_finished_syncs),
        ] {
            if n == 0 {
                return Err(format!(
                    "controller.capacity.{name}: 0 workers would never sync anything; give at least 1 \
                     (upstream's default is 5)"
                ));
            }
        }
        self.crossplane.check()
    }

    /// Whether any limit can bind: a finite rate or a latency.
    pub fn limited(&self) -> bool {
        !self.unlimited
    }

    /// A fresh token bucket for one controller's client, or `None` when the
    /// client has no limit.
    pub fn bucket(&self, start: Time) -> Option<TokenBucket> {
        let qps = if self.kube_api_qps == 0.0 { CLIENT_GO_DEFAULT_QPS } else { self.kube_api_qps };
        if self.unlimited || qps < 0.0 {
            return None;
        }
        let burst = if self.kube_api_burst == 0 { CLIENT_GO_DEFAULT_BURST } else { self.kube_api_burst };
        Some(TokenBucket::new(qps, burst, start))
    }

    /// The workers of a controller.
    pub fn workers(&self, client: Client) -> u32 {
        match client {
            Client::CronJob => self.concurrent_cron_job_syncs,
            Client::Job => self.concurrent_job_syncs,
            Client::TtlAfterFinished => self.concurrent_ttl_after_finished_syncs,
            Client::CronOperation | Client::Operation => self.crossplane.workers(),
        }
    }
}

/// The kube-controller-manager controllers whose capacity is modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `cronjob-controller`.
    CronJob,
    /// `job-controller`.
    Job,
    /// `ttl-after-finished-controller`.
    TtlAfterFinished,
    /// Crossplane's `cronoperation` controller.
    CronOperation,
    /// Crossplane's `operation` controller.
    Operation,
}

impl Client {
    /// The controller's name in the event log.
    pub fn controller(self) -> super::log::Controller {
        use super::log::Controller;
        match self {
            Client::CronJob => Controller::Cronjob,
            Client::Job => Controller::Job,
            Client::TtlAfterFinished => Controller::Ttl,
            Client::CronOperation => Controller::Cronoperation,
            Client::Operation => Controller::Operation,
        }
    }

    /// One of the Crossplane pod's controllers.
    pub fn crossplane(self) -> bool {
        matches!(self, Client::CronOperation | Client::Operation)
    }
}

/// One millionth of a token: integer arithmetic keeps every run exact.
const MICRO: i64 = 1_000_000;

/// A token bucket as `golang.org/x/time/rate.Limiter` keeps it for
/// client-go's `tokenBucketRateLimiter`: full at the start, refilled at
/// `qps` up to `burst`, and a reservation may take it below zero, which
/// the caller then waits out (`Wait` is `Reserve` plus a sleep).
#[derive(Debug, Clone)]
pub struct TokenBucket {
    /// Micro-tokens added per millisecond (= qps × 1000).
    per_ms: i64,
    cap: i64,
    tokens: i64,
    last: Time,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(qps: f64, burst: u32, start: Time) -> TokenBucket {
        let per_ms = ((qps * 1000.0).round() as i64).max(1);
        let cap = i64::from(burst) * MICRO;
        TokenBucket { per_ms, cap, tokens: cap, last: start }
    }

    fn advance(&mut self, now: Time) {
        if now > self.last {
            let refill = now.since(self.last).saturating_mul(self.per_ms);
            self.tokens = self.tokens.saturating_add(refill).min(self.cap);
            self.last = now;
        }
    }

    /// Takes a token at `now`; returns when the request may go (now, or
    /// later if the bucket was empty).
    pub fn reserve(&mut self, now: Time) -> Time {
        self.advance(now);
        self.tokens -= MICRO;
        if self.tokens >= 0 {
            now
        } else {
            // Round up: a request never goes before its token is there.
            now.add((-self.tokens + self.per_ms - 1) / self.per_ms)
        }
    }

    /// Whether a request at `now` would wait for its token.
    pub fn would_wait(&self, now: Time) -> bool {
        let refill = if now > self.last { now.since(self.last).saturating_mul(self.per_ms) } else { 0 };
        self.tokens.saturating_add(refill).min(self.cap) < MICRO
    }

    /// Gives back a token a reservation took (`Reservation.Cancel`).
    pub fn cancel(&mut self) {
        self.tokens = (self.tokens + MICRO).min(self.cap);
    }
}

/// One controller's workers at run time.
#[derive(Debug, Clone)]
pub struct Workers {
    /// How many there are.
    pub count: u32,
    /// How many are syncing (or waiting for a token) now.
    pub busy: u32,
    /// Keys ready and waiting for a worker, with the instant each became
    /// ready.
    pub ready: VecDeque<(SmolStr, Time)>,
    /// Keys a worker holds past the instant it picked them (client-go's
    /// `processing` set: the same key is never synced twice at once).
    pub processing: Vec<SmolStr>,
    /// The controller's client.
    pub bucket: Option<TokenBucket>,
    /// Its request latency.
    pub latency: Millis,
    /// Which controller.
    pub client: Client,
}

impl Workers {
    /// The workers of `client`, idle, with a full bucket.
    pub fn new(capacity: &Capacity, client: Client, start: Time) -> Workers {
        Workers {
            count: capacity.workers(client),
            busy: 0,
            ready: VecDeque::new(),
            processing: Vec::new(),
            // The Crossplane pod's client has no bucket that binds
            // (docs/fidelity/crossplane.md#xp-b8).
            bucket: if client.crossplane() { None } else { capacity.bucket(start) },
            latency: capacity.api_latency.millis(),
            client,
        }
    }

    /// Whether a worker holds `key`.
    pub fn holds(&self, key: &str) -> bool {
        self.processing.iter().any(|k| k == key)
    }

    /// A worker lets go of `key`.
    pub fn release(&mut self, key: &str) {
        if let Some(i) = self.processing.iter().position(|k| k == key) {
            self.processing.swap_remove(i);
        }
    }

    /// Whether a request at `now` would wait for its token.
    pub fn would_wait(&self, now: Time) -> bool {
        self.bucket.as_ref().is_some_and(|b| b.would_wait(now))
    }

    /// When a sync picked at `now` makes its first request: after a token
    /// and the latency.
    pub fn first_request(&mut self, now: Time) -> Time {
        let grant = self.bucket.as_mut().map_or(now, |b| b.reserve(now));
        grant.add(self.latency)
    }

    /// After a sync that ran at `now` and made `requests` requests and
    /// recorded `events` Events: gives back the first token if it made
    /// none, takes the rest, and returns when the worker is free.
    /// `reserved`: the first request's token was taken at the pick.
    pub fn settle(&mut self, now: Time, requests: u64, events: u64, reserved: bool) -> Time {
        let mut free = now;
        match self.bucket.as_mut() {
            Some(b) => {
                if requests == 0 && reserved {
                    b.cancel();
                }
                if requests > 0 && !reserved {
                    free = b.reserve(now).max(free).add(self.latency);
                }
                for _ in 1..requests {
                    free = b.reserve(now).max(free).add(self.latency);
                }
                for _ in 0..events {
                    b.reserve(now);
                }
            }
            None => free = free.add(self.latency.saturating_mul(requests.saturating_sub(1) as i64)),
        }
        free
    }

    /// A restart: the process's workers and client are new.
    pub fn reset(&mut self, capacity: &Capacity, now: Time) {
        *self = Workers::new(capacity, self.client, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> Time {
        Time(ms)
    }

    #[test]
    fn a_full_bucket_grants_the_burst_then_one_token_per_interval() {
        let mut b = TokenBucket::new(20.0, 30, t(0));
        let grants: Vec<i64> = (0..40).map(|_| b.reserve(t(0)).0).collect();
        assert!(grants[..30].iter().all(|&g| g == 0));
        let rest: Vec<i64> = grants[30..].to_vec();
        assert_eq!(rest, vec![50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
    }

    #[test]
    fn the_bucket_refills_up_to_the_burst_only() {
        let mut b = TokenBucket::new(20.0, 30, t(0));
        for _ in 0..30 {
            b.reserve(t(0));
        }
        // An hour later the bucket holds 30, not 72,000.
        for _ in 0..30 {
            assert_eq!(b.reserve(t(3_600_000)), t(3_600_000));
        }
        assert_eq!(b.reserve(t(3_600_000)), t(3_600_050));
    }

    #[test]
    fn a_cancelled_reservation_gives_its_token_back() {
        let mut b = TokenBucket::new(1.0, 1, t(0));
        assert_eq!(b.reserve(t(0)), t(0));
        b.cancel();
        assert_eq!(b.reserve(t(0)), t(0));
        assert_eq!(b.reserve(t(0)), t(1000));
    }

    #[test]
    fn zero_rates_are_client_go_defaults_and_negative_turns_the_limit_off() {
        let c = Capacity { kube_api_qps: 0.0, kube_api_burst: 0, ..Capacity::default() };
        let mut b = c.bucket(t(0)).unwrap();
        for _ in 0..10 {
            assert_eq!(b.reserve(t(0)), t(0));
        }
        assert_eq!(b.reserve(t(0)), t(200));
        let off = Capacity { kube_api_qps: -1.0, ..Capacity::default() };
        assert!(off.bucket(t(0)).is_none());
    }

    #[test]
    fn a_sync_holds_its_worker_for_each_further_request() {
        let c = Capacity { api_latency: DurationSpec::from_millis(10).unwrap(), ..Capacity::default() };
        let mut w = Workers::new(&c, Client::Job, t(0));
        let run = w.first_request(t(0));
        assert_eq!(run, t(10));
        assert_eq!(w.settle(run, 3, 1, true), t(30));
    }
}
