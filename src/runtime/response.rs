//! A successful response, and decoding it into the spec's types.

use crate::error::Error;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;
use std::str::FromStr;

/// A 2xx response, read whole.
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) host: String,
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Response {
    /// A response as if `host` had answered it. The transport makes its own;
    /// this is for testing and fuzzing the decoders without a server.
    pub fn new(
        host: impl Into<String>,
        status: u16,
        headers: HeaderMap,
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
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    fn decode_error(&self, message: String) -> Error {
        Error::Decode {
            host: self.host.clone(),
            status: self.status,
            message,
            body: self.body.clone(),
        }
    }

    /// The body as JSON of type `T` (an empty body reads as `null`).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`], with the path of the value that did not fit and the raw body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let result = if self.body.iter().all(u8::is_ascii_whitespace) {
            serde_path_to_error::deserialize(serde_json::Value::Null)
                .map_err(|e| format!("empty body: {}", e.into_inner()))
        } else {
            let mut deserializer = serde_json::Deserializer::from_slice(&self.body);
            let result = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
                let path = e.path().to_string();
                let inner = e.into_inner();
                // `?` is a key the input ended in before it was read: no place to name.
                let path = match path.as_str() {
                    "." | "?" => "",
                    path => path.strip_suffix(".?").unwrap_or(path),
                };
                if path.is_empty() {
                    inner.to_string()
                } else {
                    format!("{path}: {inner}")
                }
            });
            // Whitespace may follow the value; anything else is not the JSON the spec says.
            result.and_then(|value| {
                deserializer
                    .end()
                    .map(|()| value)
                    .map_err(|e| e.to_string())
            })
        };
        result.map_err(|message| self.decode_error(message))
    }

    /// The body as text.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the body is not UTF-8.
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(format!("the body is not UTF-8: {e}")))
    }

    /// Decodes the headers with `read` (generated for bodiless responses).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when a header does not parse.
    pub fn decode_headers<T>(
        &self,
        read: impl FnOnce(&HeaderMap) -> Result<T, String>,
    ) -> Result<T, Error> {
        read(&self.headers).map_err(|message| self.decode_error(message))
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
/// When the header is present but is not valid text or does not parse.
pub fn header_value<T: FromStr>(headers: &HeaderMap, name: &str) -> Result<Option<T>, String>
where
    T::Err: std::fmt::Display,
{
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| format!("header `{name}` is not valid text"))?;
    text.trim()
        .parse()
        .map(Some)
        .map_err(|e| format!("header `{name}`: cannot parse `{text}`: {e}"))
}
