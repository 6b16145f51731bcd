//! A new optional field (`ClickedObjectIDs.agentID`) gets a setter and is
//! sent when set; an event that does not set it is sent exactly as the old
//! client sends it.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/new_optional_field.rs");
}

use api::models::{AgentID, ClickedObjectIDs, EventName, UserToken};
use serde_json::json;

fn main() {
    let plain = || {
        ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            "products",
            ["sku-1001"],
            UserToken::new("anonymous-user-1").unwrap(),
        )
    };
    let with_agent = plain().agent_id(AgentID::new("agent-session-42").unwrap());
    let wire = serde_json::to_value(&with_agent).unwrap();
    assert_eq!(
        wire,
        json!({"eventName": "Product Clicked", "eventType": "click", "index": "products",
               "objectIDs": ["sku-1001"], "userToken": "anonymous-user-1",
               "agentID": "agent-session-42"})
    );
    with_agent.validate().unwrap();
    let read: ClickedObjectIDs = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(
        read.agent_id.as_ref().map(AgentID::as_str),
        Some("agent-session-42")
    );

    // Left unset, the event is what the old client sends.
    let old = algolia_insights::models::ClickedObjectIDs::new(
        algolia_insights::models::EventName::new("Product Clicked").unwrap(),
        "products",
        ["sku-1001"],
        algolia_insights::models::UserToken::new("anonymous-user-1").unwrap(),
    );
    assert_eq!(
        serde_json::to_value(plain()).unwrap(),
        serde_json::to_value(&old).unwrap()
    );
    // The old client refuses the field it does not know.
    assert!(serde_json::from_value::<algolia_insights::models::ClickedObjectIDs>(wire).is_err());
}
