//! Code written against the generated output of `codegen/tests/fixtures/multi_file.json`,
//! a spec split across three files with relative `$ref`s.

#[allow(dead_code)]
mod api {
    include!("../../codegen/tests/snapshots/multi_file.rs");
}

use api::models::*;
use serde_json::json;

fn main() {
    let order = Order::new(Sku::new("AB-1234").unwrap()).quantity(2);
    assert_eq!(serde_json::to_value(&order).unwrap(), json!({"sku": "AB-1234", "quantity": 2}));
    assert_eq!(
        Sku::new("ab").unwrap_err().to_string(),
        "`ab` does not match the pattern `^[A-Z]{2}-[0-9]{4}$`"
    );
    let bad = Order::new(Sku::new("AB-1234").unwrap()).quantity(0);
    assert_eq!(bad.validate().unwrap_err().to_string(), "quantity: must be >= 1, got 0");
    let receipt: Receipt = serde_json::from_value(json!({"orderId": "o-1", "sku": "CD-5678"})).unwrap();
    assert_eq!(receipt.sku.unwrap().as_str(), "CD-5678");
    // The body may be handed over or lent.
    let _: fn(&api::operations::Client, Order) -> api::operations::CreateOrder<'static> =
        api::operations::Client::create_order;
    let _ = lend;
}

/// Lends the body: the caller keeps `order`.
fn lend<'a>(client: &api::operations::Client, order: &'a Order) -> api::operations::CreateOrder<'a> {
    client.create_order(order)
}
