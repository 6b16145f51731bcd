//! Loopback hosts that follow a script, for the transport tests: each host
//! answers its requests with the next reply of its script (fail, hang, drop
//! the connection, answer 429, gzip, redirect, ...), and records what it
//! received in a journal shared by the hosts of a test, in arrival order.

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{Read as _, Write as _};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How a host answers one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with `{"status":200,"message":"OK","host":<name>}`.
    Ok,
    /// This status with a JSON body `{"status":..,"message":"scripted ..."}`.
    Status(u16),
    /// This status and JSON body.
    Json(u16, Value),
    /// Waits this long before answering [`Reply::Ok`].
    Hang(Duration),
    /// Closes the connection without answering.
    Drop,
    /// 429 with one header (`retry-after` or `x-ratelimit-reset`) set to a value.
    RateLimited(&'static str, String),
    /// 200 with this JSON, gzip-compressed, with `content-encoding: gzip`.
    Gzip(Value),
    /// 302 to this URL.
    Redirect(String),
}

/// A request as a host received it.
#[derive(Debug, Clone)]
pub struct Hit {
    /// The name of the host that received it.
    pub host: String,
    pub method: Method,
    pub path: String,
    /// The raw query string, byte for byte.
    pub query: Option<String>,
    pub headers: HeaderMap,
    /// The body as received (compressed, if it was).
    pub body: Bytes,
}

impl Hit {
    /// A header's value as text; `None` when absent. Panics when it repeats,
    /// so that a header sent twice cannot pass for one.
    pub fn header(&self, name: &str) -> Option<String> {
        let mut values = self.headers.get_all(name).iter();
        let first = values.next()?;
        assert!(values.next().is_none(), "header `{name}` was sent twice");
        Some(first.to_str().expect("a text header").to_string())
    }

    /// The body as JSON, decompressed when `content-encoding: gzip`.
    pub fn json(&self) -> Value {
        let bytes = if self.header("content-encoding").as_deref() == Some("gzip") {
            let mut text = Vec::new();
            flate2::read::GzDecoder::new(&self.body[..])
                .read_to_end(&mut text)
                .expect("a gzip body");
            text
        } else {
            self.body.to_vec()
        };
        serde_json::from_slice(&bytes).expect("a JSON body")
    }
}

/// Every request of a test's hosts, in arrival order.
#[derive(Debug, Clone, Default)]
pub struct Journal(Arc<Mutex<Vec<Hit>>>);

impl Journal {
    pub fn hits(&self) -> Vec<Hit> {
        self.0.lock().unwrap().clone()
    }

    /// The names of the hosts that received a request, in order.
    pub fn hosts(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.host).collect()
    }

    fn record(&self, hit: Hit) {
        self.0.lock().unwrap().push(hit);
    }
}

struct Script {
    replies: VecDeque<Reply>,
    /// The reply once the script has run out.
    then: Reply,
}

/// One host: a server on `127.0.0.1` with a port of its own.
pub struct ScriptedHost {
    pub name: String,
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    journal: Journal,
}

impl ScriptedHost {
    /// Starts a host on the current tokio runtime that answers with
    /// `replies`, then with `then` for ever.
    pub async fn start(
        journal: &Journal,
        name: &str,
        replies: impl IntoIterator<Item = Reply>,
        then: Reply,
    ) -> ScriptedHost {
        let script = Arc::new(Mutex::new(Script {
            replies: replies.into_iter().collect(),
            then,
        }));
        let host_name = name.to_string();
        let log = journal.clone();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let reply = {
                    let mut script = script.lock().unwrap();
                    let then = script.then.clone();
                    script.replies.pop_front().unwrap_or(then)
                };
                log.record(Hit {
                    host: host_name.clone(),
                    method,
                    path: uri.path().to_string(),
                    query: uri.query().map(str::to_string),
                    headers,
                    body,
                });
                answer(reply, host_name.clone())
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        ScriptedHost {
            name: name.to_string(),
            url,
            journal: journal.clone(),
        }
    }

    /// The requests this host received, in order.
    pub fn hits(&self) -> Vec<Hit> {
        self.journal
            .hits()
            .into_iter()
            .filter(|h| h.host == self.name)
            .collect()
    }
}

/// The URL of a loopback port nobody listens on (connections are refused).
pub fn dead_host() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn ok_body(host: &str) -> Value {
    json!({"status": 200, "message": "OK", "host": host})
}

async fn answer(reply: Reply, host: String) -> Response {
    match reply {
        Reply::Ok => json_response(200, ok_body(&host)),
        Reply::Status(status) => json_response(
            status,
            json!({"status": status, "message": format!("scripted {status}")}),
        ),
        Reply::Json(status, body) => json_response(status, body),
        Reply::Hang(wait) => {
            tokio::time::sleep(wait).await;
            json_response(200, ok_body(&host))
        }
        Reply::Drop => {
            // A body that fails before its first byte makes the server close
            // the connection without an answer.
            let broken = futures_util::stream::once(async {
                Err::<Bytes, std::io::Error>(std::io::Error::other("scripted drop"))
            });
            Response::new(Body::from_stream(broken))
        }
        Reply::RateLimited(name, value) => {
            let mut response =
                json_response(429, json!({"status": 429, "message": "Too many requests"}));
            response
                .headers_mut()
                .insert(name, HeaderValue::from_str(&value).unwrap());
            response
        }
        Reply::Gzip(body) => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(body.to_string().as_bytes()).unwrap();
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_ENCODING, "gzip"),
                ],
                encoder.finish().unwrap(),
            )
                .into_response()
        }
        Reply::Redirect(location) => {
            (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
        }
    }
}

fn json_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
