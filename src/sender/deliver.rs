//! Delivering one batch. Each try goes through the client's host failover;
//! a failure the client's retry policy calls retryable (a timeout, a
//! connection error or a 5xx on every host, or a 429) is tried again after
//! a growing, jittered wait, or the wait a 429 asked for if that is longer,
//! a bounded number of times.
//! A batch the API rejects as invalid is split in halves until each rejected
//! event is alone, so that every other event of it is still delivered.

use super::batch::Batch;
use super::state::Shared;
use crate::error::Error;
use crate::metrics;
use crate::operations::PushEvents;
use crate::runtime::request::HttpRequest;
use crate::runtime::retry::Action;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant, SystemTime};

enum Outcome {
    Delivered,
    Failed(Error),
    /// A shutdown's deadline passed; `sent` when a request with the events
    /// went out and the API may have recorded them.
    Cancelled {
        sent: bool,
    },
}

/// Delivers `batch`, settling each of its events: delivered, failed (to
/// the failure handler) or, at a shutdown's deadline, abandoned.
pub(crate) async fn deliver(shared: &Shared, batch: Batch) {
    let mut parts = vec![batch];
    while let Some(part) = parts.pop() {
        match send(shared, &part).await {
            Outcome::Delivered => {
                shared.delivered(&part);
                shared.recycle(part);
            }
            Outcome::Failed(error) => match part.split() {
                Some((first, second)) if rejects_events(&error) => {
                    tracing::debug!(
                        events = part.len(),
                        error = %error,
                        "batch rejected: sending its halves to isolate the invalid events"
                    );
                    parts.push(second);
                    parts.push(first);
                }
                _ => shared.failed(&part, error),
            },
            Outcome::Cancelled { sent } => {
                shared.abandoned(part.events(), sent);
                for rest in parts.drain(..) {
                    shared.abandoned(rest.events(), false);
                }
                return;
            }
        }
    }
}

/// Whether the API refused the batch for what is in it, so that a smaller
/// batch without the offending events would pass: an invalid event (422),
/// a body it cannot read (400) or one too large (413). Other client errors
/// (a wrong key, a missing permission) would fail every part alike.
pub(crate) fn rejects_events(error: &Error) -> bool {
    matches!(error, Error::Api(api) if matches!(api.status, 400 | 413 | 422))
}

/// Whether the API took the events though the answer could not be read.
fn accepted(error: &Error) -> bool {
    matches!(
        error,
        Error::Decode {
            status: 200..=299,
            ..
        } | Error::ResponseTooLarge {
            status: 200..=299,
            ..
        }
    )
}

/// Sends one batch, with the sender's retries on top of the client's failover.
async fn send(shared: &Shared, batch: &Batch) -> Outcome {
    let transport = shared.client.transport();
    let mut retries = 0;
    let mut sent = false;
    loop {
        if shared.cancel.is_cancelled() {
            return Outcome::Cancelled { sent };
        }
        // The generated `pushEvents` operation's request, with the body
        // assembled from events serialized once by `send`.
        let mut request = HttpRequest::new(PushEvents::METHOD, PushEvents::PATH.to_string())
            .operation(PushEvents::OPERATION_ID, PushEvents::PATH);
        request.body = Some(batch.body());
        request.events = Some(batch.len());
        sent = true;
        shared.counters.requests.fetch_add(1, SeqCst);
        let tried = transport.execute(request, shared.config.options.clone());
        let Some(result) = shared.cancel.or_cancelled(tried).await else {
            return Outcome::Cancelled { sent };
        };
        let error = match result {
            Ok(_) => return Outcome::Delivered,
            Err(error) if accepted(&error) => {
                tracing::warn!(error = %error, "the API accepted a batch but its answer is unreadable");
                return Outcome::Delivered;
            }
            Err(error) => error,
        };
        let asked = match error.retry_action(SystemTime::now()) {
            Action::RetryLater(wait) => wait,
            Action::NextHost => None,
            Action::Succeed | Action::Fail => return Outcome::Failed(error),
        };
        if retries >= shared.config.max_retries {
            return Outcome::Failed(error);
        }
        retries += 1;
        if let Some(reason) = error.retry_reason() {
            metrics::retried(reason);
        }
        shared.retried(batch.len());
        let backoff = jittered(shared.config.backoff_cap(retries));
        let wait = asked.map_or(backoff, |asked| asked.max(backoff));
        tracing::debug!(
            events = batch.len(),
            retry = retries,
            wait_ms = wait.as_millis() as u64,
            error = %error,
            "batch failed: retrying"
        );
        if shared
            .cancel
            .or_cancelled(tokio::time::sleep(wait))
            .await
            .is_none()
        {
            return Outcome::Cancelled { sent };
        }
    }
}

/// Between half of `cap` and all of it, at random ("equal jitter").
fn jittered(cap: Duration) -> Duration {
    let random = RandomState::new().hash_one(Instant::now());
    let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
    let half = cap / 2;
    half + half.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_between_half_and_all_of_the_wait() {
        let cap = Duration::from_millis(1000);
        let waits: Vec<Duration> = (0..200).map(|_| jittered(cap)).collect();
        assert!(waits.iter().all(|w| *w >= cap / 2 && *w <= cap));
        let distinct: std::collections::BTreeSet<_> = waits.iter().collect();
        assert!(distinct.len() > 100, "the waits are spread, not constant");
        assert_eq!(jittered(Duration::ZERO), Duration::ZERO);
    }
}
