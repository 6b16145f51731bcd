//! A purchase of records that were not found through a search.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = PurchasedObjectIDs::new(
        EventName::new("Order Completed")?,
        "products",
        vec!["sku-1".to_string(), "sku-2".to_string()],
        UserToken::new("anonymous-user-1")?,
    )
    .authenticated_user_token(AuthenticatedUserToken::new("user-1")?)
    .currency(Currency::new("EUR")?)
    .value("24.49")
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "conversion");
    assert_eq!(wire["eventSubtype"], "purchase");
    assert_eq!(wire["currency"], "EUR");
    assert_eq!(wire["value"], "24.49");

    // Without `objectData` it cannot be taken for a purchase after a search.
    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "PurchasedObjectIDs");
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
