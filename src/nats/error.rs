//! What can go wrong with NATS: connecting, finding or creating a stream
//! or consumer, and publishing an event.

use crate::runtime::decode::DecodeError;
use crate::validation::ValidationErrors;
use std::fmt;

/// Connecting to NATS, or setting up a stream or consumer, failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum NatsError {
    /// No server could be reached (the URLs shown without credentials).
    Connect {
        /// The servers tried.
        servers: String,
        /// The client's error.
        message: String,
    },
    /// A stream could not be found or created.
    Stream {
        /// Its name.
        stream: String,
        /// Why.
        message: String,
    },
    /// The consumer could not be found or created.
    Consumer {
        /// Its name.
        consumer: String,
        /// The stream it reads.
        stream: String,
        /// Why.
        message: String,
    },
}

impl fmt::Display for NatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NatsError::Connect { servers, message } => {
                write!(f, "cannot connect to NATS at {servers}: {message}")
            }
            NatsError::Stream { stream, message } => {
                write!(f, "JetStream stream {stream}: {message}")
            }
            NatsError::Consumer {
                consumer,
                stream,
                message,
            } => write!(
                f,
                "JetStream consumer {consumer} of stream {stream}: {message}"
            ),
        }
    }
}

impl std::error::Error for NatsError {}

/// Why a [`NatsProducer`](super::NatsProducer) did not publish an event
/// (the caller still has it: `send` borrows or consumes as the `Sender`'s
/// does, and a lent event stays the caller's).
#[derive(Debug)]
#[non_exhaustive]
pub enum PublishError {
    /// The text is not one event (`send_json`).
    Decode(DecodeError),
    /// The event breaks the spec's rules, or is too large for a request of its own.
    Invalid(ValidationErrors),
    /// [`max_pending_publishes`](super::NatsConfig::max_pending_publishes)
    /// publishes are waiting (`try_send` only).
    Full,
    /// The producer is shut down.
    Closed,
    /// The stream did not acknowledge the event within
    /// [`publish_timeout`](super::NatsConfig::publish_timeout) (no quorum,
    /// no server, the stream at its limits): it may or may not be stored;
    /// publishing it again is safe within the duplicate window only with
    /// the same message id, so treat it as not sent.
    NotStored {
        /// The stream's or the client's last answer.
        message: String,
    },
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublishError::Decode(error) => write!(f, "not an event: {error}"),
            PublishError::Invalid(errors) => write!(f, "invalid event, not published: {errors}"),
            PublishError::Full => f.write_str("too many publishes are waiting for the stream"),
            PublishError::Closed => f.write_str("the producer is shut down"),
            PublishError::NotStored { message } => {
                write!(f, "the stream did not store the event in time: {message}")
            }
        }
    }
}

impl std::error::Error for PublishError {}
