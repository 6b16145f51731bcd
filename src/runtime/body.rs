//! A request body that the caller either hands over or lends: generated
//! operations with a required body take `impl IntoBody<'a, T>`, so that
//! `client.push_events(batch)` and `client.push_events(&batch)` both work.
//! Lending lets a caller keep (and reuse, or free later) what it sent.

use std::fmt;
use std::ops::Deref;

/// A body owned by the request, or borrowed from the caller.
pub enum Body<'a, T> {
    /// Handed over: freed with the request.
    Owned(T),
    /// Lent: the caller keeps it.
    Borrowed(&'a T),
}

impl<T> Deref for Body<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match self {
            Body::Owned(body) => body,
            Body::Borrowed(body) => body,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Body<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (**self).fmt(f)
    }
}

/// What a request body argument accepts: the body, or a reference to it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a request body of type `{T}`",
    label = "expected `{T}` or `&{T}` here",
    note = "build the body first: for example `InsightsEvents::new([event.into()])` for a batch of events"
)]
pub trait IntoBody<'a, T> {
    /// The body, owned or borrowed (the generated code's plumbing).
    #[doc(hidden)]
    fn into_body(self) -> Body<'a, T>;
}

impl<'a, T> IntoBody<'a, T> for T {
    fn into_body(self) -> Body<'a, T> {
        Body::Owned(self)
    }
}

impl<'a, T> IntoBody<'a, T> for &'a T {
    fn into_body(self) -> Body<'a, T> {
        Body::Borrowed(self)
    }
}

#[cfg(test)]
mod tests {
    use super::{Body, IntoBody};

    #[test]
    fn owned_and_borrowed_bodies_read_the_same() {
        let batch = vec![1, 2, 3];
        let borrowed: Body<'_, Vec<i32>> = (&batch).into_body();
        assert!(matches!(borrowed, Body::Borrowed(_)));
        assert_eq!(*borrowed, [1, 2, 3]);
        let owned: Body<'_, Vec<i32>> = batch.clone().into_body();
        assert!(matches!(owned, Body::Owned(_)));
        assert_eq!(format!("{owned:?}"), format!("{batch:?}"));
    }
}
