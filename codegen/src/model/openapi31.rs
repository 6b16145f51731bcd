//! OpenAPI 3.1 (JSON Schema 2020-12) schemas in the forms the model reads:
//! one schema object at a time, its 3.1 keywords rewritten as their 3.0
//! equivalents, so that a spec and its 3.1 rewrite give the same client.
//!
//! - `type: [T, "null"]` → `type: T, nullable: true` (`["null"]` alone → `"null"`);
//! - `examples: [x, ...]` → `example: x` (the first; the model shows one);
//! - numeric `exclusiveMinimum`/`exclusiveMaximum` → `minimum`/`maximum`
//!   with the 3.0 boolean (the tighter bound where both are given);
//! - `$defs` is dropped (its schemas are reached through `$ref`s);
//! - `contentEncoding`/`contentMediaType` on a string: the value stays the
//!   string the API sends, and the description says so.
//!
//! `const`, `dependentRequired` and annotations beside `$ref` are read by the
//! model itself. `prefixItems` (a tuple), a `type` list of several non-null
//! types and a boolean `exclusiveMinimum` are refused with their pointer;
//! any other 2020-12 keyword is refused by the model's keyword check.

use crate::error::{Error, Location, Result};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Keys of the document's root that 3.1 adds and the generator ignores,
/// with why (each raises a warning).
pub(super) const IGNORED_ROOT_KEYS: &[(&str, &str)] = &[
    (
        "webhooks",
        "`webhooks` are requests the API makes, not operations of the client; ignored",
    ),
    (
        "jsonSchemaDialect",
        "`jsonSchemaDialect`: schemas are read as OpenAPI 3.1's JSON Schema 2020-12 dialect; ignored",
    ),
];

/// Schema keys of 3.1 that the model reads beside those of 3.0.
pub(super) const SCHEMA_KEYS_31: &[&str] = &["dependentRequired", "$comment"];

/// The schema `value` (found at `at`) in 3.0 forms; borrowed when it has no
/// 3.1 keyword to rewrite.
pub(super) fn lower_schema<'v>(value: &'v Value, at: &Location) -> Result<Cow<'v, Value>> {
    let Some(object) = value.as_object() else {
        return Ok(Cow::Borrowed(value));
    };
    const REWRITTEN: &[&str] = &[
        "type",
        "examples",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "$defs",
        "contentEncoding",
        "contentMediaType",
        "prefixItems",
    ];
    let rewrites = |key: &str| match key {
        "type" => object.get(key).is_some_and(Value::is_array),
        _ => REWRITTEN.contains(&key),
    };
    if !object.keys().any(|key| rewrites(key)) {
        return Ok(Cow::Borrowed(value));
    }
    let mut schema = object.clone();
    if schema.contains_key("prefixItems") {
        return Err(Error::new(
            &at.key("prefixItems"),
            "`prefixItems` (a tuple) is not supported: the generated client has no tuple types; \
             describe the items with one `items` schema",
        ));
    }
    lower_type_list(&mut schema, at)?;
    lower_examples(&mut schema, at)?;
    lower_exclusive_bound(&mut schema, at, "exclusiveMinimum", "minimum", |a, b| a > b)?;
    lower_exclusive_bound(&mut schema, at, "exclusiveMaximum", "maximum", |a, b| a < b)?;
    if let Some(defs) = schema.remove("$defs") {
        if !defs.is_object() {
            return Err(Error::new(
                &at.key("$defs"),
                "`$defs` must map names to schemas",
            ));
        }
    }
    lower_content_keywords(&mut schema, at)?;
    Ok(Cow::Owned(Value::Object(schema)))
}

/// `type: [T]`, `[T, "null"]` or `["null"]` to a single type (and `nullable`).
fn lower_type_list(schema: &mut Map<String, Value>, at: &Location) -> Result<()> {
    let Some(Value::Array(types)) = schema.get("type") else {
        return Ok(());
    };
    let mut kinds: Vec<String> = Vec::new();
    for (i, kind) in types.iter().enumerate() {
        let kind = kind.as_str().ok_or_else(|| {
            Error::new(&at.key("type").index(i), "a `type` list holds type names")
        })?;
        if !kinds.iter().any(|k| k == kind) {
            kinds.push(kind.to_string());
        }
    }
    let null = kinds.iter().any(|k| k == "null");
    let others: Vec<&str> = kinds
        .iter()
        .map(String::as_str)
        .filter(|k| *k != "null")
        .collect();
    let kind = match others.as_slice() {
        [] if null => "null",
        [kind] => kind,
        [] => return Err(Error::new(&at.key("type"), "an empty `type` list")),
        several => {
            return Err(Error::new(
                &at.key("type"),
                format!(
                    "a `type` list of several types ({}) is not supported: write a `oneOf` \
                     with one schema per type",
                    several.join(", ")
                ),
            ))
        }
    };
    let kind = Value::String(kind.to_string());
    schema.insert("type".into(), kind);
    if null && !others.is_empty() {
        schema.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// `examples: [x, ...]` to `example: x` (unless the schema has an `example`).
fn lower_examples(schema: &mut Map<String, Value>, at: &Location) -> Result<()> {
    let Some(examples) = schema.remove("examples") else {
        return Ok(());
    };
    let Value::Array(examples) = examples else {
        return Err(Error::new(
            &at.key("examples"),
            "`examples` in a schema must be a list of values",
        ));
    };
    if let Some(first) = examples.into_iter().next() {
        schema.entry("example").or_insert(first);
    }
    Ok(())
}

/// A numeric `exclusiveMinimum` (`exclusiveMaximum`) to `minimum` with
/// `exclusiveMinimum: true`, unless the inclusive bound beside it is tighter
/// (`tighter(inclusive, exclusive)`), which then stays alone.
fn lower_exclusive_bound(
    schema: &mut Map<String, Value>,
    at: &Location,
    key: &str,
    inclusive_key: &str,
    tighter: fn(f64, f64) -> bool,
) -> Result<()> {
    let Some(bound) = schema.remove(key) else {
        return Ok(());
    };
    let Some(exclusive) = bound.as_f64() else {
        return Err(Error::new(
            &at.key(key),
            format!("`{key}` must be a number in OpenAPI 3.1 (the bound itself; a boolean is 3.0)"),
        ));
    };
    let inclusive = match schema.get(inclusive_key) {
        None => None,
        Some(value) => Some(value.as_f64().ok_or_else(|| {
            Error::new(
                &at.key(inclusive_key),
                format!("`{inclusive_key}` must be a number"),
            )
        })?),
    };
    if inclusive.is_some_and(|inclusive| tighter(inclusive, exclusive)) {
        return Ok(());
    }
    schema.insert(inclusive_key.into(), bound);
    schema.insert(key.into(), Value::Bool(true));
    Ok(())
}

/// `contentEncoding`/`contentMediaType` on a string: noted in its description.
fn lower_content_keywords(schema: &mut Map<String, Value>, at: &Location) -> Result<()> {
    let mut notes = Vec::new();
    for key in ["contentEncoding", "contentMediaType"] {
        let Some(value) = schema.remove(key) else {
            continue;
        };
        if schema.get("type").and_then(Value::as_str) != Some("string") {
            return Err(Error::new(
                &at.key(key),
                format!("`{key}` is supported on a `type: string` schema only"),
            ));
        }
        let Value::String(value) = value else {
            return Err(Error::new(
                &at.key(key),
                format!("`{key}` must be a string"),
            ));
        };
        notes.push(match key {
            "contentEncoding" => format!("encoded as `{value}`"),
            _ => format!("of media type `{value}`"),
        });
    }
    if notes.is_empty() {
        return Ok(());
    }
    let note = format!(
        "Content {}, kept as the string the API sends.",
        notes.join(", ")
    );
    let description = match schema.remove("description") {
        Some(Value::String(d)) => format!("{d}\n\n{note}"),
        _ => note,
    };
    schema.insert("description".into(), Value::String(description));
    Ok(())
}

/// `dependentRequired: {a: [b, c]}`: (property, the properties it requires).
pub(super) fn dependent_required(
    value: Option<&Value>,
    properties: &Map<String, Value>,
    at: &Location,
) -> Result<Vec<(String, Vec<String>)>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let at = at.key("dependentRequired");
    let map = value
        .as_object()
        .ok_or_else(|| Error::new(&at, "`dependentRequired` must map a property to a list"))?;
    let mut out = Vec::new();
    for (property, required) in map {
        let entry_at = at.key(property);
        if !properties.contains_key(property) {
            return Err(Error::new(
                &entry_at,
                format!("`{property}` is not a property of this schema"),
            ));
        }
        let list = required
            .as_array()
            .ok_or_else(|| Error::new(&entry_at, "expected a list of property names"))?;
        let mut names = Vec::new();
        for (i, name) in list.iter().enumerate() {
            let name = name
                .as_str()
                .filter(|name| properties.contains_key(*name))
                .ok_or_else(|| {
                    Error::new(
                        &entry_at.index(i),
                        "expected the name of a property of this schema",
                    )
                })?;
            names.push(name.to_string());
        }
        out.push((property.clone(), names));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lower(value: Value) -> Result<Value> {
        lower_schema(&value, &Location::root()).map(Cow::into_owned)
    }

    #[test]
    fn rewrites_31_forms_as_30_ones() {
        assert_eq!(
            lower(json!({"type": ["string", "null"], "examples": ["a", "b"]})).unwrap(),
            json!({"type": "string", "nullable": true, "example": "a"})
        );
        assert_eq!(
            lower(json!({"type": ["null"]})).unwrap(),
            json!({"type": "null"})
        );
        assert_eq!(
            lower(json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 5, "exclusiveMaximum": 9})).unwrap(),
            json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 5})
        );
        assert_eq!(
            lower(json!({"type": "string", "contentEncoding": "base64"})).unwrap(),
            json!({"type": "string", "description": "Content encoded as `base64`, kept as the string the API sends."})
        );
        let untouched = json!({"type": "string", "example": "x"});
        assert!(matches!(
            lower_schema(&untouched, &Location::root()).unwrap(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn refuses_what_it_cannot_rewrite_with_the_pointer() {
        let at = |value: Value| lower(value).unwrap_err().location.pointer;
        assert_eq!(at(json!({"type": ["string", "integer"]})), "#/type");
        assert_eq!(at(json!({"prefixItems": [{}]})), "#/prefixItems");
        assert_eq!(at(json!({"exclusiveMinimum": true})), "#/exclusiveMinimum");
        assert_eq!(
            at(json!({"type": "object", "contentMediaType": "image/png"})),
            "#/contentMediaType"
        );
    }
}
