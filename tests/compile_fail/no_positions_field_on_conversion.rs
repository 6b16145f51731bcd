//! A conversion after a search has no `positions` field to assign either.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut event = ConvertedObjectIDsAfterSearch::new(
        EventName::new("Product Converted")?,
        "products",
        ["sku-1"],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("user-1")?,
    );
    event.positions = vec![1];
    Ok(())
}
