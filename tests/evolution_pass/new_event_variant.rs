//! A new event variant (`AddedToWishlistObjectIDs`, told apart by its
//! `eventSubtype`) is picked when its JSON is read, while every existing
//! variant reads as before; the client of the unchanged spec refuses it.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/new_event_variant.rs");
}

use api::models::{AddedToWishlistObjectIDs, EventName, EventsItems, UserToken};
use serde_json::{json, Value};

fn main() {
    let wishlist = json!({
        "eventName": "Product Added To Wishlist",
        "eventType": "conversion",
        "eventSubtype": "addToWishlist",
        "index": "products",
        "objectIDs": ["sku-3003"],
        "userToken": "anonymous-user-1"
    });
    let read: EventsItems = serde_json::from_value(wishlist.clone()).unwrap();
    let EventsItems::AddedToWishlistObjectIDs(event) = &read else {
        panic!("read as {}", read.variant_name());
    };
    assert_eq!(event.object_ids, ["sku-3003"]);
    assert_eq!(serde_json::to_value(&read).unwrap(), wishlist);

    let built: EventsItems = AddedToWishlistObjectIDs::new(
        EventName::new("Product Added To Wishlist").unwrap(),
        "products",
        ["sku-3003"],
        UserToken::new("anonymous-user-1").unwrap(),
    )
    .into();
    assert_eq!(built, read);
    built.validate().unwrap();

    // The old client does not know the subtype: it cannot read the event.
    assert!(serde_json::from_value::<algolia_insights::models::EventsItems>(wishlist).is_err());

    // Every other kind of event is read as the same variant, and written back
    // the same, by the old and the new client.
    let others: [Value; 5] = [
        json!({"eventName": "Added", "eventType": "conversion", "eventSubtype": "addToCart",
               "index": "products", "objectIDs": ["sku-1"], "userToken": "u-1"}),
        json!({"eventName": "Bought", "eventType": "conversion", "eventSubtype": "purchase",
               "index": "products", "objectIDs": ["sku-1"], "userToken": "u-1"}),
        json!({"eventName": "Converted", "eventType": "conversion",
               "index": "products", "objectIDs": ["sku-1"], "userToken": "u-1"}),
        json!({"eventName": "Clicked", "eventType": "click", "index": "products",
               "objectIDs": ["sku-1"], "positions": [1],
               "queryID": "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f", "userToken": "u-1"}),
        json!({"eventName": "Viewed", "eventType": "view", "index": "products",
               "filters": ["brand:apple"], "userToken": "u-1"}),
    ];
    let expected = [
        "AddedToCartObjectIDs",
        "PurchasedObjectIDs",
        "ConvertedObjectIDs",
        "ClickedObjectIDsAfterSearch",
        "ViewedFilters",
    ];
    for (json, expected) in others.into_iter().zip(expected) {
        let new: EventsItems = serde_json::from_value(json.clone()).unwrap();
        let old: algolia_insights::models::EventsItems =
            serde_json::from_value(json.clone()).unwrap();
        assert_eq!(new.variant_name(), expected, "{json}");
        assert_eq!(old.variant_name(), expected, "{json}");
        assert_eq!(serde_json::to_value(&new).unwrap(), json);
        assert_eq!(serde_json::to_value(&old).unwrap(), json);
    }
}
