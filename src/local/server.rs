//! Starting, reading and stopping a local server: [`LocalServer`] and its
//! builder.

use super::connection::{Connection, CuttableListener};
use super::credentials::Credentials;
use super::faults::{FaultPlan, Faults};
use super::rate_limit::RateLimiter;
use super::recorder::{Caps, RecordedRequest, Recorder, WaitTimeout};
use super::routes::{self, RequestHook, Shared};
use crate::models::EventsItems;
use crate::operations::Client;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The credentials [`LocalServer::client`] sends when the server requires none.
const OPEN_APP_ID: &str = "local";
const OPEN_API_KEY: &str = "local";

/// Deletions of user tokens allowed per minute, unless set otherwise.
const DEFAULT_DELETE_RATE_LIMIT: u32 = 100;

/// Events kept for [`LocalServer::events`], unless set otherwise: enough for
/// any test, and a bound (some 50 MB) on a server that runs for long.
pub const DEFAULT_MAX_RECORDED_EVENTS: usize = 100_000;

/// Requests kept for [`LocalServer::requests`], unless set otherwise.
pub const DEFAULT_MAX_RECORDED_REQUESTS: usize = 10_000;

/// Why a local server did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// Only loopback addresses are allowed: the server is for this machine only.
    NotLoopback(IpAddr),
    /// The address could not be bound (a port in use, for example).
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's error.
        source: io::Error,
    },
    /// `start` was called outside a Tokio runtime.
    NoRuntime,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::NotLoopback(ip) => write!(
                f,
                "the local server listens on loopback only: {ip} is not a loopback address (use 127.0.0.1 or ::1)"
            ),
            StartError::Bind { addr, source } => {
                write!(f, "the local server cannot listen on {addr}: {source}")
            }
            StartError::NoRuntime => f.write_str(
                "the local server needs a Tokio runtime: call `start` from async code running on Tokio",
            ),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Sets up a [`LocalServer`]: address, credentials, faults, rate limit, logging.
#[must_use = "a builder does nothing until `start` is awaited"]
pub struct LocalServerBuilder {
    addr: SocketAddr,
    credentials: Option<Credentials>,
    faults: Faults,
    delete_rate_limit: u32,
    caps: Caps,
    on_request: Option<RequestHook>,
}

impl fmt::Debug for LocalServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalServerBuilder")
            .field("addr", &self.addr)
            .field("credentials", &self.credentials)
            .field("faults", &self.faults)
            .field("delete_rate_limit", &self.delete_rate_limit)
            .field("max_recorded_events", &self.caps.events)
            .field("max_recorded_requests", &self.caps.requests)
            .field("on_request", &self.on_request.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Default for LocalServerBuilder {
    fn default() -> Self {
        LocalServerBuilder {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            credentials: None,
            faults: Faults::none(),
            delete_rate_limit: DEFAULT_DELETE_RATE_LIMIT,
            caps: Caps {
                events: DEFAULT_MAX_RECORDED_EVENTS,
                requests: DEFAULT_MAX_RECORDED_REQUESTS,
            },
            on_request: None,
        }
    }
}

impl LocalServerBuilder {
    /// Listens on this port of 127.0.0.1 (default: a free port the system picks).
    pub fn port(mut self, port: u16) -> Self {
        self.addr.set_port(port);
        self
    }

    /// Listens on this address, which must be a loopback one (`127.0.0.1`, `::1`, …).
    pub fn bind(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Requires these credentials in the `x-algolia-application-id` and
    /// `x-algolia-api-key` headers, answering `401` otherwise (by default any
    /// credentials are accepted).
    pub fn credentials(mut self, app_id: impl Into<String>, api_key: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::new(app_id.into(), api_key.into()));
        self
    }

    /// Injects these faults (none by default); [`LocalServer::set_faults`]
    /// changes them later.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// How many `DELETE /1/usertokens/{userToken}` requests are allowed per
    /// minute before answering `429` (default 100).
    pub fn delete_rate_limit(mut self, per_minute: u32) -> Self {
        self.delete_rate_limit = per_minute;
        self
    }

    /// Keeps at most this many events for [`LocalServer::events`] (default
    /// [`DEFAULT_MAX_RECORDED_EVENTS`]): past it, the oldest are dropped and
    /// counted ([`LocalServer::dropped_event_count`]). `0` keeps none and
    /// only counts them, for a server that runs for long or takes millions.
    pub fn max_recorded_events(mut self, events: usize) -> Self {
        self.caps.events = events;
        self
    }

    /// Keeps at most this many requests for [`LocalServer::requests`]
    /// (default [`DEFAULT_MAX_RECORDED_REQUESTS`]): past it, the oldest are
    /// dropped and counted ([`LocalServer::dropped_request_count`]).
    pub fn max_recorded_requests(mut self, requests: usize) -> Self {
        self.caps.requests = requests;
        self
    }

    /// Calls `hook` with every request once it is answered, to log it, for
    /// example. It runs on the server's task: keep it short.
    pub fn on_request(mut self, hook: impl Fn(&RecordedRequest) + Send + Sync + 'static) -> Self {
        self.on_request = Some(Arc::new(hook));
        self
    }

    /// Binds the address and serves on the current Tokio runtime.
    ///
    /// # Errors
    ///
    /// A non-loopback address, an address that cannot be bound, or no Tokio runtime.
    pub async fn start(self) -> Result<LocalServer, StartError> {
        if !self.addr.ip().is_loopback() {
            return Err(StartError::NotLoopback(self.addr.ip()));
        }
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(StartError::NoRuntime);
        }
        let bind_error = |source| StartError::Bind {
            addr: self.addr,
            source,
        };
        let listener = TcpListener::bind(self.addr).await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let (shutdown, shutting_down) = watch::channel(false);
        let shared = Arc::new(Shared {
            recorder: Recorder::new(self.caps),
            credentials: self.credentials,
            faults: Mutex::new(FaultPlan::new(self.faults)),
            delete_rate_limit: RateLimiter::new(self.delete_rate_limit),
            on_request: self.on_request,
            shutting_down: shutting_down.clone(),
        });
        let app =
            routes::router(Arc::clone(&shared)).into_make_service_with_connect_info::<Connection>();
        let mut signal = shutting_down;
        let task = tokio::spawn(async move {
            let stopped = async move {
                // An error means the sender is gone, which is a shutdown too.
                let _ = signal.wait_for(|&down| down).await;
            };
            let served = axum::serve(CuttableListener::new(listener), app)
                .with_graceful_shutdown(stopped)
                .await;
            if let Err(error) = served {
                tracing::warn!(%error, "local server stopped on an error");
            }
        });
        Ok(LocalServer {
            url: format!("http://{addr}"),
            addr,
            shared,
            shutdown,
            task: Some(task),
        })
    }
}

/// An Insights API server running on loopback in this process: it validates
/// events with the generated rules, records the accepted ones, and can inject
/// faults. Stops on [`shutdown`](Self::shutdown) or when dropped.
///
/// See the [module documentation](super) for an example.
pub struct LocalServer {
    url: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for LocalServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalServer")
            .field("url", &self.url)
            .field("credentials", &self.shared.credentials)
            .field("events", &self.event_count())
            .finish()
    }
}

impl LocalServer {
    /// Starts a server on a free port of 127.0.0.1, accepting any credentials.
    ///
    /// # Errors
    ///
    /// See [`LocalServerBuilder::start`].
    pub async fn start() -> Result<LocalServer, StartError> {
        LocalServer::builder().start().await
    }

    /// A builder to choose the port, credentials, faults and more.
    pub fn builder() -> LocalServerBuilder {
        LocalServerBuilder::default()
    }

    /// The base URL, e.g. `http://127.0.0.1:40123`: give it to
    /// [`ClientBuilder::hosts`](crate::ClientBuilder::hosts).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A client that sends to this server, with its credentials (or
    /// placeholders when it requires none).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidHeaderValue`](crate::Error::InvalidHeaderValue) when the credentials cannot be sent as headers.
    pub fn client(&self) -> Result<Client, crate::Error> {
        let (app_id, api_key) = match &self.shared.credentials {
            Some(credentials) => (credentials.app_id(), credentials.api_key()),
            None => (OPEN_APP_ID, OPEN_API_KEY),
        };
        Client::builder(app_id, api_key)
            .hosts([self.url.as_str()])
            .build()
    }

    /// The events accepted so far, in arrival order (less those of deleted
    /// user tokens), at most the newest
    /// [`max_recorded_events`](LocalServerBuilder::max_recorded_events).
    pub fn events(&self) -> Vec<EventsItems> {
        self.shared.recorder.events()
    }

    /// How many events [`events`](Self::events) would return.
    pub fn event_count(&self) -> usize {
        self.shared.recorder.event_count()
    }

    /// How many events were accepted since the start (or the last
    /// [`clear`](Self::clear)): those kept and those dropped past the cap.
    pub fn accepted_event_count(&self) -> usize {
        self.shared.recorder.accepted_event_count()
    }

    /// How many accepted events were dropped, oldest first, to keep at most
    /// [`max_recorded_events`](LocalServerBuilder::max_recorded_events).
    pub fn dropped_event_count(&self) -> usize {
        self.shared.recorder.dropped_event_count()
    }

    /// Waits until at least `count` events are accepted, then returns those kept.
    ///
    /// # Errors
    ///
    /// [`WaitTimeout`] (with the number recorded) when `timeout` runs out first.
    pub async fn wait_for_events(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<EventsItems>, WaitTimeout> {
        self.shared.recorder.wait_for_events(count, timeout).await
    }

    /// The requests received so far, in the order they were answered, at
    /// most the newest [`max_recorded_requests`](LocalServerBuilder::max_recorded_requests).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.requests()
    }

    /// How many requests were dropped from [`requests`](Self::requests),
    /// oldest first, to keep at most
    /// [`max_recorded_requests`](LocalServerBuilder::max_recorded_requests).
    pub fn dropped_request_count(&self) -> usize {
        self.shared.recorder.dropped_request_count()
    }

    /// Forgets every event and request recorded so far, and the counts.
    pub fn clear(&self) {
        self.shared.recorder.clear();
    }

    /// Replaces the faults to inject (and restarts their generator from its seed).
    pub fn set_faults(&self, faults: Faults) {
        *self
            .shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = FaultPlan::new(faults);
    }

    /// Stops accepting connections, lets the requests in progress finish
    /// (injected delays are cut short), and returns once the server is stopped.
    pub async fn shutdown(mut self) {
        self.shutdown.send_replace(true);
        if let Some(task) = self.task.take() {
            // The task only ends by itself; a join error means it panicked,
            // which it has nothing left to report about.
            let _ = task.await;
        }
    }
}

impl Drop for LocalServer {
    /// Asks the server to stop; it finishes in the background.
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}
