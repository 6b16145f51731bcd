//! Records added to the cart that were not found through a search.
use algolia_insights::models::*;
use serde_json::json;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let event = AddedToCartObjectIDs::new(
        EventName::new("Product Added To Cart")?,
        "products",
        ["sku-1", "sku-2"],
        UserToken::new("anonymous-user-1")?,
    )
    .currency(Currency::new("usd")?)
    .object_data([
        ObjectData::new().price(10.0).quantity(1),
        ObjectData::new().price("5.50").discount(0.5),
    ])
    .value(15.0);
    event.validate()?;

    let item = EventsItems::from(event);
    let wire = serde_json::to_value(&item)?;
    assert_eq!(wire["eventSubtype"], "addToCart");
    assert_eq!(
        wire["objectData"],
        json!([{"price": 10.0, "quantity": 1}, {"price": "5.50", "discount": 0.5}])
    );

    let back: EventsItems = serde_json::from_str(&serde_json::to_string(&item)?)?;
    assert_eq!(back.variant_name(), "AddedToCartObjectIDs");
    assert_eq!(back, item);
    InsightsEvents::new([item]).validate()?;
    Ok(())
}
