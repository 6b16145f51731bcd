//! The transport against scripted loopback hosts: which hosts are tried, in
//! what order and how often; what is retried and what fails at once; host
//! state (TTL, timeouts, clones, concurrency); 429 waits; timeouts; gzip;
//! per-request options and the exact query string; key rotation; the user
//! agent; a custom HTTP client; tracing; and the blocking client.

#[path = "support/scripted_server.rs"]
mod scripted_server;

use algolia_insights::models::{ClickedObjectIDs, EventName, InsightsEvents, UserToken};
use algolia_insights::runtime::RawJson;
use algolia_insights::{Client, ClientBuilder, Error, Region, RequestOptions};
use scripted_server::{dead_host, Journal, Reply, ScriptedHost};
use serde_json::{json, Value};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const APP_ID: &str = "test-app";
const API_KEY: &str = "secret-key-8f3a01";
/// Longer than any test runs: a host that hangs this long never answers.
const FOREVER: Duration = Duration::from_secs(60);

/// A builder for a client that sends to `urls`, in order.
fn builder(urls: impl IntoIterator<Item = String>) -> ClientBuilder<Client> {
    Client::builder(APP_ID, API_KEY).hosts(urls)
}

fn urls(hosts: &[&ScriptedHost]) -> Vec<String> {
    hosts.iter().map(|h| h.url.clone()).collect()
}

/// A host that answers with `replies`, then 200 OK.
async fn host(
    journal: &Journal,
    name: &str,
    replies: impl IntoIterator<Item = Reply>,
) -> ScriptedHost {
    ScriptedHost::start(journal, name, replies, Reply::Ok).await
}

/// A host that always answers `reply`.
async fn always(journal: &Journal, name: &str, reply: Reply) -> ScriptedHost {
    ScriptedHost::start(journal, name, [], reply).await
}

fn events() -> InsightsEvents {
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        ["product-1", "product-2"],
        UserToken::new("user-1").unwrap(),
    );
    InsightsEvents::new([event.into()])
}

/// The name of the host whose 200 OK answered (see `Reply::Ok`).
fn answered_by(value: &RawJson) -> String {
    let value: Value = value.decode().expect("the answer is JSON");
    value["host"]
        .as_str()
        .unwrap_or("<no host in the answer>")
        .to_string()
}

fn status_of(host: &str, client: &Client) -> algolia_insights::runtime::HostStatus {
    client
        .transport()
        .host_status()
        .into_iter()
        .find(|s| s.url == host)
        .unwrap_or_else(|| panic!("{host} is not one of the client's hosts"))
}

// ---- Hosts -------------------------------------------------------------

#[tokio::test]
async fn hosts_are_tried_in_order_until_one_succeeds() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(500)).await;
    let b = always(&journal, "b", Reply::Status(503)).await;
    let c = host(&journal, "c", []).await;
    let client = builder(urls(&[&a, &b, &c])).build().unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "c");
    assert_eq!(journal.hosts(), ["a", "b", "c"]);
    assert!(journal.hits().iter().all(|h| h.path == "/1/x"));
}

#[tokio::test]
async fn when_every_host_fails_each_failure_is_kept_in_order() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(500)).await;
    let b = always(&journal, "b", Reply::Drop).await;
    let c = always(&journal, "c", Reply::Hang(FOREVER)).await;
    let d = dead_host();
    let mut hosts = urls(&[&a, &b, &c]);
    hosts.push(d.clone());
    let client = builder(hosts)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let error = client.custom_get("1/x").await.unwrap_err();

    let Error::AllHostsFailed(failures) = &error else {
        panic!("expected AllHostsFailed, got {error:?}");
    };
    let tried: Vec<&str> = failures.iter().map(|f| f.host.as_str()).collect();
    assert_eq!(tried, [&a.url, &b.url, &c.url, &d]);
    assert!(
        matches!(&failures[0].error, Error::Api(api) if api.status == 500 && api.host == a.url)
    );
    assert!(matches!(&failures[1].error, Error::Transport { host, .. } if *host == b.url));
    assert!(matches!(&failures[2].error, Error::Timeout { host, .. } if *host == c.url));
    assert!(matches!(&failures[3].error, Error::Transport { host, .. } if *host == d));
    let text = error.to_string();
    for url in [&a.url, &b.url, &c.url, &d] {
        assert!(text.contains(url.as_str()), "{url} is missing from: {text}");
    }
    assert!(text.starts_with("all 4 hosts failed"), "{text}");
    // The refused connection never reached a server.
    assert_eq!(journal.hosts(), ["a", "b", "c"]);
}

#[tokio::test]
async fn a_single_host_reports_its_own_failure() {
    let dead = dead_host();
    let client = builder([dead.clone()]).build().unwrap();

    let error = client.custom_get("1/x").await.unwrap_err();

    match &error {
        Error::Transport { host, message, .. } => {
            assert_eq!(*host, dead);
            assert!(message.contains("connection failed"), "{message}");
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(error.is_retryable());
}

#[test]
fn the_region_or_the_default_decides_the_hosts() {
    let host_urls = |client: &Client| -> Vec<String> {
        client
            .transport()
            .host_status()
            .into_iter()
            .map(|s| s.url)
            .collect()
    };
    let default = Client::new(APP_ID, API_KEY).unwrap();
    assert_eq!(host_urls(&default), ["https://insights.algolia.io"]);
    let de = Client::builder(APP_ID, API_KEY)
        .region(Region::De)
        .build()
        .unwrap();
    assert_eq!(host_urls(&de), ["https://insights.de.algolia.io"]);
    let us = Client::builder(APP_ID, API_KEY)
        .region(Region::Us)
        .build()
        .unwrap();
    assert_eq!(host_urls(&us), ["https://insights.us.algolia.io"]);
    let custom = Client::builder(APP_ID, API_KEY)
        .region(Region::De)
        .hosts(["http://127.0.0.1:9/", "http://localhost:10"])
        .build()
        .unwrap();
    assert_eq!(
        host_urls(&custom),
        ["http://127.0.0.1:9", "http://localhost:10"]
    );
    let no_hosts = Client::builder(APP_ID, API_KEY)
        .hosts(Vec::<String>::new())
        .build();
    assert!(matches!(no_hosts, Err(Error::NoHosts)), "{no_hosts:?}");
}

// ---- What is retried ---------------------------------------------------

#[tokio::test]
async fn success_statuses_are_returned_from_the_first_host() {
    for status in [200, 201, 204] {
        let journal = Journal::default();
        let a = always(
            &journal,
            "a",
            Reply::Json(status, json!({"status": status})),
        )
        .await;
        let b = host(&journal, "b", []).await;
        let client = builder(urls(&[&a, &b])).build().unwrap();

        let value = client.custom_get("1/x").await.unwrap();

        let expected = if status == 204 {
            Value::Null
        } else {
            json!({"status": status})
        };
        assert_eq!(
            value.decode::<Value>().unwrap(),
            expected,
            "status {status}"
        );
        assert_eq!(journal.hosts(), ["a"], "status {status}");
    }
}

#[tokio::test]
async fn client_errors_fail_at_once_on_the_first_host() {
    for status in [400, 401, 403, 404, 422] {
        let journal = Journal::default();
        let a = host(&journal, "a", [Reply::Status(status)]).await;
        let b = host(&journal, "b", []).await;
        let client = builder(urls(&[&a, &b])).build().unwrap();

        let error = client.push_events(events()).await.unwrap_err();

        let api = error
            .api_error()
            .unwrap_or_else(|| panic!("{status}: {error:?}"));
        assert_eq!(api.status, status);
        assert_eq!(api.host, a.url);
        assert_eq!(
            api.message.as_deref(),
            Some(format!("scripted {status}").as_str())
        );
        assert_eq!(journal.hosts(), ["a"], "status {status}");
        // A client error says nothing bad about the host: it stays first.
        assert!(!status_of(&a.url, &client).down);
        let response = client.push_events(events()).await.unwrap();
        assert_eq!(
            response
                .additional_properties
                .decode::<String>("host")
                .unwrap(),
            Some("a".to_string())
        );
        assert_eq!(journal.hosts(), ["a", "a"], "status {status}");
    }
}

#[tokio::test]
async fn server_errors_move_on_to_the_next_host() {
    for status in [500, 502, 503] {
        let journal = Journal::default();
        let a = always(&journal, "a", Reply::Status(status)).await;
        let b = host(&journal, "b", []).await;
        let client = builder(urls(&[&a, &b])).build().unwrap();

        let response = client.push_events(events()).await.unwrap();

        assert_eq!(
            response
                .additional_properties
                .decode::<String>("host")
                .unwrap(),
            Some("b".to_string())
        );
        assert_eq!(journal.hosts(), ["a", "b"], "status {status}");
        assert!(status_of(&a.url, &client).down);
    }
}

#[tokio::test]
async fn redirects_move_on_to_the_next_host_and_are_never_followed() {
    let journal = Journal::default();
    let b = host(&journal, "b", []).await;
    let a = always(
        &journal,
        "a",
        Reply::Redirect(format!("{}/redirected", b.url)),
    )
    .await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "b");
    assert_eq!(journal.hosts(), ["a", "b"]);
    let b_paths: Vec<String> = b.hits().into_iter().map(|h| h.path).collect();
    assert_eq!(b_paths, ["/1/x"], "the redirect was followed");
}

#[tokio::test]
async fn timeouts_move_on_to_the_next_host() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Hang(FOREVER)).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b]))
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "b");
    assert_eq!(journal.hosts(), ["a", "b"]);
    let a_status = status_of(&a.url, &client);
    assert_eq!(a_status.timeouts, 1);
    assert!(!a_status.down, "a timed-out host goes last but is not down");
}

#[tokio::test]
async fn refused_and_dropped_connections_move_on_to_the_next_host() {
    let journal = Journal::default();
    let dead = dead_host();
    let a = always(&journal, "a", Reply::Drop).await;
    let b = host(&journal, "b", []).await;
    let mut hosts = vec![dead.clone()];
    hosts.extend(urls(&[&a, &b]));
    let client = builder(hosts).build().unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "b");
    assert_eq!(journal.hosts(), ["a", "b"]);
    assert!(status_of(&dead, &client).down);
    assert!(status_of(&a.url, &client).down);
    assert!(!status_of(&b.url, &client).down);
}

#[tokio::test]
async fn responses_over_the_size_limit_fail_without_trying_another_host() {
    let journal = Journal::default();
    let big = json!({"padding": "x".repeat(4096)});
    let a = always(&journal, "a", Reply::Json(200, big)).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b]))
        .max_response_bytes(1024)
        .build()
        .unwrap();

    let error = client.custom_get("1/x").await.unwrap_err();

    match &error {
        Error::ResponseTooLarge {
            host,
            status,
            limit,
            ..
        } => {
            assert_eq!(*host, a.url);
            assert_eq!(*status, 200);
            assert_eq!(*limit, 1024);
        }
        other => panic!("expected ResponseTooLarge, got {other:?}"),
    }
    assert!(error.to_string().contains("1024 bytes"), "{error}");
    assert_eq!(journal.hosts(), ["a"]);
}

// ---- Host state --------------------------------------------------------

#[tokio::test]
async fn a_failed_host_is_skipped_by_every_clone_until_its_ttl_expires() {
    let journal = Journal::default();
    let a = host(&journal, "a", [Reply::Status(500)]).await;
    let b = host(&journal, "b", []).await;
    let ttl = Duration::from_millis(1000);
    let client = builder(urls(&[&a, &b])).host_down_ttl(ttl).build().unwrap();
    let clone = client.clone();

    let first = client.custom_get("1/x").await.unwrap();
    assert_eq!(answered_by(&first), "b");
    assert!(
        clone.transport().host_status()[0].down,
        "clones share host state"
    );
    let second = clone.custom_get("1/x").await.unwrap();
    assert_eq!(answered_by(&second), "b");
    assert_eq!(
        journal.hosts(),
        ["a", "b", "b"],
        "the failed host was not skipped"
    );

    tokio::time::sleep(ttl + Duration::from_millis(200)).await;
    assert!(!client.transport().host_status()[0].down);
    let third = client.custom_get("1/x").await.unwrap();
    assert_eq!(
        answered_by(&third),
        "a",
        "the host did not come back after its TTL"
    );
    assert_eq!(journal.hosts(), ["a", "b", "b", "a"]);
}

#[tokio::test]
async fn when_every_host_is_down_all_are_tried_again() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(500)).await;
    let b = always(&journal, "b", Reply::Status(502)).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let first = client.custom_get("1/x").await.unwrap_err();
    assert!(matches!(&first, Error::AllHostsFailed(f) if f.len() == 2));
    assert!(client.transport().host_status().iter().all(|s| s.down));
    assert_eq!(first.status(), Some(502), "the last host's status");

    let second = client.custom_get("1/x").await.unwrap_err();
    assert!(matches!(&second, Error::AllHostsFailed(f) if f.len() == 2));
    assert_eq!(journal.hosts(), ["a", "b", "a", "b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_state_is_shared_safely_by_concurrent_requests() {
    const REQUESTS: usize = 64;
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(500)).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let tasks: Vec<_> = (0..REQUESTS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.push_events(events()).await })
        })
        .collect();
    for task in tasks {
        let response = task.await.unwrap().unwrap();
        assert_eq!(
            response
                .additional_properties
                .decode::<String>("host")
                .unwrap(),
            Some("b".to_string())
        );
    }

    assert_eq!(b.hits().len(), REQUESTS);
    let a_tries = a.hits().len();
    assert!(
        (1..=REQUESTS).contains(&a_tries),
        "a was tried {a_tries} times"
    );
    assert!(status_of(&a.url, &client).down);
    client.push_events(events()).await.unwrap();
    assert_eq!(a.hits().len(), a_tries, "a down host was tried again");
}

#[tokio::test]
async fn a_host_that_timed_out_goes_last_with_a_longer_timeout() {
    let journal = Journal::default();
    let base = Duration::from_millis(300);
    let a = always(&journal, "a", Reply::Hang(FOREVER)).await;
    let b = host(&journal, "b", [Reply::Ok, Reply::Status(500)]).await;
    let client = builder(urls(&[&a, &b])).read_timeout(base).build().unwrap();

    let first = client.custom_get("1/x").await.unwrap();
    assert_eq!(answered_by(&first), "b");
    assert_eq!(journal.hosts(), ["a", "b"]);
    assert_eq!(status_of(&a.url, &client).timeouts, 1);

    // Now b is first; when it fails, a gets twice the timeout.
    let started = Instant::now();
    let error = client.custom_get("1/x").await.unwrap_err();
    let elapsed = started.elapsed();

    assert_eq!(journal.hosts(), ["a", "b", "b", "a"]);
    let Error::AllHostsFailed(failures) = &error else {
        panic!("expected AllHostsFailed, got {error:?}");
    };
    assert!(
        matches!(&failures[0].error, Error::Api(api) if api.status == 500 && api.host == b.url)
    );
    match &failures[1].error {
        Error::Timeout { host, after } => {
            assert_eq!(*host, a.url);
            assert_eq!(*after, base * 2);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(elapsed >= base * 2, "gave up after {elapsed:?}");
    assert!(!error.is_timeout() && error.is_retryable());
    assert_eq!(status_of(&a.url, &client).timeouts, 2);
}

// ---- 429 ---------------------------------------------------------------

#[tokio::test]
async fn a_429_waits_for_retry_after_then_retries_the_same_host() {
    let journal = Journal::default();
    let a = host(
        &journal,
        "a",
        [Reply::RateLimited("retry-after", "1".into())],
    )
    .await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let started = Instant::now();
    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "a");
    assert_eq!(journal.hosts(), ["a", "a"]);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "did not wait"
    );
}

#[tokio::test]
async fn a_429_waits_until_x_ratelimit_reset() {
    let journal = Journal::default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Three seconds from now in whole seconds: at least one second of
    // waiting, even if the 429 reaches the client a second late.
    let reset = (now + 3).to_string();
    let a = host(
        &journal,
        "a",
        [Reply::RateLimited("x-ratelimit-reset", reset)],
    )
    .await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let started = Instant::now();
    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "a");
    assert_eq!(journal.hosts(), ["a", "a"]);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "did not wait"
    );
}

#[tokio::test]
async fn a_429_waits_until_the_http_date_of_retry_after() {
    let journal = Journal::default();
    // Three seconds from now in whole seconds (as HTTP dates are): at least
    // one second of waiting, even if the 429 reaches the client a second late.
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let a = host(&journal, "a", [Reply::RateLimited("retry-after", date)]).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let started = Instant::now();
    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "a");
    assert_eq!(journal.hosts(), ["a", "a"], "the same host, after the wait");
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "did not wait"
    );
}

#[tokio::test]
async fn a_429_fails_at_once_when_the_wait_is_not_allowed() {
    for max_wait in [None, Some(Duration::from_millis(500))] {
        let journal = Journal::default();
        let a = host(
            &journal,
            "a",
            [Reply::RateLimited("retry-after", "1".into())],
        )
        .await;
        let b = host(&journal, "b", []).await;
        let client = builder(urls(&[&a, &b]))
            .max_rate_limit_wait(max_wait)
            .build()
            .unwrap();

        let error = client.custom_get("1/x").await.unwrap_err();

        let api = error.api_error().unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(api.status, 429);
        assert_eq!(api.headers.get("Retry-After").unwrap(), "1");
        assert!(error.is_retryable(), "later, it may pass");
        assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
        assert_eq!(journal.hosts(), ["a"], "max wait {max_wait:?}");
    }
}

#[tokio::test]
async fn a_host_that_keeps_answering_429_is_given_up_after_two_waits() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::RateLimited("retry-after", "0".into())).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    let error = client.custom_get("1/x").await.unwrap_err();

    assert_eq!(error.status(), Some(429));
    assert_eq!(journal.hosts(), ["a", "a", "a"]);
}

// ---- Timeouts ----------------------------------------------------------

#[test]
fn the_default_timeouts_are_those_documented() {
    let client = Client::new(APP_ID, API_KEY).unwrap();
    let config = client.transport().config();
    assert_eq!(config.connect_timeout, Duration::from_secs(2));
    assert_eq!(config.read_timeout, Duration::from_secs(5));
    assert_eq!(config.write_timeout, Duration::from_secs(30));
    assert_eq!(config.host_down_ttl, Duration::from_secs(300));
    assert_eq!(config.max_rate_limit_wait, Some(Duration::from_secs(10)));
    assert_eq!(config.gzip_threshold, None);
    assert_eq!(config.max_response_bytes, 1024 * 1024);
    assert_eq!(
        config.max_response_bytes,
        algolia_insights::runtime::decode::DEFAULT_MAX_RESPONSE_BYTES
    );

    let custom = Client::builder(APP_ID, API_KEY)
        .connect_timeout(Duration::from_millis(100))
        .read_timeout(Duration::from_millis(200))
        .write_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let config = custom.transport().config();
    assert_eq!(config.connect_timeout, Duration::from_millis(100));
    assert_eq!(config.read_timeout, Duration::from_millis(200));
    assert_eq!(config.write_timeout, Duration::from_millis(300));
}

#[tokio::test]
async fn reads_use_the_read_timeout_and_writes_the_write_timeout() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Hang(Duration::from_millis(1000))).await;
    let client = builder(urls(&[&a]))
        .read_timeout(Duration::from_millis(300))
        .write_timeout(Duration::from_secs(20))
        .build()
        .unwrap();

    let error = client.custom_get("1/x").await.unwrap_err();
    match &error {
        Error::Timeout { host, after } => {
            assert_eq!(*host, a.url);
            assert_eq!(*after, Duration::from_millis(300));
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(error.is_timeout());
    assert!(error.to_string().contains(&a.url), "{error}");

    let value = client.custom_post("1/x").body(json!({})).await.unwrap();
    assert_eq!(answered_by(&value), "a");
}

#[tokio::test]
async fn a_per_request_timeout_overrides_the_clients() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Hang(Duration::from_millis(1000))).await;
    let patient = builder(urls(&[&a])).build().unwrap();
    let error = patient
        .custom_get("1/x")
        .timeout(Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Timeout { host, after } if *host == a.url && *after == Duration::from_millis(300)),
        "{error:?}"
    );

    let hasty = builder(urls(&[&a]))
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let options = RequestOptions::new().timeout(Duration::from_secs(20));
    let value = hasty.custom_get("1/x").options(options).await.unwrap();
    assert_eq!(answered_by(&value), "a");
}

// ---- Compression -------------------------------------------------------

#[tokio::test]
async fn request_bodies_are_gzipped_from_the_threshold_on() {
    let body = json!({"events": (0..20).map(|i| format!("event-{i}")).collect::<Vec<_>>()});
    let plain = serde_json::to_vec(&body).unwrap();
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;

    for (threshold, gzipped) in [
        (Some(plain.len()), true),
        (Some(plain.len() + 1), false),
        (None, false),
    ] {
        let client = builder(urls(&[&a]))
            .gzip_requests(threshold)
            .build()
            .unwrap();
        client.custom_post("1/x").body(body.clone()).await.unwrap();

        let hit = journal.hits().pop().unwrap();
        assert_eq!(hit.json(), body, "threshold {threshold:?}");
        if gzipped {
            assert_eq!(hit.header("content-encoding").as_deref(), Some("gzip"));
            assert_eq!(&hit.body[..2], &[0x1f, 0x8b], "not a gzip stream");
        } else {
            assert_eq!(
                hit.header("content-encoding"),
                None,
                "threshold {threshold:?}"
            );
            assert_eq!(hit.body, plain, "threshold {threshold:?}");
        }
    }

    let client = builder(urls(&[&a])).gzip_requests(Some(1)).build().unwrap();
    client.push_events(events()).await.unwrap();
    let hit = journal.hits().pop().unwrap();
    assert_eq!(hit.header("content-encoding").as_deref(), Some("gzip"));
    assert_eq!(hit.json(), serde_json::to_value(events()).unwrap());
}

#[tokio::test]
async fn gzip_responses_are_decoded() {
    let journal = Journal::default();
    let answer = json!({"status": 200, "message": "compressed", "list": [1, 2, 3]});
    let a = always(&journal, "a", Reply::Gzip(answer.clone())).await;
    let client = builder(urls(&[&a])).build().unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(value.decode::<Value>().unwrap(), answer);
    let accepted = journal.hits()[0]
        .header("accept-encoding")
        .unwrap_or_default();
    assert!(accepted.contains("gzip"), "accept-encoding: {accepted}");
}

// ---- Request options and encoding --------------------------------------

#[tokio::test]
async fn header_options_override_defaults_and_add_new_ones() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let client = builder(urls(&[&a])).build().unwrap();

    client.push_events(events()).await.unwrap();
    client
        .push_events(events())
        .header("X-Algolia-API-Key", "per-call-key")
        .options(RequestOptions::new().header("x-custom", "yes"))
        .await
        .unwrap();

    let hits = journal.hits();
    assert_eq!(
        hits[0].header("x-algolia-api-key").as_deref(),
        Some(API_KEY)
    );
    assert_eq!(hits[0].header("x-custom"), None);
    assert_eq!(
        hits[1].header("x-algolia-api-key").as_deref(),
        Some("per-call-key")
    );
    assert_eq!(hits[1].header("x-custom").as_deref(), Some("yes"));
    for hit in &hits {
        assert_eq!(
            hit.header("x-algolia-application-id").as_deref(),
            Some(APP_ID)
        );
        assert_eq!(
            hit.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(hit.method, "POST");
        assert_eq!(hit.path, "/1/events");
        assert_eq!(hit.json(), serde_json::to_value(events()).unwrap());
    }

    let bad = client
        .custom_get("1/x")
        .header("x-bad", "a\r\nx-injected: 1")
        .await;
    assert!(
        matches!(&bad, Err(Error::InvalidHeaderValue { what }) if what.contains("x-bad")),
        "{bad:?}"
    );
    assert_eq!(journal.hits().len(), 2, "a bad header was sent");
}

#[tokio::test]
async fn the_query_string_follows_the_official_clients_byte_for_byte() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let client = builder(urls(&[&a])).build().unwrap();

    client
        .custom_get("1/x")
        .parameters([("tags", json!(["a", "b c"])), ("flag", json!(true))])
        .await
        .unwrap();
    client
        .custom_get("1/a b")
        .parameters([
            ("q", json!("x&y=z ü")),
            ("n", json!(1.5)),
            ("none", json!(null)),
        ])
        .await
        .unwrap();
    client.custom_get("1/x").await.unwrap();

    let hits = journal.hits();
    assert_eq!(hits[0].query.as_deref(), Some("tags=a%2Cb%20c&flag=true"));
    assert_eq!(hits[1].path, "/1/a%20b");
    assert_eq!(hits[1].query.as_deref(), Some("q=x%26y%3Dz%20%C3%BC&n=1.5"));
    assert_eq!(hits[2].query, None);
}

#[tokio::test]
async fn query_param_options_override_and_merge() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let client = builder(urls(&[&a])).build().unwrap();
    let request = || {
        client
            .custom_get("1/x")
            .parameters([("tags", json!(["a", "b c"])), ("flag", json!(true))])
    };

    request()
        .query_param("flag", false)
        .query_param("page", 2)
        .await
        .unwrap();
    request().query_param("tags", Value::Null).await.unwrap();
    request()
        .query_param("page", 1)
        .options(RequestOptions::new().query_param("page", 3))
        .await
        .unwrap();

    let queries: Vec<String> = journal.hits().into_iter().filter_map(|h| h.query).collect();
    assert_eq!(
        queries,
        [
            "tags=a%2Cb%20c&flag=false&page=2",
            "flag=true",
            "tags=a%2Cb%20c&flag=true&page=3",
        ]
    );
}

// ---- Credentials and user agent ----------------------------------------

#[tokio::test]
async fn a_new_api_key_applies_to_later_requests_of_every_clone() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let client = builder(urls(&[&a])).build().unwrap();
    let clone = client.clone();

    client.custom_get("1/x").await.unwrap();
    clone.set_api_key("rotated-key").unwrap();
    client.custom_get("1/x").await.unwrap();
    let refused = client.set_api_key("bad\nkey");
    assert!(
        matches!(&refused, Err(e @ Error::InvalidHeaderValue { .. }) if !format!("{e}{e:?}").contains("bad")),
        "{refused:?}"
    );
    clone.custom_get("1/x").await.unwrap();

    let keys: Vec<String> = journal
        .hits()
        .iter()
        .map(|h| h.header("x-algolia-api-key").unwrap())
        .collect();
    assert_eq!(keys, [API_KEY, "rotated-key", "rotated-key"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_key_rotation_carry_the_old_or_the_new_key() {
    const REQUESTS: usize = 48;
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let client = builder(urls(&[&a])).build().unwrap();
    let keys = ["key-one", "key-two"];

    let rotator = {
        let client = client.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                client.set_api_key(keys[i % 2]).unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let tasks: Vec<_> = (0..REQUESTS)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.custom_get("1/x").await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    rotator.await.unwrap();

    let seen: Vec<String> = journal
        .hits()
        .iter()
        .map(|h| h.header("x-algolia-api-key").unwrap())
        .collect();
    assert_eq!(seen.len(), REQUESTS);
    for key in &seen {
        assert!(
            key == API_KEY || keys.contains(&key.as_str()),
            "a request carried `{key}`"
        );
    }
    client.set_api_key("key-final").unwrap();
    client.custom_get("1/x").await.unwrap();
    let last = journal.hits().pop().unwrap();
    assert_eq!(
        last.header("x-algolia-api-key").as_deref(),
        Some("key-final")
    );
}

#[tokio::test]
async fn user_agent_segments_are_appended_once() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let version = env!("CARGO_PKG_VERSION");
    let client = builder(urls(&[&a])).build().unwrap();

    client.custom_get("1/x").await.unwrap();
    client
        .add_user_agent_segment("MyApp", Some("1.2.3"))
        .unwrap();
    client
        .clone()
        .add_user_agent_segment("MyApp", Some("1.2.3"))
        .unwrap();
    client.custom_get("1/x").await.unwrap();
    let from_builder = builder(urls(&[&a]))
        .user_agent_segment("Plugin", None)
        .build()
        .unwrap();
    from_builder.custom_get("1/x").await.unwrap();

    let agents: Vec<String> = journal
        .hits()
        .iter()
        .map(|h| h.header("user-agent").unwrap())
        .collect();
    assert_eq!(
        agents,
        [
            format!("Algolia for Rust ({version}); Insights ({version})"),
            format!("Algolia for Rust ({version}); Insights ({version}); MyApp (1.2.3)"),
            format!("Algolia for Rust ({version}); Insights ({version}); Plugin"),
        ]
    );
    assert_eq!(client.transport().user_agent(), agents[1]);
}

// ---- HTTP client, tracing, secrets -------------------------------------

#[tokio::test]
async fn a_custom_http_client_is_used() {
    let journal = Journal::default();
    let a = host(&journal, "a", []).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-own-client", "yes".parse().unwrap());
    let http = reqwest::Client::builder().default_headers(headers);
    let client = builder(urls(&[&a])).http_client(http).build().unwrap();

    let value = client.custom_get("1/x").await.unwrap();

    assert_eq!(answered_by(&value), "a");
    let hit = &journal.hits()[0];
    assert_eq!(hit.header("x-own-client").as_deref(), Some("yes"));
    assert_eq!(hit.header("x-algolia-api-key").as_deref(), Some(API_KEY));
}

/// A `tracing` writer into a buffer.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn tracing_names_hosts_and_statuses_but_never_the_api_key() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .finish();
    // Global, not per thread: tracing caches per call site whether anyone
    // listens, and a call site first reached by another test's thread would
    // stay silent for a thread-local subscriber. Other tests' lines land in
    // the buffer too; the hosts' ports tell this test's lines apart.
    tracing::subscriber::set_global_default(subscriber)
        .expect("no other test installs a subscriber");
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(503)).await;
    let b = host(&journal, "b", []).await;
    let client = builder(urls(&[&a, &b])).build().unwrap();

    client.push_events(events()).await.unwrap();

    let log = captured.text();
    assert!(log.contains("algolia.request"), "{log}");
    assert!(log.contains("/1/events"), "{log}");
    assert!(log.contains(&format!("host={} status=503", a.url)), "{log}");
    assert!(log.contains(&format!("host={} status=200", b.url)), "{log}");
    assert!(!log.contains(API_KEY), "the API key was logged: {log}");
}

#[tokio::test]
async fn the_api_key_stays_out_of_debug_output_and_errors() {
    let journal = Journal::default();
    let a = always(&journal, "a", Reply::Status(401)).await;
    let hang = always(&journal, "hang", Reply::Hang(FOREVER)).await;
    let builder_debug = format!("{:?}", builder(urls(&[&a])));
    let client = builder(urls(&[&a])).build().unwrap();
    let api_error = client.custom_get("1/x").await.unwrap_err();
    let timeout = builder(urls(&[&hang]))
        .read_timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .custom_get("1/x")
        .await
        .unwrap_err();
    let refused = builder([dead_host()])
        .build()
        .unwrap()
        .custom_get("1/x")
        .await
        .unwrap_err();

    // The key did go out, so leaving it out of the texts below is deliberate.
    assert_eq!(
        journal.hits()[0].header("x-algolia-api-key").as_deref(),
        Some(API_KEY)
    );
    for text in [
        builder_debug,
        format!("{client:?}"),
        format!("{api_error:?}"),
        api_error.to_string(),
        format!("{timeout:?}"),
        format!("{refused:?}"),
        refused.to_string(),
    ] {
        assert!(!text.contains(API_KEY), "the API key shows in: {text}");
    }
}

// ---- The blocking client -----------------------------------------------

#[cfg(feature = "blocking")]
mod blocking {
    use super::*;

    /// A runtime whose worker thread serves the scripted hosts while the test
    /// thread, outside any runtime, blocks on its requests.
    fn server_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn blocking_requests_fail_over_with_their_options() {
        let servers = server_runtime();
        let journal = Journal::default();
        let (a, b) = servers.block_on(async {
            (
                always(&journal, "a", Reply::Status(500)).await,
                host(&journal, "b", []).await,
            )
        });
        let client = builder(urls(&[&a, &b])).build().unwrap();

        let response = client
            .push_events(events())
            .header("x-custom", "yes")
            .send_blocking()
            .unwrap();

        assert_eq!(
            response
                .additional_properties
                .decode::<String>("host")
                .unwrap(),
            Some("b".to_string())
        );
        assert_eq!(journal.hosts(), ["a", "b"]);
        let hit = &b.hits()[0];
        assert_eq!(hit.header("x-custom").as_deref(), Some("yes"));
        assert_eq!(hit.json(), serde_json::to_value(events()).unwrap());
        assert!(status_of(&a.url, &client).down);

        let value = client
            .custom_get("1/x")
            .parameters([("tags", json!(["a", "b c"]))])
            .send_blocking()
            .unwrap();
        assert_eq!(answered_by(&value), "b");
        assert_eq!(b.hits()[1].query.as_deref(), Some("tags=a%2Cb%20c"));
    }

    #[test]
    fn blocking_requests_report_api_errors_timeouts_and_rate_limit_waits() {
        let servers = server_runtime();
        let journal = Journal::default();
        let (a, hang) = servers.block_on(async {
            (
                host(
                    &journal,
                    "a",
                    [
                        Reply::Status(422),
                        Reply::RateLimited("retry-after", "1".into()),
                    ],
                )
                .await,
                always(&journal, "hang", Reply::Hang(FOREVER)).await,
            )
        });
        let client = builder(urls(&[&a])).build().unwrap();

        let error = client.push_events(events()).send_blocking().unwrap_err();
        assert_eq!(error.api_error().map(|e| e.status), Some(422));

        let started = Instant::now();
        client.push_events(events()).send_blocking().unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "did not wait"
        );
        assert_eq!(journal.hosts(), ["a", "a", "a"]);

        let error = builder(urls(&[&hang]))
            .build()
            .unwrap()
            .delete_user_token("user-1")
            .timeout(Duration::from_millis(300))
            .send_blocking()
            .unwrap_err();
        assert!(
            matches!(&error, Error::Timeout { host, .. } if *host == hang.url),
            "{error:?}"
        );
    }

    #[test]
    fn blocking_requests_can_be_sent_from_many_threads() {
        const THREADS: usize = 8;
        let servers = server_runtime();
        let journal = Journal::default();
        let a = servers.block_on(host(&journal, "a", []));
        let client = builder(urls(&[&a])).build().unwrap();

        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let client = client.clone();
                std::thread::spawn(move || client.custom_get("1/x").send_blocking())
            })
            .collect();
        for thread in threads {
            let value = thread.join().unwrap().unwrap();
            assert_eq!(answered_by(&value), "a");
        }
        assert_eq!(a.hits().len(), THREADS);
    }

    #[tokio::test]
    async fn send_blocking_inside_an_async_runtime_is_refused() {
        let journal = Journal::default();
        let a = host(&journal, "a", []).await;
        let client = builder(urls(&[&a])).build().unwrap();

        let error = client.custom_get("1/x").send_blocking().unwrap_err();

        assert!(
            matches!(&error, Error::BlockingInsideRuntime) && error.to_string().contains(".await"),
            "{error:?}"
        );
        assert!(journal.hits().is_empty(), "the request was sent");
    }
}
