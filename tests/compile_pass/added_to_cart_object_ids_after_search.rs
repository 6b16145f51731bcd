//! Records added to the cart after a search, with commerce details per record.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = AddedToCartObjectIDsAfterSearch::new(
        EventName::new("Product Added To Cart")?,
        "products",
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        ["sku-1"],
        UserToken::new("anonymous-user-1")?,
    )
    .currency(Currency::new("USD")?)
    .object_data([ObjectDataAfterSearch::new()
        .price(19.99)
        .quantity(2)
        .discount("0.00")])
    .value(39.98)
    .timestamp(now_millis());
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventType"], "conversion");
    assert_eq!(wire["eventSubtype"], "addToCart");
    assert_eq!(wire["currency"], "USD");
    assert_eq!(
        wire["objectData"],
        json!([{"price": 19.99, "quantity": 2, "discount": "0.00"}])
    );
    assert_eq!(wire["value"], 39.98);

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "AddedToCartObjectIDsAfterSearch");
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
