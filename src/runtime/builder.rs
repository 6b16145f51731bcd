//! Configuring a client: credentials, hosts or region, timeouts, retries,
//! compression, and the HTTP client itself.

use super::auth::host_with_app_id;
use super::hosts::HostPool;
use super::transport::{header_value, ApiInfo, Inner, KeyPlace, Transport, TransportConfig};
use super::user_agent::UserAgent;
use super::{Auth, CredentialIn};
use crate::error::Error;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A client type built on a [`Transport`] (the generated `Client`).
pub trait FromTransport {
    /// Wraps the transport.
    fn from_transport(transport: Transport) -> Self;
}

impl FromTransport for Transport {
    fn from_transport(transport: Transport) -> Self {
        transport
    }
}

/// A region of the API (the generated `Region`).
pub trait RegionHost {
    /// The region's base URL.
    fn host(&self) -> String;
}

/// Builds a client: `Client::builder(app_id, api_key).region(Region::De).build()`.
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder<C = Transport> {
    api: ApiInfo,
    app_id: String,
    api_key: String,
    auth: Auth,
    hosts: Option<Vec<String>>,
    region: Option<String>,
    http: Option<reqwest::ClientBuilder>,
    user_agent_segments: Vec<(String, Option<String>)>,
    config: TransportConfig,
    client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api", &self.api.name)
            .field("app_id", &self.app_id)
            .field("api_key", &"<redacted>")
            .field("hosts", &self.hosts)
            .field("region", &self.region)
            .field("config", &self.config)
            .finish()
    }
}

impl<C: FromTransport> ClientBuilder<C> {
    /// A builder for `api` with these credentials and header names.
    pub(crate) fn new(
        api: ApiInfo,
        app_id_header: &'static str,
        api_key_header: &'static str,
        app_id: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        let api = ApiInfo {
            auth: Auth::ApiKey {
                app_id: Some(CredentialIn::Header(app_id_header)),
                api_key: CredentialIn::Header(api_key_header),
            },
            ..api
        };
        Self::for_api(api, app_id, api_key)
    }

    /// A builder for `api` with these credentials, sent where `api.auth` says
    /// (for clients generated outside this crate).
    pub(crate) fn for_api(
        api: ApiInfo,
        app_id: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Self {
        ClientBuilder {
            auth: api.auth,
            api,
            app_id: app_id.into(),
            api_key: api_key.into(),
            hosts: None,
            region: None,
            http: None,
            user_agent_segments: Vec::new(),
            config: TransportConfig::default(),
            client: PhantomData,
        }
    }

    /// Sends to the region's host instead of the default (global) one.
    pub fn region(mut self, region: impl RegionHost) -> Self {
        self.region = Some(region.host());
        self
    }

    /// Sends to these hosts, tried in order, instead of the API's: any scheme
    /// and port (`http://127.0.0.1:8080` for a local server). Replaces the region.
    pub fn hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Time to open a connection (default 2 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// Time for one try of a read (GET) request (default 5 s).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.config.read_timeout = timeout;
        self
    }

    /// Time for one try of any other request (default 30 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.config.write_timeout = timeout;
        self
    }

    /// How long a failed host is skipped (default 5 minutes).
    pub fn host_down_ttl(mut self, ttl: Duration) -> Self {
        self.config.host_down_ttl = ttl;
        self
    }

    /// The longest wait a 429 may ask for before trying again (default 10 s);
    /// `None` fails at once on a 429.
    pub fn max_rate_limit_wait(mut self, wait: Option<Duration>) -> Self {
        self.config.max_rate_limit_wait = wait;
        self
    }

    /// Gzip-compresses request bodies of at least `threshold` bytes
    /// (`content-encoding: gzip`); off by default.
    #[cfg(feature = "gzip")]
    #[cfg_attr(docsrs, doc(cfg(feature = "gzip")))]
    pub fn gzip_requests(mut self, threshold: Option<usize>) -> Self {
        self.config.gzip_threshold = threshold;
        self
    }

    /// The most bytes of a response body the client reads, after gzip is
    /// undone (default [`DEFAULT_MAX_RESPONSE_BYTES`](super::decode::DEFAULT_MAX_RESPONSE_BYTES),
    /// 1 MiB: Insights answers are tiny). A larger body fails with
    /// [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) before anything is decoded;
    /// [`RequestOptions::max_response_bytes`](super::RequestOptions::max_response_bytes)
    /// raises it for one call.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.config.max_response_bytes = max;
        self
    }

    /// Sends events older than the API keeps instead of refusing them (off by default).
    pub fn allow_stale_timestamps(mut self, allow: bool) -> Self {
        self.config.allow_stale_timestamps = allow;
        self
    }

    /// Builds the HTTP client from this builder (for proxies or custom TLS
    /// roots). Its own timeouts apply too, and so does the connect timeout
    /// set here; redirects are never followed, whatever it says, since a
    /// redirect would carry the API key to the host it names.
    pub fn http_client(mut self, client: reqwest::ClientBuilder) -> Self {
        self.http = Some(client);
        self
    }

    /// Appends `; name (version)` to the user agent.
    pub fn user_agent_segment(mut self, name: impl Into<String>, version: Option<&str>) -> Self {
        self.user_agent_segments
            .push((name.into(), version.map(str::to_string)));
        self
    }

    fn host_urls(&self) -> Result<Vec<String>, Error> {
        let hosts = match (&self.hosts, &self.region) {
            (Some(hosts), _) => hosts
                .iter()
                .map(|h| check_host(h, true))
                .collect::<Result<Vec<_>, _>>()?,
            (None, Some(region)) => {
                vec![check_host(&host_with_app_id(region, &self.app_id)?, false)?]
            }
            (None, None) => self
                .api
                .default_hosts
                .iter()
                .map(|h| check_host(&host_with_app_id(h, &self.app_id)?, false))
                .collect::<Result<Vec<_>, _>>()?,
        };
        if hosts.is_empty() {
            return Err(Error::NoHosts);
        }
        Ok(hosts)
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHost`] or [`Error::NoHosts`] for hosts it cannot send
    /// to, [`Error::InvalidHeaderValue`] for credentials or a user agent
    /// segment with bytes a header cannot carry, [`Error::TlsUnavailable`]
    /// for an `https` host without a TLS feature, [`Error::HttpClient`] for
    /// an HTTP client that cannot be built.
    pub fn build(self) -> Result<C, Error> {
        let hosts = self.host_urls()?;
        let app_id = header_value("the application ID", &self.app_id)?;
        let mut api_key = header_value("the API key", &self.api_key)?;
        api_key.set_sensitive(true);
        let mut user_agent = UserAgent::new(self.api.name);
        for (name, version) in &self.user_agent_segments {
            user_agent.add(name, version.as_deref())?;
        }
        require_tls(&hosts, super::tls::AVAILABLE)?;
        super::tls::prepare();
        let http = match self.http {
            Some(http) => http,
            None => default_http_client(&hosts),
        };
        // The browser's fetch opens connections and follows redirects itself.
        #[cfg(not(target_arch = "wasm32"))]
        let http = http
            .connect_timeout(self.config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none());
        let http = http
            .build()
            .map_err(|error| Error::HttpClient(error.into()))?;
        let auth = credentials_for_platform(self.auth);
        let transport = Transport {
            inner: Arc::new(Inner {
                api: self.api,
                app_id,
                api_key: RwLock::new(api_key),
                app_id_in: match auth {
                    Auth::ApiKey {
                        app_id: Some(place),
                        ..
                    } => Some(KeyPlace::new(place)?),
                    _ => None,
                },
                api_key_in: match auth {
                    Auth::ApiKey { api_key, .. } => Some(KeyPlace::new(api_key)?),
                    Auth::Basic => Some(KeyPlace::Basic),
                    Auth::None => None,
                },
                user_agent: RwLock::new(user_agent),
                hosts: HostPool::new(hosts, self.config.host_down_ttl),
                http,
                config: self.config,
            }),
        };
        Ok(C::from_transport(transport))
    }
}

/// The HTTP client's settings when the user gives none. A client whose hosts
/// are all plain `http://` (a local server, a proxy on loopback) never makes
/// a TLS connection, so it skips loading and parsing the system's root
/// certificates, which is most of the time it takes to build a client.
#[cfg(not(target_arch = "wasm32"))]
fn default_http_client(hosts: &[String]) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true);
    if hosts.iter().all(|host| host.starts_with("http://")) {
        // No roots: an `https://` URL could not be verified, and none is used.
        super::tls::without_roots(builder)
    } else {
        builder
    }
}

/// The browser's fetch: connections, their pool and TLS are the browser's.
#[cfg(target_arch = "wasm32")]
fn default_http_client(_hosts: &[String]) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
}

/// Natively, the credentials go where the spec says (Algolia's: headers).
#[cfg(not(target_arch = "wasm32"))]
fn credentials_for_platform(auth: Auth) -> Auth {
    auth
}

/// In the browser, credentials that the spec puts in headers go in the
/// query string under the same names, as Algolia's browser clients send
/// them: a request with headers of its own needs a CORS preflight (a
/// second round trip) first, and `navigator.sendBeacon` can send none.
/// (HTTP Basic stays a header.)
#[cfg(target_arch = "wasm32")]
fn credentials_for_platform(auth: Auth) -> Auth {
    let in_query = |place: CredentialIn| match place {
        CredentialIn::Header(name) | CredentialIn::Query(name) => CredentialIn::Query(name),
    };
    match auth {
        Auth::ApiKey { app_id, api_key } => Auth::ApiKey {
            app_id: app_id.map(in_query),
            api_key: in_query(api_key),
        },
        other => other,
    }
}

/// Refuses an `https` host when the build has no TLS (`tls_available`).
fn require_tls(hosts: &[String], tls_available: bool) -> Result<(), Error> {
    match hosts.iter().find(|host| host.starts_with("https:")) {
        Some(host) if !tls_available => Err(Error::TlsUnavailable { host: host.clone() }),
        _ => Ok(()),
    }
}

/// A host's base URL: `http` or `https` only (built-in hosts: `https` only),
/// no query or fragment, no trailing slash.
fn check_host(host: &str, user_given: bool) -> Result<String, Error> {
    let invalid = |reason: String| Error::InvalidHost {
        host: host.to_string(),
        reason,
    };
    let url = reqwest::Url::parse(host).map_err(|e| invalid(format!("is not a URL: {e}")))?;
    let scheme_ok = match url.scheme() {
        "https" => true,
        "http" => user_given,
        _ => false,
    };
    if !scheme_ok {
        return Err(invalid(
            "has a scheme other than https (or http, for hosts you name)".into(),
        ));
    }
    if url.host_str().is_none()
        || url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
    {
        return Err(invalid(
            "is not a base URL such as https://example.com:8080 (no user, query or fragment)"
                .into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_hosts_need_a_build_with_tls() {
        let hosts = [
            "http://127.0.0.1:9".to_string(),
            "https://a.example".to_string(),
        ];
        assert!(require_tls(&hosts, true).is_ok());
        assert!(
            require_tls(&hosts[..1], false).is_ok(),
            "plain http needs no TLS"
        );
        let error = require_tls(&hosts, false).unwrap_err();
        assert!(
            matches!(&error, Error::TlsUnavailable { host } if host == "https://a.example"),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("built without a TLS feature"),
            "{error}"
        );
    }

    #[test]
    fn hosts_must_be_plain_base_urls() {
        assert_eq!(
            check_host("http://127.0.0.1:8080/", true).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            check_host("https://insights.algolia.io", false).unwrap(),
            "https://insights.algolia.io"
        );
        assert!(check_host("http://insights.algolia.io", false).is_err());
        assert!(check_host("ftp://x", true).is_err());
        assert!(check_host("http://x/?a=b", true).is_err());
        assert!(check_host("not a url", true).is_err());
        assert!(check_host("http://user:pw@x", true).is_err());
    }
}
