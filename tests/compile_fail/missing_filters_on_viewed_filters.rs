//! A filters view is about filters: it cannot be built without them (the
//! user token lands where the list of filters was expected).
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ViewedFilters::new(
        EventName::new("Category Page Viewed")?,
        "products",
        UserToken::new("user-1")?,
    );
    Ok(())
}
