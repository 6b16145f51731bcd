//! The headers of an answer, as a user reads them: by name in any case, in
//! the order received, every value kept (text or not). Our own type, so that
//! the HTTP library underneath stays out of the public API.

use reqwest::header::HeaderMap;
use std::fmt;

/// The headers of an answer of the API ([`ApiError::headers`](crate::ApiError::headers),
/// for example): read-only, looked up by name in any case.
///
/// ```
/// # fn show(error: &algolia_insights::ApiError) {
/// if let Some(remaining) = error.headers.get("X-RateLimit-Remaining") {
///     println!("{} requests left", remaining.to_str().unwrap_or("?"));
/// }
/// for (name, value) in &error.headers {
///     println!("{name}: {value}");
/// }
/// # }
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers {
    map: HeaderMap,
}

impl Headers {
    pub(crate) fn from_map(map: HeaderMap) -> Self {
        Headers { map }
    }

    pub(crate) fn map(&self) -> &HeaderMap {
        &self.map
    }

    /// Headers from (name, value) pairs, appended in order; `None` when a
    /// name or a value is not one a header can have.
    pub(crate) fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Option<Self> {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).ok()?;
            let value = reqwest::header::HeaderValue::from_bytes(value).ok()?;
            map.append(name, value);
        }
        Some(Headers { map })
    }

    /// The first value of the header `name` (any case); `None` when absent.
    pub fn get(&self, name: &str) -> Option<HeaderValue<'_>> {
        self.map
            .get(name)
            .map(|value| HeaderValue(value.as_bytes()))
    }

    /// Every value of the header `name` (any case), in the order received.
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = HeaderValue<'a>> + 'a {
        self.map
            .get_all(name)
            .into_iter()
            .map(|value| HeaderValue(value.as_bytes()))
    }

    /// Whether the header `name` (any case) is present.
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// Every header as (name, value), names in lower case; a header sent
    /// several times appears once per value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, HeaderValue<'_>)> {
        self.map
            .iter()
            .map(|(name, value)| (name.as_str(), HeaderValue(value.as_bytes())))
    }

    /// How many values there are (a header sent twice counts twice).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = (&'a str, HeaderValue<'a>);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, HeaderValue<'a>)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// One value of a header: its bytes as received, and text when it is UTF-8.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderValue<'a>(&'a [u8]);

impl<'a> HeaderValue<'a> {
    /// The value as text; `None` when it is not UTF-8 (its bytes are still
    /// in [`as_bytes`](Self::as_bytes)).
    pub fn to_str(&self) -> Option<&'a str> {
        std::str::from_utf8(self.0).ok()
    }

    /// The value's bytes as received.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

impl PartialEq<str> for HeaderValue<'_> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for HeaderValue<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

/// The text, with bytes that are not UTF-8 escaped (`\xff`).
impl fmt::Display for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_str() {
            Some(text) => f.write_str(text),
            None => write!(f, "{}", self.0.escape_ascii()),
        }
    }
}

impl fmt::Debug for HeaderValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_str() {
            Some(text) => fmt::Debug::fmt(text, f),
            None => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue as RawValue;

    fn headers() -> Headers {
        let mut map = HeaderMap::new();
        map.append("x-ratelimit-limit", RawValue::from_static("10"));
        map.append("set-cookie", RawValue::from_static("a=1"));
        map.append("set-cookie", RawValue::from_static("b=2"));
        map.append("x-latin1", RawValue::from_bytes(b"caf\xe9").unwrap());
        Headers::from_map(map)
    }

    #[test]
    fn names_match_in_any_case() {
        let headers = headers();
        assert_eq!(headers.get("X-RateLimit-Limit").unwrap(), "10");
        assert!(headers.contains("X-RATELIMIT-LIMIT"));
        assert!(headers.get("x-missing").is_none());
        // A name no header can have is simply absent.
        assert!(headers.get("not a name").is_none());
    }

    #[test]
    fn every_value_is_kept_in_order() {
        let headers = headers();
        let cookies: Vec<_> = headers.get_all("Set-Cookie").collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
        assert_eq!(headers.len(), 4);
        let names: Vec<&str> = headers.iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            ["x-ratelimit-limit", "set-cookie", "set-cookie", "x-latin1"]
        );
        assert_eq!((&headers).into_iter().count(), 4);
    }

    #[test]
    fn values_that_are_not_utf8_keep_their_bytes() {
        let headers = headers();
        let value = headers.get("x-latin1").unwrap();
        assert_eq!(value.to_str(), None);
        assert_eq!(value.as_bytes(), b"caf\xe9");
        assert_eq!(value.to_string(), "caf\\xe9");
        assert_eq!(format!("{value:?}"), "b\"caf\\xe9\"");
        assert_eq!(
            format!("{:?}", headers.get("x-ratelimit-limit").unwrap()),
            "\"10\""
        );
    }
}
