//! Every event needs a `userToken`, telemetry events included.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = Instantsearch::new(EventName::new("Agent Session Started")?);
    Ok(())
}
