//! The spec's `pattern`s, checked fast. Most of them are an anchored ASCII
//! class with a length (`^[a-zA-Z0-9_=/+-]{1,129}$`), possibly after a
//! literal prefix and in alternatives (`^([0-9a-f]{32}|message_[!-~]+)$`).
//! Those are checked with a byte table and a count; any other pattern goes
//! to the `regex` crate. Both give the same answer (a test compares them).

use crate::validation::ConstraintError;
use regex_syntax::hir::{Class, Hir, HirKind, Look};
use std::sync::OnceLock;

/// A regular expression from the spec, compiled on first use.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    matcher: OnceLock<Matcher>,
}

#[derive(Debug)]
enum Matcher {
    /// Alternatives, each a literal prefix then an ASCII class repeated.
    Simple(Vec<Alternative>),
    Regex(regex::Regex),
    /// A pattern that does not compile matches nothing.
    Invalid,
}

#[derive(Debug)]
struct Alternative {
    prefix: Box<[u8]>,
    /// Which bytes the repeated class holds (only ASCII ones can be).
    class: [bool; 256],
    min: usize,
    /// `usize::MAX` when unbounded.
    max: usize,
}

impl Alternative {
    #[inline]
    fn is_match(&self, value: &[u8]) -> bool {
        // Byte by byte: the prefixes are short, and a `memcmp` call costs
        // more than the whole check on this kind of machine.
        if value.len() < self.prefix.len() || !self.prefix.iter().zip(value).all(|(a, b)| a == b) {
            return false;
        }
        let rest = &value[self.prefix.len()..];
        rest.len() >= self.min
            && rest.len() <= self.max
            && rest.iter().all(|&b| self.class[usize::from(b)])
    }
}

impl Pattern {
    /// A pattern (anchored in the spec with `^…$`).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            matcher: OnceLock::new(),
        }
    }

    /// The pattern as the spec writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    #[inline]
    fn matcher(&self) -> &Matcher {
        self.matcher.get_or_init(|| match simple(self.source) {
            Some(alternatives) => Matcher::Simple(alternatives),
            None => regex::Regex::new(self.source).map_or(Matcher::Invalid, Matcher::Regex),
        })
    }

    /// Whether `value` matches (a pattern that does not compile matches nothing).
    #[inline]
    pub fn is_match(&self, value: &str) -> bool {
        match self.matcher() {
            Matcher::Simple(alternatives) => {
                alternatives.iter().any(|a| a.is_match(value.as_bytes()))
            }
            Matcher::Regex(regex) => regex.is_match(value),
            Matcher::Invalid => false,
        }
    }

    /// `Ok` when `value` matches.
    ///
    /// # Errors
    ///
    /// Names the value (shortened) and the pattern.
    pub fn check(&self, value: &str) -> Result<(), ConstraintError> {
        if self.is_match(value) {
            return Ok(());
        }
        Err(ConstraintError::new(format!(
            "`{}` does not match the pattern `{}`",
            shorten(value),
            self.source
        )))
    }
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

/// The alternatives of `^(alt|alt|...)$` when each is simple enough.
fn simple(source: &str) -> Option<Vec<Alternative>> {
    let hir = regex_syntax::parse(source).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [start, body, end] = parts.as_slice() else {
        return None;
    };
    if start.kind() != &HirKind::Look(Look::Start) || end.kind() != &HirKind::Look(Look::End) {
        return None;
    }
    let body = match body.kind() {
        HirKind::Capture(capture) => &capture.sub,
        _ => body,
    };
    match body.kind() {
        HirKind::Alternation(alternatives) => alternatives.iter().map(alternative).collect(),
        _ => alternative(body).map(|a| vec![a]),
    }
}

/// A literal prefix then one repeated ASCII class.
fn alternative(hir: &Hir) -> Option<Alternative> {
    let (prefix, repetition) = match hir.kind() {
        HirKind::Concat(parts) => match parts.as_slice() {
            [literal, repetition] => match literal.kind() {
                HirKind::Literal(literal) => (literal.0.to_vec(), repetition),
                _ => return None,
            },
            _ => return None,
        },
        _ => (Vec::new(), hir),
    };
    let (sub, min, max) = match repetition.kind() {
        HirKind::Repetition(r) => (&*r.sub, r.min, r.max),
        HirKind::Class(_) => (repetition, 1, Some(1)),
        _ => return None,
    };
    let HirKind::Class(class) = sub.kind() else {
        return None;
    };
    let mut table = [false; 256];
    let mut mark = |start: u32, end: u32| -> Option<()> {
        if end >= 128 {
            return None;
        }
        for b in start..=end {
            table[b as usize] = true;
        }
        Some(())
    };
    match class {
        Class::Unicode(class) => {
            for range in class.ranges() {
                mark(u32::from(range.start()), u32::from(range.end()))?;
            }
        }
        Class::Bytes(class) => {
            for range in class.ranges() {
                mark(u32::from(range.start()), u32::from(range.end()))?;
            }
        }
    }
    Some(Alternative {
        prefix: prefix.into_boxed_slice(),
        class: table,
        min: usize::try_from(min).ok()?,
        max: match max {
            Some(max) => usize::try_from(max).ok()?,
            None => usize::MAX,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's five patterns, then others that must go to the regex crate.
    const PATTERNS: &[&str] = &[
        r"^[\x20-\x7E]{1,64}$",
        "^[a-zA-Z0-9_=/+-]{1,129}$",
        "^[A-Za-z]{3}$",
        "^([0-9a-f]{32}|message_[!-~]+)$",
        "^[0-9a-f]{32}$",
        "^[A-Z]{2}-[0-9]{4}$",
        "^(a|b)+$",
        "abc",
        "^é{2}$",
    ];

    /// A deterministic spread of strings: ASCII, multi-byte, edge lengths.
    fn samples() -> Vec<String> {
        let mut out = vec![
            String::new(),
            "a".into(),
            "abc".into(),
            "ABC".into(),
            "AB-1234".into(),
            "message_".into(),
            "message_x".into(),
            "message_ x".into(),
            "3e48cd0616e466948dd85abf5c3fbbe2".into(),
            "3e48cd0616e466948dd85abf5c3fbbe".into(),
            "3E48CD0616E466948DD85ABF5C3FBBE2".into(),
            "user token".into(),
            "user/1=+a".into(),
            "éé".into(),
            "tab\there".into(),
            "line\n".into(),
            "a".repeat(64),
            "a".repeat(65),
            "a".repeat(129),
            "a".repeat(130),
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        for length in 0..200 {
            let mut s = String::new();
            for _ in 0..(length % 40) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let c = match seed % 10 {
                    0 => 'é',
                    1 => '\u{7f}',
                    _ => char::from(b' ' + (seed >> 8) as u8 % 95),
                };
                s.push(c);
            }
            out.push(s);
        }
        out
    }

    #[test]
    fn the_fast_path_agrees_with_the_regex_crate() {
        for source in PATTERNS {
            let pattern = Pattern::new(source);
            let regex = regex::Regex::new(source).unwrap();
            for sample in samples() {
                assert_eq!(
                    pattern.is_match(&sample),
                    regex.is_match(&sample),
                    "{source} on {sample:?}"
                );
            }
        }
    }

    #[test]
    fn the_spec_patterns_take_the_fast_path() {
        for source in &PATTERNS[..5] {
            assert!(simple(source).is_some(), "{source} should be simple");
        }
        for source in &PATTERNS[5..] {
            assert!(
                simple(source).is_none(),
                "{source} should go to the regex crate"
            );
        }
    }

    #[test]
    fn an_invalid_pattern_matches_nothing() {
        assert!(!Pattern::new("^(unclosed$").is_match("anything"));
    }

    #[test]
    fn a_mismatch_names_value_and_pattern() {
        static P: Pattern = Pattern::new("^[a-z]{1,3}$");
        assert!(P.check("abc").is_ok());
        assert_eq!(
            P.check("abcd").unwrap_err().message(),
            "`abcd` does not match the pattern `^[a-z]{1,3}$`"
        );
    }
}
