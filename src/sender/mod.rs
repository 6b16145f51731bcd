//! High-volume event sending: a [`Sender`] takes events one at a time from
//! any number of tasks and delivers them in batches, losing none.
//!
//! ```no_run
//! use algolia_insights::models::*;
//! use algolia_insights::sender::SenderConfig;
//! use algolia_insights::Client;
//! use std::time::Duration;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("APP_ID", "API_KEY")?;
//! let sender = client.sender(SenderConfig::new().on_failure(|failed| {
//!     eprintln!("not delivered: {} ({})", failed.json(), failed.error());
//! }));
//! let event = ViewedObjectIDs::new(
//!     EventName::new("Product Viewed")?,
//!     "products",
//!     ["product-1"],
//!     UserToken::new("anonymous-user-1")?,
//! );
//! sender.send(event).await?; // waits only when the queue is full
//! let report = sender.shutdown(Duration::from_secs(10)).await;
//! assert!(report.undelivered.is_empty());
//! # Ok(())
//! # }
//! ```
//!
//! - **Nothing is lost silently.** An invalid event is refused by
//!   [`send`](Sender::send) and handed back. An event the API still rejects
//!   is isolated (its batch is split in halves until it is alone), so that
//!   the rest of its batch is delivered, and goes to
//!   [`on_failure`](SenderConfig::on_failure) with its error, as does an
//!   event whose batch kept failing after every retry.
//!   [`shutdown`](Sender::shutdown) returns the events it had to give up.
//! - **Memory is bounded.** The sender holds at most
//!   [`queue_capacity`](SenderConfig::queue_capacity) events, queued or in
//!   flight; then `send` waits and [`try_send`](Sender::try_send) fails.
//!   The buffers of up to four delivered batches are kept, emptied, for the
//!   next batches (writing into memory already mapped is cheaper than
//!   taking fresh pages from the system).
//! - **Each event is serialized once**, by `send`, straight into the body
//!   of the batch being filled; retries resend the same body, and the
//!   halves of a rejected batch are cut from it. So `send` can borrow:
//!   `sender.send(&event)` lends an [`EventsItems`] and leaves it to the
//!   caller (see [`IntoEvent`]); `sender.send(event)` hands it over.
//! - Batches close at 1000 events, below 2 MB of JSON, or when their first
//!   event has waited [`max_delay`](SenderConfig::max_delay). Several are in
//!   flight at once, each through the client's host failover, with extra
//!   retries and jittered exponential backoff on retryable failures.
//! - [`stats`](Sender::stats) counts events enqueued, delivered, retried,
//!   failed, abandoned, in flight and queued, and the requests made.
//! - **Every event has a number**, its sequence number: 0 for the first
//!   event the sender takes, then 1, 2, ... in the order `send` and
//!   `try_send` took them. [`on_delivered`](SenderConfig::on_delivered)
//!   reports each accepted request as the run of numbers it carried, and
//!   [`FailedEvent`] and [`UndeliveredEvent`] say theirs: a program that
//!   sends from one task can trace each outcome back to its source (the
//!   command-line tool maps them to input lines). A spooled sender uses
//!   the spool's numbers, which go on from one run to the next
//!   ([`Recovery::next_sequence`]).
//!
//! Delivery is at least once: an event whose request timed out is sent
//! again, and the API may have recorded it the first time.

mod batch;
mod checked;
mod clock;
mod config;
mod deliver;
mod dispatch;
mod event;
#[cfg(feature = "nats")]
mod fed;
#[cfg(target_arch = "wasm32")]
mod page;
mod queue;
#[cfg(not(feature = "spool"))]
#[path = "no_spool.rs"]
mod spool;
#[cfg(feature = "spool")]
mod spool;
mod state;

#[cfg(feature = "nats")]
pub(crate) use checked::{event_json, json_text, TextRefused};
pub use config::{SenderConfig, MAX_BATCH_EVENTS, MAX_BODY_BYTES, MAX_EVENT_BYTES};
pub use event::IntoEvent;
#[cfg(feature = "nats")]
pub(crate) use fed::{fed_sender, Feed};
#[cfg(feature = "spool")]
#[cfg_attr(docsrs, doc(cfg(feature = "spool")))]
pub use spool::{Damage, DamageKind, Recovery, Spool, SpoolConfig, SpoolError};

use crate::error::Error;
use crate::models::EventsItems;
use crate::runtime::decode::DecodeError;
use crate::runtime::platform;
use crate::validation::ValidationErrors;
use bytes::Bytes;
use queue::Queue;
use spool::{Admitted, Spooled};
use state::{Cancel, Counters, Shared};
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{oneshot, watch, Notify, Semaphore, TryAcquireError};

/// The most a thread keeps of its serialization buffer after a large event.
const SCRATCH_KEPT: usize = 64 * 1024;

thread_local! {
    /// Where `send` serializes an event before copying it into the queue.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How long a shutdown whose deadline passed waits for the sender's tasks
/// to notice (they stop at their next step, so this is never reached in
/// practice: it only bounds a runtime that no longer runs them).
const STOP_GRACE: Duration = Duration::from_secs(1);

impl crate::Client {
    /// A batching sender for events, sending through this client (its
    /// hosts, failover, timeouts and credentials). Must be called within a
    /// Tokio runtime, where its tasks run.
    ///
    /// Outside a runtime the sender is closed from the start: every `send`
    /// hands its event back with [`SendError::Closed`] (and an error is logged).
    ///
    /// In a web page (wasm32) its tasks run on the page's task queue and
    /// need no runtime, and the events still queued when the page is hidden
    /// or left are sent at once by `navigator.sendBeacon` (README.md, "In
    /// the browser").
    pub fn sender(&self, config: SenderConfig) -> Sender {
        let shared = self.start_sender(config);
        Sender {
            handle: Arc::new(Handle {
                #[cfg(target_arch = "wasm32")]
                page: page::PageListeners::install(Arc::downgrade(&shared)),
                shared,
                spool: None,
            }),
        }
    }

    /// A batching sender whose events go through `spool`, a queue on disk:
    /// `send` returns once its event is durable, and events left by an
    /// earlier run are delivered first. See [`Spool`]. Must be called
    /// within a Tokio runtime, as [`sender`](Self::sender).
    #[cfg(feature = "spool")]
    #[cfg_attr(docsrs, doc(cfg(feature = "spool")))]
    pub fn spooled_sender(&self, config: SenderConfig, spool: Spool) -> Sender {
        let shared = self.start_sender(spool.adapt(config));
        let spool = spool.attach(&shared);
        Sender {
            handle: Arc::new(Handle {
                shared,
                spool: Some(spool),
            }),
        }
    }

    fn start_sender(&self, config: SenderConfig) -> Arc<Shared> {
        let runtime = Runtime::current();
        let mut queue = Queue::new(
            config.max_batch_events.min(config.queue_capacity),
            config.max_batch_bytes,
            config.max_delay,
        );
        if runtime.is_err() {
            queue.close();
        }
        let context = self.transport().validation_context(&config.options);
        let shared = Arc::new(Shared {
            client: self.clone(),
            clock: clock::Clock::new(context),
            capacity: Semaphore::new(config.queue_capacity),
            config,
            queue: Mutex::new(queue),
            wake: Notify::new(),
            closed: AtomicBool::new(runtime.is_err()),
            cancel: Cancel::default(),
            counters: Counters::default(),
            undelivered: Mutex::new(Vec::new()),
            failing: Mutex::new(()),
            stopped: watch::Sender::new(runtime.is_err()),
            queue_gauge: crate::metrics::QueueGauge::register(),
        });
        match runtime {
            Ok(runtime) => {
                runtime.spawn(dispatch::run(Arc::clone(&shared)));
                runtime.spawn(clock::tick(Arc::downgrade(&shared), Shared::running_clock));
            }
            Err(_) => {
                shared.capacity.close();
                tracing::error!(
                    "Client::sender was called outside a Tokio runtime: the sender refuses every event"
                );
            }
        }
        shared
    }
}

/// Where a sender's tasks run: natively the tokio runtime of the caller
/// (none outside one), in the browser the page's task queue (always there).
struct Runtime(#[cfg(not(target_arch = "wasm32"))] tokio::runtime::Handle);

impl Runtime {
    #[cfg(not(target_arch = "wasm32"))]
    fn current() -> Result<Self, tokio::runtime::TryCurrentError> {
        tokio::runtime::Handle::try_current().map(Runtime)
    }

    #[cfg(target_arch = "wasm32")]
    fn current() -> Result<Self, std::convert::Infallible> {
        Ok(Runtime())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        self.0.spawn(task);
    }

    #[cfg(target_arch = "wasm32")]
    fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        platform::spawn(task);
    }
}

/// Sends events in batches from any number of tasks; see the [module
/// documentation](self). Cheap to clone: clones feed the same queue.
///
/// Dropping the last clone without [`shutdown`](Self::shutdown) logs a
/// warning with the number of events still pending; those are still
/// delivered in the background while the runtime runs, but nothing waits
/// for them or reports on them.
#[derive(Clone)]
pub struct Sender {
    handle: Arc<Handle>,
}

/// The part every clone shares; its drop is the last clone's.
struct Handle {
    shared: Arc<Shared>,
    /// The queue on disk, for a spooled sender.
    spool: Option<Arc<Spooled>>,
    /// In the browser: what sends the queue when the page is hidden or left.
    #[cfg(target_arch = "wasm32")]
    #[allow(dead_code)] // Held for its listeners; dropping it removes them.
    page: Option<page::PageListeners>,
}

impl Handle {
    /// Takes no more events; those taken are still delivered (with a
    /// spool, the sender closes once the spool has fed it everything).
    fn close(&self) {
        match &self.spool {
            Some(spool) => spool.close(),
            None => self.shared.close(),
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let shared = &self.shared;
        if shared.closed.swap(true, SeqCst) {
            return;
        }
        let pending = shared.counters.snapshot().pending();
        if pending > 0 {
            tracing::warn!(
                pending,
                "an Insights event sender was dropped without shutdown() while {pending} events were pending: they are still sent in the background, but nothing waits for them"
            );
        }
        self.close();
    }
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("stats", &self.stats())
            .field("closed", &self.is_closed())
            .field("config", &self.handle.shared.config)
            .finish()
    }
}

impl Sender {
    /// Validates and serializes `event`, then queues it, waiting while the
    /// sender holds [`queue_capacity`](SenderConfig::queue_capacity) events.
    /// Returns once the event is queued, not delivered: see
    /// [`flush`](Self::flush). With a [`Spool`], returns once the event is
    /// durable in it, and waits while the spool is at its cap.
    ///
    /// The work is done when `send` is called: an event that finds room is
    /// queued at once, even if the future is never awaited. Only waiting for
    /// room happens in the future; dropping it then leaves the event out.
    ///
    /// # Errors
    ///
    /// The event, handed back: [`SendError::Invalid`] when it breaks the
    /// spec's rules (it would make the API reject its whole batch), or
    /// [`SendError::Closed`] once the sender is shut down (with a spool,
    /// also when a shutdown gave up before the event was written: it is
    /// then in the report's `undelivered` too).
    pub fn send<'s, 'e, E: IntoEvent<'e>>(
        &'s self,
        event: E,
    ) -> impl Future<Output = Result<(), SendError>> + Send + use<'s, 'e, E> {
        // Everything but the wait for room happens here, before the future
        // exists: the event is moved into the future only when it must wait.
        // A wait is a future of its own, allocated: the one returned stays
        // a few words, which every `send` moves and polls, instead of
        // carrying an event and a wait in its state.
        let event = event.into_event();
        let ready = match self.prepare(&event) {
            Prepared::Queued => Ok(Ok(())),
            Prepared::Spooled(number) => Err(Box::pin(self.wait(Wait::Durable(number, event)))),
            Prepared::Invalid(errors) => Ok(Err(SendError::invalid(event, errors))),
            Prepared::Closed => Ok(Err(SendError::Closed(owned(event)))),
            Prepared::Full(json) => Err(Box::pin(self.wait(Wait::Room(json, event)))),
        };
        async move {
            match ready {
                Ok(result) => result,
                Err(waiting) => waiting.await,
            }
        }
    }

    /// What `send` does when it has to wait: for room, or until the event
    /// is durable; the event is handed back if the sender closes first.
    async fn wait(&self, wait: Wait<'_>) -> Result<(), SendError> {
        match wait {
            Wait::Room(json, event) => match self.wait_and_enqueue(json).await {
                true => Ok(()),
                false => Err(SendError::Closed(owned(event))),
            },
            Wait::Durable(number, event) => match self.durable(number).await {
                true => Ok(()),
                false => Err(SendError::Closed(owned(event))),
            },
        }
    }

    /// The slow path of `send`: waits for room in the queue (with a spool,
    /// in the spool, then until the event is durable); `false` when the
    /// sender closed first.
    async fn wait_and_enqueue(&self, json: Vec<u8>) -> bool {
        let shared = &self.handle.shared;
        if let Some(spool) = &self.handle.spool {
            return spool.wait_and_append(json).await;
        }
        // The batch being filled may be all that holds the room: send it.
        shared.wake.notify_one();
        match shared.capacity.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_closed) => return false,
        }
        self.push(&json)
    }

    /// With a spool, waits until event `number` is durable; `false` when
    /// the spool stopped first.
    async fn durable(&self, number: u64) -> bool {
        match &self.handle.spool {
            Some(spool) => spool.durable(number).await,
            None => true,
        }
    }

    /// Like [`send`](Self::send), but fails at once instead of waiting when
    /// the queue is full. With a [`Spool`], returns before the event is
    /// durable (it is within the spool's
    /// [`sync_interval`](SpoolConfig::sync_interval)): [`sync`](Self::sync)
    /// waits for it.
    ///
    /// # Errors
    ///
    /// The event, handed back: [`SendError::Full`] when the sender holds
    /// [`queue_capacity`](SenderConfig::queue_capacity) events, else as `send`.
    pub fn try_send<'e>(&self, event: impl IntoEvent<'e>) -> Result<(), SendError> {
        let event = event.into_event();
        match self.prepare(&event) {
            Prepared::Queued | Prepared::Spooled(_) => Ok(()),
            Prepared::Invalid(errors) => Err(SendError::invalid(event, errors)),
            Prepared::Closed => Err(SendError::Closed(owned(event))),
            Prepared::Full(_) => Err(SendError::Full(owned(event))),
        }
    }

    /// Sends an event given as JSON text (one object, as the API takes it:
    /// forwarded from a browser, read from a file) without serializing it
    /// again: the text is read into [`EventsItems`] with the crate's reader
    /// (unknown fields and duplicate keys refused, errors with their path),
    /// checked as [`send`](Self::send) checks an event, and queued as it is
    /// (white space around it trimmed). Waits as `send` waits.
    ///
    /// # Errors
    ///
    /// [`SendJsonError::Decode`] when the text is not one event,
    /// [`SendJsonError::Invalid`] when the event breaks the spec's rules,
    /// [`SendJsonError::Closed`] once the sender is shut down.
    pub async fn send_json(&self, json: &str) -> Result<(), SendJsonError> {
        match self.prepare_json(json)? {
            Prepared::Queued => Ok(()),
            Prepared::Spooled(number) => match self.durable(number).await {
                true => Ok(()),
                false => Err(SendJsonError::Closed),
            },
            Prepared::Invalid(errors) => Err(SendJsonError::Invalid(errors)),
            Prepared::Closed => Err(SendJsonError::Closed),
            Prepared::Full(json) => match self.wait_and_enqueue(json).await {
                true => Ok(()),
                false => Err(SendJsonError::Closed),
            },
        }
    }

    /// Like [`send_json`](Self::send_json), but fails at once instead of
    /// waiting when the queue is full (with a spool, returns before the
    /// event is durable, as [`try_send`](Self::try_send)).
    ///
    /// # Errors
    ///
    /// As `send_json`, and [`SendJsonError::Full`] when the sender holds
    /// [`queue_capacity`](SenderConfig::queue_capacity) events.
    pub fn try_send_json(&self, json: &str) -> Result<(), SendJsonError> {
        match self.prepare_json(json)? {
            Prepared::Queued | Prepared::Spooled(_) => Ok(()),
            Prepared::Invalid(errors) => Err(SendJsonError::Invalid(errors)),
            Prepared::Closed => Err(SendJsonError::Closed),
            Prepared::Full(_) => Err(SendJsonError::Full),
        }
    }

    /// Reads and checks an event's JSON text, and queues the text if there is room.
    fn prepare_json(&self, json: &str) -> Result<Prepared, SendJsonError> {
        let shared = &self.handle.shared;
        let context = shared.clock.context();
        match checked::json_text(json, &context, shared.config.max_batch_bytes) {
            Ok(text) => Ok(self.admit(text.as_bytes())),
            Err(checked::TextRefused::Decode(error)) => Err(SendJsonError::Decode(error)),
            Err(checked::TextRefused::Invalid(errors)) => Err(SendJsonError::Invalid(errors)),
        }
    }

    /// Checks the event as the client checks a request, serializes it once
    /// (these bytes are what gets sent), and queues it if there is room.
    fn prepare(&self, event: &EventsItems) -> Prepared {
        let shared = &self.handle.shared;
        let context = shared.clock.context();
        let max = shared.config.max_batch_bytes;
        // Serialized into a buffer the thread keeps, then copied straight
        // into the batch being filled: no allocation per event.
        SCRATCH.with_borrow_mut(|scratch| {
            let prepared = match checked::event_json(event, &context, max, scratch) {
                Ok(()) => self.admit(scratch),
                Err(errors) => Prepared::Invalid(errors),
            };
            if scratch.capacity() > SCRATCH_KEPT {
                *scratch = Vec::new();
            }
            prepared
        })
    }

    /// Queues a checked event's JSON if there is room.
    fn admit(&self, json: &[u8]) -> Prepared {
        let shared = &self.handle.shared;
        if let Some(spool) = &self.handle.spool {
            return match spool.admit(json) {
                Admitted::Taken(number) => Prepared::Spooled(number),
                Admitted::Full => Prepared::Full(json.to_vec()),
                Admitted::Closed => Prepared::Closed,
            };
        }
        match shared.capacity.try_acquire() {
            Ok(permit) => {
                permit.forget();
                if self.push(json) {
                    Prepared::Queued
                } else {
                    Prepared::Closed
                }
            }
            Err(TryAcquireError::NoPermits) => Prepared::Full(json.to_vec()),
            Err(TryAcquireError::Closed) => Prepared::Closed,
        }
    }

    /// Appends an event whose capacity permit is taken to the batch being
    /// filled; `false` (and the permit given back) when the sender is closed.
    fn push(&self, json: &[u8]) -> bool {
        self.handle.shared.push(json)
    }

    /// Returns once every event queued before the call is delivered or has
    /// failed (and gone to the failure handler), or once a shutdown gave it
    /// up. The batch being filled is sent at once. With a [`Spool`]: once
    /// every event taken before the call is settled, and that is recorded
    /// in the spool.
    pub async fn flush(&self) {
        if let Some(spool) = &self.handle.spool {
            return spool.flush().await;
        }
        let shared = &self.handle.shared;
        let (done, settled) = oneshot::channel();
        shared.queue().flush(done);
        shared.wake.notify_one();
        // An error means the sender stopped: nothing is left to wait for.
        let _ = settled.await;
    }

    /// With a [`Spool`]: waits until every event taken before the call is
    /// durable, and says whether they are: `false` when the spool stopped
    /// first (those not written are in the shutdown's report), and at once
    /// without a spool, where no event is ever on disk. `send` waits for
    /// this itself; it is for events given to [`try_send`](Self::try_send).
    pub async fn sync(&self) -> bool {
        match &self.handle.spool {
            Some(spool) => spool.sync().await,
            None => false,
        }
    }

    /// Stops taking events, delivers those queued and in flight, and
    /// returns once they are settled or `deadline` has passed. Then the
    /// sender stops, giving up what is left: those events are in the
    /// report. Every clone is shut down; calling it again returns at once.
    ///
    /// With a [`Spool`], what it holds is delivered too, until the
    /// deadline; what is left stays in the spool for the next start
    /// ([`ShutdownReport::spooled`]), and `undelivered` only has the events
    /// that could not be written at all (the disk refused them).
    pub async fn shutdown(&self, deadline: Duration) -> ShutdownReport {
        let shared = &self.handle.shared;
        let started = platform::Instant::now();
        shared.closed.store(true, SeqCst);
        self.handle.close();
        let mut stopped = shared.stopped.subscribe();
        let settled = platform::timeout(deadline, stopped.wait_for(|stopped| *stopped))
            .await
            .is_ok();
        if !settled {
            shared.cancel.cancel();
            if let Some(spool) = &self.handle.spool {
                spool.abandon();
            }
            if platform::timeout(STOP_GRACE, stopped.wait_for(|stopped| *stopped))
                .await
                .is_err()
            {
                tracing::warn!("the sender's tasks did not stop: is the runtime shutting down?");
            }
        }
        let mut undelivered = std::mem::take(
            &mut *shared
                .undelivered
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut spooled = 0;
        if let Some(spool) = &self.handle.spool {
            // What the sender gave up is still in the spool.
            let left = deadline
                .saturating_sub(started.elapsed())
                .saturating_add(STOP_GRACE);
            let (given_up, left) = spool.finish(left).await;
            undelivered = given_up
                .into_iter()
                .map(|(sequence, json)| UndeliveredEvent {
                    sequence,
                    json,
                    maybe_received: false,
                })
                .collect();
            spooled = left;
        }
        ShutdownReport {
            deadline_passed: !settled,
            undelivered,
            spooled,
            stats: self.stats(),
        }
    }

    /// The counters, now. Each is read on its own while events move, so
    /// they add up exactly only when the sender is idle.
    pub fn stats(&self) -> SenderStats {
        let mut stats = self.handle.shared.counters.snapshot();
        if let Some(spool) = &self.handle.spool {
            stats.spooled = spool.unsettled();
            stats.spool_bytes_written = spool.written();
            stats.spool_bytes_read = spool.bytes_read();
            stats.spool_lost = spool.lost();
        }
        stats
    }

    /// Whether the sender refuses new events (it was shut down).
    pub fn is_closed(&self) -> bool {
        self.handle.shared.closed.load(SeqCst)
    }
}

/// Where `send` got with an event.
enum Prepared {
    Queued,
    /// Taken by the spool, numbered; not yet durable.
    Spooled(u64),
    Invalid(ValidationErrors),
    /// No room: the event's JSON, to queue once there is.
    Full(Vec<u8>),
    Closed,
}

/// What a `send` waits for.
enum Wait<'e> {
    /// Room: the event's JSON, to queue once there is.
    Room(Vec<u8>, Cow<'e, EventsItems>),
    /// The spool to make this event durable.
    Durable(u64, Cow<'e, EventsItems>),
}

/// An event to hand back in an error: a lent one is cloned, only now.
pub(crate) fn owned(event: Cow<'_, EventsItems>) -> Box<EventsItems> {
    Box::new(event.into_owned())
}

/// What a [`Sender`] has done with the events given to it, in events.
///
/// `enqueued = delivered + failed + abandoned + in_flight + queue_depth`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SenderStats {
    /// Taken by `send` or `try_send`.
    pub enqueued: u64,
    /// Accepted by the API.
    pub delivered: u64,
    /// Sent again after a retryable failure (an event sent three times counts twice).
    pub retried: u64,
    /// Requests made: batches, their retries, and the halves of rejected
    /// batches. Each goes through the client's host failover, which may
    /// try more than one host.
    pub requests: u64,
    /// Given to the failure handler: rejected by the API, or out of retries.
    pub failed: u64,
    /// Given up by a shutdown whose deadline passed (in its report).
    pub abandoned: u64,
    /// In batches being sent.
    pub in_flight: u64,
    /// Queued, not yet in a batch being sent.
    pub queue_depth: u64,
    /// With a [`Spool`]: events in it, not yet settled (queued, in flight,
    /// or on disk only).
    pub spooled: u64,
    /// With a [`Spool`]: bytes this sender wrote to it (events, their
    /// framing and checksums, and the records of what is settled).
    pub spool_bytes_written: u64,
    /// With a [`Spool`]: bytes this sender read back from it. Events the
    /// sender takes while it keeps up are handed to delivery from memory
    /// once durable, not read back: this counts the rest, such as events
    /// spooled by an earlier run, or too far behind delivery for the
    /// spool's write buffer.
    pub spool_bytes_read: u64,
    /// With a [`Spool`]: events lost to damage on disk found while running
    /// (each also logged at `warn`); what opening found is in its
    /// [`Recovery`].
    pub spool_lost: u64,
}

impl SenderStats {
    /// Events neither delivered nor failed yet: queued or in flight.
    pub fn pending(&self) -> u64 {
        self.queue_depth + self.in_flight
    }
}

/// A request the API accepted: the events it carried, by sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub(crate) sequences: Range<u64>,
}

impl Delivered {
    /// The sequence numbers of its events: consecutive, as every request's are.
    pub fn sequences(&self) -> Range<u64> {
        self.sequences.clone()
    }

    /// How many events it carried.
    pub fn events(&self) -> u64 {
        self.sequences.end - self.sequences.start
    }
}

/// An event the sender could not deliver, with the reason.
///
/// The events of one failed request reach the failure handler one after
/// the other, in order, sharing one error ([`shared_error`](Self::shared_error)).
#[derive(Debug, Clone)]
pub struct FailedEvent {
    sequence: u64,
    json: Bytes,
    error: Arc<Error>,
}

impl FailedEvent {
    /// Its sequence number: the order in which the sender took it (0 for the first).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The event as it was sent (JSON).
    pub fn json(&self) -> &str {
        std::str::from_utf8(&self.json).unwrap_or_default()
    }

    /// The event, parsed back.
    ///
    /// # Errors
    ///
    /// Only if the JSON no longer reads as an event of the spec (the
    /// error names the path of the value).
    pub fn event(&self) -> Result<EventsItems, DecodeError> {
        EventsItems::from_json(self.json())
    }

    /// Why it failed: the API's answer to the request that held it alone
    /// (for a rejected event), or the last failure of its batch.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error, shared by every event of the same failed request.
    pub fn shared_error(&self) -> Arc<Error> {
        Arc::clone(&self.error)
    }
}

/// An event that a shutdown gave up at its deadline.
#[derive(Debug, Clone)]
pub struct UndeliveredEvent {
    sequence: u64,
    json: Bytes,
    maybe_received: bool,
}

impl UndeliveredEvent {
    /// Its sequence number: the order in which the sender took it (0 for the first).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The event (JSON).
    pub fn json(&self) -> &str {
        std::str::from_utf8(&self.json).unwrap_or_default()
    }

    /// The event, parsed back.
    ///
    /// # Errors
    ///
    /// Only if the JSON no longer reads as an event of the spec (the
    /// error names the path of the value).
    pub fn event(&self) -> Result<EventsItems, DecodeError> {
        EventsItems::from_json(self.json())
    }

    /// Whether a request with it went out without an answer: the API may
    /// have recorded it, so sending it again may count it twice.
    pub fn maybe_received(&self) -> bool {
        self.maybe_received
    }
}

/// What [`Sender::shutdown`] did.
#[derive(Debug)]
#[non_exhaustive]
pub struct ShutdownReport {
    /// Whether the deadline passed before everything was settled.
    pub deadline_passed: bool,
    /// The events given up at the deadline (empty when it did not pass).
    pub undelivered: Vec<UndeliveredEvent>,
    /// With a [`Spool`]: the events left in it, delivered by the next
    /// sender opened on it.
    pub spooled: u64,
    /// The counters at the end.
    pub stats: SenderStats,
}

/// Why [`Sender::send`] or [`Sender::try_send`] did not take an event; the
/// event is handed back.
#[derive(Debug)]
#[non_exhaustive]
pub enum SendError {
    /// The event breaks the spec's rules: sent, it would make the API reject its whole batch.
    Invalid {
        /// The event.
        event: Box<EventsItems>,
        /// Every rule it breaks.
        errors: ValidationErrors,
    },
    /// The queue is full (`try_send` only).
    Full(Box<EventsItems>),
    /// The sender is shut down.
    Closed(Box<EventsItems>),
}

/// Why [`Sender::send_json`] or [`Sender::try_send_json`] did not take an
/// event (the caller still has its text).
#[derive(Debug)]
#[non_exhaustive]
pub enum SendJsonError {
    /// The text is not one event: not JSON, or a value that does not fit
    /// (an unknown or missing field, a wrong type), at the error's path.
    Decode(DecodeError),
    /// The event breaks the spec's rules: sent, it would make the API reject its whole batch.
    Invalid(ValidationErrors),
    /// The queue is full (`try_send_json` only).
    Full,
    /// The sender is shut down.
    Closed,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Invalid { errors, .. } => write!(f, "invalid event, not queued: {errors}"),
            SendError::Full(_) => f.write_str("the sender's queue is full"),
            SendError::Closed(_) => f.write_str("the sender is shut down"),
        }
    }
}

impl std::error::Error for SendError {}

impl fmt::Display for SendJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendJsonError::Decode(error) => write!(f, "not an event: {error}"),
            SendJsonError::Invalid(errors) => write!(f, "invalid event, not queued: {errors}"),
            SendJsonError::Full => f.write_str("the sender's queue is full"),
            SendJsonError::Closed => f.write_str("the sender is shut down"),
        }
    }
}

impl std::error::Error for SendJsonError {}

impl SendError {
    fn invalid(event: Cow<'_, EventsItems>, errors: ValidationErrors) -> Self {
        SendError::Invalid {
            event: owned(event),
            errors,
        }
    }

    /// The event that was not taken.
    pub fn event(&self) -> &EventsItems {
        match self {
            SendError::Invalid { event, .. }
            | SendError::Full(event)
            | SendError::Closed(event) => event,
        }
    }

    /// The event that was not taken, owned.
    pub fn into_event(self) -> EventsItems {
        match self {
            SendError::Invalid { event, .. }
            | SendError::Full(event)
            | SendError::Closed(event) => *event,
        }
    }
}
