//! The loopback server the throughput benchmark sends to. It does as little
//! as it can so as not to be the bottleneck: it counts the events of each
//! body (occurrences of `"eventName"`, found with memchr's substring search)
//! and answers 200. The counts let the benchmark check that nothing was lost.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::routing::post;
use axum::Router;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;

#[derive(Default)]
struct Counts {
    events: AtomicU64,
    requests: AtomicU64,
}

/// A running sink; it lives until the process ends.
pub struct Sink {
    pub url: String,
    counts: Arc<Counts>,
}

impl Sink {
    /// Starts a sink on a free port of 127.0.0.1, on its own thread and
    /// single-threaded runtime (pinned with the thread that calls this).
    pub fn start() -> Sink {
        let counts = Arc::new(Counts::default());
        let (ready, address) = std::sync::mpsc::channel();
        let state = Arc::clone(&counts);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the sink");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port for the sink");
                ready
                    .send(listener.local_addr().expect("the sink's address"))
                    .expect("the benchmark waits for the sink");
                let app = Router::new()
                    .route("/1/events", post(count))
                    .layer(DefaultBodyLimit::max(4 * 1024 * 1024))
                    .with_state(state);
                axum::serve(listener, app).await.expect("the sink serves");
            });
        });
        let address = address.recv().expect("the sink starts");
        Sink {
            url: format!("http://{address}"),
            counts,
        }
    }

    /// Events received so far.
    pub fn events(&self) -> u64 {
        self.counts.events.load(Relaxed)
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.counts.requests.load(Relaxed)
    }
}

async fn count(
    State(counts): State<Arc<Counts>>,
    body: Bytes,
) -> (
    StatusCode,
    [(header::HeaderName, &'static str); 1],
    &'static str,
) {
    let events = memchr::memmem::find_iter(&body, b"\"eventName\"").count();
    counts.events.fetch_add(events as u64, Relaxed);
    counts.requests.fetch_add(1, Relaxed);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"status":200,"message":"OK"}"#,
    )
}
