//! Commerce details (`objectData`) belong to purchases and add-to-cart
//! events, not to clicks.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        [1],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("user-1")?,
    )
    .object_data([ObjectDataAfterSearch::new().price(19.99)]);
    Ok(())
}
