//! The spec's `pattern`s at run time. The generator writes the check of a
//! simple pattern (an anchored ASCII class with a length, possibly after a
//! literal prefix and in alternatives: `^[a-zA-Z0-9_=/+-]{1,129}$`) as code
//! ([`Pattern::compiled`]); any other pattern goes to the `regex` crate
//! ([`Pattern::regex`], feature `regex`). The fixture test
//! `tests/fixture_pass/patterns.rs` checks that both answer as the regex
//! crate does.

use crate::validation::ConstraintError;

/// A regular expression from the spec, with the check the generator chose.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    matcher: Matcher,
}

#[derive(Debug)]
enum Matcher {
    /// The generated check of the value's bytes.
    Compiled(fn(&[u8]) -> bool),
    /// The regex engine, the pattern compiled on first use (`None`: it does
    /// not compile, and matches nothing).
    #[cfg(feature = "regex")]
    Regex(std::sync::OnceLock<Option<regex::Regex>>),
}

impl Pattern {
    /// A pattern (anchored in the spec with `^…$`) checked by generated code:
    /// `is_match` gets the value's UTF-8 bytes.
    pub const fn compiled(source: &'static str, is_match: fn(&[u8]) -> bool) -> Self {
        Pattern {
            source,
            matcher: Matcher::Compiled(is_match),
        }
    }

    /// A pattern checked by the `regex` crate, compiled on first use.
    #[cfg(feature = "regex")]
    #[cfg_attr(docsrs, doc(cfg(feature = "regex")))]
    pub const fn regex(source: &'static str) -> Self {
        Pattern {
            source,
            matcher: Matcher::Regex(std::sync::OnceLock::new()),
        }
    }

    /// Without the feature `regex`, a pattern the generator could not write
    /// as code stops the build: evaluating the `static` that holds it fails
    /// with this message.
    #[cfg(not(feature = "regex"))]
    pub const fn regex(source: &'static str) -> Self {
        let _ = source;
        panic!(
            "this spec pattern needs a regular expression engine: enable the feature `regex` \
             of algolia-insights (the generator warned about the pattern, with its JSON pointer)"
        )
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches (a pattern that does not compile matches nothing).
    #[inline]
    pub fn is_match(&self, value: &str) -> bool {
        match &self.matcher {
            Matcher::Compiled(is_match) => is_match(value.as_bytes()),
            #[cfg(feature = "regex")]
            Matcher::Regex(regex) => regex
                .get_or_init(|| regex::Regex::new(self.source).ok())
                .as_ref()
                .is_some_and(|regex| regex.is_match(value)),
        }
    }

    /// `Ok` when `value` matches.
    ///
    /// # Errors
    ///
    /// Names the value (shortened) and the pattern.
    #[inline]
    pub fn check(&self, value: &str) -> Result<(), ConstraintError> {
        if self.is_match(value) {
            return Ok(());
        }
        Err(self.mismatch(value))
    }

    #[cold]
    #[inline(never)]
    fn mismatch(&self, value: &str) -> ConstraintError {
        ConstraintError::new(format!(
            "`{}` does not match the pattern `{}`",
            shorten(value),
            self.source
        ))
    }
}

/// Whether `in_class` holds for every byte of `value`: the class check of a
/// generated pattern. It does not stop at the first byte out of the class,
/// so the compiler checks many bytes at a time (a 32-byte query ID in about
/// 2 ns, against 18 ns one byte at a time). A value out of the class costs
/// what a matching one of its length costs: linear either way, and bounded
/// where the spec bounds the length (the pattern's own `{m,n}`, checked
/// first, or the property's `maxLength`, checked before the pattern).
#[inline]
pub fn every_byte(value: &[u8], in_class: impl Fn(u8) -> bool) -> bool {
    value.iter().fold(true, |all, &b| all & in_class(b))
}

fn shorten(value: &str) -> String {
    const MAX: usize = 40;
    if value.chars().count() <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `^[a-z]{1,3}$` as the generator writes it.
    static LOWER: Pattern = Pattern::compiled("^[a-z]{1,3}$", |value: &[u8]| {
        (1..=3).contains(&value.len()) && every_byte(value, |b| b.is_ascii_lowercase())
    });

    #[test]
    fn a_compiled_pattern_checks_the_bytes() {
        assert!(LOWER.is_match("abc"));
        assert!(!LOWER.is_match(""));
        assert!(!LOWER.is_match("abcd"));
        assert!(!LOWER.is_match("aB"));
        // One character, two bytes, neither in the class.
        assert!(!LOWER.is_match("é"));
        assert_eq!(LOWER.source(), "^[a-z]{1,3}$");
    }

    #[test]
    fn every_byte_means_every_byte() {
        let digit = |b: u8| b.is_ascii_digit();
        assert!(every_byte(b"", digit));
        assert!(every_byte(b"0123456789012345678901234567890123", digit));
        // One byte out of the class, wherever it is among many.
        for at in [0, 1, 16, 31, 33] {
            let mut value = *b"0123456789012345678901234567890123";
            value[at] = b'x';
            assert!(!every_byte(&value, digit), "x at {at}");
        }
    }

    #[test]
    fn a_mismatch_names_value_and_pattern() {
        assert!(LOWER.check("abc").is_ok());
        assert_eq!(
            LOWER.check("abcd").unwrap_err().message(),
            "`abcd` does not match the pattern `^[a-z]{1,3}$`"
        );
    }

    #[test]
    fn a_long_value_is_shortened_in_the_message() {
        let value = "x".repeat(50);
        assert_eq!(
            LOWER.check(&value).unwrap_err().message(),
            format!(
                "`{}…` does not match the pattern `^[a-z]{{1,3}}$`",
                "x".repeat(40)
            )
        );
    }

    #[cfg(feature = "regex")]
    #[test]
    fn a_regex_pattern_goes_to_the_regex_crate() {
        static P: Pattern = Pattern::regex("^(ab|c)+$");
        assert!(P.is_match("abcab"));
        assert!(!P.is_match("abca"));
        assert_eq!(
            P.check("x").unwrap_err().message(),
            "`x` does not match the pattern `^(ab|c)+$`"
        );
    }

    #[cfg(feature = "regex")]
    #[test]
    fn an_invalid_pattern_matches_nothing() {
        static P: Pattern = Pattern::regex("^(unclosed$");
        assert!(!P.is_match("anything"));
        assert!(!P.is_match(""));
    }
}
