//! The hand-written runtime under the generated client: building a client
//! and its transport (hosts, retries, timeouts, credentials), per-call
//! options, the headers of an answer, and the JSON kept as text. Users rarely
//! need more of it than [`ClientBuilder`] and [`RequestOptions`]. (The
//! plumbing that generated code calls is not here: it is in the hidden
//! `algolia_insights::__private`, outside the API.)

mod arguments;
pub(crate) mod auth;
#[cfg(feature = "blocking")]
pub(crate) mod blocking;
pub(crate) mod body;
pub(crate) mod builder;
pub mod decode;
pub(crate) mod encoding;
mod execute;
mod headers;
mod hosts;
pub(crate) mod join;
pub(crate) mod platform;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod retry;
mod spans;
mod tls;
pub(crate) mod transport;
mod user_agent;
pub(crate) mod variants;
pub(crate) mod write_json;

pub use arguments::{Checked, IntoList, IntoModelList};
pub use body::IntoBody;
pub use builder::{ClientBuilder, RegionHost};
pub use decode::{RawJson, RawProperties};
pub use headers::{HeaderValue, Headers};
pub use hosts::HostStatus;
pub use request::RequestOptions;
pub use transport::{Transport, TransportConfig};

// The generated code's plumbing is in `crate::__private`, not here.
pub(crate) use auth::{Auth, CredentialIn};
pub(crate) use response::Response;

use std::fmt;

/// A region name that is not one of the spec's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRegionError(&'static str);

impl ParseRegionError {
    /// An error with the message that lists the valid regions.
    pub(crate) fn new(message: &'static str) -> Self {
        ParseRegionError(message)
    }
}

impl fmt::Display for ParseRegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseRegionError {}
