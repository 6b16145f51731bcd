//! The JetStream producer and forwarder (feature `nats`) against real
//! `nats-server` processes started here, on free loopback ports with their
//! own store directories, and a `LocalServer` as the API: events published
//! are delivered and acknowledged, each once; rejected events go to the
//! dead-letter stream with the API's message and leave the stream; an
//! outage is waited out with progress acknowledgements (no redelivery);
//! the messages of a forwarder killed with SIGKILL go to another after
//! the consumer's ack wait; a producer without a server fails clearly.

#[path = "support/nats_server.rs"]
mod nats_server;

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::nats::{NatsConfig, PublishError};
use algolia_insights::sender::SenderConfig;
use algolia_insights::Client;
use nats_server::{available, fresh_dir, NatsServer};
use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const PATIENCE: Duration = Duration::from_secs(30);

/// Event `i`; `stale` ones are 40 days old, which the API refuses.
fn event(i: u64, stale: bool) -> EventsItems {
    let event = ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{}", i % 100)],
        UserToken::new(format!("user-{i}")).unwrap(),
    );
    let event = match stale {
        true => {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            event.timestamp(now.as_millis() as i64 - 40 * 24 * 3600 * 1000)
        }
        false => event,
    };
    event.into()
}

fn user_token(event: &EventsItems) -> String {
    let json = serde_json::to_value(event).unwrap();
    json["userToken"].as_str().unwrap().to_string()
}

/// The producers' client: its rules let stale events through (so that
/// the API can reject them on purpose); it never sends a request.
fn producer_client() -> Client {
    Client::builder("local", "local")
        .hosts(["http://127.0.0.1:9"])
        .allow_stale_timestamps(true)
        .build()
        .unwrap()
}

fn api_client(url: &str) -> Client {
    Client::builder("local", "local")
        .hosts([url])
        .write_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

fn quick() -> SenderConfig {
    SenderConfig::new()
        .max_delay(Duration::from_millis(20))
        .backoff(Duration::from_millis(10), Duration::from_millis(200))
}

/// The servers' config for the tests: a short ack wait (longer than the
/// API client's 2 s timeout).
fn config(url: &str) -> NatsConfig {
    NatsConfig::new(url).ack_wait(Duration::from_secs(3))
}

/// A plain JetStream context, to look at streams and consumers.
async fn jetstream(url: &str) -> async_nats::jetstream::Context {
    async_nats::jetstream::new(async_nats::connect(url).await.unwrap())
}

async fn messages_in(url: &str, stream: &str) -> u64 {
    let mut stream = jetstream(url).await.get_stream(stream).await.unwrap();
    stream.info().await.unwrap().state.messages
}

/// The tokens the API recorded, sorted.
fn tokens(server: &LocalServer) -> Vec<String> {
    let mut tokens: Vec<String> = server.events().iter().map(user_token).collect();
    tokens.sort();
    tokens
}

fn expected(range: std::ops::Range<u64>) -> Vec<String> {
    let mut tokens: Vec<String> = range.map(|i| format!("user-{i}")).collect();
    tokens.sort();
    tokens
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_events_are_delivered_once_and_leave_the_stream() {
    if !available("published_events_are_delivered_once_and_leave_the_stream") {
        return;
    }
    let nats = NatsServer::start(&fresh_dir("delivered"));
    let api = LocalServer::start().await.unwrap();
    let config = config(&nats.url());
    let producer = producer_client().nats_producer(&config).await.unwrap();
    for i in 0..40 {
        producer.send(event(i, false)).await.unwrap();
    }
    for i in 40..80 {
        // Lent: the caller keeps the event.
        let event = event(i, false);
        producer.try_send(&event).unwrap();
    }
    for i in 80..100 {
        let json = serde_json::to_string(&event(i, false)).unwrap();
        producer.send_json(&format!(" {json}\n")).await.unwrap();
    }
    producer.flush().await;
    let stats = producer.stats();
    assert_eq!((stats.published, stats.failed, stats.pending), (100, 0, 0));
    assert_eq!(messages_in(&nats.url(), "INSIGHTS_EVENTS").await, 100);

    // Every message carries its own id (a retried publish is stored once).
    let js = jetstream(&nats.url()).await;
    let stream = js.get_stream("INSIGHTS_EVENTS").await.unwrap();
    let mut ids = BTreeSet::new();
    for sequence in 1..=100 {
        let message = stream.get_raw_message(sequence).await.unwrap();
        let id = message.headers.get("Nats-Msg-Id").unwrap().to_string();
        ids.insert(id);
    }
    assert_eq!(ids.len(), 100, "one id per event");

    let forwarder = api_client(api.url())
        .nats_forwarder(&config, quick())
        .await
        .unwrap();
    api.wait_for_events(100, PATIENCE).await.unwrap();
    let report = forwarder.shutdown(PATIENCE).await;
    assert!(!report.deadline_passed, "{report:?}");
    assert_eq!(report.stats.pulled, 100, "{report:?}");
    assert_eq!(report.stats.acked, 100, "{report:?}");
    assert_eq!(report.stats.redelivered, 0, "{report:?}");
    assert_eq!(report.stats.sender.delivered, 100, "{report:?}");
    assert_eq!(tokens(&api), expected(0..100), "each event once");
    // Work-queue retention: an acknowledged message leaves the stream.
    let started = Instant::now();
    while messages_in(&nats.url(), "INSIGHTS_EVENTS").await > 0 {
        assert!(started.elapsed() < PATIENCE, "acknowledged messages stay");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    producer.shutdown(PATIENCE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_events_go_to_the_dead_letter_stream_with_the_api_message() {
    if !available("rejected_events_go_to_the_dead_letter_stream_with_the_api_message") {
        return;
    }
    let nats = NatsServer::start(&fresh_dir("dead-letter"));
    let api = LocalServer::start().await.unwrap();
    let config = config(&nats.url()).dead_letter("rejected.events");
    let producer = producer_client().nats_producer(&config).await.unwrap();
    let stale: BTreeSet<u64> = [3, 17, 18, 40].into();
    for i in 0..50 {
        producer.send(event(i, stale.contains(&i))).await.unwrap();
    }
    let forwarder = api_client(api.url())
        .nats_forwarder(&config, quick())
        .await
        .unwrap();
    api.wait_for_events(46, PATIENCE).await.unwrap();
    let started = Instant::now();
    while forwarder.stats().dead_lettered < 4 {
        assert!(started.elapsed() < PATIENCE, "{:?}", forwarder.stats());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let report = forwarder.shutdown(PATIENCE).await;
    assert_eq!(report.stats.acked, 46, "{report:?}");
    assert_eq!(report.stats.dead_lettered, 4, "{report:?}");
    assert_eq!(report.stats.sender.failed, 4, "{report:?}");
    let good: Vec<u64> = (0..50).filter(|i| !stale.contains(i)).collect();
    let mut want: Vec<String> = good.iter().map(|i| format!("user-{i}")).collect();
    want.sort();
    assert_eq!(tokens(&api), want);

    // The dead-letter stream, created for the subject, holds the rejected
    // events as sent, with the API's message.
    let js = jetstream(&nats.url()).await;
    let stream = js.get_stream("INSIGHTS_EVENTS_DEAD_LETTER").await.unwrap();
    assert_eq!(stream.cached_info().config.subjects, ["rejected.events"]);
    let mut rejected = BTreeSet::new();
    for sequence in 1..=4 {
        let message = stream.get_raw_message(sequence).await.unwrap();
        let event = EventsItems::from_json(std::str::from_utf8(&message.payload).unwrap()).unwrap();
        rejected.insert(user_token(&event));
        let error = message.headers.get("Insights-Error").unwrap().to_string();
        assert!(error.contains("timestamp"), "{error}");
    }
    let want: BTreeSet<String> = stale.iter().map(|i| format!("user-{i}")).collect();
    assert_eq!(rejected, want);
    assert!(stream.get_raw_message(5).await.is_err(), "four, no more");
    // Terminated: nothing is left in the events stream.
    let started = Instant::now();
    while messages_in(&nats.url(), "INSIGHTS_EVENTS").await > 0 {
        assert!(started.elapsed() < PATIENCE, "rejected messages stay");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_is_waited_out_without_redelivery() {
    if !available("an_outage_is_waited_out_without_redelivery") {
        return;
    }
    let nats = NatsServer::start(&fresh_dir("outage"));
    let api = LocalServer::builder()
        .faults(Faults::none().fail(1.0, 503))
        .start()
        .await
        .unwrap();
    // An ack wait of 2 s, and an outage of three times that: only the
    // progress acknowledgements keep the messages with the forwarder.
    let config = config(&nats.url()).ack_wait(Duration::from_secs(2));
    let producer = producer_client().nats_producer(&config).await.unwrap();
    for i in 0..30 {
        producer.send(event(i, false)).await.unwrap();
    }
    let forwarder = api_client(api.url())
        .nats_forwarder(&config, quick())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(6)).await;
    let stats = forwarder.stats();
    assert_eq!(stats.pulled, 30, "{stats:?}");
    assert!(stats.sender.retried > 0, "the API failed: {stats:?}");
    assert_eq!(stats.acked, 0, "{stats:?}");
    api.set_faults(Faults::none());
    api.wait_for_events(30, PATIENCE).await.unwrap();
    let report = forwarder.shutdown(PATIENCE).await;
    assert_eq!(report.stats.redelivered, 0, "{report:?}");
    assert_eq!(report.stats.pulled, 30, "{report:?}");
    assert_eq!(report.stats.acked, 30, "{report:?}");
    assert_eq!(tokens(&api), expected(0..30), "each event once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_forwarders_messages_go_to_another_after_the_ack_wait() {
    if !available("a_killed_forwarders_messages_go_to_another_after_the_ack_wait") {
        return;
    }
    let nats = NatsServer::start(&fresh_dir("killed"));
    // The first forwarder's API never answers in time: its batches are in
    // flight when it is killed.
    let stuck = LocalServer::builder()
        .faults(Faults::none().delay(1.0, Duration::from_secs(600)))
        .start()
        .await
        .unwrap();
    let api = LocalServer::start().await.unwrap();
    let config = config(&nats.url());
    let producer = producer_client().nats_producer(&config).await.unwrap();
    for i in 0..200 {
        producer.send(event(i, false)).await.unwrap();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_forwards",
            "--nocapture",
            "--include-ignored",
        ])
        .env("NATS_CHILD_NATS", nats.url())
        .env("NATS_CHILD_API", stuck.url())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Wait until the child holds every message.
    let js = jetstream(&nats.url()).await;
    let started = Instant::now();
    loop {
        let stream = js.get_stream("INSIGHTS_EVENTS").await.unwrap();
        if let Ok(mut consumer) = stream
            .get_consumer::<async_nats::jetstream::consumer::pull::Config>("insights-forwarder")
            .await
        {
            let info = consumer.info().await.unwrap();
            if info.num_ack_pending == 200 {
                break;
            }
        }
        assert!(
            started.elapsed() < PATIENCE,
            "the child never held every message"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = Instant::now();

    let forwarder = api_client(api.url())
        .nats_forwarder(&config, quick())
        .await
        .unwrap();
    api.wait_for_events(200, PATIENCE).await.unwrap();
    let waited = killed.elapsed();
    let report = forwarder.shutdown(PATIENCE).await;
    assert_eq!(report.stats.redelivered, 200, "{report:?}");
    assert_eq!(report.stats.acked, 200, "{report:?}");
    assert_eq!(tokens(&api), expected(0..200));
    assert!(
        waited >= Duration::from_secs(1),
        "redelivered only after the ack wait ({waited:?})"
    );
}

/// The killed forwarder: forwards until killed.
#[test]
#[ignore = "a child process of the killed-forwarder test"]
fn child_forwards() {
    let Ok(nats) = std::env::var("NATS_CHILD_NATS") else {
        return;
    };
    let api = std::env::var("NATS_CHILD_API").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let client = Client::builder("local", "local")
            .hosts([api])
            .write_timeout(Duration::from_secs(600))
            .build()
            .unwrap();
        let _forwarder = client
            .nats_forwarder(&config(&nats), quick())
            .await
            .unwrap();
        std::future::pending::<()>().await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_server_a_publish_fails_clearly_and_invalid_events_are_refused() {
    if !available("without_a_server_a_publish_fails_clearly_and_invalid_events_are_refused") {
        return;
    }
    let mut nats = NatsServer::start(&fresh_dir("no-server"));
    let config = config(&nats.url()).publish_timeout(Duration::from_secs(1));
    let producer = producer_client().nats_producer(&config).await.unwrap();
    let invalid = producer.send_json(r#"{"eventType":"view"}"#).await;
    assert!(
        matches!(invalid, Err(PublishError::Decode(_))),
        "{invalid:?}"
    );
    let too_big = EventsItems::from(ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        ["x".repeat(3_000_000)],
        UserToken::new("user-0").unwrap(),
    ));
    let refused = producer.send(&too_big).await;
    assert!(
        matches!(refused, Err(PublishError::Invalid(_))),
        "{refused:?}"
    );
    producer.send(event(0, false)).await.unwrap();

    nats.kill();
    let started = Instant::now();
    let error = producer.send(event(1, false)).await.unwrap_err();
    assert!(matches!(error, PublishError::NotStored { .. }), "{error:?}");
    assert!(error.to_string().contains("did not store"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
    let stats = producer.stats();
    assert_eq!((stats.published, stats.failed), (1, 1), "{stats:?}");
    let report = producer.shutdown(Duration::from_secs(1)).await;
    assert!(matches!(
        producer.send(event(2, false)).await,
        Err(PublishError::Closed)
    ));
    assert_eq!(report.stats.pending, 0);

    // The consumer and stream created are as documented.
    nats.restart();
    let js = jetstream(&nats.url()).await;
    let info = js
        .get_stream("INSIGHTS_EVENTS")
        .await
        .unwrap()
        .cached_info()
        .clone();
    assert_eq!(
        info.config.retention,
        async_nats::jetstream::stream::RetentionPolicy::WorkQueue
    );
    assert_eq!(
        info.config.storage,
        async_nats::jetstream::stream::StorageType::File
    );
    assert_eq!(info.config.duplicate_window, Duration::from_secs(120));
    assert_eq!(info.config.num_replicas, 1, "one server: one replica");
}
