//! The fast path of reading events (`EventsItems::from_json`, the generated
//! `FastRead` impls) never decides anything: where it takes the input, the
//! full serde reader takes it too and reads an equal value. Over the spec's
//! examples changed at random (keys dropped, added, given twice; values of
//! every JSON kind, strings with escapes, numbers at the edges; white space;
//! trailing data), each number and string token, and hostile nesting.

use algolia_insights::__private::decode::{FastRead, Reader};
use algolia_insights::models::{EventsItems, InsightsEvents};
use algolia_insights::runtime::decode;
use proptest::prelude::*;
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// The spec's example of each kind of event.
fn examples() -> &'static [Map<String, Value>] {
    static EXAMPLES: OnceLock<Vec<Map<String, Value>>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let spec: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/insights.json"))
                .unwrap(),
        )
        .unwrap();
        EventsItems::VARIANT_RULES
            .iter()
            .map(|(name, _)| {
                spec["components"]["schemas"][*name]["example"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{name} has an object example"))
                    .clone()
            })
            .collect()
    })
}

/// The fast path's answer, checked against the full reader's.
fn agrees<T>(text: &str) -> Result<bool, TestCaseError>
where
    T: FastRead + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let full = decode::from_str::<T>(text);
    match Reader::read_whole::<T>(text) {
        Some(fast) => {
            let full = full.map_err(|e| {
                TestCaseError::fail(format!(
                    "the fast path took {text}, the full reader refused it: {e}"
                ))
            })?;
            prop_assert_eq!(&fast, &full, "{}", text);
            Ok(true)
        }
        None => Ok(false),
    }
}

/// Property names of any event kind, and one no kind has.
const KEYS: &[&str] = &[
    "eventName",
    "eventType",
    "eventSubtype",
    "index",
    "objectIDs",
    "positions",
    "queryID",
    "userToken",
    "authenticatedUserToken",
    "timestamp",
    "filters",
    "objectData",
    "currency",
    "value",
    "agentID",
    "unknownProperty",
];

/// Strings: plain ones the rules accept or refuse, escapes, non-ASCII,
/// control characters, and the constants of the tags.
fn a_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9_=/+-]{1,40}",
        "[ -~]{0,70}",
        "[0-9a-f]{32}",
        "message_[!-~]{1,10}",
        "[A-Z]{3}",
        "\\PC{0,12}",
        "[\u{0}-\u{1f}\"\\\\a]{1,4}",
        prop::sample::select(vec![
            "click",
            "conversion",
            "view",
            "instantsearch",
            "addToCart",
            "purchase",
            "12.00",
            "",
        ])
        .prop_map(str::to_string),
    ]
}

/// Number tokens at the edges of how serde_json reads them.
fn a_number_token() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| f.to_string()),
        "-?(0|[1-9][0-9]{0,25})(\\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?",
        prop::sample::select(vec![
            "-0",
            "0",
            "-0.0",
            "1e400",
            "-1e400",
            "1e-400",
            "18446744073709551616",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "1.5e+",
            "--1",
            "0x10",
            "1_000",
            "Infinity",
            "NaN",
        ])
        .prop_map(str::to_string),
    ]
}

fn a_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        a_string().prop_map(Value::String),
        a_number_token().prop_filter_map("JSON", |t| serde_json::from_str(&t).ok()),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["price", "quantity", "discount", "queryID", "x"]),
                    inner
                ),
                0..4
            )
            .prop_map(|entries| Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect()
            )),
        ]
    })
}

#[derive(Debug, Clone)]
enum Change {
    Remove(usize),
    Set(&'static str, Value),
    /// A key and its value written again, before the others.
    Twice(usize),
    /// The text of a number in place of a value.
    NumberText(usize, String),
    /// One of the characters of JSON's syntax taken out of the text, or
    /// one put in.
    Delete(usize),
    Insert(usize, char),
}

fn a_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        any::<usize>().prop_map(Change::Remove),
        (prop::sample::select(KEYS), a_value()).prop_map(|(k, v)| Change::Set(k, v)),
        any::<usize>().prop_map(Change::Twice),
        (any::<usize>(), a_number_token()).prop_map(|(i, t)| Change::NumberText(i, t)),
        any::<usize>().prop_map(Change::Delete),
        (
            any::<usize>(),
            prop::sample::select(vec![
                ',', ':', '"', '{', '}', '[', ']', ' ', '\\', '0', 'n', '\u{1}'
            ])
        )
            .prop_map(|(i, c)| Change::Insert(i, c)),
    ]
}

/// The example changed, as text.
fn changed(example: &Map<String, Value>, changes: &[Change], pretty: bool) -> String {
    let mut object = example.clone();
    let mut twice = Vec::new();
    let mut number_texts = Vec::new();
    for change in changes {
        let len = object.len().max(1);
        match change {
            Change::Remove(i) => {
                if let Some(key) = object.keys().nth(i % len).cloned() {
                    object.shift_remove(&key);
                }
            }
            Change::Set(key, value) => {
                object.insert((*key).to_string(), value.clone());
            }
            Change::Twice(i) => {
                if let Some((k, v)) = object.iter().nth(i % len) {
                    twice.push((k.clone(), v.clone()));
                }
            }
            Change::NumberText(i, text) => {
                if let Some(key) = object.keys().nth(i % len).cloned() {
                    number_texts.push((key, text.clone()));
                }
            }
            Change::Delete(_) | Change::Insert(..) => {}
        }
    }
    let mut text = if pretty {
        serde_json::to_string_pretty(&object).unwrap()
    } else {
        serde_json::to_string(&object).unwrap()
    };
    for (key, number) in number_texts {
        // Replace the value of `key` (if a later change left it) by a number
        // token written as is.
        let Some(old) = object.get(&key) else {
            continue;
        };
        let old = serde_json::to_string(old).unwrap();
        let pattern = format!("{}:{}", serde_json::to_string(&key).unwrap(), old);
        let pattern_pretty = format!("{}: {}", serde_json::to_string(&key).unwrap(), old);
        let replacement = format!("{}:{}", serde_json::to_string(&key).unwrap(), number);
        if text.contains(&pattern) {
            text = text.replacen(&pattern, &replacement, 1);
        } else if text.contains(&pattern_pretty) {
            text = text.replacen(&pattern_pretty, &replacement, 1);
        }
    }
    for (key, value) in twice {
        let entry = format!(
            "{}:{},",
            serde_json::to_string(&key).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        text = text.replacen('{', &format!("{{{entry}"), 1);
    }
    for change in changes {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let syntax: Vec<usize> = text
            .char_indices()
            .filter(|(_, c)| matches!(c, ',' | ':' | '"' | '{' | '}' | '[' | ']'))
            .map(|(i, _)| i)
            .collect();
        match change {
            Change::Delete(i) if !syntax.is_empty() => {
                text.remove(syntax[i % syntax.len()]);
            }
            Change::Insert(i, c) => {
                let at = boundaries
                    .get(i % (boundaries.len() + 1))
                    .copied()
                    .unwrap_or(text.len());
                text.insert(at, *c);
            }
            _ => {}
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Changed examples: where the fast path answers, the full reader gives
    /// the same value; the entry point always gives the full reader's answer.
    #[test]
    fn the_fast_path_reads_what_the_full_reader_reads(
        kind in 0usize..13,
        changes in prop::collection::vec(a_change(), 0..4),
        pretty in any::<bool>(),
        trailing in prop::sample::select(vec!["", " ", "\n", " x", "}", ",", "{}"]),
    ) {
        let example = &examples()[kind];
        let text = format!("{}{trailing}", changed(example, &changes, pretty));
        agrees::<EventsItems>(&text)?;
        let wrapped = format!("{{\"events\":[{text}]}}");
        agrees::<InsightsEvents>(&wrapped)?;
        let entry = EventsItems::from_json(&text).map_err(|e| e.to_string());
        let full = decode::from_str::<EventsItems>(&text).map_err(|e| e.to_string());
        prop_assert_eq!(entry, full);
    }

    /// Numbers: where the fast path reads one, serde_json reads the same
    /// (bit for bit); where serde_json refuses, so does the fast path.
    #[test]
    fn numbers_read_as_serde_json_reads_them(token in a_number_token()) {
        agrees::<f64>(&token)?;
        agrees::<i64>(&token)?;
        agrees::<i32>(&token)?;
        if let Some(fast) = Reader::read_whole::<f64>(&token) {
            let full: f64 = serde_json::from_str(&token).unwrap();
            prop_assert_eq!(fast.to_bits(), full.to_bits(), "{}", token);
        }
    }

    /// Strings of any characters, written by serde_json or as raw text.
    #[test]
    fn strings_read_as_serde_json_reads_them(value in "\\PC{0,40}", raw in "[\u{0}-\u{7f}é]{0,20}") {
        let written = serde_json::to_string(&value).unwrap();
        let took = agrees::<String>(&written)?;
        // Without escapes in the text, the fast path takes it.
        prop_assert_eq!(took, !written.contains('\\'), "{}", written);
        agrees::<String>(&format!("\"{raw}\""))?;
    }
}

/// Every kind's example, compact and pretty: the fast path takes it (else
/// the speed figures would be the full reader's), and reads it equal.
#[test]
fn the_fast_path_takes_every_example() {
    for example in examples() {
        for text in [
            serde_json::to_string(example).unwrap(),
            serde_json::to_string_pretty(example).unwrap(),
        ] {
            let fast = Reader::read_whole::<EventsItems>(&text)
                .unwrap_or_else(|| panic!("the fast path gave up on {text}"));
            assert_eq!(fast, decode::from_str::<EventsItems>(&text).unwrap());
        }
    }
    let batch = format!(
        "{{\"events\":[{}]}}",
        examples()
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect::<Vec<_>>()
            .join(",")
    );
    let events = Reader::read_whole::<InsightsEvents>(&batch).expect("the batch");
    assert_eq!(events.events.len(), examples().len());
}

/// Deep nesting where a value of any kind is kept as text (`objectData`
/// before the kind is known) or read as a list: refused, not a stack
/// overflow; and the error is the full reader's.
#[test]
fn deep_nesting_is_refused_without_overflow() {
    for depth in [10, 127, 129, 100_000] {
        let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let text = format!(
            r#"{{"eventName":"Order Completed","eventType":"conversion","eventSubtype":"purchase","index":"products","objectIDs":["a"],"userToken":"u","objectData":{nested}}}"#
        );
        assert!(Reader::read_whole::<EventsItems>(&text).is_none());
        let error = EventsItems::from_json(&text).unwrap_err();
        assert_eq!(
            error.to_string(),
            decode::from_str::<EventsItems>(&text)
                .unwrap_err()
                .to_string()
        );
        let list = format!(r#"{{"events":{nested}}}"#);
        assert!(Reader::read_whole::<InsightsEvents>(&list).is_none());
    }
}

/// What the fast path leaves to the full reader, each named: the value is
/// still read (or refused) as before, by the full reader.
#[test]
fn unusual_input_goes_to_the_full_reader() {
    let base = r#"{"eventName":"Product Clicked","eventType":"click","index":"products","objectIDs":["sku-1001"],"userToken":"anonymous-user-1"}"#;
    let cases = [
        // An escape in a string: read by the full reader, the same event.
        (base.replace("sku-1001", "sku-\\u0031001"), true),
        // A key given twice.
        (base.replace(r#""index""#, r#""index":"a","index""#), false),
        // An unknown key.
        (base.replace(r#""index""#, r#""extra":1,"index""#), false),
        // `null` for an optional property.
        (
            base.replace(r#""index""#, r#""timestamp":null,"index""#),
            true,
        ),
        // A trailing comma.
        (base.replace('}', ",}"), false),
    ];
    for (text, valid) in cases {
        assert!(Reader::read_whole::<EventsItems>(&text).is_none(), "{text}");
        assert_eq!(EventsItems::from_json(&text).is_ok(), valid, "{text}");
        assert_eq!(
            EventsItems::from_json(&text).map_err(|e| e.to_string()),
            decode::from_str::<EventsItems>(&text).map_err(|e| e.to_string())
        );
    }
}
