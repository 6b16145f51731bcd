//! A batch takes a list of events, even for one: `InsightsEvents::new([event.into()])`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    let _batch = InsightsEvents::new(EventsItems::from(event));
    Ok(())
}
