//! Metrics through the [`metrics`](https://docs.rs/metrics) facade (feature
//! `metrics`): requests, retries, events and the sender's queue, recorded
//! into whatever recorder the program installed (Prometheus, StatsD,
//! OpenTelemetry...). The library never installs one: without a recorder
//! each recording is a no-op.
//!
//! Labels take only values the spec and the configuration bound: an
//! operation's `operationId`, a status class, a configured host, a reason,
//! an outcome. Never a user token, an index name, a path parameter or a key.
//!
//! | metric | kind | labels |
//! | --- | --- | --- |
//! | [`REQUESTS_TOTAL`] | counter | `operation`, `status_class` (`2xx`, `4xx`, `429`, `5xx`, `error`), `host` |
//! | [`REQUEST_DURATION_SECONDS`] | histogram | `operation` |
//! | [`RETRIES_TOTAL`] | counter | `reason` (`timeout`, `connect`, `5xx`, `429`) |
//! | [`EVENTS_TOTAL`] | counter | `outcome` (`delivered`, `rejected`, `failed`, `abandoned`) |
//! | [`SENDER_QUEUE_EVENTS`] | gauge | |
//! | [`SENDER_IN_FLIGHT_BATCHES`] | gauge | |
//! | [`BATCH_EVENTS`] | histogram | |
//! | [`SPOOL_BYTES`] | gauge | |
//! | [`SPOOL_EVENTS`] | gauge | |
//! | [`SPOOL_DAMAGED_RECORDS_TOTAL`] | counter | |
//!
//! Without the feature this module is private and every recording function
//! an empty inline function, so that the code that calls them needs no
//! `cfg` of its own.

use std::time::Duration;

/// Tries sent to a host (each HTTP request, retries included).
#[cfg(feature = "metrics")]
pub const REQUESTS_TOTAL: &str = "algolia_insights_requests_total";
/// Seconds from the start of an operation to its answer or its error,
/// every try and wait included.
#[cfg(feature = "metrics")]
pub const REQUEST_DURATION_SECONDS: &str = "algolia_insights_request_duration_seconds";
/// Tries that failed in a way that is tried again: by the client (the next
/// host, or the same one after a 429's wait) or by the sender (the batch,
/// later).
#[cfg(feature = "metrics")]
pub const RETRIES_TOTAL: &str = "algolia_insights_retries_total";
/// Events settled by a [`Sender`](crate::sender::Sender) (and so a spooled
/// sender): delivered, rejected by the API for what they hold, failed
/// (retries exhausted, or an error no retry can fix), or abandoned at a
/// shutdown's deadline.
#[cfg(feature = "metrics")]
pub const EVENTS_TOTAL: &str = "algolia_insights_events_total";
/// Events in senders' queues, waiting for a batch to leave.
#[cfg(feature = "metrics")]
pub const SENDER_QUEUE_EVENTS: &str = "algolia_insights_sender_queue_events";
/// Batches being delivered by senders now.
#[cfg(feature = "metrics")]
pub const SENDER_IN_FLIGHT_BATCHES: &str = "algolia_insights_sender_in_flight_batches";
/// Events in each batch a sender hands to delivery.
#[cfg(feature = "metrics")]
pub const BATCH_EVENTS: &str = "algolia_insights_batch_events";
/// Bytes of the spool's files on disk.
#[cfg(feature = "metrics")]
pub const SPOOL_BYTES: &str = "algolia_insights_spool_bytes";
/// Events in the spool not yet settled.
#[cfg(feature = "metrics")]
pub const SPOOL_EVENTS: &str = "algolia_insights_spool_events";
/// Torn or damaged spool records cut off when a spool was opened.
#[cfg(feature = "metrics")]
pub const SPOOL_DAMAGED_RECORDS_TOTAL: &str = "algolia_insights_spool_damaged_records_total";

/// Describes every metric of this crate (its help text and unit) to the
/// installed recorder, for exporters that show them (Prometheus's `# HELP`).
/// Call it once, after installing the recorder; recording works without it.
#[cfg(feature = "metrics")]
pub fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        REQUESTS_TOTAL,
        Unit::Count,
        "Tries sent to an Insights host, by operation, status class and host"
    );
    describe_histogram!(
        REQUEST_DURATION_SECONDS,
        Unit::Seconds,
        "Duration of an Insights operation, every try included"
    );
    describe_counter!(
        RETRIES_TOTAL,
        Unit::Count,
        "Failed tries that are tried again, by reason"
    );
    describe_counter!(
        EVENTS_TOTAL,
        Unit::Count,
        "Events settled by the sender, by outcome"
    );
    describe_gauge!(SENDER_QUEUE_EVENTS, Unit::Count, "Events queued in senders");
    describe_gauge!(
        SENDER_IN_FLIGHT_BATCHES,
        Unit::Count,
        "Batches being delivered"
    );
    describe_histogram!(BATCH_EVENTS, Unit::Count, "Events per batch");
    describe_gauge!(SPOOL_BYTES, Unit::Bytes, "Bytes of the spool on disk");
    describe_gauge!(SPOOL_EVENTS, Unit::Count, "Unsettled events in the spool");
    describe_counter!(
        SPOOL_DAMAGED_RECORDS_TOTAL,
        Unit::Count,
        "Damaged spool records cut off at opening"
    );
}

/// How a try ended, as the `status_class` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusClass {
    Success,
    ClientError,
    RateLimited,
    ServerError,
    /// No status: a timeout, a broken connection (or a 1xx/3xx, which the
    /// API never sends).
    Error,
}

impl StatusClass {
    /// The class of a try's status, `None` when no answer came.
    pub(crate) fn of(status: Option<u16>) -> Self {
        match status {
            Some(200..=299) => StatusClass::Success,
            Some(429) => StatusClass::RateLimited,
            Some(400..=499) => StatusClass::ClientError,
            Some(500..=599) => StatusClass::ServerError,
            _ => StatusClass::Error,
        }
    }

    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    fn label(self) -> &'static str {
        match self {
            StatusClass::Success => "2xx",
            StatusClass::ClientError => "4xx",
            StatusClass::RateLimited => "429",
            StatusClass::ServerError => "5xx",
            StatusClass::Error => "error",
        }
    }
}

pub(crate) use crate::runtime::retry::RetryReason;

/// How the sender settled events (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventOutcome {
    Delivered,
    /// The API refused them for what they hold (400, 413, 422).
    Rejected,
    Failed,
    Abandoned,
}

impl EventOutcome {
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    fn label(self) -> &'static str {
        match self {
            EventOutcome::Delivered => "delivered",
            EventOutcome::Rejected => "rejected",
            EventOutcome::Failed => "failed",
            EventOutcome::Abandoned => "abandoned",
        }
    }
}

/// One try of `operation` on `host` (host and port, as configured) ended
/// in `class`.
#[inline]
pub(crate) fn try_ended(operation: &'static str, class: StatusClass, host: &str) {
    #[cfg(feature = "metrics")]
    metrics::counter!(
        REQUESTS_TOTAL,
        "operation" => operation,
        "status_class" => class.label(),
        "host" => host.to_string()
    )
    .increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, class, host);
}

/// An operation took `elapsed`, every try included.
#[inline]
pub(crate) fn operation_ended(operation: &'static str, elapsed: Duration) {
    #[cfg(feature = "metrics")]
    metrics::histogram!(REQUEST_DURATION_SECONDS, "operation" => operation).record(elapsed);
    #[cfg(not(feature = "metrics"))]
    let _ = (operation, elapsed);
}

/// A failed try will be tried again.
#[inline]
pub(crate) fn retried(reason: RetryReason) {
    #[cfg(feature = "metrics")]
    metrics::counter!(RETRIES_TOTAL, "reason" => reason.label()).increment(1);
    #[cfg(not(feature = "metrics"))]
    let _ = reason;
}

/// `count` events settled with `outcome`.
#[inline]
pub(crate) fn events_settled(outcome: EventOutcome, count: usize) {
    #[cfg(feature = "metrics")]
    metrics::counter!(EVENTS_TOTAL, "outcome" => outcome.label()).increment(count as u64);
    #[cfg(not(feature = "metrics"))]
    let _ = (outcome, count);
}

/// A sender's queue gauge, looked up once when the sender is built: each
/// event entering the queue moves it, and a recorder's lookup per event
/// (hashing the key, a map read) would cost more than queueing the event.
/// So a sender records into the recorder installed when it was built.
pub(crate) struct QueueGauge {
    #[cfg(feature = "metrics")]
    gauge: metrics::Gauge,
}

impl QueueGauge {
    pub(crate) fn register() -> Self {
        QueueGauge {
            #[cfg(feature = "metrics")]
            gauge: metrics::gauge!(SENDER_QUEUE_EVENTS),
        }
    }

    /// Events entered (`delta > 0`) or left (`delta < 0`) the queue.
    #[inline]
    pub(crate) fn changed(&self, delta: isize) {
        #[cfg(feature = "metrics")]
        self.gauge.increment(delta as f64);
        #[cfg(not(feature = "metrics"))]
        let _ = delta;
    }
}

/// A batch of `events` left the queue for delivery.
#[inline]
pub(crate) fn batch_started(events: usize) {
    #[cfg(feature = "metrics")]
    {
        metrics::histogram!(BATCH_EVENTS).record(events as f64);
        metrics::gauge!(SENDER_IN_FLIGHT_BATCHES).increment(1.0);
    }
    #[cfg(not(feature = "metrics"))]
    let _ = events;
}

/// A batch's delivery ended, however it ended.
#[inline]
pub(crate) fn batch_ended() {
    #[cfg(feature = "metrics")]
    metrics::gauge!(SENDER_IN_FLIGHT_BATCHES).decrement(1.0);
}

/// The spool's files now take `bytes` on disk ([`SPOOL_BYTES`]).
#[inline]
#[cfg_attr(not(feature = "spool"), allow(dead_code))]
pub(crate) fn set_spool_bytes(bytes: u64) {
    #[cfg(feature = "metrics")]
    metrics::gauge!(SPOOL_BYTES).set(bytes as f64);
    #[cfg(not(feature = "metrics"))]
    let _ = bytes;
}

/// The spool now holds `events` unsettled events ([`SPOOL_EVENTS`]).
#[inline]
#[cfg_attr(not(feature = "spool"), allow(dead_code))]
pub(crate) fn set_spool_events(events: u64) {
    #[cfg(feature = "metrics")]
    metrics::gauge!(SPOOL_EVENTS).set(events as f64);
    #[cfg(not(feature = "metrics"))]
    let _ = events;
}

/// The spool found `records` damaged stretches or missing files, at
/// opening or while running ([`SPOOL_DAMAGED_RECORDS_TOTAL`]).
#[inline]
#[cfg_attr(not(feature = "spool"), allow(dead_code))]
pub(crate) fn spool_damaged_records(records: u64) {
    #[cfg(feature = "metrics")]
    metrics::counter!(SPOOL_DAMAGED_RECORDS_TOTAL).increment(records);
    #[cfg(not(feature = "metrics"))]
    let _ = records;
}
