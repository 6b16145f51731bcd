//! The scenario: a 3-node NATS cluster and an R3 stream; 2 producer
//! processes publish N events (20 000 by default, `NATS_CHAOS_EVENTS` to
//! change), 3 forwarder processes deliver them to a `LocalServer` that
//! fails and drops requests (injected faults) and rejects some events on
//! purpose (40 days old); mid-run one forwarder and one NATS node are
//! SIGKILLed, and the node is restarted. At the end every event a producer
//! saw acknowledged reached the API (0 lost), duplicates are counted and
//! printed, and the dead-letter stream holds exactly the rejected events.
//!
//! `cargo test -p algolia-insights --features nats --test nats_cluster -- --nocapture`

#[path = "support/nats_server.rs"]
mod nats_server;

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::nats::NatsConfig;
use algolia_insights::sender::SenderConfig;
use algolia_insights::Client;
use nats_server::{available, fresh_dir, NatsServer};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Every this-many-th event is 40 days old: the API rejects it.
const STALE_EVERY: u64 = 97;
const PRODUCERS: u64 = 2;
const FORWARDERS: usize = 3;

fn event(i: u64) -> EventsItems {
    let event = ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{}", i % 100)],
        UserToken::new(format!("user-{i}")).unwrap(),
    );
    if i.is_multiple_of(STALE_EVERY) {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        return event
            .timestamp(now.as_millis() as i64 - 40 * 24 * 3600 * 1000)
            .into();
    }
    event.into()
}

fn token_number(event: &EventsItems) -> u64 {
    let json = serde_json::to_value(event).unwrap();
    json["userToken"].as_str().unwrap()["user-".len()..]
        .parse()
        .unwrap()
}

fn config(urls: &str) -> NatsConfig {
    NatsConfig::new(urls)
        .ack_wait(Duration::from_secs(5))
        .publish_timeout(Duration::from_secs(60))
}

fn producer_client() -> Client {
    Client::builder("local", "local")
        .hosts(["http://127.0.0.1:9"])
        .allow_stale_timestamps(true)
        .build()
        .unwrap()
}

/// A child process of this test binary running one of the ignored tests below.
fn child(name: &str, envs: &[(&str, String)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            name,
            "--nocapture",
            "--include-ignored",
            "--quiet",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (key, value) in envs {
        command.env(key, value);
    }
    command.spawn().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_loses_no_acknowledged_event_through_node_and_forwarder_kills() {
    if !available("a_cluster_loses_no_acknowledged_event_through_node_and_forwarder_kills") {
        return;
    }
    let total: u64 = std::env::var("NATS_CHAOS_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let started = Instant::now();
    let mut nodes = NatsServer::cluster(3, &fresh_dir("cluster"));
    let urls = nodes
        .iter()
        .map(NatsServer::url)
        .collect::<Vec<_>>()
        .join(",");
    // The cluster elects its JetStream leader: the stream is created once it can be.
    let producer = loop {
        match producer_client().nats_producer(&config(&urls)).await {
            Ok(producer) => break producer,
            Err(error) => {
                assert!(started.elapsed() < Duration::from_secs(60), "{error}");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }
    };
    producer.shutdown(Duration::from_secs(1)).await;
    let js = async_nats::jetstream::new(async_nats::connect(nodes[0].url()).await.unwrap());
    let info = js
        .get_stream("INSIGHTS_EVENTS")
        .await
        .unwrap()
        .cached_info()
        .clone();
    assert_eq!(
        info.config.num_replicas, 3,
        "an R3 stream on a 3-node cluster"
    );

    let api = LocalServer::builder()
        .faults(Faults::seeded(11).fail(0.05, 503).drop_connections(0.02))
        .max_recorded_events(10 * total as usize)
        .start()
        .await
        .unwrap();

    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let not_stored = Arc::new(Mutex::new(BTreeSet::new()));
    let mut producers = Vec::new();
    let mut readers = Vec::new();
    for p in 0..PRODUCERS {
        let (from, to) = (p * total / PRODUCERS, (p + 1) * total / PRODUCERS);
        let mut child = child(
            "child_produces",
            &[
                ("NATS_CHAOS_URLS", urls.clone()),
                ("NATS_CHAOS_FROM", from.to_string()),
                ("NATS_CHAOS_TO", to.to_string()),
            ],
        );
        let stdout = child.stdout.take().unwrap();
        let (acked, not_stored) = (Arc::clone(&acked), Arc::clone(&not_stored));
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(i) = line.strip_prefix("ACKED ") {
                    acked.lock().unwrap().insert(i.parse::<u64>().unwrap());
                } else if let Some(i) = line.strip_prefix("NOT_STORED ") {
                    not_stored.lock().unwrap().insert(i.parse::<u64>().unwrap());
                }
            }
        }));
        producers.push(child);
    }
    let mut forwarders = Vec::new();
    for _ in 0..FORWARDERS {
        let mut child = child(
            "child_forwards",
            &[
                ("NATS_CHAOS_URLS", urls.clone()),
                ("NATS_CHAOS_API", api.url().to_string()),
            ],
        );
        let stdout = child.stdout.take().unwrap();
        let holding = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&holding);
        let lines = std::thread::spawn(move || {
            let mut kept = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                match line.strip_prefix("HOLDING ") {
                    Some(n) => seen.store(n.parse().unwrap(), SeqCst),
                    None => kept.push(line),
                }
            }
            kept
        });
        forwarders.push((child, holding, lines));
    }

    // Mid-run: the forwarder holding the most messages and a node die
    // without a word.
    while (acked.lock().unwrap().len() as u64) < total / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "producers stalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    while api.accepted_event_count() < (total / 10) as usize {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "forwarders stalled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let victim = (0..FORWARDERS)
        .max_by_key(|&f| forwarders[f].1.load(SeqCst))
        .unwrap();
    let (mut killed, held, _) = forwarders.remove(victim);
    killed.kill().unwrap();
    killed.wait().unwrap();
    let held = held.load(SeqCst);
    nodes[1].kill();
    println!(
        "killed forwarder {victim} (holding about {held} messages) and node n1 after {} acknowledged publishes and {} delivered events",
        acked.lock().unwrap().len(),
        api.accepted_event_count()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    nodes[1].restart();
    println!("restarted node n1");

    for mut producer in producers {
        assert!(producer.wait().unwrap().success(), "a producer failed");
    }
    for reader in readers {
        reader.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let not_stored = not_stored.lock().unwrap().clone();
    let good: BTreeSet<u64> = acked
        .iter()
        .copied()
        .filter(|i| !i.is_multiple_of(STALE_EVERY))
        .collect();

    // Every acknowledged event reaches the API (the stream's redelivery
    // takes the killed forwarder's messages to the others).
    let deadline = Instant::now() + Duration::from_secs(240);
    let received = loop {
        let received: Vec<u64> = api.events().iter().map(token_number).collect();
        let distinct: BTreeSet<u64> = received.iter().copied().collect();
        if good.is_subset(&distinct) || Instant::now() > deadline {
            break received;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    // The rest of what the forwarders hold: settled at their shutdown.
    let mut stats = Vec::new();
    for (mut forwarder, _, lines) in forwarders {
        drop(forwarder.stdin.take());
        assert!(forwarder.wait().unwrap().success(), "a forwarder failed");
        stats.extend(
            lines
                .join()
                .unwrap()
                .into_iter()
                .filter(|l| l.starts_with("STATS")),
        );
    }
    let redelivered: u64 = stats
        .iter()
        .map(|line| {
            let words: Vec<&str> = line.split(' ').collect();
            words[4].parse::<u64>().unwrap()
        })
        .sum();
    let mut counts: BTreeMap<u64, u32> = BTreeMap::new();
    for i in &received {
        *counts.entry(*i).or_default() += 1;
    }
    let lost: Vec<u64> = good
        .iter()
        .copied()
        .filter(|i| !counts.contains_key(i))
        .collect();
    let duplicates: u64 = counts.values().map(|&n| u64::from(n - 1)).sum();

    // The dead-letter stream: exactly the rejected events, each once.
    let js = async_nats::jetstream::new(async_nats::connect(nodes[0].url()).await.unwrap());
    let mut dead = js.get_stream("INSIGHTS_EVENTS_DEAD_LETTER").await.unwrap();
    let stored = dead.info().await.unwrap().state.messages;
    let mut dead_letters = BTreeSet::new();
    for sequence in 1..=stored {
        let message = dead.get_raw_message(sequence).await.unwrap();
        let event = EventsItems::from_json(std::str::from_utf8(&message.payload).unwrap()).unwrap();
        dead_letters.insert(token_number(&event));
    }
    let rejected_acked: BTreeSet<u64> = acked
        .iter()
        .copied()
        .filter(|i| i.is_multiple_of(STALE_EVERY))
        .collect();

    println!(
        "{total} events: {} acknowledged by the stream, {} not stored in time; {} delivered ({} distinct, {duplicates} duplicates), {} lost; {} dead-lettered; {:.1} s",
        acked.len(),
        not_stored.len(),
        received.len(),
        counts.len(),
        lost.len(),
        dead_letters.len(),
        started.elapsed().as_secs_f64()
    );
    for line in &stats {
        println!("forwarder {line}");
    }
    assert!(lost.is_empty(), "acknowledged events lost: {lost:?}");
    assert!(
        held == 0 || redelivered > 0,
        "the killed forwarder's messages went to the others"
    );
    assert!(
        counts.keys().all(|i| !i.is_multiple_of(STALE_EVERY)),
        "the API took a stale event"
    );
    assert_eq!(
        stored,
        dead_letters.len() as u64,
        "a rejected event dead-lettered twice"
    );
    // Exactly the rejected events: all those acknowledged, and no other
    // (one whose publish was not acknowledged in time may still be stored).
    assert!(
        rejected_acked.is_subset(&dead_letters),
        "a rejected event is missing"
    );
    assert!(
        dead_letters
            .iter()
            .all(|i| i.is_multiple_of(STALE_EVERY) && (acked.contains(i) || not_stored.contains(i))),
        "the dead-letter stream holds an event that was not rejected"
    );
    assert!(
        !acked.is_empty() && acked.len() as u64 + not_stored.len() as u64 == total,
        "every publish ended"
    );
}

/// A producer process: publishes events `FROM..TO`, up to 256 at once,
/// printing `ACKED i` once the stream acknowledged event i.
#[test]
#[ignore = "a child process of the cluster scenario"]
fn child_produces() {
    let Ok(urls) = std::env::var("NATS_CHAOS_URLS") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap().parse::<u64>().unwrap();
    let (from, to) = (var("NATS_CHAOS_FROM"), var("NATS_CHAOS_TO"));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let producer = producer_client()
            .nats_producer(&config(&urls))
            .await
            .unwrap();
        let (done, mut results) = tokio::sync::mpsc::unbounded_channel();
        let room = Arc::new(tokio::sync::Semaphore::new(256));
        let printer = tokio::spawn(async move {
            while let Some((i, ok)) = results.recv().await {
                let word = if ok { "ACKED" } else { "NOT_STORED" };
                println!("{word} {i}");
            }
        });
        for i in from..to {
            let permit = Arc::clone(&room).acquire_owned().await.unwrap();
            let (producer, done) = (producer.clone(), done.clone());
            tokio::spawn(async move {
                let ok = producer.send(event(i)).await.is_ok();
                done.send((i, ok)).unwrap();
                drop(permit);
            });
        }
        drop(done);
        printer.await.unwrap();
        producer.shutdown(Duration::from_secs(10)).await;
    });
}

/// A forwarder process: forwards until its standard input closes, then
/// shuts down and prints `STATS ...`.
#[test]
#[ignore = "a child process of the cluster scenario"]
fn child_forwards() {
    let Ok(urls) = std::env::var("NATS_CHAOS_URLS") else {
        return;
    };
    let api = std::env::var("NATS_CHAOS_API").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let client = Client::builder("local", "local")
            .hosts([api])
            .write_timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        // A smaller queue than the default, so that the work spreads.
        let sender = SenderConfig::new()
            .queue_capacity(2000)
            .max_delay(Duration::from_millis(50))
            .backoff(Duration::from_millis(20), Duration::from_millis(500));
        let forwarder = Arc::new(client.nats_forwarder(&config(&urls), sender).await.unwrap());
        let reporting = Arc::clone(&forwarder);
        let reporter = tokio::spawn(async move {
            loop {
                println!("HOLDING {}", reporting.stats().holding);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
        reporter.abort();
        let report = forwarder.shutdown(Duration::from_secs(60)).await;
        let s = report.stats;
        println!(
            "STATS pulled {} redelivered {} acked {} dead_lettered {} returned {} requests {} retried {}",
            s.pulled, s.redelivered, s.acked, s.dead_lettered, s.returned, s.sender.requests, s.sender.retried
        );
    });
}
