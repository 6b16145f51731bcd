//! The ways of sending `n` events of one kind that the per-kind benchmark
//! compares, in two lifecycles:
//!
//! - **lent**: the events are built before the clock starts and freed after
//!   it stops; the floor serializes borrowed events, the client is given
//!   `&batch` (`push_events(&batch)`), the sender `&event`;
//! - **owned**: each batch (each event, for the sender) is handed over and
//!   freed inside the timed loop, after its request: the floor drops each
//!   batch after its response, the client is given `push_events(batch)`,
//!   the sender `send(event)`.
//!
//! The floor is hand-written serde structs, `serde_json::to_vec` of each
//! batch of 1000 and a bare reqwest POST; the client and the floor send one
//! request at a time; the sender keeps its defaults (up to 4 in flight).

use crate::events::{self, Plain, PlainBatch, PlainClickSearch, PlainConversion, PlainObjects};
use algolia_insights::models::{EventsItems, InsightsEvents};
use algolia_insights::sender::SenderConfig;
use algolia_insights::Client;
use serde::Serialize;
use std::time::Duration;

pub const BATCH: usize = 1000;
pub const SCENARIOS: [&str; 6] = [
    "floor-lent",
    "client-lent",
    "sender-lent",
    "floor-owned",
    "client-owned",
    "sender-owned",
];

/// The floor this scenario is compared with: the one of the same lifecycle.
pub fn floor_of(scenario: &str) -> &'static str {
    if scenario.ends_with("-owned") {
        "floor-owned"
    } else {
        "floor-lent"
    }
}

/// The floor's events of one kind, each kind its own struct (the mix an
/// untagged enum of the four), in batches of 1000.
pub enum FloorEvents {
    Objects(Vec<Vec<PlainObjects>>),
    ClickSearch(Vec<Vec<PlainClickSearch>>),
    Conversion(Vec<Vec<PlainConversion>>),
    Mix(Vec<Vec<Plain>>),
}

/// The events of one scenario, built before the clock starts.
pub enum Prepared {
    Floor(reqwest::Client, String, FloorEvents),
    Client(Client, Vec<InsightsEvents>),
    Sender(Client, Vec<EventsItems>),
}

fn batches<T>(n: u64, one: impl Fn(u64) -> T) -> Vec<Vec<T>> {
    let mut batches = Vec::with_capacity(n as usize / BATCH + 1);
    let mut first = 0;
    while first < n {
        let end = (first + BATCH as u64).min(n);
        batches.push((first..end).map(&one).collect());
        first = end;
    }
    batches
}

pub fn floor_events(kind: &str, n: u64) -> FloorEvents {
    match kind {
        "view" | "click" => FloorEvents::Objects(batches(n, |i| events::plain_objects(kind, i))),
        "click-search" => FloorEvents::ClickSearch(batches(n, events::plain_click_search)),
        "conversion" => FloorEvents::Conversion(batches(n, events::plain_conversion)),
        _ => FloorEvents::Mix(batches(n, |i| events::plain(kind, i))),
    }
}

pub fn client_batches(kind: &str, n: u64) -> Vec<InsightsEvents> {
    batches(n, |i| events::typed(kind, i))
        .into_iter()
        .map(InsightsEvents::new)
        .collect()
}

pub fn prepare(scenario: &str, kind: &str, url: &str, n: u64) -> Prepared {
    match scenario {
        "floor-lent" | "floor-owned" => Prepared::Floor(
            {
                // What the crate does before building its own client under
                // `rustls-ring`: reqwest needs a process-wide crypto provider.
                let _ = rustls_crate::crypto::ring::default_provider().install_default();
                reqwest::Client::new()
            },
            format!("{url}/1/events"),
            floor_events(kind, n),
        ),
        "client-lent" | "client-owned" => {
            Prepared::Client(our_client(url), client_batches(kind, n))
        }
        "sender-lent" | "sender-owned" => Prepared::Sender(
            our_client(url),
            (0..n).map(|i| events::typed(kind, i)).collect(),
        ),
        other => panic!("unknown scenario `{other}`"),
    }
}

fn our_client(url: &str) -> Client {
    Client::builder(crate::floor::APP_ID, crate::floor::API_KEY)
        .hosts([url])
        .build()
        .expect("a client")
}

/// The timed section: sends the prepared events; returns what is left to
/// free after the clock stops (nothing, when the events were handed over).
#[inline(never)]
pub async fn timed(prepared: Prepared, owned: bool) -> Result<Option<Prepared>, String> {
    match prepared {
        Prepared::Floor(http, url, events) => {
            let events = match events {
                FloorEvents::Objects(b) => floor(&http, &url, b, owned)
                    .await?
                    .map(FloorEvents::Objects),
                FloorEvents::ClickSearch(b) => floor(&http, &url, b, owned)
                    .await?
                    .map(FloorEvents::ClickSearch),
                FloorEvents::Conversion(b) => floor(&http, &url, b, owned)
                    .await?
                    .map(FloorEvents::Conversion),
                FloorEvents::Mix(b) => floor(&http, &url, b, owned).await?.map(FloorEvents::Mix),
            };
            Ok(events.map(|events| Prepared::Floor(http, url, events)))
        }
        Prepared::Client(client, batches) if owned => {
            for batch in batches {
                client.push_events(batch).await.map_err(|e| e.to_string())?;
            }
            Ok(None)
        }
        Prepared::Client(client, batches) => {
            for batch in &batches {
                client.push_events(batch).await.map_err(|e| e.to_string())?;
            }
            Ok(Some(Prepared::Client(client, batches)))
        }
        Prepared::Sender(client, events) => {
            let n = events.len() as u64;
            let sender = client.sender(SenderConfig::new());
            let left = if owned {
                for event in events {
                    sender.send(event).await.map_err(|e| e.to_string())?;
                }
                None
            } else {
                for event in &events {
                    sender.send(event).await.map_err(|e| e.to_string())?;
                }
                Some(events)
            };
            let report = sender.shutdown(Duration::from_secs(600)).await;
            let stats = report.stats;
            if stats.delivered != n || !report.undelivered.is_empty() || stats.failed != 0 {
                return Err(format!("the sender did not deliver everything: {stats:?}"));
            }
            Ok(left.map(|events| Prepared::Sender(client, events)))
        }
    }
}

/// The floor: each batch written with `serde_json::to_vec` and POSTed;
/// when `owned`, each batch is dropped after its response.
async fn floor<T: Serialize>(
    http: &reqwest::Client,
    url: &str,
    batches: Vec<Vec<T>>,
    owned: bool,
) -> Result<Option<Vec<Vec<T>>>, String> {
    if owned {
        for batch in batches {
            post(http, url, &batch).await?;
            drop(batch);
        }
        Ok(None)
    } else {
        for batch in &batches {
            post(http, url, batch).await?;
        }
        Ok(Some(batches))
    }
}

async fn post<T: Serialize>(http: &reqwest::Client, url: &str, batch: &[T]) -> Result<(), String> {
    let body = serde_json::to_vec(&PlainBatch { events: batch }).map_err(|e| e.to_string())?;
    crate::floor::post(http, url, body).await
}

/// Panics unless a batch of each kind gives the same bytes both ways: the
/// floor's `serde_json::to_vec`, and the body `push_events` writes
/// (`checked_json_body`, each event checked as it is written).
pub fn check_same_bytes(kind: &str) {
    use algolia_insights::__private::{HttpRequest, Method};
    use algolia_insights::validation::ValidationContext;
    let floor = match floor_events(kind, BATCH as u64) {
        FloorEvents::Objects(b) => serde_json::to_vec(&PlainBatch { events: &b[0] }),
        FloorEvents::ClickSearch(b) => serde_json::to_vec(&PlainBatch { events: &b[0] }),
        FloorEvents::Conversion(b) => serde_json::to_vec(&PlainBatch { events: &b[0] }),
        FloorEvents::Mix(b) => serde_json::to_vec(&PlainBatch { events: &b[0] }),
    }
    .expect("the floor's batch serializes");
    let batch = &client_batches(kind, BATCH as u64)[0];
    let mut request = HttpRequest::new(Method::POST, "/1/events".into());
    request
        .checked_json_body(batch, Some(2_000_000), &ValidationContext::now())
        .expect("the client's batch is valid");
    let client = request.body().expect("a body");
    assert!(
        floor == client[..],
        "{kind}: the floor and the client write different bytes:\n{}\n{}",
        String::from_utf8_lossy(&floor[..300.min(floor.len())]),
        String::from_utf8_lossy(&client[..300.min(client.len())]),
    );
}
