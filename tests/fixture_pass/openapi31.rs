//! Code written against the generated output of `codegen/tests/fixtures/openapi31.json`
//! (OpenAPI 3.1): `type` lists with `"null"`, `const`, numeric
//! `exclusiveMinimum`, `$defs`, a `$ref` with a description and a constraint
//! beside it, `dependentRequired`, and `contentEncoding` on a string.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/openapi31.rs");
}

use api::models::*;
use serde_json::json;

fn violations(order: &Order) -> Vec<String> {
    match order.validate() {
        Ok(()) => Vec::new(),
        Err(errors) => errors.violations().iter().map(ToString::to_string).collect(),
    }
}

fn main() {
    // `$defs`: the line type is reached through its `$ref`; `const` is set for you.
    let order = Order::new([Line::new("sku-1", 2)]);
    assert_eq!(
        serde_json::to_value(&order).unwrap(),
        json!({"lines": [{"sku": "sku-1", "quantity": 2}], "channel": "web"})
    );
    assert_eq!(violations(&order), Vec::<String>::new());

    // `type: ["string", "null"]`: a JSON `null` reads as no value.
    let read: Order = serde_json::from_value(json!({"lines": [{"sku": "a", "quantity": 1}], "coupon": null, "discount": null})).unwrap();
    assert_eq!(read.coupon, None);
    assert_eq!(read.discount, None);

    // `exclusiveMinimum: 0` (3.1's number): 0 is refused, 1 is not.
    let zero = Order::new([Line::new("a", 0)]);
    assert_eq!(violations(&zero).len(), 1, "{:?}", violations(&zero));
    assert!(violations(&zero)[0].starts_with("lines[0].quantity"), "{:?}", violations(&zero));

    // `maxLength: 20` beside the `$ref` to `Note` (a plain string): checked.
    let long = Order::new([Line::new("a", 1)]).gift_note("x".repeat(21)).gift_wrap(true);
    let found = violations(&long);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("giftNote"), "{found:?}");

    // `dependentRequired: {giftNote: [giftWrap]}`.
    let unwrapped = Order::new([Line::new("a", 1)]).gift_note("Happy birthday");
    assert_eq!(
        violations(&unwrapped),
        ["giftNote: is set, so `giftWrap` must be set too"]
    );
    let wrapped = unwrapped.gift_wrap(true);
    assert_eq!(violations(&wrapped), Vec::<String>::new());
}
