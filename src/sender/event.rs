//! What `Sender::send` and `try_send` accept: an event handed over, or an
//! `EventsItems` lent. The sender serializes an event when it takes it, so
//! it needs to own one only to hand it back on an error: a lent event is
//! cloned then, and only then.

use crate::models::EventsItems;
use std::borrow::Cow;

/// An event for a [`Sender`](super::Sender): any of the generated event
/// types or an [`EventsItems`], handed over (freed by the sender), or a
/// `&EventsItems`, lent (the caller keeps it, and frees it when it likes).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an Insights event",
    label = "expected an event type, `EventsItems` or `&EventsItems` here",
    note = "a lent event must be an `&EventsItems`: convert it first with `EventsItems::from(event)`"
)]
pub trait IntoEvent<'a> {
    /// The event, owned or borrowed.
    fn into_event(self) -> Cow<'a, EventsItems>;
}

impl<'a, T: Into<EventsItems>> IntoEvent<'a> for T {
    fn into_event(self) -> Cow<'a, EventsItems> {
        Cow::Owned(self.into())
    }
}

impl<'a> IntoEvent<'a> for &'a EventsItems {
    fn into_event(self) -> Cow<'a, EventsItems> {
        Cow::Borrowed(self)
    }
}
