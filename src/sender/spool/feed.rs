//! Between the spool and the in-memory sender: the feeder reads durable
//! events back, in order, into the sender's queue (waiting for room there,
//! so memory stays bounded however much the spool holds), and marks the
//! queue every batch or `max_delay`; the settler waits for each mark to be
//! settled (every event before it delivered or rejected) and records it,
//! so that the writer can delete the segments behind it.

use super::log::Log;
use super::reader::{Chunk, Reader};
use crate::sender::state::Shared;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, TryAcquireError};
use tokio::time::Instant;

/// A point in the queue: every event numbered below `below` was pushed
/// before it, and `settled` answers once they all are.
pub(crate) struct Mark {
    below: u64,
    settled: oneshot::Receiver<()>,
}

/// How long the feeder waits before reading again after a read failed.
const READ_RETRY: Duration = Duration::from_millis(200);

pub(crate) async fn feed(shared: Arc<Shared>, log: Arc<Log>, marks: mpsc::UnboundedSender<Mark>) {
    let settled = log.state().settled;
    let mut reader = Some(Reader::new(&log, settled));
    let mut chunk = Some(Chunk::default());
    let max_events = shared.config.max_batch_events;
    let max_delay = shared.config.max_delay;
    // Events pushed since the last mark, and when the first of them was.
    let mut unmarked = 0;
    let mut since: Option<Instant> = None;
    let mut pushed_below = settled;
    let mut marked_below = settled;
    // The sender numbers events in the order it takes them; a spool's
    // numbers go on across restarts, and the sender takes them over.
    let mut expected = None;
    loop {
        if shared.cancel.is_cancelled() {
            return;
        }
        let durable = *log.durable.borrow();
        let read_from = reader.as_ref().map_or(0, |r| r.next);
        if read_from < durable {
            let (mut r, mut c) = (reader.take(), chunk.take());
            let read_log = Arc::clone(&log);
            let read = tokio::task::spawn_blocking(move || {
                let result = r
                    .as_mut()
                    .expect("the reader")
                    .read(&read_log, c.as_mut().expect("the chunk"));
                (r, c, result)
            })
            .await;
            let Ok((r, c, result)) = read else {
                tracing::error!("the spool's reader panicked: its events stay in the spool");
                return;
            };
            (reader, chunk) = (r, c);
            let c = chunk.as_ref().expect("the chunk");
            if let Err(error) = result {
                tracing::error!(error = %error, dir = %log.dir.display(), "reading the spool failed: trying again");
                if shared
                    .cancel
                    .or_cancelled(tokio::time::sleep(READ_RETRY))
                    .await
                    .is_none()
                {
                    return;
                }
                continue;
            }
            for (number, range) in &c.events {
                if expected != Some(*number) {
                    shared.queue().renumber(*number);
                }
                expected = Some(number + 1);
                if !push(&shared, &c.buf[range.clone()]).await {
                    return;
                }
                unmarked += 1;
                since.get_or_insert_with(Instant::now);
            }
            pushed_below = c.end;
        }

        let (closing, next, flush_target) = {
            let state = log.state();
            (state.closing, state.next, state.flush_target)
        };
        let durable = *log.durable.borrow();
        let read_all = reader.as_ref().map_or(0, |r| r.next) >= durable;
        let done = closing && read_all && durable >= next;
        let due = since.map(|since| since + max_delay);
        let mark_now = unmarked >= max_events
            || due.is_some_and(|due| due <= Instant::now())
            || flush_target > marked_below
            || done;
        if mark_now && pushed_below > marked_below {
            let (answer, settled) = oneshot::channel();
            shared.queue().flush(answer);
            shared.wake.notify_one();
            if marks
                .send(Mark {
                    below: pushed_below,
                    settled,
                })
                .is_err()
            {
                return;
            }
            marked_below = pushed_below;
            unmarked = 0;
            since = None;
        }
        if done {
            // Everything is in the queue: the sender closes once it is sent.
            shared.close();
            return;
        }
        if !read_all {
            continue;
        }
        let news = log.feeder.notified();
        let woken = match since.map(|since| since + max_delay) {
            Some(due) => shared
                .cancel
                .or_cancelled(tokio::time::timeout_at(due, news))
                .await
                .map(drop),
            None => shared.cancel.or_cancelled(news).await,
        };
        if woken.is_none() {
            return;
        }
    }
}

/// Pushes one event into the sender's queue once it has room; `false` when
/// the sender stopped.
async fn push(shared: &Shared, json: &[u8]) -> bool {
    match shared.capacity.try_acquire() {
        Ok(permit) => permit.forget(),
        Err(TryAcquireError::Closed) => return false,
        Err(TryAcquireError::NoPermits) => {
            shared.wake.notify_one();
            match shared.cancel.or_cancelled(shared.capacity.acquire()).await {
                Some(Ok(permit)) => permit.forget(),
                _ => return false,
            }
        }
    }
    shared.push(json)
}

/// Records each mark once its events are settled, dead letters first.
pub(crate) async fn settle(
    shared: Arc<Shared>,
    log: Arc<Log>,
    dead_letter: Option<Arc<DeadLetter>>,
    mut marks: mpsc::UnboundedReceiver<Mark>,
) {
    while let Some(mark) = marks.recv().await {
        let _ = mark.settled.await;
        // A shutdown's deadline settles what it gives up too: those events
        // stay in the spool, for the next start.
        if shared.cancel.is_cancelled() {
            break;
        }
        if let Some(dead_letter) = &dead_letter {
            if dead_letter.dirty.load(SeqCst) {
                let dead_letter = Arc::clone(dead_letter);
                let _ = tokio::task::spawn_blocking(move || dead_letter.sync()).await;
            }
        }
        log.settle(mark.below);
    }
    log.finish();
}

/// The file that keeps the events the API rejected, one JSON per line.
pub(crate) struct DeadLetter {
    pub path: PathBuf,
    file: Mutex<BufWriter<std::fs::File>>,
    dirty: AtomicBool,
}

impl DeadLetter {
    pub fn open(path: PathBuf) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        Ok(DeadLetter {
            path,
            file: Mutex::new(BufWriter::new(file)),
            dirty: AtomicBool::new(false),
        })
    }

    pub fn write(&self, json: &str) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let written = file
            .write_all(json.as_bytes())
            .and_then(|()| file.write_all(b"\n"));
        self.dirty.store(true, SeqCst);
        if let Err(error) = written {
            tracing::error!(path = %self.path.display(), error = %error, event = json, "could not write a rejected event to the dead-letter file");
        }
    }

    /// Makes what was written durable.
    pub fn sync(&self) {
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        self.dirty.store(false, SeqCst);
        let synced = file.flush().and_then(|()| file.get_ref().sync_data());
        if let Err(error) = synced {
            tracing::error!(path = %self.path.display(), error = %error, "could not sync the dead-letter file");
        }
    }
}
