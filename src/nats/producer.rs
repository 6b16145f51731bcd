//! The producer: checks an event as the `Sender` does, publishes it to the
//! stream with a message id, and waits for the stream's acknowledgement
//! (the event stored on a quorum of the stream's replicas), trying again
//! with the same id while there is no quorum or no server.

use super::{connect, publish, NatsConfig, NatsError, PublishError, FLUSH_WAIT};
use crate::models::EventsItems;
use crate::sender::{event_json, json_text, IntoEvent, TextRefused, MAX_BODY_BYTES};
use crate::validation::ValidationContext;
use async_nats::jetstream::{self, message::PublishMessage};
use bytes::Bytes;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};
use tokio::time::Instant;

impl crate::Client {
    /// A producer that publishes events to the JetStream stream of
    /// `config`, creating it when missing. The client gives the rules
    /// events are checked with (as its [`sender`](crate::Client::sender)'s);
    /// nothing is sent to the API. Must be called within a Tokio runtime.
    ///
    /// # Errors
    ///
    /// When no server can be reached, or the stream cannot be found or created.
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats_producer(&self, config: &NatsConfig) -> Result<NatsProducer, NatsError> {
        let (client, context) = connect::connect(config).await?;
        connect::events_stream(config, &client, &context).await?;
        let rules = self
            .transport()
            .validation_context(&crate::RequestOptions::default());
        let prefix =
            RandomState::new().hash_one((std::process::id(), std::time::SystemTime::now()));
        Ok(NatsProducer {
            inner: Arc::new(Inner {
                client,
                context,
                subject: config.subject.clone(),
                rules,
                id_prefix: format!("{prefix:016x}"),
                next_id: AtomicU64::new(0),
                room: Arc::new(Semaphore::new(config.max_pending_publishes)),
                max_pending: config.max_pending_publishes,
                publish_timeout: config.publish_timeout,
                closed: AtomicBool::new(false),
                counters: Counters::default(),
            }),
        })
    }
}

/// Publishes events to a JetStream stream; see the [module
/// documentation](super). Cheap to clone: clones share the connection.
#[derive(Clone)]
pub struct NatsProducer {
    inner: Arc<Inner>,
}

struct Inner {
    client: async_nats::Client,
    context: jetstream::Context,
    subject: String,
    rules: ValidationContext,
    /// Message ids are this producer's prefix and a counter.
    id_prefix: String,
    next_id: AtomicU64,
    /// One permit per publish that may wait for its acknowledgement.
    room: Arc<Semaphore>,
    max_pending: usize,
    publish_timeout: Duration,
    closed: AtomicBool,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    published: AtomicU64,
    duplicates: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    pending: AtomicU64,
}

/// What a [`NatsProducer`] has done, in events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProducerStats {
    /// Acknowledged by the stream (stored).
    pub published: u64,
    /// Of those, acknowledged as duplicates: a publish tried again after
    /// its first acknowledgement was lost, stored once.
    pub duplicates: u64,
    /// Publishes tried again (no acknowledgement in time, no quorum, no server).
    pub retried: u64,
    /// Not stored within the publish timeout: `send` returned
    /// [`PublishError::NotStored`], or, after `try_send`, logged at error level with the event.
    pub failed: u64,
    /// Waiting for the stream's acknowledgement.
    pub pending: u64,
}

/// What [`NatsProducer::shutdown`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct ProducerReport {
    /// Whether the deadline passed with publishes still waiting (their
    /// events may or may not be stored).
    pub deadline_passed: bool,
    /// The counters at the end.
    pub stats: ProducerStats,
}

impl std::fmt::Debug for NatsProducer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsProducer")
            .field("subject", &self.inner.subject)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl NatsProducer {
    /// Checks and serializes `event`, publishes it, and returns once the
    /// stream stored it. Waits while
    /// [`max_pending_publishes`](NatsConfig::max_pending_publishes)
    /// publishes are waiting, and tries again with the same message id
    /// while there is no quorum or no server, up to the
    /// [`publish_timeout`](NatsConfig::publish_timeout).
    ///
    /// # Errors
    ///
    /// [`PublishError::Invalid`] for an event that breaks the spec's rules,
    /// [`PublishError::NotStored`] when the stream did not store it in
    /// time, [`PublishError::Closed`] after a shutdown.
    pub async fn send<'e>(&self, event: impl IntoEvent<'e>) -> Result<(), PublishError> {
        let json = self.prepare(&event.into_event())?;
        let permit = self.room().await?;
        self.inner.publish(json, permit).await
    }

    /// Like [`send`](Self::send), but returns once the event is on its way,
    /// without waiting for the stream: [`flush`](Self::flush) waits for it.
    /// An event the stream then does not store in time is counted in
    /// [`ProducerStats::failed`] and logged at error level with its JSON.
    ///
    /// # Errors
    ///
    /// As `send`, and [`PublishError::Full`] when
    /// [`max_pending_publishes`](NatsConfig::max_pending_publishes)
    /// publishes are waiting.
    pub fn try_send<'e>(&self, event: impl IntoEvent<'e>) -> Result<(), PublishError> {
        let json = self.prepare(&event.into_event())?;
        self.spawn(json)
    }

    /// Publishes an event given as JSON text (one object, as the API takes
    /// it), read and checked as [`Sender::send_json`](crate::sender::Sender::send_json)
    /// does, and published as it is. Waits as `send` waits.
    ///
    /// # Errors
    ///
    /// [`PublishError::Decode`] when the text is not one event, else as `send`.
    pub async fn send_json(&self, json: &str) -> Result<(), PublishError> {
        let json = self.prepare_json(json)?;
        let permit = self.room().await?;
        self.inner.publish(json, permit).await
    }

    /// Like [`send_json`](Self::send_json), returning as
    /// [`try_send`](Self::try_send) does.
    ///
    /// # Errors
    ///
    /// As `send_json`, and [`PublishError::Full`] as `try_send`.
    pub fn try_send_json(&self, json: &str) -> Result<(), PublishError> {
        let json = self.prepare_json(json)?;
        self.spawn(json)
    }

    /// Returns once every publish started before the call is acknowledged
    /// or has failed.
    pub async fn flush(&self) {
        let all = u32::try_from(self.inner.max_pending).unwrap_or(u32::MAX);
        // Every permit back: nothing is waiting. Closed: shut down.
        let _ = self.inner.room.acquire_many(all).await;
    }

    /// Stops taking events and waits up to `deadline` for the publishes
    /// still waiting; then closes the connection.
    pub async fn shutdown(&self, deadline: Duration) -> ProducerReport {
        self.inner.closed.store(true, SeqCst);
        let all = u32::try_from(self.inner.max_pending).unwrap_or(u32::MAX);
        let settled = tokio::time::timeout(deadline, self.inner.room.acquire_many(all))
            .await
            .is_ok();
        self.inner.room.close();
        // Acknowledgements are answers: nothing of ours is left to send.
        let _ = tokio::time::timeout(FLUSH_WAIT, self.inner.client.flush()).await;
        ProducerReport {
            deadline_passed: !settled,
            stats: self.stats(),
        }
    }

    /// The counters, now.
    pub fn stats(&self) -> ProducerStats {
        let c = &self.inner.counters;
        ProducerStats {
            published: c.published.load(SeqCst),
            duplicates: c.duplicates.load(SeqCst),
            retried: c.retried.load(SeqCst),
            failed: c.failed.load(SeqCst),
            pending: c.pending.load(SeqCst),
        }
    }

    /// The event's JSON, if it passes the checks `Sender::send` makes.
    fn prepare(&self, event: &EventsItems) -> Result<Bytes, PublishError> {
        self.check_open()?;
        let mut json = Vec::new();
        event_json(event, &self.rules(), MAX_BODY_BYTES, &mut json)
            .map_err(PublishError::Invalid)?;
        Ok(Bytes::from(json))
    }

    /// The event's JSON text, if it passes the checks `Sender::send_json` makes.
    fn prepare_json(&self, json: &str) -> Result<Bytes, PublishError> {
        self.check_open()?;
        match json_text(json, &self.rules(), MAX_BODY_BYTES) {
            Ok(text) => Ok(Bytes::copy_from_slice(text.as_bytes())),
            Err(TextRefused::Decode(error)) => Err(PublishError::Decode(error)),
            Err(TextRefused::Invalid(errors)) => Err(PublishError::Invalid(errors)),
        }
    }

    fn rules(&self) -> ValidationContext {
        self.inner
            .rules
            .clone()
            .at(ValidationContext::now().now_millis())
    }

    fn check_open(&self) -> Result<(), PublishError> {
        match self.inner.closed.load(SeqCst) {
            true => Err(PublishError::Closed),
            false => Ok(()),
        }
    }

    async fn room(&self) -> Result<OwnedSemaphorePermit, PublishError> {
        Arc::clone(&self.inner.room)
            .acquire_owned()
            .await
            .map_err(|_| PublishError::Closed)
    }

    fn spawn(&self, json: Bytes) -> Result<(), PublishError> {
        let permit = match Arc::clone(&self.inner.room).try_acquire_owned() {
            Ok(permit) => permit,
            Err(TryAcquireError::NoPermits) => return Err(PublishError::Full),
            Err(TryAcquireError::Closed) => return Err(PublishError::Closed),
        };
        let inner = Arc::clone(&self.inner);
        tokio::spawn(async move {
            let kept = json.clone();
            if let Err(error) = inner.publish(json, permit).await {
                tracing::error!(
                    error = %error,
                    event = std::str::from_utf8(&kept).unwrap_or_default(),
                    "an Insights event was not stored in the JetStream stream"
                );
            }
        });
        Ok(())
    }
}

impl Inner {
    /// Publishes until the stream acknowledges, or the publish timeout passes.
    async fn publish(&self, json: Bytes, permit: OwnedSemaphorePermit) -> Result<(), PublishError> {
        let _permit = permit;
        let _pending = Pending::start(&self.counters.pending);
        let id = format!("{}-{}", self.id_prefix, self.next_id.fetch_add(1, SeqCst));
        let deadline = Instant::now() + self.publish_timeout;
        let message = || {
            PublishMessage::build()
                .payload(json.clone())
                .message_id(&id)
        };
        let published =
            publish::until_acknowledged(&self.context, &self.subject, message, deadline, |error| {
                tracing::debug!(error = %error, "publish not acknowledged: trying again");
                self.counters.retried.fetch_add(1, SeqCst);
            })
            .await;
        match published {
            Ok(duplicate) => {
                self.counters.published.fetch_add(1, SeqCst);
                if duplicate {
                    self.counters.duplicates.fetch_add(1, SeqCst);
                }
                Ok(())
            }
            Err(message) => {
                self.counters.failed.fetch_add(1, SeqCst);
                Err(PublishError::NotStored { message })
            }
        }
    }
}

/// Counts a publish as pending while it lives.
struct Pending<'a>(&'a AtomicU64);

impl<'a> Pending<'a> {
    fn start(counter: &'a AtomicU64) -> Self {
        counter.fetch_add(1, SeqCst);
        Pending(counter)
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}
