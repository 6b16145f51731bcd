//! Turns spec names (`objectIDs`, `x-ratelimit-limit`, `type`) into idiomatic
//! Rust identifiers (`object_ids`, `x_ratelimit_limit`, `type_`).

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Whether `c` may be part of a word: a character Rust accepts inside an
/// identifier (Unicode `XID_Continue`), but `_`, which separates words.
/// `²` or `·` are not (they separate words too).
fn is_word_char(c: char) -> bool {
    c != '_' && unicode_ident::is_xid_continue(c)
}

/// Splits a name into words: at separators, at lower→upper changes, and
/// before the last capital of an acronym followed by a word (`HTMLParser` →
/// `HTML`, `Parser`). A plural acronym stays one word (`objectIDs` → `object`, `IDs`).
/// Any character that cannot be part of a Rust identifier separates words.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !is_word_char(c) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let after_next = chars.get(i + 2).copied();
        let boundary = match prev {
            Some(p) if c.is_uppercase() && (p.is_lowercase() || p.is_ascii_digit()) => true,
            Some(p) if c.is_uppercase() && p.is_uppercase() => {
                // `HTMLParser`: split before `P`; but not `IDs` (a plural acronym).
                let next_lower = next.is_some_and(char::is_lowercase);
                let plural = next == Some('s') && !after_next.is_some_and(char::is_lowercase);
                next_lower && !plural
            }
            _ => false,
        };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `objectIDs` → `object_ids`; keywords get a trailing underscore (`type_`).
pub fn snake_case(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    fix_ident(joined, "field")
}

/// `objectDataAfterSearch` → `ObjectDataAfterSearch`, keeping acronyms as written
/// (`ClickedObjectIDs` stays, so users of other Algolia clients recognise it).
pub fn pascal_case(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    fix_ident(joined, "Type")
}

/// `x-ratelimit-limit` → `X_RATELIMIT_LIMIT`.
pub fn shouty_snake_case(name: &str) -> String {
    snake_case(name).trim_end_matches('_').to_uppercase()
}

/// The Rust variant names of a string enum's values: `Unknown` is taken by
/// the catch-all variant, and clashes get a trailing `_`.
pub fn enum_variants(values: &[String]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for value in values {
        let mut name = pascal_case(value);
        if name == "Unknown" {
            name.push('_');
        }
        while taken.contains(&name) {
            name.push('_');
        }
        taken.push(name);
    }
    taken
}

/// The Rust variant name of an integer enum's value (`V3`, `Minus1`).
pub fn int_enum_variant(value: i64) -> String {
    if value < 0 {
        format!("Minus{}", value.unsigned_abs())
    } else {
        format!("V{value}")
    }
}

fn fix_ident(mut ident: String, empty: &str) -> String {
    if ident.is_empty() {
        return empty.to_string();
    }
    // A digit or a combining mark cannot start an identifier.
    if !ident.starts_with(unicode_ident::is_xid_start) {
        ident.insert(0, '_');
    }
    if KEYWORDS.contains(&ident.as_str()) || ident == "Self" {
        ident.push('_');
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_handles_acronyms_keywords_and_dashes() {
        assert_eq!(snake_case("objectIDs"), "object_ids");
        assert_eq!(snake_case("queryID"), "query_id");
        assert_eq!(
            snake_case("authenticatedUserToken"),
            "authenticated_user_token"
        );
        assert_eq!(snake_case("x-ratelimit-limit"), "x_ratelimit_limit");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(snake_case("HTMLParser"), "html_parser");
        assert_eq!(snake_case("eventSubtype"), "event_subtype");
        assert_eq!(snake_case("2fa"), "_2fa");
        assert_eq!(snake_case("agentID"), "agent_id");
        assert_eq!(snake_case("userIDsList"), "user_ids_list");
    }

    #[test]
    fn any_unicode_name_gives_a_valid_identifier() {
        assert_eq!(snake_case("a²"), "a");
        assert_eq!(snake_case("a²b"), "a_b");
        assert_eq!(snake_case("größe"), "größe");
        assert_eq!(pascal_case("élan-vital"), "ÉlanVital");
        assert_eq!(snake_case("\u{301}x"), "_\u{301}x");
        assert_eq!(snake_case("²"), "field");
        assert_eq!(pascal_case("🙂"), "Type");
        assert_eq!(snake_case("٣d"), "_٣d");
        for name in ["a²", "größe", "٣d", "x\u{301}y", "日本語", "a·b", "𝔘nicode"] {
            for ident in [snake_case(name), pascal_case(name)] {
                assert!(
                    syn::parse_str::<syn::Ident>(&ident).is_ok(),
                    "{name} -> {ident}"
                );
            }
        }
    }

    #[test]
    fn pascal_case_keeps_acronyms() {
        assert_eq!(
            pascal_case("ClickedObjectIDsAfterSearch"),
            "ClickedObjectIDsAfterSearch"
        );
        assert_eq!(
            pascal_case("objectDataAfterSearch"),
            "ObjectDataAfterSearch"
        );
        assert_eq!(pascal_case("push_events"), "PushEvents");
        assert_eq!(pascal_case("addToCart"), "AddToCart");
        assert_eq!(pascal_case("self"), "Self_");
        assert_eq!(pascal_case("some-name"), "SomeName");
    }
}
