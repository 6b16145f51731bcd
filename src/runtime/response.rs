//! A successful response, and decoding it into the spec's types.

use super::Headers;
use crate::error::Error;
use bytes::Bytes;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A 2xx response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) host: String,
    pub(crate) status: u16,
    pub(crate) headers: Headers,
    pub(crate) body: Bytes,
}

impl Response {
    /// A response as if `host` had answered it. The transport makes its own;
    /// this is for testing and fuzzing the decoders without a server.
    pub fn new(
        host: impl Into<String>,
        status: u16,
        headers: Headers,
        body: impl Into<Bytes>,
    ) -> Self {
        Response {
            host: host.into(),
            status,
            headers,
            body: body.into(),
        }
    }

    /// The host that answered.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    fn decode_error(&self, message: String, source: Option<serde_json::Error>) -> Error {
        Error::Decode {
            host: self.host.clone(),
            status: self.status,
            message,
            body: self.body.clone(),
            source,
        }
    }

    /// The body as JSON of type `T` (an empty body reads as `null`), through
    /// the crate's one bounded decoder ([`decode`](super::decode)): the types
    /// of the spec keep what they do not name as JSON text, never as a tree.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`], with the path of the value that did not fit, the
    /// raw body, and serde_json's error as its `source()`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &self.body
        };
        super::decode::from_slice(body).map_err(|error| {
            let message = if body == b"null" {
                format!(
                    "empty body: {}",
                    super::decode::without_position(error.json_error())
                )
            } else {
                error.to_string()
            };
            self.decode_error(message, Some(error.into_json_error()))
        })
    }

    /// The body as text.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the body is not UTF-8.
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(format!("the body is not UTF-8: {e}"), None))
    }

    /// Decodes the headers with `read` (generated for bodiless responses).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when a header does not parse.
    pub fn decode_headers<T>(
        &self,
        read: impl FnOnce(&Headers) -> Result<T, String>,
    ) -> Result<T, Error> {
        read(&self.headers).map_err(|message| self.decode_error(message, None))
    }

    /// Nothing to decode.
    ///
    /// # Errors
    ///
    /// Never; the signature matches the other decoders.
    pub fn empty(&self) -> Result<(), Error> {
        Ok(())
    }
}

/// A header's value parsed as `T`; `None` when the header is absent.
///
/// # Errors
///
/// When the header is present but is not UTF-8 text or does not parse.
pub fn header_value<T: FromStr>(headers: &Headers, name: &str) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .ok_or_else(|| format!("header `{name}` is not UTF-8 text: {value}"))?;
    text.trim_ascii()
        .parse()
        .map(Some)
        .map_err(|e| format!("header `{name}`: cannot parse `{text}`: {e}"))
}
