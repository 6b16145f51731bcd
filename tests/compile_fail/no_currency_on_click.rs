//! A click has no `currency` field: money belongs to conversions.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    event.currency = Some(Currency::new("USD")?);
    Ok(())
}
