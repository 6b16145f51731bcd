//! An event checked the way a sender takes it: its rules, its JSON written
//! once (these bytes are what goes out), and a size a request can carry
//! alone. The `Sender` and the JetStream producer take events through
//! these, so that both accept and refuse exactly the same ones.

use super::batch::ENVELOPE_BYTES;
use crate::models::EventsItems;
use crate::runtime::decode::DecodeError;
use crate::validation::{Path, Validate, ValidationContext, ValidationErrors, Violation};

/// Why an event's JSON text was not taken.
#[derive(Debug)]
pub(crate) enum TextRefused {
    /// Not an event.
    Decode(DecodeError),
    /// An event that breaks a rule, or too large to send.
    Invalid(ValidationErrors),
}

/// Checks `event` against `context`, and writes its JSON into `out`
/// (cleared first), which must fit a batch of `max_batch_bytes` alone.
pub(crate) fn event_json(
    event: &EventsItems,
    context: &ValidationContext,
    max_batch_bytes: usize,
    out: &mut Vec<u8>,
) -> Result<(), ValidationErrors> {
    event.validate_with(context)?;
    out.clear();
    crate::runtime::write_json::to_vec_end(out, event)
        .map_err(|e| refusal(format!("cannot be serialized to JSON: {e}")))?;
    fits(out, max_batch_bytes)
}

/// Reads and checks an event's JSON text: the text, without the blanks
/// around it, which is what goes out.
pub(crate) fn json_text<'a>(
    json: &'a str,
    context: &ValidationContext,
    max_batch_bytes: usize,
) -> Result<&'a str, TextRefused> {
    let text = json.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'));
    let event = EventsItems::from_json(text).map_err(TextRefused::Decode)?;
    event.validate_with(context).map_err(TextRefused::Invalid)?;
    fits(text.as_bytes(), max_batch_bytes).map_err(TextRefused::Invalid)?;
    Ok(text)
}

/// An event's JSON must fit a batch of `max_batch_bytes` alone.
fn fits(json: &[u8], max_batch_bytes: usize) -> Result<(), ValidationErrors> {
    if json.len() + ENVELOPE_BYTES >= max_batch_bytes {
        return Err(refusal(format!(
            "the event is {} bytes of JSON: a batch of it alone would not stay below {max_batch_bytes} bytes",
            json.len()
        )));
    }
    Ok(())
}

/// A refusal of the whole event (at its root).
pub(crate) fn refusal(message: String) -> ValidationErrors {
    ValidationErrors::check(vec![Violation::new(&Path::Root, message)])
        .expect_err("one violation is an error")
}
