//! Code written against the generated output of
//! `codegen/tests/fixtures/patterns.json`: every pattern, whether the
//! generator wrote its check as code (`Pattern::compiled`) or left it to the
//! regex engine (`Pattern::regex`), answers as the `regex` crate does, on
//! the Insights spec's five patterns and on prefixes, alternatives, edge
//! lengths, non-ASCII and control characters.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/patterns.rs");
}

use api::models::*;

/// Each newtype of the fixture with its spec pattern.
const NEWTYPES: &[(&str, fn(&str) -> bool)] = &[
    // The Insights spec's five.
    (r"^[\x20-\x7E]{1,64}$", |s| EventNameLike::check(s).is_ok()),
    ("^[a-zA-Z0-9_=/+-]{1,129}$", |s| TokenLike::check(s).is_ok()),
    ("^[A-Za-z]{3}$", |s| CurrencyLike::check(s).is_ok()),
    ("^([0-9a-f]{32}|message_[!-~]+)$", |s| {
        QueryIdLike::check(s).is_ok()
    }),
    ("^[0-9a-f]{32}$", |s| Hex32::check(s).is_ok()),
    // Prefixes, alternatives, edge lengths.
    ("^message_[!-~]{0,4}$", |s| MessagePrefix::check(s).is_ok()),
    ("^(?:ab[x-z]*|[0-9]{2,}|é_[a-c]?|[']{1,2})$", |s| {
        Mixed::check(s).is_ok()
    }),
    (r"^[\x00-\x7F]*$", |s| AnyAscii::check(s).is_ok()),
    ("^[a-z]{0,3}$", |s| UpToThree::check(s).is_ok()),
    ("^[ -~]+$", |s| Printable::check(s).is_ok()),
    (r"^[!-/:-@\[-`{-~]{2,5}$", |s| Punctuation::check(s).is_ok()),
    // Left to the regex engine.
    ("^[A-Z]{2}-[0-9]{4}$", |s| CodeDash::check(s).is_ok()),
    ("^(a|b)+$", |s| AbRepeat::check(s).is_ok()),
    ("[a-c]{2}", |s| Unanchored::check(s).is_ok()),
    ("^é{2}$", |s| NonAscii::check(s).is_ok()),
    ("^(?i)[a-c]{2}$", |s| CaseInsensitive::check(s).is_ok()),
    (r"^\d{3}$", |s| Digits::check(s).is_ok()),
    ("^.{2,3}$", |s| AnyChar::check(s).is_ok()),
];

/// A deterministic spread of strings: what the patterns are about, edge
/// lengths, multi-byte and control characters, and pseudo-random ones.
fn samples() -> Vec<String> {
    let mut out: Vec<String> = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "ABC",
        "AbC",
        "A1C",
        "AB-1234",
        "AB-123",
        "ab-1234",
        "message_",
        "message_x",
        "message_abcd",
        "message_abcde",
        "message_ x",
        "message_é",
        "Message_x",
        "3e48cd0616e466948dd85abf5c3fbbe2",
        "3e48cd0616e466948dd85abf5c3fbbe",
        "3e48cd0616e466948dd85abf5c3fbbe23",
        "3E48CD0616E466948DD85ABF5C3FBBE2",
        "user token",
        "user/1=+a",
        "user_1-x",
        "abxyz",
        "abw",
        "abxé",
        "12",
        "1",
        "123",
        "١٢٣",
        "é_",
        "é_a",
        "é_ab",
        "é_d",
        "e_a",
        "éé",
        "é",
        "ééé",
        "'",
        "''",
        "'''",
        "!!",
        "!/:@[",
        "[`{~",
        "{~}~|~",
        "aB",
        "Ab",
        "BA",
        "abab",
        "xxabxx",
        " ",
        "~",
        "\u{7f}",
        "\u{80}",
        "\u{ff}",
        "\0",
        "tab\there",
        "line\n",
        "\n",
        "ab\n",
        "\u{212a}",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [0, 1, 2, 3, 4, 5, 63, 64, 65, 128, 129, 130] {
        out.push("a".repeat(n));
        out.push("Z".repeat(n));
        out.push(" ".repeat(n));
        out.push(format!("message_{}", "!".repeat(n)));
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    for length in 0..600 {
        let mut s = String::new();
        for _ in 0..(length % 12) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let c = match seed % 16 {
                0 => 'é',
                1 => '\u{7f}',
                2 => '\t',
                3..=5 => char::from(b'a' + (seed >> 8) as u8 % 4),
                6 | 7 => char::from(b'0' + (seed >> 8) as u8 % 10),
                _ => char::from(b' ' + (seed >> 8) as u8 % 95),
            };
            s.push(c);
        }
        out.push(s);
    }
    out
}

fn main() {
    let samples = samples();
    for (source, check) in NEWTYPES {
        // A pattern the regex crate cannot compile matches nothing.
        let regex = regex::Regex::new(source).ok();
        let mut accepted = 0;
        for sample in &samples {
            let expected = regex.as_ref().is_some_and(|r| r.is_match(sample));
            assert_eq!(check(sample), expected, "{source} on {sample:?}");
            accepted += usize::from(expected);
        }
        // The samples tell the two apart: each pattern takes some, refuses some.
        if regex.is_some() {
            assert!(accepted > 0, "no sample matches {source}");
        }
        assert!(accepted < samples.len(), "every sample matches {source}");
    }

    // The message names the value and the pattern, as before.
    assert_eq!(
        TokenLike::new("user token").unwrap_err().message(),
        "`user token` does not match the pattern `^[a-zA-Z0-9_=/+-]{1,129}$`"
    );
    assert_eq!(
        CodeDash::new("AB-12").unwrap_err().message(),
        "`AB-12` does not match the pattern `^[A-Z]{2}-[0-9]{4}$`"
    );

    // Inline patterns of a struct's fields: `validate()` with each path.
    let good = Record::new("AB")
        .tags(["#a1", "#zz"])
        .label("Label");
    good.validate().unwrap();
    let mut bad = Record::new("Ab").tags(["#ok", "nohash", "#"]);
    bad.label = Some("label".to_string());
    let messages: Vec<String> = bad
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "code: `Ab` does not match the pattern `^[A-Z]{2}$`",
            "tags[1]: `nohash` does not match the pattern `^#[a-z0-9]{1,10}$`",
            "tags[2]: `#` does not match the pattern `^#[a-z0-9]{1,10}$`",
            "label: `label` does not match the pattern `^[A-Z][a-z]+$`",
        ]
    );
}
