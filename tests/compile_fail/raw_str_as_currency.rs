//! A currency must be checked before use: a `&str` is not a `Currency`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = PurchasedObjectIDs::new(
        EventName::new("Order Completed")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    )
    .currency("USD");
    Ok(())
}
