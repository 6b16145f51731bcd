//! The forwarder: pulls messages from the durable consumer into a
//! `Sender`'s queue (room first, so that memory stays bounded by the
//! sender's `queue_capacity`), and settles each message from the outcome
//! the sender reports through the handlers on its configuration: acked
//! once its batch was accepted; published to the dead-letter subject with
//! the API's message and then terminated once the API rejected it. While a
//! message waits (queued, or in a batch the sender retries through an
//! outage), progress acknowledgements keep it with this forwarder.

use super::{connect, publish, NatsConfig, NatsError, FLUSH_WAIT};
use crate::sender::{fed_sender, Delivered, FailedEvent, Feed, Sender, SenderConfig, SenderStats};
use async_nats::jetstream::{self, consumer::PullConsumer, message::PublishMessage};
use async_nats::{HeaderMap, Subject};
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The most messages asked for in one pull (a batch's worth).
const MAX_PULL: u32 = 1000;
/// How long one pull waits for messages.
const PULL_EXPIRES: Duration = Duration::from_millis(500);
/// The wait after a pull failed (no server, no leader).
const PULL_RETRY: Duration = Duration::from_millis(250);
/// How long a rejected event's publish to the dead-letter subject is tried
/// before it is left in the stream (to be delivered, and rejected, again).
const DEAD_LETTER_PATIENCE: Duration = Duration::from_secs(8);
/// The header that carries the API's message on a dead-lettered event.
pub(crate) const ERROR_HEADER: &str = "Insights-Error";

impl crate::Client {
    /// A forwarder: delivers the events of `config`'s stream through this
    /// client, in batches, with a [`Sender`] configured by `sender`
    /// (whose `max_retries` is ignored: failures that may pass are retried
    /// without a limit, as with a spool). Creates the stream, the
    /// dead-letter stream and the consumer when missing. Runs until
    /// [`shutdown`](Forwarder::shutdown). Must be called within a Tokio runtime.
    ///
    /// # Errors
    ///
    /// When no server can be reached, or a stream or the consumer cannot be
    /// found or created.
    #[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
    pub async fn nats_forwarder(
        &self,
        config: &NatsConfig,
        sender: SenderConfig,
    ) -> Result<Forwarder, NatsError> {
        let (client, context) = connect::connect(config).await?;
        let stream = connect::events_stream(config, &client, &context).await?;
        connect::dead_letter_stream(config, &client, &context).await?;
        let consumer = connect::consumer(config, &stream).await?;
        let ack_wait = consumer.cached_info().config.ack_wait;

        let shared = Arc::new(Shared {
            client: client.clone(),
            pending: Mutex::new(BTreeMap::new()),
            stopping: AtomicBool::new(false),
            stop: Notify::new(),
            counters: Counters::default(),
        });
        let (outcomes, outcome_rx) = mpsc::unbounded_channel();
        let (sender, feed) = fed_sender(self, adapt(sender, outcomes.clone()));
        let puller = tokio::spawn(pull(Arc::clone(&shared), consumer, feed));
        let settler = tokio::spawn(settle(
            Arc::clone(&shared),
            context,
            config.dead_letter.clone(),
            outcome_rx,
        ));
        let progress = tokio::spawn(keep(Arc::clone(&shared), ack_wait / 4));
        Ok(Forwarder {
            shared,
            sender,
            outcomes,
            tasks: Mutex::new(Some(Tasks {
                puller,
                settler,
                progress,
            })),
        })
    }
}

/// The sender's settings with the handlers that settle messages (before the
/// caller's own), and unlimited retries.
fn adapt(mut config: SenderConfig, outcomes: mpsc::UnboundedSender<Outcome>) -> SenderConfig {
    config.max_retries = u32::MAX;
    let delivered_to = outcomes.clone();
    let on_delivered = config.on_delivered.take();
    config.on_delivered = Some(Arc::new(move |delivered: Delivered| {
        let _ = delivered_to.send(Outcome::Delivered(delivered.sequences()));
        if let Some(handler) = &on_delivered {
            handler(delivered);
        }
    }));
    let on_failure = config.on_failure.take();
    config.on_failure = Some(Arc::new(move |failed: FailedEvent| {
        let _ = outcomes.send(Outcome::Failed {
            sequence: failed.sequence(),
            json: Bytes::copy_from_slice(failed.json().as_bytes()),
            error: failed.error().to_string(),
        });
        if let Some(handler) = &on_failure {
            handler(failed);
        }
    }));
    config
}

/// Delivers the events of a JetStream stream to the API; see the [module
/// documentation](super). Runs until [`shutdown`](Self::shutdown);
/// dropped without it, it stops pulling and its messages go to the other
/// forwarders after the consumer's ack wait.
pub struct Forwarder {
    shared: Arc<Shared>,
    sender: Sender,
    outcomes: mpsc::UnboundedSender<Outcome>,
    tasks: Mutex<Option<Tasks>>,
}

struct Tasks {
    puller: JoinHandle<()>,
    settler: JoinHandle<()>,
    progress: JoinHandle<()>,
}

impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// What a [`Forwarder`] has done, in messages (one event each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForwarderStats {
    /// Pulled from the stream into the sender.
    pub pulled: u64,
    /// Of those, messages the stream had handed out before (to a forwarder
    /// that died or was too slow, or whose acknowledgement was lost):
    /// their events may reach the API twice.
    pub redelivered: u64,
    /// Acknowledged to the stream after the API accepted their batch.
    pub acked: u64,
    /// Rejected by the API: published to the dead-letter subject, then terminated.
    pub dead_lettered: u64,
    /// Held by this forwarder, not yet settled.
    pub holding: u64,
    /// Given back to the stream at shutdown, for another forwarder.
    pub returned: u64,
    /// The sender's own counters (batches, retries, requests).
    pub sender: SenderStats,
}

/// What [`Forwarder::shutdown`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct ForwarderReport {
    /// Whether the deadline passed before the events taken were settled:
    /// those still held were given back to the stream.
    pub deadline_passed: bool,
    /// The counters at the end.
    pub stats: ForwarderStats,
}

struct Shared {
    client: async_nats::Client,
    /// The messages held, by the sequence number the sender gave their event.
    pending: Mutex<BTreeMap<u64, Held>>,
    stopping: AtomicBool,
    stop: Notify,
    counters: Counters,
}

/// A message held by this forwarder.
struct Held {
    /// Where acknowledgements go.
    reply: Subject,
    /// Its sequence number in the stream (the dead-letter message's id).
    stream_sequence: u64,
}

#[derive(Default)]
struct Counters {
    pulled: AtomicU64,
    redelivered: AtomicU64,
    acked: AtomicU64,
    dead_lettered: AtomicU64,
    returned: AtomicU64,
}

/// What the sender reported.
enum Outcome {
    Delivered(Range<u64>),
    Failed {
        sequence: u64,
        json: Bytes,
        error: String,
    },
    /// The sender has stopped: nothing more comes.
    Done,
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, BTreeMap<u64, Held>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Tells the stream about a message (`+ACK`, `+WPI`, `-NAK`, `+TERM`).
    /// A lost acknowledgement only means the message comes again.
    async fn tell(&self, reply: Subject, what: &'static [u8]) -> bool {
        match self.client.publish(reply, Bytes::from_static(what)).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(error = %error, "could not acknowledge a JetStream message: it will be delivered again");
                false
            }
        }
    }
}

impl Forwarder {
    /// The counters, now.
    pub fn stats(&self) -> ForwarderStats {
        let c = &self.shared.counters;
        ForwarderStats {
            pulled: c.pulled.load(SeqCst),
            redelivered: c.redelivered.load(SeqCst),
            acked: c.acked.load(SeqCst),
            dead_lettered: c.dead_lettered.load(SeqCst),
            holding: self.shared.pending().len() as u64,
            returned: c.returned.load(SeqCst),
            sender: self.sender.stats(),
        }
    }

    /// Stops pulling, delivers the events taken (the batches in flight and
    /// those queued) until `deadline`, and settles their messages; what is
    /// left is given back to the stream at once (a negative
    /// acknowledgement) for the other forwarders. Calling it again returns
    /// at once.
    pub async fn shutdown(&self, deadline: Duration) -> ForwarderReport {
        let started = tokio::time::Instant::now();
        let tasks = self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(tasks) = tasks else {
            return ForwarderReport {
                deadline_passed: false,
                stats: self.stats(),
            };
        };
        self.shared.stopping.store(true, SeqCst);
        self.shared.stop.notify_waiters();
        let _ = tasks.puller.await;
        let report = self.sender.shutdown(deadline).await;
        let _ = self.outcomes.send(Outcome::Done);
        let left = deadline.saturating_sub(started.elapsed()) + Duration::from_secs(1);
        let _ = tokio::time::timeout(left, tasks.settler).await;
        tasks.progress.abort();
        let held = std::mem::take(&mut *self.shared.pending());
        for (_, message) in held {
            if self.shared.tell(message.reply, b"-NAK").await {
                self.shared.counters.returned.fetch_add(1, SeqCst);
            }
        }
        let _ = tokio::time::timeout(FLUSH_WAIT, self.shared.client.flush()).await;
        ForwarderReport {
            deadline_passed: report.deadline_passed,
            stats: self.stats(),
        }
    }
}

impl Drop for Forwarder {
    /// Without [`shutdown`](Forwarder::shutdown): stops pulling and stops
    /// the progress acknowledgements; what this forwarder held goes to the
    /// others after the consumer's ack wait.
    fn drop(&mut self) {
        let tasks = self
            .tasks
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(tasks) = tasks {
            self.shared.stopping.store(true, SeqCst);
            self.shared.stop.notify_waiters();
            tasks.progress.abort();
            tracing::warn!(
                holding = self.shared.pending().len(),
                "a JetStream forwarder was dropped without shutdown(): the messages it holds go to other forwarders after the ack wait"
            );
        }
    }
}

/// Pulls messages into the sender while there is room, until stopped.
async fn pull(shared: Arc<Shared>, consumer: PullConsumer, mut feed: Feed) {
    loop {
        if shared.stopping.load(SeqCst) {
            return;
        }
        let room = tokio::select! {
            room = feed.reserve(MAX_PULL) => room,
            () = shared.stop.notified() => return,
        };
        let Some(room) = room else { return };
        let batch = consumer
            .batch()
            .max_messages(room as usize)
            .expires(PULL_EXPIRES)
            .messages()
            .await;
        let mut batch = match batch {
            Ok(batch) => batch,
            Err(error) => {
                feed.release(room);
                tracing::warn!(error = %error, "pulling from JetStream failed: trying again");
                tokio::select! {
                    () = tokio::time::sleep(PULL_RETRY) => continue,
                    () = shared.stop.notified() => return,
                }
            }
        };
        let mut used = 0;
        while let Some(message) = batch.next().await {
            let message = match message {
                Ok(message) => message,
                Err(error) => {
                    tracing::debug!(error = %error, "a JetStream pull ended early");
                    break;
                }
            };
            let (stream_sequence, delivered) = match message.info() {
                Ok(info) => (info.stream_sequence, info.delivered),
                Err(_) => (0, 1),
            };
            let Some(reply) = message.reply.clone() else {
                continue;
            };
            if used == room {
                // More than asked for: never expected; leave it to others.
                shared.tell(reply, b"-NAK").await;
                continue;
            }
            used += 1;
            shared.counters.pulled.fetch_add(1, SeqCst);
            if delivered > 1 {
                shared.counters.redelivered.fetch_add(1, SeqCst);
            }
            // Held before it is queued: the sender may report on it at once.
            let number = feed.next_sequence();
            shared.pending().insert(
                number,
                Held {
                    reply: reply.clone(),
                    stream_sequence,
                },
            );
            if feed.push(&message.payload).is_none() {
                shared.pending().remove(&number);
                shared.tell(reply, b"-NAK").await;
                feed.release(room - used);
                return;
            }
        }
        feed.release(room - used);
        if used < room {
            // The stream has no more for now: send what is queued.
            feed.hurry();
        }
    }
}

/// Settles messages from the sender's outcomes, in the order reported.
async fn settle(
    shared: Arc<Shared>,
    context: jetstream::Context,
    dead_letter: String,
    mut outcomes: mpsc::UnboundedReceiver<Outcome>,
) {
    while let Some(outcome) = outcomes.recv().await {
        match outcome {
            Outcome::Delivered(sequences) => {
                let held: Vec<Held> = {
                    let mut pending = shared.pending();
                    sequences.filter_map(|n| pending.remove(&n)).collect()
                };
                for message in held {
                    if shared.tell(message.reply, b"+ACK").await {
                        shared.counters.acked.fetch_add(1, SeqCst);
                    }
                }
            }
            Outcome::Failed {
                sequence,
                json,
                error,
            } => {
                let Some(message) = shared.pending().remove(&sequence) else {
                    continue;
                };
                let id = format!("dead-{}", message.stream_sequence);
                if dead_letter_publish(&context, &dead_letter, &id, json, &error).await {
                    shared.tell(message.reply, b"+TERM").await;
                    shared.counters.dead_lettered.fetch_add(1, SeqCst);
                } else {
                    // Not dead-lettered: the stream gives it out again.
                    shared.tell(message.reply, b"-NAK").await;
                }
            }
            Outcome::Done => return,
        }
    }
}

/// Publishes a rejected event with the API's message, waiting for the
/// stream's acknowledgement (a few tries); whether it was stored.
async fn dead_letter_publish(
    context: &jetstream::Context,
    subject: &str,
    id: &str,
    json: Bytes,
    error: &str,
) -> bool {
    let mut headers = HeaderMap::new();
    // A header value is one line.
    let message: String = error
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    headers.insert(ERROR_HEADER, message.as_str());
    let message = || {
        PublishMessage::build()
            .payload(json.clone())
            .headers(headers.clone())
            .message_id(id)
    };
    let deadline = Instant::now() + DEAD_LETTER_PATIENCE;
    let published = publish::until_acknowledged(context, subject, message, deadline, |error| {
        tracing::warn!(error = %error, "publishing a rejected event to the dead-letter subject failed: trying again");
    })
    .await;
    if let Err(error) = published {
        tracing::error!(error = %error, "a rejected event could not be published to the dead-letter subject: it stays in the stream");
        return false;
    }
    true
}

/// Tells the stream, every `every`, that the messages held are still being
/// worked on, so that they stay with this forwarder.
async fn keep(shared: Arc<Shared>, every: Duration) {
    let mut interval = tokio::time::interval(every.max(Duration::from_millis(250)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    interval.tick().await;
    loop {
        interval.tick().await;
        let replies: Vec<Subject> = shared.pending().values().map(|h| h.reply.clone()).collect();
        for reply in replies {
            shared.tell(reply, b"+WPI").await;
        }
    }
}
