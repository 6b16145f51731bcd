//! The credentials a local server may require, checked as the API checks
//! them: the application ID and API key must both match, each in its header
//! or, as browsers send them, in the query string under the same name.

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

    /// Whether the request carries these credentials, in its headers or
    /// its query string (a header wins over a parameter of the same name).
    pub(crate) fn accepts(&self, headers: &HeaderMap, query: Option<&str>) -> bool {
        let parameters = query_parameters(query.unwrap_or_default());
        let given = |name: &str| -> Option<Vec<u8>> {
            match headers.get(name) {
                Some(value) => Some(value.as_bytes().to_vec()),
                None => parameters
                    .iter()
                    .find(|(key, _)| key == name)
                    .map(|(_, value)| value.as_bytes().to_vec()),
            }
        };
        // Both comparisons always run, so the answer's timing does not say which failed.
        let app_id = constant_time_eq(given(APP_ID_HEADER).as_deref(), self.app_id.as_bytes());
        let api_key = constant_time_eq(given(API_KEY_HEADER).as_deref(), self.api_key.as_bytes());
        app_id & api_key
    }
}

/// The decoded `name=value` pairs of a query string.
fn query_parameters(query: &str) -> Vec<(String, String)> {
    match reqwest::Url::parse(&format!("http://localhost/?{query}")) {
        Ok(url) => url
            .query_pairs()
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect(),
        Err(_) => Vec::new(),
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
        assert!(!credentials.accepts(&headers, None));
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("APP"));
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("secret-kez"));
        assert!(!credentials.accepts(&headers, None));
        headers.insert(API_KEY_HEADER, HeaderValue::from_static("secret-key"));
        assert!(credentials.accepts(&headers, None));
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("OTHER"));
        assert!(!credentials.accepts(&headers, None));
    }

    #[test]
    fn the_query_string_carries_them_as_browsers_send_them() {
        let credentials = Credentials::new("APP".into(), "secret key+1".into());
        let none = HeaderMap::new();
        let query = "x-algolia-application-id=APP&x-algolia-api-key=secret%20key%2B1";
        assert!(credentials.accepts(&none, Some(query)));
        assert!(!credentials.accepts(&none, Some("x-algolia-application-id=APP")));
        assert!(!credentials.accepts(
            &none,
            Some("x-algolia-application-id=APP&x-algolia-api-key=secret%20key%2B2")
        ));
        // One in a header, the other in the query: both are found.
        let mut headers = HeaderMap::new();
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("APP"));
        assert!(credentials.accepts(&headers, Some("x-algolia-api-key=secret+key%2B1")));
        // A header wins over the parameter.
        headers.insert(APP_ID_HEADER, HeaderValue::from_static("OTHER"));
        assert!(!credentials.accepts(&headers, Some(query)));
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
