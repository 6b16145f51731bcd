//! A new required field (`PurchasedObjectIDs.orderID`) is a new argument of
//! the constructor; it is always sent, checked by `validate()`, and JSON
//! without it no longer reads.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/new_required_field.rs");
}

use api::models::{EventName, PurchasedObjectIDs, UserToken};
use serde_json::json;

fn main() {
    let purchase = |order_id: &str| {
        PurchasedObjectIDs::new(
            EventName::new("Order Completed").unwrap(),
            "products",
            ["sku-1001"],
            UserToken::new("anonymous-user-1").unwrap(),
            order_id,
        )
    };
    let event = purchase("order-1001");
    let wire = serde_json::to_value(&event).unwrap();
    assert_eq!(
        wire,
        json!({"eventName": "Order Completed", "eventType": "conversion",
               "eventSubtype": "purchase", "index": "products", "objectIDs": ["sku-1001"],
               "userToken": "anonymous-user-1", "orderID": "order-1001"})
    );
    event.validate().unwrap();

    let errors = purchase("").validate().unwrap_err();
    let messages: Vec<String> = errors
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].starts_with("orderID: "), "{messages:?}");

    // What the old client sends lacks the field: the new one refuses it.
    let mut old_wire = wire;
    old_wire.as_object_mut().unwrap().remove("orderID");
    let error = serde_json::from_value::<PurchasedObjectIDs>(old_wire.clone()).unwrap_err();
    assert!(
        error.to_string().contains("missing field `orderID`"),
        "{error}"
    );
    serde_json::from_value::<algolia_insights::models::PurchasedObjectIDs>(old_wire).unwrap();
}
