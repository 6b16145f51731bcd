//! Serde helpers of generated types: constants (`eventType: "click"`) and
//! unions whose variants are told apart by the spec's `x-discriminator-fields`.

use super::decode::RawJson;
use super::join::join;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IgnoredAny, MapAccess, Visitor,
};
use serde::Deserialize;

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

/// The value of the string property `property` of a JSON object kept as
/// text (a union's tag), read without building anything else; a key that
/// appears twice is refused.
///
/// # Errors
///
/// When the text is not an object, or the property is there twice or is
/// not a string.
pub fn read_tag(
    raw: &RawJson,
    property: &'static str,
) -> Result<Option<String>, serde_json::Error> {
    struct TagProbe(&'static str);
    impl<'de> DeserializeSeed<'de> for TagProbe {
        type Value = Option<String>;
        fn deserialize<D: Deserializer<'de>>(
            self,
            deserializer: D,
        ) -> Result<Self::Value, D::Error> {
            deserializer.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for TagProbe {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut tag: Option<String> = None;
            while let Some(key) = map.next_key::<super::decode::seeds::Key<'de>>()? {
                if key.as_str() == self.0 {
                    map.next_value_seed(super::decode::seeds::Once::new(&mut tag, self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(tag)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    TagProbe(property).deserialize(&mut deserializer)
}

/// Decodes an object kept as text as the variant its tag named; the error
/// names the path inside it.
///
/// # Errors
///
/// The variant's own error, prefixed with the path of the value concerned.
pub fn decode_variant<T: DeserializeOwned, E: serde::de::Error>(raw: &RawJson) -> Result<T, E> {
    raw.decode().map_err(E::custom)
}

/// Why no variant fits an object: which constant values are known, and which
/// properties each candidate variant needs.
///
/// `probe` tells whether the object has a property (`None` when absent) and
/// the value of a constant one (`Some(Some(value))`).
pub fn no_variant_message<'a>(
    union: &str,
    probe: impl Fn(&str) -> Option<Option<&'a str>>,
    rules: &[VariantRule],
) -> String {
    // Variants whose constants all match: the object is one of these, missing properties.
    let candidates: Vec<&VariantRule> = rules
        .iter()
        .filter(|(_, fields)| {
            fields.iter().all(|(name, constant)| match constant {
                Some(c) => probe(name).flatten() == Some(*c),
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
            probe(name).is_some()
                || rules
                    .iter()
                    .all(|(_, fields)| fields.iter().any(|(n, c)| n == name && c.is_some()))
        });
        let parts: Vec<String> = constants
            .iter_mut()
            .map(|(name, values)| {
                values.sort_unstable();
                let got = match probe(name) {
                    None => "missing".to_string(),
                    Some(value) => format!("`{}`", value.unwrap_or("?")),
                };
                format!("`{name}` is {got}, expected one of: {}", join(values, ", "))
            })
            .collect();
        if !parts.is_empty() {
            return format!("not a valid {union}: {}", join(&parts, "; "));
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
            format!("{} ({variant})", join(&names, " and "))
        })
        .collect();
    format!("not a valid {union}: it needs {}", join(&needs, ", or "))
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn no_match_explains_what_is_missing() {
        let unknown = |name: &str| (name == "eventType").then_some(Some("scroll"));
        assert_eq!(
            no_variant_message("Event", unknown, RULES),
            "not a valid Event: `eventType` is `scroll`, expected one of: click, view"
        );
        let bare = |name: &str| (name == "eventType").then_some(Some("click"));
        assert_eq!(
            no_variant_message("Event", bare, RULES),
            "not a valid Event: it needs queryID and positions (ClickAfter), or objectIDs (Click)"
        );
    }

    #[test]
    fn the_tag_is_read_without_the_rest_and_only_once() {
        let raw: RawJson = r#"{"big":[[1,{"a":2}]],"kind":"cat"}"#.parse().unwrap();
        assert_eq!(read_tag(&raw, "kind").unwrap().as_deref(), Some("cat"));
        assert_eq!(read_tag(&raw, "other").unwrap(), None);
        let twice: RawJson = r#"{"kind":"cat","kind":"dog"}"#.parse().unwrap();
        assert!(read_tag(&twice, "kind")
            .unwrap_err()
            .to_string()
            .contains("duplicate field `kind`"));
    }
}
