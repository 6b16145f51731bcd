//! One click event through the generated client: what a program using the crate builds.

use algolia_insights::models::{
    ClickedObjectIDsAfterSearch, EventName, InsightsEvents, QueryID, UserToken,
};
use algolia_insights::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:9".into());
    let client = Client::builder("APP_ID", "API_KEY").hosts([url]).build()?;
    let event = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        [1],
        QueryID::new("7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f")?,
        UserToken::new("user-1")?,
    );
    let response = client.push_events(InsightsEvents::new([event.into()])).await?;
    println!("{response:?}");
    Ok(())
}
