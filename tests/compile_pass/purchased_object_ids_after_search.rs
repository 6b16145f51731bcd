//! A purchase of records found through searches: each entry of `objectData`
//! names the search its record came from.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = PurchasedObjectIDsAfterSearch::new(
        EventName::new("Order Completed")?,
        "products",
        ["sku-1", "sku-2"],
        UserToken::new("anonymous-user-1")?,
        [
            ObjectDataAfterSearch::new()
                .query_id("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")
                .price(19.99)
                .quantity(2),
            ObjectDataAfterSearch::new()
                .query_id("0a1b2c3d4e5f60718293a4b5c6d7e8f9")
                .price("4.50")
                .quantity(1),
        ],
    )
    .currency(Currency::new("EUR")?)
    .value("44.48");
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventSubtype"], "purchase");
    assert_eq!(
        wire["objectData"][1]["queryID"],
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
    );
    assert_eq!(wire["objectData"][1]["price"], json!("4.50"));
    assert_eq!(wire["value"], "44.48");
    assert!(
        wire.get("queryID").is_none(),
        "no top-level queryID: {wire}"
    );

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "PurchasedObjectIDsAfterSearch");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}
