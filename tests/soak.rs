//! A fault soak: events through the sender to two local hosts with seeded
//! random faults (5xx, dropped connections, requests that hang past the
//! timeout, 429s, and one host down for a stretch). Every event must be
//! delivered at least once (checked by a unique id in the server's record),
//! duplicates are counted (the guarantee is at least once), nothing panics,
//! and the sender's memory stays bounded by its queue capacity.
//!
//! CI runs 20 000 events; the full size is
//! `SOAK_EVENTS=200000 cargo test --release --test soak -- --nocapture`.

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::*;
use algolia_insights::sender::SenderConfig;
use algolia_insights::Client;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TASKS: usize = 8;
const QUEUE_CAPACITY: usize = 20_000;

fn event(id: usize) -> ViewedObjectIDs {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("soak-{id}")],
        UserToken::new(format!("user-{}", id % 97)).unwrap(),
    )
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_at_least_once_through_seeded_faults() {
    let total: usize = std::env::var("SOAK_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    // Host A: 20% 503, 5% dropped connections, 5% hangs past the client's timeout.
    let a_faults = || {
        Faults::seeded(11)
            .fail(0.20, 503)
            .drop_connections(0.05)
            .delay(0.05, Duration::from_millis(1_500))
    };
    // Host B: some 429s.
    let b_faults = || Faults::seeded(29).fail(0.10, 429);
    // Every event must be found in the records: keep them all.
    let a = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .faults(a_faults())
        .start()
        .await
        .unwrap();
    let b = LocalServer::builder()
        .max_recorded_events(usize::MAX)
        .faults(b_faults())
        .start()
        .await
        .unwrap();

    let client = Client::builder("soak-app", "soak-key")
        .hosts([a.url(), b.url()])
        .write_timeout(Duration::from_millis(400))
        .host_down_ttl(Duration::from_millis(100))
        .max_rate_limit_wait(Some(Duration::from_millis(200)))
        .build()
        .unwrap();
    let failed = Arc::new(AtomicU64::new(0));
    let failed_in = failed.clone();
    let sender = client.sender(
        SenderConfig::new()
            .queue_capacity(QUEUE_CAPACITY)
            .max_batch_events(100)
            .max_delay(Duration::from_millis(20))
            .max_in_flight(4)
            .max_retries(50)
            .backoff(Duration::from_millis(5), Duration::from_millis(100))
            .on_failure(move |failed| {
                eprintln!("undeliverable: {} ({})", failed.json(), failed.error());
                failed_in.fetch_add(1, Ordering::Relaxed);
            }),
    );

    let started = Instant::now();
    let mut producers = Vec::new();
    for task in 0..TASKS {
        let sender = sender.clone();
        producers.push(tokio::spawn(async move {
            let mut max_pending = 0;
            for id in (task..total).step_by(TASKS) {
                sender
                    .send(event(id))
                    .await
                    .expect("a valid event is taken");
                max_pending = max_pending.max(sender.stats().pending());
            }
            max_pending
        }));
    }
    // Host B goes down for a stretch while the producers run.
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.set_faults(Faults::none().fail(1.0, 500));
    tokio::time::sleep(Duration::from_millis(700)).await;
    b.set_faults(b_faults());

    let mut max_pending = 0;
    for producer in producers {
        max_pending = max_pending.max(producer.await.expect("no producer panicked"));
    }
    let report = sender.shutdown(Duration::from_secs(120)).await;
    let elapsed = started.elapsed();
    assert!(
        !report.deadline_passed,
        "the sender settled everything: {:?}",
        report.stats
    );
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no event given up");
    assert!(
        max_pending <= QUEUE_CAPACITY as u64,
        "memory bounded by the queue: {max_pending} pending"
    );

    // What the two hosts recorded, by unique id.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for event in a.events().into_iter().chain(b.events()) {
        let EventsItems::ViewedObjectIDs(viewed) = event else {
            panic!("an unexpected event kind was recorded");
        };
        *seen.entry(viewed.object_ids[0].clone()).or_default() += 1;
    }
    let missing: Vec<usize> = (0..total)
        .filter(|id| !seen.contains_key(&format!("soak-{id}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} events lost, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    let stats = report.stats;
    assert_eq!(stats.delivered, total as u64, "{stats:?}");
    println!(
        "soak: {total} events in {:.1}s, lost 0, duplicates {duplicates}, requests {}, retried {}, \
         recorded by A {} / B {}, peak RSS {} KiB",
        elapsed.as_secs_f64(),
        stats.requests,
        stats.retried,
        a.event_count(),
        b.event_count(),
        peak_rss_kib().unwrap_or(0)
    );
}
