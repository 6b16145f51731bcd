//! Code written against the generated output of `codegen/tests/fixtures/constructs.json`:
//! it must compile (trybuild) and its assertions must hold when it runs.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/constructs.rs");
}

use api::models::*;
use api::operations::{Client, Region};
use serde_json::json;

fn main() {
    // Awkward names became idiomatic fields with their wire names kept.
    let widget = Widget::new(Kind::SmallBox, ["ab", "cd"], true)
        .x_rate_limit(3)
        .grid([vec![1.0, 2.5], vec![]])
        .labels(std::collections::BTreeMap::from([(
            "a".to_string(),
            "b".to_string(),
        )]))
        .size(42)
        .code(Code::new("ABC").unwrap());
    let wire = serde_json::to_value(&widget).unwrap();
    assert_eq!(
        wire,
        json!({"type": "small-box", "objectIDs": ["ab", "cd"], "self": true, "x-rate-limit": 3,
               "grid": [[1.0, 2.5], []], "labels": {"a": "b"}, "size": 42, "code": "ABC"})
    );
    widget.validate().unwrap();
    assert_eq!(serde_json::from_value::<Widget>(wire).unwrap(), widget);

    // Inline constraints are checked by validate(), each with its path.
    let mut bad = Widget::new(Kind::BigBox, ["a"], false)
        .x_rate_limit(11)
        .size("12345");
    bad.owner = Some(WidgetOwner::new().name("lowercase"));
    let messages: Vec<String> = bad
        .validate()
        .unwrap_err()
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(messages.len(), 4, "{messages:?}");
    assert_eq!(messages[0], "objectIDs[0]: 1 characters, at least 2");
    assert_eq!(messages[1], "x-rate-limit: must be <= 10, got 11");
    assert!(
        messages[2].starts_with("size: 5 characters, at most 4"),
        "{}",
        messages[2]
    );
    assert!(
        messages[3].starts_with("owner.name: `lowercase` does not match"),
        "{}",
        messages[3]
    );

    // Newtypes check on construction and on deserialization.
    assert!(Code::new("abc").is_err());
    assert!(serde_json::from_value::<Widget>(
        json!({"type": "x", "objectIDs": [], "self": true, "code": "no"})
    )
    .is_err());

    // Unknown fields are refused on request-only types, kept on response types.
    assert!(serde_json::from_value::<Widget>(
        json!({"type": "x", "objectIDs": ["ab"], "self": true, "extra": 1})
    )
    .is_err());
    let receipt: Receipt =
        serde_json::from_value(json!({"id": "r1", "kind": "huge", "new": [1]})).unwrap();
    assert_eq!(receipt.kind, Some(Kind::Unknown("huge".to_string())));
    assert_eq!(
        receipt.additional_properties.get("new").map(|v| v.get()),
        Some("[1]")
    );
    assert_eq!(Kind::from("Unknown"), Kind::Unknown_);

    // allOf merges properties; the oneOf by shape picks the first that fits.
    let named = Named::new("n1").tags(["t"]);
    assert_eq!(
        serde_json::to_value(&named).unwrap(),
        json!({"id": "n1", "tags": ["t"]})
    );
    assert_eq!(
        serde_json::from_value::<Size>(json!("S")).unwrap(),
        Size::String("S".into())
    );

    // Servers became a region enum; operations became methods.
    assert_eq!(
        "us-east".parse::<Region>().unwrap().host(),
        "https://api.us-east.example.com"
    );
    assert_eq!(
        "mars".parse::<Region>().unwrap_err().to_string(),
        "`zone` must be one of the following: eu, us-east"
    );
    let transport =
        algolia_insights::__private::client_builder::<algolia_insights::runtime::Transport>(
            api::operations::API,
            api::operations::APP_ID_HEADER,
            api::operations::API_KEY_HEADER,
            "app",
            "key",
        )
        .build()
        .unwrap();
    let client = Client::from_transport(transport);
    let _put = client
        .put_widget("ABC", 5, widget)
        .dry_run(true)
        .x_trace("t-1");
    let _text = client.get_widget_text("ABC");
    let _ping = client.ping();
}
