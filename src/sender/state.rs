//! What the handles, the dispatcher and the batch tasks of one sender share:
//! the queue, the counters, the capacity that bounds memory, the
//! cancellation that ends a shutdown, and the settling of each event
//! (delivered, failed or abandoned).

use super::batch::Batch;
use super::clock::Clock;
use super::config::SenderConfig;
use super::queue::Queue;
use super::{Delivered, FailedEvent, SenderStats, UndeliveredEvent};
use crate::error::Error;
use crate::metrics::{self, EventOutcome};
use crate::operations::Client;
use bytes::Bytes;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;
use tokio::sync::{watch, Notify, Semaphore};

pub(crate) struct Shared {
    pub client: Client,
    pub config: SenderConfig,
    pub clock: Clock,
    pub queue: Mutex<Queue>,
    /// Tells the dispatcher the queue has news.
    pub wake: Notify,
    /// One permit per event the sender may still take: the memory bound.
    pub capacity: Semaphore,
    /// No more events are taken.
    pub closed: AtomicBool,
    pub cancel: Cancel,
    pub counters: Counters,
    /// Events given up at shutdown, for its report.
    pub undelivered: Mutex<Vec<UndeliveredEvent>>,
    /// Held while the events of one failed request go to the failure
    /// handler, so that they reach it one after the other.
    pub failing: Mutex<()>,
    /// Turns true when the dispatcher has stopped.
    pub stopped: watch::Sender<bool>,
    pub queue_gauge: metrics::QueueGauge,
}

/// Monotonic counts of events; the gauges are their differences.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub enqueued: AtomicU64,
    /// Taken out of the queue into a batch in flight (or abandoned from it).
    pub dispatched: AtomicU64,
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    pub abandoned: AtomicU64,
    pub retried: AtomicU64,
    pub requests: AtomicU64,
}

impl Counters {
    /// A snapshot. Each event moves from `enqueued` to `dispatched` to one of
    /// delivered, failed or abandoned, and the counts are read in that
    /// order, each no earlier than the one before: a gauge may lag while
    /// events move (it saturates at 0), but never counts an event twice.
    /// Read the other way round, a batch settled and its room taken again
    /// between two reads would count twice, above the queue's capacity.
    pub fn snapshot(&self) -> SenderStats {
        let enqueued = self.enqueued.load(SeqCst);
        let dispatched = self.dispatched.load(SeqCst);
        let delivered = self.delivered.load(SeqCst);
        let failed = self.failed.load(SeqCst);
        let abandoned = self.abandoned.load(SeqCst);
        let retried = self.retried.load(SeqCst);
        let requests = self.requests.load(SeqCst);
        SenderStats {
            enqueued,
            delivered,
            retried,
            requests,
            failed,
            abandoned,
            in_flight: dispatched.saturating_sub(delivered + failed + abandoned),
            queue_depth: enqueued.saturating_sub(dispatched),
            spooled: 0,
            spool_bytes_written: 0,
            spool_bytes_read: 0,
            spool_lost: 0,
        }
    }
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

impl Shared {
    /// The clock events are checked against, while the sender runs.
    pub fn running_clock(&self) -> Option<&Clock> {
        (!*self.stopped.borrow()).then_some(&self.clock)
    }

    pub fn queue(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn settle(&self, n: usize) {
        self.capacity.add_permits(n);
    }

    /// Keeps the buffers of a batch that is done with for the next batches.
    pub fn recycle(&self, batch: Batch) {
        if let Some(spare) = batch.into_spare() {
            self.queue().recycle(spare);
        }
    }

    /// The API accepted the events of this batch.
    pub fn delivered(&self, batch: &Batch) {
        if let Some(handler) = &self.config.on_delivered {
            let delivered = Delivered {
                sequences: batch.sequences(),
            };
            if catch_unwind(AssertUnwindSafe(|| handler(delivered))).is_err() {
                tracing::error!("the sender's delivery handler panicked");
            }
        }
        self.counters
            .delivered
            .fetch_add(count(batch.len()), SeqCst);
        metrics::events_settled(EventOutcome::Delivered, batch.len());
        self.settle(batch.len());
    }

    /// These events are being sent again.
    pub fn retried(&self, n: usize) {
        self.counters.retried.fetch_add(count(n), SeqCst);
    }

    /// These events cannot be delivered: each goes to the failure handler.
    pub fn failed(&self, batch: &Batch, error: Error) {
        let error = Arc::new(error);
        match &self.config.on_failure {
            Some(handler) => {
                let _one_request_at_a_time =
                    self.failing.lock().unwrap_or_else(PoisonError::into_inner);
                for (sequence, json) in batch.events() {
                    let event = FailedEvent {
                        sequence,
                        json,
                        error: Arc::clone(&error),
                    };
                    if catch_unwind(AssertUnwindSafe(|| handler(event))).is_err() {
                        tracing::error!("the sender's failure handler panicked");
                    }
                }
            }
            None => tracing::error!(
                events = batch.len(),
                error = %error,
                "Insights events could not be delivered (set SenderConfig::on_failure to handle them)"
            ),
        }
        self.counters.failed.fetch_add(count(batch.len()), SeqCst);
        let outcome = if super::deliver::rejects_events(&error) {
            EventOutcome::Rejected
        } else {
            EventOutcome::Failed
        };
        metrics::events_settled(outcome, batch.len());
        self.settle(batch.len());
    }

    /// Events given up at shutdown; `maybe_received` when a request with
    /// them was sent and its answer never came.
    pub fn abandoned(&self, events: impl IntoIterator<Item = (u64, Bytes)>, maybe_received: bool) {
        let mut undelivered = self
            .undelivered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let before = undelivered.len();
        undelivered.extend(events.into_iter().map(|(sequence, json)| UndeliveredEvent {
            sequence,
            json,
            maybe_received,
        }));
        let n = undelivered.len() - before;
        drop(undelivered);
        self.counters.abandoned.fetch_add(count(n), SeqCst);
        metrics::events_settled(EventOutcome::Abandoned, n);
        self.settle(n);
    }

    /// Events given up at shutdown before they left the queue.
    pub fn abandoned_in_queue(&self, events: Vec<(u64, Bytes)>) {
        self.counters
            .dispatched
            .fetch_add(count(events.len()), SeqCst);
        self.queue_gauge.changed(-(events.len() as isize));
        self.abandoned(events, false);
    }
}

impl Shared {
    /// Appends an event whose capacity permit is taken to the batch being
    /// filled; `false` (and the permit given back) when the sender is closed.
    pub fn push(&self, json: &[u8]) -> bool {
        let mut queue = self.queue();
        let Some(news) = queue.push(json) else {
            drop(queue);
            self.capacity.add_permits(1);
            return false;
        };
        // Counted under the lock: never behind the dispatcher's count.
        self.counters.enqueued.fetch_add(1, SeqCst);
        drop(queue);
        self.queue_gauge.changed(1);
        if news {
            self.wake.notify_one();
        }
        true
    }

    /// Appends events whose capacity permits are taken, each with its
    /// number (a spool's numbers may jump: the batch being filled closes
    /// there), under one lock; `expected` is the number that follows the
    /// last event appended. `false` (and the permits of the events not
    /// appended given back) when the sender is closed.
    #[cfg_attr(not(feature = "spool"), allow(dead_code))] // Used by the spool only.
    pub fn push_numbered<'a>(
        &self,
        events: impl ExactSizeIterator<Item = (u64, &'a [u8])>,
        expected: &mut Option<u64>,
    ) -> bool {
        let given = events.len();
        let mut pushed = 0;
        let mut news = false;
        let mut queue = self.queue();
        for (number, json) in events {
            if *expected != Some(number) {
                queue.renumber(number);
            }
            match queue.push(json) {
                Some(more) => news |= more,
                None => break,
            }
            *expected = Some(number + 1);
            pushed += 1;
        }
        self.counters.enqueued.fetch_add(count(pushed), SeqCst);
        drop(queue);
        self.queue_gauge.changed(pushed as isize);
        if news {
            self.wake.notify_one();
        }
        if pushed < given {
            self.capacity.add_permits(given - pushed);
            return false;
        }
        true
    }

    /// Takes no more events; what is queued is still delivered.
    pub fn close(&self) {
        self.capacity.close();
        self.queue().close();
        self.wake.notify_one();
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let stats = self.counters.snapshot();
        let lost = stats.queue_depth + stats.in_flight;
        if lost > 0 {
            tracing::warn!(
                events = lost,
                "an Insights event sender stopped with {lost} events neither delivered nor reported: its runtime shut down before they were sent"
            );
        }
    }
}

/// Marks a batch settled when its task ends, however it ends.
pub(crate) struct BatchGuard {
    pub shared: Arc<Shared>,
    pub number: u64,
}

impl Drop for BatchGuard {
    fn drop(&mut self) {
        self.shared.queue().finish(self.number);
    }
}

/// The signal that ends a shutdown whose deadline has passed.
#[derive(Debug, Default)]
pub(crate) struct Cancel {
    cancelled: AtomicBool,
    notify: Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.cancelled.store(true, SeqCst);
        self.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(SeqCst)
    }

    /// Runs `future` to its end, or until cancelled (`None`): `future` is
    /// not polled once cancelled. Generic only in what it must be; the
    /// waiting for the cancel is [`cancelled`](Self::cancelled), compiled once.
    pub async fn or_cancelled<F: Future>(&self, future: F) -> Option<F::Output> {
        let mut cancelled = pin!(self.cancelled());
        let mut future = pin!(future);
        poll_fn(|cx| {
            if cancelled.as_mut().poll(cx).is_ready() {
                return Poll::Ready(None);
            }
            future.as_mut().poll(cx).map(Some)
        })
        .await
    }

    /// Ends when cancelled (at once if it already was).
    async fn cancelled(&self) {
        let mut notified = pin!(self.notify.notified());
        // Registered before the check: a cancel in between still wakes us.
        notified.as_mut().enable();
        if self.is_cancelled() {
            return;
        }
        notified.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cancelling_ends_a_pending_future() {
        let cancel = Arc::new(Cancel::default());
        assert_eq!(cancel.or_cancelled(async { 7 }).await, Some(7));
        let waiting = {
            let cancel = Arc::clone(&cancel);
            tokio::spawn(async move { cancel.or_cancelled(std::future::pending::<()>()).await })
        };
        tokio::task::yield_now().await;
        cancel.cancel();
        assert_eq!(waiting.await.unwrap(), None);
        assert_eq!(cancel.or_cancelled(async { 7 }).await, None);
    }
}
