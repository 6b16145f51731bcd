//! A click's `eventType` is always `click`: it cannot be made a conversion.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    event.event_type = ConversionEvent;
    Ok(())
}
