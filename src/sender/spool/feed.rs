//! The feeder: reads durable events back from the spool, in order, into
//! the sender's queue, waiting for room there so that memory stays bounded
//! however much the spool holds. The sender reports each event settled
//! (its request accepted, or the event rejected) to the spool through the
//! handlers the spool adds to its configuration.

use super::log::Log;
use super::reader::{Chunk, Reader};
use crate::sender::state::Shared;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the feeder waits before reading again after a read failed.
const READ_RETRY: Duration = Duration::from_millis(200);
/// Reads that fail in a row before the segment read is taken as
/// unreadable (a bad sector, a file replaced by something that is not
/// one): its unread events are lost, and reading goes on with the next
/// segment instead of stopping every delivery behind it.
const UNREADABLE_AFTER: u32 = 5;
/// At most so many events go into the queue under one lock, so that the
/// dispatcher never waits long for it.
const PUSH_AT_ONCE: usize = 1024;

pub(crate) async fn feed(shared: Arc<Shared>, log: Arc<Log>, mut reader: Reader) {
    let mut chunk = Some(Chunk::default());
    let mut flushed = 0;
    // The sender numbers events in the order it takes them; a spool's
    // numbers go on across restarts, and the sender takes them over.
    let mut expected = None;
    let mut failures = 0;
    loop {
        if shared.cancel.is_cancelled() {
            return;
        }
        if !reader.caught_up(&log) {
            let (mut r, mut c) = (reader, chunk.take().expect("the chunk"));
            let read_log = Arc::clone(&log);
            let read = tokio::task::spawn_blocking(move || {
                let result = r.read(&read_log, &mut c);
                (r, c, result)
            })
            .await;
            let Ok((r, c, result)) = read else {
                tracing::error!("the spool's reader panicked: its events stay in the spool");
                return;
            };
            reader = r;
            log.bytes_read.store(reader.file_bytes(), SeqCst);
            let c = chunk.insert(c);
            settle_lost(&log, c);
            // What was read before a failure is the reader's past: it goes
            // to the queue now, or it would wait for the next run.
            if !push(&shared, c, &mut expected).await {
                return;
            }
            match result {
                Ok(()) => failures = 0,
                Err(error) if failures + 1 >= UNREADABLE_AFTER => {
                    tracing::error!(error = %error, dir = %log.dir.display(), "a spool file cannot be read: its events not read yet are lost");
                    reader.skip_unreadable(&log, c);
                    settle_lost(&log, c);
                    failures = 0;
                }
                Err(error) => {
                    failures += 1;
                    tracing::error!(error = %error, dir = %log.dir.display(), "reading the spool failed: trying again");
                    let slept = shared.cancel.or_cancelled(tokio::time::sleep(READ_RETRY));
                    if slept.await.is_none() {
                        return;
                    }
                    continue;
                }
            }
        }

        let (closing, next, flush_target) = {
            let mut state = log.state();
            let flush_target = state.waiting_flushes().last().copied();
            (state.closing, state.next, flush_target.unwrap_or(0))
        };
        let durable = *log.durable.borrow();
        let read_all = reader.caught_up(&log);
        if flush_target > flushed && reader.has_read_below(flush_target) {
            // A flush waits, and every event it waits for is in the queue
            // (read only once durable): the batch being filled goes now.
            // (Before the last of them is read, it would go without them,
            // and they would wait for the batch's delay.)
            let (answer, _) = oneshot::channel();
            shared.queue().flush(answer);
            shared.wake.notify_one();
            flushed = flush_target;
        }
        if closing && read_all && durable >= next {
            // Everything is in the queue: the sender closes once it is sent,
            // and then the spool writes what was settled last, and stops.
            shared.close();
            let mut stopped = shared.stopped.subscribe();
            let _ = stopped.wait_for(|stopped| *stopped).await;
            log.finish();
            return;
        }
        if !read_all {
            continue;
        }
        if shared
            .cancel
            .or_cancelled(log.feeder.notified())
            .await
            .is_none()
        {
            return;
        }
    }
}

/// Damage met while reading: reported, and the events it destroyed
/// settled as lost, so that no flush or shutdown waits for them. Damage
/// found when the spool was opened (reported then, its events settled
/// already) is only mentioned at `debug`.
fn settle_lost(log: &Log, chunk: &Chunk) {
    for (path, stretch) in &chunk.damaged {
        if chunk.lost.is_empty() {
            tracing::debug!(
                file = %path.display(),
                offset = stretch.offset,
                bytes = stretch.bytes,
                "a damaged stretch of a spool file, reported at opening, was skipped"
            );
        } else {
            tracing::warn!(
                file = %path.display(),
                offset = stretch.offset,
                bytes = stretch.bytes,
                reason = stretch.reason,
                "a damaged stretch of a spool file was skipped: reading goes on at the next valid record"
            );
        }
    }
    if !chunk.lost.is_empty() {
        crate::metrics::spool_damaged_records(chunk.damaged.len().max(1) as u64);
    }
    for lost in &chunk.lost {
        tracing::warn!(
            sequences = ?lost,
            dir = %log.dir.display(),
            "spooled events were lost to damage on disk"
        );
        log.lose(lost.clone());
    }
}

/// Pushes a chunk's events into the sender's queue as it has room, as
/// many at once as it has (one lock and one permit count for them, not one
/// per event); `false` when the sender stopped.
async fn push(shared: &Shared, chunk: &Chunk, expected: &mut Option<u64>) -> bool {
    let mut events = chunk.events.iter();
    while events.len() > 0 {
        let Some(room) = room(shared, events.len().min(PUSH_AT_ONCE)).await else {
            return false;
        };
        let taken = events
            .by_ref()
            .take(room)
            .map(|(number, range)| (*number, &chunk.buf[range.clone()]));
        if !shared.push_numbered(taken, expected) {
            return false;
        }
    }
    true
}

/// Takes room in the queue for up to `wanted` events (at least one,
/// waiting for it when there is none): how many; `None` when the sender
/// stopped.
async fn room(shared: &Shared, wanted: usize) -> Option<usize> {
    if shared.capacity.available_permits() == 0 {
        // Sending the batch being filled is what makes room.
        shared.wake.notify_one();
    }
    let first = shared
        .cancel
        .or_cancelled(shared.capacity.acquire())
        .await?;
    first.ok()?.forget();
    // `wanted` is at most `PUSH_AT_ONCE`: it fits a `u32`.
    let more = shared.capacity.available_permits().min(wanted - 1) as u32;
    match shared.capacity.try_acquire_many(more) {
        Ok(permits) if more > 0 => {
            permits.forget();
            Some(1 + more as usize)
        }
        // None wanted, or taken by someone else since: one will do.
        _ => Some(1),
    }
}
