//! A tightened constraint (`AgentID`: now at most 64 characters): a value
//! the old client accepts is refused by the regenerated one, when built and
//! when read.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/tightened_constraint.rs");
}

use serde_json::json;

fn main() {
    let long = "a".repeat(65);
    let limit = "a".repeat(64);

    algolia_insights::models::AgentID::new(long.clone()).unwrap();
    let error = api::models::AgentID::new(long.clone()).unwrap_err();
    assert!(error.to_string().contains("at most 64"), "{error}");
    api::models::AgentID::new(limit).unwrap();

    let event = json!({"eventName": "Agent Session Started", "eventType": "instantsearch",
                       "userToken": "anonymous-user-1", "agentID": long});
    serde_json::from_value::<algolia_insights::models::Instantsearch>(event.clone()).unwrap();
    assert!(serde_json::from_value::<api::models::Instantsearch>(event).is_err());
}
