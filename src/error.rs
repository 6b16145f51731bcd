//! The one error type of the client: what went wrong, with enough context
//! (host, status, message, raw body) to act on it.

use crate::models::ErrorBase;
use crate::runtime::retry::{classify, Action, Outcome, RetryReason};
use crate::runtime::Headers;
use crate::validation::{ConstraintError, ValidationErrors};
use bytes::Bytes;
use std::fmt;
use std::time::Duration;

/// The error of the HTTP library underneath, kept whole as a `source()`.
///
/// Its type is the library's, which is not part of this crate's API (a
/// reqwest upgrade is not a breaking change here); downcast it when you need
/// its details: `error.downcast_ref::<reqwest::Error>()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong with a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (a 4xx, or a 5xx that no other
    /// host could make up for).
    Api(Box<ApiError>),
    /// The request breaks the spec's rules; it was not sent.
    InvalidRequest(ValidationErrors),
    /// The host could not be reached, or the connection broke.
    Transport {
        /// The host tried.
        host: String,
        /// What failed, as the HTTP client reports it.
        message: String,
        /// The HTTP client's error (see [`BoxError`]).
        source: Option<BoxError>,
    },
    /// The host did not answer in time.
    Timeout {
        /// The host tried.
        host: String,
        /// The timeout that ran out.
        after: Duration,
    },
    /// Every host failed; each failure is kept, in the order tried.
    AllHostsFailed(Vec<HostFailure>),
    /// A success response whose body is not what the spec says.
    Decode {
        /// The host that answered.
        host: String,
        /// The HTTP status.
        status: u16,
        /// Why decoding failed (with the path of the offending value).
        message: String,
        /// The body as received.
        body: Bytes,
        /// serde_json's error, when the body was read as JSON (a header that
        /// does not parse, or a body that is not UTF-8 text, has none).
        source: Option<serde_json::Error>,
    },
    /// The response body is larger than the client reads; nothing was
    /// decoded. Raise the limit (per client or per request) if the answer is
    /// expected to be that large.
    ResponseTooLarge {
        /// The host that answered.
        host: String,
        /// The HTTP status.
        status: u16,
        /// The limit in force, in bytes of the (decompressed) body.
        limit: usize,
    },
    /// A value meant for a header (the application ID, the API key, a user
    /// agent segment, a header option) has bytes HTTP does not allow there,
    /// such as CR or LF: sent, it could end its header and start another.
    /// The value is never shown, since it may be a credential.
    InvalidHeaderValue {
        /// What the value is for (`the API key`, ``header `x-foo` ``).
        what: String,
    },
    /// A header name that is not an HTTP token.
    InvalidHeaderName {
        /// The name given.
        name: String,
    },
    /// A host to send to is not a base URL the client accepts.
    InvalidHost {
        /// The host given.
        host: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An `https` host, but the crate was built without a TLS feature.
    TlsUnavailable {
        /// The first `https` host.
        host: String,
    },
    /// The list of hosts to send to is empty.
    NoHosts,
    /// A region name that is not one of the API's.
    InvalidRegion(crate::runtime::ParseRegionError),
    /// A `send_blocking` call inside an async runtime, where blocking would
    /// stall the runtime: `.await` the request there instead.
    BlockingInsideRuntime,
    /// The runtime of the blocking client could not start.
    BlockingRuntime {
        /// Why, as the system said.
        message: String,
    },
    /// The HTTP client could not be built (its TLS setup, a proxy setting,
    /// ...); the HTTP client's error (see [`BoxError`]).
    HttpClient(BoxError),
    /// A value of the request cannot be written as JSON (a map with
    /// non-string keys in a custom body, for example).
    Serialize {
        /// Which value (`the body`, ``query parameter `x` ``).
        what: String,
        /// serde_json's error.
        source: serde_json::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(api) => fmt::Display::fmt(api, f),
            Error::InvalidRequest(errors) => write!(f, "invalid request, not sent: {errors}"),
            Error::Transport { host, message, .. } => write!(f, "cannot reach {host}: {message}"),
            Error::Timeout { host, after } => write!(f, "{host} did not answer within {after:?}"),
            Error::AllHostsFailed(failures) => write!(
                f,
                "all {} hosts failed: {}",
                failures.len(),
                HostFailures(failures)
            ),
            Error::Decode {
                host,
                status,
                message,
                ..
            } => write!(f, "cannot decode the {status} response from {host}: {message}"),
            Error::ResponseTooLarge {
                host,
                status,
                limit,
            } => write!(
                f,
                "the {status} response from {host} is larger than the {limit} bytes the client reads"
            ),
            Error::InvalidHeaderValue { what } => write!(
                f,
                "invalid configuration: {what} contains bytes a header cannot carry (such as CR or LF)"
            ),
            Error::InvalidHeaderName { name } => write!(
                f,
                "invalid configuration: `{}` is not a valid header name",
                name.escape_debug()
            ),
            Error::InvalidHost { host, reason } => {
                write!(f, "invalid configuration: host `{host}` {reason}")
            }
            Error::TlsUnavailable { host } => write!(
                f,
                "invalid configuration: host `{host}` needs TLS, but algolia-insights was built \
                 without a TLS feature (`default-tls`, `rustls-ring`, `rustls`, \
                 `rustls-no-provider` or `native-tls`)"
            ),
            Error::NoHosts => {
                f.write_str("invalid configuration: no host to send to: the host list is empty")
            }
            Error::InvalidRegion(error) => write!(f, "invalid configuration: {error}"),
            Error::BlockingInsideRuntime => f.write_str(
                "`send_blocking` was called inside an async runtime; `.await` the request there instead",
            ),
            Error::BlockingRuntime { message } => {
                write!(f, "cannot start the blocking client's runtime: {message}")
            }
            Error::HttpClient(error) => write!(f, "cannot build the HTTP client: {error}"),
            Error::Serialize { what, source } => write!(f, "cannot serialize {what}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api(api) => std::error::Error::source(&**api),
            Error::Transport { source, .. } => source
                .as_deref()
                .map(|source| source as &(dyn std::error::Error + 'static)),
            Error::Decode { source, .. } => source
                .as_ref()
                .map(|source| source as &(dyn std::error::Error + 'static)),
            Error::InvalidRegion(error) => Some(error),
            Error::HttpClient(error) => Some(&**error),
            Error::Serialize { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<crate::runtime::ParseRegionError> for Error {
    fn from(error: crate::runtime::ParseRegionError) -> Self {
        Error::InvalidRegion(error)
    }
}

/// A failure of one host, kept in [`Error::AllHostsFailed`].
#[derive(Debug)]
pub struct HostFailure {
    /// The host tried.
    pub host: String,
    /// How it failed: an [`Error::Api`], [`Error::Timeout`] or [`Error::Transport`].
    pub error: Error,
}

struct HostFailures<'a>(&'a [HostFailure]);

impl fmt::Display for HostFailures<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, failure) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}", failure.error)?;
        }
        Ok(())
    }
}

impl Error {
    /// The HTTP status of an API error (the last one, when all hosts failed).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => Some(*status),
            Error::AllHostsFailed(failures) => failures.iter().rev().find_map(|f| f.error.status()),
            _ => None,
        }
    }

    /// Whether the request timed out (on every host, when several were tried).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::AllHostsFailed(failures) => failures.iter().all(|f| f.error.is_timeout()),
            _ => false,
        }
    }

    /// The API error, when the API answered with one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The validation errors, when the request was refused before sending.
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        match self {
            Error::InvalidRequest(errors) => Some(errors),
            _ => None,
        }
    }

    /// Whether another try (later, or on another host) might succeed: a
    /// timeout, a connection error, a 5xx or a 429, as the client's own
    /// retry policy decides (see [`retry_after`](Self::retry_after) for a 429's wait).
    pub fn is_retryable(&self) -> bool {
        self.retry_action(std::time::SystemTime::now())
            .is_retryable()
    }

    /// How long the API asked to wait before trying again: the
    /// `Retry-After` (seconds or an HTTP date) or `x-ratelimit-reset` of a
    /// 429 answer; `None` for other errors, or a 429 that does not say.
    pub fn retry_after(&self) -> Option<std::time::Duration> {
        match self.retry_action(std::time::SystemTime::now()) {
            Action::RetryLater(wait) => wait,
            _ => None,
        }
    }

    /// What the retry policy does after a request that ended with this
    /// error: the action of its last outcome, or, when every host failed,
    /// the most hopeful of theirs. (The error asks the classifier, which
    /// knows nothing of the error type.)
    pub(crate) fn retry_action(&self, now: std::time::SystemTime) -> Action {
        match (self, self.try_outcome()) {
            (Error::AllHostsFailed(failures), _) => failures
                .iter()
                .map(|failure| failure.error.retry_action(now))
                .find(|action| action.is_retryable())
                .unwrap_or(Action::Fail),
            (_, outcome) => classify(outcome, now),
        }
    }

    /// Why a request that ended with this error is tried again: its last
    /// try's reason (`None` for an error no retry is for).
    pub(crate) fn retry_reason(&self) -> Option<RetryReason> {
        match self {
            Error::AllHostsFailed(failures) => failures.last()?.error.retry_reason(),
            _ => self.try_outcome().retry_reason(),
        }
    }

    /// How the try that ended with this error ended, as the retry policy
    /// sees it (for [`Error::AllHostsFailed`], which ended several tries,
    /// [`Outcome::Final`]: ask each failure's own).
    fn try_outcome(&self) -> Outcome<'_> {
        match self {
            Error::Api(api) => Outcome::Answer {
                status: api.status,
                headers: api.headers.map(),
            },
            Error::Timeout { .. } => Outcome::Timeout,
            Error::Transport { .. } => Outcome::Connection,
            _ => Outcome::Final,
        }
    }
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Error::InvalidRequest(errors)
    }
}

impl From<ConstraintError> for Error {
    fn from(error: ConstraintError) -> Self {
        let violation = crate::validation::Violation::new(&crate::validation::Path::Root, error);
        Error::InvalidRequest(
            ValidationErrors::check(vec![violation]).expect_err("one violation is an error"),
        )
    }
}

/// An error answer of the API.
#[derive(Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The host that answered.
    pub host: String,
    /// The HTTP status.
    pub status: u16,
    /// The `message` of a JSON body, when there is one.
    pub message: Option<String>,
    /// The body decoded as the spec's error model, when it is JSON of that
    /// shape (its other properties are kept as JSON text).
    pub model: Option<ErrorBase>,
    /// The body as received (an HTML page for some 400s, for example).
    pub body: Bytes,
    /// The response headers (rate-limit figures, for example).
    pub headers: Headers,
}

impl ApiError {
    pub(crate) fn new(host: String, status: u16, headers: Headers, body: Bytes) -> Self {
        let model = crate::runtime::decode::from_slice::<ErrorBase>(&body).ok();
        ApiError {
            host,
            status,
            message: model.as_ref().and_then(|m| m.message.clone()),
            model,
            body,
            headers,
        }
    }

    /// The body as text (lossy), for bodies that are not JSON.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        write!(f, "{} answered {} {}", self.host, self.status, reason)?;
        match &self.message {
            Some(message) => write!(f, ": {message}"),
            None if self.body.is_empty() => Ok(()),
            None => {
                let text = self.body_text();
                let text = text.trim();
                let short: String = text.chars().take(200).collect();
                let ellipsis = if short.len() < text.len() { "…" } else { "" };
                write!(f, ": {short}{ellipsis}")
            }
        }
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn io_error() -> BoxError {
        Box::new(std::io::Error::other("connection reset"))
    }

    #[test]
    fn each_error_keeps_its_cause_as_source() {
        let json = serde_json::from_str::<u8>("x").unwrap_err();
        let with_source = [
            Error::Transport {
                host: "h".into(),
                message: "reset".into(),
                source: Some(io_error()),
            },
            Error::Decode {
                host: "h".into(),
                status: 200,
                message: "m".into(),
                body: Bytes::new(),
                source: Some(json),
            },
            Error::Serialize {
                what: "the body".into(),
                source: serde_json::from_str::<u8>("y").unwrap_err(),
            },
            Error::HttpClient(io_error()),
            Error::from(crate::runtime::ParseRegionError::new("unknown region")),
        ];
        for error in &with_source {
            assert!(error.source().is_some(), "{error}");
        }
        let without = [
            Error::Transport {
                host: "h".into(),
                message: "reset".into(),
                source: None,
            },
            Error::NoHosts,
            Error::Timeout {
                host: "h".into(),
                after: Duration::from_secs(1),
            },
        ];
        for error in &without {
            assert!(error.source().is_none(), "{error}");
        }
    }
}
