//! A batch's `events` hold `EventsItems`: an event goes in converted, and
//! the compiler says how (`EventsItems::ClickedObjectIDs(event)`, or
//! `event.into()`).
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    let mut batch = InsightsEvents::new([event.clone().into()]);
    batch.events.push(event);
    Ok(())
}
