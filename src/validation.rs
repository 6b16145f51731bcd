//! Validation: the rules of the spec that the types cannot express, checked
//! before anything is sent. Every violation names its path
//! (`events[7].objectIDs: 21 items, at most 20`) and all are reported at once.
//!
//! The checks are generated from the spec (`Validate` impls in
//! [`models`](crate::models)); this module holds the pieces they share.

use std::fmt;

pub use crate::pattern::Pattern;
use std::time::{SystemTime, UNIX_EPOCH};

/// Where a value is inside a request: `events[2].positions[0]`.
///
/// Built on the stack while checking, and turned into text only when a
/// violation is found, so that checking a valid value allocates nothing.
#[derive(Debug, Clone, Copy)]
pub enum Path<'a> {
    /// The request body (or the value being checked) itself.
    Root,
    /// A property of an object, by its name in the spec.
    Field(&'a Path<'a>, &'a str),
    /// An item of a list.
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    /// The path of the property `name` below this one.
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    /// The path of the map entry `key` below this one.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Field(self, key)
    }

    /// The path of the list item `index` below this one.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

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
    pub fn new(path: &Path<'_>, message: impl fmt::Display) -> Self {
        Violation {
            path: path.to_string(),
            message: message.to_string(),
            severity: Severity::Error,
        }
    }

    /// A warning-level violation at `path`.
    pub fn warning(path: &Path<'_>, message: impl fmt::Display) -> Self {
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
    pub fn check(violations: Vec<Violation>) -> Result<(), ValidationErrors> {
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
    pub fn new(message: impl Into<String>) -> Self {
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
}

impl ValidationContext {
    /// Checks as of now, every rule on.
    pub fn now() -> Self {
        let now_millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        ValidationContext {
            now_millis,
            check_serialized_size: true,
            allow_stale_timestamps: false,
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
}

impl Default for ValidationContext {
    fn default() -> Self {
        Self::now()
    }
}

/// A value with rules to check. Implemented (generated) for every request
/// model; call `validate()` on the model itself for the common case.
pub trait Validate {
    /// Pushes every violation of `self`, found at `path`, onto `out`.
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

/// A string's length in characters, as the API counts it.
///
/// # Errors
///
/// When the length is out of bounds; the message gives the length and the bound.
pub fn check_length(
    value: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ConstraintError> {
    // Bytes bound characters from above: most values need no counting.
    let bytes = value.len() as u64;
    if max.is_none_or(|max| bytes <= max) && min.is_none_or(|min| bytes >= min && value.is_ascii())
    {
        return Ok(());
    }
    let chars = value.chars().count() as u64;
    if let Some(min) = min.filter(|&min| chars < min) {
        return Err(ConstraintError::new(format!(
            "{chars} characters, at least {min}"
        )));
    }
    if let Some(max) = max.filter(|&max| chars > max) {
        return Err(ConstraintError::new(format!(
            "{chars} characters, at most {max}"
        )));
    }
    Ok(())
}

/// A list's number of items.
///
/// # Errors
///
/// When the count is out of bounds (`21 items, at most 20`).
pub fn check_items(
    count: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ConstraintError> {
    let n = count as u64;
    if let Some(min) = min.filter(|&min| n < min) {
        return Err(ConstraintError::new(format!(
            "{}, at least {min}",
            items(count)
        )));
    }
    if let Some(max) = max.filter(|&max| n > max) {
        return Err(ConstraintError::new(format!(
            "{}, at most {max}",
            items(count)
        )));
    }
    Ok(())
}

/// `1 item`, `21 items`.
fn items(count: usize) -> String {
    if count == 1 {
        "1 item".to_string()
    } else {
        format!("{count} items")
    }
}

/// A number's bounds.
///
/// # Errors
///
/// When the value is out of bounds (`must be >= 1, got 0`).
pub fn check_range(
    value: f64,
    min: Option<f64>,
    exclusive_min: bool,
    max: Option<f64>,
    exclusive_max: bool,
) -> Result<(), ConstraintError> {
    if let Some(min) = min {
        if value < min || (exclusive_min && value == min) {
            let op = if exclusive_min { ">" } else { ">=" };
            return Err(ConstraintError::new(format!(
                "must be {op} {min}, got {value}"
            )));
        }
    }
    if let Some(max) = max {
        if value > max || (exclusive_max && value == max) {
            let op = if exclusive_max { "<" } else { "<=" };
            return Err(ConstraintError::new(format!(
                "must be {op} {max}, got {value}"
            )));
        }
    }
    Ok(())
}

/// `multipleOf`: the value divided by `factor` is a whole number (for
/// integers and whole factors, exactly; otherwise within floating-point error).
///
/// # Errors
///
/// When it is not (`must be a multiple of 5, got 12`).
pub fn check_multiple_of(value: f64, factor: f64) -> Result<(), ConstraintError> {
    let quotient = value / factor;
    let whole = if value.fract() == 0.0 && factor.fract() == 0.0 && value.abs() < 9.0e15 {
        value % factor == 0.0
    } else {
        quotient.is_finite()
            && (quotient - quotient.round()).abs() <= 1e-9 * quotient.abs().max(1.0)
    };
    if whole {
        Ok(())
    } else {
        Err(ConstraintError::new(format!(
            "must be a multiple of {factor}, got {value}"
        )))
    }
}

/// An integer's bounds, compared exactly (an `i64` does not always fit in an
/// `f64`), and reported with the value as given.
///
/// # Errors
///
/// When the value is out of bounds (`must be >= 1, got -9007199254740993`).
pub fn check_integer_range(
    value: i64,
    min: Option<f64>,
    exclusive_min: bool,
    max: Option<f64>,
    exclusive_max: bool,
) -> Result<(), ConstraintError> {
    // For a whole number v: v >= m ⇔ v >= ceil(m), v > m ⇔ v > floor(m), and
    // the same the other way; `as i128` saturates, so no bound overflows.
    let v = i128::from(value);
    if let Some(min) = min {
        let fits = if exclusive_min {
            v > min.floor() as i128
        } else {
            v >= min.ceil() as i128
        };
        if !fits {
            let op = if exclusive_min { ">" } else { ">=" };
            return Err(ConstraintError::new(format!(
                "must be {op} {min}, got {value}"
            )));
        }
    }
    if let Some(max) = max {
        let fits = if exclusive_max {
            v < max.ceil() as i128
        } else {
            v <= max.floor() as i128
        };
        if !fits {
            let op = if exclusive_max { "<" } else { "<=" };
            return Err(ConstraintError::new(format!(
                "must be {op} {max}, got {value}"
            )));
        }
    }
    Ok(())
}

/// A number JSON can carry: serde_json would write NaN and the infinities
/// as `null`, so they are refused rather than silently dropped.
///
/// # Errors
///
/// When the value is NaN or infinite (`must be a finite number, got NaN`).
pub fn check_finite(value: f64) -> Result<(), ConstraintError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ConstraintError::new(format!(
            "must be a finite number, got {value} (JSON has no such number)"
        )))
    }
}

/// Below this, a "milliseconds" timestamp is plainly in seconds: 10^11 ms is
/// March 1973, while 10^11 s is thousands of years ahead.
const SECONDS_LOOK_LIKE_BELOW: i64 = 100_000_000_000;

/// A Unix timestamp: in the right unit, and recent enough when sent.
pub fn check_unix_time(
    value: i64,
    milliseconds: bool,
    max_age_days: Option<u64>,
    path: &Path<'_>,
    context: &ValidationContext,
) -> Option<Violation> {
    if value < 0 {
        return Some(Violation::new(
            path,
            format!("{value} is before 1970: expected a Unix time"),
        ));
    }
    let millis = if milliseconds {
        if value < SECONDS_LOOK_LIKE_BELOW {
            return Some(Violation::new(
                path,
                format!(
                    "{value} looks like seconds since the Unix epoch; the API expects milliseconds ({})",
                    value.saturating_mul(1000)
                ),
            ));
        }
        value
    } else {
        value.saturating_mul(1000)
    };
    let max_age_days = max_age_days?;
    if context.allow_stale_timestamps {
        return None;
    }
    let max_age = i64::try_from(max_age_days)
        .unwrap_or(i64::MAX)
        .saturating_mul(86_400_000);
    let age = context.now_millis.saturating_sub(millis);
    if age > max_age {
        let days = age / 86_400_000;
        let old = if days > i64::try_from(max_age_days).unwrap_or(i64::MAX) {
            format!("{days} days old")
        } else {
            format!("just over {max_age_days} days old")
        };
        return Some(Violation::warning(
            path,
            format!("{value} is {old}; the API ignores events more than {max_age_days} days old (allow stale timestamps to send it anyway)"),
        ));
    }
    None
}

/// Two lists that must have the same number of items (when both are set).
pub fn check_same_length(
    path: &Path<'_>,
    first: &str,
    first_len: Option<usize>,
    second: &str,
    second_len: Option<usize>,
) -> Option<Violation> {
    match (first_len, second_len) {
        (Some(a), Some(b)) if a != b => Some(Violation::new(
            &path.field(first),
            format!(
                "{}, but `{second}` has {b}: they must have the same number of items",
                items(a)
            ),
        )),
        _ => None,
    }
}

/// The size of a value's JSON.
pub fn check_serialized_size<T: serde::Serialize>(
    value: &T,
    max: u64,
    path: &Path<'_>,
) -> Option<Violation> {
    struct Counter(u64);
    impl std::io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    if let Err(error) = serde_json::to_writer(&mut counter, value) {
        return Some(Violation::new(
            path,
            format!("cannot be serialized to JSON: {error}"),
        ));
    }
    serialized_size_violation(counter.0, max, path)
}

/// The violation for a body of `size` bytes when at most `max` are allowed.
pub fn serialized_size_violation(size: u64, max: u64, path: &Path<'_>) -> Option<Violation> {
    (size > max).then(|| {
        Violation::new(
            path,
            format!("the JSON body is {size} bytes, at most {max}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(check_range(1.0, Some(1.0), true, None, false).is_err());
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
        static P: Pattern = Pattern::new("^[a-z]{1,3}$");
        assert!(P.check("abc").is_ok());
        assert_eq!(
            P.check("abcd").unwrap_err().message(),
            "`abcd` does not match the pattern `^[a-z]{1,3}$`"
        );
    }
}
