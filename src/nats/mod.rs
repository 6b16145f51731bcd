//! Events that survive the loss of a machine: a replicated queue on
//! [NATS JetStream](https://docs.nats.io/nats-concepts/jetstream), a
//! [`NatsProducer`] that publishes events to it, and any number of
//! [`Forwarder`]s, on any machines, that deliver them to the API.
//!
//! ```no_run
//! use algolia_insights::nats::NatsConfig;
//! use algolia_insights::sender::SenderConfig;
//! use algolia_insights::Client;
//! use std::time::Duration;
//!
//! # async fn run(event: algolia_insights::models::EventsItems) -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("APP_ID", "API_KEY")?;
//! let nats = NatsConfig::new("nats://nats-1:4222,nats://nats-2:4222,nats://nats-3:4222");
//! // Where events happen: returns once the stream stored the event on a quorum.
//! let producer = client.nats_producer(&nats).await?;
//! producer.send(&event).await?;
//! producer.shutdown(Duration::from_secs(10)).await;
//! // Anywhere else, as many as needed: each event goes to one of them.
//! let forwarder = client.nats_forwarder(&nats, SenderConfig::new()).await?;
//! let report = forwarder.shutdown(Duration::from_secs(30)).await;
//! println!("{} events acknowledged to the stream", report.stats.acked);
//! # Ok(())
//! # }
//! ```
//!
//! - **Acknowledged once replicated.** [`NatsProducer::send`] checks the
//!   event as [`Sender::send`](crate::sender::Sender::send) does, publishes
//!   it with a message id (`Nats-Msg-Id`: a publish tried again within the
//!   stream's duplicate window is stored once) and returns once the stream
//!   acknowledged it: stored on a quorum of its replicas. No quorum, or a
//!   stream at its limits: `send` tries again until
//!   [`publish_timeout`](NatsConfig::publish_timeout), then fails with
//!   [`PublishError::NotStored`]. Nothing is dropped silently.
//! - **One delivery core.** A [`Forwarder`] pulls messages from a durable
//!   consumer shared by every forwarder (work-queue retention: each event
//!   goes to one of them) into a [`Sender`](crate::sender::Sender)'s queue,
//!   and the sender batches, isolates the events the API rejects and
//!   retries, as it does for events given to it directly. A message is
//!   acknowledged to the stream only once the API accepted its batch. An
//!   event the API rejects is published, with the API's message, to the
//!   dead-letter subject, and then terminated. While the API fails in a way
//!   that may pass, the sender retries without a limit and the forwarder
//!   tells the stream it is still working on its messages (progress acks),
//!   so that they stay with it while the outage lasts.
//! - **A lost forwarder loses nothing.** Its unacknowledged messages go to
//!   the other forwarders after the consumer's
//!   [`ack_wait`](NatsConfig::ack_wait). Delivery is at least once: an event
//!   whose acknowledgement was lost is delivered again.
//!
//! Streams and consumers are created when missing (see [`NatsConfig`] for
//! the defaults), or taken as they are.

mod config;
mod connect;
mod error;
mod forwarder;
mod producer;
mod publish;

pub use config::NatsConfig;

/// The longest a shutdown waits for the connection to send what it has
/// buffered (acknowledgements): without a server, it never could.
const FLUSH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
pub use error::{NatsError, PublishError};
pub use forwarder::{Forwarder, ForwarderReport, ForwarderStats};
pub use producer::{NatsProducer, ProducerReport, ProducerStats};
