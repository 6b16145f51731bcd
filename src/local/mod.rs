//! An Insights API server that runs inside your process, on loopback, for
//! integration tests, demos and trying the client without an Algolia account
//! (feature `local-server`).
//!
//! It speaks the API as the spec describes it, and checks events with the
//! same generated types and validation as the client, so an event it accepts
//! is one the client would send, and its `422` messages name the same paths
//! (`events[3].positions: 2 items, but `objectIDs` has 1: …`).
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /1/events` with valid events | `200 {"status":200,"message":"OK"}`; the events are recorded |
//! | … with an invalid event, an empty batch or more than 1,000 events | `422`, the `message` names each problem with its path |
//! | … with a body over 2,000,000 bytes (before or after gunzip) | `413` |
//! | … with a body that is not JSON | `400` with an HTML page, as the API does |
//! | … with `content-encoding: gzip` | read like any other body |
//! | `DELETE /1/usertokens/{userToken}` | `204` with `x-ratelimit-limit`, `-remaining` and `-reset`; the user's events are forgotten; `429` past the limit; `422` for a malformed token |
//! | wrong credentials, when [`credentials`](LocalServerBuilder::credentials) are set | `401` |
//! | another method on those paths | `405` |
//! | any other path | `404` |
//!
//! The server only listens on loopback addresses, bounds the size of what
//! it reads, and answers any input without panicking. The API key it
//! requires never shows in `Debug` output or in its log.
//!
//! # Testing your code against it
//!
//! ```
//! use algolia_insights::local::LocalServer;
//! use algolia_insights::models::{EventName, InsightsEvents, UserToken, ViewedObjectIDs};
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = LocalServer::start().await?;
//! // Point your code at `server.url()`, or use the client made for it:
//! let client = server.client()?;
//!
//! let view = ViewedObjectIDs::new(
//!     EventName::new("Product Viewed")?,
//!     "products",
//!     ["sku-1"],
//!     UserToken::new("user-1")?,
//! );
//! client.push_events(InsightsEvents::new([view.into()])).await?;
//!
//! let events = server.wait_for_events(1, Duration::from_secs(5)).await?;
//! assert_eq!(events.len(), 1);
//! assert_eq!(events[0].variant_name(), "ViewedObjectIDs");
//! assert_eq!(server.requests()[0].status, Some(200));
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # Injecting faults
//!
//! [`Faults`] makes chosen requests fail with a status, wait, or lose their
//! connection; with a seed, the same requests get the same faults every run:
//!
//! ```
//! use algolia_insights::local::{Fault, Faults, LocalServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = LocalServer::builder()
//!     .faults(
//!         Faults::seeded(42)
//!             .script([Fault::Status(503)])
//!             .fail(0.1, 500),
//!     )
//!     .start()
//!     .await?;
//! let error = server.client()?.custom_get("1/anything").await.unwrap_err();
//! assert_eq!(error.status(), Some(503));
//! # Ok(())
//! # }
//! ```

mod answer;
mod connection;
mod credentials;
mod faults;
mod push;
mod rate_limit;
mod recorder;
mod routes;
mod server;

pub use faults::{Fault, Faults};
pub use recorder::{RecordedRequest, WaitTimeout};
pub use server::{
    LocalServer, LocalServerBuilder, StartError, DEFAULT_MAX_RECORDED_EVENTS,
    DEFAULT_MAX_RECORDED_REQUESTS,
};
