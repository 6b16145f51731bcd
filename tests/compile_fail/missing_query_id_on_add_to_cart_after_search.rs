//! An add-to-cart after a search is tied to that search by its `queryID`:
//! without it the event cannot be built (the list of object IDs lands where
//! the `QueryID` was expected).
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = AddedToCartObjectIDsAfterSearch::new(
        EventName::new("Product Added To Cart")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    Ok(())
}
