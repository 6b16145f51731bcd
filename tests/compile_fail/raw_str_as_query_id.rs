//! A query ID must be checked before use: a `&str` is not a `QueryID`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ConvertedObjectIDsAfterSearch::new(
        EventName::new("Product Converted")?,
        "products",
        ["sku-1"],
        "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f",
        UserToken::new("user-1")?,
    );
    Ok(())
}
