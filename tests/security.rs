//! The client's security properties, against loopback servers that record
//! what they receive:
//!
//! - the API key (the first, a rotated one, one given per call) never shows
//!   in `Debug` output, error messages, panics or `tracing` output at TRACE;
//! - header values and names that could split a request (CR, LF, NUL, ...)
//!   are refused with [`Error::InvalidHeaderValue`] (or
//!   [`Error::InvalidHeaderName`]) and nothing is sent;
//! - user data in the path (a user token, a custom request's `path`) cannot
//!   change the request's target, nor send it to another host or scheme;
//! - the built-in hosts are HTTPS only, and redirects are never followed.

use algolia_insights::__private::{encode_path_segment, execute, HttpRequest, Method};
use algolia_insights::models::{ClickedObjectIDs, EventName, InsightsEvents, UserToken};
use algolia_insights::runtime::{RegionHost, RequestOptions};
use algolia_insights::{Client, ClientBuilder, Error, Region};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const APP_ID: &str = "security-app";
/// The key a client is built with.
const OLD_KEY: &str = "old-key-7c1e9a55";
/// The key it is given by `set_api_key`.
const NEW_KEY: &str = "new-key-42bd03e1";
/// A key given to one call through the key's header.
const CALL_KEY: &str = "call-key-f00dcafe";
const KEYS: [&str; 3] = [OLD_KEY, NEW_KEY, CALL_KEY];
const KEY_HEADER: &str = "x-algolia-api-key";

// ---- Loopback servers and captured tracing ----------------------------------

/// A request as the server received it.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    /// The path as sent, percent-encoding untouched.
    path: String,
    query: Option<String>,
    headers: HeaderMap,
}

impl Hit {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }
}

/// A loopback server answering every request with `reply()` and recording it.
struct Recorder {
    /// `http://127.0.0.1:<port>`.
    url: String,
    hits: Arc<Mutex<Vec<Hit>>>,
}

impl Recorder {
    async fn start<F>(reply: F) -> Recorder
    where
        F: Fn(&str) -> Response + Clone + Send + Sync + 'static,
    {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(Vec::new()));
        let log = hits.clone();
        let own_url = url.clone();
        let app = Router::new().fallback(
            move |method: axum::http::Method, uri: Uri, headers: HeaderMap, _body: Bytes| {
                log.lock().unwrap().push(Hit {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                    query: uri.query().map(str::to_string),
                    headers,
                });
                let response = reply(&own_url);
                async move { response }
            },
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Recorder { url, hits }
    }

    /// A server answering 200 `{"status":200,"message":"OK"}`.
    async fn ok() -> Recorder {
        Recorder::start(|_| json(200, r#"{"status":200,"message":"OK"}"#)).await
    }

    fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }

    fn builder(&self) -> ClientBuilder<Client> {
        Client::builder(APP_ID, OLD_KEY).hosts([self.url.clone()])
    }

    fn client(&self) -> Client {
        self.builder().build().unwrap()
    }
}

fn json(status: u16, body: &'static str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The URL of a loopback port nobody listens on.
fn dead_host() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

/// Everything every test of this file sends to `tracing`, at TRACE.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

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

/// Installs the capturing subscriber once for the whole test binary: every
/// test calls this first. (Global rather than per thread: tracing caches per
/// call site whether anyone listens.)
fn tracing_capture() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::FULL)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("only this function installs a subscriber");
        captured
    })
}

fn events() -> InsightsEvents {
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        ["product-1"],
        UserToken::new("user-1").unwrap(),
    );
    InsightsEvents::new([event.into()])
}

/// Asserts that no key shows in `text`, saying where it was found.
fn assert_no_key(what: &str, text: &str) {
    for key in KEYS {
        assert!(
            !text.contains(key),
            "{what} shows the API key `{key}`: {text}"
        );
    }
}

/// Every text an error can be turned into: `Debug`, `Display`, the
/// `Display` of each source, and the message of a panic on `unwrap`.
fn error_texts(error: Error) -> Vec<String> {
    let mut texts = vec![
        format!("{error:?}"),
        format!("{error:#?}"),
        error.to_string(),
    ];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        texts.push(cause.to_string());
        texts.push(format!("{cause:?}"));
        source = cause.source();
    }
    let result: Result<(), Error> = Err(error);
    // The panic a careless `unwrap` on this error would raise.
    #[allow(clippy::unnecessary_literal_unwrap)]
    let panic = std::panic::catch_unwind(AssertUnwindSafe(|| result.unwrap()))
        .expect_err("unwrap on an error panics");
    let message = panic
        .downcast_ref::<String>()
        .cloned()
        .expect("the panic carries a formatted message");
    texts.push(message);
    texts
}

// ---- The API key stays secret ------------------------------------------------

#[tokio::test]
async fn debug_output_never_shows_the_api_key() {
    tracing_capture();
    let server = Recorder::ok().await;
    let builder = server.builder().user_agent_segment("MyApp", Some("1.0"));
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();
    let before = format!("{client:?}");

    client.set_api_key(NEW_KEY).unwrap();
    let mut texts = vec![
        ("the builder", builder_debug),
        ("the client", before),
        ("the rotated client", format!("{client:#?}")),
        ("the transport", format!("{:?}", client.transport())),
        (
            "push_events",
            format!(
                "{:?}",
                client.push_events(events()).header(KEY_HEADER, CALL_KEY)
            ),
        ),
        (
            "delete_user_token",
            format!(
                "{:?}",
                client
                    .delete_user_token("user-1")
                    .header("X-Algolia-API-Key", CALL_KEY)
            ),
        ),
        (
            "custom_get",
            format!(
                "{:?}",
                client
                    .custom_get("1/x")
                    .options(RequestOptions::new().header(KEY_HEADER, CALL_KEY))
            ),
        ),
        (
            "custom_post",
            format!(
                "{:?}",
                client.custom_post("1/x").header(KEY_HEADER, CALL_KEY)
            ),
        ),
        (
            "custom_put",
            format!(
                "{:?}",
                client.custom_put("1/x").header(KEY_HEADER, CALL_KEY)
            ),
        ),
        (
            "custom_delete",
            format!(
                "{:?}",
                client.custom_delete("1/x").header(KEY_HEADER, CALL_KEY)
            ),
        ),
        (
            "request options",
            format!("{:?}", RequestOptions::new().header(KEY_HEADER, CALL_KEY)),
        ),
    ];
    texts.push(("the clone", format!("{:?}", client.clone())));
    for (what, text) in &texts {
        assert_no_key(what, text);
    }

    // The keys did go out, so leaving them out of the texts above is deliberate.
    client.custom_get("1/x").await.unwrap();
    client
        .custom_get("1/x")
        .header(KEY_HEADER, CALL_KEY)
        .await
        .unwrap();
    let sent: Vec<Option<String>> = server.hits().iter().map(|h| h.header(KEY_HEADER)).collect();
    assert_eq!(sent, [Some(NEW_KEY.into()), Some(CALL_KEY.into())]);
}

#[tokio::test]
async fn errors_of_every_kind_never_show_the_api_key() {
    tracing_capture();
    let unauthorized = Recorder::start(|_| {
        json(
            401,
            r#"{"status":401,"message":"Invalid Application-ID or API key"}"#,
        )
    })
    .await;
    let unavailable = Recorder::start(|_| json(503, r#"{"message":"down"}"#)).await;
    let not_json = Recorder::start(|_| json(200, "<html>not json</html>")).await;
    let hang_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_url = format!("http://{}", hang_listener.local_addr().unwrap());
    // Accepts connections and never answers.
    tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = hang_listener.accept().await {
            open.push(socket);
        }
    });

    let with_hosts = |hosts: Vec<String>| {
        let client = Client::builder(APP_ID, OLD_KEY)
            .hosts(hosts)
            .build()
            .unwrap();
        client.set_api_key(NEW_KEY).unwrap();
        client
    };
    let mut errors: Vec<(&str, Error)> = Vec::new();
    errors.push((
        "Api",
        with_hosts(vec![unauthorized.url.clone()])
            .custom_get("1/x")
            .header(KEY_HEADER, CALL_KEY)
            .await
            .unwrap_err(),
    ));
    errors.push((
        "InvalidRequest",
        with_hosts(vec![unauthorized.url.clone()])
            .push_events(InsightsEvents::new([]))
            .await
            .unwrap_err(),
    ));
    errors.push((
        "Transport",
        with_hosts(vec![dead_host()])
            .custom_get("1/x")
            .await
            .unwrap_err(),
    ));
    errors.push((
        "Timeout",
        with_hosts(vec![hang_url.clone()])
            .custom_get("1/x")
            .timeout(Duration::from_millis(200))
            .await
            .unwrap_err(),
    ));
    errors.push((
        "AllHostsFailed",
        with_hosts(vec![unavailable.url.clone(), dead_host(), hang_url.clone()])
            .custom_post("1/x")
            .timeout(Duration::from_millis(200))
            .header(KEY_HEADER, CALL_KEY)
            .await
            .unwrap_err(),
    ));
    errors.push((
        "Decode",
        with_hosts(vec![not_json.url.clone()])
            .push_events(events())
            .await
            .unwrap_err(),
    ));
    errors.push((
        "InvalidHeaderValue (a per-call key with CR LF)",
        with_hosts(vec![unauthorized.url.clone()])
            .custom_get("1/x")
            .header(KEY_HEADER, format!("{CALL_KEY}\r\nx-evil: 1"))
            .await
            .unwrap_err(),
    ));
    errors.push((
        "InvalidHeaderValue (a rotated key with LF)",
        with_hosts(vec![unauthorized.url.clone()])
            .set_api_key(format!("{NEW_KEY}\n"))
            .unwrap_err(),
    ));
    errors.push((
        "InvalidHeaderValue (a built key with CR)",
        Client::builder(APP_ID, format!("{OLD_KEY}\r"))
            .build()
            .unwrap_err(),
    ));
    errors.push((
        "InvalidHost (an unknown host scheme)",
        Client::builder(APP_ID, OLD_KEY)
            .hosts(["ftp://127.0.0.1"])
            .build()
            .unwrap_err(),
    ));

    let kinds: Vec<&str> = errors
        .iter()
        .map(|(_, e)| match e {
            Error::Api(_) => "Api",
            Error::InvalidRequest(_) => "InvalidRequest",
            Error::Transport { .. } => "Transport",
            Error::Timeout { .. } => "Timeout",
            Error::AllHostsFailed(_) => "AllHostsFailed",
            Error::Decode { .. } => "Decode",
            Error::InvalidHeaderValue { .. } => "InvalidHeaderValue",
            Error::InvalidHost { .. } => "InvalidHost",
            _ => "another kind",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Api",
            "InvalidRequest",
            "Transport",
            "Timeout",
            "AllHostsFailed",
            "Decode",
            "InvalidHeaderValue",
            "InvalidHeaderValue",
            "InvalidHeaderValue",
            "InvalidHost"
        ],
        "each kind of error is provoked"
    );
    for (what, error) in errors {
        for text in error_texts(error) {
            assert_no_key(what, &text);
        }
    }
    // The keys were sent where a request went out.
    assert_eq!(
        unauthorized.hits()[0].header(KEY_HEADER).as_deref(),
        Some(CALL_KEY)
    );
    assert_eq!(
        unavailable.hits()[0].header(KEY_HEADER).as_deref(),
        Some(CALL_KEY)
    );
    assert_eq!(
        not_json.hits()[0].header(KEY_HEADER).as_deref(),
        Some(NEW_KEY)
    );
}

#[tokio::test]
async fn tracing_at_trace_level_never_shows_the_api_key() {
    let captured = tracing_capture();
    let ok = Recorder::ok().await;
    let failing = Recorder::start(|_| json(500, r#"{"message":"boom"}"#)).await;
    let client = Client::builder(APP_ID, OLD_KEY)
        .hosts([failing.url.clone(), dead_host(), ok.url.clone()])
        .build()
        .unwrap();

    client.push_events(events()).await.unwrap();
    client.set_api_key(NEW_KEY).unwrap();
    client.delete_user_token("user-1").await.unwrap();
    client
        .custom_put("1/x")
        .header(KEY_HEADER, CALL_KEY)
        .body(serde_json::json!({"a": 1}))
        .await
        .unwrap();
    let _ = client.set_api_key("bad\r\nkey");

    let log = captured.text();
    // The log is not empty: requests and each host's outcome are in it.
    assert!(log.contains("algolia.request"), "{log}");
    assert!(
        log.contains(&format!("host={} status=500", failing.url)),
        "{log}"
    );
    assert!(
        log.contains(&format!("host={} status=200", ok.url)),
        "{log}"
    );
    assert_no_key("the tracing output", &log);
    let keys: Vec<Option<String>> = ok.hits().iter().map(|h| h.header(KEY_HEADER)).collect();
    assert_eq!(
        keys,
        [
            Some(OLD_KEY.into()),
            Some(NEW_KEY.into()),
            Some(CALL_KEY.into())
        ]
    );
}

// ---- Header values that could split a request ------------------------------------

/// Values with bytes a header cannot carry: with them, a value could end its
/// header and start another (`x-evil`) or end the head of the request.
const SPLITTERS: [&str; 6] = [
    "v\r\nx-evil: 1",
    "v\nx-evil: 1",
    "v\rx-evil: 1",
    "v\r\n\r\nGET /evil HTTP/1.1",
    "v\0",
    "v\x7f",
];

/// The message of a configuration error (a bad header value or name, a bad
/// host), after its `invalid configuration: `.
fn config_message(error: Error) -> String {
    match &error {
        Error::InvalidHeaderValue { .. }
        | Error::InvalidHeaderName { .. }
        | Error::InvalidHost { .. } => {
            let text = error.to_string();
            let message = text.strip_prefix("invalid configuration: ");
            message.unwrap_or_else(|| panic!("{text}")).to_string()
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
}

#[tokio::test]
async fn credentials_that_could_split_a_request_are_refused_when_building() {
    tracing_capture();
    let server = Recorder::ok().await;
    for bad in SPLITTERS {
        let error = Client::builder(bad, OLD_KEY)
            .hosts([server.url.clone()])
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid configuration: the application ID contains bytes a header cannot carry (such as CR or LF)"
        );
        let error = Client::builder(APP_ID, bad)
            .hosts([server.url.clone()])
            .build()
            .unwrap_err();
        assert_eq!(
            config_message(error),
            "the API key contains bytes a header cannot carry (such as CR or LF)"
        );
    }
    assert!(server.hits().is_empty());
}

#[tokio::test]
async fn a_rotated_key_that_could_split_a_request_is_refused_and_the_old_key_stays() {
    tracing_capture();
    let server = Recorder::ok().await;
    let client = server.client();

    for bad in SPLITTERS {
        let error = client.set_api_key(bad).unwrap_err();
        assert_eq!(
            config_message(error),
            "the API key contains bytes a header cannot carry (such as CR or LF)"
        );
    }
    client.custom_get("1/x").await.unwrap();

    let hits = server.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].header(KEY_HEADER).as_deref(), Some(OLD_KEY));
    assert_eq!(hits[0].header("x-evil"), None);
    assert_eq!(hits[0].path, "/1/x");
}

#[tokio::test]
async fn per_call_headers_that_could_split_a_request_are_refused_before_sending() {
    tracing_capture();
    let server = Recorder::ok().await;
    let client = server.client();

    for bad in SPLITTERS {
        let expected = "header `x-extra` contains bytes a header cannot carry (such as CR or LF)";
        let errors = [
            client
                .custom_get("1/x")
                .header("x-extra", bad)
                .await
                .unwrap_err(),
            client
                .custom_post("1/x")
                .options(RequestOptions::new().header("x-extra", bad))
                .await
                .unwrap_err(),
            client
                .push_events(events())
                .header("x-extra", bad)
                .await
                .unwrap_err(),
            client
                .delete_user_token("user-1")
                .header("x-extra", bad)
                .await
                .unwrap_err(),
        ];
        for error in errors {
            assert_eq!(config_message(error), expected);
        }
        // As a header's name, too.
        let error = client.custom_get("1/x").header(bad, "v").await.unwrap_err();
        assert_eq!(
            config_message(error),
            format!("`{}` is not a valid header name", bad.escape_debug())
        );
    }
    // The API key's header, overridden for one call.
    let error = client
        .custom_get("1/x")
        .header(KEY_HEADER, "k\r\nx-evil: 1")
        .await
        .unwrap_err();
    assert_eq!(
        config_message(error),
        "header `x-algolia-api-key` contains bytes a header cannot carry (such as CR or LF)"
    );

    assert!(
        server.hits().is_empty(),
        "nothing was sent: {:?}",
        server.hits()
    );
}

#[tokio::test]
async fn user_agent_segments_that_could_split_a_request_are_refused() {
    tracing_capture();
    let server = Recorder::ok().await;
    for bad in SPLITTERS {
        let error = server
            .builder()
            .user_agent_segment(bad, None)
            .build()
            .unwrap_err();
        assert_eq!(
            config_message(error),
            format!(
                "the user agent segment `{}` contains bytes a header cannot carry (such as CR or LF)",
                bad.escape_debug()
            )
        );
        let error = server
            .builder()
            .user_agent_segment("MyApp", Some(bad))
            .build()
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidHeaderValue { .. }),
            "{error:?}"
        );
    }

    let client = server.client();
    let agent = client.transport().user_agent();
    for bad in SPLITTERS {
        let error = client.add_user_agent_segment(bad, None).unwrap_err();
        assert!(
            matches!(error, Error::InvalidHeaderValue { .. }),
            "{error:?}"
        );
        let error = client
            .add_user_agent_segment("MyApp", Some(bad))
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidHeaderValue { .. }),
            "{error:?}"
        );
    }
    assert_eq!(
        client.transport().user_agent(),
        agent,
        "the user agent is unchanged"
    );
    client.custom_get("1/x").await.unwrap();

    let hits = server.hits();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].header("user-agent"), Some(agent));
    assert_eq!(hits[0].header("x-evil"), None);
}

// ---- User data cannot change the request's target -----------------------------------

#[tokio::test]
async fn a_user_token_is_sent_as_one_percent_encoded_path_segment() {
    tracing_capture();
    let server = Recorder::ok().await;
    let client = server.client();

    // The spec allows `/`, `+` and `=` in a user token.
    client.delete_user_token("a/b+c=d").await.unwrap();
    client
        .delete_user_token("../../1/events")
        .await
        .unwrap_err();

    let hits = server.hits();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].method, "DELETE");
    assert_eq!(hits[0].path, "/1/usertokens/a%2Fb%2Bc%3Dd");
    assert_eq!(hits[0].query, None);
}

#[tokio::test]
async fn a_user_token_outside_the_spec_is_refused_before_sending() {
    tracing_capture();
    let server = Recorder::ok().await;
    let client = server.client();

    for token in [
        "..", ".", "../admin", "a?b=c", "a#frag", "100%", "a%2Fb", "a b", "a\r\nb", "",
    ] {
        let error = client.delete_user_token(token).await.unwrap_err();
        let violations = error
            .validation_errors()
            .unwrap_or_else(|| panic!("`{token}`: expected InvalidRequest, got {error:?}"))
            .violations();
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].path, "userToken");
    }
    assert!(server.hits().is_empty(), "{:?}", server.hits());
}

#[tokio::test]
async fn an_encoded_segment_cannot_change_the_target_even_unvalidated() {
    tracing_capture();
    let server = Recorder::ok().await;
    let client = server.client();

    // Sent through the transport directly, past the spec's validation.
    let cases = [
        ("../../1/events", "/1/usertokens/..%2F..%2F1%2Fevents"),
        ("a?b=c", "/1/usertokens/a%3Fb%3Dc"),
        ("a#frag", "/1/usertokens/a%23frag"),
        ("100%", "/1/usertokens/100%25"),
        ("%2e%2e", "/1/usertokens/%252e%252e"),
        ("a b\tc", "/1/usertokens/a%20b%09c"),
        ("\\..\\evil", "/1/usertokens/%5C..%5Cevil"),
        ("/", "/1/usertokens/%2F"),
        ("@evil.example:80", "/1/usertokens/%40evil.example%3A80"),
    ];
    for (token, _) in cases {
        let path = format!("/1/usertokens/{}", encode_path_segment(token).unwrap());
        execute(
            client.transport(),
            HttpRequest::new(Method::DELETE, path),
            RequestOptions::new(),
        )
        .await
        .unwrap();
    }
    for dots in [".", ".."] {
        let error = encode_path_segment(dots).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    }

    let expected: Vec<&str> = cases.iter().map(|(_, path)| *path).collect();
    assert_eq!(server.paths(), expected);
    assert!(server.hits().iter().all(|h| h.query.is_none()));
}

#[tokio::test]
async fn a_custom_path_stays_on_the_configured_host() {
    tracing_capture();
    let server = Recorder::ok().await;
    let evil = Recorder::ok().await;
    let evil_authority = evil.url.trim_start_matches("http://").to_string();
    let client = server.client();

    let cases = [
        (
            format!("//{evil_authority}/x"),
            format!("/{}/x", evil_authority.replace(':', "%3A")),
        ),
        (
            format!("http://{evil_authority}/x"),
            format!("/http%3A/{}/x", evil_authority.replace(':', "%3A")),
        ),
        (
            format!("https:\\\\{evil_authority}"),
            format!("/https%3A%5C%5C{}", evil_authority.replace(':', "%3A")),
        ),
        (
            format!("@{evil_authority}"),
            format!("/%40{}", evil_authority.replace(':', "%3A")),
        ),
        (
            "1/%2e%2e/%2E%2E/x".to_string(),
            "/1/%252e%252e/%252E%252E/x".to_string(),
        ),
        ("1/x?y=1#z".to_string(), "/1/x%3Fy%3D1%23z".to_string()),
        ("1/a b/c\r\nd".to_string(), "/1/a%20b/c%0D%0Ad".to_string()),
    ];
    for (path, _) in &cases {
        client.custom_get(path.as_str()).await.unwrap();
    }
    for climbing in ["..", "../x", "1/../../x", "./x", "1/.", "1/./../x"] {
        let error = client.custom_post(climbing).await.unwrap_err();
        let errors = error
            .validation_errors()
            .unwrap_or_else(|| panic!("`{climbing}`: expected InvalidRequest, got {error:?}"));
        assert_eq!(errors.violations()[0].path, "path");
    }

    let expected: Vec<String> = cases.iter().map(|(_, sent)| sent.clone()).collect();
    assert_eq!(server.paths(), expected);
    assert!(server.hits().iter().all(|h| h.query.is_none()));
    assert!(
        evil.hits().is_empty(),
        "another host was reached: {:?}",
        evil.hits()
    );
}

// ---- Schemes and redirects -------------------------------------------------------

#[test]
fn the_built_in_hosts_are_https_only() {
    let urls = |client: Client| -> Vec<String> {
        client
            .transport()
            .host_status()
            .into_iter()
            .map(|s| s.url)
            .collect()
    };
    assert_eq!(
        urls(Client::new(APP_ID, OLD_KEY).unwrap()),
        ["https://insights.algolia.io"]
    );
    assert!(!Region::ALL.is_empty());
    for region in Region::ALL {
        let host = region.host();
        assert_eq!(
            host,
            format!("https://insights.{}.algolia.io", region.as_str())
        );
        let client = Client::builder(APP_ID, OLD_KEY)
            .region(*region)
            .build()
            .unwrap();
        assert_eq!(urls(client), [host]);
    }
    let api = algolia_insights::operations::API;
    assert!(api.default_hosts.iter().all(|h| h.starts_with("https://")));
    assert!(api
        .regional_host_template
        .is_some_and(|t| t.starts_with("https://")));
}

/// A region whose host is not HTTPS.
struct PlainRegion;

impl RegionHost for PlainRegion {
    fn host(&self) -> String {
        "http://insights.plain.example".to_string()
    }
}

#[test]
fn a_region_host_must_be_https_and_named_hosts_http_or_https() {
    let error = Client::builder(APP_ID, OLD_KEY)
        .region(PlainRegion)
        .build()
        .unwrap_err();
    assert_eq!(
        config_message(error),
        "host `http://insights.plain.example` has a scheme other than https (or http, for hosts you name)"
    );
    for host in [
        "ftp://127.0.0.1",
        "file:///etc/passwd",
        "ws://127.0.0.1:9",
        "javascript:alert(1)",
        "data:text/plain,x",
    ] {
        let error = Client::builder(APP_ID, OLD_KEY)
            .hosts([host])
            .build()
            .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidHost { host: given, .. } if given == host),
            "{host}: {error:?}"
        );
        assert!(error.to_string().contains(host), "{error}");
    }
    for host in [
        "http://user:pw@127.0.0.1:9",
        "http://127.0.0.1:9/?a=b",
        "http://127.0.0.1:9/#x",
    ] {
        let error = Client::builder(APP_ID, OLD_KEY)
            .hosts([host])
            .build()
            .unwrap_err();
        assert_eq!(
            config_message(error),
            format!(
                "host `{host}` is not a base URL such as https://example.com:8080 (no user, query or fragment)"
            )
        );
    }
}

fn redirect_to(status: u16, location: String) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::LOCATION, location)],
    )
        .into_response()
}

#[tokio::test]
async fn redirects_are_never_followed_to_another_host() {
    tracing_capture();
    let other = Recorder::ok().await;
    for status in [301u16, 302, 303, 307, 308] {
        let location = format!("{}/stolen", other.url);
        let origin = Recorder::start(move |_| redirect_to(status, location.clone())).await;
        let client = origin.client();

        let error = client
            .custom_post("1/x")
            .header(KEY_HEADER, CALL_KEY)
            .await
            .unwrap_err();

        match &error {
            Error::Api(api) => {
                assert_eq!(api.status, status);
                assert_eq!(api.host, origin.url);
            }
            other => panic!("{status}: expected Error::Api, got {other:?}"),
        }
        let error = client.push_events(events()).await.unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(origin.hits().len(), 2);
    }
    assert!(
        other.hits().is_empty(),
        "the redirect was followed: {:?}",
        other.hits()
    );
}

#[tokio::test]
async fn redirects_are_not_followed_with_a_custom_http_client_either() {
    tracing_capture();
    let other = Recorder::ok().await;
    let location = format!("{}/stolen", other.url);
    let origin = Recorder::start(move |_| redirect_to(302, location.clone())).await;
    // A builder that would follow redirects on its own.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10));
    let client = origin.builder().http_client(http).build().unwrap();

    let error = client
        .custom_get("1/x")
        .header(KEY_HEADER, CALL_KEY)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(302), "{error:?}");
    assert_eq!(origin.hits().len(), 1);
    assert!(
        other.hits().is_empty(),
        "the redirect was followed: {:?}",
        other.hits()
    );
}
