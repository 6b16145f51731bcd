//! How a [`Sender`](super::Sender) batches, how many batches it keeps in
//! flight, how it retries, and where the events it cannot deliver go.

use super::{Delivered, FailedEvent};
use crate::runtime::RequestOptions;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The most events the API takes in one request (the spec's `maxItems` of `events`).
pub const MAX_BATCH_EVENTS: usize = crate::models::InsightsEvents::EVENTS_MAX_ITEMS;

/// The API's body limit (the spec's `x-max-serialized-bytes` of `InsightsEvents`).
pub const MAX_BODY_BYTES: usize = crate::models::InsightsEvents::MAX_SERIALIZED_BYTES;

/// The largest event, in bytes of JSON, that fits in a request on its own
/// (the body limit less the `{"events":[]}` around it): a larger one is refused by `send`.
pub const MAX_EVENT_BYTES: usize = MAX_BODY_BYTES - 1 - super::batch::ENVELOPE_BYTES;

/// The most batches a sender keeps in flight.
const MAX_IN_FLIGHT: usize = 256;

/// What the sender calls with each event it could not deliver.
pub(crate) type FailureHandler = Arc<dyn Fn(FailedEvent) + Send + Sync>;

/// What the sender calls with each request the API accepted.
pub(crate) type DeliveryHandler = Arc<dyn Fn(Delivered) + Send + Sync>;

/// The settings of a [`Sender`](super::Sender); every one has a default.
///
/// | setting | default |
/// | --- | --- |
/// | [`queue_capacity`](Self::queue_capacity): events held at once (queued or in flight) | 10 000 |
/// | [`max_batch_events`](Self::max_batch_events) | 1000 (the API's limit) |
/// | [`max_batch_bytes`](Self::max_batch_bytes): a body stays below | 2 000 000 (the API's limit) |
/// | [`max_delay`](Self::max_delay): the longest an event waits for its batch to fill | 1 s |
/// | [`max_in_flight`](Self::max_in_flight): batches sent at once | 4 |
/// | [`max_retries`](Self::max_retries): extra tries of a batch after a retryable failure | 5 |
/// | backoff between those tries ([`backoff`](Self::backoff)) | 100 ms, doubling, at most 10 s, with jitter |
/// | [`on_failure`](Self::on_failure) | none: failures are logged (`tracing` error) |
/// | [`on_delivered`](Self::on_delivered) | none |
#[derive(Clone)]
pub struct SenderConfig {
    pub(crate) queue_capacity: usize,
    pub(crate) max_batch_events: usize,
    pub(crate) max_batch_bytes: usize,
    pub(crate) max_delay: Duration,
    pub(crate) max_in_flight: usize,
    pub(crate) max_retries: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) options: RequestOptions,
    pub(crate) on_failure: Option<FailureHandler>,
    pub(crate) on_delivered: Option<DeliveryHandler>,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            queue_capacity: 10_000,
            max_batch_events: MAX_BATCH_EVENTS,
            max_batch_bytes: MAX_BODY_BYTES,
            max_delay: Duration::from_secs(1),
            max_in_flight: 4,
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            options: RequestOptions::default(),
            on_failure: None,
            on_delivered: None,
        }
    }
}

impl SenderConfig {
    /// The defaults (see the table above).
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events the sender holds at once, queued or in flight (at
    /// least 1). When it holds that many, [`send`](super::Sender::send)
    /// waits and [`try_send`](super::Sender::try_send) fails: memory stays
    /// bounded however slow the API is. A few batches' worth is a good value.
    #[must_use]
    pub fn queue_capacity(mut self, events: usize) -> Self {
        self.queue_capacity = events.clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        self
    }

    /// The most events in one request, from 1 to 1000 (the API's limit;
    /// larger values are lowered to it).
    #[must_use]
    pub fn max_batch_events(mut self, events: usize) -> Self {
        self.max_batch_events = events.clamp(1, MAX_BATCH_EVENTS);
        self
    }

    /// A request body stays below this many bytes: at most 2 000 000 (the
    /// API's limit; larger values are lowered to it). An event too large to
    /// fit alone is refused by `send`.
    #[must_use]
    pub fn max_batch_bytes(mut self, bytes: usize) -> Self {
        self.max_batch_bytes = bytes.min(MAX_BODY_BYTES);
        self
    }

    /// The longest an event waits for more events to join its batch before
    /// the batch is sent anyway.
    #[must_use]
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// How many batches are sent at once, from 1 to 256.
    #[must_use]
    pub fn max_in_flight(mut self, batches: usize) -> Self {
        self.max_in_flight = batches.clamp(1, MAX_IN_FLIGHT);
        self
    }

    /// How many more times a batch is sent after a retryable failure (a
    /// timeout, a connection error or a 5xx on every host, or a 429), as
    /// the client's retry policy classifies it ([`Error::is_retryable`](crate::Error::is_retryable)).
    /// Each try goes through the client's own host failover.
    #[must_use]
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry and the most any wait grows to; the
    /// wait doubles with each retry, and a random half of it is taken off
    /// so that senders do not retry in step. A 429 that asks for a longer
    /// wait (`Retry-After`, `x-ratelimit-reset`) gets it.
    #[must_use]
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// Options for every request the sender makes (a timeout, extra
    /// headers, allowing stale timestamps, ...).
    #[must_use]
    pub fn request_options(mut self, options: RequestOptions) -> Self {
        self.options = options;
        self
    }

    /// Called once for each event that could not be delivered, with the
    /// error that sank it: the API rejected it, or its batch kept failing
    /// after every retry. It runs on the sender's tasks, so it should be
    /// quick and must not block: to process failures elsewhere, send them
    /// into a channel. Without it, failures are logged at error level.
    #[must_use]
    pub fn on_failure(mut self, handler: impl Fn(FailedEvent) + Send + Sync + 'static) -> Self {
        self.on_failure = Some(Arc::new(handler));
        self
    }

    /// Called once for each request the API accepted, with the sequence
    /// numbers of the events it carried (for progress, or to trace events
    /// back to their source). Like [`on_failure`](Self::on_failure), it runs
    /// on the sender's tasks and must be quick.
    #[must_use]
    pub fn on_delivered(mut self, handler: impl Fn(Delivered) + Send + Sync + 'static) -> Self {
        self.on_delivered = Some(Arc::new(handler));
        self
    }

    /// The wait before retry number `attempt` (1 for the first), before jitter.
    pub(crate) fn backoff_cap(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl fmt::Debug for SenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SenderConfig")
            .field("queue_capacity", &self.queue_capacity)
            .field("max_batch_events", &self.max_batch_events)
            .field("max_batch_bytes", &self.max_batch_bytes)
            .field("max_delay", &self.max_delay)
            .field("max_in_flight", &self.max_in_flight)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("on_failure", &self.on_failure.as_ref().map(|_| "<handler>"))
            .field(
                "on_delivered",
                &self.on_delivered.as_ref().map(|_| "<handler>"),
            )
            // Not the request options: their headers may hold an API key.
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_kept_within_what_the_api_takes() {
        let config = SenderConfig::new()
            .max_batch_events(5000)
            .max_batch_bytes(10_000_000)
            .queue_capacity(0)
            .max_in_flight(0);
        assert_eq!(config.max_batch_events, MAX_BATCH_EVENTS);
        assert_eq!(config.max_batch_bytes, MAX_BODY_BYTES);
        assert_eq!(config.queue_capacity, 1);
        assert_eq!(config.max_in_flight, 1);
        assert_eq!(SenderConfig::new().max_batch_events(0).max_batch_events, 1);
    }

    #[test]
    fn debug_output_leaves_out_request_headers() {
        let config = SenderConfig::new()
            .request_options(RequestOptions::new().header("x-algolia-api-key", "secret-9f2"));
        let text = format!("{config:?}");
        assert!(!text.contains("secret-9f2"), "{text}");
        assert!(text.contains("queue_capacity: 10000"), "{text}");
    }

    #[test]
    fn backoff_doubles_up_to_its_cap() {
        let config =
            SenderConfig::new().backoff(Duration::from_millis(100), Duration::from_millis(500));
        let waits: Vec<u128> = (1..=5)
            .map(|attempt| config.backoff_cap(attempt).as_millis())
            .collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
        assert_eq!(config.backoff_cap(u32::MAX).as_millis(), 500);
    }
}
