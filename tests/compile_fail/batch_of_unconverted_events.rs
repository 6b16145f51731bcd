//! A batch holds `EventsItems`: a list of events not converted is refused
//! with a message that says to convert each with `.into()`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    let _batch = InsightsEvents::new(vec![event]);
    Ok(())
}
