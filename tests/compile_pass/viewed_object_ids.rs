//! Records a user saw, such as on a product page or in a carousel.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        ["sku-1", "sku-2"],
        UserToken::new("anonymous-user-1")?,
    )
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "view");
    assert_eq!(wire["objectIDs"], json!(["sku-1", "sku-2"]));

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ViewedObjectIDs");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}

fn now_millis() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970");
    i64::try_from(since_epoch.as_millis()).expect("fits in i64")
}
