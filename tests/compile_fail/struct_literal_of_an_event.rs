//! Events are built with `new` and setters, never with a struct literal: a
//! literal would break when the spec adds an optional field.
use algolia_insights::models::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _event = ClickedObjectIDs {
        event_name: EventName::new("Product Clicked")?,
        event_type: ClickEvent,
        index: "products".into(),
        object_ids: vec!["sku-1".to_string()],
        user_token: UserToken::new("user-1")?,
        authenticated_user_token: None,
        timestamp: None,
    };
    Ok(())
}
