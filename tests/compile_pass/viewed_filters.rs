//! Filters a user saw applied, such as on a category page.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ViewedFilters::new(
        EventName::new("Category Page Viewed")?,
        "products",
        vec!["category:shoes"],
        UserToken::new("anonymous-user-1")?,
    );
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(
        wire,
        json!({
            "eventName": "Category Page Viewed",
            "eventType": "view",
            "index": "products",
            "filters": ["category:shoes"],
            "userToken": "anonymous-user-1"
        })
    );

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ViewedFilters");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}
