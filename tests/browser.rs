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
use algolia_insights::{Client, Error};
use std::time::Duration;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The server that records the events, and one that answers 503 first.
const SERVER: Option<&str> = option_env!("ALGOLIA_BROWSER_TEST_SERVER");
const FAULTY_SERVER: Option<&str> = option_env!("ALGOLIA_BROWSER_TEST_FAULTY_SERVER");
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
        UserToken::new(token).unwrap(),
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
