//! A new required field (`PurchasedObjectIDs.orderID`): a constructor call
//! written for the old client no longer compiles, and the compiler names the
//! missing argument.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/new_required_field.rs");
}

use api::models::{EventName, PurchasedObjectIDs, UserToken};

fn main() {
    let _purchase = PurchasedObjectIDs::new(
        EventName::new("Order Completed").unwrap(),
        "products",
        ["sku-1001"],
        UserToken::new("anonymous-user-1").unwrap(),
    );
}
