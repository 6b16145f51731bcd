//! Percent-encoding of path segments and query strings, as the official
//! Algolia clients do it (JavaScript's `encodeURIComponent`: space is `%20`,
//! lists are comma-joined, booleans are `true`/`false`).

use crate::error::Error;
use crate::validation::{Path, ValidationErrors, Violation};
use serde_json::Value;
use std::fmt::Write;

/// Characters `encodeURIComponent` leaves as they are.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte)
}

fn percent_encode(value: &str, out: &mut String) {
    for &byte in value.as_bytes() {
        if is_unreserved(byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
}

fn dot_segment_error(name: &str, value: &str) -> Error {
    let violation = Violation::new(
        &Path::Root.field(name),
        format!("`{value}` would change the request's path; it cannot be sent as a path segment"),
    );
    Error::InvalidRequest(ValidationErrors::check(vec![violation]).expect_err("one violation"))
}

/// One path segment, fully encoded: `/`, `?`, `#`, `%` and spaces cannot
/// change the request target.
///
/// # Errors
///
/// `.` and `..`, which URL parsers resolve even when encoded.
pub fn encode_path_segment(value: &str) -> Result<String, Error> {
    if value == "." || value == ".." {
        return Err(dot_segment_error("path", value));
    }
    let mut out = String::with_capacity(value.len());
    percent_encode(value, &mut out);
    Ok(out)
}

/// A path whose `/` separate segments (the custom requests' `path`): each
/// segment is encoded, empty segments are dropped, so the path stays on the
/// host it is sent to.
///
/// # Errors
///
/// A `.` or `..` segment, which would climb out of the path.
pub fn encode_path(name: &str, value: &str) -> Result<String, Error> {
    let mut out = String::with_capacity(value.len());
    for segment in value.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." {
            return Err(dot_segment_error(name, value));
        }
        if !out.is_empty() {
            out.push('/');
        }
        percent_encode(segment, &mut out);
    }
    Ok(out)
}

/// The text of a path parameter of any serializable type (a union, an enum):
/// a string as it is, a number or boolean as JSON writes it.
///
/// # Errors
///
/// [`Error::InvalidRequest`] for a value with no text of its own (null, a
/// list, an object); [`Error::Serialize`] when it cannot be written as JSON.
pub fn path_value_text<T: serde::Serialize + ?Sized>(
    name: &str,
    value: &T,
) -> Result<String, Error> {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => Ok(s),
        Ok(value @ (Value::Number(_) | Value::Bool(_))) => Ok(value.to_string()),
        Ok(other) => {
            let what = match other {
                Value::Null => "null",
                Value::Array(_) => "a list",
                _ => "an object",
            };
            let violation = Violation::new(
                &Path::Root.field(name),
                format!("{what} cannot be sent as a path segment"),
            );
            Err(Error::InvalidRequest(
                ValidationErrors::check(vec![violation]).expect_err("one violation"),
            ))
        }
        Err(source) => Err(Error::Serialize {
            what: format!("path parameter `{name}`"),
            source,
        }),
    }
}

/// The text of a query value: strings as they are, lists comma-joined,
/// booleans `true`/`false`, numbers as JSON writes them, objects as JSON;
/// `None` for null (the parameter is left out).
pub(crate) fn query_value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) => {
            let texts: Vec<String> = items.iter().filter_map(query_value_text).collect();
            Some(super::join::join(&texts, ","))
        }
        Value::Object(_) => Some(value.to_string()),
    }
}

/// `name=value&...`, each part percent-encoded (space as `%20`).
pub fn query_string(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        percent_encode(name, &mut out);
        out.push('=');
        percent_encode(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn path_segments_cannot_change_the_target() {
        assert_eq!(
            encode_path_segment("a/../b?c#d e%").unwrap(),
            "a%2F..%2Fb%3Fc%23d%20e%25"
        );
        assert!(encode_path_segment("..").is_err());
        assert!(encode_path_segment(".").is_err());
        assert_eq!(encode_path_segment("user-1_=+").unwrap(), "user-1_%3D%2B");
    }

    #[test]
    fn slashed_paths_stay_on_the_host() {
        assert_eq!(encode_path("path", "1/events").unwrap(), "1/events");
        assert_eq!(
            encode_path("path", "//evil.example/x").unwrap(),
            "evil.example/x"
        );
        assert_eq!(
            encode_path("path", "https://evil.example").unwrap(),
            "https%3A/evil.example"
        );
        assert_eq!(encode_path("path", "a b/c?d").unwrap(), "a%20b/c%3Fd");
        assert!(encode_path("path", "1/../../x").is_err());
    }

    #[test]
    fn query_values_follow_the_official_clients() {
        assert_eq!(
            query_value_text(&json!(["a", "b c", 3])).unwrap(),
            "a,b c,3"
        );
        assert_eq!(query_value_text(&json!(true)).unwrap(), "true");
        assert_eq!(query_value_text(&json!(null)), None);
        let pairs = vec![
            ("tags".to_string(), "a,b c".to_string()),
            ("q".to_string(), "x&y=z".to_string()),
        ];
        assert_eq!(query_string(&pairs), "tags=a%2Cb%20c&q=x%26y%3Dz");
    }
}
