//! Positions are numbers (one-based ranks), not strings.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        ["3"],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("user-1")?,
    );
    Ok(())
}
