//! The spans of a request, after OpenTelemetry's semantic conventions for
//! HTTP clients, so that `tracing-opentelemetry` exports them as they are:
//! one `algolia.request` span per operation, and in it one `algolia.try`
//! span (kind client) per HTTP request sent.
//!
//! | span | fields |
//! | --- | --- |
//! | `algolia.request` | `otel.name` (the `operationId`), `algolia.operation`, `algolia.events` (the events a `pushEvents` batch carries), `error.type` and `otel.status_code` when it fails |
//! | `algolia.try` | `otel.name` (`POST /1/events`), `otel.kind` = `client`, `http.request.method`, `server.address`, `server.port`, `url.full`, `url.template`, `http.response.status_code`, `http.request.resend_count` (from the second try on), `error.type` and `otel.status_code` when it fails |
//!
//! `url.full` is the host and the spec's path template: the query (where a
//! key may travel) is left out, and a path parameter (a user token, a
//! custom path) shows as its name (`/1/usertokens/{userToken}`). A request
//! the generated code did not name has no `url.full`.

use super::request::HttpRequest;
use tracing::field::Empty;
use tracing::Span;

/// What the spans and the metrics say of a host: never its user info.
#[derive(Debug, Clone)]
pub(crate) struct HostParts {
    /// The host name or address (`server.address`).
    pub address: String,
    /// Its port, the scheme's when the URL gives none (`server.port`).
    pub port: u16,
    /// `address` with the port when the URL gives one: the `host` label.
    pub label: String,
    /// Scheme, address and port: what `url.full` starts with.
    pub base: String,
}

impl HostParts {
    /// The parts of a configured host URL.
    pub fn of(url: &str) -> Self {
        match reqwest::Url::parse(url) {
            Ok(parsed) => {
                let address = parsed.host_str().unwrap_or_default().to_string();
                let label = match parsed.port() {
                    Some(port) => format!("{address}:{port}"),
                    None => address.clone(),
                };
                HostParts {
                    port: parsed.port_or_known_default().unwrap_or(0),
                    base: format!("{}://{label}", parsed.scheme()),
                    address,
                    label,
                }
            }
            // The builder checks every host; were one unreadable, nothing
            // of it is shown.
            Err(_) => HostParts {
                address: "unknown".into(),
                port: 0,
                label: "unknown".into(),
                base: "unknown".into(),
            },
        }
    }
}

/// The span of one operation, every try included.
pub(crate) fn operation_span(request: &HttpRequest) -> Span {
    let span = tracing::info_span!(
        "algolia.request",
        otel.name = request.operation,
        algolia.operation = request.operation,
        algolia.events = Empty,
        "error.type" = Empty,
        otel.status_code = Empty,
    );
    if let Some(events) = request.events {
        span.record("algolia.events", events as u64);
    }
    span
}

/// The span of one try on `host`; `resend_count` tries came before it.
pub(crate) fn try_span(request: &HttpRequest, host: &HostParts, resend_count: u32) -> Span {
    let method = request.method.as_str();
    let span = tracing::info_span!(
        "algolia.try",
        otel.name = Empty,
        otel.kind = "client",
        http.request.method = method,
        server.address = host.address.as_str(),
        server.port = host.port,
        url.full = Empty,
        url.template = request.route,
        http.response.status_code = Empty,
        http.request.resend_count = Empty,
        "error.type" = Empty,
        otel.status_code = Empty,
    );
    // The texts are made only for a subscriber that takes the span.
    if span.is_disabled() {
        return span;
    }
    match request.route {
        Some(route) => {
            span.record("otel.name", format_args!("{method} {route}"));
            span.record("url.full", format_args!("{}{route}", host.base));
        }
        None => {
            span.record("otel.name", method);
        }
    }
    if resend_count > 0 {
        span.record("http.request.resend_count", resend_count);
    }
    span
}

/// Marks `span` failed with `error_type` (a status code, or a reason such
/// as `timeout`).
pub(crate) fn record_error(span: &Span, error_type: &str) {
    span.record("error.type", error_type);
    span.record("otel.status_code", "ERROR");
}
