//! A standard JSON Schema validator (the `jsonschema` crate, reading the spec
//! as it is) and the generated validation agree on which events are valid;
//! with the `schemars` feature, so does the same validator reading the schema
//! the client exports (`schemars::schema_for!(EventsItems)`).
//!
//! `EventsItems` is an `anyOf`: its variants overlap (a purchase with
//! `objectData` fits both purchase variants), and the first variant whose
//! `x-discriminator-fields` match is the one a client builds; a `oneOf` would
//! make standard validators refuse every event that fits two variants.

use algolia_insights::models::EventsItems;
use algolia_insights::validation::{Validate, ValidationContext};
use serde_json::{json, Value};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/insights.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A validator of one event: `EventsItems` with the spec's components
/// beside it, so that its `$ref`s resolve (OpenAPI 3.0 schemas are draft 4).
fn standard_validator(spec: &Value) -> jsonschema::Validator {
    let schema = json!({
        "$ref": "#/components/schemas/EventsItems",
        "components": spec["components"],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&schema)
        .expect("the spec's schemas are valid JSON Schema")
}

/// A validator of one event from the schema the client exports: JSON Schema
/// 2020-12, as `schemars` writes it.
#[cfg(feature = "schemars")]
fn exported_validator() -> jsonschema::Validator {
    let schema = serde_json::to_value(schemars::schema_for!(EventsItems)).unwrap();
    assert!(
        schema["anyOf"].is_array(),
        "EventsItems is exported as an anyOf, as the spec says: {schema}"
    );
    jsonschema::validator_for(&schema).expect("the exported schema is valid JSON Schema")
}

/// The standard validators to compare with the generated validation:
/// (what it reads, the validator).
fn standard_validators(spec: &Value) -> Vec<(&'static str, jsonschema::Validator)> {
    #[allow(unused_mut)]
    let mut validators = vec![("the spec", standard_validator(spec))];
    #[cfg(feature = "schemars")]
    validators.push(("the exported schema", exported_validator()));
    validators
}

/// Whether the generated client accepts `event`: it decodes as a variant and
/// that variant meets every rule (timestamps of any age allowed: the ages of
/// the examples are not what is compared).
fn generated_accepts(event: &Value) -> bool {
    let Ok(event) = serde_json::from_value::<EventsItems>(event.clone()) else {
        return false;
    };
    let context = ValidationContext::now().allow_stale_timestamps(true);
    event.validate_with(&context).is_ok()
}

fn variant_examples(spec: &Value) -> Vec<(String, Value)> {
    let schemas = &spec["components"]["schemas"];
    schemas["EventsItems"]["anyOf"]
        .as_array()
        .expect("EventsItems is an anyOf")
        .iter()
        .map(|variant| {
            let name = variant["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            (name.to_string(), schemas[name]["example"].clone())
        })
        .collect()
}

/// `event` with `key` set to `value` (or removed when `value` is null).
fn with(event: &Value, key: &str, value: Value) -> Value {
    let mut event = event.clone();
    let object = event.as_object_mut().unwrap();
    if value.is_null() {
        object.remove(key);
    } else {
        object.insert(key.to_string(), value);
    }
    event
}

#[test]
fn a_standard_validator_and_the_generated_validation_agree() {
    let spec = spec();
    let validators = standard_validators(&spec);
    let examples = variant_examples(&spec);
    assert_eq!(examples.len(), 13);
    let example = |name: &str| {
        examples
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e.clone())
            .unwrap()
    };
    let purchase = example("PurchasedObjectIDsAfterSearch");
    let click = example("ClickedObjectIDsAfterSearch");

    // Valid: every example, and events that fit two variants at once.
    let mut valid: Vec<(String, Value)> = examples.clone();
    let mut no_query_id = purchase.clone();
    for entry in no_query_id["objectData"].as_array_mut().unwrap() {
        entry.as_object_mut().unwrap().remove("queryID");
    }
    valid.push(("purchase, objectData without queryID".into(), no_query_id));
    valid.push((
        "purchase without objectData".into(),
        with(&purchase, "objectData", Value::Null),
    ));

    // Invalid: each breaks one rule that both can check.
    let invalid = vec![
        ("no userToken", with(&click, "userToken", Value::Null)),
        (
            "unknown eventType",
            with(&click, "eventType", json!("hover")),
        ),
        ("unknown property", with(&click, "colour", json!("blue"))),
        (
            "userToken with a space",
            with(&click, "userToken", json!("a b")),
        ),
        ("empty eventName", with(&click, "eventName", json!(""))),
        ("queryID not hex", with(&click, "queryID", json!("xyz"))),
        ("position 0", with(&click, "positions", json!([0]))),
        (
            "21 objectIDs",
            with(
                &click,
                "objectIDs",
                json!((0..21).map(|i| i.to_string()).collect::<Vec<_>>()),
            ),
        ),
        ("not an object", json!("click")),
        (
            "eventSubtype on a click",
            with(&click, "eventSubtype", json!("purchase")),
        ),
    ];

    for (name, event) in &valid {
        for (source, validator) in &validators {
            assert!(
                validator.is_valid(event),
                "the standard validator reading {source} refuses {name}: {:?}",
                validator
                    .iter_errors(event)
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
            );
        }
        assert!(
            generated_accepts(event),
            "the generated validation refuses {name}"
        );
    }
    for (name, event) in &invalid {
        for (source, validator) in &validators {
            assert!(
                !validator.is_valid(event),
                "the standard validator reading {source} accepts {name}"
            );
        }
        assert!(
            !generated_accepts(event),
            "the generated validation accepts {name}"
        );
    }
}
