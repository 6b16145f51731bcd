//! Code written against the generated output of `codegen/tests/fixtures/wider.json`:
//! `discriminator` with `mapping`, `anyOf`, integer enums, `default`,
//! `deprecated`, `readOnly`, formats, and a recursive schema.

#[allow(dead_code, deprecated)]
mod api {
    include!("../../codegen/tests/snapshots/wider.rs");
}

use api::models::*;
use serde_json::json;

fn main() {
    // The discriminator's value names the variant: through the mapping
    // (`cat`), or by the schema's name (`Dog`).
    let cat: Pet = serde_json::from_value(json!({"petType": "cat", "lives": 9, "id": "c1"})).unwrap();
    match &cat {
        Pet::Cat(c) => {
            assert_eq!(c.lives, Lives::V9);
            assert_eq!(c.id.as_deref(), Some("c1"));
        }
        other => panic!("expected a cat, got {other:?}"),
    }
    let dog: Pet = serde_json::from_value(json!({"petType": "Dog", "age": 3, "chip": 9_000_000_000i64, "weight": 12.5})).unwrap();
    assert_eq!(dog.variant_name(), "Dog");
    let error = serde_json::from_value::<Pet>(json!({"petType": "fish"})).unwrap_err().to_string();
    assert_eq!(error, "not a valid Pet: `petType` is `fish`, expected one of: Dog, cat");

    // Integer enums keep values they do not know.
    assert_eq!(serde_json::from_value::<Lives>(json!(3)).unwrap(), Lives::Unknown(3));
    assert_eq!(serde_json::to_value(Lives::V7).unwrap(), json!(7));

    // readOnly: not in the constructor, never sent when unset.
    let cat = Cat::new("cat", Lives::V1).secret("s");
    assert_eq!(serde_json::to_value(&cat).unwrap(), json!({"petType": "cat", "lives": 1, "secret": "s"}));

    // anyOf by shape.
    assert_eq!(serde_json::from_value::<Either>(json!(true)).unwrap(), Either::Boolean(true));
    assert_eq!(
        serde_json::from_value::<Either>(json!(["a"])).unwrap(),
        Either::Array(vec!["a".to_string()])
    );

    // Recursive schemas are boxed where they must be.
    let tree: Tree = serde_json::from_value(json!({"label": "root", "parent": {"label": "up"}, "children": [{"label": "leaf"}]})).unwrap();
    assert_eq!(tree.parent.as_ref().unwrap().label, "up");
    assert_eq!(tree.children.as_ref().unwrap()[0].label, "leaf");

    // Formats: int32 and int64 are sized, date-time stays the API's string.
    let dog = Dog::new("Dog").age(3_i32).chip(9_000_000_000_i64).born("2026-11-29T10:00:00Z");
    assert_eq!(dog.born.as_deref(), Some("2026-11-29T10:00:00Z"));

    // Deprecated operations still exist (with a warning for their users).
    let _ = api::operations::Client::get_pet;
}
