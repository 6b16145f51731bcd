//! A purchase's `eventSubtype` is always `purchase`: it cannot be made an
//! add-to-cart.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut event = PurchasedObjectIDs::new(
        EventName::new("Order Completed")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    event.event_subtype = AddToCartEvent;
    Ok(())
}
