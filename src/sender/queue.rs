//! The queue between the handles and the dispatcher. `send` appends each
//! event's JSON to the body of the batch being filled, under a short lock:
//! no allocation and no message per event. Batches that are closed (full,
//! flushed, or past their delay) wait here, numbered, for a slot; `flush`
//! waits on those numbers.

use super::batch::{Batch, BatchBuilder, Spare};
use crate::runtime::platform::Instant;
use bytes::Bytes;
use std::collections::{BTreeSet, VecDeque};
use std::time::Duration;
use tokio::sync::oneshot;

#[derive(Debug)]
pub(crate) struct Queue {
    builder: BatchBuilder,
    max_delay: Duration,
    /// Closed batches waiting for a slot, in order.
    ready: VecDeque<(u64, Batch)>,
    batches: Batches,
    /// No more events are taken; the dispatcher stops once all is sent.
    closing: bool,
}

/// What the dispatcher should do next.
#[derive(Debug)]
pub(crate) enum Next {
    /// Send this batch.
    Send(u64, Batch),
    /// Wait for news, or until this time (when the batch being filled is due).
    Wait(Option<Instant>),
    /// Closing, and nothing is left to send.
    Done,
}

impl Queue {
    pub fn new(max_events: usize, max_bytes: usize, max_delay: Duration) -> Self {
        Queue {
            builder: BatchBuilder::new(max_events, max_bytes),
            max_delay,
            ready: VecDeque::new(),
            batches: Batches::default(),
            closing: false,
        }
    }

    /// Appends an event: `None` when closing, else whether the dispatcher
    /// has news (a batch closed, or a batch started whose delay now runs).
    pub fn push(&mut self, json: &[u8]) -> Option<bool> {
        if self.closing {
            return None;
        }
        let mut news = false;
        if !self.builder.fits(json.len()) {
            news |= self.close_batch();
        }
        news |= self.builder.is_empty();
        self.builder.push(json);
        if self.builder.is_full() {
            news |= self.close_batch();
        }
        Some(news)
    }

    /// Numbers the next event `next` (a spool's events keep their numbers
    /// across restarts), closing the batch being filled when it changes
    /// the order: a batch holds consecutive numbers.
    #[cfg_attr(not(feature = "spool"), allow(dead_code))] // Used by the spool only.
    pub fn renumber(&mut self, next: u64) {
        self.close_batch();
        self.builder.set_next_sequence(next);
    }

    /// Closes the batch being filled, if it has events: it goes without
    /// waiting for its delay.
    pub fn close_batch(&mut self) -> bool {
        match self.builder.take() {
            Some(batch) => {
                let number = self.batches.start();
                self.ready.push_back((number, batch));
                true
            }
            None => false,
        }
    }

    /// Closes the batch being filled and answers `done` once every batch
    /// closed so far is settled.
    pub fn flush(&mut self, done: oneshot::Sender<()>) {
        self.close_batch();
        self.batches.flush(done);
    }

    /// Takes no more events; what is queued is still sent.
    pub fn close(&mut self) {
        self.closing = true;
        self.close_batch();
    }

    /// The next thing to do. The batch being filled is closed when its
    /// delay has passed, or when `starved` (senders wait for room that only
    /// sending it can make).
    pub fn next(&mut self, now: Instant, starved: bool) -> Next {
        if let Some(started) = self.builder.started() {
            if starved || started + self.max_delay <= now {
                self.close_batch();
            }
        }
        if let Some((number, batch)) = self.ready.pop_front() {
            return Next::Send(number, batch);
        }
        match self.builder.started() {
            Some(started) => Next::Wait(Some(started + self.max_delay)),
            None if self.closing => Next::Done,
            None => Next::Wait(None),
        }
    }

    /// Closes the batch being filled and takes every closed batch that
    /// waits for a slot, to send them now another way (a page being left).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // Used in the browser only.
    pub fn take_ready(&mut self) -> Vec<(u64, Batch)> {
        self.close_batch();
        self.ready.drain(..).collect()
    }

    /// Keeps a delivered batch's buffers for the next batches.
    pub fn recycle(&mut self, spare: Spare) {
        self.builder.recycle(spare);
    }

    /// A batch is settled.
    pub fn finish(&mut self, number: u64) {
        self.batches.finish(number);
    }

    /// At a shutdown's deadline: takes every event not yet sent (settling
    /// the numbers of their batches).
    pub fn abandon(&mut self) -> Vec<(u64, Bytes)> {
        self.closing = true;
        self.close_batch();
        let mut events = Vec::new();
        while let Some((number, batch)) = self.ready.pop_front() {
            events.extend(batch.events());
            self.batches.finish(number);
        }
        events
    }
}

/// The batches closed and not yet settled, by number, and the flushes
/// waiting on them.
#[derive(Debug, Default)]
struct Batches {
    next: u64,
    open: BTreeSet<u64>,
    /// Each flush waits for every batch numbered below its mark.
    flushes: VecDeque<(u64, oneshot::Sender<()>)>,
}

impl Batches {
    fn start(&mut self) -> u64 {
        let number = self.next;
        self.next += 1;
        self.open.insert(number);
        number
    }

    /// Answers the flushes that waited for this batch last.
    fn finish(&mut self, number: u64) {
        self.open.remove(&number);
        let oldest = self.open.first().copied().unwrap_or(self.next);
        while self
            .flushes
            .front()
            .is_some_and(|(mark, _)| *mark <= oldest)
        {
            if let Some((_, done)) = self.flushes.pop_front() {
                let _ = done.send(());
            }
        }
    }

    /// Answers `done` once every batch numbered so far is settled.
    fn flush(&mut self, done: oneshot::Sender<()>) {
        let oldest = self.open.first().copied().unwrap_or(self.next);
        if oldest >= self.next {
            let _ = done.send(());
        } else {
            self.flushes.push_back((self.next, done));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(receiver: &mut oneshot::Receiver<()>) -> bool {
        receiver.try_recv().is_ok()
    }

    #[test]
    fn a_flush_waits_for_every_batch_closed_before_it() {
        let mut batches = Batches::default();
        let (done, mut first_flush) = oneshot::channel();
        batches.flush(done);
        assert!(answered(&mut first_flush), "nothing open: at once");

        let (first, second) = (batches.start(), batches.start());
        let (done, mut flush) = oneshot::channel();
        batches.flush(done);
        let third = batches.start();
        batches.finish(second);
        assert!(!answered(&mut flush));
        batches.finish(first);
        assert!(answered(&mut flush), "both earlier batches settled");

        let (done, mut flush) = oneshot::channel();
        batches.flush(done);
        assert!(!answered(&mut flush), "the third is still open");
        batches.finish(third);
        assert!(answered(&mut flush));
    }

    #[test]
    fn batches_close_when_full_due_or_starved() {
        // Long enough that only the times handed in make a batch due.
        let mut queue = Queue::new(2, 1000, Duration::from_secs(3600));
        assert!(matches!(
            queue.next(Instant::now(), false),
            Next::Wait(None)
        ));
        assert_eq!(
            queue.push(b"{}"),
            Some(true),
            "a first event starts the delay"
        );
        assert_eq!(queue.push(b"{}"), Some(true), "the second fills the batch");
        assert!(matches!(queue.next(Instant::now(), false), Next::Send(0, ref b) if b.len() == 2));

        assert_eq!(queue.push(b"{}"), Some(true));
        let Next::Wait(Some(due)) = queue.next(Instant::now(), false) else {
            panic!("a batch with one event waits for its delay");
        };
        assert!(matches!(queue.next(due, false), Next::Send(1, ref b) if b.len() == 1));

        assert_eq!(queue.push(b"{}"), Some(true));
        assert!(
            matches!(queue.next(Instant::now(), true), Next::Send(2, _)),
            "starved: at once"
        );

        queue.push(b"{}");
        queue.close();
        assert_eq!(queue.push(b"{}"), None, "closing: refused");
        assert!(matches!(
            queue.next(Instant::now(), false),
            Next::Send(3, _)
        ));
        assert!(matches!(queue.next(Instant::now(), false), Next::Done));
    }

    #[test]
    fn abandoning_takes_every_event_and_answers_flushes() {
        let mut queue = Queue::new(2, 1000, Duration::from_secs(1));
        for event in [&b"{\"a\":1}"[..], b"{\"b\":2}", b"{\"c\":3}"] {
            queue.push(event);
        }
        let (done, mut flush) = oneshot::channel();
        queue.flush(done);
        assert!(!answered(&mut flush));
        let events = queue.abandon();
        let (sequences, events): (Vec<u64>, Vec<Bytes>) = events.into_iter().unzip();
        assert_eq!(sequences, [0, 1, 2]);
        assert_eq!(events, [&b"{\"a\":1}"[..], b"{\"b\":2}", b"{\"c\":3}"]);
        assert!(answered(&mut flush));
        assert!(matches!(queue.next(Instant::now(), false), Next::Done));
    }
}
