//! InstantSearch telemetry is not about an index: there is no `index` setter.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = Instantsearch::new(
        EventName::new("Agent Session Started")?,
        UserToken::new("user-1")?,
    )
    .index("products");
    Ok(())
}
