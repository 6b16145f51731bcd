//! Batch bodies assembled from events that were serialized once, when they
//! were enqueued: `{"events":[` + the events joined by `,` + `]}`. The
//! events of a batch stay addressable as slices of its body, so that a
//! batch can be split (to isolate an event the API rejects) or handed back
//! event by event without serializing anything again. Events are numbered
//! in the order they were added (their sequence numbers), and a batch holds
//! a run of consecutive numbers: its first event's and those that follow.

use crate::runtime::platform::Instant;
use bytes::{Bytes, BytesMut};
use std::ops::Range;

const OPEN: &[u8] = b"{\"events\":[";
const CLOSE: &[u8] = b"]}";

/// The bytes a body adds around its events.
pub(crate) const ENVELOPE_BYTES: usize = OPEN.len() + CLOSE.len();

/// How many buffers of delivered batches a builder keeps for the next ones.
const MAX_SPARES: usize = 4;

/// A batch being filled.
#[derive(Debug)]
pub(crate) struct BatchBuilder {
    body: BytesMut,
    events: Vec<Range<usize>>,
    /// The sequence number of the next event added.
    next_sequence: u64,
    started: Option<Instant>,
    max_events: usize,
    max_bytes: usize,
    /// The size of the last body built: the next one is likely alike.
    size_hint: usize,
    /// The buffers of delivered batches, emptied, for the next batches: a
    /// body's memory is used again while it is still mapped and in the
    /// cache, rather than freed and faulted in afresh (a hundred-kilobyte
    /// body per batch made the allocator hand pages back to the system and
    /// take new ones, zeroed by the kernel: 1600 page faults per 100 000
    /// events).
    spares: Vec<Spare>,
}

/// The emptied buffers of a delivered batch.
#[derive(Debug)]
pub(crate) struct Spare {
    body: BytesMut,
    events: Vec<Range<usize>>,
}

impl BatchBuilder {
    /// A builder of batches of at most `max_events` events whose body stays
    /// below `max_bytes` bytes.
    pub fn new(max_events: usize, max_bytes: usize) -> Self {
        BatchBuilder {
            body: BytesMut::new(),
            events: Vec::new(),
            next_sequence: 0,
            started: None,
            max_events: max_events.max(1),
            max_bytes,
            size_hint: 0,
            spares: Vec::new(),
        }
    }

    /// Keeps a delivered batch's buffers for a next batch (up to a few).
    pub fn recycle(&mut self, spare: Spare) {
        if self.spares.len() < MAX_SPARES {
            self.spares.push(spare);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// When the first event was added.
    pub fn started(&self) -> Option<Instant> {
        self.started
    }

    /// Whether an event of `json_len` bytes can join without breaking a limit.
    pub fn fits(&self, json_len: usize) -> bool {
        if self.events.len() >= self.max_events {
            return false;
        }
        let before = if self.is_empty() {
            OPEN.len()
        } else {
            self.body.len() + 1
        };
        before + json_len + CLOSE.len() < self.max_bytes
    }

    /// Whether no further event can join.
    pub fn is_full(&self) -> bool {
        self.events.len() >= self.max_events
    }

    /// Adds an event. The caller checks [`fits`](Self::fits) first; an
    /// event that fits no batch is refused before it is enqueued.
    pub fn push(&mut self, json: &[u8]) {
        if self.is_empty() {
            if let Some(spare) = self.spares.pop() {
                // The builder's own body is empty: what it held left with
                // the last batch.
                self.body = spare.body;
                self.events = spare.events;
            }
            self.body
                .reserve(self.size_hint.max(OPEN.len() + json.len() + 1));
            self.body.extend_from_slice(OPEN);
            self.started = Some(Instant::now());
        } else {
            self.body.extend_from_slice(b",");
        }
        let start = self.body.len();
        self.body.extend_from_slice(json);
        self.events.push(start..self.body.len());
        self.next_sequence += 1;
    }

    /// Numbers the next event `next`; only between batches (when empty).
    #[cfg_attr(not(feature = "spool"), allow(dead_code))] // Used by the spool only.
    pub fn set_next_sequence(&mut self, next: u64) {
        debug_assert!(self.is_empty(), "a batch holds consecutive numbers");
        self.next_sequence = next;
    }

    /// The batch so far, leaving the builder empty; `None` when it has no event.
    pub fn take(&mut self) -> Option<Batch> {
        if self.is_empty() {
            return None;
        }
        self.body.extend_from_slice(CLOSE);
        self.size_hint = self.body.len();
        self.started = None;
        let events = std::mem::take(&mut self.events);
        Some(Batch {
            // The whole buffer goes with the batch, and comes back through
            // `recycle` once the batch is delivered.
            body: std::mem::take(&mut self.body).freeze(),
            first: self.next_sequence - events.len() as u64,
            events,
        })
    }
}

/// A full request body and where each of its events is in it.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    body: Bytes,
    events: Vec<Range<usize>>,
    /// The sequence number of the first event; the others follow it.
    first: u64,
}

impl Batch {
    /// A batch of these events (serialized JSON objects, in order), the
    /// first numbered `first`.
    pub fn from_events<'a>(
        first: u64,
        events: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<Batch> {
        let mut builder = BatchBuilder::new(usize::MAX, usize::MAX);
        builder.next_sequence = first;
        for event in events {
            builder.push(event);
        }
        builder.take()
    }

    /// The sequence numbers of its events.
    pub fn sequences(&self) -> Range<u64> {
        self.first..self.first + self.events.len() as u64
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// The request body (a cheap, shared copy).
    pub fn body(&self) -> Bytes {
        self.body.clone()
    }

    /// Its buffers, emptied, for another batch; `None` while the body is
    /// still shared (a request or a handed-out event holds part of it).
    pub fn into_spare(self) -> Option<Spare> {
        let mut body = self.body.try_into_mut().ok()?;
        body.clear();
        let mut events = self.events;
        events.clear();
        Some(Spare { body, events })
    }

    /// The events' sequence numbers and JSON, each a slice of the body.
    pub fn events(&self) -> impl Iterator<Item = (u64, Bytes)> + '_ {
        self.events
            .iter()
            .zip(self.first..)
            .map(|(range, sequence)| (sequence, self.body.slice(range.clone())))
    }

    /// The first and the second half (the first has the extra event of an
    /// odd count); `None` for a single event.
    pub fn split(&self) -> Option<(Batch, Batch)> {
        if self.len() < 2 {
            return None;
        }
        let middle = self.len().div_ceil(2);
        let half = |first: u64, ranges: &[Range<usize>]| {
            Batch::from_events(first, ranges.iter().map(|range| &self.body[range.clone()]))
        };
        Some((
            half(self.first, &self.events[..middle])?,
            half(self.first + middle as u64, &self.events[middle..])?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &Bytes) -> &str {
        std::str::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_body_is_the_events_joined_in_an_envelope() {
        let mut builder = BatchBuilder::new(10, 1000);
        assert!(builder.take().is_none());
        builder.push(br#"{"a":1}"#);
        builder.push(br#"{"b":2}"#);
        let batch = builder.take().unwrap();
        assert_eq!(text(&batch.body()), r#"{"events":[{"a":1},{"b":2}]}"#);
        let events: Vec<(u64, Bytes)> = batch.events().collect();
        assert_eq!(
            events,
            [
                (0, Bytes::from_static(br#"{"a":1}"#)),
                (1, Bytes::from_static(br#"{"b":2}"#))
            ]
        );
        assert!(builder.is_empty() && builder.started().is_none());
        builder.push(br#"{"c":3}"#);
        let next = builder.take().unwrap();
        assert_eq!(text(&next.body()), r#"{"events":[{"c":3}]}"#);
        assert_eq!(next.sequences(), 2..3, "numbering goes on across batches");
    }

    #[test]
    fn a_delivered_batchs_buffer_serves_a_next_batch() {
        let mut builder = BatchBuilder::new(10, 1000);
        builder.push(br#"{"a":1}"#);
        builder.push(br#"{"b":2}"#);
        let first = builder.take().unwrap();
        let memory = first.body().as_ptr();

        // While a request (or a handed-out event) holds the body, it is not reused.
        builder.push(br#"{"x":0}"#);
        let other = builder.take().unwrap();
        let request = other.body();
        assert!(other.into_spare().is_none());
        drop(request);
        builder.push(br#"{"x":0}"#);
        let other = builder.take().unwrap();
        let event = other.events().next().unwrap().1;
        assert!(other.into_spare().is_none());
        drop(event);

        builder.recycle(first.into_spare().expect("nothing else holds the body"));
        builder.push(br#"{"c":3}"#);
        let next = builder.take().unwrap();
        assert_eq!(next.body().as_ptr(), memory, "the same memory");
        assert_eq!(text(&next.body()), r#"{"events":[{"c":3}]}"#);
        assert_eq!(next.sequences(), 4..5);
        assert_eq!(next.events().count(), 1);

        // A few spares are kept, not all.
        for _ in 0..10 {
            builder.push(b"{}");
            let batch = builder.take().unwrap();
            builder.recycle(batch.into_spare().unwrap());
        }
        let spares: Vec<Spare> = (0..10)
            .map(|_| {
                builder.push(b"{}");
                builder.take().unwrap().into_spare().unwrap()
            })
            .collect();
        for spare in spares {
            builder.recycle(spare);
        }
        assert_eq!(builder.spares.len(), MAX_SPARES);
    }

    #[test]
    fn limits_on_count_and_bytes_are_kept() {
        let mut builder = BatchBuilder::new(2, 1000);
        builder.push(b"{}");
        assert!(builder.fits(2));
        builder.push(b"{}");
        assert!(builder.is_full() && !builder.fits(2));

        // `{"events":[` (11) + 10 + `]}` (2) = 23 bytes: fits below 24, not below 23.
        let json = b"{\"x\":\"ab\"}";
        assert!(BatchBuilder::new(10, 24).fits(json.len()));
        assert!(!BatchBuilder::new(10, 23).fits(json.len()));
        let mut builder = BatchBuilder::new(10, 36);
        builder.push(json);
        // 22 + `,` + 10 + 2 = 35 < 36: a second fits, a third does not.
        assert!(builder.fits(json.len()));
        builder.push(json);
        assert!(!builder.fits(json.len()));
        assert!(builder.take().unwrap().body().len() < 36);
    }

    #[test]
    fn halves_keep_every_event_in_order() {
        let events: Vec<String> = (0..5).map(|i| format!(r#"{{"i":{i}}}"#)).collect();
        let batch = Batch::from_events(10, events.iter().map(|e| e.as_bytes())).unwrap();
        let (first, second) = batch.split().unwrap();
        assert_eq!((first.sequences(), second.sequences()), (10..13, 13..15));
        assert_eq!(
            text(&first.body()),
            r#"{"events":[{"i":0},{"i":1},{"i":2}]}"#
        );
        assert_eq!(text(&second.body()), r#"{"events":[{"i":3},{"i":4}]}"#);
        let (one, _) = second.split().unwrap();
        assert!(one.split().is_none());
        assert_eq!(one.sequences(), 13..14);
        assert_eq!(text(&one.body()), r#"{"events":[{"i":3}]}"#);
    }
}
