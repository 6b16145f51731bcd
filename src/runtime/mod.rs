//! The hand-written runtime the generated code runs on: transport (hosts,
//! retries, timeouts, credentials), requests and responses, and the serde
//! helpers of generated types. Users rarely need more of it than
//! [`ClientBuilder`] and [`RequestOptions`].

mod arguments;
mod auth;
#[cfg(feature = "blocking")]
mod blocking;
mod body;
mod builder;
pub mod decode;
mod encoding;
mod execute;
mod hosts;
mod request;
mod response;
pub(crate) mod retry;
mod tls;
mod transport;
mod user_agent;
mod variants;

pub use arguments::IntoList;
pub use body::IntoBody;
pub use builder::{ClientBuilder, RegionHost};
pub use decode::{RawJson, RawProperties};
pub use hosts::HostStatus;
pub use request::RequestOptions;
pub use transport::{Transport, TransportConfig};

// The generated code's plumbing: public so that clients generated outside
// this crate (`runtime_crate` in the generator) can use it, hidden from the
// docs and from the public API list (`public-api.txt`): not covered by semver.
#[doc(hidden)]
pub use auth::{Auth, CredentialIn, APP_ID_PLACEHOLDER};
#[doc(hidden)]
#[cfg(feature = "blocking")]
pub use blocking::block_on;
#[doc(hidden)]
pub use body::Body;
#[doc(hidden)]
pub use builder::FromTransport;
#[doc(hidden)]
pub use encoding::{encode_path, encode_path_segment, path_value_text, query_string};
#[doc(hidden)]
pub use request::HttpRequest;
#[doc(hidden)]
pub use response::{header_value, Response};
#[doc(hidden)]
pub use transport::ApiInfo;
#[doc(hidden)]
pub use variants::{
    decode_variant, deserialize_constant, no_variant_message, read_tag, VariantRule,
};

#[doc(hidden)]
pub use reqwest::header::HeaderMap;
#[doc(hidden)]
pub use reqwest::Method;

use std::fmt;

/// A region name that is not one of the spec's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRegionError(&'static str);

impl ParseRegionError {
    /// An error with the message that lists the valid regions.
    pub fn new(message: &'static str) -> Self {
        ParseRegionError(message)
    }
}

impl fmt::Display for ParseRegionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for ParseRegionError {}
