//! The JSON Schemas that `schemars` derives from the generated Rust types
//! agree with the spec's schemas: same property names, same required sets,
//! same constraints. The derive reads the Rust types and their serde
//! attributes, so this checks the generator by an independent path.
#![cfg(feature = "schemars")]

use algolia_insights::models::*;
use serde_json::{Map, Value};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/insights.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Follows `$ref`s (`#/components/schemas/X` in the spec, `#/$defs/X` in a
/// derived schema) within `root`.
fn resolve<'a>(root: &'a Value, mut value: &'a Value) -> &'a Value {
    while let Some(reference) = value.get("$ref").and_then(Value::as_str) {
        value = root
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling {reference}"));
    }
    value
}

/// The constraints of a property schema, as one comparable map.
fn constraints(root: &Value, schema: &Value) -> Map<String, Value> {
    let schema = resolve(root, schema);
    // `Option<T>` derives as `anyOf: [T, null]` or `type: [T, "null"]`; look through it.
    let schema = match schema.get("anyOf").and_then(Value::as_array) {
        Some(variants)
            if variants.len() == 2
                && variants
                    .iter()
                    .any(|v| v.get("type") == Some(&Value::from("null"))) =>
        {
            resolve(
                root,
                variants
                    .iter()
                    .find(|v| v.get("type") != Some(&Value::from("null")))
                    .unwrap(),
            )
        }
        _ => schema,
    };
    let mut out = Map::new();
    for key in [
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "minimum",
        "maximum",
        "enum",
    ] {
        if let Some(value) = schema.get(key) {
            let value = match value {
                Value::Number(n) => Value::from(n.as_f64().unwrap()),
                other => other.clone(),
            };
            out.insert(key.to_string(), value);
        }
    }
    if let Some(items) = schema.get("items") {
        out.insert("items".to_string(), Value::Object(constraints(root, items)));
    }
    out
}

fn compare(name: &str, derived: Value) {
    let spec = spec();
    let expected = &spec["components"]["schemas"][name];
    let properties = |root: &Value, schema: &Value| -> Vec<String> {
        let mut names: Vec<String> = resolve(root, schema)["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        properties(&derived, &derived),
        properties(&spec, expected),
        "{name}: property names"
    );
    let required = |schema: &Value| -> Vec<String> {
        let mut names: Vec<String> = schema["required"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
            .unwrap_or_default();
        names.sort();
        names
    };
    assert_eq!(
        required(&derived),
        required(expected),
        "{name}: required properties"
    );
    for property in properties(&spec, expected) {
        assert_eq!(
            constraints(&derived, &derived["properties"][&property]),
            constraints(&spec, &expected["properties"][&property]),
            "{name}.{property}: constraints"
        );
    }
    assert_eq!(
        derived["additionalProperties"],
        Value::Bool(false),
        "{name}: unknown properties are refused"
    );
}

macro_rules! fidelity_tests {
    ($($test:ident: $ty:ident),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                compare(stringify!($ty), serde_json::to_value(schemars::schema_for!($ty)).unwrap());
            }
        )*
    };
}

fidelity_tests! {
    clicked_object_ids_after_search: ClickedObjectIDsAfterSearch,
    added_to_cart_object_ids_after_search: AddedToCartObjectIDsAfterSearch,
    purchased_object_ids_after_search: PurchasedObjectIDsAfterSearch,
    converted_object_ids_after_search: ConvertedObjectIDsAfterSearch,
    clicked_object_ids: ClickedObjectIDs,
    purchased_object_ids: PurchasedObjectIDs,
    added_to_cart_object_ids: AddedToCartObjectIDs,
    converted_object_ids: ConvertedObjectIDs,
    clicked_filters: ClickedFilters,
    converted_filters: ConvertedFilters,
    viewed_object_ids: ViewedObjectIDs,
    viewed_filters: ViewedFilters,
    instantsearch: Instantsearch,
    insights_events: InsightsEvents,
    object_data: ObjectData,
    object_data_after_search: ObjectDataAfterSearch,
}

/// `EventsItems` is an `anyOf`, as in the spec: its variants overlap (a
/// purchase with `objectData` fits both purchase variants), so a `oneOf`
/// would refuse such an event.
#[test]
fn the_events_union_lists_every_variant_as_the_spec_does() {
    let derived = serde_json::to_value(schemars::schema_for!(EventsItems)).unwrap();
    assert_eq!(derived.get("oneOf"), None);
    let spec = spec();
    let in_spec = spec["components"]["schemas"]["EventsItems"]["anyOf"]
        .as_array()
        .unwrap();
    let names = |variants: &[Value]| -> Vec<String> {
        variants
            .iter()
            .map(|v| {
                v["$ref"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(names(derived["anyOf"].as_array().unwrap()), names(in_spec));
}
