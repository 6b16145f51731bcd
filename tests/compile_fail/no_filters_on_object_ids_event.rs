//! An event about records (`objectIDs`) cannot also carry `filters`: that
//! is a different event type (`ClickedFilters`).
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    )
    .filters(["brand:acme"]);
    Ok(())
}
