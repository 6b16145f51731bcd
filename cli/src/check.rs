//! Checking one line of input: it must be one event in the wire format,
//! read into the generated `EventsItems` type and passing its generated
//! validation — the rules the client, the sender and the local server apply.

use algolia_insights::models::EventsItems;
use algolia_insights::sender::MAX_EVENT_BYTES;
use algolia_insights::validation::{Validate, ValidationContext, ValidationErrors};
use std::io;

/// Checks one line (without its line ending): it must read as an event
/// that passes validation and fits in a request. The error says what is
/// wrong, with the path inside the event (`positions[0]: must be >= 1, got 0`).
pub fn check_line(line: &[u8], context: &ValidationContext) -> Result<EventsItems, String> {
    let event = parse_line(line)?;
    event
        .validate_with(context)
        .map_err(|errors| reason(&errors))?;
    let json_bytes = json_size(&event);
    if json_bytes > MAX_EVENT_BYTES {
        return Err(format!(
            "the event is {json_bytes} bytes of JSON, more than fits in a request ({MAX_EVENT_BYTES} at most)"
        ));
    }
    Ok(event)
}

/// Reads one line (without its line ending) as an event, without the
/// checks of its values (the sender makes those when it takes the event).
pub fn parse_line(line: &[u8]) -> Result<EventsItems, String> {
    let text = text(line)?;
    // The generated reader: straight into the fields when the line is
    // usual, the full reader (with the path of the error) when it is not.
    EventsItems::from_json(text).map_err(|error| describe(error.path(), error.json_error()))
}

/// The line as text: it must be UTF-8.
pub fn text(line: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(line).map_err(|error| {
        format!(
            "not UTF-8 text (invalid byte at column {})",
            error.valid_up_to() + 1
        )
    })
}

/// Why a line the sender was given as text is not an event: as
/// [`parse_line`] says it.
pub fn decode_reason(error: &algolia_insights::runtime::decode::DecodeError) -> String {
    describe(error.path(), error.json_error())
}

/// Every rule an event breaks, as one line.
pub fn reason(errors: &ValidationErrors) -> String {
    errors
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The reason for a JSON error: a syntax error with its column, a data
/// error with its path.
fn describe(path: &str, error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    if !error.is_data() {
        return format!("not valid JSON: {message} (column {})", error.column());
    }
    match path {
        "" | "." => message.to_string(),
        path => format!("{path}: {message}"),
    }
}

/// The size of the event's JSON as the client will send it, without keeping the bytes.
fn json_size(event: &EventsItems) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing to a counter cannot fail, and the generated types always serialize.
    match serde_json::to_writer(&mut count, event) {
        Ok(()) => count.0,
        Err(_) => usize::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: &str = r#"{"eventName":"Viewed","eventType":"view","index":"products","objectIDs":["a"],"userToken":"user-1"}"#;

    fn reason(line: &str) -> String {
        check_line(line.as_bytes(), &ValidationContext::now()).unwrap_err()
    }

    #[test]
    fn a_valid_event_passes_and_its_size_is_that_of_its_json() {
        let event = check_line(VIEW.as_bytes(), &ValidationContext::now()).unwrap();
        assert_eq!(json_size(&event), VIEW.len());
        assert_eq!(event.variant_name(), "ViewedObjectIDs");
    }

    #[test]
    fn an_event_too_large_for_a_request_is_refused() {
        let index = "x".repeat(MAX_EVENT_BYTES);
        let line = VIEW.replace(r#""products""#, &format!("\"{index}\""));
        let reason = reason(&line);
        assert!(reason.contains("more than fits in a request"), "{reason}");
    }

    #[test]
    fn reasons_name_the_problem_and_its_path() {
        assert_eq!(
            reason("{"),
            "not valid JSON: EOF while parsing an object (column 1)"
        );
        assert_eq!(
            reason(&format!("{VIEW} {{}}")),
            "not valid JSON: trailing characters (column 101)"
        );
        assert_eq!(
            reason(&VIEW.replace(r#"["a"]"#, "[1]")),
            "objectIDs[0]: invalid type: integer `1`, expected a string"
        );
        assert_eq!(
            reason(&VIEW.replace(r#"["a"]"#, "[]")),
            "objectIDs: 0 items, at least 1"
        );
        assert!(
            reason("[1]").starts_with("invalid type: sequence"),
            "{}",
            reason("[1]")
        );
        assert_eq!(reason("\u{0}"), "not valid JSON: expected value (column 1)");
        let not_utf8 = check_line(b"{\"a\xff\"}", &ValidationContext::now()).unwrap_err();
        assert_eq!(not_utf8, "not UTF-8 text (invalid byte at column 4)");
    }
}
