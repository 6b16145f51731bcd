//! A click on a filter (a facet value), such as a brand in a sidebar.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ClickedFilters::new(
        EventName::new("Brand Filter Clicked")?,
        "products",
        ["brand:acme", "discount:10%25"],
        UserToken::new("anonymous-user-1")?,
    );
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "click");
    assert_eq!(wire["filters"], json!(["brand:acme", "discount:10%25"]));
    assert!(wire.get("objectIDs").is_none(), "no records: {wire}");

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ClickedFilters");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}
