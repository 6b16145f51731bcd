//! Only clicks after a search have `positions`: a view has no such setter.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    )
    .positions([1]);
    Ok(())
}
