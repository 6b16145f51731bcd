//! ...nor an `index` field to assign.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut event = Instantsearch::new(
        EventName::new("Agent Session Started")?,
        UserToken::new("user-1")?,
    );
    event.index = "products".to_string();
    Ok(())
}
