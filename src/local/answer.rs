//! The answers of the local server, shaped as the spec documents them: JSON
//! `{"status":…,"message":…}` bodies, and the HTML page of a 400.
//!
//! Each answer carries an [`Outcome`] extension that the request log reads:
//! how many events were recorded, and why a request was refused.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What a handler did, for the request log.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    pub events: usize,
    pub message: Option<String>,
}

/// `200 {"status":200,"message":"OK"}`, after recording `events` events.
pub(crate) fn accepted(events: usize) -> Response {
    let mut response = json(StatusCode::OK, "OK");
    response.extensions_mut().insert(Outcome {
        events,
        message: None,
    });
    response
}

/// A JSON answer in the API's shape.
pub(crate) fn json(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "status": status.as_u16(), "message": message });
    let mut response = (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body.to_string(),
    )
        .into_response();
    if !status.is_success() {
        response.extensions_mut().insert(Outcome {
            events: 0,
            message: Some(message.to_string()),
        });
    }
    response
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// A JSON answer with this status and message.
    Json(StatusCode, String),
    /// The HTML page of a 400: the body is not JSON at all.
    BadRequestPage(String),
}

impl Refusal {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal::Json(status, message.into())
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Json(status, message) => json(status, &message),
            Refusal::BadRequestPage(reason) => bad_request_page(&reason),
        }
    }
}

/// The API answers a body that is not JSON with an HTML page, not JSON.
fn bad_request_page(reason: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html><head><title>400 Bad Request</title></head>\n\
         <body><h1>Bad Request</h1><p>The request is malformed: {}</p></body></html>\n",
        escape_html(reason)
    );
    let mut response = (
        StatusCode::BAD_REQUEST,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        page,
    )
        .into_response();
    response.extensions_mut().insert(Outcome {
        events: 0,
        message: Some(reason.to_string()),
    });
    response
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
