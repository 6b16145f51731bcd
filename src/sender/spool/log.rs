//! The state one spool shares between the senders that append events, the
//! writer thread that makes them durable, the feeder that reads them back
//! for delivery, and the task that records which are settled.

use super::dead_letter::DeadLetter;
use super::format;
use super::settled::Settled;
use super::tail::{Tail, Tails};
use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::{watch, Notify};

pub(crate) struct Log {
    pub dir: PathBuf,
    pub sync_interval: Duration,
    pub max_bytes: u64,
    pub segment_bytes: u64,
    pub write_buffer_bytes: usize,
    pub state: Mutex<LogState>,
    /// Wakes the writer thread.
    pub work: Condvar,
    /// Every event numbered below it is durable.
    pub durable: watch::Sender<u64>,
    /// Every event numbered below it is settled, and that is durable too;
    /// `u64::MAX` once the spool stopped settling events.
    pub settled: watch::Sender<u64>,
    /// The writer thread has stopped: events not durable by then never will be.
    pub writer_stopped: AtomicBool,
    /// Space was freed or the write buffer written: appenders may retry.
    pub room: Notify,
    /// Wakes the feeder: new durable events, a flush, or closing.
    pub feeder: Notify,
    /// Held while the spool is open; released when the writer stops.
    pub lock: Mutex<Option<File>>,
    /// Bytes written to the segment files since the spool was opened.
    pub written: std::sync::atomic::AtomicU64,
    /// Bytes the reader read back from them (not found in memory).
    pub bytes_read: std::sync::atomic::AtomicU64,
    /// Events lost to damage found while running (not at opening).
    pub lost: std::sync::atomic::AtomicU64,
    /// Where rejected events go; synced before their settling is written.
    pub dead_letter: Option<Arc<DeadLetter>>,
    /// The events the writer gave up at a shutdown's deadline (never written).
    pub given_up: Mutex<Vec<(u64, bytes::Bytes)>>,
}

pub(crate) struct LogState {
    /// Records taken, not yet written.
    pub pending: Vec<u8>,
    /// The number of the next event appended.
    pub next: u64,
    /// Bytes of the live segment files plus the pending records.
    pub stored: u64,
    /// The live segments, oldest first; the last is the one written to.
    pub segments: VecDeque<Segment>,
    /// The events settled (not all written yet, maybe).
    pub settled: Settled,
    /// The settled mark last written.
    pub settled_written: u64,
    /// Runs settled since the last write.
    pub unwritten_runs: Vec<Range<u64>>,
    /// No more events are taken.
    pub closing: bool,
    /// No more settled marks will come: the writer stops once all is written.
    pub finished: bool,
    /// A shutdown's deadline passed: the writer gives up what it cannot write.
    pub abandon: bool,
    /// The writer waits for work.
    pub writer_idle: bool,
    /// The writer waits out its sync interval: a settling, a flush or
    /// closing wakes it, in case one of them waits for its next write.
    pub writer_pausing: bool,
    /// The targets of the flushes that may still wait: each waits for every
    /// event numbered below its target to be settled, and the feeder hands
    /// them over at once (see [`LogState::waiting_flushes`]).
    pub(super) flush_targets: BTreeSet<u64>,
    /// The writer's last writes, kept for the reader.
    pub tails: Tails,
}

impl LogState {
    /// Adds a flush's target to those that may wait.
    pub fn add_flush(&mut self, target: u64) {
        self.forget_done_flushes();
        self.flush_targets.insert(target);
    }

    /// The targets of the flushes still waiting.
    pub fn waiting_flushes(&mut self) -> &BTreeSet<u64> {
        self.forget_done_flushes();
        &self.flush_targets
    }

    /// Drops the targets at or below the settled mark written: those
    /// flushes are done (or were given up).
    fn forget_done_flushes(&mut self) {
        let done = self.settled_written;
        while self
            .flush_targets
            .first()
            .is_some_and(|&target| target <= done)
        {
            self.flush_targets.pop_first();
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub base: u64,
    pub path: PathBuf,
    /// Bytes written and synced.
    pub durable_len: u64,
    /// The events in those bytes are numbered below this.
    pub durable_next: u64,
}

/// What [`Log::append`] did.
pub(crate) enum Appended {
    /// Taken, numbered.
    Taken(u64),
    /// The spool or its write buffer is at its cap.
    Full,
    Closed,
}

impl Log {
    pub fn state(&self) -> MutexGuard<'_, LogState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes an event's JSON if there is room.
    pub fn append(&self, json: &[u8]) -> Appended {
        let len = format::event_record_len(json.len());
        let mut state = self.state();
        if state.closing {
            return Appended::Closed;
        }
        let over_cap = state.stored + len as u64 > self.max_bytes;
        let over_buffer = state.pending.len() + len > self.write_buffer_bytes;
        if over_cap || over_buffer {
            return Appended::Full;
        }
        let number = state.next;
        format::push_event(&mut state.pending, number, json);
        state.stored += len as u64;
        state.next += 1;
        let wake = std::mem::take(&mut state.writer_idle);
        drop(state);
        if wake {
            self.work.notify_one();
        }
        Appended::Taken(number)
    }

    /// Waits until event `number` is durable: `false` when it never will be
    /// (the writer stopped before writing it).
    pub async fn durable(&self, number: u64) -> bool {
        let mut durable = self.durable.subscribe();
        let reached = durable
            .wait_for(|&d| d > number || self.writer_stopped.load(SeqCst))
            .await
            .map(|d| *d > number);
        reached.unwrap_or(false)
    }

    /// Records that the events numbered `run` are settled.
    pub fn settle(&self, run: Range<u64>) {
        let mut state = self.state();
        state.settled.settle(run.clone());
        state.unwritten_runs.push(run);
        // A pausing writer is woken only when a flush may wait for it.
        let flushing = !state.waiting_flushes().is_empty();
        let wake = std::mem::take(&mut state.writer_idle) || (state.writer_pausing && flushing);
        drop(state);
        if wake {
            self.work.notify_one();
        }
    }

    /// Records that the events numbered `run` were lost to damage: settled,
    /// so that nothing waits for them, and counted.
    pub fn lose(&self, run: Range<u64>) {
        self.lost.fetch_add(run.end - run.start, SeqCst);
        self.settle(run);
    }

    /// Takes no more events; those taken are still written and delivered.
    pub fn close(&self) {
        let mut state = self.state();
        state.closing = true;
        let wake = std::mem::take(&mut state.writer_idle) || state.writer_pausing;
        drop(state);
        if wake {
            self.work.notify_one();
        }
        self.feeder.notify_one();
        self.room.notify_waiters();
    }

    /// No more settled marks: the writer stops once everything is written.
    pub fn finish(&self) {
        let mut state = self.state();
        state.finished = true;
        let wake = std::mem::take(&mut state.writer_idle) || state.writer_pausing;
        drop(state);
        if wake {
            self.work.notify_one();
        }
    }

    /// At a shutdown's deadline: the writer gives up what it cannot write.
    pub fn abandon(&self) {
        self.state().abandon = true;
        self.work.notify_one();
    }

    /// The writer's write that holds offset `offset` of the segment
    /// `base`, if it is kept: taken, for the reader.
    pub fn take_tail(&self, base: u64, offset: u64) -> Option<Tail> {
        self.state().tails.take(base, offset)
    }

    /// Gives a buffer the reader is done with back to the writer.
    pub fn recycle_buffer(&self, buffer: Vec<u8>) {
        self.state().tails.recycle(buffer);
    }

    /// Events taken and not yet settled.
    pub fn unsettled(&self) -> u64 {
        let state = self.state();
        state.settled.unsettled_in(0..state.next)
    }
}
