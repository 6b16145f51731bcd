//! The spec's `pattern`s as code. Most of them are an anchored ASCII class
//! with a length (`^[a-zA-Z0-9_=/+-]{1,129}$`), possibly after a literal
//! prefix and in alternatives (`^([0-9a-f]{32}|message_[!-~]+)$`): those
//! become a plain Rust check of the value's bytes, so the runtime needs no
//! regular expression engine for them. Any other pattern is handed to the
//! runtime's `regex` engine (`Pattern::regex`, which exists only with the
//! runtime's feature `regex`).
//!
//! The value is a `&str`; a simple pattern's classes hold only ASCII
//! characters, so a count of bytes is a count of characters and a byte that
//! belongs to a multi-byte character matches no class.

use proc_macro2::{Literal, Punct, Spacing, Span, TokenStream};
use quote::{quote, TokenStreamExt};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// One alternative of a simple pattern: a literal prefix, then one ASCII
/// class repeated `min..=max` times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Alternative {
    /// In UTF-8, as the value's bytes are compared.
    prefix: Vec<u8>,
    /// The class's bytes, as sorted, disjoint inclusive ranges (all below 128).
    ranges: Vec<(u8, u8)>,
    min: u32,
    /// `None` when unbounded.
    max: Option<u32>,
}

/// The alternatives of `^(alt|alt|...)$` when each is simple enough;
/// `None` sends the pattern to the regex engine.
pub(crate) fn simple(source: &str) -> Option<Vec<Alternative>> {
    // Inline flags (`(?i)`, `(?u)`, ...) change what a class means in ways
    // that depend on the engine's Unicode tables: the engine decides.
    // A non-capturing group `(?:...)` is fine.
    if source
        .match_indices("(?")
        .any(|(at, _)| !source[at + 2..].starts_with(':'))
    {
        return None;
    }
    let hir = regex_syntax::parse(source).ok()?;
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [start, middle @ .., end] = parts.as_slice() else {
        return None;
    };
    if start.kind() != &HirKind::Look(Look::Start) || end.kind() != &HirKind::Look(Look::End) {
        return None;
    }
    // `^prefix[class]{m,n}$` is one concatenation with the anchors.
    let [body] = middle else {
        return alternative(middle).map(|a| vec![a]);
    };
    let body = match body.kind() {
        HirKind::Capture(capture) => &capture.sub,
        _ => body,
    };
    match body.kind() {
        HirKind::Alternation(alternatives) => alternatives
            .iter()
            .map(|hir| alternative(std::slice::from_ref(hir)))
            .collect(),
        _ => alternative(std::slice::from_ref(body)).map(|a| vec![a]),
    }
}

/// Whether the generated code checks `source` without the regex engine.
pub(crate) fn is_simple(source: &str) -> bool {
    simple(source).is_some()
}

/// A literal prefix then one repeated ASCII class (`parts` in sequence).
fn alternative(parts: &[Hir]) -> Option<Alternative> {
    let parts = match parts {
        [hir] => match hir.kind() {
            HirKind::Concat(parts) => parts.as_slice(),
            _ => parts,
        },
        _ => parts,
    };
    let (prefix, repetition) = match parts {
        [literal, repetition] => match literal.kind() {
            HirKind::Literal(literal) => (literal.0.to_vec(), repetition),
            _ => return None,
        },
        [repetition] => (Vec::new(), repetition),
        _ => return None,
    };
    let (sub, min, max) = match repetition.kind() {
        HirKind::Repetition(r) => (&*r.sub, r.min, r.max),
        HirKind::Class(_) => (repetition, 1, Some(1)),
        _ => return None,
    };
    let ranges: Vec<(u32, u32)> = match sub.kind() {
        // A class of one character is parsed as that character (`[']+`).
        HirKind::Literal(literal) => match *literal.0 {
            [b] => vec![(u32::from(b), u32::from(b))],
            _ => return None,
        },
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .map(|r| (u32::from(r.start()), u32::from(r.end())))
            .collect(),
        _ => return None,
    };
    // An empty class (matches nothing) is left to the engine too.
    if ranges.is_empty() || ranges.iter().any(|&(_, end)| end >= 128) {
        return None;
    }
    Some(Alternative {
        prefix,
        // Below 128, so each fits a byte.
        ranges: ranges.iter().map(|&(a, b)| (a as u8, b as u8)).collect(),
        min,
        max,
    })
}

/// `static PATTERN: Pattern = ...;`: the check of a simple pattern written
/// out, or the regex engine for any other.
pub(super) fn pattern_static(rt: &TokenStream, source: &str) -> TokenStream {
    let init = match simple(source) {
        Some(alternatives) => {
            let several = alternatives.len() > 1;
            let checks = alternatives.iter().map(|alternative| {
                let check = alternative_check(rt, alternative);
                // `(a && b) || c`: each alternative reads as one.
                if several && alternative.prefix.is_empty() {
                    quote!((#check))
                } else {
                    check
                }
            });
            quote!(#rt::__private::Pattern::compiled(#source, |value: &[u8]| #(#checks)||*))
        }
        None => quote!(#rt::__private::Pattern::regex(#source)),
    };
    quote!(static PATTERN: #rt::__private::Pattern = #init;)
}

/// The check of one alternative on `value` (a `&[u8]`).
fn alternative_check(rt: &TokenStream, alternative: &Alternative) -> TokenStream {
    let rest = rest_check(rt, alternative);
    if alternative.prefix.is_empty() {
        return rest;
    }
    let prefix = syn::LitByteStr::new(&alternative.prefix, Span::call_site());
    quote!(value.strip_prefix(#prefix).is_some_and(|value| #rest))
}

/// The length and the class of what follows the prefix.
fn rest_check(rt: &TokenStream, alternative: &Alternative) -> TokenStream {
    let number = |n: u32| Literal::u32_unsuffixed(n);
    let length = match (alternative.min, alternative.max) {
        (_, Some(0)) => return quote!(value.is_empty()),
        (0, None) => None,
        (1, None) => Some(quote!(!value.is_empty())),
        (min, None) => {
            let min = number(min);
            Some(quote!(value.len() >= #min))
        }
        (0, Some(max)) => {
            let max = number(max);
            Some(quote!(value.len() <= #max))
        }
        (min, Some(max)) if min == max => {
            let min = number(min);
            Some(quote!(value.len() == #min))
        }
        (min, Some(max)) => {
            let (min, max) = (number(min), number(max));
            Some(quote!((#min..=#max).contains(&value.len())))
        }
    };
    let class = byte_check(rt, &alternative.ranges);
    match length {
        Some(length) => quote!(#length && #class),
        None => class,
    }
}

/// `every_byte(value, |b| ...)`: whether every byte is in the class, with
/// the standard library's names for the usual ASCII classes. The runtime's
/// `every_byte` looks at every byte without stopping at the first one out
/// of the class, so the compiler checks many at a time (`iter().all` stops
/// early, and checks one byte at a time: 8 times slower on a query ID).
fn byte_check(rt: &TokenStream, ranges: &[(u8, u8)]) -> TokenStream {
    let mut set = [false; 128];
    for &(start, end) in ranges {
        for b in start..=end {
            set[usize::from(b)] = true;
        }
    }
    if set.iter().all(|&b| b) {
        return quote!(value.is_ascii());
    }
    let mut named = Vec::new();
    let mut take = |classes: &[(u8, u8)], method: &str| {
        let covered = classes
            .iter()
            .all(|&(start, end)| (start..=end).all(|b| set[usize::from(b)]));
        if covered {
            for &(start, end) in classes {
                for b in start..=end {
                    set[usize::from(b)] = false;
                }
            }
            let method = super::ident(method);
            named.push(quote!(b.#method()));
        }
    };
    const DIGIT: (u8, u8) = (b'0', b'9');
    const UPPER: (u8, u8) = (b'A', b'Z');
    const LOWER: (u8, u8) = (b'a', b'z');
    take(&[(b'!', b'~')], "is_ascii_graphic");
    take(&[DIGIT, UPPER, LOWER], "is_ascii_alphanumeric");
    take(&[UPPER, LOWER], "is_ascii_alphabetic");
    take(&[DIGIT], "is_ascii_digit");
    take(&[UPPER], "is_ascii_uppercase");
    take(&[LOWER], "is_ascii_lowercase");
    let mut rest = Vec::new();
    let mut b = 0;
    while b < 128 {
        if set[b] {
            let start = b;
            while b + 1 < 128 && set[b + 1] {
                b += 1;
            }
            rest.push((start as u8, b as u8));
        }
        b += 1;
    }
    let byte = |b: u8| syn::LitByte::new(b, Span::call_site());
    let rest = match rest.as_slice() {
        [] => None,
        [(start, end)] if start == end => {
            let lit = byte(*start);
            Some(quote!(b == #lit))
        }
        _ => {
            let arms = rest.iter().map(|&(start, end)| {
                let first = byte(start);
                if start == end {
                    return quote!(#first);
                }
                // `..=` with its `=` joint to the bound, so that the
                // formatter (which prints a macro's tokens as they come)
                // writes `b'0'..=b'9'`.
                let mut range = quote!(#first);
                range.append(Punct::new('.', Spacing::Joint));
                range.append(Punct::new('.', Spacing::Joint));
                range.append(Punct::new('=', Spacing::Joint));
                let last = byte(end);
                range.extend(quote!(#last));
                range
            });
            Some(quote!(matches!(b, #(#arms)|*)))
        }
    };
    let checks = named.into_iter().chain(rest);
    quote!(#rt::__private::every_byte(value, |b| #(#checks)||*))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(source: &str) -> String {
        let tokens = pattern_static(&quote!(crate), source);
        let file: syn::File = syn::parse2(tokens).unwrap();
        prettyplease::unparse(&file)
    }

    #[test]
    fn the_insights_patterns_are_simple() {
        for source in [
            r"^[\x20-\x7E]{1,64}$",
            "^[a-zA-Z0-9_=/+-]{1,129}$",
            "^[A-Za-z]{3}$",
            "^([0-9a-f]{32}|message_[!-~]+)$",
            "^(?:[0-9a-f]{32}|message_[!-~]+)$",
            "^[0-9a-f]{32}$",
            "^message_[!-~]+$",
            "^[a]{2}$",
        ] {
            assert!(is_simple(source), "{source} should be simple");
        }
    }

    #[test]
    fn other_patterns_go_to_the_regex_engine() {
        for source in [
            "^[A-Z]{2}-[0-9]{4}$",
            "^(a|b)+$",
            "abc",
            "[a-z]+",
            "^[a-z]+",
            "^é{2}$",
            r"^\d{3}$",
            "^.{1,10}$",
            "^(?i)[a-c]{2}$",
            "^[A-Z][a-z]+$",
            r"^[^\x00-\x{10FFFF}]$",
        ] {
            assert!(!is_simple(source), "{source} should go to the regex engine");
        }
    }

    #[test]
    fn a_class_with_a_length_reads_as_hand_written_code() {
        assert_eq!(
            code("^[a-zA-Z0-9_=/+-]{1,129}$"),
            r#"static PATTERN: crate::__private::Pattern = crate::__private::Pattern::compiled(
    "^[a-zA-Z0-9_=/+-]{1,129}$",
    |value: &[u8]| {
        (1..=129).contains(&value.len())
            && crate::__private::every_byte(
                value,
                |b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'+' | b'-' | b'/' | b'=' | b'_')
                },
            )
    },
);
"#
        );
    }

    #[test]
    fn prefixes_and_alternatives_are_spelled_out() {
        assert_eq!(
            code("^([0-9a-f]{32}|message_[!-~]+)$"),
            r#"static PATTERN: crate::__private::Pattern = crate::__private::Pattern::compiled(
    "^([0-9a-f]{32}|message_[!-~]+)$",
    |value: &[u8]| {
        (value.len() == 32
            && crate::__private::every_byte(
                value,
                |b| b.is_ascii_digit() || matches!(b, b'a'..=b'f'),
            ))
            || value
                .strip_prefix(b"message_")
                .is_some_and(|value| {
                    !value.is_empty()
                        && crate::__private::every_byte(value, |b| b.is_ascii_graphic())
                })
    },
);
"#
        );
    }

    #[test]
    fn lengths_and_classes_take_their_shortest_spelling() {
        let body = |source: &str| {
            let text = code(source);
            let start = text
                .find("|value: &[u8]|")
                .unwrap_or_else(|| panic!("{source} is not simple"))
                + "|value: &[u8]|".len();
            let words = text[start..].split_whitespace().collect::<Vec<_>>();
            // A body the formatter spreads over lines comes in braces.
            let words = match words.as_slice() {
                ["{", body @ .., "},", ");"] => body,
                _ => &words[..],
            };
            words.join(" ")
        };
        assert!(body("^[a-z]*$")
            .starts_with("crate::__private::every_byte(value, |b| b.is_ascii_lowercase())"));
        assert!(body("^[a-z]{2,}$").starts_with("value.len() >= 2 &&"));
        assert!(body("^[a-z]{0,5}$").starts_with("value.len() <= 5 &&"));
        assert!(body("^[A-Z]$").starts_with("value.len() == 1 &&"));
        assert!(body(r"^[\x00-\x7F]+$").starts_with("!value.is_empty() && value.is_ascii()"));
        assert!(body("^[a-zA-Z]+$").contains("b.is_ascii_alphabetic())"));
        assert!(body("^[ -~]+$").contains("b.is_ascii_graphic() || b == b' '"));
        assert!(body("^[']+$").contains(r"b == b'\''"));
    }

    #[test]
    fn a_complex_pattern_is_left_to_the_regex_engine() {
        assert_eq!(
            code("^(a|b)+$"),
            "static PATTERN: crate::__private::Pattern = crate::__private::Pattern::regex(\"^(a|b)+$\");\n"
        );
    }
}
