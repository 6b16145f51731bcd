//! What the fuzz targets check, one function per target: any input gives a
//! value or a precise error, never a panic, and the values given back are
//! consistent. A failed check panics, which is what the fuzzer looks for.
//!
//! `tests/fuzz_corpus.rs` includes this file and replays the checked-in
//! corpus (`fuzz/corpus/<target>/`) through the same functions, so an
//! ordinary `cargo test` guards against regressions without a fuzzer.

use algolia_codegen::resolve::Loader;
use algolia_codegen::EmitOptions;
use algolia_insights::__private::{headers, Response};
use algolia_insights::models::{
    DeleteUserTokenResponse, EventsItems, EventsResponse, InsightsEvents,
};
use algolia_insights::{Error, ValidationErrors};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fmt::Debug;

/// The generator's spec parsing and modelling: arbitrary bytes as a spec
/// give generated files or an error whose location is a JSON pointer.
pub fn generator(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let result = Loader::from_json_str(text)
        .and_then(|loader| algolia_codegen::generate(&loader, &EmitOptions::default()));
    match result {
        Ok(generated) => {
            assert!(!generated.files.is_empty(), "generated nothing");
            for file in &generated.files {
                assert!(!file.text.is_empty(), "{} is empty", file.name);
            }
        }
        Err(error) => {
            let location = &error.location;
            assert_eq!(
                location.file, None,
                "a spec read from a string has no other files: {error}"
            );
            assert!(
                is_json_pointer(&location.pointer),
                "not a JSON pointer: {error}"
            );
            assert!(!error.reason.trim().is_empty(), "no reason: {error:?}");
            assert!(error.to_string().contains(&error.reason));
        }
    }
}

/// The generator's naming: the input's lines become the names of a schema,
/// a property, an enum value, an operation, a query parameter and the tag
/// property of a union told apart by fields (`x-discriminator-fields`, read
/// by the one-pass union reader) in a small valid spec. Two schemas share the
/// first name and the union's variants have properties whose Rust names
/// clash (`{property}-`, `{property}_`), so clashes are exercised. Any names
/// give code that parses (the generator checks its output with `syn`) or an
/// error with a JSON pointer; never a panic.
pub fn generator_names(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut names = text.split('\n').map(str::to_string);
    let mut next = |fallback: &str| names.next().unwrap_or_else(|| fallback.to_string());
    let (schema, property, value, operation, parameter, tag) = (
        next("Thing"),
        next("name"),
        next("value"),
        next("getThing"),
        next("filter"),
        next("kind"),
    );
    let reference = |name: &str| {
        format!(
            "#/components/schemas/{}",
            name.replace('~', "~0").replace('/', "~1")
        )
    };
    let schema_ref = reference(&schema);
    let (variant_a, variant_b) = (format!("{schema}A"), format!("{schema}B"));
    let spec = serde_json::json!({
        "openapi": "3.0.3",
        "info": {"title": "Fuzz API", "version": "1"},
        "servers": [{"url": "https://example.com"}],
        "components": {"schemas": {
            schema.clone(): {
                "type": "object",
                "required": [property.clone()],
                "properties": {
                    property.clone(): {"type": "string", "enum": [value.clone(), "other"]},
                    format!("{property}_"): {"$ref": schema_ref},
                    "x": {"oneOf": [{"type": "string"}, {"type": "null"}]}
                }
            },
            format!("{schema} "): {"type": "string", "const": value.clone()},
            format!("{schema}Event"): {"anyOf": [
                {"$ref": reference(&variant_a)},
                {"$ref": reference(&variant_b)}
            ]},
            variant_a: {
                "type": "object",
                "required": [tag.clone()],
                "x-discriminator-fields": [tag.clone()],
                "properties": {
                    tag.clone(): {"$ref": reference(&format!("{schema} "))},
                    format!("{property}-"): {"type": "string"},
                    property.clone(): {"type": "string"}
                }
            },
            variant_b: {
                "type": "object",
                "required": [tag.clone(), format!("{property}_")],
                "x-discriminator-fields": [tag.clone(), format!("{property}_")],
                "additionalProperties": {"type": "integer"},
                "properties": {
                    tag.clone(): {"type": "string", "const": "other"},
                    format!("{property}_"): {"type": "integer"},
                    property.clone(): {"type": "boolean"}
                }
            }
        }},
        "paths": {"/things/{id}": {"post": {
            "operationId": operation,
            "parameters": [
                {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                {"name": parameter, "in": "query", "schema": {"type": "integer", "multipleOf": 2}}
            ],
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": schema_ref}
            }}},
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": schema_ref}
            }}}}
        }}}
    });
    let result = Loader::from_json_str(&spec.to_string())
        .and_then(|loader| algolia_codegen::generate(&loader, &EmitOptions::default()));
    if let Err(error) = result {
        assert!(
            !error.reason.contains("internal error"),
            "the names {:?} gave code that does not parse: {error}",
            (schema, property, value, parameter, tag)
        );
        assert!(
            is_json_pointer(&error.location.pointer),
            "not a JSON pointer: {error}"
        );
    }
}

/// `#`, then `/`-separated segments where `~` only starts `~0` or `~1` (RFC 6901).
fn is_json_pointer(pointer: &str) -> bool {
    let Some(rest) = pointer.strip_prefix('#') else {
        return false;
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return false;
    }
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c == '~' && !matches!(chars.next(), Some('0' | '1')) {
            return false;
        }
    }
    true
}

/// Wire JSON as a batch and as one event: what decodes validates without a
/// panic, and comes back the same through its own JSON.
pub fn events(data: &[u8]) {
    fast_path_agrees::<InsightsEvents>(data);
    fast_path_agrees::<EventsItems>(data);
    if let Ok(batch) = serde_json::from_slice::<InsightsEvents>(data) {
        check_validation(batch.validate());
        round_trip(&batch);
    }
    if let Ok(event) = serde_json::from_slice::<EventsItems>(data) {
        check_validation(event.validate());
        round_trip(&event);
    }
}

/// The generated fast path of reading never decides: where it takes the
/// input, the full reader takes it too, with an equal value.
fn fast_path_agrees<T>(data: &[u8])
where
    T: algolia_insights::__private::decode::FastRead + DeserializeOwned + PartialEq + Debug,
{
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = algolia_insights::__private::decode::Reader::read_whole::<T>(text) {
        match algolia_insights::runtime::decode::from_str::<T>(text) {
            Ok(full) => assert_eq!(fast, full, "the fast path read {text} otherwise"),
            Err(e) => panic!("the fast path took {text}, the full reader refused it: {e}"),
        }
    }
}

fn check_validation(result: Result<(), ValidationErrors>) {
    if let Err(errors) = result {
        assert!(
            !errors.violations().is_empty(),
            "an error without violations"
        );
        for violation in errors.violations() {
            assert!(!violation.message.is_empty(), "{violation:?}");
        }
        assert!(!errors.to_string().is_empty());
    }
}

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_vec(value).expect("a decoded value serializes");
    let again: T = serde_json::from_slice(&json).unwrap_or_else(|e| {
        panic!(
            "its own JSON does not decode: {e}: {}",
            String::from_utf8_lossy(&json)
        )
    });
    assert_eq!(&again, value, "the round trip changed the value");
}

/// The host the fuzzed responses come from.
const HOST: &str = "https://fuzz.example";
/// The headers `delete_user_token` reads, in the order it reads them.
const RATE_LIMIT_HEADERS: [&str; 3] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
];

/// The response decoders of the client: the first byte picks a 2xx status,
/// the rest is the body (and the value of every rate-limit header). Each
/// decoder gives a value that agrees with `serde_json`, or an
/// [`Error::Decode`] that keeps the host, status and body.
pub fn responses(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let status = 200 + u16::from(selector % 100);
    // The body as the value of every rate-limit header, when a header can carry it.
    let with_headers = headers(RATE_LIMIT_HEADERS.iter().map(|name| (*name, body)));
    let has_headers = with_headers.is_some();
    let response = Response::new(
        HOST,
        status,
        with_headers.unwrap_or_default(),
        body.to_vec(),
    );
    let blank = body.iter().all(u8::is_ascii_whitespace);
    let check_error = |error: Error| check_decode_error(error, status, body);

    match response.json::<serde_json::Value>() {
        Ok(value) if blank => assert_eq!(value, serde_json::Value::Null),
        Ok(value) => assert_eq!(
            serde_json::from_slice::<serde_json::Value>(body).ok(),
            Some(value),
            "the client and serde_json disagree"
        ),
        Err(error) => {
            assert!(!blank, "a blank body reads as null");
            assert!(serde_json::from_slice::<serde_json::Value>(body).is_err());
            check_error(error);
        }
    }
    match response.json::<EventsResponse>() {
        Ok(decoded) => assert_eq!(
            serde_json::from_slice::<EventsResponse>(body).ok(),
            Some(decoded),
            "the client and serde_json disagree"
        ),
        Err(error) => {
            check_error(error);
        }
    }
    match response.text() {
        Ok(text) => assert_eq!(text.as_bytes(), body),
        Err(error) => {
            assert!(std::str::from_utf8(body).is_err());
            check_error(error);
        }
    }
    match response.decode_headers(DeleteUserTokenResponse::from_headers) {
        Ok(decoded) => {
            let values = [
                decoded.x_ratelimit_limit,
                decoded.x_ratelimit_remaining,
                decoded.x_ratelimit_reset,
            ];
            let expected = has_headers
                .then(|| std::str::from_utf8(body).ok())
                .flatten()
                .and_then(|text| text.trim_ascii().parse::<i64>().ok());
            assert_eq!(values, [expected; 3]);
        }
        Err(error) => {
            assert!(has_headers, "no header, yet an error: {error}");
            let message = check_error(error);
            assert!(message.contains("`x-ratelimit-limit`"), "{message}");
        }
    }
}

/// Asserts a decode error that keeps what was received; returns its message.
fn check_decode_error(error: Error, status: u16, body: &[u8]) -> String {
    let display = error.to_string();
    match error {
        Error::Decode {
            host,
            status: got_status,
            message,
            body: got_body,
            ..
        } => {
            assert_eq!(host, HOST);
            assert_eq!(got_status, status);
            assert_eq!(&got_body[..], body, "the body is kept as received");
            assert!(!message.trim().is_empty(), "an empty message");
            assert_eq!(
                display,
                format!("cannot decode the {status} response from {HOST}: {message}")
            );
            message
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}
