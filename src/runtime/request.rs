//! A request as the generated code builds it, and the options a user can add
//! to any call (extra headers, extra query parameters, timeouts).

use crate::error::Error;
use crate::validation::rules::serialized_size_violation;
use crate::validation::{Path, ValidationErrors};
use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

/// The size of the last JSON body serialized (at most [`HINT_CAP`]): the
/// next is likely alike (batches of events), so its buffer starts at that
/// size instead of growing to it by doubling, which copied each body about
/// twice over.
static BODY_SIZE_HINT: AtomicUsize = AtomicUsize::new(0);

/// The largest buffer a body starts with: the API's own limit on a body.
const HINT_CAP: usize = 2 * 1024 * 1024;

/// The buffer of the last JSON body sent, emptied, for the next one (one
/// for the whole process, at most [`HINT_CAP`] bytes): the next body is
/// written into memory that is mapped and likely still in the cache, rather
/// than into a fresh allocation the kernel has to map and zero page by page.
static SPARE_BODY: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Options that apply to one call, on top of the client's configuration.
#[derive(Clone, Default)]
pub struct RequestOptions {
    pub(crate) headers: Vec<(String, String)>,
    /// Query parameters by name; `None` leaves the parameter out.
    pub(crate) query: Vec<(String, Option<String>)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) allow_stale_timestamps: Option<bool>,
    pub(crate) max_response_bytes: Option<usize>,
}

/// Header values are left out: one may be a credential (the API key, set
/// for one call).
impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(name, _)| (name.as_str(), "<redacted>"))
            .collect();
        f.debug_struct("RequestOptions")
            .field("headers", &headers)
            .field("query", &self.query)
            .field("timeout", &self.timeout)
            .field("allow_stale_timestamps", &self.allow_stale_timestamps)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl RequestOptions {
    /// No options: the client's configuration applies.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header; it replaces a default header of the same name (the API
    /// key, for example).
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds a query parameter; it replaces the request's parameter of the
    /// same name (and an earlier option of that name). Lists are sent
    /// comma-joined and booleans as `true`/`false`; `null` leaves the
    /// parameter out.
    #[must_use]
    pub fn query_param(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        let name = name.into();
        self.query.retain(|(n, _)| *n != name);
        self.query
            .push((name, super::encoding::query_value_text(&value.into())));
        self
    }

    /// The timeout of one try (connect to last byte), instead of the client's
    /// read or write timeout. Grows on a host that timed out before.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends events older than the API keeps (a warning-level rule) anyway.
    #[must_use]
    pub fn allow_stale_timestamps(mut self, allow: bool) -> Self {
        self.allow_stale_timestamps = Some(allow);
        self
    }

    /// The most bytes of the response body this call reads (after gzip is
    /// undone), instead of the client's limit
    /// ([`DEFAULT_MAX_RESPONSE_BYTES`](super::decode::DEFAULT_MAX_RESPONSE_BYTES)
    /// unless the client was built with another). A larger body fails with
    /// [`Error::ResponseTooLarge`] before anything is decoded.
    #[must_use]
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = Some(max);
        self
    }

    /// Adds every option of `other` (which wins where both set the same thing).
    #[must_use]
    pub fn merge(mut self, other: RequestOptions) -> Self {
        self.headers.extend(other.headers);
        for (name, value) in other.query {
            self.query.retain(|(n, _)| *n != name);
            self.query.push((name, value));
        }
        self.timeout = other.timeout.or(self.timeout);
        self.allow_stale_timestamps = other.allow_stale_timestamps.or(self.allow_stale_timestamps);
        self.max_response_bytes = other.max_response_bytes.or(self.max_response_bytes);
        self
    }
}

/// The per-call option methods of every generated request builder, which
/// reach it as `__private::request_builder_methods!` (`#[macro_export]` puts
/// a macro at the crate root; its name says it is not for users).
#[doc(hidden)]
#[macro_export]
macro_rules! __request_builder_methods {
    () => {
        /// Adds a header to this call; it replaces a default header of the
        /// same name (the API key, for example).
        pub fn header(
            mut self,
            name: impl ::std::convert::Into<::std::string::String>,
            value: impl ::std::convert::Into<::std::string::String>,
        ) -> Self {
            self.options = self.options.header(name, value);
            self
        }

        /// Adds a query parameter to this call; it replaces a parameter of the
        /// same name (`null` leaves it out).
        pub fn query_param(
            mut self,
            name: impl ::std::convert::Into<::std::string::String>,
            value: impl ::std::convert::Into<::serde_json::Value>,
        ) -> Self {
            self.options = self.options.query_param(name, value);
            self
        }

        /// The timeout of one try of this call (connect to last byte).
        pub fn timeout(mut self, timeout: ::std::time::Duration) -> Self {
            self.options = self.options.timeout(timeout);
            self
        }

        /// The most bytes of the response body this call reads (after gzip
        /// is undone), instead of the client's limit.
        pub fn max_response_bytes(mut self, max: usize) -> Self {
            self.options = self.options.max_response_bytes(max);
            self
        }

        /// Adds all of `options` to this call.
        pub fn options(mut self, options: $crate::runtime::RequestOptions) -> Self {
            self.options = self.options.merge(options);
            self
        }
    };
}

/// An HTTP request before a host is chosen.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Bytes>,
    /// Sent without the client's credentials (an operation whose spec says
    /// `security: []`).
    pub(crate) anonymous: bool,
    /// The spec's `operationId`, for spans and metrics ([`OTHER_OPERATION`]
    /// for a request the generated code did not name).
    pub(crate) operation: &'static str,
    /// The spec's path template (`/1/usertokens/{userToken}`), which spans
    /// show instead of the path: its parameters are user data.
    pub(crate) route: Option<&'static str>,
    /// How many events the body carries, when the sender knows.
    pub(crate) events: Option<usize>,
}

/// The operation label of a request the generated code did not name.
pub(crate) const OTHER_OPERATION: &str = "other";

impl HttpRequest {
    /// A request for `path` (already percent-encoded, starting with `/`).
    pub fn new(method: Method, path: String) -> Self {
        HttpRequest {
            method,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            anonymous: false,
            operation: OTHER_OPERATION,
            route: None,
            events: None,
        }
    }

    /// Names the request after the spec's operation: its `operationId` and
    /// its path template, which spans and metrics show instead of the path
    /// (whose parameters are user data).
    #[must_use]
    pub fn operation(mut self, operation_id: &'static str, route: &'static str) -> Self {
        self.operation = operation_id;
        self.route = Some(route);
        self
    }

    /// Sends this request without the client's application ID and API key:
    /// for an operation the spec marks `security: []`, which needs none.
    pub fn without_credentials(&mut self) {
        self.anonymous = true;
    }

    /// Adds a query parameter (null values are left out).
    ///
    /// # Errors
    ///
    /// When the value cannot be turned into JSON.
    pub fn query<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value).map_err(|source| Error::Serialize {
            what: format!("query parameter `{name}`"),
            source,
        })?;
        if let Some(text) = super::encoding::query_value_text(&value) {
            self.query.push((name.to_string(), text));
        }
        Ok(())
    }

    /// Adds every pair as its own query parameter (an exploded object).
    pub fn query_pairs(&mut self, pairs: Vec<(String, serde_json::Value)>) {
        for (name, value) in pairs {
            if let Some(text) = super::encoding::query_value_text(&value) {
                self.query.push((name, text));
            }
        }
    }

    /// Adds a header parameter.
    ///
    /// # Errors
    ///
    /// When the value cannot be turned into JSON.
    pub fn header<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value).map_err(|source| Error::Serialize {
            what: format!("header `{name}`"),
            source,
        })?;
        if let Some(text) = super::encoding::query_value_text(&value) {
            self.headers.push((name.to_string(), text));
        }
        Ok(())
    }

    /// Serializes the JSON body; `max_bytes` is the API's size limit.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] when the body is over the limit.
    pub fn json_body<T: Serialize + ?Sized>(
        &mut self,
        body: &T,
        max_bytes: Option<u64>,
    ) -> Result<(), Error> {
        // Another thread writing a body at the same moment starts afresh.
        let mut bytes = SPARE_BODY
            .try_lock()
            .map(|mut spare| std::mem::take(&mut *spare))
            .unwrap_or_default();
        bytes.reserve(BODY_SIZE_HINT.load(Relaxed));
        crate::runtime::write_json::to_vec_end(&mut bytes, body).map_err(|source| {
            Error::Serialize {
                what: "the body".into(),
                source,
            }
        })?;
        BODY_SIZE_HINT.store(bytes.len().min(HINT_CAP), Relaxed);
        // A small body after a large one does not keep the large buffer.
        if bytes.capacity() > 2 * bytes.len() + 4096 {
            bytes.shrink_to_fit();
        }
        if let Some(violation) = max_bytes
            .and_then(|max| serialized_size_violation(bytes.len() as u64, max, &Path::Root))
        {
            return Err(Error::InvalidRequest(
                ValidationErrors::check(vec![violation]).expect_err("one violation"),
            ));
        }
        self.body = Some(Bytes::from(bytes));
        Ok(())
    }

    /// Once the request is sent: keeps its JSON body's buffer for the next
    /// body, when nothing else holds it any more.
    pub(crate) fn recycle_body(self) {
        let Some(Ok(body)) = self.body.map(Bytes::try_into_mut) else {
            return;
        };
        let mut bytes = Vec::from(body);
        if bytes.capacity() > HINT_CAP {
            return;
        }
        bytes.clear();
        if let Ok(mut spare) = SPARE_BODY.try_lock() {
            if spare.capacity() < bytes.capacity() {
                *spare = bytes;
            }
        }
    }

    /// Sends `{}`: the body of a POST or PUT whose optional body was not
    /// given, as the official clients send it.
    pub fn empty_json_object_body(&mut self) {
        self.body = Some(Bytes::from_static(b"{}"));
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The encoded path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The body, when there is one.
    pub fn body(&self) -> Option<&Bytes> {
        self.body.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(value: &serde_json::Value) -> HttpRequest {
        let mut request = HttpRequest::new(Method::POST, "/1/events".into());
        request.json_body(value, None).unwrap();
        request
    }

    #[test]
    fn a_sent_bodys_buffer_holds_the_next_body() {
        let first = serde_json::json!({"events": ["a".repeat(3000)]});
        let second = serde_json::json!({"events": ["b"]});
        // Tests that run alongside may take the one spare buffer first: one
        // round out of many seeing its own buffer again shows the reuse.
        let reused = (0..100).any(|_| {
            let sent = body_of(&first);
            let memory = sent.body().unwrap().as_ptr();
            sent.recycle_body();
            // Kept, not freed (the allocator could hand freed memory back).
            let kept = SPARE_BODY.lock().unwrap().as_ptr() == memory;
            let next = body_of(&second);
            assert_eq!(&next.body().unwrap()[..], br#"{"events":["b"]}"#);
            kept && next.body().unwrap().as_ptr() == memory
        });
        assert!(reused);
    }

    #[test]
    fn a_body_still_held_elsewhere_is_not_reused() {
        let value = serde_json::json!({"events": ["c".repeat(5000)]});
        for _ in 0..100 {
            let sent = body_of(&value);
            let held = sent.body().unwrap().clone();
            let memory = held.as_ptr();
            sent.recycle_body();
            // Not kept as the spare: the next body goes elsewhere.
            assert_ne!(SPARE_BODY.lock().unwrap().as_ptr(), memory);
            let next = body_of(&value);
            assert_ne!(next.body().unwrap().as_ptr(), memory);
            assert_eq!(held, next.body().unwrap());
            // And the request let go of it: the holder is its only owner.
            assert!(held.try_into_mut().is_ok());
        }
    }
}
