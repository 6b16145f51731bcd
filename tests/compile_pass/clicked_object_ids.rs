//! A click on records that were not shown by an Algolia search.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let object_ids: Vec<String> = (1..=3).map(|n| format!("sku-{n}")).collect();
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        object_ids,
        UserToken::new("anonymous-user-1")?,
    );
    event.validate()?;

    // A list of typed events, converted as the compiler's message for an
    // unconverted one says (tests/compile_fail/batch_of_unconverted_events).
    let clicks = vec![event.clone(), event.clone()];
    let batch = InsightsEvents::new(clicks.into_iter().map(EventsItems::from));
    assert_eq!(batch.events.len(), 2);
    batch.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(
        wire,
        json!({
            "eventName": "Product Clicked",
            "eventType": "click",
            "index": "products",
            "objectIDs": ["sku-1", "sku-2", "sku-3"],
            "userToken": "anonymous-user-1"
        })
    );

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "ClickedObjectIDs");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}
