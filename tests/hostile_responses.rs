//! Responses that are not what the spec says, from loopback servers that
//! misbehave on purpose: HTML or text with a 2xx, truncated JSON, invalid
//! UTF-8, the wrong shape, an empty body, bodies too large or too deep,
//! bodies that stall, headers that do not parse, and broken HTTP. Each gives
//! one precise error (variant, host, status, message); none panics or hangs.

use algolia_insights::models::{ClickedObjectIDs, EventName, InsightsEvents, UserToken};
use algolia_insights::{Client, ClientBuilder, Error};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::stream::{self, StreamExt as _};
use serde_json::Value;
use std::future::IntoFuture;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Far longer than any of these tests takes when the client behaves: a call
/// still running after this has hung.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A loopback server that answers every request with `reply()`.
struct Server {
    /// `http://127.0.0.1:<port>`.
    url: String,
    hits: Arc<AtomicUsize>,
}

impl Server {
    async fn start<F>(reply: F) -> Server
    where
        F: Fn() -> Response + Clone + Send + Sync + 'static,
    {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = Router::new().fallback(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            let response = reply();
            async move { response }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Server { url, hits }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// An answer with this status, content type and raw body.
fn raw(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, content_type)],
        body.into(),
    )
        .into_response()
}

fn client(server: &Server) -> ClientBuilder<Client> {
    Client::builder("test-app", "test-key").hosts([server.url.clone()])
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

/// Runs a call, failing the test if it has not finished after [`HANG_GUARD`].
async fn bounded<T>(call: impl IntoFuture<Output = T>) -> T {
    tokio::time::timeout(HANG_GUARD, call.into_future())
        .await
        .expect("the call hung")
}

/// The parts of an [`Error::Decode`]; panics on any other error.
struct Decode {
    host: String,
    status: u16,
    message: String,
    body: Bytes,
    display: String,
}

fn decode_error(error: Error) -> Decode {
    let display = error.to_string();
    match error {
        Error::Decode {
            host,
            status,
            message,
            body,
            ..
        } => Decode {
            host,
            status,
            message,
            body,
            display,
        },
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

/// Asserts that the body was refused as larger than `limit` before decoding.
fn assert_too_large(error: Error, server: &Server, status: u16, limit: usize) {
    let display = error.to_string();
    match error {
        Error::ResponseTooLarge {
            host,
            status: got_status,
            limit: got_limit,
            ..
        } => {
            assert_eq!(host, server.url);
            assert_eq!(got_status, status);
            assert_eq!(got_limit, limit);
            assert!(
                display.contains(&format!("larger than the {limit} bytes")),
                "{display}"
            );
        }
        other => panic!("expected Error::ResponseTooLarge, got {other:?}"),
    }
}

/// Asserts a decode error from `server` with this status, message and body.
fn assert_decode(error: Error, server: &Server, status: u16, message: &str, body: &[u8]) {
    let decode = decode_error(error);
    assert_eq!(decode.host, server.url);
    assert_eq!(decode.status, status);
    assert_eq!(decode.message, message);
    assert_eq!(&decode.body[..], body, "the raw body is kept");
    assert_eq!(
        decode.display,
        format!(
            "cannot decode the {status} response from {}: {message}",
            server.url
        )
    );
}

// ---- A 2xx whose body is not JSON ---------------------------------------

#[tokio::test]
async fn an_html_page_with_a_200_is_a_decode_error_that_keeps_the_page() {
    const PAGE: &str = "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>";
    let server = Server::start(|| raw(200, "text/html", PAGE)).await;
    let client = client(&server).build().unwrap();

    let error = bounded(client.push_events(events())).await.unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "expected value at line 1 column 1",
        PAGE.as_bytes(),
    );
    assert_eq!(server.hits(), 1, "a decode error is not retried");
}

#[tokio::test]
async fn plain_text_with_a_2xx_is_a_decode_error_for_untyped_answers_too() {
    let server = Server::start(|| raw(202, "text/plain", "OK")).await;
    let client = client(&server).build().unwrap();

    let error = bounded(client.custom_get("1/anything")).await.unwrap_err();

    assert_decode(
        error,
        &server,
        202,
        "expected value at line 1 column 1",
        b"OK",
    );
}

#[tokio::test]
async fn truncated_json_is_a_decode_error_at_the_end_of_input() {
    const BODY: &str = r#"{"status":200,"mess"#;
    let server = Server::start(|| raw(200, "application/json", BODY)).await;
    let client = client(&server).build().unwrap();

    let error = bounded(client.push_events(events())).await.unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "EOF while parsing a string at line 1 column 19",
        BODY.as_bytes(),
    );
}

#[tokio::test]
async fn invalid_utf8_is_a_decode_error_and_the_bytes_are_kept() {
    // Valid JSON framing, but the string's bytes are not UTF-8.
    const BODY: &[u8] = b"{\"status\":200,\"message\":\"caf\xe9\"}";
    let server = Server::start(|| raw(200, "application/json", BODY)).await;
    let client = client(&server).build().unwrap();

    let error = bounded(client.push_events(events())).await.unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "message: the text is not UTF-8 (invalid utf-8 sequence of 1 bytes from index 28)",
        BODY,
    );

    // Not JSON at all, and not text either.
    let server =
        Server::start(|| raw(200, "application/octet-stream", &b"\xff\xfe\x00\x01"[..])).await;
    let error = bounded(client_for(&server).custom_get("1/x"))
        .await
        .unwrap_err();
    assert_decode(
        error,
        &server,
        200,
        "the text is not UTF-8 (invalid utf-8 sequence of 1 bytes from index 0)",
        b"\xff\xfe\x00\x01",
    );
}

fn client_for(server: &Server) -> Client {
    client(server).build().unwrap()
}

#[tokio::test]
async fn an_error_status_with_a_non_utf8_page_is_an_api_error_shown_lossily() {
    const BODY: &[u8] = b"<html>\xff\xfe Bad Request</html>";
    let server = Server::start(|| raw(400, "text/html", BODY)).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    let text = error.to_string();
    let api = match error {
        Error::Api(api) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.host, server.url);
    assert_eq!(api.message, None, "the body has no JSON `message`");
    assert_eq!(&api.body[..], BODY);
    assert_eq!(
        text,
        format!(
            "{} answered 400 Bad Request: <html>\u{FFFD}\u{FFFD} Bad Request</html>",
            server.url
        )
    );
}

#[tokio::test]
async fn a_long_error_page_is_shortened_in_the_message_and_kept_whole_in_the_body() {
    // Multi-byte characters around the cut: shortening must not split one.
    let page: String = "é".repeat(500);
    let body = page.clone();
    let server = Server::start(move || raw(503, "text/html", body.clone())).await;

    let error = bounded(client_for(&server).custom_get("1/x"))
        .await
        .unwrap_err();

    let text = error.to_string();
    assert!(text.ends_with(&format!(": {}…", "é".repeat(200))), "{text}");
    assert_eq!(error.api_error().unwrap().body_text(), page);
}

// ---- JSON of the wrong shape, or none ------------------------------------

#[tokio::test]
async fn json_followed_by_anything_but_whitespace_is_a_decode_error() {
    // Found by the `responses` fuzz target: the first value used to be taken
    // and the rest ignored.
    const BODY: &str = "{\"status\":200,\"message\":\"OK\"}<html>";
    let server = Server::start(|| raw(200, "application/json", BODY)).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "trailing characters at line 1 column 30",
        BODY.as_bytes(),
    );

    let server = Server::start(|| raw(200, "application/json", "{}{} \n")).await;
    let error = bounded(client_for(&server).custom_get("1/x"))
        .await
        .unwrap_err();
    assert_decode(
        error,
        &server,
        200,
        "trailing characters at line 1 column 3",
        b"{}{} \n",
    );

    // Whitespace after the value is fine.
    let server = Server::start(|| raw(200, "application/json", "{\"message\":\"OK\"} \r\n")).await;
    let response = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap();
    assert_eq!(response.message.as_deref(), Some("OK"));
}

#[tokio::test]
async fn json_of_the_wrong_shape_names_the_offending_field() {
    const BODY: &str = r#"{"status":"200","message":"OK"}"#;
    let server = Server::start(|| raw(200, "application/json", BODY)).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        r#"status: invalid type: string "200", expected i64"#,
        BODY.as_bytes(),
    );
}

#[tokio::test]
async fn a_json_array_where_an_object_is_expected_is_a_decode_error() {
    const BODY: &str = r#"[200,"OK"]"#;
    let server = Server::start(|| raw(200, "application/json", BODY)).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    let decode = decode_error(error);
    assert_eq!(decode.status, 200);
    assert!(
        decode
            .message
            .starts_with("invalid type: sequence, expected an EventsResponse object"),
        "{}",
        decode.message
    );
}

#[tokio::test]
async fn an_empty_2xx_body_is_a_decode_error_where_json_is_expected() {
    let server = Server::start(|| raw(200, "application/json", "")).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "empty body: invalid type: null, expected an EventsResponse object",
        b"",
    );

    // A 204 is no different: the operation documents a JSON answer.
    let server = Server::start(|| StatusCode::NO_CONTENT.into_response()).await;
    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();
    assert_decode(
        error,
        &server,
        204,
        "empty body: invalid type: null, expected an EventsResponse object",
        b"",
    );
}

#[tokio::test]
async fn an_empty_2xx_body_is_null_for_the_untyped_custom_requests() {
    let server = Server::start(|| StatusCode::NO_CONTENT.into_response()).await;
    let client = client_for(&server);

    let value = bounded(client.custom_delete("1/anything")).await.unwrap();

    assert_eq!(value.get(), "null");
    assert_eq!(value.decode::<Value>().unwrap(), Value::Null);
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn json_nested_too_deep_is_refused_without_exhausting_the_stack() {
    // Unclosed: not JSON. The untyped answer is kept as text, which is
    // checked without recursion, so the depth costs no stack.
    let body = "[".repeat(100_000);
    let server = Server::start(move || raw(200, "application/json", body.clone())).await;
    let error = bounded(client_for(&server).custom_get("1/x"))
        .await
        .unwrap_err();
    let decode = decode_error(error);
    assert!(
        decode
            .message
            .starts_with("EOF while parsing a list at line 1 column 100000"),
        "{}",
        decode.message
    );
    assert_eq!(decode.body.len(), 100_000);

    // Closed: valid JSON, kept as its text; building a tree of it is refused
    // at serde_json's recursion limit.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let server = Server::start(move || raw(200, "application/json", deep.clone())).await;
    let raised = client(&server).max_response_bytes(1 << 20).build().unwrap();
    let value = bounded(raised.custom_get("1/x")).await.unwrap();
    assert_eq!(value.get().len(), 200_000);
    let error = value.decode::<Value>().unwrap_err();
    assert!(
        error.to_string().contains("recursion limit exceeded"),
        "{error}"
    );

    // Typed: the unknown property is skipped as text; the typed part stays shallow.
    let typed = format!(
        r#"{{"status":200,"x":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let server = Server::start(move || raw(200, "application/json", typed.clone())).await;
    let raised = client(&server).max_response_bytes(1 << 20).build().unwrap();
    let response = bounded(raised.push_events(events())).await.unwrap();
    assert_eq!(response.status, Some(200));
    assert_eq!(
        response
            .additional_properties
            .get("x")
            .map(|x| x.get().len()),
        Some(200_000)
    );
}

#[tokio::test]
async fn a_number_out_of_range_is_a_decode_error() {
    const BODY: &str = r#"{"status":1e999,"message":"OK"}"#;
    let server = Server::start(|| raw(200, "application/json", BODY)).await;

    let error = bounded(client_for(&server).push_events(events()))
        .await
        .unwrap_err();

    let decode = decode_error(error);
    assert!(
        decode.message.starts_with("status: number out of range"),
        "{}",
        decode.message
    );
}

// ---- Headers that do not parse -------------------------------------------

#[tokio::test]
async fn rate_limit_headers_that_do_not_parse_are_decode_errors_naming_the_header() {
    let server = Server::start(|| {
        (
            StatusCode::OK,
            [
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "lots"),
            ],
        )
            .into_response()
    })
    .await;

    let error = bounded(client_for(&server).delete_user_token("user-1"))
        .await
        .unwrap_err();

    assert_decode(
        error,
        &server,
        200,
        "header `x-ratelimit-remaining`: cannot parse `lots`: invalid digit found in string",
        b"",
    );

    let server = Server::start(|| {
        let mut response = StatusCode::OK.into_response();
        response.headers_mut().insert(
            "x-ratelimit-reset",
            HeaderValue::from_bytes(b"17\xff00").unwrap(),
        );
        response
    })
    .await;
    let error = bounded(client_for(&server).delete_user_token("user-1"))
        .await
        .unwrap_err();
    assert_decode(
        error,
        &server,
        200,
        // The value as received, its bytes that are not UTF-8 escaped.
        "header `x-ratelimit-reset` is not UTF-8 text: 17\\xff00",
        b"",
    );
}

// ---- Bodies too large -------------------------------------------------------

/// A 200 whose JSON-looking body is `total` bytes, sent in 64 KiB chunks;
/// `produced` counts the bytes handed to the connection so far.
fn endless_body(total: usize, produced: Arc<AtomicUsize>) -> Response {
    const CHUNK: usize = 64 * 1024;
    let chunks = stream::iter(0..total / CHUNK).map(move |i| {
        let mut chunk = vec![b' '; CHUNK];
        if i == 0 {
            chunk[..12].copy_from_slice(br#"{"message":""#);
        }
        produced.fetch_add(CHUNK, Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(chunk))
    });
    raw(200, "application/json", Body::from_stream(chunks))
}

#[tokio::test]
async fn a_huge_body_is_read_only_up_to_the_limit_and_the_error_says_so() {
    const TOTAL: usize = 256 * 1024 * 1024;
    const LIMIT: usize = 1024 * 1024;
    let produced = Arc::new(AtomicUsize::new(0));
    let counter = produced.clone();
    let server = Server::start(move || endless_body(TOTAL, counter.clone())).await;
    let client = client(&server).max_response_bytes(LIMIT).build().unwrap();

    let error = bounded(client.custom_get("1/x")).await.unwrap_err();

    assert_too_large(error, &server, 200, 1048576);
    // The client stopped reading: what the server could send is bounded by
    // the limit plus the sockets' buffers, far below the body's size.
    let sent = produced.load(Ordering::SeqCst);
    assert!(sent < TOTAL / 4, "the client read on: {sent} bytes sent");
}

#[tokio::test]
async fn a_huge_body_with_a_content_length_is_refused_the_same_way() {
    let body = Bytes::from(vec![b'7'; 3 * 1024 * 1024]);
    let server = Server::start(move || raw(200, "application/json", body.clone())).await;
    let client = client(&server).max_response_bytes(1000).build().unwrap();

    let error = bounded(client.push_events(events())).await.unwrap_err();

    assert_too_large(error, &server, 200, 1000);
}

#[tokio::test]
async fn a_gzip_bomb_is_bounded_by_its_decompressed_size() {
    // 64 MiB of spaces compress to about 64 KiB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&spaces).unwrap();
    }
    let bomb = Bytes::from(encoder.finish().unwrap());
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let server = Server::start(move || {
        (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CONTENT_ENCODING, "gzip"),
            ],
            bomb.clone(),
        )
            .into_response()
    })
    .await;
    let client = client(&server)
        .max_response_bytes(1024 * 1024)
        .build()
        .unwrap();

    let error = bounded(client.custom_get("1/x")).await.unwrap_err();

    assert_too_large(error, &server, 200, 1048576);
}

// ---- Bodies that stall ---------------------------------------------------

/// Headers and the start of the body, then nothing, for ever.
fn stalled_body() -> Response {
    let start =
        stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(br#"{"status":200,"#)) });
    let body = Body::from_stream(start.chain(stream::pending()));
    let mut response = raw(200, "application/json", body);
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("1000"));
    response
}

#[tokio::test]
async fn a_body_that_stalls_after_the_headers_times_out_naming_the_host() {
    let server = Server::start(stalled_body).await;
    let client = client(&server)
        .read_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let error = bounded(client.custom_get("1/x")).await.unwrap_err();

    assert_eq!(
        error.to_string(),
        format!("{} did not answer within 300ms", server.url)
    );
    match error {
        Error::Timeout { host, after } => {
            assert_eq!(host, server.url);
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected Error::Timeout, got {other:?}"),
    }
}

#[tokio::test]
async fn a_stalled_body_on_a_write_request_honours_the_per_call_timeout() {
    let server = Server::start(stalled_body).await;
    // The write timeout (30 s) would outlast the hang guard: the per-call
    // timeout is what ends this call.
    let client = client_for(&server);

    let error = bounded(
        client
            .push_events(events())
            .timeout(Duration::from_millis(300)),
    )
    .await
    .unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(
        error.to_string(),
        format!("{} did not answer within 300ms", server.url)
    );
}

#[tokio::test]
async fn a_stalled_body_moves_on_to_the_next_host() {
    let stalled = Server::start(stalled_body).await;
    let good =
        Server::start(|| raw(200, "application/json", r#"{"status":200,"message":"OK"}"#)).await;
    let client = Client::builder("test-app", "test-key")
        .hosts([stalled.url.clone(), good.url.clone()])
        .write_timeout(Duration::from_millis(300))
        .build()
        .unwrap();

    let response = bounded(client.push_events(events())).await.unwrap();

    assert_eq!(response.message.as_deref(), Some("OK"));
    assert_eq!((stalled.hits(), good.hits()), (1, 1));
}

// ---- Broken HTTP ---------------------------------------------------------

/// A loopback server speaking raw bytes: it reads the request's head, writes
/// `answer` and closes the connection.
async fn raw_tcp_server(answer: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = socket.write_all(answer).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    url
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_transport_error() {
    let url = raw_tcp_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"sta",
    )
    .await;
    let client = Client::builder("test-app", "test-key")
        .hosts([url.clone()])
        .build()
        .unwrap();

    let error = bounded(client.custom_get("1/x")).await.unwrap_err();

    match &error {
        Error::Transport { host, message, .. } => {
            assert_eq!(*host, url);
            assert!(
                message.starts_with("reading the response failed"),
                "{message}"
            );
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
    assert!(error
        .to_string()
        .starts_with(&format!("cannot reach {url}: ")));
}

#[tokio::test]
async fn an_answer_that_is_not_http_is_a_transport_error() {
    let url = raw_tcp_server(b"SSH-2.0-OpenSSH_9.6\r\n\r\n").await;
    let client = Client::builder("test-app", "test-key")
        .hosts([url.clone()])
        .build()
        .unwrap();

    let error = bounded(client.push_events(events())).await.unwrap_err();

    match &error {
        Error::Transport { host, message, .. } => {
            assert_eq!(*host, url);
            assert!(message.starts_with("request failed"), "{message}");
        }
        other => panic!("expected Error::Transport, got {other:?}"),
    }
}
