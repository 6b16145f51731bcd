//! A click has no `value` setter: money belongs to conversions.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    )
    .value(39.98);
    Ok(())
}
