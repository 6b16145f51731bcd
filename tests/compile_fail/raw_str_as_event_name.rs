//! An event name must be checked before use: a `&str` is not an `EventName`.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ViewedFilters::new(
        "Category Page Viewed",
        "products",
        ["category:shoes"],
        UserToken::new("user-1")?,
    );
    Ok(())
}
