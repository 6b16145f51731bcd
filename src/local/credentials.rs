//! The credentials a local server may require, checked as the API checks
//! them: the application ID and API key headers must both match.

use crate::operations::{API_KEY_HEADER, APP_ID_HEADER};
use axum::http::HeaderMap;
use std::fmt;

/// An application ID and API key; the key never shows in `Debug`.
#[derive(Clone)]
pub(crate) struct Credentials {
    app_id: String,
    api_key: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("app_id", &self.app_id)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    pub(crate) fn new(app_id: String, api_key: String) -> Self {
        Credentials { app_id, api_key }
    }

    pub(crate) fn app_id(&self) -> &str {
        &self.app_id
    }

    pub(crate) fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether the request's headers carry these credentials.
    pub(crate) fn accepts(&self, headers: &HeaderMap) -> bool {
        let header = |name: &str| headers.get(name).map(|value| value.as_bytes());
        // Both comparisons always run, so the answer's timing does not say which failed.
        let app_id = constant_time_eq(header(APP_ID_HEADER), self.app_id.as_bytes());
        let api_key = constant_time_eq(header(API_KEY_HEADER), self.api_key.as_bytes());
        app_id & api_key
    }
}

/// Compares without stopping at the first difference.
fn constant_time_eq(given: Option<&[u8]>, expected: &[u8]) -> bool {
    let Some(given) = given else {
        return false;
    };
    if given.len() != expected.len() {
        return false;
    }
    given
        .iter()
        .zip(expected)
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_headers_must_match() {
        let credentials = Credentials::new("APP".into(), "secret-key".into());
        let mut headers = HeaderMap::new();
        assert!(!credentials.accepts(&headers));
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("APP"));
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("secret-kez"));
        assert!(!credentials.accepts(&headers));
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("secret-key"));
        assert!(credentials.accepts(&headers));
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("OTHER"));
        assert!(!credentials.accepts(&headers));
    }

    #[test]
    fn the_key_is_not_in_debug() {
        let credentials = Credentials::new("APP".into(), "secret-key".into());
        let debug = format!("{credentials:?}");
        assert!(
            debug.contains("APP") && !debug.contains("secret-key"),
            "{debug}"
        );
    }
}
