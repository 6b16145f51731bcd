//! For generated code only: the plumbing that the generated models and
//! operations call (this crate's own, and clients generated outside it with
//! the generator's `runtime_crate` option). Not part of the public API, not
//! covered by semver: any release may change or remove what is here. Hidden
//! from the docs and from `public-api.txt`.

pub use crate::__request_builder_methods as request_builder_methods;
pub use crate::pattern::{every_byte, Pattern};
#[cfg(feature = "blocking")]
pub use crate::runtime::blocking::block_on;
pub use crate::runtime::body::Body;
pub use crate::runtime::builder::FromTransport;
pub use crate::runtime::encoding::{
    encode_path, encode_path_segment, path_value_text, query_string,
};
pub use crate::runtime::request::HttpRequest;
pub use crate::runtime::response::{header_value, Response};
pub use crate::runtime::transport::ApiInfo;
pub use crate::runtime::variants::{
    decode_variant, deserialize_constant, no_variant_message, read_tag, VariantRule,
};
pub use crate::runtime::{
    auth::{Auth, CredentialIn, APP_ID_PLACEHOLDER},
    ClientBuilder, Headers, ParseRegionError, RequestOptions, Transport,
};
pub use crate::validation::as_written::{check_request, serialize_checked_items, violations_first};
pub use crate::validation::rules::{
    check_dependent_required, check_finite, check_integer_range, check_items, check_length,
    check_multiple_of, check_range, check_same_length, check_serialized_size, check_unix_time,
    check_violations, serialized_size_violation, violation, Path,
};
pub use crate::validation::ValidationContext;
pub use reqwest::Method;

/// The serde seeds and helpers of the generated deserializers.
pub mod decode {
    pub use crate::runtime::decode::fast::{read, read_slice, FastRead, Reader, Scalar};
    pub use crate::runtime::decode::seeds::*;
}

use crate::error::Error;

/// Sends `request` through `transport`: each host in turn until one answers
/// with a success or a client error.
///
/// # Errors
///
/// The API error of a 4xx; when every host failed, each host's failure
/// ([`Error::AllHostsFailed`], or that one failure when only one host was tried).
pub async fn execute(
    transport: &Transport,
    request: HttpRequest,
    options: RequestOptions,
) -> Result<Response, Error> {
    transport.execute(request, options).await
}

/// Headers from (name, value) pairs, as a server could send them; `None`
/// when a name or a value is not one a header can have (for tests and
/// fuzzing of the decoders, with [`Response::new`]).
pub fn headers<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Option<Headers> {
    Headers::from_pairs(pairs)
}

/// Whether `context` leaves the items of required arrays of objects to the
/// writing of the body (`HttpRequest::checked_json_body`).
pub fn defers_items(context: &ValidationContext) -> bool {
    context.defers_items()
}

/// The validation context of a call on `transport` with `options`.
pub fn validation_context(transport: &Transport, options: &RequestOptions) -> ValidationContext {
    transport.validation_context(options)
}

/// A builder for `api` whose credentials go in these two headers.
pub fn client_builder<C: FromTransport>(
    api: ApiInfo,
    app_id_header: &'static str,
    api_key_header: &'static str,
    app_id: impl Into<String>,
    api_key: impl Into<String>,
) -> ClientBuilder<C> {
    ClientBuilder::new(api, app_id_header, api_key_header, app_id, api_key)
}

/// A builder for `api` whose credentials go where `api.auth` says.
pub fn client_builder_for_api<C: FromTransport>(
    api: ApiInfo,
    app_id: impl Into<String>,
    api_key: impl Into<String>,
) -> ClientBuilder<C> {
    ClientBuilder::for_api(api, app_id, api_key)
}

/// The error of a region name that is not one of the spec's.
pub fn parse_region_error(message: &'static str) -> ParseRegionError {
    ParseRegionError::new(message)
}
