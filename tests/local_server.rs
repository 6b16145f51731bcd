//! The local server (`algolia_insights::local`) against the spec: each status
//! it documents, the recording of events, deletion, gzip, credentials, and
//! fault injection. The generated client talks to it where it can; raw HTTP
//! sends what the client refuses to.

use algolia_insights::local::{Fault, Faults, LocalServer, StartError};
use algolia_insights::models::{
    ClickedObjectIDsAfterSearch, EventName, EventsItems, InsightsEvents, QueryID, UserToken,
    ViewedObjectIDs,
};
use algolia_insights::{Client, Error};
use flate2::write::GzEncoder;
use serde_json::{json, Value};
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Long enough never to be reached on a working machine; no test measures time.
const PATIENCE: Duration = Duration::from_secs(30);

fn view(user: &str, object: &str) -> EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [object],
        UserToken::new(user.to_owned()).unwrap(),
    )
    .into()
}

fn click_after_search(user: &str) -> EventsItems {
    ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        ["sku-1", "sku-2"],
        [1, 2],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f").unwrap(),
        UserToken::new(user.to_owned()).unwrap(),
    )
    .into()
}

fn events_url(server: &LocalServer) -> String {
    format!("{}/1/events", server.url())
}

/// A status and JSON body, read raw.
async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).expect("a JSON body");
    (status, body)
}

/// A bare HTTP client's builder, as a program talking to the server without
/// the crate would start one. Under the default TLS choice reqwest needs a
/// process-wide rustls crypto provider before building a client; the crate's
/// own clients install ring, but a test may run before any of them has.
fn http_builder() -> reqwest::ClientBuilder {
    let _ = rustls_crate::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

fn http() -> reqwest::Client {
    http_builder().build().expect("a bare HTTP client")
}

async fn post_raw(server: &LocalServer, body: impl Into<reqwest::Body>) -> reqwest::Response {
    http()
        .post(events_url(server))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("the local server answers")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn accepted_events_are_recorded_in_order_and_can_be_awaited() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    let sent = vec![
        view("user-1", "a"),
        click_after_search("user-1"),
        view("user-2", "b"),
    ];
    let response = client
        .push_events(InsightsEvents::new(sent.clone()))
        .await
        .unwrap();
    assert_eq!(response.status, Some(200));
    assert_eq!(response.message.as_deref(), Some("OK"));

    let recorded = server.wait_for_events(3, PATIENCE).await.unwrap();
    assert_eq!(recorded, sent);
    assert_eq!(server.event_count(), 3);
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/1/events")
    );
    assert_eq!((requests[0].status, requests[0].events), (Some(200), 3));
    assert!(requests[0].body_bytes > 0);
    server.shutdown().await;
}

#[tokio::test]
async fn waiting_for_more_events_than_arrive_times_out_with_the_count() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    let timeout = server
        .wait_for_events(2, Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!((timeout.wanted, timeout.recorded), (2, 1));
    assert!(timeout.to_string().contains("recorded only 1"), "{timeout}");
}

#[tokio::test]
async fn events_that_arrive_later_end_the_wait() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    let sender = tokio::spawn(async move {
        for user in ["user-1", "user-2"] {
            client
                .push_events(InsightsEvents::new([view(user, "a")]))
                .await
                .unwrap();
        }
    });
    let events = server.wait_for_events(2, PATIENCE).await.unwrap();
    assert_eq!(events.len(), 2);
    sender.await.unwrap();
}

#[tokio::test]
async fn invalid_events_get_a_422_naming_the_path_the_client_names() {
    let server = LocalServer::start().await.unwrap();
    // The client refuses this batch before sending it...
    let mut mismatched = match click_after_search("user-1") {
        EventsItems::ClickedObjectIDsAfterSearch(click) => click,
        other => panic!("not a click: {other:?}"),
    };
    mismatched.positions = vec![1];
    let batch = InsightsEvents::new([view("user-1", "a"), mismatched.into()]);
    let client_error = server
        .client()
        .unwrap()
        .push_events(batch.clone())
        .await
        .unwrap_err();
    let violation = client_error.validation_errors().unwrap().violations()[0].to_string();
    assert!(
        violation.starts_with("events[1].positions: 1 item"),
        "{violation}"
    );
    // ...and the server refuses it with the same words when it is sent anyway.
    let (status, body) = answer(post_raw(&server, serde_json::to_vec(&batch).unwrap()).await).await;
    assert_eq!(status, 422);
    assert_eq!(body["status"], 422);
    assert_eq!(body["message"], violation);

    let cases = [
        (json!({"events": []}), "events: 0 items, at least 1"),
        (json!({}), "missing field `events`"),
        (
            json!({"events": [{"eventName": "x", "eventType": "scroll", "index": "i", "userToken": "u"}]}),
            "events[0]: not a valid EventsItems: `eventType` is `scroll`",
        ),
        (
            json!({"events": [{"eventName": "x", "eventType": "view", "index": "i", "objectIDs": ["a"], "userToken": "not valid!"}]}),
            "events[0].userToken: `not valid!` does not match the pattern",
        ),
        (
            json!({"events": [{"eventName": "x", "eventType": "view", "index": "i", "objectIDs": [1], "userToken": "u"}]}),
            "events[0].objectIDs[0]: invalid type: integer `1`, expected a string",
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = answer(post_raw(&server, body.to_string()).await).await;
        assert_eq!(status, 422, "{body}");
        let message = answer["message"].as_str().unwrap();
        assert!(message.starts_with(expected), "{body}: {message}");
    }
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"eventName": "x", "eventType": "view", "index": "i", "objectIDs": [format!("o{i}")], "userToken": "u"}))
        .collect();
    let (status, body) =
        answer(post_raw(&server, json!({ "events": too_many }).to_string()).await).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (422, Some("events: 1001 items, at most 1000"))
    );
    assert_eq!(
        server.event_count(),
        0,
        "nothing of a refused batch is recorded"
    );
}

#[tokio::test]
async fn a_422_reaches_the_client_as_an_api_error_with_the_message() {
    let server = LocalServer::start().await.unwrap();
    let error = server
        .client()
        .unwrap()
        .custom_post("1/events")
        .body(json!({"events": []}))
        .await
        .unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status, 422);
    assert_eq!(api.message.as_deref(), Some("events: 0 items, at least 1"));
}

#[tokio::test]
async fn a_body_that_is_not_json_gets_the_html_400() {
    let server = LocalServer::start().await.unwrap();
    for body in ["", "{\"events\": [", "events=1", "{\"events\":[]} and more"] {
        let response = post_raw(&server, body).await;
        assert_eq!(response.status().as_u16(), 400, "{body:?}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("<html>") && page.contains("not valid JSON"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn the_body_limit_is_the_clients_2_000_000_bytes() {
    let server = LocalServer::start().await.unwrap();
    let event = json!({"events": [{"eventName": "x", "eventType": "view", "index": "i", "objectIDs": ["a"], "userToken": "u"}]}).to_string();
    let padded = |size: usize| {
        let mut body = event.clone().into_bytes();
        body.resize(size, b' ');
        body
    };
    let (status, _) = answer(post_raw(&server, padded(2_000_000)).await).await;
    assert_eq!(status, 200);
    let (status, body) = answer(post_raw(&server, padded(2_000_001)).await).await;
    assert_eq!((status, body["status"].as_i64()), (413, Some(413)));
    assert!(
        body["message"].as_str().unwrap().contains("2000000 bytes"),
        "{body}"
    );

    // The client sends a batch of exactly that size, and refuses one byte more.
    let client = server.client().unwrap();
    let batch_of_size = |size: usize| {
        let base = serde_json::to_vec(&InsightsEvents::new([view("u", "")]))
            .unwrap()
            .len();
        InsightsEvents::new([view("u", &"o".repeat(size - base))])
    };
    let exact = batch_of_size(2_000_000);
    assert_eq!(serde_json::to_vec(&exact).unwrap().len(), 2_000_000);
    client.push_events(exact).await.unwrap();
    let over = client
        .push_events(batch_of_size(2_000_001))
        .await
        .unwrap_err();
    assert!(over.validation_errors().is_some(), "{over}");
    assert_eq!(server.event_count(), 2);
}

#[tokio::test]
async fn gzipped_bodies_are_read_and_their_expansion_is_bounded() {
    let server = LocalServer::start().await.unwrap();
    let batch = serde_json::to_vec(&InsightsEvents::new([view("user-1", "a")])).unwrap();
    let response = http()
        .post(events_url(&server))
        .header("content-encoding", "gzip")
        .body(gzip(&batch))
        .send()
        .await
        .unwrap();
    assert_eq!(answer(response).await.0, 200);

    // The client's own compression works too.
    let client = Client::builder("app", "key")
        .hosts([server.url()])
        .gzip_requests(Some(0))
        .build()
        .unwrap();
    client
        .push_events(InsightsEvents::new([view("user-2", "b")]))
        .await
        .unwrap();
    assert_eq!(server.event_count(), 2);

    let bomb = gzip(&vec![b' '; 3_000_000]);
    assert!(bomb.len() < 100_000);
    let response = http()
        .post(events_url(&server))
        .header("content-encoding", "gzip")
        .body(bomb)
        .send()
        .await
        .unwrap();
    assert_eq!(answer(response).await.0, 413);
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let server = LocalServer::start().await.unwrap();
    let http = http();
    let url = |path: &str| format!("{}{path}", server.url());
    let (status, body) = answer(http.get(url("/1/nothing")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].as_i64()), (404, Some(404)));
    assert!(
        body["message"].as_str().unwrap().contains("/1/nothing"),
        "{body}"
    );

    let response = http.get(url("/1/events")).send().await.unwrap();
    assert_eq!(response.headers()["allow"], "POST");
    let (status, body) = answer(response).await;
    assert_eq!((status, body["status"].as_i64()), (405, Some(405)));
    let (status, _) = answer(http.put(url("/1/usertokens/user-1")).send().await.unwrap()).await;
    assert_eq!(status, 405);

    // Through the client, as an API error.
    let error = server
        .client()
        .unwrap()
        .custom_get("1/events")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(405));
}

#[tokio::test]
async fn credentials_are_checked_when_configured_and_the_key_stays_hidden() {
    let server = LocalServer::builder()
        .credentials("APP", "secret-api-key")
        .start()
        .await
        .unwrap();
    let wrong = Client::builder("APP", "another-key")
        .hosts([server.url()])
        .build()
        .unwrap();
    let error = wrong
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    let error = wrong.delete_user_token("user-1").await.unwrap_err();
    assert_eq!(error.status(), Some(401));
    let (status, _) = answer(post_raw(&server, "{}").await).await;
    assert_eq!(status, 401, "no headers at all");

    server
        .client()
        .unwrap()
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    assert_eq!(server.event_count(), 1);
    let shown = format!("{server:?} {:?}", server.requests());
    assert!(!shown.contains("secret-api-key"), "{shown}");
    assert!(shown.contains("APP"), "{shown}");
}

#[tokio::test]
async fn deleting_a_user_token_forgets_its_events_and_reports_the_rate_limit() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    client
        .push_events(InsightsEvents::new([
            view("user-a", "1"),
            view("user-b", "2"),
            click_after_search("user-a"),
        ]))
        .await
        .unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let limits = client.delete_user_token("user-a").await.unwrap();
    assert_eq!(limits.x_ratelimit_limit, Some(100));
    assert_eq!(limits.x_ratelimit_remaining, Some(99));
    let reset = limits.x_ratelimit_reset.unwrap();
    assert!(
        reset > now - 60 && reset <= now + 61,
        "reset {reset}, now {now}"
    );
    assert_eq!(server.events(), vec![view("user-b", "2")]);
    let log = server.requests();
    assert_eq!(log[1].status, Some(204));
    assert_eq!(
        log[1].message.as_deref(),
        Some("2 recorded events forgotten")
    );

    // A token the client would refuse, sent raw.
    let response = http()
        .delete(format!("{}/1/usertokens/not%20valid", server.url()))
        .send()
        .await
        .unwrap();
    let (status, body) = answer(response).await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("userToken: `not valid`"),
        "{body}"
    );
}

#[tokio::test]
async fn deletions_past_the_rate_limit_get_a_429_with_the_figures() {
    let server = LocalServer::builder()
        .delete_rate_limit(1)
        .start()
        .await
        .unwrap();
    let client = Client::builder("app", "key")
        .hosts([server.url()])
        .max_rate_limit_wait(None)
        .build()
        .unwrap();
    client.delete_user_token("user-a").await.unwrap();
    let error = client.delete_user_token("user-a").await.unwrap_err();
    let api = error.api_error().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(api.headers.get("X-RateLimit-Limit").unwrap(), "1");
    assert_eq!(api.headers.get("x-ratelimit-remaining").unwrap(), "0");
    assert!(
        api.message.as_deref().unwrap().contains("at most 1"),
        "{api}"
    );
}

/// The statuses of `count` requests sent one after the other (`None`: dropped).
async fn statuses(server: &LocalServer, count: usize) -> Vec<Option<u16>> {
    let body = serde_json::to_vec(&InsightsEvents::new([view("user-1", "a")])).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..count {
        // A fresh connection each time, so that a dropped one cannot affect the next.
        let http = http_builder().pool_max_idle_per_host(0).build().unwrap();
        let sent = http
            .post(events_url(server))
            .body(body.clone())
            .send()
            .await;
        statuses.push(sent.ok().map(|response| response.status().as_u16()));
    }
    statuses
}

#[tokio::test]
async fn faults_are_the_same_for_the_same_seed() {
    let faults = |seed| {
        Faults::seeded(seed)
            .fail(0.3, 503)
            .drop_connections(0.1)
            .script([Fault::Status(502)])
    };
    let first = LocalServer::builder()
        .faults(faults(7))
        .start()
        .await
        .unwrap();
    let second = LocalServer::builder()
        .faults(faults(7))
        .start()
        .await
        .unwrap();
    let other = LocalServer::builder()
        .faults(faults(8))
        .start()
        .await
        .unwrap();
    let a = statuses(&first, 40).await;
    let b = statuses(&second, 40).await;
    let c = statuses(&other, 40).await;
    assert_eq!(a, b, "same seed, same faults");
    assert_ne!(a, c, "another seed, other faults");
    assert_eq!(a[0], Some(502), "the script comes first");
    for status in [Some(200), Some(503), None] {
        assert!(a.contains(&status), "{status:?} never happened in {a:?}");
    }
    // Only the requests that were handled recorded their event.
    let handled = a.iter().filter(|s| **s == Some(200)).count();
    assert_eq!(first.event_count(), handled);
    let log = first.requests();
    assert_eq!(log.iter().map(|r| r.status).collect::<Vec<_>>(), a);
    assert!(log
        .iter()
        .all(|r| (r.status == Some(200)) == r.fault.is_none()));
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error_for_the_client() {
    let server = LocalServer::builder()
        .faults(Faults::none().script([Fault::DropConnection]))
        .start()
        .await
        .unwrap();
    let client = server.client().unwrap();
    let error = client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    // The HTTP client's error is the source, whole, behind our own type.
    let source = std::error::Error::source(&error).expect("a source");
    assert!(
        source.downcast_ref::<reqwest::Error>().is_some(),
        "{source:?}"
    );
    assert_eq!(server.requests()[0].status, None);
    // The script is spent: the next request goes through.
    client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    assert_eq!(server.event_count(), 1);
}

#[tokio::test]
async fn delayed_requests_are_handled_and_faults_can_change_while_running() {
    let server = LocalServer::builder()
        .faults(Faults::none().delay(1.0, Duration::from_millis(20)))
        .start()
        .await
        .unwrap();
    let client = server.client().unwrap();
    client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].fault,
        Some(Fault::Delay(Duration::from_millis(20)))
    );
    server.set_faults(Faults::none().fail(1.0, 500));
    let error = client
        .push_events(InsightsEvents::new([view("user-1", "b")]))
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(500));
    server.set_faults(Faults::none());
    client
        .push_events(InsightsEvents::new([view("user-1", "c")]))
        .await
        .unwrap();
    assert_eq!(server.event_count(), 2);
}

#[tokio::test]
async fn only_loopback_addresses_are_accepted() {
    for address in ["0.0.0.0:0", "192.0.2.1:0", "[::]:0"] {
        let error = LocalServer::builder()
            .bind(address.parse().unwrap())
            .start()
            .await
            .unwrap_err();
        assert!(
            matches!(error, StartError::NotLoopback(_)),
            "{address}: {error}"
        );
        assert!(error.to_string().contains("loopback"), "{error}");
    }
    let server = LocalServer::builder()
        .bind("127.0.0.1:0".parse().unwrap())
        .start()
        .await
        .unwrap();
    assert!(
        server.url().starts_with("http://127.0.0.1:"),
        "{}",
        server.url()
    );
}

#[tokio::test]
async fn a_port_in_use_is_a_clear_error() {
    let server = LocalServer::start().await.unwrap();
    let error = LocalServer::builder()
        .port(server.addr().port())
        .start()
        .await
        .unwrap_err();
    assert!(matches!(error, StartError::Bind { .. }), "{error}");
}

#[test]
fn starting_outside_a_runtime_is_an_error_not_a_panic() {
    let started = futures_util::FutureExt::now_or_never(LocalServer::start());
    let error = started.expect("it does not wait").unwrap_err();
    assert!(matches!(error, StartError::NoRuntime), "{error}");
}

#[tokio::test]
async fn after_shutdown_nothing_answers() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    server.shutdown().await;
    let error = client
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn odd_input_gets_an_answer_and_the_server_keeps_serving() {
    let server = LocalServer::start().await.unwrap();
    let deep = "[".repeat(100_000);
    let bodies: Vec<Vec<u8>> = vec![
        vec![0xff, 0xfe, 0x00],
        deep.into_bytes(),
        b"{\"events\": [{}]}".to_vec(),
        b"{\"events\": null}".to_vec(),
        b"{\"events\": [null, 1, \"x\"]}".to_vec(),
        b"{\"events\": [{\"eventType\": \"click\", \"positions\": [1e400]}]}".to_vec(),
        b"\"just a string\"".to_vec(),
    ];
    for body in bodies {
        let status = post_raw(&server, body.clone()).await.status().as_u16();
        assert!(
            status == 400 || status == 422,
            "{status} for {:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
    }
    let http = http();
    for path in [
        "/1/usertokens/%FF",
        "/1/usertokens/a%40b",
        "/%00",
        "/1/events/extra",
    ] {
        let response = http
            .delete(format!("{}{path}", server.url()))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{path}: {}",
            response.status()
        );
    }
    server
        .client()
        .unwrap()
        .push_events(InsightsEvents::new([view("user-1", "a")]))
        .await
        .unwrap();
    assert_eq!(server.event_count(), 1);
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let server = LocalServer::start().await.unwrap();
    let addr = server.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(server);
    // It stops in the background: poll, a bounded number of times.
    let mut refused = false;
    for _ in 0..3_000 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        refused,
        "{addr} still accepts connections after the server was dropped"
    );
}

/// Sends each list of user tokens as one batch of views.
async fn push_views(server: &LocalServer, batches: &[&[&str]]) {
    let client = server.client().unwrap();
    for batch in batches {
        let events = batch.iter().map(|user| view(user, "sku-1"));
        client
            .push_events(InsightsEvents::new(events))
            .await
            .unwrap();
    }
}

fn user_tokens(events: &[EventsItems]) -> Vec<String> {
    events
        .iter()
        .map(|event| {
            serde_json::to_value(event).unwrap()["userToken"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[tokio::test]
async fn past_the_cap_the_oldest_events_are_dropped_and_counted() {
    let server = LocalServer::builder()
        .max_recorded_events(3)
        .start()
        .await
        .unwrap();
    push_views(&server, &[&["u1", "u2"], &["u3", "u4", "u5"]]).await;
    assert_eq!(user_tokens(&server.events()), ["u3", "u4", "u5"]);
    assert_eq!(server.event_count(), 3);
    assert_eq!(server.accepted_event_count(), 5);
    assert_eq!(server.dropped_event_count(), 2);
    // Waiting counts every accepted event, kept or not.
    let kept = server.wait_for_events(5, PATIENCE).await.unwrap();
    assert_eq!(user_tokens(&kept), ["u3", "u4", "u5"]);
    // A batch larger than the cap keeps only its newest events.
    push_views(&server, &[&["u6", "u7", "u8", "u9"]]).await;
    assert_eq!(user_tokens(&server.events()), ["u7", "u8", "u9"]);
    assert_eq!(server.accepted_event_count(), 9);
    assert_eq!(server.dropped_event_count(), 6);
    server.clear();
    assert_eq!(
        (server.accepted_event_count(), server.dropped_event_count()),
        (0, 0)
    );
}

#[tokio::test]
async fn a_cap_of_zero_only_counts_events() {
    let server = LocalServer::builder()
        .max_recorded_events(0)
        .start()
        .await
        .unwrap();
    push_views(&server, &[&["u1", "u2"], &["u3"]]).await;
    assert!(server.events().is_empty());
    assert_eq!(server.accepted_event_count(), 3);
    assert_eq!(server.dropped_event_count(), 3);
    assert_eq!(server.requests()[1].events, 1);
}

#[tokio::test]
async fn past_the_cap_the_oldest_requests_are_dropped_and_counted() {
    let server = LocalServer::builder()
        .max_recorded_requests(2)
        .start()
        .await
        .unwrap();
    push_views(&server, &[&["u1"], &["u2", "u3"], &["u4", "u5", "u6"]]).await;
    let requests = server.requests();
    assert_eq!(
        requests.iter().map(|r| r.events).collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(server.dropped_request_count(), 1);
    assert_eq!(server.event_count(), 6);
}

#[tokio::test]
async fn a_lent_batch_is_sent_and_stays_with_the_caller() {
    let server = LocalServer::start().await.unwrap();
    let client = server.client().unwrap();
    let batch = InsightsEvents::new([view("u1", "sku-1"), click_after_search("u2")]);
    client.push_events(&batch).await.unwrap();
    client.push_events(&batch).await.unwrap();
    let recorded = server.wait_for_events(4, PATIENCE).await.unwrap();
    assert_eq!(user_tokens(&recorded), ["u1", "u2", "u1", "u2"]);
    // Still the caller's: it can be sent once more, handed over this time.
    client.push_events(batch).await.unwrap();
    assert_eq!(server.event_count(), 6);
}

/// A web page of another origin can use the server: preflights are
/// answered (and neither recorded nor given a fault), every answer allows
/// any origin, and the credentials may come in the query string, as
/// browsers send them.
#[tokio::test]
async fn a_web_page_can_send_to_it_with_cors_and_credentials_in_the_query() {
    let server = LocalServer::builder()
        .credentials("PAGEAPP", "page key")
        .faults(Faults::none().script([Fault::Status(503)]))
        .start()
        .await
        .unwrap();
    let url = format!("{}/1/events", server.url());
    let preflight = http()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://127.0.0.1:1")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type, x-algolia-api-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|value| value.to_str().unwrap().to_string())
    };
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert!(header(&preflight, "access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    assert_eq!(
        header(&preflight, "access-control-allow-headers").as_deref(),
        Some("content-type, x-algolia-api-key")
    );
    assert!(server.requests().is_empty(), "a preflight is not a request");

    let body = r#"{"events":[{"eventName":"Clicked","eventType":"click","index":"products","objectIDs":["a"],"userToken":"page-user"}]}"#;
    let post = |query: &'static str| {
        http()
            .post(format!("{url}?{query}"))
            .header("origin", "http://127.0.0.1:1")
            .header("content-type", "text/plain")
            .body(body)
            .send()
    };
    let good = "x-algolia-application-id=PAGEAPP&x-algolia-api-key=page%20key";
    // The scripted 503 goes to the first request, not to the preflight.
    let failed = post(good).await.unwrap();
    assert_eq!(failed.status(), 503);
    assert_eq!(
        header(&failed, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    let wrong = post("x-algolia-application-id=PAGEAPP&x-algolia-api-key=other")
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let sent = post(good).await.unwrap();
    assert_eq!(sent.status(), 200);
    assert_eq!(
        header(&sent, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(server.event_count(), 1);
    server.shutdown().await;
}
