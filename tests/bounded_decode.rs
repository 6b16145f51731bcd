//! Decoding a response costs a small multiple of the bytes read, whatever the
//! shape of the JSON: a loopback server answers with the amplification shapes
//! (a flat array of zeros, deep nesting, many small objects, many unknown
//! keys, the same gzipped), and a counting allocator in this test binary
//! measures the peak of the heap while the client reads and decodes it.
//!
//! Before the decoding module, a 16 MB `{"status":200,"message":"OK","x":[0,0,…]}`
//! peaked at about 860 MB in `push_events` (a tree of `Value`s); the bound
//! asserted here is 3× the body (about 2× is measured), on 8 MiB bodies.

use algolia_insights::models::{ClickedObjectIDs, EventName, InsightsEvents, UserToken};
use algolia_insights::{Client, Error};
use axum::body::{Body, Bytes};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Router;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size > layout.size() {
                let grown = new_size - layout.size();
                let now = IN_USE.fetch_add(grown, Ordering::Relaxed) + grown;
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The heap is counted for the whole process: one measurement at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The most the heap may grow while one response of `body` bytes is read and
/// decoded: the body, its decoded form, and room for the HTTP stack's buffers.
fn bound(body: usize) -> usize {
    3 * body + 2 * 1024 * 1024
}

const MIB: usize = 1024 * 1024;
/// The size of each hostile body.
const SIZE: usize = 8 * MIB;

/// A loopback server that answers every request with `status`, `body`
/// (gzipped when `gzip` is true). The body is built before the measurement.
async fn serve(status: u16, body: Bytes, gzip: bool) -> String {
    let app = Router::new().fallback(move || {
        let body = body.clone();
        async move {
            let mut response = (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "application/json")],
                Body::from(body),
            )
                .into_response();
            if gzip {
                response
                    .headers_mut()
                    .insert(header::CONTENT_ENCODING, "gzip".parse().unwrap());
            }
            response
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn client(url: &str) -> Client {
    Client::builder("test-app", "test-key")
        .hosts([url.to_string()])
        .max_response_bytes(2 * SIZE)
        .build()
        .unwrap()
}

fn events() -> InsightsEvents {
    InsightsEvents::new([ClickedObjectIDs::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        ["sku-1"],
        UserToken::new("user-1").unwrap(),
    )
    .into()])
}

/// `{"status":200,"message":"OK","x":` + `inner` repeated to about `SIZE` + `}`.
fn wrapped(open: &str, item: &str, separator: &str, close: &str) -> Vec<u8> {
    let mut body = br#"{"status":200,"message":"OK","x":"#.to_vec();
    body.extend_from_slice(open.as_bytes());
    let mut first = true;
    while body.len() + item.len() + separator.len() + close.len() + 1 < SIZE {
        if !first {
            body.extend_from_slice(separator.as_bytes());
        }
        first = false;
        body.extend_from_slice(item.as_bytes());
    }
    body.extend_from_slice(close.as_bytes());
    body.push(b'}');
    body
}

/// The amplification shapes, each about `SIZE` bytes of valid JSON.
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let depth = SIZE / 2 - 64;
    let mut deep = br#"{"status":200,"message":"OK","x":"#.to_vec();
    deep.extend(std::iter::repeat_n(b'[', depth));
    deep.extend(std::iter::repeat_n(b']', depth));
    deep.push(b'}');
    // Many unknown properties at the top level, each small.
    let mut keys = br#"{"status":200,"message":"OK""#.to_vec();
    let mut i = 0usize;
    while keys.len() + 32 < SIZE {
        write!(keys, r#","k{i}":0"#).unwrap();
        i += 1;
    }
    keys.push(b'}');
    vec![
        ("a flat array of zeros", wrapped("[", "0", ",", "]")),
        ("deep nesting", deep),
        ("many small objects", wrapped("[", r#"{"a":0}"#, ",", "]")),
        ("many empty objects", wrapped("[", "{}", ",", "]")),
        ("many unknown keys", keys),
    ]
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(body).unwrap();
    encoder.finish().unwrap()
}

/// Runs `call` and returns how far the heap grew above where it started.
async fn peak_growth<T>(call: impl std::future::IntoFuture<Output = T>) -> (T, usize) {
    let start = IN_USE.load(Ordering::SeqCst);
    PEAK.store(start, Ordering::SeqCst);
    let result = call.await;
    let peak = PEAK.load(Ordering::SeqCst);
    (result, peak.saturating_sub(start))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn typed_responses_cost_a_small_multiple_of_the_bytes_read() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        for (shape, body) in shapes() {
            for gzipped in [false, true] {
                let sent = Bytes::from(if gzipped { gzip(&body) } else { body.clone() });
                let url = serve(200, sent, gzipped).await;
                let api = client(&url);
                let (result, growth) = peak_growth(api.push_events(events())).await;
                let response = result.unwrap_or_else(|e| panic!("{shape}: {e}"));
                assert_eq!(response.status, Some(200), "{shape}");
                assert!(
                    response.additional_properties.get("x").is_some()
                        || response.additional_properties.get("k0").is_some(),
                    "{shape}: the unknown property is kept"
                );
                println!(
                    "push_events, {shape}{}: {} bytes, heap grew {:.2}x",
                    if gzipped { ", gzipped" } else { "" },
                    body.len(),
                    growth as f64 / body.len() as f64
                );
                assert!(
                    growth <= bound(body.len()),
                    "{shape} (gzip {gzipped}): the heap grew {growth} bytes for a {} byte body",
                    body.len()
                );
            }
        }
    });
}

#[test]
fn untyped_answers_and_error_bodies_are_bounded_the_same_way() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        for (shape, body) in shapes() {
            let url = serve(200, Bytes::from(body.clone()), false).await;
            let api = client(&url);
            let (result, growth) = peak_growth(api.custom_get("1/anything")).await;
            let value = result.unwrap_or_else(|e| panic!("{shape}: {e}"));
            assert_eq!(value.get().len(), body.len(), "{shape}: the text is kept");
            println!(
                "custom_get, {shape}: {} bytes, heap grew {:.2}x",
                body.len(),
                growth as f64 / body.len() as f64
            );
            assert!(
                growth <= bound(body.len()),
                "custom_get, {shape}: the heap grew {growth} bytes for a {} byte body",
                body.len()
            );

            // The same body as an error answer: decoded into the spec's error model.
            let url = serve(400, Bytes::from(body.clone()), false).await;
            let api = client(&url);
            let (result, growth) = peak_growth(api.push_events(events())).await;
            let Err(Error::Api(api)) = result else {
                panic!("{shape}: expected an API error");
            };
            assert_eq!(api.message.as_deref(), Some("OK"), "{shape}");
            assert!(api.model.is_some(), "{shape}: the error model is decoded");
            assert_eq!(api.body.len(), body.len(), "{shape}: the raw body is kept");
            println!(
                "400 error, {shape}: {} bytes, heap grew {:.2}x",
                body.len(),
                growth as f64 / body.len() as f64
            );
            assert!(
                growth <= bound(body.len()),
                "400, {shape}: the heap grew {growth} bytes for a {} byte body",
                body.len()
            );
        }
    });
}

#[test]
fn the_default_limit_refuses_a_large_answer_before_decoding_it() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let (_, body) = shapes().remove(0);
        let url = serve(200, Bytes::from(gzip(&body)), true).await;
        let api = Client::builder("test-app", "test-key")
            .hosts([url])
            .build()
            .unwrap();
        let (result, growth) = peak_growth(api.push_events(events())).await;
        match result {
            Err(Error::ResponseTooLarge { limit, .. }) => {
                assert_eq!(
                    limit,
                    algolia_insights::runtime::decode::DEFAULT_MAX_RESPONSE_BYTES
                )
            }
            other => panic!("expected ResponseTooLarge, got {other:?}"),
        }
        assert!(growth <= bound(1024 * 1024), "the heap grew {growth} bytes");
        // Raised for one request, the same answer is read.
        let response = api
            .push_events(events())
            .max_response_bytes(2 * SIZE)
            .await
            .unwrap();
        assert_eq!(response.message.as_deref(), Some("OK"));
        // The same through `RequestOptions`.
        let options = algolia_insights::RequestOptions::new().max_response_bytes(2 * SIZE);
        let response = api.push_events(events()).options(options).await.unwrap();
        assert_eq!(response.message.as_deref(), Some("OK"));
    });
}
