//! Only the operations of the spec exist: there is no `send_event`.
use algolia_insights::models::*;
use algolia_insights::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new("APP_ID", "API_KEY")?;
    let event = ClickedObjectIDs::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1"],
        UserToken::new("user-1")?,
    );
    let _request = client.send_event(event);
    Ok(())
}
