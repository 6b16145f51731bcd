//! Validation: the rules of the spec that the types cannot express, checked
//! before anything is sent. Every violation names its path
//! (`events[7].objectIDs: 21 items, at most 20`) and all are reported at once.
//!
//! The checks are generated from the spec (`Validate` impls in
//! [`models`](crate::models)); this module holds what a user reads of
//! them. The pieces the generated checks share are not part of the API.

use std::fmt;
use std::time::UNIX_EPOCH;

pub(crate) mod as_written;
pub(crate) mod rules;
pub(crate) use rules::Path;

/// How serious a violation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// The API would refuse the request.
    Error,
    /// The API would accept the request but drop or distrust the value (an
    /// event older than the API keeps): refused unless the client is told to
    /// allow it.
    Warning,
}

/// One broken rule, with the path of the value that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where the value is, e.g. `events[3].userToken` (empty for the whole request).
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// Whether the API would refuse it outright.
    pub severity: Severity,
}

impl Violation {
    /// An error-level violation at `path`.
    pub(crate) fn new(path: &Path<'_>, message: impl fmt::Display) -> Self {
        Violation {
            path: path.to_string(),
            message: message.to_string(),
            severity: Severity::Error,
        }
    }

    /// A warning-level violation at `path`.
    pub(crate) fn warning(path: &Path<'_>, message: impl fmt::Display) -> Self {
        Violation {
            severity: Severity::Warning,
            ..Violation::new(path, message)
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every violation found in a request (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationErrors {
    violations: Vec<Violation>,
}

impl ValidationErrors {
    /// `Ok` when there is no violation, else all of them.
    ///
    /// # Errors
    ///
    /// When `violations` is not empty.
    pub(crate) fn check(violations: Vec<Violation>) -> Result<(), ValidationErrors> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors { violations })
        }
    }

    /// The violations, in the order they were found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// The violations, owned.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }

    /// Whether every violation is only a warning.
    pub fn only_warnings(&self) -> bool {
        self.violations
            .iter()
            .all(|v| v.severity == Severity::Warning)
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.violations.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems: ", many.len())?;
                for (i, v) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ValidationErrors {}

/// A value that breaks a constraint (a newtype's, or a single check's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintError {
    message: String,
}

impl ConstraintError {
    /// An error with this message (what is wrong and what was expected).
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConstraintError {
            message: message.into(),
        }
    }

    /// What is wrong and what was expected.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConstraintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConstraintError {}

/// What the checks need to know beyond the value itself.
#[derive(Debug, Clone)]
pub struct ValidationContext {
    now_millis: i64,
    check_serialized_size: bool,
    allow_stale_timestamps: bool,
    /// The items of required arrays of objects are left to the writing of
    /// the body (`as_written`).
    defer_items: bool,
}

impl ValidationContext {
    /// Checks as of now, every rule on.
    pub fn now() -> Self {
        let now_millis = crate::runtime::platform::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        ValidationContext {
            now_millis,
            check_serialized_size: true,
            allow_stale_timestamps: false,
            defer_items: false,
        }
    }

    /// Checks as of another time (Unix milliseconds): for tests, or for
    /// events that will be sent later.
    #[must_use]
    pub fn at(mut self, now_millis: i64) -> Self {
        self.now_millis = now_millis;
        self
    }

    /// Skips the warning-level check that timestamps are recent enough.
    #[must_use]
    pub fn allow_stale_timestamps(mut self, allow: bool) -> Self {
        self.allow_stale_timestamps = allow;
        self
    }

    /// Skips serializing bodies to check their size (the client checks the
    /// bytes it actually sends instead).
    #[must_use]
    pub fn skip_serialized_size(mut self) -> Self {
        self.check_serialized_size = false;
        self
    }

    /// The time the checks run at, in Unix milliseconds.
    pub fn now_millis(&self) -> i64 {
        self.now_millis
    }

    /// Whether bodies are serialized to check their size.
    pub fn checks_serialized_size(&self) -> bool {
        self.check_serialized_size
    }

    /// This context, leaving the items of required arrays of objects to
    /// the writing of the body (see `as_written`).
    pub(crate) fn deferring_items(&self) -> Self {
        ValidationContext {
            defer_items: true,
            ..self.clone()
        }
    }

    /// Whether the items of required arrays of objects are left to the
    /// writing of the body.
    pub(crate) fn defers_items(&self) -> bool {
        self.defer_items
    }
}

impl Default for ValidationContext {
    fn default() -> Self {
        Self::now()
    }
}

/// A value with rules to check. Implemented (generated) for every request
/// model; call `validate()` on the model itself for the common case.
pub trait Validate {
    /// Pushes every violation of `self`, found at `path`, onto `out` (the
    /// generated checks' plumbing).
    #[doc(hidden)]
    fn validate_into(&self, path: &Path<'_>, context: &ValidationContext, out: &mut Vec<Violation>);

    /// Checks `self` with `context`.
    ///
    /// # Errors
    ///
    /// All violations at once.
    fn validate_with(&self, context: &ValidationContext) -> Result<(), ValidationErrors> {
        let mut out = Vec::new();
        self.validate_into(&Path::Root, context, &mut out);
        ValidationErrors::check(out)
    }
}

/// A boxed value (a recursive schema's field) is checked as the value.
impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate_into(
        &self,
        path: &Path<'_>,
        context: &ValidationContext,
        out: &mut Vec<Violation>,
    ) {
        (**self).validate_into(path, context, out);
    }
}

#[cfg(test)]
mod tests {
    use super::rules::*;
    use super::*;
    use crate::pattern::Pattern;

    #[test]
    fn paths_print_like_the_api_names_fields() {
        let root = Path::Root;
        let events = root.field("events");
        let third = events.index(2);
        let positions = third.field("positions");
        assert_eq!(positions.index(0).to_string(), "events[2].positions[0]");
        assert_eq!(root.to_string(), "");
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        assert!(check_length("ééé", Some(1), Some(3)).is_ok());
        assert_eq!(
            check_length("éééé", None, Some(3)).unwrap_err().message(),
            "4 characters, at most 3"
        );
        assert_eq!(
            check_length("", Some(1), None).unwrap_err().message(),
            "0 characters, at least 1"
        );
        assert_eq!(
            check_length("ab", Some(3), Some(3)).unwrap_err().message(),
            "2 characters, at least 3"
        );
    }

    #[test]
    fn items_and_ranges_say_what_was_expected() {
        assert_eq!(
            check_items(21, Some(1), Some(20)).unwrap_err().message(),
            "21 items, at most 20"
        );
        assert_eq!(
            check_items(0, Some(1), Some(20)).unwrap_err().message(),
            "0 items, at least 1"
        );
        assert_eq!(
            check_range(0.0, Some(1.0), false, None, false)
                .unwrap_err()
                .message(),
            "must be >= 1, got 0"
        );
        assert!(check_range(1.0, Some(1.0), false, None, false).is_ok());
        assert_eq!(
            check_range(1.0, Some(1.0), true, None, false)
                .unwrap_err()
                .message(),
            "must be > 1, got 1"
        );
        assert_eq!(
            check_range(2.5, None, false, Some(2.0), false)
                .unwrap_err()
                .message(),
            "must be <= 2, got 2.5"
        );
        assert_eq!(
            check_integer_range(2, None, false, Some(2.0), true)
                .unwrap_err()
                .message(),
            "must be < 2, got 2"
        );
        assert_eq!(
            check_items(3, None, Some(2)).unwrap_err().message(),
            "3 items, at most 2"
        );
        assert_eq!(
            check_items(1, Some(2), None).unwrap_err().message(),
            "1 item, at least 2"
        );
    }

    #[test]
    fn integers_are_compared_and_reported_exactly() {
        assert!(check_integer_range(1, Some(1.0), false, None, false).is_ok());
        assert_eq!(
            check_integer_range(i64::MIN + 1, Some(1.0), false, None, false)
                .unwrap_err()
                .message(),
            "must be >= 1, got -9223372036854775807"
        );
        // 2^53 + 1 is not an f64: as one, it would equal the bound.
        let above = (1_i64 << 53) + 1;
        assert!(
            check_integer_range(above, None, false, Some((1_i64 << 53) as f64), false).is_err()
        );
        assert!(check_integer_range(above, Some((1_i64 << 53) as f64), true, None, false).is_ok());
        // Fractional bounds of integers.
        assert!(check_integer_range(1, Some(0.5), false, Some(1.5), false).is_ok());
        assert!(check_integer_range(0, Some(0.5), false, None, false).is_err());
        assert!(check_integer_range(2, None, false, Some(2.0), true).is_err());
        assert!(check_integer_range(i64::MAX, None, false, Some(f64::MAX), false).is_ok());
    }

    #[test]
    fn numbers_json_cannot_carry_are_refused() {
        assert!(check_finite(-0.5).is_ok());
        assert_eq!(
            check_finite(f64::NAN).unwrap_err().message(),
            "must be a finite number, got NaN (JSON has no such number)"
        );
        assert_eq!(
            check_finite(f64::NEG_INFINITY).unwrap_err().message(),
            "must be a finite number, got -inf (JSON has no such number)"
        );
    }

    #[test]
    fn timestamps_in_seconds_and_stale_ones_are_caught() {
        let now = 1_800_000_000_000;
        let context = ValidationContext::now().at(now);
        let path = Path::Root;
        let seconds = check_unix_time(1_700_000_000, true, Some(30), &path, &context).unwrap();
        assert!(seconds.message.contains("looks like seconds"), "{seconds}");
        assert_eq!(seconds.severity, Severity::Error);
        let stale =
            check_unix_time(now - 31 * 86_400_000, true, Some(30), &path, &context).unwrap();
        assert_eq!(stale.severity, Severity::Warning);
        assert!(stale.message.contains("31 days old"), "{stale}");
        assert!(check_unix_time(now - 29 * 86_400_000, true, Some(30), &path, &context).is_none());
        let lenient = context.allow_stale_timestamps(true);
        assert!(check_unix_time(now - 31 * 86_400_000, true, Some(30), &path, &lenient).is_none());
    }

    #[test]
    fn a_pattern_that_does_not_match_names_value_and_pattern() {
        static P: Pattern = Pattern::compiled("^[a-z]{1,3}$", |value: &[u8]| {
            (1..=3).contains(&value.len()) && value.iter().all(|b| b.is_ascii_lowercase())
        });
        assert!(P.check("abc").is_ok());
        assert_eq!(
            P.check("abcd").unwrap_err().message(),
            "`abcd` does not match the pattern `^[a-z]{1,3}$`"
        );
    }
}
