//! The dispatcher: one task per sender that takes closed batches off the
//! queue and starts a task for each, at most `max_in_flight` at once. It
//! sleeps until the queue has news or the batch being filled is due (its
//! first event has waited `max_delay`), and stops once the sender is closed
//! and everything is sent, or when a shutdown's deadline cancels it.

use super::batch::Batch;
use super::deliver::deliver;
use super::queue::Next;
use super::state::{BatchGuard, Shared};
use crate::metrics;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// The shutdown deadline passed.
struct Cancelled;

/// Sets `stopped` when the dispatcher ends, even when its runtime drops it.
struct StopGuard(Arc<Shared>);

impl Drop for StopGuard {
    fn drop(&mut self) {
        self.0.stopped.send_replace(true);
    }
}

pub(crate) async fn run(shared: Arc<Shared>) {
    let _stop = StopGuard(Arc::clone(&shared));
    // One permit per batch that may be in flight.
    let slots = Arc::new(Semaphore::new(shared.config.max_in_flight));
    if dispatch(&shared, &slots).await.is_err() {
        let events = shared.queue().abandon();
        shared.abandoned_in_queue(events);
    }
    // Cancelled or not, every batch task ends soon: wait for them all.
    let _ = slots.acquire_many(all_slots(&shared)).await;
}

fn all_slots(shared: &Shared) -> u32 {
    u32::try_from(shared.config.max_in_flight).unwrap_or(u32::MAX)
}

async fn dispatch(shared: &Arc<Shared>, slots: &Arc<Semaphore>) -> Result<(), Cancelled> {
    let cancel = &shared.cancel;
    loop {
        // Senders wait for room, and a slot is free: send what there is.
        let starved = shared.capacity.available_permits() == 0 && slots.available_permits() > 0;
        let next = shared.queue().next(Instant::now(), starved);
        match next {
            Next::Send(number, batch) => send(shared, slots, number, batch).await?,
            Next::Wait(due) => {
                let news = shared.wake.notified();
                let woken = match due {
                    Some(due) => cancel
                        .or_cancelled(tokio::time::timeout_at(due, news))
                        .await
                        .map(drop),
                    None => cancel.or_cancelled(news).await,
                };
                woken.ok_or(Cancelled)?;
            }
            Next::Done => {
                let all_settled = slots.acquire_many(all_slots(shared));
                return cancel
                    .or_cancelled(all_settled)
                    .await
                    .map(drop)
                    .ok_or(Cancelled);
            }
        }
    }
}

/// Counts a batch in flight until its task ends, however it ends.
struct InFlight;

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::batch_ended();
    }
}

/// Starts a task for a batch, once a slot is free.
async fn send(
    shared: &Arc<Shared>,
    slots: &Arc<Semaphore>,
    number: u64,
    batch: Batch,
) -> Result<(), Cancelled> {
    let guard = BatchGuard {
        shared: Arc::clone(shared),
        number,
    };
    let slot = shared
        .cancel
        .or_cancelled(Arc::clone(slots).acquire_owned())
        .await
        .and_then(Result::ok);
    let Some(slot) = slot else {
        shared.abandoned_in_queue(batch.events().collect());
        return Err(Cancelled);
    };
    shared
        .counters
        .dispatched
        .fetch_add(batch.len() as u64, SeqCst);
    shared.queue_gauge.changed(-(batch.len() as isize));
    metrics::batch_started(batch.len());
    let in_flight = InFlight;
    tokio::spawn(async move {
        let _slot = slot;
        let _in_flight = in_flight;
        deliver(&guard.shared, batch).await;
        drop(guard);
    });
    Ok(())
}
