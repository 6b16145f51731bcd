//! A loopback HTTP server for the evolution cases: it records every request
//! and answers each with the same JSON body.

use axum::body::Bytes;
use axum::http::{Method, Uri};
use std::sync::{Arc, Mutex};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    /// Path and query, as sent.
    pub uri: String,
    pub body: serde_json::Value,
}

pub type Log = Arc<Mutex<Vec<Recorded>>>;

/// Starts the server on 127.0.0.1 and returns its base URL and its log.
pub async fn serve(answer: serde_json::Value) -> (String, Log) {
    let log: Log = Arc::default();
    let log_in = log.clone();
    let app = axum::Router::new().fallback(move |method: Method, uri: Uri, body: Bytes| {
        let log = log_in.clone();
        let answer = answer.clone();
        async move {
            let body = if body.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&body).expect("a JSON request body")
            };
            log.lock().unwrap().push(Recorded {
                method,
                uri: uri.to_string(),
                body,
            });
            axum::Json(answer)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}
