//! A sender fed from outside the crate's public API: the JetStream
//! forwarder (feature `nats`) puts the messages it pulls into a sender's
//! queue, as the spool's feeder does with what it reads back, and learns
//! each outcome through the handlers on the sender's configuration. The
//! batching, isolation of rejected events and retries stay the sender's.

use super::state::Shared;
use super::{Sender, SenderConfig};
use std::sync::Arc;
use tokio::sync::TryAcquireError;

/// The feeding side of a sender started with [`fed_sender`]: one task
/// feeds it, and each event it pushes gets the next sequence number, from 0.
pub(crate) struct Feed {
    shared: Arc<Shared>,
    next: u64,
}

/// A sender with `config` and the handle that feeds it; `Sender`'s own
/// `send` is not used on it (events come only through the feed, so that
/// their numbers are the feed's).
pub(crate) fn fed_sender(client: &crate::Client, config: SenderConfig) -> (Sender, Feed) {
    let sender = client.sender(config);
    let feed = Feed {
        shared: Arc::clone(&sender.handle.shared),
        next: 0,
    };
    (sender, feed)
}

impl Feed {
    /// Waits until the sender has room for at least one event, and takes
    /// room for up to `most`: how many were taken, or `None` when the
    /// sender closed. Room not used must be given back with [`release`](Self::release).
    pub async fn reserve(&self, most: u32) -> Option<u32> {
        let shared = &self.shared;
        let first = match shared.capacity.try_acquire() {
            Ok(permit) => permit,
            Err(TryAcquireError::Closed) => return None,
            Err(TryAcquireError::NoPermits) => {
                // The batch being filled may be all that holds the room.
                shared.wake.notify_one();
                shared.capacity.acquire().await.ok()?
            }
        };
        first.forget();
        let available = u32::try_from(shared.capacity.available_permits()).unwrap_or(u32::MAX);
        let more = most.saturating_sub(1).min(available);
        if more > 0 {
            if let Ok(permits) = shared.capacity.try_acquire_many(more) {
                permits.forget();
                return Some(1 + more);
            }
        }
        Some(1)
    }

    /// Gives back room taken by [`reserve`](Self::reserve) and not used.
    pub fn release(&self, n: u32) {
        self.shared.capacity.add_permits(n as usize);
    }

    /// Queues an event for which room was reserved: its sequence number,
    /// or `None` (and the room given back) when the sender is closed.
    pub fn push(&mut self, json: &[u8]) -> Option<u64> {
        if !self.shared.push(json) {
            return None;
        }
        let number = self.next;
        self.next += 1;
        Some(number)
    }

    /// The sequence number the next event pushed gets.
    pub fn next_sequence(&self) -> u64 {
        self.next
    }

    /// Sends the batch being filled now, without waiting for its delay.
    pub fn hurry(&self) {
        if self.shared.queue().close_batch() {
            self.shared.wake.notify_one();
        }
    }
}
