//! A user token must be checked before use: a `&str` is not a `UserToken`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        "user-1",
    );
    Ok(())
}
