//! Serde helpers of generated types: constants (`eventType: "click"`) and
//! unions whose variants are told apart by the spec's `x-discriminator-fields`.

use serde::de::{DeserializeOwned, Deserializer, Error as _};
use serde::Deserialize;
use serde_json::{Map, Value};

/// How a union variant is recognised: its name and the properties it must
/// have, each with the value it must hold when it is a constant.
pub type VariantRule = (
    &'static str,
    &'static [(&'static str, Option<&'static str>)],
);

/// Reads a string that must be exactly `expected`.
///
/// # Errors
///
/// Any other value, named in the message.
pub fn deserialize_constant<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<(), D::Error> {
    let value = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
    if value == expected {
        Ok(())
    } else {
        Err(D::Error::custom(format!(
            "expected `{expected}`, got `{value}`"
        )))
    }
}

fn rule_matches(object: &Map<String, Value>, fields: &[(&str, Option<&str>)]) -> bool {
    fields
        .iter()
        .all(|(name, constant)| match (object.get(*name), constant) {
            (None, _) => false,
            (Some(value), Some(constant)) => value.as_str() == Some(*constant),
            (Some(_), None) => true,
        })
}

/// The index of the first rule (most specific first) the object meets.
pub fn pick_variant(object: &Map<String, Value>, rules: &[VariantRule]) -> Option<usize> {
    rules
        .iter()
        .position(|(_, fields)| rule_matches(object, fields))
}

/// Deserializes the object as one variant; the error names the path inside it.
///
/// # Errors
///
/// The variant's own error, prefixed with the property it concerns.
pub fn deserialize_variant<T: DeserializeOwned, E: serde::de::Error>(
    object: Map<String, Value>,
) -> Result<T, E> {
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if path.is_empty() || path == "." {
            E::custom(inner)
        } else {
            E::custom(format!("{path}: {inner}"))
        }
    })
}

/// Why no variant fits an object: which constant values are known, and which
/// properties each candidate variant needs.
pub fn no_variant_message(
    union: &str,
    object: &Map<String, Value>,
    rules: &[VariantRule],
) -> String {
    // Variants whose constants all match: the object is one of these, missing properties.
    let candidates: Vec<&VariantRule> = rules
        .iter()
        .filter(|(_, fields)| {
            fields.iter().all(|(name, constant)| match constant {
                Some(c) => object.get(*name).and_then(Value::as_str) == Some(*c),
                None => true,
            })
        })
        .collect();
    let has_constants = rules
        .iter()
        .any(|(_, f)| f.iter().any(|(_, c)| c.is_some()));
    if candidates.is_empty() || !has_constants {
        let mut constants: Vec<(&str, Vec<&str>)> = Vec::new();
        for (_, fields) in rules {
            for (name, constant) in fields.iter() {
                if let Some(c) = constant {
                    match constants.iter_mut().find(|(n, _)| n == name) {
                        Some((_, values)) if !values.contains(c) => values.push(c),
                        Some(_) => {}
                        None => constants.push((name, vec![c])),
                    }
                }
            }
        }
        // A constant is worth naming when the object holds a wrong value for
        // it, or when every variant needs it (`eventType`, not `eventSubtype`).
        constants.retain(|(name, _)| {
            object.contains_key(*name)
                || rules
                    .iter()
                    .all(|(_, fields)| fields.iter().any(|(n, c)| n == name && c.is_some()))
        });
        let parts: Vec<String> = constants
            .iter_mut()
            .map(|(name, values)| {
                values.sort_unstable();
                let got = match object.get(*name) {
                    None => "missing".to_string(),
                    Some(v) => format!(
                        "`{}`",
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    ),
                };
                format!("`{name}` is {got}, expected one of: {}", values.join(", "))
            })
            .collect();
        if !parts.is_empty() {
            return format!("not a valid {union}: {}", parts.join("; "));
        }
    }
    let needs: Vec<String> = candidates
        .iter()
        .map(|(variant, fields)| {
            let names: Vec<&str> = fields
                .iter()
                .filter(|(_, c)| c.is_none())
                .map(|(n, _)| *n)
                .collect();
            format!("{} ({variant})", names.join(" and "))
        })
        .collect();
    format!("not a valid {union}: it needs {}", needs.join(", or "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const RULES: &[VariantRule] = &[
        (
            "ClickAfter",
            &[
                ("eventType", Some("click")),
                ("queryID", None),
                ("positions", None),
            ],
        ),
        (
            "Click",
            &[("eventType", Some("click")), ("objectIDs", None)],
        ),
        ("View", &[("eventType", Some("view")), ("objectIDs", None)]),
    ];

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let both = object(
            json!({"eventType": "click", "queryID": "q", "positions": [1], "objectIDs": ["a"]}),
        );
        assert_eq!(pick_variant(&both, RULES), Some(0));
        let plain = object(json!({"eventType": "click", "objectIDs": ["a"]}));
        assert_eq!(pick_variant(&plain, RULES), Some(1));
        let view = object(json!({"eventType": "view", "objectIDs": ["a"]}));
        assert_eq!(pick_variant(&view, RULES), Some(2));
    }

    #[test]
    fn no_match_explains_what_is_missing() {
        let unknown = object(json!({"eventType": "scroll"}));
        assert_eq!(pick_variant(&unknown, RULES), None);
        assert_eq!(
            no_variant_message("Event", &unknown, RULES),
            "not a valid Event: `eventType` is `scroll`, expected one of: click, view"
        );
        let bare = object(json!({"eventType": "click"}));
        assert_eq!(
            no_variant_message("Event", &bare, RULES),
            "not a valid Event: it needs queryID and positions (ClickAfter), or objectIDs (Click)"
        );
    }
}
