//! Every example event in our spec (one per `EventsItems` variant at least)
//! deserializes into the variant it illustrates and serializes back to the
//! same JSON: the spec, the generator and the serde impls agree.

use algolia_insights::models::{EventsItems, InsightsEvents};
use serde_json::Value;

/// JSON with every number as a float: `0` and `0.0` are the same JSON
/// number, and prices are `f64` in Rust.
fn numbers_as_floats(value: Value) -> Value {
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.into_iter().map(numbers_as_floats).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, numbers_as_floats(v)))
                .collect(),
        ),
        other => other,
    }
}

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/spec/insights.json"))
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// (variant schema name, its example) for every variant of `EventsItems`.
fn variant_examples(spec: &Value) -> Vec<(String, Value)> {
    let schemas = &spec["components"]["schemas"];
    schemas["EventsItems"]["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|variant| {
            let name = variant["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            let example = schemas[&name]["example"].clone();
            assert!(example.is_object(), "{name} has no example event");
            (name, example)
        })
        .collect()
}

#[test]
fn every_variant_has_an_example_that_round_trips_as_that_variant() {
    let spec = spec();
    let examples = variant_examples(&spec);
    assert_eq!(examples.len(), 13, "the spec describes 13 event variants");
    for (name, example) in examples {
        let event: EventsItems = serde_json::from_value(example.clone())
            .unwrap_or_else(|e| panic!("the {name} example does not deserialize: {e}"));
        assert_eq!(
            event.variant_name(),
            name,
            "the {name} example was read as another variant"
        );
        event
            .validate()
            .unwrap_or_else(|e| panic!("the {name} example is not valid: {e}"));
        assert_eq!(
            numbers_as_floats(serde_json::to_value(&event).unwrap()),
            numbers_as_floats(example),
            "{name} does not round-trip"
        );
    }
}

#[test]
fn all_examples_together_make_a_valid_request_body() {
    let spec = spec();
    let events: Vec<Value> = variant_examples(&spec)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    let body = serde_json::json!({ "events": events });
    let parsed: InsightsEvents = serde_json::from_value(body.clone()).unwrap();
    parsed.validate().unwrap();
    assert_eq!(
        numbers_as_floats(serde_json::to_value(&parsed).unwrap()),
        numbers_as_floats(body)
    );
}

#[test]
fn unknown_fields_and_unknown_event_types_are_refused_with_their_names() {
    let spec = spec();
    let (_, mut example) = variant_examples(&spec).remove(0);
    example["objectIds"] = serde_json::json!(["typo"]);
    let error = algolia_insights::runtime::decode::from_str::<EventsItems>(&example.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `objectIds`"), "{error}");

    let error = algolia_insights::runtime::decode::from_str::<EventsItems>(
        r#"{"eventType":"scroll","eventName":"x"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.starts_with("not a valid EventsItems: `eventType` is `scroll`, expected one of: click, conversion, instantsearch, view"),
        "{error}"
    );
}

#[test]
fn a_bad_value_in_wire_json_is_named_by_its_path() {
    let body = r#"{"events":[{"eventType":"view","eventName":"Viewed","index":"i","objectIDs":["a"],"userToken":"bad token!"}]}"#;
    let error = algolia_insights::runtime::decode::from_str::<InsightsEvents>(body).unwrap_err();
    assert_eq!(error.path(), "events[0].userToken");
    let message = error.to_string();
    assert!(
        message.starts_with("events[0].userToken: `bad token!` does not match the pattern"),
        "{message}"
    );
}

#[test]
fn the_request_limits_are_the_spec_s() {
    let spec = spec();
    let events = &spec["components"]["schemas"]["InsightsEvents"];
    assert_eq!(
        InsightsEvents::EVENTS_MAX_ITEMS as u64,
        events["properties"]["events"]["maxItems"].as_u64().unwrap()
    );
    assert_eq!(
        InsightsEvents::MAX_SERIALIZED_BYTES as u64,
        events["x-max-serialized-bytes"].as_u64().unwrap()
    );
    assert_eq!(
        algolia_insights::sender::MAX_BATCH_EVENTS,
        InsightsEvents::EVENTS_MAX_ITEMS
    );
}
