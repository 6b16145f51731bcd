//! A request body's array items checked as they are written: one pass over
//! the data instead of two.
//!
//! Checking a batch of events first and writing it second reads every
//! event twice; on a batch that is not in the cache (events built a while
//! ago), the second read costs as much as the first. So an operation whose
//! body is a model checks it in two steps:
//!
//! 1. [`check_request`]: the body's own rules, with its arrays of objects
//!    only counted (a context that *defers items*), and the parameters';
//! 2. [`HttpRequest::checked_json_body`]: the body written as JSON, each
//!    item of those arrays checked just before it is written, by the field's
//!    `serialize_with` ([`serialize_checked_items`]), which finds the check
//!    to run in a thread-local set for the length of that one call.
//!
//! Any violation, at either step, runs the whole check again the usual way,
//! so the error lists every violation with its path, exactly as checking
//! first would. Written outside `checked_json_body` (`serde_json::to_string`
//! of a model), the same fields write their items unchecked.

use super::rules::Path;
use super::{Validate, ValidationContext, ValidationErrors, Violation};
use crate::error::Error;
use crate::runtime::request::HttpRequest;
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::cell::Cell;

/// The check of one `checked_json_body` call: its context, and whether
/// every item written so far passed.
struct Checking {
    context: ValidationContext,
    clean: bool,
    /// The items the body's outermost checked arrays held (a batch's
    /// events), which the operation's span reports as `algolia.events`.
    items: usize,
}

thread_local! {
    /// Set by `checked_json_body` while it writes; taken by the outermost
    /// array of checked items (whose items' own checks cover what they hold).
    static CHECKING: Cell<Option<Checking>> = const { Cell::new(None) };
}

/// Writes a required array of objects (the generated `serialize_with` of
/// such fields). Inside [`HttpRequest::checked_json_body`], checks each item
/// just before writing it; elsewhere, writes them as serde would.
///
/// # Errors
///
/// The serializer's.
pub fn serialize_checked_items<T, S>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + Validate,
    S: Serializer,
{
    let Some(mut checking) = CHECKING.take() else {
        return serializer.collect_seq(items);
    };
    let mut violations = Vec::new();
    let written = (|| {
        let mut seq = serializer.serialize_seq(Some(items.len()))?;
        for item in items {
            item.validate_into(&Path::Root, &checking.context, &mut violations);
            seq.serialize_element(item)?;
        }
        seq.end()
    })();
    // Which item broke which rule does not matter here: the full check
    // runs again for the error. Items not reached are not clean either.
    checking.clean &= written.is_ok() && violations.is_empty();
    checking.items += items.len();
    CHECKING.set(Some(checking));
    written
}

/// Puts back what `CHECKING` held before a `checked_json_body`, however
/// that call ends (a panic in a serializer included).
struct Restore(Option<Checking>);

impl Drop for Restore {
    fn drop(&mut self) {
        CHECKING.set(self.0.take());
    }
}

/// Checks an operation's parameters (their violations so far, `violations`)
/// and its body, leaving the items of the body's arrays of objects to
/// [`HttpRequest::checked_json_body`].
///
/// # Errors
///
/// [`Error::InvalidRequest`], with every violation of the parameters and
/// of the whole body (items included), each with its path.
pub fn check_request<T: Validate + ?Sized>(
    body: &T,
    context: &ValidationContext,
    mut violations: Vec<Violation>,
) -> Result<(), Error> {
    let parameters = violations.len();
    body.validate_into(&Path::Root, &context.deferring_items(), &mut violations);
    if violations.is_empty() {
        return Ok(());
    }
    violations.truncate(parameters);
    body.validate_into(&Path::Root, context, &mut violations);
    Err(Error::InvalidRequest(ValidationErrors { violations }))
}

impl HttpRequest {
    /// Serializes a JSON body that [`check_request`] checked, checking the
    /// items it left on the way (see the module's documentation);
    /// `max_bytes` is the API's size limit.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidRequest`] with every violation of the body when an
    /// item breaks a rule, or when the body is over the limit.
    pub fn checked_json_body<T: Serialize + Validate + ?Sized>(
        &mut self,
        body: &T,
        max_bytes: Option<u64>,
        context: &ValidationContext,
    ) -> Result<(), Error> {
        let restore = Restore(CHECKING.replace(Some(Checking {
            context: context.clone(),
            clean: true,
            items: 0,
        })));
        let written = self.json_body(body, max_bytes);
        let checking = CHECKING.take();
        drop(restore);
        let clean = checking.as_ref().is_some_and(|checking| checking.clean);
        if let Some(checking) = checking.filter(|checking| checking.items > 0) {
            self.events.get_or_insert(checking.items);
        }
        // A failure before every item was checked (the size limit, a value
        // that cannot be written) gives way to the items' violations.
        if clean && written.is_ok() {
            return written;
        }
        body.validate_with(context)?;
        written
    }
}

/// The error of a request whose body's items were left to the writing,
/// when a step before the writing failed (a path segment, a query or header
/// value): the body's violations if it has any, all of them with their
/// paths, as checking the whole body first would have found them; else
/// `error`.
pub fn violations_first<T: Validate + ?Sized>(
    body: &T,
    context: &ValidationContext,
    error: Error,
) -> Error {
    match body.validate_with(context) {
        Err(errors) => Error::InvalidRequest(errors),
        Ok(()) => error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    thread_local! {
        /// How many times this thread checked an item.
        static ITEM_CHECKS: Cell<usize> = const { Cell::new(0) };
    }

    #[derive(Serialize)]
    struct Item {
        n: i64,
    }

    impl Validate for Item {
        fn validate_into(&self, path: &Path<'_>, _: &ValidationContext, out: &mut Vec<Violation>) {
            ITEM_CHECKS.set(ITEM_CHECKS.get() + 1);
            if self.n < 0 {
                out.push(Violation::new(&path.field("n"), "negative"));
            }
        }
    }

    /// As the generator writes a model with a required array of objects.
    #[derive(Serialize)]
    struct Body {
        tag: i64,
        #[serde(serialize_with = "serialize_checked_items")]
        items: Vec<Item>,
    }

    impl Validate for Body {
        fn validate_into(
            &self,
            path: &Path<'_>,
            context: &ValidationContext,
            out: &mut Vec<Violation>,
        ) {
            if self.tag < 0 {
                out.push(Violation::new(&path.field("tag"), "negative"));
            }
            let path = &path.field("items");
            if !context.defers_items() {
                for (index, item) in self.items.iter().enumerate() {
                    item.validate_into(&path.index(index), context, out);
                }
            }
        }
    }

    fn body(tag: i64, items: &[i64]) -> Body {
        Body {
            tag,
            items: items.iter().map(|&n| Item { n }).collect(),
        }
    }

    /// `check_request` then `checked_json_body`, as a generated operation sends.
    fn send(body: &Body) -> Result<HttpRequest, Error> {
        let context = ValidationContext::now();
        check_request(body, &context, Vec::new())?;
        let mut request = HttpRequest::new(Method::POST, "/1/x".into());
        request.checked_json_body(body, Some(1 << 20), &context)?;
        Ok(request)
    }

    fn paths(error: Error) -> Vec<String> {
        match error {
            Error::InvalidRequest(errors) => {
                errors.violations().iter().map(|v| v.path.clone()).collect()
            }
            other => panic!("expected InvalidRequest, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_body_is_written_as_serde_writes_it_each_item_checked_once() {
        let body = body(1, &[1, 2, 3, 4]);
        ITEM_CHECKS.set(0);
        let request = send(&body).unwrap();
        assert_eq!(ITEM_CHECKS.get(), 4, "one check per item, in one pass");
        let written = request.body().unwrap();
        assert_eq!(&written[..], serde_json::to_vec(&body).unwrap().as_slice());
        assert_eq!(
            &written[..],
            br#"{"tag":1,"items":[{"n":1},{"n":2},{"n":3},{"n":4}]}"#
        );
    }

    #[test]
    fn an_invalid_item_is_found_as_it_is_written_and_named_by_its_path() {
        let error = send(&body(1, &[1, 2, -3, 4, -5])).unwrap_err();
        assert_eq!(paths(error), ["items[2].n", "items[4].n"]);
    }

    #[test]
    fn a_body_that_breaks_its_own_rules_reports_its_items_too() {
        let error = send(&body(-1, &[1, -2])).unwrap_err();
        assert_eq!(paths(error), ["tag", "items[1].n"]);
        // The parameters' violations come first.
        let parameter = Violation::new(&Path::Root.field("userToken"), "empty");
        let error =
            check_request(&body(1, &[-1]), &ValidationContext::now(), vec![parameter]).unwrap_err();
        assert_eq!(paths(error), ["userToken", "items[0].n"]);
    }

    #[test]
    fn a_failure_before_the_items_are_checked_gives_way_to_them() {
        // Over the size limit: the items' violations, not the limit's.
        let body = body(1, &[1, -2, 3]);
        let context = ValidationContext::now();
        check_request(&body, &context, Vec::new()).unwrap();
        let mut request = HttpRequest::new(Method::POST, "/1/x".into());
        let error = request
            .checked_json_body(&body, Some(8), &context)
            .unwrap_err();
        assert_eq!(paths(error), ["items[1].n"]);
        // A valid body over the limit gets the limit's error.
        let valid = super::tests::body(1, &[1]);
        let error = request
            .checked_json_body(&valid, Some(8), &context)
            .unwrap_err();
        assert!(error.to_string().contains("at most 8"), "{error}");
        // A step before the writing (a path segment, say) gives way too.
        let segment = Error::InvalidHost {
            host: "h".into(),
            reason: "r".into(),
        };
        assert_eq!(
            paths(violations_first(&body, &context, segment)),
            ["items[1].n"]
        );
        let segment = Error::NoHosts;
        assert!(matches!(
            violations_first(&valid, &context, segment),
            Error::NoHosts
        ));
    }

    /// A body whose writing panics half way.
    struct Panics;

    impl Serialize for Panics {
        fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("a serializer that panics");
        }
    }

    impl Validate for Panics {
        fn validate_into(&self, _: &Path<'_>, _: &ValidationContext, _: &mut Vec<Violation>) {}
    }

    #[test]
    fn a_panic_while_writing_leaves_nothing_behind() {
        let mut request = HttpRequest::new(Method::POST, "/1/x".into());
        let context = ValidationContext::now();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            request.checked_json_body(&Panics, None, &context)
        }));
        assert!(caught.is_err());
        assert!(CHECKING.take().is_none(), "the check stayed set");
    }

    #[test]
    fn written_anywhere_else_the_items_are_not_checked() {
        let body = body(1, &[-1]);
        ITEM_CHECKS.set(0);
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"tag":1,"items":[{"n":-1}]}"#
        );
        assert_eq!(ITEM_CHECKS.get(), 0);
        // Nor after a checked write, failed or not.
        assert!(send(&body).is_err());
        ITEM_CHECKS.set(0);
        assert!(serde_json::to_string(&body).is_ok());
        assert_eq!(ITEM_CHECKS.get(), 0);
    }
}
