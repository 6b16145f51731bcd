//! The hosts a client sends to, and what it remembers of each: a host that
//! failed is skipped until its state expires; a host that timed out goes to
//! the back and gets a longer timeout next time (as the official clients do).
//! The state is shared by every clone of a client.

use super::platform::Instant;
use super::spans::HostParts;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

#[derive(Debug, Clone)]
struct HostState {
    url: String,
    /// Its URL's parts for spans and metrics, read once.
    parts: Arc<HostParts>,
    down: bool,
    timeouts: u32,
    updated: Instant,
}

/// What a client remembers of one host (see [`Transport::host_status`](super::Transport::host_status)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HostStatus {
    /// The host's base URL.
    pub url: String,
    /// Whether the host is skipped for now.
    pub down: bool,
    /// How many times in a row it timed out (its timeout is multiplied by this plus one).
    pub timeouts: u32,
}

/// One host of a plan: where to send and how patient to be.
#[derive(Debug, Clone)]
pub(crate) struct PlannedHost {
    pub index: usize,
    pub url: String,
    pub parts: Arc<HostParts>,
    pub timeouts: u32,
}

/// How a try on a host ended, for its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostOutcome {
    Up,
    Down,
    TimedOut,
}

#[derive(Debug, Clone)]
pub(crate) struct HostPool {
    hosts: Arc<Mutex<Vec<HostState>>>,
    ttl: Duration,
}

impl HostPool {
    pub fn new(urls: Vec<String>, ttl: Duration) -> Self {
        let now = Instant::now();
        let hosts = urls
            .into_iter()
            .map(|url| HostState {
                parts: Arc::new(HostParts::of(&url)),
                url,
                down: false,
                timeouts: 0,
                updated: now,
            })
            .collect();
        HostPool {
            hosts: Arc::new(Mutex::new(hosts)),
            ttl,
        }
    }

    /// The hosts to try, in order: those up, the ones that never timed out
    /// first; when every host is down, all of them (rather than none).
    pub fn plan(&self) -> Vec<PlannedHost> {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        for host in hosts.iter_mut() {
            if now.duration_since(host.updated) > self.ttl {
                host.down = false;
                host.timeouts = 0;
                host.updated = now;
            }
        }
        let mut plan: Vec<PlannedHost> = hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.down)
            .map(|(index, h)| PlannedHost {
                index,
                url: h.url.clone(),
                parts: Arc::clone(&h.parts),
                timeouts: h.timeouts,
            })
            .collect();
        if plan.is_empty() {
            for host in hosts.iter_mut() {
                host.down = false;
                host.updated = now;
            }
            plan = hosts
                .iter()
                .enumerate()
                .map(|(index, h)| PlannedHost {
                    index,
                    url: h.url.clone(),
                    parts: Arc::clone(&h.parts),
                    timeouts: h.timeouts,
                })
                .collect();
        }
        plan.sort_by_key(|h| h.timeouts > 0);
        plan
    }

    pub fn record(&self, index: usize, outcome: HostOutcome) {
        let mut hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(host) = hosts.get_mut(index) else {
            return;
        };
        host.updated = Instant::now();
        match outcome {
            HostOutcome::Up => {
                host.down = false;
                host.timeouts = 0;
            }
            HostOutcome::Down => host.down = true,
            HostOutcome::TimedOut => host.timeouts = host.timeouts.saturating_add(1),
        }
    }

    pub fn status(&self) -> Vec<HostStatus> {
        let hosts = self.hosts.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        hosts
            .iter()
            .map(|h| {
                let expired = now.duration_since(h.updated) > self.ttl;
                HostStatus {
                    url: h.url.clone(),
                    down: h.down && !expired,
                    timeouts: if expired { 0 } else { h.timeouts },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(plan: &[PlannedHost]) -> Vec<&str> {
        plan.iter().map(|h| h.url.as_str()).collect()
    }

    #[test]
    fn down_hosts_are_skipped_and_timed_out_ones_go_last() {
        let pool = HostPool::new(
            vec!["a".into(), "b".into(), "c".into()],
            Duration::from_secs(300),
        );
        assert_eq!(urls(&pool.plan()), ["a", "b", "c"]);
        pool.record(0, HostOutcome::TimedOut);
        pool.record(1, HostOutcome::Down);
        let plan = pool.plan();
        assert_eq!(urls(&plan), ["c", "a"]);
        assert_eq!(plan[1].timeouts, 1);
        pool.record(0, HostOutcome::Up);
        assert_eq!(urls(&pool.plan()), ["a", "c"]);
    }

    #[test]
    fn when_every_host_is_down_all_are_tried_again() {
        let pool = HostPool::new(vec!["a".into(), "b".into()], Duration::from_secs(300));
        pool.record(0, HostOutcome::Down);
        pool.record(1, HostOutcome::Down);
        assert_eq!(urls(&pool.plan()), ["a", "b"]);
    }

    #[test]
    fn state_expires_after_the_ttl() {
        let pool = HostPool::new(vec!["a".into(), "b".into()], Duration::from_millis(30));
        pool.record(0, HostOutcome::Down);
        assert_eq!(urls(&pool.plan()), ["b"]);
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(urls(&pool.plan()), ["a", "b"]);
    }
}
