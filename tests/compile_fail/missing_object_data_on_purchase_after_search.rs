//! A purchase after a search carries the search of each record in
//! `objectData`, so `objectData` is required for it.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = PurchasedObjectIDsAfterSearch::new(
        EventName::new("Order Completed")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    Ok(())
}
