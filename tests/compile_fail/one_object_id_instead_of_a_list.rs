//! `objectIDs` is a list, even for one record: a lone string is refused with
//! an error that says a list of `String` was expected.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        "sku-1",
        UserToken::new("user-1")?,
    );
    Ok(())
}
