//! A click after a search must say where each record was shown: `positions`
//! is a required argument of the constructor, not an optional setter.
//! (rustc lines the later arguments up one place early, so the first error is
//! at the value that landed where the list was expected, and says so.)
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("user-1")?,
    );
    Ok(())
}
