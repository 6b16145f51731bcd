//! The ways of sending `n` events that the benchmark compares. In each, the
//! events are built before the clock starts (and, where the API lets the
//! caller keep them, freed after it stops): only sending is timed.
//!
//! 1. `floor`: the same work written by hand at its cheapest: hand-written
//!    serde structs, `serde_json::to_vec` of each batch of 1000, a bare
//!    reqwest POST, one request at a time;
//! 2. `client`: the generated types and `client.push_events(&batch)` per
//!    batch of 1000, one request at a time (validation on, host failover and
//!    retries in place); the batches are lent, and freed after the clock
//!    stops, as the floor's events are;
//! 3. `sender`: the batching sender with its default settings (up to 4
//!    requests in flight), fed one event at a time by one task, then
//!    `shutdown`, which waits until every event is delivered. The events
//!    are lent (`sender.send(&event)`: it serializes each when it takes
//!    it), and freed after the clock stops, as the floor's are.
//! 4. `spool`: the same sender with a [`Spool`] on disk (a fresh directory
//!    under the system's temporary directory): each event goes, lent, to the spool
//!    with `try_send` (`send` when it is full), and every 1000 events are
//!    acknowledged durable by a `sync`, as a program that must not lose
//!    events would. Each window's sync is awaited by a task of its own, so
//!    that the producer does not stop for every `fsync` (the spool's write
//!    buffer and size cap still hold it back when the disk falls behind);
//!    all are awaited before `shutdown`, which waits until the spool is
//!    delivered and empty. The spool's writer thread shares the pinned core.
//! 5. `sender-flushed` and `spool-flushed`: the same two senders fed at
//!    the pace they deliver, as a program whose events come no faster than
//!    the API takes them: the events go in windows of
//!    [`FLUSHED_WINDOW`], each sent with `try_send` and then flushed
//!    (`flush` waits until every event is delivered) before the next. With
//!    the spool, every event is written and synced as in `spool`, and
//!    delivered once durable; the reader keeps up with the writer, so it
//!    takes what was just written from memory.
//!
//! 6. `spool-floor`: the floor of `spool`: the `sender` scenario, and beside
//!    it the cheapest durable log of as many events written by hand
//!    ([`LogFloor`]): each framed as a spool record with its CRC-32, a
//!    `write` per 1000 events, `fdatasync` on a thread of its own. It reads
//!    nothing back, so it is less work than any spool does.
//!    `spool-floor-flushed` is the same beside `sender-flushed`: each window
//!    written and synced while the sender delivers it, its flush and its
//!    sync awaited, then, as a spool's flush does, its settling recorded
//!    and synced.
//!
//! Every scenario runs on a single-threaded Tokio runtime on one pinned core.

use crate::events::{plain, typed, PlainBatchRef, PlainEvent};
use crate::floor::{self, API_KEY, APP_ID};
use crate::log_floor::LogFloor;
use algolia_insights::models::{EventsItems, InsightsEvents};
use algolia_insights::sender::{SendError, Sender, SenderConfig, Spool, SpoolConfig};
use algolia_insights::Client;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const BATCH: usize = 1000;
/// The events sent between two flushes in the `-flushed` scenarios: a
/// window's records (4.4 MB) fit in what the spool keeps in memory (its
/// 8 MiB write buffer), as they must for the reader to keep up when the
/// producer does not yield between events.
pub const FLUSHED_WINDOW: usize = 20_000;

/// What was measured around the timed section only.
pub struct Timed {
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub minor_faults: u64,
}

/// The events of one scenario, built before the clock starts.
pub enum Prepared {
    Floor(reqwest::Client, String, Vec<PlainEvent>),
    Client(Client, Vec<InsightsEvents>),
    Sender(Client, Vec<EventsItems>),
    Spool(Client, Vec<EventsItems>, Spool),
    /// `spool-floor` and `spool-floor-flushed`: the second field says
    /// which.
    SpoolFloor(Client, bool, Vec<EventsItems>, LogFloor),
    /// The `-flushed` scenarios: with a spool or without.
    Flushed(Client, Vec<EventsItems>, Option<Spool>),
}

pub fn prepare(scenario: &str, url: &str, n: u64) -> Result<Prepared, String> {
    Ok(match scenario {
        "floor" => Prepared::Floor(
            {
                // What the crate does before building its own client under
                // `rustls-ring`: reqwest needs a process-wide crypto provider.
                let _ = rustls_crate::crypto::ring::default_provider().install_default();
                reqwest::Client::new()
            },
            format!("{url}/1/events"),
            (0..n).map(plain).collect(),
        ),
        "client" => {
            let mut batches = Vec::with_capacity(n as usize / BATCH + 1);
            let mut first = 0;
            while first < n {
                let end = (first + BATCH as u64).min(n);
                batches.push(InsightsEvents::new((first..end).map(typed)));
                first = end;
            }
            Prepared::Client(our_client(url)?, batches)
        }
        "sender" => Prepared::Sender(our_client(url)?, (0..n).map(typed).collect()),
        "spool" => Prepared::Spool(
            our_client(url)?,
            (0..n).map(typed).collect(),
            fresh_spool()?,
        ),
        "spool-floor" | "spool-floor-flushed" => {
            let events: Vec<EventsItems> = (0..n).map(typed).collect();
            let log = LogFloor::prepare(&events)?;
            let flushed = scenario == "spool-floor-flushed";
            Prepared::SpoolFloor(our_client(url)?, flushed, events, log)
        }
        "sender-flushed" => Prepared::Flushed(our_client(url)?, (0..n).map(typed).collect(), None),
        "spool-flushed" => Prepared::Flushed(
            our_client(url)?,
            (0..n).map(typed).collect(),
            Some(fresh_spool()?),
        ),
        other => return Err(format!("unknown scenario `{other}`")),
    })
}

/// A spool in a fresh directory under the system's temporary directory.
fn fresh_spool() -> Result<Spool, String> {
    let dir = std::env::temp_dir().join(format!("insights-bench-spool-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Spool::open(SpoolConfig::new(&dir)).map_err(|e| e.to_string())
}

/// Sends the prepared events and times it (wall clock and this process's CPU).
pub async fn run(prepared: Prepared) -> Result<Timed, String> {
    let before = crate::usage::now();
    let started = Instant::now();
    // What the scenario leaves to drop is dropped after the clock stops.
    let leftover = match prepared {
        Prepared::Floor(http, url, events) => {
            floor(&http, &url, &events).await?;
            Some(Box::new(events) as Box<dyn std::any::Any>)
        }
        Prepared::Client(client, batches) => {
            for batch in &batches {
                client.push_events(batch).await.map_err(|e| e.to_string())?;
            }
            Some(Box::new(batches) as Box<dyn std::any::Any>)
        }
        Prepared::Sender(client, events) => {
            sender(&client, &events).await?;
            Some(Box::new(events) as Box<dyn std::any::Any>)
        }
        Prepared::Spool(client, events, spool) => {
            spooled(&client, &events, spool).await?;
            Some(Box::new(events) as Box<dyn std::any::Any>)
        }
        Prepared::SpoolFloor(client, flushed, events, log) => {
            logged(&client, flushed, &events, &log).await?;
            Some(Box::new((events, log)) as Box<dyn std::any::Any>)
        }
        Prepared::Flushed(client, events, spool) => {
            flushed(&client, &events, spool).await?;
            Some(Box::new(events) as Box<dyn std::any::Any>)
        }
    };
    let timed = Timed {
        seconds: started.elapsed().as_secs_f64(),
        cpu_seconds: (crate::usage::now().cpu - before.cpu).as_secs_f64(),
        minor_faults: crate::usage::now().minor_faults - before.minor_faults,
    };
    drop(leftover);
    Ok(timed)
}

fn our_client(url: &str) -> Result<Client, String> {
    Client::builder(APP_ID, API_KEY)
        .hosts([url])
        .build()
        .map_err(|e| e.to_string())
}

async fn floor(http: &reqwest::Client, url: &str, events: &[PlainEvent]) -> Result<(), String> {
    for batch in events.chunks(BATCH) {
        let body =
            serde_json::to_vec(&PlainBatchRef { events: batch }).map_err(|e| e.to_string())?;
        floor::post(http, url, body).await?;
    }
    Ok(())
}

async fn sender(client: &Client, events: &[EventsItems]) -> Result<(), String> {
    let sender = client.sender(SenderConfig::new());
    for event in events {
        sender.send(event).await.map_err(|e| e.to_string())?;
    }
    finish(sender, events.len() as u64, None).await
}

async fn spooled(client: &Client, events: &[EventsItems], spool: Spool) -> Result<(), String> {
    let dir = spool.dir().to_path_buf();
    let sender = client.spooled_sender(SenderConfig::new(), spool);
    // One acknowledgment per window of events: its sync.
    let mut acknowledgments = Vec::with_capacity(events.len() / BATCH + 1);
    for (i, event) in events.iter().enumerate() {
        take(&sender, event).await?;
        if (i + 1) % BATCH == 0 {
            let sender = sender.clone();
            acknowledgments.push(tokio::spawn(async move { sender.sync().await }));
        }
    }
    sender.sync().await;
    for acknowledged in acknowledgments {
        acknowledged.await.map_err(|e| e.to_string())?;
    }
    finish(sender, events.len() as u64, Some(dir)).await
}

/// The `sender` scenario (or, `flushed`, `sender-flushed`) with a
/// hand-written durable log of as many events beside it: the floor of
/// `spooled` (of `flushed` with a spool).
async fn logged(
    client: &Client,
    flushed: bool,
    events: &[EventsItems],
    log: &LogFloor,
) -> Result<(), String> {
    let sender = client.sender(SenderConfig::new());
    let mut log = log.start()?;
    let window = if flushed {
        FLUSHED_WINDOW
    } else {
        events.len().max(1)
    };
    for window in events.chunks(window) {
        for event in window {
            take(&sender, event).await?;
            log.append()?;
        }
        if flushed {
            // Delivered while it is synced; then, as a spool's flush,
            // settled, and that made durable too.
            let durable = log.sync()?;
            sender.flush().await;
            let stopped = |_| "the sync thread stopped".to_string();
            durable.recv().map_err(stopped)?;
            log.settle();
            log.sync()?.recv().map_err(stopped)?;
        }
    }
    log.finish()?;
    finish(sender, events.len() as u64, None).await
}

async fn flushed(
    client: &Client,
    events: &[EventsItems],
    spool: Option<Spool>,
) -> Result<(), String> {
    let dir = spool.as_ref().map(|spool| spool.dir().to_path_buf());
    let sender = match spool {
        Some(spool) => client.spooled_sender(SenderConfig::new(), spool),
        None => client.sender(SenderConfig::new()),
    };
    for window in events.chunks(FLUSHED_WINDOW) {
        for event in window {
            take(&sender, event).await?;
        }
        sender.flush().await;
    }
    finish(sender, events.len() as u64, dir).await
}

/// Gives `event` to the sender without waiting, or, when it is full, once
/// there is room.
async fn take(sender: &Sender, event: &EventsItems) -> Result<(), String> {
    match sender.try_send(event) {
        Ok(()) => Ok(()),
        Err(SendError::Full(_)) => sender.send(event).await.map_err(|e| e.to_string()),
        Err(error) => Err(error.to_string()),
    }
}

/// Shuts the sender down, checks that all `n` events were delivered, and,
/// with a spool in `dir`, prints what it wrote and read back per event (for
/// the parent) and removes it.
async fn finish(sender: Sender, n: u64, dir: Option<PathBuf>) -> Result<(), String> {
    let report = sender.shutdown(Duration::from_secs(600)).await;
    let stats = report.stats;
    let whole = stats.delivered == n && report.undelivered.is_empty() && report.spooled == 0;
    if !whole || stats.failed != 0 {
        return Err(format!("the sender did not deliver everything: {stats:?}"));
    }
    if let Some(dir) = dir {
        println!(
            "SPOOL_BYTES_PER_EVENT {:.1}",
            stats.spool_bytes_written as f64 / n as f64
        );
        // What it read back from its files (the rest came from memory).
        println!(
            "SPOOL_READ_PER_EVENT {:.1}",
            stats.spool_bytes_read as f64 / n as f64
        );
        drop(sender);
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}
