//! The three ways of sending `n` events that the benchmark compares, each
//! with the same number of requests in flight:
//!
//! 1. `baseline`: hand-written serde structs, `serde_json::to_vec`, and a
//!    bare reqwest POST per batch of 1000;
//! 2. `client`: the generated types and `push_events` per batch of 1000
//!    (validation on, host failover and retries in place);
//! 3. `sender`: the batching sender, fed one event at a time from several
//!    producer tasks.
//!
//! Building the events is part of each run: it is work a program does.

use crate::events::{plain, typed, PlainBatch};
use algolia_insights::models::InsightsEvents;
use algolia_insights::sender::SenderConfig;
use algolia_insights::Client;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

pub const BATCH: u64 = 1000;
/// Requests in flight at once, in every scenario.
pub const IN_FLIGHT: usize = 4;
/// Tasks feeding the sender.
pub const PRODUCERS: u64 = 8;

const APP_ID: &str = "bench-app";
const API_KEY: &str = "bench-key";

pub async fn run(scenario: &str, url: &str, n: u64) -> Result<(), String> {
    match scenario {
        "baseline" => baseline(url, n).await,
        "client" => client(url, n).await,
        "sender" => sender(url, n).await,
        other => Err(format!("unknown scenario `{other}`")),
    }
}

/// Runs `send(first, end)` for each batch of `[0, n)`, `IN_FLIGHT` at a time.
async fn batches<F, Fut>(n: u64, send: F) -> Result<(), String>
where
    F: Fn(u64, u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (next, send) = (Arc::clone(&next), send.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(BATCH, Relaxed);
                if first >= n {
                    return Ok::<_, String>(());
                }
                send(first, (first + BATCH).min(n)).await?;
            }
        }));
    }
    for worker in workers {
        worker.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

async fn baseline(url: &str, n: u64) -> Result<(), String> {
    let http = reqwest::Client::new();
    let url = format!("{url}/1/events");
    batches(n, move |first, end| {
        let (http, url) = (http.clone(), url.clone());
        async move {
            let batch = PlainBatch {
                events: (first..end).map(plain).collect(),
            };
            let body = serde_json::to_vec(&batch).map_err(|e| e.to_string())?;
            let response = http
                .post(&url)
                .header("x-algolia-application-id", APP_ID)
                .header("x-algolia-api-key", API_KEY)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            response.bytes().await.map_err(|e| e.to_string())?;
            if status.is_success() {
                Ok(())
            } else {
                Err(format!("the sink answered {status}"))
            }
        }
    })
    .await
}

fn our_client(url: &str) -> Result<Client, String> {
    Client::builder(APP_ID, API_KEY)
        .hosts([url])
        .build()
        .map_err(|e| e.to_string())
}

async fn client(url: &str, n: u64) -> Result<(), String> {
    let client = our_client(url)?;
    batches(n, move |first, end| {
        let client = client.clone();
        async move {
            let events = InsightsEvents::new((first..end).map(typed));
            client
                .push_events(events)
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    })
    .await
}

async fn sender(url: &str, n: u64) -> Result<(), String> {
    let sender = our_client(url)?.sender(SenderConfig::new().max_in_flight(IN_FLIGHT));
    let mut producers = Vec::new();
    for producer in 0..PRODUCERS {
        let sender = sender.clone();
        producers.push(tokio::spawn(async move {
            for i in (producer..n).step_by(PRODUCERS as usize) {
                sender.send(typed(i)).await.map_err(|e| e.to_string())?;
            }
            Ok::<_, String>(())
        }));
    }
    for producer in producers {
        producer.await.map_err(|e| e.to_string())??;
    }
    let report = sender.shutdown(Duration::from_secs(600)).await;
    let stats = report.stats;
    if stats.delivered != n || !report.undelivered.is_empty() || stats.failed != 0 {
        return Err(format!("the sender did not deliver everything: {stats:?}"));
    }
    Ok(())
}
