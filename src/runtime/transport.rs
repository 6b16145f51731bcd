//! The transport: credentials, hosts and the HTTP client, shared by every
//! clone of a client. One try on one host lives here; the loop over the
//! hosts is in `execute.rs`, and the rules it follows in `retry.rs`.

use super::hosts::{HostPool, HostStatus};
use super::request::{HttpRequest, RequestOptions};
use super::user_agent::UserAgent;
use crate::error::Error;
use crate::validation::ValidationContext;
use bytes::{Bytes, BytesMut};
#[cfg(not(target_arch = "wasm32"))]
use reqwest::header::USER_AGENT;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_ENCODING, CONTENT_TYPE};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

/// What the runtime needs to know of an API (generated from its spec).
#[derive(Debug, Clone, Copy)]
pub struct ApiInfo {
    /// The API's name for the user agent (`Insights`).
    pub name: &'static str,
    /// The spec's version.
    pub version: &'static str,
    /// The hosts used when no region and no hosts are given.
    pub default_hosts: &'static [&'static str],
    /// The URL of a regional host, with its `{region}` placeholder.
    pub regional_host_template: Option<&'static str>,
    /// Where the credentials go. A host above may hold `{appId}`, which the
    /// client's application ID replaces.
    pub auth: super::Auth,
}

/// The transport's settings; [`ClientBuilder`](super::ClientBuilder) sets them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Time to open a connection. Default 2 s.
    pub connect_timeout: Duration,
    /// Time for one try of a read (GET) request. Default 5 s.
    pub read_timeout: Duration,
    /// Time for one try of any other request. Default 30 s.
    pub write_timeout: Duration,
    /// How long a failed host is skipped. Default 5 minutes.
    pub host_down_ttl: Duration,
    /// The longest wait a 429 answer may ask for before the same host is
    /// tried again; `None` fails at once. Default 10 s.
    pub max_rate_limit_wait: Option<Duration>,
    /// Bodies of at least this many bytes are gzip-compressed; `None` (the
    /// default) never compresses. Set by `ClientBuilder::gzip_requests`
    /// (feature `gzip`); always `None` without that feature.
    pub gzip_threshold: Option<usize>,
    /// The most bytes of a response body the client reads (after gzip is
    /// undone). Default [`DEFAULT_MAX_RESPONSE_BYTES`](super::decode::DEFAULT_MAX_RESPONSE_BYTES) (1 MiB).
    pub max_response_bytes: usize,
    /// Sends events older than the API keeps instead of refusing them.
    pub allow_stale_timestamps: bool,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(2),
            read_timeout: Duration::from_secs(5),
            write_timeout: Duration::from_secs(30),
            host_down_ttl: Duration::from_secs(300),
            max_rate_limit_wait: Some(Duration::from_secs(10)),
            gzip_threshold: None,
            max_response_bytes: super::decode::DEFAULT_MAX_RESPONSE_BYTES,
            allow_stale_timestamps: false,
        }
    }
}

/// Sends requests to the API's hosts with the client's credentials.
/// Cheap to clone; clones share everything.
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub api: ApiInfo,
    pub app_id: HeaderValue,
    pub api_key: RwLock<HeaderValue>,
    pub app_id_in: Option<KeyPlace>,
    pub api_key_in: Option<KeyPlace>,
    pub user_agent: RwLock<UserAgent>,
    pub hosts: HostPool,
    pub http: reqwest::Client,
    pub config: TransportConfig,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("api", &self.inner.api.name)
            .field("app_id", &self.inner.app_id)
            .field("api_key", &"<redacted>")
            .field("hosts", &self.inner.hosts.status())
            .field("config", &self.inner.config)
            .finish()
    }
}

/// Where the transport puts a credential.
pub(crate) enum KeyPlace {
    Header(HeaderName),
    Query(&'static str),
    /// `authorization: Basic …` of the application ID and the API key.
    Basic,
}

impl KeyPlace {
    pub(crate) fn new(place: super::CredentialIn) -> Result<Self, Error> {
        Ok(match place {
            super::CredentialIn::Header(name) => KeyPlace::Header(header_name(name)?),
            super::CredentialIn::Query(name) => KeyPlace::Query(name),
        })
    }
}

/// How one try ended.
pub(crate) enum TryOutcome {
    /// An answer with a status (any status).
    Answer(super::Response),
    Timeout(Duration),
    Network(String, Option<reqwest::Error>),
    /// A body larger than the client reads: not retried.
    TooLarge(u16, usize),
}

/// Checks a header value given by the user: no CR, LF or other bytes HTTP forbids.
pub(crate) fn header_value(what: &str, value: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(value).map_err(|_| Error::InvalidHeaderValue {
        what: what.to_string(),
    })
}

pub(crate) fn header_name(name: &str) -> Result<HeaderName, Error> {
    HeaderName::from_bytes(name.as_bytes()).map_err(|_| Error::InvalidHeaderName {
        name: name.to_string(),
    })
}

impl Transport {
    /// Replaces the API key for every later request (requests in flight keep
    /// the key they started with). The `setClientApiKey` of other Algolia clients.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`] when the key has bytes a header cannot
    /// carry; the old key stays.
    pub fn set_api_key(&self, api_key: impl AsRef<str>) -> Result<(), Error> {
        let mut value = header_value("the API key", api_key.as_ref())?;
        value.set_sensitive(true);
        *self
            .inner
            .api_key
            .write()
            .unwrap_or_else(PoisonError::into_inner) = value;
        Ok(())
    }

    /// Appends `; name (version)` to the user agent, once.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`] when the segment has bytes a header cannot carry.
    pub fn add_user_agent_segment(&self, name: &str, version: Option<&str>) -> Result<(), Error> {
        self.inner
            .user_agent
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .add(name, version)
    }

    /// The user agent sent with every request.
    pub fn user_agent(&self) -> String {
        self.inner
            .user_agent
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .text()
            .to_string()
    }

    /// The hosts, in configuration order, with what the client remembers of each.
    pub fn host_status(&self) -> Vec<HostStatus> {
        self.inner.hosts.status()
    }

    /// The settings in force.
    pub fn config(&self) -> &TransportConfig {
        &self.inner.config
    }

    /// The validation context for a call: now, sizes checked on the real bytes.
    pub(crate) fn validation_context(&self, options: &RequestOptions) -> ValidationContext {
        let allow = options
            .allow_stale_timestamps
            .unwrap_or(self.inner.config.allow_stale_timestamps);
        ValidationContext::now()
            .skip_serialized_size()
            .allow_stale_timestamps(allow)
    }

    /// The headers of a try: defaults, then the request's, then the options' (which win).
    fn headers(
        &self,
        request: &HttpRequest,
        options: &RequestOptions,
        gzip: bool,
    ) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        let credentials = !request.anonymous;
        if let Some(KeyPlace::Header(name)) = self.inner.app_id_in.as_ref().filter(|_| credentials)
        {
            headers.insert(name.clone(), self.inner.app_id.clone());
        }
        let api_key = self
            .inner
            .api_key
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match self.inner.api_key_in.as_ref().filter(|_| credentials) {
            Some(KeyPlace::Header(name)) => {
                headers.insert(name.clone(), api_key);
            }
            Some(KeyPlace::Basic) => {
                let mut pair = self.inner.app_id.as_bytes().to_vec();
                pair.push(b':');
                pair.extend_from_slice(api_key.as_bytes());
                let mut value =
                    HeaderValue::try_from(format!("Basic {}", base64(&pair))).map_err(|_| {
                        Error::InvalidHeaderValue {
                            what: "the HTTP Basic credentials".into(),
                        }
                    })?;
                value.set_sensitive(true);
                headers.insert(reqwest::header::AUTHORIZATION, value);
            }
            Some(KeyPlace::Query(_)) | None => {}
        }
        // In the browser: `text/plain` (the body is the same JSON) and no
        // `User-Agent`, so that a request is a "simple" one that needs no
        // CORS preflight, as Algolia's browser clients send them.
        #[cfg(not(target_arch = "wasm32"))]
        {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            headers.insert(
                USER_AGENT,
                self.inner
                    .user_agent
                    .read()
                    .unwrap_or_else(PoisonError::into_inner)
                    .header()
                    .clone(),
            );
        }
        #[cfg(target_arch = "wasm32")]
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        if gzip {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        for (name, value) in request.headers.iter().chain(&options.headers) {
            let mut value = header_value(&format!("header `{}`", name.escape_debug()), value)?;
            let name = header_name(name)?;
            if matches!(&self.inner.api_key_in, Some(KeyPlace::Header(key)) if *key == name)
                || name == reqwest::header::AUTHORIZATION
            {
                value.set_sensitive(true);
            }
            headers.insert(name, value);
        }
        Ok(headers)
    }

    /// The query string: the request's parameters, overridden by the options'
    /// (an option without a value removes the parameter).
    fn query(&self, request: &HttpRequest, options: &RequestOptions) -> String {
        let mut pairs: Vec<(String, String)> = request
            .query
            .iter()
            .filter(|(name, _)| !options.query.iter().any(|(n, _)| n == name))
            .cloned()
            .collect();
        pairs.extend(
            options
                .query
                .iter()
                .filter_map(|(name, value)| Some((name.clone(), value.clone()?))),
        );
        // In the browser the user agent travels as `x-algolia-agent`, as
        // Algolia's browser clients send it: a page cannot set
        // `User-Agent`, and any header of ours would cost a CORS preflight.
        #[cfg(target_arch = "wasm32")]
        pairs.push(("x-algolia-agent".to_string(), self.user_agent()));
        // Credentials sent as query parameters (never logged: traces name the path only).
        if request.anonymous {
            return super::encoding::query_string(&pairs);
        }
        if let Some(KeyPlace::Query(name)) = &self.inner.app_id_in {
            let app_id = String::from_utf8_lossy(self.inner.app_id.as_bytes()).into_owned();
            pairs.push(((*name).to_string(), app_id));
        }
        if let Some(KeyPlace::Query(name)) = &self.inner.api_key_in {
            let key = self
                .inner
                .api_key
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .as_bytes()
                .to_vec();
            pairs.push((
                (*name).to_string(),
                String::from_utf8_lossy(&key).into_owned(),
            ));
        }
        super::encoding::query_string(&pairs)
    }

    /// The body to send, gzip-compressed when configured and large enough.
    /// Compressing into memory cannot fail; were it to, the body goes as it is.
    #[cfg(feature = "gzip")]
    fn body(&self, request: &HttpRequest) -> (Option<Bytes>, bool) {
        use std::io::Write as _;
        let Some(body) = &request.body else {
            return (None, false);
        };
        match self.inner.config.gzip_threshold {
            Some(threshold) if body.len() >= threshold => {
                let mut encoder = flate2::write::GzEncoder::new(
                    Vec::with_capacity(body.len() / 4),
                    flate2::Compression::fast(),
                );
                match encoder.write_all(body).and_then(|()| encoder.finish()) {
                    Ok(bytes) => (Some(Bytes::from(bytes)), true),
                    Err(_) => (Some(body.clone()), false),
                }
            }
            _ => (Some(body.clone()), false),
        }
    }

    /// The body to send: as it is without the feature `gzip`.
    #[cfg(not(feature = "gzip"))]
    fn body(&self, request: &HttpRequest) -> (Option<Bytes>, bool) {
        (request.body.clone(), false)
    }

    /// Everything of a request that does not depend on the host.
    pub(crate) fn prepare(
        &self,
        request: &HttpRequest,
        options: &RequestOptions,
    ) -> Result<Prepared, Error> {
        let (body, gzip) = self.body(request);
        Ok(Prepared {
            headers: self.headers(request, options, gzip)?,
            query: self.query(request, options),
            body,
            max_response_bytes: options
                .max_response_bytes
                .unwrap_or(self.inner.config.max_response_bytes),
        })
    }

    /// In the browser: the URL of a request to `path` on the first host
    /// not known to be down, with the credentials and the agent in its
    /// query string, for `navigator.sendBeacon` (which sends no header).
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn beacon_url(&self, path: &str) -> Option<String> {
        let host = self.inner.hosts.plan().into_iter().next()?;
        let request = HttpRequest::new(reqwest::Method::POST, path.to_string());
        let query = self.query(&request, &RequestOptions::default());
        Some(format!("{}{path}?{query}", host.url))
    }

    /// One try on one host.
    pub(crate) async fn try_once(
        &self,
        host: &str,
        request: &HttpRequest,
        prepared: &Prepared,
        timeout: Duration,
    ) -> TryOutcome {
        let mut url = format!("{host}{}", request.path);
        if !prepared.query.is_empty() {
            url.push('?');
            url.push_str(&prepared.query);
        }
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), &url)
            .headers(prepared.headers.clone())
            .timeout(timeout);
        if let Some(body) = &prepared.body {
            builder = builder.body(body.clone());
        }
        let send = async {
            let mut response = builder.send().await?;
            let status = response.status().as_u16();
            let headers = std::mem::take(response.headers_mut());
            let max = prepared.max_response_bytes;
            // Room for the announced length up front (within the limit), so
            // that reading a large body does not copy it as it grows.
            let announced = response.content_length().unwrap_or(0).min(max as u64) as usize;
            let mut body = BytesMut::with_capacity(announced);
            // Natively the body is read chunk by chunk, and reading stops
            // at the limit. The browser's fetch gives the body whole.
            #[cfg(not(target_arch = "wasm32"))]
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > max {
                    return Ok::<_, reqwest::Error>(Err((status, max)));
                }
                body.extend_from_slice(&chunk);
            }
            #[cfg(target_arch = "wasm32")]
            {
                let whole = response.bytes().await?;
                if whole.len() > max {
                    return Ok::<_, reqwest::Error>(Err((status, max)));
                }
                body.extend_from_slice(&whole);
            }
            Ok(Ok(super::Response {
                host: host.to_string(),
                status,
                headers: super::Headers::from_map(headers),
                body: body.freeze(),
            }))
        };
        // reqwest's timeout covers the whole try; this outer one also bounds a
        // body that stalls after the headers.
        let send = super::platform::local(send);
        match super::platform::timeout(timeout + Duration::from_millis(50), send).await {
            Err(_) => TryOutcome::Timeout(timeout),
            Ok(Ok(Ok(response))) => TryOutcome::Answer(response),
            Ok(Ok(Err((status, max)))) => TryOutcome::TooLarge(status, max),
            Ok(Err(error)) if error.is_timeout() => TryOutcome::Timeout(timeout),
            // Kept as the error's source, without its URL: the query may
            // hold the key (in the browser it does).
            Ok(Err(error)) => TryOutcome::Network(describe(&error), Some(error.without_url())),
        }
    }
}

/// What the host-independent part of a request becomes before the tries.
pub(crate) struct Prepared {
    headers: HeaderMap,
    query: String,
    body: Option<Bytes>,
    max_response_bytes: usize,
}

/// Standard base64 with padding (RFC 4648), for HTTP Basic credentials.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A reqwest error's kind and causes (not its URL, whose query may hold user data).
fn describe(error: &reqwest::Error) -> String {
    #[cfg(not(target_arch = "wasm32"))]
    let connect = error.is_connect();
    // The browser's fetch says only that the request failed.
    #[cfg(target_arch = "wasm32")]
    let connect = false;
    let mut text = if connect {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "reading the response failed"
    } else {
        "request failed"
    }
    .to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc_4648() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(super::base64(input.as_bytes()), output);
        }
    }
}
