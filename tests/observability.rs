//! What a program watching this crate sees (feature `metrics`): with its own
//! recorder (`metrics-util`'s debugging recorder) and its own `tracing`
//! subscriber, it sends through a `LocalServer` with injected faults, and
//! finds the documented metrics with the values the server's own record
//! gives, spans named as OpenTelemetry's HTTP client conventions say, and no
//! key or user token in any span or event field.
//!
//! The recorder and the subscriber are process-wide: the tests take turns
//! (`TURN`), and each starts by draining what came before.

use algolia_insights::local::{Fault, Faults, LocalServer};
use algolia_insights::metrics;
use algolia_insights::models::{
    EventName, EventsItems, InsightsEvents, UserToken, ViewedObjectIDs,
};
use algolia_insights::sender::{FailedEvent, SenderConfig};
use algolia_insights::{Client, RequestOptions};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

const APP_ID: &str = "observed-app";
const API_KEY: &str = "key-that-must-never-show-1234";
/// Every user token of these tests starts with this: none may show in a span.
const TOKEN_PREFIX: &str = "secret-user";

static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One span as the subscriber saw it: its name and every field recorded.
#[derive(Debug, Clone)]
struct SeenSpan {
    id: u64,
    name: &'static str,
    fields: BTreeMap<String, String>,
}

impl SeenSpan {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct Seen {
    spans: Vec<SeenSpan>,
    /// Every event's fields, message included.
    events: Vec<BTreeMap<String, String>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

/// A `tracing` layer that keeps every span and event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Seen>>);

impl<S: Subscriber> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().spans.push(SeenSpan {
            id: id.into_u64(),
            name: attrs.metadata().name(),
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut seen = self.0.lock().unwrap();
        if let Some(span) = seen.spans.iter_mut().rev().find(|s| s.id == id.into_u64()) {
            values.record(&mut Fields(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        self.0.lock().unwrap().events.push(fields);
    }
}

/// The program's recorder and subscriber, installed once.
fn observers() -> &'static (Snapshotter, Capture) {
    static OBSERVERS: OnceLock<(Snapshotter, Capture)> = OnceLock::new();
    OBSERVERS.get_or_init(|| {
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect("the only recorder");
        metrics::describe();
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
        (snapshotter, capture)
    })
}

/// One metric as the recorder holds it: name, labels, value.
type Metric = (String, BTreeMap<String, String>, DebugValue);

/// What was recorded since the last call (the recorder hands each value
/// over once).
fn take_metrics() -> Vec<Metric> {
    observers()
        .0
        .snapshot()
        .into_vec()
        .into_iter()
        .map(|(key, _, _, value)| {
            let labels = key
                .key()
                .labels()
                .map(|label| (label.key().to_string(), label.value().to_string()))
                .collect();
            (key.key().name().to_string(), labels, value)
        })
        .collect()
}

fn take_spans() -> Seen {
    std::mem::take(&mut *observers().1 .0.lock().unwrap())
}

fn matches(labels: &BTreeMap<String, String>, wanted: &[(&str, &str)]) -> bool {
    wanted
        .iter()
        .all(|(k, v)| labels.get(*k).map(String::as_str) == Some(*v))
}

/// The sum of a counter's series whose labels include `wanted`.
fn counter(metrics: &[Metric], name: &str, wanted: &[(&str, &str)]) -> u64 {
    metrics
        .iter()
        .filter(|(n, labels, _)| n == name && matches(labels, wanted))
        .map(|(_, _, value)| match value {
            DebugValue::Counter(n) => *n,
            other => panic!("{name} is not a counter: {other:?}"),
        })
        .sum()
}

/// The values a histogram's series whose labels include `wanted` recorded.
fn histogram(metrics: &[Metric], name: &str, wanted: &[(&str, &str)]) -> Vec<f64> {
    metrics
        .iter()
        .filter(|(n, labels, _)| n == name && matches(labels, wanted))
        .flat_map(|(_, _, value)| match value {
            DebugValue::Histogram(values) => {
                values.iter().map(|v| v.into_inner()).collect::<Vec<f64>>()
            }
            other => panic!("{name} is not a histogram: {other:?}"),
        })
        .collect()
}

fn gauge(metrics: &[Metric], name: &str) -> Option<f64> {
    metrics
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, _, value)| match value {
            DebugValue::Gauge(v) => v.into_inner(),
            other => panic!("{name} is not a gauge: {other:?}"),
        })
}

fn view(id: usize, days_ago: i64) -> EventsItems {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{id}")],
        UserToken::new(format!("{TOKEN_PREFIX}-{id}")).unwrap(),
    )
    .timestamp(now.as_millis() as i64 - days_ago * 86_400_000)
    .into()
}

async fn server(faults: Faults) -> LocalServer {
    LocalServer::builder()
        .credentials(APP_ID, API_KEY)
        .faults(faults)
        .start()
        .await
        .unwrap()
}

/// No span or event field holds the key or a user token.
fn assert_no_secret(seen: &Seen) {
    let spans = seen.spans.iter().map(|s| (s.name, &s.fields));
    let events = seen.events.iter().map(|fields| ("event", fields));
    for (what, fields) in spans.chain(events) {
        for (name, value) in fields {
            assert!(
                !value.contains(API_KEY) && !value.contains(TOKEN_PREFIX),
                "{what}.{name} = {value}"
            );
        }
    }
}

#[tokio::test]
async fn sender_metrics_agree_with_what_the_faulty_server_recorded() {
    let _turn = TURN.lock().await;
    take_metrics();
    take_spans();
    // Five failed tries the sender retries, then the rest as it comes.
    let server = server(Faults::none().script([
        Fault::Status(503),
        Fault::DropConnection,
        Fault::Status(429),
        Fault::Status(500),
        Fault::Status(502),
    ]))
    .await;
    let client = Client::builder(APP_ID, API_KEY)
        .hosts([server.url()])
        .build()
        .unwrap();
    let failures: Arc<Mutex<Vec<FailedEvent>>> = Arc::default();
    let sink = Arc::clone(&failures);
    // Told to, the client sends events older than the API keeps; the
    // server refuses them on purpose (422), and the sender isolates them.
    let sender = client.sender(
        SenderConfig::new()
            .max_retries(10)
            .backoff(Duration::from_millis(1), Duration::from_millis(5))
            .max_delay(Duration::from_secs(60))
            .request_options(RequestOptions::new().allow_stale_timestamps(true))
            .on_failure(move |failed| sink.lock().unwrap().push(failed)),
    );
    let stale = [4, 17];
    for id in 0..40 {
        let days_ago = if stale.contains(&id) { 40 } else { 0 };
        sender.send(view(id, days_ago)).await.unwrap();
    }
    sender.flush().await;
    let stats = sender.stats();
    let metrics = take_metrics();
    let requests = server.requests();

    // Events: delivered as the server recorded them, rejected as refused.
    let delivered = counter(
        &metrics,
        "algolia_insights_events_total",
        &[("outcome", "delivered")],
    );
    assert_eq!(delivered, 38);
    assert_eq!(delivered as usize, server.accepted_event_count());
    let rejected = counter(
        &metrics,
        "algolia_insights_events_total",
        &[("outcome", "rejected")],
    );
    assert_eq!(rejected, 2);
    assert_eq!(rejected as usize, failures.lock().unwrap().len());
    assert_eq!(
        counter(
            &metrics,
            "algolia_insights_events_total",
            &[("outcome", "failed")]
        ),
        0
    );

    // Retries: one per injected fault, by reason.
    let injected = requests.iter().filter(|r| r.fault.is_some()).count();
    assert_eq!(injected, 5, "{requests:?}");
    let retries = |reason| {
        counter(
            &metrics,
            "algolia_insights_retries_total",
            &[("reason", reason)],
        )
    };
    assert_eq!(retries("5xx"), 3);
    assert_eq!(retries("connect"), 1);
    assert_eq!(retries("429"), 1);
    assert_eq!(retries("timeout"), 0);
    assert_eq!(
        counter(&metrics, "algolia_insights_retries_total", &[]),
        injected as u64
    );
    assert_eq!(stats.retried, 5 * 40, "{stats:?}");

    // Tries: one per request the server saw, in the class of its status.
    let host = server.addr().to_string();
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    for request in &requests {
        let class = match request.status {
            Some(200..=299) => "2xx",
            Some(429) => "429",
            Some(400..=499) => "4xx",
            Some(500..=599) => "5xx",
            _ => "error",
        };
        *classes.entry(class).or_default() += 1;
    }
    for (class, count) in &classes {
        let labels = [
            ("operation", "pushEvents"),
            ("status_class", *class),
            ("host", host.as_str()),
        ];
        assert_eq!(
            counter(&metrics, "algolia_insights_requests_total", &labels),
            *count,
            "{class}: {metrics:?}"
        );
    }
    assert_eq!(
        counter(&metrics, "algolia_insights_requests_total", &[]),
        requests.len() as u64
    );
    assert_eq!(stats.requests, requests.len() as u64, "{stats:?}");
    // One duration per call, each as long as a call can be.
    let durations = histogram(
        &metrics,
        "algolia_insights_request_duration_seconds",
        &[("operation", "pushEvents")],
    );
    assert_eq!(durations.len(), requests.len());
    assert!(
        durations.iter().all(|d| *d > 0.0 && *d < 60.0),
        "{durations:?}"
    );

    // The batches that left the queue carried every event; all settled.
    let batches = histogram(&metrics, "algolia_insights_batch_events", &[]);
    assert_eq!(batches.iter().sum::<f64>(), 40.0, "{batches:?}");
    assert_eq!(
        gauge(&metrics, "algolia_insights_sender_queue_events"),
        Some(0.0)
    );
    assert_eq!(
        gauge(&metrics, "algolia_insights_sender_in_flight_batches"),
        Some(0.0)
    );

    // Each request of the sender is a pushEvents span with its batch's size.
    let seen = take_spans();
    let operations: Vec<&SeenSpan> = seen
        .spans
        .iter()
        .filter(|s| s.name == "algolia.request")
        .collect();
    assert_eq!(operations.len(), requests.len());
    assert!(operations
        .iter()
        .all(|s| s.field("algolia.operation") == Some("pushEvents")));
    assert_eq!(operations[0].field("algolia.events"), Some("40"));
    assert_eq!(operations[0].field("error.type"), Some("503"));
    assert_no_secret(&seen);
    sender.shutdown(Duration::from_secs(5)).await;
    server.shutdown().await;
}

#[tokio::test]
async fn spans_follow_the_http_client_conventions_and_hold_no_secret() {
    let _turn = TURN.lock().await;
    take_metrics();
    take_spans();
    let server = server(Faults::none()).await;
    // A host that refuses connections, tried first.
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let client = Client::builder(APP_ID, API_KEY)
        .hosts([refused.clone(), server.url().to_string()])
        .build()
        .unwrap();

    let events = InsightsEvents::new([view(1, 0), view(2, 0)]);
    client.push_events(events).await.unwrap();
    let token = format!("{TOKEN_PREFIX}-1");
    client.delete_user_token(token).await.unwrap();
    let custom = client
        .custom_get(format!("1/{TOKEN_PREFIX}/path"))
        .query_param("user", format!("{TOKEN_PREFIX}-2"))
        .await;
    assert_eq!(custom.unwrap_err().status(), Some(404));

    let seen = take_spans();
    assert_no_secret(&seen);
    let operations: Vec<&SeenSpan> = seen
        .spans
        .iter()
        .filter(|s| s.name == "algolia.request")
        .collect();
    let names: Vec<_> = operations
        .iter()
        .map(|s| s.field("algolia.operation").unwrap())
        .collect();
    assert_eq!(names, ["pushEvents", "deleteUserToken", "customGet"]);
    assert_eq!(operations[0].field("otel.name"), Some("pushEvents"));
    // A direct call's span counts its batch's events, as a sender's does.
    assert_eq!(operations[0].field("algolia.events"), Some("2"));
    assert_eq!(operations[1].field("algolia.events"), None);
    assert_eq!(operations[0].field("error.type"), None);
    assert_eq!(operations[2].field("error.type"), Some("404"));

    let tries: Vec<&SeenSpan> = seen
        .spans
        .iter()
        .filter(|s| s.name == "algolia.try")
        .collect();
    // The refused host failed once, then went down: the later calls skip it.
    assert_eq!(tries.len(), 4, "{tries:#?}");
    let server_port = server.addr().port().to_string();
    let base = format!("http://127.0.0.1:{server_port}");
    let expected = [
        ("POST", format!("{refused}/1/events"), None, Some("connect")),
        ("POST", format!("{base}/1/events"), Some("200"), None),
        (
            "DELETE",
            format!("{base}/1/usertokens/{{userToken}}"),
            Some("204"),
            None,
        ),
        ("GET", format!("{base}/{{path}}"), Some("404"), Some("404")),
    ];
    for (span, (method, url, status, error)) in tries.iter().zip(&expected) {
        assert_eq!(span.field("otel.kind"), Some("client"), "{span:?}");
        assert_eq!(span.field("http.request.method"), Some(*method), "{span:?}");
        assert_eq!(span.field("server.address"), Some("127.0.0.1"), "{span:?}");
        assert!(span.field("server.port").is_some(), "{span:?}");
        assert_eq!(span.field("url.full"), Some(url.as_str()), "{span:?}");
        assert_eq!(span.field("http.response.status_code"), *status, "{span:?}");
        assert_eq!(span.field("error.type"), *error, "{span:?}");
    }
    assert_eq!(tries[1].field("server.port"), Some(server_port.as_str()));
    // The second try of the first call is a resend; first tries are not.
    assert_eq!(tries[0].field("http.request.resend_count"), None);
    assert_eq!(tries[1].field("http.request.resend_count"), Some("1"));
    assert_eq!(tries[2].field("http.request.resend_count"), None);
    assert_eq!(tries[1].field("otel.name"), Some("POST /1/events"));

    // The metrics name operations, never the path or the token.
    let metrics = take_metrics();
    for (name, labels, _) in &metrics {
        for value in labels.values() {
            assert!(!value.contains(TOKEN_PREFIX), "{name} {labels:?}");
        }
    }
    let refused_host = refused.trim_start_matches("http://");
    assert_eq!(
        counter(
            &metrics,
            "algolia_insights_requests_total",
            &[("status_class", "error"), ("host", refused_host)]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "algolia_insights_requests_total",
            &[("operation", "deleteUserToken"), ("status_class", "2xx")]
        ),
        1
    );
    assert_eq!(
        counter(
            &metrics,
            "algolia_insights_retries_total",
            &[("reason", "connect")]
        ),
        1
    );
    server.shutdown().await;
}

#[tokio::test]
async fn every_metric_is_described_for_exporters() {
    let _turn = TURN.lock().await;
    observers();
    // A counter recorded once shows with the description `describe` gave.
    let server = server(Faults::none()).await;
    let client = Client::builder(APP_ID, API_KEY)
        .hosts([server.url()])
        .build()
        .unwrap();
    client
        .push_events(InsightsEvents::new([view(3, 0)]))
        .await
        .unwrap();
    let snapshot = observers().0.snapshot().into_vec();
    let described = snapshot
        .iter()
        .find(|(key, ..)| key.key().name() == metrics::REQUESTS_TOTAL)
        .and_then(|(_, unit, description, _)| Some((unit.as_ref()?, description.as_ref()?)));
    let (unit, description) = described.expect("algolia_insights_requests_total was recorded");
    assert_eq!(unit.as_str(), "count");
    assert!(description.contains("Tries"), "{description}");
    take_spans();
    server.shutdown().await;
}

/// The spool's gauges follow what it holds, and the damage it finds is counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spool_metrics_follow_what_it_holds_and_count_damage() {
    use algolia_insights::sender::{Spool, SpoolConfig};
    let _turn = TURN.lock().await;
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("observability-spool");
    let _ = std::fs::remove_dir_all(&dir);
    // 40 events left in the spool while the API is down.
    let down = server(Faults::seeded(1).fail(1.0, 503)).await;
    let client = |url: &str| {
        Client::builder(APP_ID, API_KEY)
            .hosts([url])
            .build()
            .unwrap()
    };
    let quick = || SenderConfig::new().backoff(Duration::from_millis(5), Duration::from_millis(20));
    let sender =
        client(down.url()).spooled_sender(quick(), Spool::open(SpoolConfig::new(&dir)).unwrap());
    for i in 0..40 {
        sender.send(view(i, 0)).await.unwrap();
    }
    assert_eq!(
        sender.shutdown(Duration::from_millis(200)).await.spooled,
        40
    );
    // A byte of the 11th record flipped: that event is lost, counted once.
    let segment = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&segment).unwrap();
    let record = (bytes.len() - 28) / 40;
    bytes[28 + 10 * record + record / 2] ^= 0x10;
    std::fs::write(&segment, bytes).unwrap();
    take_metrics();

    let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
    let metrics = take_metrics();
    assert_eq!(
        counter(&metrics, metrics::SPOOL_DAMAGED_RECORDS_TOTAL, &[]),
        1
    );
    assert_eq!(gauge(&metrics, metrics::SPOOL_EVENTS), Some(39.0));
    assert!(gauge(&metrics, metrics::SPOOL_BYTES).unwrap() > 39.0 * 100.0);

    let up = server(Faults::none()).await;
    let sender = client(up.url()).spooled_sender(quick(), spool);
    sender.flush().await;
    // Settled, the segment written to is rotated and deleted: a header left.
    let started = std::time::Instant::now();
    let mut last = (None, None);
    while last != (Some(0.0), Some(28.0)) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "gauges: {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        let metrics = take_metrics();
        if let Some(events) = gauge(&metrics, metrics::SPOOL_EVENTS) {
            last.0 = Some(events);
        }
        if let Some(bytes) = gauge(&metrics, metrics::SPOOL_BYTES) {
            last.1 = Some(bytes);
        }
    }
    assert_eq!(up.event_count(), 39);
    sender.shutdown(Duration::from_secs(10)).await;
}
