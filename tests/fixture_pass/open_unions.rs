//! Code written against the generated output of
//! `codegen/tests/fixtures/open_unions.json`: the one-pass reader of a union
//! told apart by fields, for each way a variant treats the properties the
//! spec does not name (kept as JSON text, kept as typed values, refused),
//! and for variants whose property names clash once made Rust names.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/open_unions.rs");
}

use api::models::*;
use serde_json::{json, Value};

/// Decodes `wire` as a `T`, and checks that writing it gives `wire` back.
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(wire: &Value) -> T {
    let value: T = serde_json::from_str(&wire.to_string())
        .unwrap_or_else(|e| panic!("{wire} does not decode: {e}"));
    assert_eq!(&serde_json::to_value(&value).unwrap(), wire, "written back");
    value
}

fn refusal(wire: Value) -> String {
    match serde_json::from_value::<Shape>(wire.clone()) {
        Ok(shape) => panic!("{wire} decoded as {shape:?}"),
        Err(error) => error.to_string(),
    }
}

fn main() {
    // Unknown::Raw: any unknown property is kept as the JSON text it came as,
    // in its order, beside the properties the spec names.
    let wire = json!({"kind": "circle", "radius": 1.5, "color": "red",
                      "meta": {"tags": ["a", "b"], "n": null}, "label": "sun"});
    let Shape::Circle(circle) = round_trip::<Shape>(&wire) else {
        panic!("not a circle")
    };
    assert_eq!(circle.radius, 1.5);
    assert_eq!(circle.label.as_deref(), Some("sun"));
    let kept = &circle.additional_properties;
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept.get("color").unwrap().get(), r#""red""#);
    assert_eq!(
        kept.decode::<Value>("meta").unwrap(),
        Some(json!({"tags": ["a", "b"], "n": null}))
    );
    // None at all: an empty set, and nothing extra written.
    let Shape::Circle(plain) = round_trip::<Shape>(&json!({"kind": "circle", "radius": 2.0}))
    else {
        panic!("not a circle")
    };
    assert!(plain.additional_properties.is_empty());

    // Unknown::Typed: unknown properties are values of the schema's
    // `additionalProperties` (integers), kept as such.
    let wire = json!({"kind": "square", "side": 3, "rotation": 45, "layer": -2, "label": 7});
    let Shape::Square(square) = round_trip::<Shape>(&wire) else {
        panic!("not a square")
    };
    assert_eq!((square.side, square.label), (3, Some(7)));
    assert_eq!(
        square.additional_properties,
        std::collections::BTreeMap::from([("layer".to_string(), -2), ("rotation".to_string(), 45)])
    );
    // …and one of another type is refused, naming the type expected.
    let message = refusal(json!({"kind": "square", "side": 3, "rotation": "left"}));
    assert!(message.contains("expected i64"), "{message}");

    // A property two variants type differently (`label`, read as JSON text
    // until the variant is known) decodes as the chosen variant's type.
    let message = refusal(json!({"kind": "square", "side": 3, "label": "sun"}));
    assert!(message.contains("label"), "{message}");

    // Unknown::Closed (`additionalProperties: false`) in a union whose other
    // variants keep them: refused, naming the property and the variant.
    let Shape::Line(line) = round_trip::<Shape>(&json!({"kind": "line", "length": 4.0})) else {
        panic!("not a line")
    };
    assert_eq!(line.length, 4.0);
    assert_eq!(
        refusal(json!({"kind": "line", "length": 4.0, "color": "red"})),
        "unknown field `color` in Line"
    );

    // What a variant keeps goes back out when the union is written.
    let mut circle = Circle::new(0.5);
    circle
        .additional_properties
        .insert("color", "blue")
        .unwrap();
    assert_eq!(
        serde_json::to_value(Shape::from(circle)).unwrap(),
        json!({"kind": "circle", "radius": 0.5, "color": "blue"})
    );

    // Names that clash once made Rust names: `x-y` and `x_y` are read into
    // slots of their own, and so are the tags `ß` and `ss` (both `SS`).
    let Clash::ClashA(a) = round_trip::<Clash>(&json!({"kind": "a", "ß": "sharp", "x-y": "text"}))
    else {
        panic!("not ClashA")
    };
    assert_eq!(a.x_y.as_deref(), Some("text"));
    let Clash::ClashB(b) = round_trip::<Clash>(&json!({"kind": "b", "ss": "double", "x_y": 5}))
    else {
        panic!("not ClashB")
    };
    assert_eq!(b.x_y, Some(5));
    let message = serde_json::from_value::<Clash>(json!({"kind": "b", "ss": "sharp", "x_y": 5}))
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("`ss` is `sharp`, expected `double`"),
        "{message}"
    );
    let message = serde_json::from_value::<Clash>(json!({"kind": "a", "ß": "sharp", "x_y": 5}))
        .unwrap_err()
        .to_string();
    assert!(message.contains("`x_y` is not allowed"), "{message}");
}
