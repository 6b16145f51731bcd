//! A strongly typed client for the [Algolia Insights API](https://www.algolia.com/doc/rest-api/insights/) v1,
//! generated from its OpenAPI description (`spec/insights.json`).
//!
//! ```no_run
//! use algolia_insights::{models::*, Client, Region};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::builder("APP_ID", "API_KEY").region(Region::De).build()?;
//! let event = ClickedObjectIDs::new(
//!     EventName::new("Product Clicked")?,
//!     "products",
//!     ["product-1"],
//!     UserToken::new("anonymous-user-1")?,
//! );
//! let response = client.push_events(InsightsEvents::new([event.into()])).await?;
//! println!("{}", response.message.unwrap_or_default());
//! # Ok(())
//! # }
//! ```
//!
//! - [`models`]: one type per schema of the spec, with constructors that take
//!   exactly the required fields, setters for the optional ones, and
//!   `validate()` for the rules types cannot express.
//! - [`Client`]: one method per operation; each returns a request builder
//!   that takes per-call options ([`RequestOptions`]) and is sent by
//!   `.await` (or, with the `blocking` feature, by `send_blocking()`).
//! - [`Error`]: API errors (status, message, raw body), invalid requests
//!   (every violation with its path), transport failures, timeouts and
//!   undecodable responses.
//!
//! # Defaults
//!
//! | setting | default |
//! | --- | --- |
//! | hosts | `https://insights.algolia.io`; with a region, `https://insights.<region>.algolia.io` |
//! | connect timeout | 2 s |
//! | read timeout (GET), per try | 5 s |
//! | write timeout (others), per try | 30 s |
//! | a failed host is skipped for | 5 minutes |
//! | wait on 429 (`Retry-After`/`x-ratelimit-reset`) | up to 10 s, then fail |
//! | gzip of request bodies | off (feature `gzip`) |
//! | largest response body read (after gzip) | 1 MiB, per client or per request |
//!
//! Hosts are tried in order: a 2xx succeeds, a 4xx fails at once, anything
//! else (5xx, timeout, connection error) moves on to the next host; a host
//! that timed out gets a longer timeout next time.

//!
//! # Features
//!
//! TLS as with reqwest: `default-tls` (on by default: rustls with ring),
//! `rustls` (aws-lc-rs), `rustls-no-provider`, `native-tls`. Then
//! `blocking` (`send_blocking()`), `gzip` (compressed request bodies and
//! answers), `local-server` ([`local`]), `spool` (durable sending through a
//! queue on disk), `metrics` (the `metrics` module: counters,
//! gauges and histograms through the `metrics` facade), `nats` (events on a replicated NATS JetStream stream and
//! forwarders that deliver them: `nats`), `schemars`
//! (`JsonSchema` for every model) and `regex` (the `regex` crate, for spec
//! patterns the generator cannot write as code: the Insights spec has
//! none). Items that need a feature say so. `regenerate` is for work on the
//! spec: the build then runs the generator instead of compiling the
//! published `generated/` files.
//!
//! In a web page (`wasm32-unknown-unknown`), build with
//! `default-features = false`: the client and the [`Sender`](sender::Sender)
//! run on the browser's `fetch` and timers (README, "In the browser").
//!
//! More in the [README](https://docs.rs/crate/algolia-insights/latest) and
//! the crate's `examples/`: a web service sharing one
//! [`Sender`](sender::Sender), a blocking program, tests with `LocalServer`,
//! custom requests.

#![deny(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): a badge on each item that needs a feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

// In a web page (wasm32) the browser's fetch does the HTTP and the TLS: the
// parts that need a file system, sockets, threads or a TLS library of their
// own cannot be built there. Build for the browser with
// `--no-default-features` (optionally `gzip`, `metrics`, `schemars`,
// `regex`); README.md, "In the browser".
#[cfg(all(target_arch = "wasm32", feature = "spool"))]
compile_error!("feature `spool` (a queue on disk) is not available in the browser (wasm32): there is no file system");
#[cfg(all(target_arch = "wasm32", feature = "local-server"))]
compile_error!("feature `local-server` is not available in the browser (wasm32): a page cannot listen on a socket");
#[cfg(all(target_arch = "wasm32", feature = "blocking"))]
compile_error!("feature `blocking` is not available in the browser (wasm32): a page cannot block; await the requests");
#[cfg(all(target_arch = "wasm32", feature = "nats"))]
compile_error!("feature `nats` is not available in the browser (wasm32): it needs TCP sockets");
#[cfg(all(
    target_arch = "wasm32",
    any(
        feature = "rustls-ring",
        feature = "rustls",
        feature = "rustls-no-provider",
        feature = "native-tls"
    )
))]
compile_error!("the TLS features (`default-tls`, `rustls-ring`, `rustls`, `rustls-no-provider`, `native-tls`) are not for the browser (wasm32), whose fetch does TLS: build with `--no-default-features`");

pub mod error;
#[cfg(feature = "local-server")]
#[cfg_attr(docsrs, doc(cfg(feature = "local-server")))]
pub mod local;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics;
#[cfg(feature = "nats")]
#[cfg_attr(docsrs, doc(cfg(feature = "nats")))]
pub mod nats;
pub mod runtime;
pub mod sender;
pub mod validation;

mod client;
mod pattern;

// For generated code only; not part of the API (see its first lines).
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

/// The models of the spec: events, request bodies and responses.
///
/// With the feature `schemars`, every model implements
/// `schemars::JsonSchema` (a derived impl, which rustdoc cannot mark with
/// its feature).
#[allow(clippy::doc_markdown)]
pub mod models {
    include!(concat!(env!("OUT_DIR"), "/models.rs"));
}

/// The client and its operations: one method and request builder per operation.
pub mod operations {
    include!(concat!(env!("OUT_DIR"), "/operations.rs"));
}

pub use error::{ApiError, Error, HostFailure};
pub use operations::{Client, Region};
pub use runtime::{ClientBuilder, RequestOptions};
pub use validation::{ValidationErrors, Violation};

/// The README's Rust examples, compiled by `cargo test --doc`.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
