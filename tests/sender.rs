//! The batching sender against the local server: every event of many tasks
//! arrives through injected faults; a batch the server rejects still
//! delivers its valid events and reports the others; batches keep to their
//! count and size limits; a shutdown keeps its deadline and reports what it
//! gave up; a stalled server holds the queue at its capacity.

#[path = "support/scripted_server.rs"]
#[allow(dead_code)] // The transport tests use the rest of it.
mod scripted_server;

use algolia_insights::local::{Fault, Faults, LocalServer};
use algolia_insights::models::{
    ClickedObjectIDs, EventName, EventsItems, UserToken, ViewedObjectIDs,
};
use algolia_insights::sender::{
    Delivered, FailedEvent, SendError, SendJsonError, Sender, SenderConfig,
};
use algolia_insights::{Client, RequestOptions};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longer than any test runs: a request delayed this long never gets its answer.
const FOREVER: Duration = Duration::from_secs(120);
/// A bound on waits that should take milliseconds, generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// A view event whose user token is its id.
fn view(id: &str) -> EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{id}")],
        UserToken::new(id.to_owned()).unwrap(),
    )
    .into()
}

/// The same, dated `days` ago: the client may send it when told to, but the
/// server refuses events older than the API keeps.
fn stale_view(id: &str, days: i64) -> EventsItems {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let then = now.as_millis() as i64 - days * 86_400_000;
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{id}")],
        UserToken::new(id.to_owned()).unwrap(),
    )
    .timestamp(then)
    .into()
}

fn user_token(event: &EventsItems) -> String {
    let json = serde_json::to_value(event).unwrap();
    json["userToken"].as_str().unwrap().to_string()
}

/// How many times the server recorded each user token.
fn recorded(server: &LocalServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for event in server.events() {
        *counts.entry(user_token(&event)).or_insert(0) += 1;
    }
    counts
}

fn client(server: &LocalServer, timeout: Duration) -> Client {
    Client::builder("local", "local")
        .hosts([server.url()])
        .write_timeout(timeout)
        .build()
        .unwrap()
}

/// A failure handler that keeps every failed event.
fn collect_failures() -> (
    Arc<Mutex<Vec<FailedEvent>>>,
    impl Fn(FailedEvent) + Send + Sync,
) {
    let failures = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&failures);
    (failures, move |failed| sink.lock().unwrap().push(failed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_thousand_events_from_eight_tasks_all_arrive_through_faults() {
    const TASKS: usize = 8;
    const PER_TASK: usize = 6_250;
    let server = LocalServer::builder()
        .faults(
            Faults::seeded(6)
                // The first requests get one of each fault for sure.
                .script([
                    Fault::Status(503),
                    Fault::DropConnection,
                    Fault::Delay(FOREVER),
                ])
                .fail(0.1, 500)
                .drop_connections(0.05)
                .delay(0.03, FOREVER),
        )
        .start()
        .await
        .unwrap();
    let (failures, on_failure) = collect_failures();
    let sender = client(&server, Duration::from_secs(2)).sender(
        SenderConfig::new()
            .queue_capacity(5_000)
            .max_retries(20)
            .backoff(Duration::from_millis(5), Duration::from_millis(100))
            .on_failure(on_failure),
    );

    let mut tasks = Vec::new();
    for task in 0..TASKS {
        let sender = sender.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..PER_TASK {
                sender.send(view(&format!("t{task}-e{i}"))).await.unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let report = sender.shutdown(PATIENCE * 4).await;

    let total = (TASKS * PER_TASK) as u64;
    assert!(!report.deadline_passed, "{report:?}");
    assert!(report.undelivered.is_empty());
    assert!(
        failures.lock().unwrap().is_empty(),
        "{:?}",
        failures.lock().unwrap().first()
    );
    let stats = report.stats;
    assert_eq!(
        (stats.enqueued, stats.delivered),
        (total, total),
        "{stats:?}"
    );
    assert_eq!(
        (stats.failed, stats.abandoned, stats.pending()),
        (0, 0, 0),
        "{stats:?}"
    );
    assert!(stats.retried > 0, "faults make the sender retry: {stats:?}");

    // Every event arrived, each exactly once: a request cut by a fault
    // records nothing, so retrying it duplicates nothing.
    let counts = recorded(&server);
    let expected: BTreeSet<String> = (0..TASKS)
        .flat_map(|t| (0..PER_TASK).map(move |i| format!("t{t}-e{i}")))
        .collect();
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).take(3).collect();
    assert!(twice.is_empty(), "recorded more than once: {twice:?}");

    let requests = server.requests();
    let faulted = |kind: fn(&Fault) -> bool| {
        requests
            .iter()
            .filter(|r| r.fault.as_ref().is_some_and(kind))
            .count()
    };
    assert!(
        faulted(|f| matches!(f, Fault::Status(_))) >= 2,
        "server errors were injected"
    );
    assert!(
        faulted(|f| matches!(f, Fault::DropConnection)) >= 1,
        "drops were injected"
    );
    // The server logs a request when it answers: those the client gave up
    // on (timed out) are missing from its log.
    let timed_out = stats.requests - requests.len() as u64;
    assert!(timed_out >= 1, "timeouts were injected: {stats:?}");
    assert!(
        requests.iter().all(|r| r.events <= 1000),
        "no batch over 1000 events"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_rejected_batch_delivers_its_valid_events_and_reports_the_bad_ones() {
    let server = LocalServer::start().await.unwrap();
    let (failures, on_failure) = collect_failures();
    let delivered = Arc::new(Mutex::new(Vec::new()));
    let on_delivered = {
        let delivered = Arc::clone(&delivered);
        move |done: Delivered| delivered.lock().unwrap().push(done.sequences())
    };
    // Told to, the client sends events older than the API keeps; the server refuses them.
    let sender = client(&server, PATIENCE).sender(
        SenderConfig::new()
            .max_delay(FOREVER)
            .request_options(RequestOptions::new().allow_stale_timestamps(true))
            .on_failure(on_failure)
            .on_delivered(on_delivered),
    );
    let bad = ["e13", "e14", "e71"];
    for i in 0..100 {
        let id = format!("e{i}");
        let event = if bad.contains(&id.as_str()) {
            stale_view(&id, 40)
        } else {
            view(&id)
        };
        sender.send(event).await.unwrap();
    }
    sender.flush().await;

    let counts = recorded(&server);
    assert_eq!(counts.len(), 97);
    assert!(counts.values().all(|n| *n == 1));
    assert!(bad.iter().all(|id| !counts.contains_key(*id)));

    let failures = std::mem::take(&mut *failures.lock().unwrap());
    let mut failed: Vec<String> = failures
        .iter()
        .map(|f| user_token(&f.event().unwrap()))
        .collect();
    failed.sort();
    assert_eq!(failed, bad);
    // Each event's number is its place in the order sent: `e13` is number 13.
    for failure in failures.iter() {
        let token = user_token(&failure.event().unwrap());
        assert_eq!(format!("e{}", failure.sequence()), token);
    }
    // The accepted requests carried every other number, each exactly once.
    let mut runs = std::mem::take(&mut *delivered.lock().unwrap());
    runs.sort_by_key(|run| run.start);
    let numbers: Vec<u64> = runs.into_iter().flatten().collect();
    let expected: Vec<u64> = (0..100).filter(|n| ![13, 14, 71].contains(n)).collect();
    assert_eq!(numbers, expected);
    for failure in failures.iter() {
        assert_eq!(failure.error().status(), Some(422), "{}", failure.error());
        assert!(failure.json().contains("\"timestamp\""));
    }
    let stats = sender.stats();
    assert_eq!(
        (stats.delivered, stats.failed, stats.pending()),
        (97, 3, 0),
        "{stats:?}"
    );
    // The whole batch was refused once, then halves until each bad event was alone.
    let requests = server.requests();
    assert_eq!(requests[0].status, Some(422));
    assert_eq!(requests.iter().map(|r| r.events).sum::<usize>(), 97);
    assert!(requests.len() < 40, "{} requests", requests.len());
    server.shutdown().await;
}

#[tokio::test]
async fn an_invalid_event_is_refused_and_handed_back() {
    let server = LocalServer::start().await.unwrap();
    let sender = client(&server, PATIENCE).sender(SenderConfig::new());
    let too_many_ids = ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        (0..21).map(|i| format!("sku-{i}")),
        UserToken::new("u1").unwrap(),
    );
    let error = sender.send(too_many_ids.clone()).await.unwrap_err();
    let SendError::Invalid { errors, .. } = &error else {
        panic!("expected Invalid, got {error:?}");
    };
    assert!(
        errors
            .to_string()
            .contains("objectIDs: 21 items, at most 20"),
        "{errors}"
    );
    assert_eq!(error.into_event(), EventsItems::from(too_many_ids));
    // By default a stale event is refused too, as `push_events` refuses it.
    let stale = sender.try_send(stale_view("u2", 40)).unwrap_err();
    assert!(matches!(stale, SendError::Invalid { .. }), "{stale:?}");

    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.stats.enqueued, 0);
    assert!(server.requests().is_empty(), "nothing was sent");
    server.shutdown().await;
}

#[tokio::test]
async fn lent_events_are_sent_and_handed_back_as_copies_on_error() {
    let server = LocalServer::start().await.unwrap();
    let sender = client(&server, PATIENCE)
        .sender(SenderConfig::new().queue_capacity(10).max_batch_events(4));
    let events: Vec<EventsItems> = (0..50).map(|i| view(&format!("lent{i}"))).collect();
    for event in &events {
        // Ten fit the queue; the others wait for room, still lent.
        sender.send(event).await.unwrap();
    }
    let invalid = EventsItems::from(ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        (0..21).map(|i| format!("sku-{i}")),
        UserToken::new("u1").unwrap(),
    ));
    let refused = sender.send(&invalid).await.unwrap_err();
    assert!(matches!(refused, SendError::Invalid { .. }), "{refused:?}");
    assert_eq!(refused.into_event(), invalid);

    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.stats.delivered, 50, "{:?}", report.stats);
    let recorded = recorded(&server);
    for event in &events {
        assert_eq!(recorded.get(&user_token(event)), Some(&1), "{event:?}");
    }
    let closed = sender.try_send(&events[0]).unwrap_err();
    assert!(matches!(closed, SendError::Closed(_)), "{closed:?}");
    assert_eq!(closed.event(), &events[0]);
    let closed = sender.send(&events[1]).await.unwrap_err();
    assert_eq!(closed.into_event(), events[1]);
    server.shutdown().await;
}

/// `send`'s future is moved and polled once per event: what it may wait
/// for is boxed, so that it stays a few words instead of carrying an event
/// (it cost the sender about 40 ns per event, see BENCHMARKS.md).
#[tokio::test]
async fn the_future_of_send_is_a_few_words() {
    let server = LocalServer::start().await.unwrap();
    let sender = client(&server, PATIENCE).sender(SenderConfig::new());
    let event = view("small");
    let sending = sender.send(&event);
    let size = std::mem::size_of_val(&sending);
    assert!(
        size <= 8 * std::mem::size_of::<usize>(),
        "send's future is {size} bytes; an event alone is {}",
        std::mem::size_of::<EventsItems>()
    );
    sending.await.unwrap();
    sender.shutdown(PATIENCE).await;
    server.shutdown().await;
}

#[tokio::test]
async fn json_text_is_checked_and_sent_as_it_is() {
    let server = LocalServer::start().await.unwrap();
    let sender = client(&server, PATIENCE).sender(SenderConfig::new());
    // Spaces inside: sent as given, the body is longer than a reserialized one.
    let text = r#"{ "eventType": "view", "eventName": "Product Viewed", "index": "products", "objectIDs": ["sku-1"], "userToken": "json-1" }"#;
    sender.send_json(&format!("  {text}\r\n")).await.unwrap();

    let unknown = sender
        .try_send_json(r#"{"eventType":"view","eventName":"Product Viewed","index":"products","objectIDs":["sku-1"],"userToken":"u","colour":"red"}"#)
        .unwrap_err();
    assert!(
        matches!(&unknown, SendJsonError::Decode(e) if e.to_string().contains("colour")),
        "{unknown}"
    );
    let not_json = sender.try_send_json("{\"eventType\":").unwrap_err();
    assert!(matches!(not_json, SendJsonError::Decode(_)), "{not_json}");
    let ids: Vec<String> = (0..21).map(|i| format!("\"sku-{i}\"")).collect();
    let too_many = format!(
        r#"{{"eventType":"click","eventName":"Product Clicked","index":"products","objectIDs":[{}],"userToken":"u"}}"#,
        ids.join(",")
    );
    let invalid = sender.send_json(&too_many).await.unwrap_err();
    assert!(
        matches!(&invalid, SendJsonError::Invalid(errors)
            if errors.to_string().contains("objectIDs: 21 items, at most 20")),
        "{invalid}"
    );

    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.stats.enqueued, 1, "{:?}", report.stats);
    assert_eq!(report.stats.delivered, 1, "{:?}", report.stats);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].body_bytes,
        r#"{"events":[]}"#.len() + text.len()
    );
    assert_eq!(user_token(&server.events()[0]), "json-1");
    assert!(matches!(
        sender.try_send_json(text),
        Err(SendJsonError::Closed)
    ));
    assert!(matches!(
        sender.send_json(text).await,
        Err(SendJsonError::Closed)
    ));
    server.shutdown().await;
}

#[tokio::test]
async fn batches_close_at_their_count_size_and_delay() {
    let server = LocalServer::start().await.unwrap();
    let sender = client(&server, PATIENCE).sender(SenderConfig::new().max_delay(FOREVER));
    for i in 0..2_500 {
        sender.send(view(&format!("c{i}"))).await.unwrap();
    }
    sender.flush().await;
    // Answered in any order: the three batches are in flight at once.
    let mut counts: Vec<usize> = server.requests().iter().map(|r| r.events).collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        [500, 1000, 1000],
        "full batches, then the flushed rest"
    );
    server.clear();

    let small = client(&server, PATIENCE).sender(
        SenderConfig::new()
            .max_batch_bytes(4_000)
            .max_delay(FOREVER),
    );
    for i in 0..200 {
        small.send(view(&format!("s{i}"))).await.unwrap();
    }
    small.flush().await;
    let requests = server.requests();
    assert!(requests.len() > 1);
    assert!(requests
        .iter()
        .all(|r| r.body_bytes < 4_000 && r.status == Some(200)));
    assert_eq!(requests.iter().map(|r| r.events).sum::<usize>(), 200);
    server.clear();

    // Without a flush, a lone event goes out once its batch has waited max_delay.
    let timed =
        client(&server, PATIENCE).sender(SenderConfig::new().max_delay(Duration::from_millis(50)));
    timed.send(view("lonely")).await.unwrap();
    server.wait_for_events(1, PATIENCE).await.unwrap();
    timed.flush().await;
    assert_eq!(timed.stats().requests, 1);
    assert_eq!(timed.stats().delivered, 1);
    server.shutdown().await;
}

#[tokio::test]
async fn shutdown_keeps_its_deadline_and_reports_undelivered_events() {
    let server = LocalServer::builder()
        .faults(Faults::none().delay(1.0, FOREVER))
        .start()
        .await
        .unwrap();
    let sender = client(&server, FOREVER).sender(
        SenderConfig::new()
            .max_batch_events(10)
            .max_in_flight(1)
            .max_delay(FOREVER),
    );
    for i in 0..50 {
        sender.send(view(&format!("u{i}"))).await.unwrap();
    }
    // The first batch goes out (and hangs); the rest waits for its turn.
    let started = Instant::now();
    let report = sender.shutdown(Duration::from_millis(300)).await;
    assert!(
        started.elapsed() < PATIENCE,
        "shutdown took {:?}",
        started.elapsed()
    );

    assert!(report.deadline_passed);
    let ids: BTreeSet<String> = report
        .undelivered
        .iter()
        .map(|e| user_token(&e.event().unwrap()))
        .collect();
    assert_eq!(ids, (0..50).map(|i| format!("u{i}")).collect());
    let maybe: Vec<_> = report
        .undelivered
        .iter()
        .filter(|e| e.maybe_received())
        .collect();
    assert_eq!(
        maybe.len(),
        10,
        "the batch in flight may have been recorded"
    );
    let stats = report.stats;
    assert_eq!(
        (stats.enqueued, stats.abandoned, stats.delivered),
        (50, 50, 0),
        "{stats:?}"
    );
    assert_eq!(stats.pending(), 0);

    // Shut down: events are handed back, and a second shutdown has nothing left.
    let refused = sender.send(view("late")).await.unwrap_err();
    assert!(matches!(refused, SendError::Closed(_)), "{refused:?}");
    assert_eq!(user_token(&refused.into_event()), "late");
    assert!(sender.shutdown(Duration::ZERO).await.undelivered.is_empty());
    sender.flush().await;
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_holds_the_queue_at_its_capacity() {
    const CAPACITY: u64 = 100;
    let server = LocalServer::builder()
        .faults(Faults::none().delay(1.0, FOREVER))
        .start()
        .await
        .unwrap();
    let sender = client(&server, Duration::from_millis(500)).sender(
        SenderConfig::new()
            .queue_capacity(CAPACITY as usize)
            .max_batch_events(20)
            .max_in_flight(2)
            .max_delay(Duration::from_millis(10))
            .max_retries(u32::MAX)
            .backoff(Duration::from_millis(10), Duration::from_millis(50)),
    );
    let highest = Arc::new(AtomicU64::new(0));
    let watcher = {
        let (sender, highest) = (sender.clone(), Arc::clone(&highest));
        tokio::spawn(async move {
            while !sender.is_closed() {
                highest.fetch_max(sender.stats().pending(), SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
    };
    let producer = {
        let sender = sender.clone();
        tokio::spawn(async move {
            for i in 0..1_000 {
                sender.send(view(&format!("b{i}"))).await.unwrap();
            }
        })
    };

    // The producer fills the capacity, then waits.
    let deadline = Instant::now() + PATIENCE;
    while sender.stats().enqueued < CAPACITY && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = sender.stats();
    assert_eq!(stats.enqueued, CAPACITY, "{stats:?}");
    assert_eq!(stats.pending(), CAPACITY, "{stats:?}");
    assert!(!producer.is_finished());
    let full = sender.try_send(view("extra")).unwrap_err();
    assert!(matches!(full, SendError::Full(_)), "{full:?}");
    assert_eq!(user_token(&full.into_event()), "extra");

    // The server recovers: everything goes through, never more held than the capacity.
    server.set_faults(Faults::none());
    tokio::time::timeout(PATIENCE, producer)
        .await
        .unwrap()
        .unwrap();
    sender.flush().await;
    let report = sender.shutdown(PATIENCE).await;
    watcher.await.unwrap();
    assert_eq!(report.stats.delivered, 1_000, "{:?}", report.stats);
    assert_eq!(recorded(&server).len(), 1_000);
    let highest = highest.load(SeqCst);
    assert!(highest <= CAPACITY && highest > 0, "held at most {highest}");
    server.shutdown().await;
}

#[tokio::test]
async fn errors_that_splitting_cannot_fix_fail_the_batch_once() {
    let server = LocalServer::builder()
        .credentials("app", "right-key")
        .start()
        .await
        .unwrap();
    let (failures, on_failure) = collect_failures();
    let wrong_key = Client::builder("app", "wrong-key")
        .hosts([server.url()])
        .build()
        .unwrap();
    let sender = wrong_key.sender(SenderConfig::new().on_failure(on_failure));
    for i in 0..10 {
        sender.send(view(&format!("k{i}"))).await.unwrap();
    }
    sender.flush().await;
    assert_eq!(server.requests().len(), 1, "a 401 is not split");
    let failures = std::mem::take(&mut *failures.lock().unwrap());
    assert_eq!(failures.len(), 10);
    assert!(failures.iter().all(|f| f.error().status() == Some(401)));
    assert!(!format!("{:?}", sender).contains("wrong-key"));
    server.shutdown().await;
}

#[tokio::test]
async fn retries_are_bounded_and_the_last_error_is_reported() {
    let server = LocalServer::builder()
        .faults(Faults::none().fail(1.0, 503))
        .start()
        .await
        .unwrap();
    let (failures, on_failure) = collect_failures();
    let sender = client(&server, PATIENCE).sender(
        SenderConfig::new()
            .max_retries(2)
            .backoff(Duration::from_millis(1), Duration::from_millis(5))
            .on_failure(on_failure),
    );
    for i in 0..5 {
        sender.send(view(&format!("r{i}"))).await.unwrap();
    }
    sender.flush().await;
    assert_eq!(server.requests().len(), 3, "one try and two retries");
    let stats = sender.stats();
    assert_eq!(
        (stats.failed, stats.retried, stats.delivered),
        (5, 10, 0),
        "{stats:?}"
    );
    let failures = std::mem::take(&mut *failures.lock().unwrap());
    assert!(failures.iter().all(|f| f.error().status() == Some(503)));
    server.shutdown().await;
}

#[tokio::test]
async fn a_429_is_sent_again_after_the_wait_it_asks_for() {
    use scripted_server::{Journal, Reply, ScriptedHost};
    let journal = Journal::default();
    let limited = [Reply::RateLimited("retry-after", "1".into())];
    let host = ScriptedHost::start(&journal, "a", limited, Reply::Ok).await;
    // The client itself does not wait: the 429 reaches the sender at once.
    let client = Client::builder("app", "key")
        .hosts([host.url.clone()])
        .max_rate_limit_wait(None)
        .build()
        .unwrap();
    let sender = client.sender(
        SenderConfig::new()
            .max_retries(1)
            .backoff(Duration::from_millis(1), Duration::from_millis(1)),
    );
    let started = Instant::now();
    sender.send(view("w1")).await.unwrap();
    sender.flush().await;

    let stats = sender.stats();
    assert_eq!(
        (stats.delivered, stats.retried, stats.requests),
        (1, 1, 2),
        "{stats:?}"
    );
    assert_eq!(journal.hosts(), ["a", "a"]);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "the retry came before the second Retry-After asked for: {:?}",
        started.elapsed()
    );
}

/// Collects what `tracing` writes, for the test that reads a warning.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn dropping_the_last_handle_warns_and_still_delivers() {
    let server = LocalServer::start().await.unwrap();
    let sender: Sender = client(&server, PATIENCE).sender(SenderConfig::new().max_delay(FOREVER));
    let clone = sender.clone();
    for i in 0..7 {
        sender.send(view(&format!("d{i}"))).await.unwrap();
    }
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        drop(sender);
        assert!(captured.0.lock().unwrap().is_empty(), "a clone still lives");
        drop(clone);
    });
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("pending=7"), "{log}");
    assert!(log.contains("without shutdown()"), "{log}");
    // Closing sends the batch that was waiting for max_delay.
    server.wait_for_events(7, PATIENCE).await.unwrap();
    server.shutdown().await;
}

#[test]
fn outside_a_runtime_the_sender_refuses_events() {
    let client = Client::builder("app", "key")
        .hosts(["http://127.0.0.1:9"])
        .build()
        .unwrap();
    let sender = client.sender(SenderConfig::new());
    assert!(sender.is_closed());
    let refused = sender.try_send(view("x")).unwrap_err();
    assert!(matches!(refused, SendError::Closed(_)), "{refused:?}");
}
