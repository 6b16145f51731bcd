//! What the local server remembers: the accepted events, in arrival order,
//! and a log of the requests with the answers they got. Tests read both, and
//! wait for events that are still on their way.
//!
//! Both are bounded by what the server was configured to keep: past the cap,
//! the oldest are dropped, and counted.

use super::faults::Fault;
use crate::models::EventsItems;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::sync::watch;

/// One request the server received, and what it answered.
///
/// Credentials and query strings are not kept: they may hold an API key.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// The HTTP method, e.g. `POST`.
    pub method: String,
    /// The path, without the query string, e.g. `/1/events`.
    pub path: String,
    /// The status answered; `None` when the connection was dropped by an injected fault.
    pub status: Option<u16>,
    /// How many events the request added (0 unless it was an accepted `POST /1/events`).
    pub events: usize,
    /// The size of the body as its `content-length` header gives it
    /// (compressed, when it was gzipped; 0 without the header).
    pub body_bytes: usize,
    /// What the answer said: why the request was refused (its JSON `message`),
    /// or what a deletion did (`3 recorded events forgotten`).
    pub message: Option<String>,
    /// The fault injected into this request, if any.
    pub fault: Option<Fault>,
}

impl fmt::Display for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} -> ", self.method, self.path)?;
        match self.status {
            Some(status) => write!(f, "{status}")?,
            None => f.write_str("connection dropped")?,
        }
        if self.events > 0 {
            let s = if self.events == 1 { "" } else { "s" };
            write!(f, ", {} event{s} recorded", self.events)?;
        }
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        // Injected statuses and drops say so already.
        match self.fault {
            Some(Fault::Delay(delay)) => write!(f, " (delayed {delay:?} by an injected fault)"),
            _ => Ok(()),
        }
    }
}

/// [`LocalServer::wait_for_events`](super::LocalServer::wait_for_events) ran out of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitTimeout {
    /// How many events were waited for.
    pub wanted: usize,
    /// How many had been recorded when the time ran out.
    pub recorded: usize,
    /// How long the wait was.
    pub waited: Duration,
}

impl fmt::Display for WaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "waited {:?} for {} events, but the local server recorded only {}",
            self.waited, self.wanted, self.recorded
        )
    }
}

impl std::error::Error for WaitTimeout {}

/// How much the recorder keeps (see [`LocalServerBuilder::max_recorded_events`](super::LocalServerBuilder::max_recorded_events)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Caps {
    pub events: usize,
    pub requests: usize,
}

#[derive(Debug, Default)]
struct Records {
    events: VecDeque<EventsItems>,
    requests: VecDeque<RecordedRequest>,
    /// Events dropped from the front of `events` to stay within the cap.
    dropped_events: usize,
    /// Requests dropped from the front of `requests` to stay within the cap.
    dropped_requests: usize,
}

impl Records {
    /// Every event accepted since the start (or the last clear), less those
    /// of forgotten users: the ones kept and the ones dropped.
    fn accepted(&self) -> usize {
        self.events.len() + self.dropped_events
    }
}

/// The records, shared by the server's handlers and the [`LocalServer`](super::LocalServer).
#[derive(Debug)]
pub(crate) struct Recorder {
    caps: Caps,
    records: Mutex<Records>,
    /// The number of events accepted, for the waiters.
    event_count: watch::Sender<usize>,
}

impl Recorder {
    pub(crate) fn new(caps: Caps) -> Self {
        Recorder {
            caps,
            records: Mutex::new(Records::default()),
            event_count: watch::Sender::new(0),
        }
    }

    fn records(&self) -> MutexGuard<'_, Records> {
        // Nothing panics while holding the lock; if something did, the
        // records are still whole, so keep serving them.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn add_events(&self, events: Vec<EventsItems>) {
        let cap = self.caps.events;
        let mut records = self.records();
        // Of a batch larger than the cap, only its newest events are kept.
        let skip = events.len().saturating_sub(cap);
        records.dropped_events += skip;
        let overflow = (records.events.len() + events.len() - skip).saturating_sub(cap);
        records.events.drain(..overflow);
        records.dropped_events += overflow;
        records.events.extend(events.into_iter().skip(skip));
        self.event_count.send_replace(records.accepted());
    }

    pub(crate) fn add_request(&self, request: RecordedRequest) {
        let cap = self.caps.requests;
        let mut records = self.records();
        if cap == 0 {
            records.dropped_requests += 1;
            return;
        }
        if records.requests.len() >= cap {
            records.requests.pop_front();
            records.dropped_requests += 1;
        }
        records.requests.push_back(request);
    }

    pub(crate) fn events(&self) -> Vec<EventsItems> {
        self.records().events.iter().cloned().collect()
    }

    pub(crate) fn event_count(&self) -> usize {
        self.records().events.len()
    }

    pub(crate) fn accepted_event_count(&self) -> usize {
        self.records().accepted()
    }

    pub(crate) fn dropped_event_count(&self) -> usize {
        self.records().dropped_events
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.records().requests.iter().cloned().collect()
    }

    pub(crate) fn dropped_request_count(&self) -> usize {
        self.records().dropped_requests
    }

    pub(crate) fn clear(&self) {
        let mut records = self.records();
        *records = Records::default();
        self.event_count.send_replace(0);
    }

    /// Forgets the events of a user: those whose `userToken` or
    /// `authenticatedUserToken` is `token`. Answers how many were forgotten.
    pub(crate) fn forget_user(&self, token: &str) -> usize {
        let mut records = self.records();
        let before = records.events.len();
        records.events.retain(|event| !belongs_to(event, token));
        let forgotten = before - records.events.len();
        self.event_count.send_replace(records.accepted());
        forgotten
    }

    /// The events kept, once at least `wanted` are accepted.
    pub(crate) async fn wait_for_events(
        &self,
        wanted: usize,
        timeout: Duration,
    ) -> Result<Vec<EventsItems>, WaitTimeout> {
        let mut count = self.event_count.subscribe();
        let reached = tokio::time::timeout(timeout, count.wait_for(|&n| n >= wanted)).await;
        match reached {
            Ok(Ok(_)) => Ok(self.events()),
            // The sender lives as long as `self`: a closed channel cannot happen, but is a timeout too.
            Ok(Err(_)) | Err(_) => Err(WaitTimeout {
                wanted,
                recorded: self.accepted_event_count(),
                waited: timeout,
            }),
        }
    }
}

/// Whether the event's user tokens include `token`. Read through the wire
/// form so that every kind of event is covered the same way.
fn belongs_to(event: &EventsItems, token: &str) -> bool {
    let Ok(serde_json::Value::Object(wire)) = serde_json::to_value(event) else {
        return false;
    };
    ["userToken", "authenticatedUserToken"]
        .iter()
        .any(|field| wire.get(*field).and_then(|v| v.as_str()) == Some(token))
}
