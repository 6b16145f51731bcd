//! The pieces the generated checks are made of (reached through
//! `crate::__private`): the path of a value, one function per kind of
//! constraint of the spec, and the constructors of violations.

use super::{ConstraintError, ValidationContext, ValidationErrors, Violation};
use std::fmt;

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

/// An error-level violation at `path`.
pub fn violation(path: &Path<'_>, message: impl fmt::Display) -> Violation {
    Violation::new(path, message)
}

/// `Ok` when there is no violation, else all of them.
///
/// # Errors
///
/// When `violations` is not empty.
pub fn check_violations(violations: Vec<Violation>) -> Result<(), ValidationErrors> {
    ValidationErrors::check(violations)
}

/// A string's length in characters, as the API counts it.
///
/// # Errors
///
/// When the length is out of bounds; the message gives the length and the bound.
#[inline]
pub fn check_length(
    value: &str,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ConstraintError> {
    // Bytes bound characters from above, and a quarter of them from below
    // (a character is 1 to 4 bytes): most values need no counting.
    let bytes = value.len() as u64;
    if max.is_none_or(|max| bytes <= max)
        && min.is_none_or(|min| bytes.div_ceil(4) >= min || (bytes >= min && value.is_ascii()))
    {
        return Ok(());
    }
    count_length(value, min, max)
}

/// [`check_length`] when bytes alone do not settle it: counts the characters.
#[cold]
#[inline(never)]
fn count_length(value: &str, min: Option<u64>, max: Option<u64>) -> Result<(), ConstraintError> {
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
#[inline]
pub fn check_items(
    count: usize,
    min: Option<u64>,
    max: Option<u64>,
) -> Result<(), ConstraintError> {
    let n = count as u64;
    if min.is_none_or(|min| n >= min) && max.is_none_or(|max| n <= max) {
        return Ok(());
    }
    Err(items_out_of_bounds(count, min, max))
}

#[cold]
#[inline(never)]
fn items_out_of_bounds(count: usize, min: Option<u64>, max: Option<u64>) -> ConstraintError {
    let n = count as u64;
    let (relation, bound) = match min.filter(|&min| n < min) {
        Some(min) => ("at least", min),
        // Not below the minimum, so above the maximum.
        None => ("at most", max.unwrap_or(n)),
    };
    ConstraintError::new(format!("{}, {relation} {bound}", items(count)))
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
#[inline]
pub fn check_range(
    value: f64,
    min: Option<f64>,
    exclusive_min: bool,
    max: Option<f64>,
    exclusive_max: bool,
) -> Result<(), ConstraintError> {
    if let Some(min) = min {
        if value < min || (exclusive_min && value == min) {
            return Err(out_of_range(">", exclusive_min, min, value));
        }
    }
    if let Some(max) = max {
        if value > max || (exclusive_max && value == max) {
            return Err(out_of_range("<", exclusive_max, max, value));
        }
    }
    Ok(())
}

/// `must be >= 1, got 0`: `value` is on the wrong side (`side`, `>` or `<`)
/// of `bound`.
#[cold]
#[inline(never)]
fn out_of_range(
    side: &str,
    exclusive: bool,
    bound: f64,
    value: impl fmt::Display,
) -> ConstraintError {
    let or_equal = if exclusive { "" } else { "=" };
    ConstraintError::new(format!("must be {side}{or_equal} {bound}, got {value}"))
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
#[inline]
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
            return Err(out_of_range(">", exclusive_min, min, value));
        }
    }
    if let Some(max) = max {
        let fits = if exclusive_max {
            v < max.ceil() as i128
        } else {
            v <= max.floor() as i128
        };
        if !fits {
            return Err(out_of_range("<", exclusive_max, max, value));
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
#[inline]
pub fn check_finite(value: f64) -> Result<(), ConstraintError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(not_finite(value))
    }
}

#[cold]
#[inline(never)]
fn not_finite(value: f64) -> ConstraintError {
    ConstraintError::new(format!(
        "must be a finite number, got {value} (JSON has no such number)"
    ))
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
#[inline]
pub fn check_same_length(
    path: &Path<'_>,
    first: &str,
    first_len: Option<usize>,
    second: &str,
    second_len: Option<usize>,
) -> Option<Violation> {
    match (first_len, second_len) {
        (Some(a), Some(b)) if a != b => Some(not_same_length(path, first, a, second, b)),
        _ => None,
    }
}

#[cold]
#[inline(never)]
fn not_same_length(path: &Path<'_>, first: &str, a: usize, second: &str, b: usize) -> Violation {
    Violation::new(
        &path.field(first),
        format!(
            "{}, but `{second}` has {b}: they must have the same number of items",
            items(a)
        ),
    )
}

/// `dependentRequired`: when `property` is set, each of `required` (name,
/// whether it is set) must be set too.
pub fn check_dependent_required(
    path: &Path<'_>,
    property: &str,
    is_set: bool,
    required: &[(&str, bool)],
) -> Option<Violation> {
    if !is_set {
        return None;
    }
    let missing: Vec<String> = required
        .iter()
        .filter(|(_, set)| !set)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    (!missing.is_empty()).then(|| {
        Violation::new(
            &path.field(property),
            format!(
                "is set, so {} must be set too",
                crate::runtime::join::join(&missing, " and ")
            ),
        )
    })
}

/// The size of a value's JSON.
pub fn check_serialized_size<T: serde::Serialize>(
    value: &T,
    max: u64,
    path: &Path<'_>,
) -> Option<Violation> {
    // Written into a buffer, as a request's body is, rather than counted
    // through a writer of its own: the same compiled serializer serves both
    // (a second writer type would compile every model's `Serialize` again).
    // The buffer is about the size of the value, which is in memory already.
    let mut bytes = Vec::new();
    if let Err(error) = crate::runtime::write_json::to_vec_end(&mut bytes, value) {
        return Some(Violation::new(
            path,
            format!("cannot be serialized to JSON: {error}"),
        ));
    }
    serialized_size_violation(bytes.len() as u64, max, path)
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
