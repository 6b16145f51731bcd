//! A conversion credited to filters rather than to records.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = ConvertedFilters::new(
        EventName::new("Filtered Results Converted")?,
        "products",
        ["category:shoes"],
        UserToken::new("anonymous-user-1")?,
    )
    .authenticated_user_token(AuthenticatedUserToken::new("user-1")?)
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "conversion");
    assert_eq!(wire["filters"], json!(["category:shoes"]));

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ConvertedFilters");
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
