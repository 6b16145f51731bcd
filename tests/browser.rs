//! The client and the batching sender in a real browser: these tests are
//! built for wasm32 and run in headless Chromium by `wasm-bindgen-test`,
//! against local servers that `tests/browser_in_chromium.rs` starts
//! natively (their URLs are baked in at build time), and which then checks
//! what the servers recorded: each test sends with its own user token.
//!
//! Run them through that driver (`.ci/run` does):
//! `cargo test -p algolia-insights --test browser_in_chromium -- --ignored --nocapture`.

#![cfg(target_arch = "wasm32")]

use algolia_insights::models::*;
use algolia_insights::sender::SenderConfig;
use algolia_insights::{Client, Error, RequestOptions};
use std::time::Duration;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The server that records the events, one that answers 503 first, and
/// one that holds its first answer for 5 s.
const SERVER: Option<&str> = option_env!("ALGOLIA_BROWSER_TEST_SERVER");
const FAULTY_SERVER: Option<&str> = option_env!("ALGOLIA_BROWSER_TEST_FAULTY_SERVER");
const SLOW_SERVER: Option<&str> = option_env!("ALGOLIA_BROWSER_TEST_SLOW_SERVER");
const APP_ID: &str = "BROWSERAPP";
const API_KEY: &str = "browser-search-only-key";

fn server(url: Option<&'static str>) -> &'static str {
    url.expect("built without the local servers' URLs: run tests/browser_in_chromium.rs")
}

fn client(host: &str) -> Client {
    Client::builder(APP_ID, API_KEY)
        .hosts([host])
        .build()
        .expect("a client")
}

fn click(token: &str, object: &str) -> EventsItems {
    ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        [object],
        UserToken::new(token.to_owned()).unwrap(),
    )
    .into()
}

#[wasm_bindgen_test]
async fn events_of_several_kinds_are_sent_and_a_user_token_deleted() {
    let client = client(server(SERVER));
    let token = UserToken::new("browser-kinds").unwrap();
    let events: Vec<EventsItems> = vec![
        click("browser-kinds", "p-1"),
        ConvertedObjectIDs::new(
            EventName::new("Product Bought").unwrap(),
            "products",
            ["p-1"],
            token.clone(),
        )
        .into(),
        ViewedObjectIDs::new(
            EventName::new("Product Viewed").unwrap(),
            "products",
            ["p-2", "p-3"],
            token.clone(),
        )
        .into(),
    ];
    let response = client
        .push_events(InsightsEvents::new(events))
        .await
        .expect("the local server takes the events");
    assert_eq!(response.status, Some(200), "{response:?}");

    // A token deleted: the server forgets what it recorded of it.
    client
        .push_events(InsightsEvents::new([click("browser-forgotten", "p-9")]))
        .await
        .expect("sent");
    client
        .delete_user_token("browser-forgotten")
        .await
        .expect("the token is deleted");
}

#[wasm_bindgen_test]
async fn an_invalid_event_is_refused_before_any_request() {
    // Nothing listens on port 9: a request would fail as a network error.
    let client = client("http://127.0.0.1:9");
    let empty: [&str; 0] = [];
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        empty,
        UserToken::new("browser-invalid").unwrap(),
    );
    let error = client
        .push_events(InsightsEvents::new([event.into()]))
        .await
        .expect_err("an event without objectIDs is invalid");
    assert!(
        matches!(error, Error::InvalidRequest(_)),
        "refused by validation, not by the network: {error}"
    );
    assert!(error.to_string().contains("objectIDs"), "{error}");
}

#[wasm_bindgen_test]
async fn the_key_is_in_no_error_message() {
    let client = client("http://127.0.0.1:9");
    let error = client
        .push_events(InsightsEvents::new([click("browser-unsent", "p-1")]))
        .await
        .expect_err("nothing listens on port 9");
    let mut texts = vec![
        error.to_string(),
        format!("{error:?}"),
        format!("{client:?}"),
    ];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        texts.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    for text in texts {
        assert!(!text.contains(API_KEY), "the key shows: {text}");
    }
}

#[wasm_bindgen_test]
async fn the_sender_retries_a_503_on_the_browser_timer() {
    let client = client(server(FAULTY_SERVER));
    let sender = client.sender(
        SenderConfig::new()
            .max_delay(Duration::from_millis(10))
            .backoff(Duration::from_millis(50), Duration::from_millis(200)),
    );
    sender
        .send(click("browser-retried", "p-1"))
        .await
        .expect("queued");
    sender.flush().await;
    let stats = sender.stats();
    assert_eq!(stats.delivered, 1, "{stats:?}");
    assert!(stats.retried >= 1, "the 503 was retried: {stats:?}");
    assert_eq!(stats.failed, 0, "{stats:?}");
}

#[wasm_bindgen_test]
async fn the_sender_sends_its_events_in_one_batch() {
    let client = client(server(SERVER));
    let failed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&failed);
    let sender = client.sender(
        SenderConfig::new()
            .max_delay(Duration::from_millis(20))
            .on_failure(move |event| seen.lock().unwrap().push(event.sequence())),
    );
    for i in 0..5 {
        let object = format!("p-{i}");
        sender
            .send(click("browser-batched", &object))
            .await
            .expect("queued");
    }
    sender.flush().await;
    let stats = sender.stats();
    assert_eq!(stats.delivered, 5, "{stats:?}");
    assert_eq!(stats.requests, 1, "one batch: {stats:?}");
    assert!(failed.lock().unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn the_queue_goes_by_beacon_when_the_page_is_left() {
    let client = client(server(SERVER));
    // An hour's delay: only the page being left sends these.
    let sender = client.sender(SenderConfig::new().max_delay(Duration::from_secs(3600)));
    for i in 0..3 {
        let object = format!("p-{i}");
        sender
            .send(click("browser-pagehide", &object))
            .await
            .expect("queued");
    }
    assert_eq!(sender.stats().queue_depth, 3);
    let window = web_sys::window().expect("a window");
    let event = web_sys::Event::new("pagehide").expect("an event");
    window.dispatch_event(&event).expect("dispatched");
    // The beacon went in the handler itself, before any await.
    let stats = sender.stats();
    assert_eq!(stats.delivered, 3, "{stats:?}");
    assert_eq!(stats.requests, 1, "{stats:?}");
    assert_eq!(stats.queue_depth, 0, "{stats:?}");
}

#[wasm_bindgen_test]
async fn custom_requests_go_through_the_same_transport_preflight_or_not() {
    let client = client(server(SERVER));
    let body = serde_json::json!({ "events": [{
        "eventType": "view",
        "eventName": "Product Viewed",
        "index": "products",
        "objectIDs": ["p-1"],
        "userToken": "browser-custom",
    }]});
    client
        .custom_post("1/events")
        .body(body.clone())
        .await
        .expect("a simple request: no preflight");
    // A header of the page's own makes the browser ask first (a CORS
    // preflight), which the local server answers.
    client
        .custom_post("1/events")
        .body(body)
        .options(RequestOptions::new().header("x-page-header", "1"))
        .await
        .expect("a request after a preflight");
}

#[wasm_bindgen_test]
async fn a_host_that_fails_is_left_for_the_next() {
    let client = Client::builder(APP_ID, API_KEY)
        .hosts(["http://127.0.0.1:9", server(SERVER)])
        .build()
        .unwrap();
    client
        .push_events(InsightsEvents::new([click("browser-failover", "p-1")]))
        .await
        .expect("the second host takes it");
    let hosts = client.transport().host_status();
    assert!(hosts[0].down, "the first host is skipped now: {hosts:?}");
    assert!(!hosts[1].down, "{hosts:?}");
}

#[wasm_bindgen_test]
async fn a_request_times_out_on_the_browser_timer() {
    let client = Client::builder(APP_ID, API_KEY)
        .hosts([server(SLOW_SERVER)])
        .write_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client
        .push_events(InsightsEvents::new([click("browser-slow", "p-1")]))
        .await
        .expect_err("the server holds its answer for 5 s");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}

#[wasm_bindgen_test]
async fn the_sender_isolates_an_event_the_server_rejects() {
    let client = client(server(SERVER));
    let failed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&failed);
    // Told to, the client sends events older than the API keeps; the
    // server refuses them (422), and with them their batch.
    let sender = client.sender(
        SenderConfig::new()
            .max_delay(Duration::from_millis(20))
            .request_options(RequestOptions::new().allow_stale_timestamps(true))
            .on_failure(move |event| seen.lock().unwrap().push(event.sequence())),
    );
    let forty_days_ago = js_sys::Date::now() as i64 - 40 * 86_400_000;
    for i in 0..6 {
        let object = format!("p-{i}");
        let event = ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            "products",
            [object.as_str()],
            UserToken::new("browser-isolated").unwrap(),
        );
        let event = if i == 4 {
            event.timestamp(forty_days_ago)
        } else {
            event
        };
        sender.send(event).await.expect("queued");
    }
    sender.flush().await;
    let stats = sender.stats();
    assert_eq!(
        *failed.lock().unwrap(),
        [4],
        "only the stale event: {stats:?}"
    );
    assert_eq!(stats.delivered, 5, "{stats:?}");
    assert!(stats.requests > 1, "the batch was split: {stats:?}");
}
