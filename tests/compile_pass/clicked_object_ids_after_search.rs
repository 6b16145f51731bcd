//! A click on search results: the records, where they were shown, and the
//! search they came from.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1", "sku-2"],
        [3, 7],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("anonymous-user-1")?,
    )
    .authenticated_user_token(AuthenticatedUserToken::new("user-1")?)
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "click");
    assert_eq!(wire["objectIDs"], json!(["sku-1", "sku-2"]));
    assert_eq!(wire["positions"], json!([3, 7]));
    assert_eq!(wire["queryID"], "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f");
    assert_eq!(wire["authenticatedUserToken"], "user-1");

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ClickedObjectIDsAfterSearch");
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
