//! How the local server reads a `POST /1/events` body: at most 2,000,000
//! bytes (gzipped or not), then JSON, then the generated `InsightsEvents`
//! type, then the generated validation — the rules and paths the client
//! checks before sending, so both sides refuse the same events the same way.

use super::answer::Refusal;
use crate::models::{EventsItems, InsightsEvents};
use crate::validation::{Validate, ValidationContext};
use axum::http::{header, HeaderMap, StatusCode};
use flate2::read::GzDecoder;
use std::io::Read;

/// The largest body accepted, compressed or not: the spec's
/// `x-max-serialized-bytes` of `InsightsEvents`, which the client enforces too.
pub(crate) const MAX_BODY_BYTES: usize = crate::models::InsightsEvents::MAX_SERIALIZED_BYTES;

/// The events of a body, checked; or why the body is refused.
pub(crate) fn read_events(headers: &HeaderMap, body: &[u8]) -> Result<Vec<EventsItems>, Refusal> {
    let decoded;
    let json = match content_encoding(headers)? {
        Encoding::Identity => body,
        Encoding::Gzip => {
            decoded = gunzip(body)?;
            &decoded
        }
    };
    let events = parse(json)?;
    // The body's own size was checked above; re-serializing to check it again
    // could only disagree with it.
    let context = ValidationContext::now().skip_serialized_size();
    events
        .validate_with(&context)
        .map_err(|errors| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, errors.to_string()))?;
    Ok(events.events)
}

/// The answer for a body over the limit.
pub(crate) fn too_large(what: &str) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("{what} is larger than {MAX_BODY_BYTES} bytes: send fewer events per request"),
    )
}

enum Encoding {
    Identity,
    Gzip,
}

fn content_encoding(headers: &HeaderMap) -> Result<Encoding, Refusal> {
    let Some(value) = headers.get(header::CONTENT_ENCODING) else {
        return Ok(Encoding::Identity);
    };
    let value = value.to_str().unwrap_or("").trim().to_ascii_lowercase();
    match value.as_str() {
        "" | "identity" => Ok(Encoding::Identity),
        "gzip" | "x-gzip" => Ok(Encoding::Gzip),
        other => Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("content-encoding `{other}` is not supported: send the body as is or gzipped"),
        )),
    }
}

/// Decompresses, stopping one byte past the limit so that a small body
/// cannot expand into a large one.
fn gunzip(body: &[u8]) -> Result<Vec<u8>, Refusal> {
    let mut decoded = Vec::new();
    GzDecoder::new(body)
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut decoded)
        .map_err(|error| {
            Refusal::BadRequestPage(format!("the gzipped body cannot be decompressed ({error})"))
        })?;
    if decoded.len() > MAX_BODY_BYTES {
        return Err(too_large("the decompressed body"));
    }
    Ok(decoded)
}

/// JSON into the generated type; a body that is not JSON gets the HTML 400,
/// JSON of the wrong shape a 422 naming the path of the problem.
fn parse(json: &[u8]) -> Result<InsightsEvents, Refusal> {
    // The crate's one decoder (its fast path for the usual body): anything
    // but white space after the object is not JSON either; the path is
    // looked for only when reading failed.
    let parsed = crate::runtime::decode::fast::read_slice::<InsightsEvents>(json)
        .map_err(|error| refusal(error.path(), error.json_error()));
    // Serde also reads a struct from an array of its fields; the API wants an object.
    let is_array = json.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    match parsed {
        Err(Refusal::BadRequestPage(reason)) => Err(Refusal::BadRequestPage(reason)),
        _ if is_array => Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "the body must be an object with an `events` array, not an array",
        )),
        parsed => parsed,
    }
}

fn refusal(path: &str, error: &serde_json::Error) -> Refusal {
    let message = without_position(error);
    if error.is_data() {
        Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, located(path, &message))
    } else {
        Refusal::BadRequestPage(format!(
            "the body is not valid JSON ({message} at line {}, column {})",
            error.line(),
            error.column()
        ))
    }
}

/// serde_json's message without its ` at line 1 column 42` suffix: the path
/// says where the problem is better than a column in a one-line body.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// Joins the path of the event (`events[2]`) and the path inside it that the
/// union's deserializer puts first in its message (`objectIDs[0]: …`), so the
/// message names one path as the client's validation does:
/// `events[2].objectIDs[0]: invalid type: …`.
fn located(path: &str, message: &str) -> String {
    let path = if path == "." { "" } else { path };
    let (path, message) = match message.split_once(": ") {
        Some((inner, rest)) if is_path(inner) => {
            let joined = match (path.is_empty(), inner.starts_with('[')) {
                (true, _) => inner.to_string(),
                (false, true) => format!("{path}{inner}"),
                (false, false) => format!("{path}.{inner}"),
            };
            (joined, rest)
        }
        _ => (path.to_string(), message),
    };
    if path.is_empty() {
        message.to_string()
    } else {
        format!("{path}: {message}")
    }
}

/// Whether `text` reads as a path such as `objectData[0].price`.
fn is_path(text: &str) -> bool {
    let starts_well = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '[');
    starts_well
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const CLICK: &str = r#"{"eventName":"Clicked","eventType":"click","index":"products","objectIDs":["a"],"userToken":"user-1"}"#;

    fn refusal(body: &str) -> Refusal {
        read_events(&HeaderMap::new(), body.as_bytes()).unwrap_err()
    }

    fn message(refusal: Refusal) -> String {
        match refusal {
            Refusal::Json(status, message) => {
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
                message
            }
            Refusal::BadRequestPage(reason) => panic!("a 400 instead of a 422: {reason}"),
        }
    }

    #[test]
    fn valid_events_are_read() {
        let events = read_events(
            &HeaderMap::new(),
            format!(r#"{{"events":[{CLICK}]}}"#).as_bytes(),
        );
        assert_eq!(events.unwrap().len(), 1);
    }

    #[test]
    fn not_json_is_a_bad_request_page() {
        for body in ["", "{", "events", "{\"events\":[]} trailing"] {
            assert!(
                matches!(refusal(body), Refusal::BadRequestPage(_)),
                "{body:?}"
            );
        }
    }

    #[test]
    fn type_errors_name_one_path() {
        let body = r#"{"events":[{"eventName":"Clicked","eventType":"click","index":"products","objectIDs":[7],"userToken":"user-1"}]}"#;
        assert_eq!(
            message(refusal(body)),
            "events[0].objectIDs[0]: invalid type: integer `7`, expected a string"
        );
        let not_an_object = "the body must be an object with an `events` array, not an array";
        assert_eq!(message(refusal("[]")), not_an_object);
        assert_eq!(message(refusal(&format!("[[{CLICK}]]"))), not_an_object);
        assert!(matches!(refusal("[[]"), Refusal::BadRequestPage(_)));
        assert_eq!(message(refusal("{}")), "missing field `events`");
    }

    #[test]
    fn validation_errors_come_from_the_generated_rules() {
        assert_eq!(
            message(refusal(r#"{"events":[]}"#)),
            "events: 0 items, at least 1"
        );
        let body = format!(
            r#"{{"events":[{CLICK},{}]}}"#,
            CLICK.replace(r#""objectIDs":["a"]"#, r#""objectIDs":[]"#)
        );
        assert_eq!(
            message(refusal(&body)),
            "events[1].objectIDs: 0 items, at least 1"
        );
    }

    #[test]
    fn gzip_is_read_and_bounded() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        let gzip = |bytes: &[u8]| {
            let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
            encoder.write_all(bytes).unwrap();
            encoder.finish().unwrap()
        };
        let body = gzip(format!(r#"{{"events":[{CLICK}]}}"#).as_bytes());
        assert_eq!(read_events(&headers, &body).unwrap().len(), 1);
        let bomb = gzip(&vec![b' '; MAX_BODY_BYTES + 1]);
        assert!(matches!(
            read_events(&headers, &bomb),
            Err(Refusal::Json(StatusCode::PAYLOAD_TOO_LARGE, _))
        ));
        assert!(matches!(
            read_events(&headers, b"not gzip"),
            Err(Refusal::BadRequestPage(_))
        ));
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        assert!(matches!(
            read_events(&headers, b"{}"),
            Err(Refusal::Json(StatusCode::UNSUPPORTED_MEDIA_TYPE, _))
        ));
    }

    #[test]
    fn paths_are_joined_only_when_the_message_starts_with_one() {
        assert_eq!(
            located("events[2]", "objectIDs[0]: bad"),
            "events[2].objectIDs[0]: bad"
        );
        assert_eq!(located("events[2]", "[0]: bad"), "events[2][0]: bad");
        assert_eq!(
            located("events[2]", "invalid type: x"),
            "events[2]: invalid type: x"
        );
        assert_eq!(
            located(".", "missing field `events`"),
            "missing field `events`"
        );
        assert_eq!(located("", "eventName: too long"), "eventName: too long");
    }
}
