//! Grouping checked events into requests the API takes: at most 1,000
//! events, and a body under 2 MB.

use algolia_insights::models::{EventsItems, InsightsEvents};

/// The most events one request may carry (the spec's `maxItems` of `events`).
pub const MAX_BATCH_EVENTS: usize = InsightsEvents::EVENTS_MAX_ITEMS;
/// Bodies stay under this many bytes (the spec's `x-max-serialized-bytes`).
pub const MAX_BATCH_BYTES: usize = InsightsEvents::MAX_SERIALIZED_BYTES;
/// `{"events":[` and `]}` around the events.
const ENVELOPE_BYTES: usize = r#"{"events":[]}"#.len();
/// The largest event that fits in a request on its own.
pub const MAX_EVENT_BYTES: usize = MAX_BATCH_BYTES - 1 - ENVELOPE_BYTES;

/// Events to send in one request, with the input lines they came from.
#[derive(Debug, Default)]
pub struct Batch {
    pub events: Vec<EventsItems>,
    pub first_line: u64,
    pub last_line: u64,
    /// The size of the request body, in bytes.
    pub body_bytes: usize,
}

impl Batch {
    /// `line 7` or `lines 7-1012`.
    pub fn lines(&self) -> String {
        if self.first_line == self.last_line {
            format!("line {}", self.first_line)
        } else {
            format!("lines {}-{}", self.first_line, self.last_line)
        }
    }
}

/// Fills batches one event at a time.
#[derive(Debug)]
pub struct Batcher {
    max_events: usize,
    current: Batch,
}

impl Batcher {
    /// Batches of at most `max_events` events (capped at the API's 1,000).
    pub fn new(max_events: usize) -> Self {
        Batcher {
            max_events: max_events.clamp(1, MAX_BATCH_EVENTS),
            current: Batch::default(),
        }
    }

    /// Adds an event of `json_bytes` bytes (at most [`MAX_EVENT_BYTES`]) from
    /// input line `line`; returns the batch it filled up, if any.
    pub fn push(&mut self, event: EventsItems, json_bytes: usize, line: u64) -> Option<Batch> {
        let full = self.current.events.len() >= self.max_events
            || (!self.current.events.is_empty()
                && self.current.body_bytes + 1 + json_bytes >= MAX_BATCH_BYTES);
        let done = if full { self.take() } else { None };
        let batch = &mut self.current;
        if batch.events.is_empty() {
            batch.first_line = line;
            batch.body_bytes = ENVELOPE_BYTES + json_bytes;
        } else {
            batch.body_bytes += 1 + json_bytes;
        }
        batch.last_line = line;
        batch.events.push(event);
        done
    }

    /// The last, partly filled batch, if any.
    pub fn finish(mut self) -> Option<Batch> {
        self.take()
    }

    fn take(&mut self) -> Option<Batch> {
        if self.current.events.is_empty() {
            None
        } else {
            Some(std::mem::take(&mut self.current))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use algolia_insights::models::{EventName, InsightsEvents, UserToken, ViewedObjectIDs};

    fn event(object: &str) -> (EventsItems, usize) {
        let event: EventsItems = ViewedObjectIDs::new(
            EventName::new("Viewed").unwrap(),
            "products",
            [object],
            UserToken::new("user-1").unwrap(),
        )
        .into();
        let size = serde_json::to_vec(&event).unwrap().len();
        (event, size)
    }

    #[test]
    fn batches_hold_at_most_the_event_limit() {
        let mut batcher = Batcher::new(1000);
        let mut batches = Vec::new();
        for line in 1..=2500 {
            let (event, size) = event("a");
            batches.extend(batcher.push(event, size, line));
        }
        batches.extend(batcher.finish());
        let sizes: Vec<usize> = batches.iter().map(|b| b.events.len()).collect();
        assert_eq!(sizes, vec![1000, 1000, 500]);
        assert_eq!(batches[1].lines(), "lines 1001-2000");
    }

    #[test]
    fn batches_stay_under_two_megabytes_and_the_size_is_exact() {
        let mut batcher = Batcher::new(1000);
        let mut batches = Vec::new();
        for line in 1..=40 {
            let (event, size) = event(&"o".repeat(100_000));
            batches.extend(batcher.push(event, size, line));
        }
        batches.extend(batcher.finish());
        assert!(batches.len() >= 2);
        for batch in &batches {
            let body = serde_json::to_vec(&InsightsEvents::new(batch.events.clone())).unwrap();
            assert_eq!(body.len(), batch.body_bytes);
            assert!(body.len() < MAX_BATCH_BYTES, "{}", body.len());
        }
        let total: usize = batches.iter().map(|b| b.events.len()).sum();
        assert_eq!(total, 40);
    }

    #[test]
    fn the_largest_single_event_fits() {
        let (small, small_size) = event("");
        let (big, size) = event(&"o".repeat(MAX_EVENT_BYTES - small_size));
        assert_eq!(size, MAX_EVENT_BYTES);
        let mut batcher = Batcher::new(1000);
        assert!(batcher.push(small, small_size, 1).is_none());
        let first = batcher
            .push(big, size, 2)
            .expect("the big event starts a new batch");
        assert_eq!(first.events.len(), 1);
        let last = batcher.finish().unwrap();
        assert_eq!(last.body_bytes, MAX_BATCH_BYTES - 1);
    }
}
