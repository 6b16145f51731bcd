//! Each variant of `EventsItems` holds its own event type only.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let view = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    let _item = EventsItems::ClickedObjectIDs(view);
    Ok(())
}
