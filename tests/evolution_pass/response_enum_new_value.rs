//! The server starts sending a new value of a response enum
//! (`EventsState`: `deferred`). The client generated before the change reads
//! it as `Unknown("deferred")` instead of failing; the regenerated client
//! names it. Both answer through a real request to a loopback server.

#[allow(dead_code)]
mod old_api {
    include!("../../target/evolution-clients/response_enum.rs");
}
#[allow(dead_code)]
mod new_api {
    include!("../../target/evolution-clients/response_enum_new_value.rs");
}
#[path = "support/loopback.rs"]
mod loopback;

use algolia_insights::__private::client_builder;
use algolia_insights::runtime::Transport;
use serde_json::json;

macro_rules! push_one_click {
    ($api:ident, $url:expr) => {{
        use $api::models::*;
        let transport = client_builder::<Transport>(
            $api::operations::API,
            $api::operations::APP_ID_HEADER,
            $api::operations::API_KEY_HEADER,
            "app",
            "key",
        )
        .hosts([$url])
        .build()
        .unwrap();
        let click = ClickedObjectIDs::new(
            EventName::new("Product Clicked").unwrap(),
            "products",
            ["sku-1001"],
            UserToken::new("anonymous-user-1").unwrap(),
        );
        $api::operations::Client::from_transport(transport)
            .push_events(InsightsEvents::new([click.into()]))
            .await
            .unwrap()
    }};
}

#[tokio::main]
async fn main() {
    let (url, _log) =
        loopback::serve(json!({"status": 200, "message": "OK", "state": "deferred"})).await;

    let old = push_one_click!(old_api, url.as_str());
    assert_eq!(
        old.state,
        Some(old_api::models::EventsState::Unknown(
            "deferred".to_string()
        ))
    );
    assert_eq!(old.state.as_ref().unwrap().as_str(), "deferred");

    let new = push_one_click!(new_api, url.as_str());
    assert_eq!(new.state, Some(new_api::models::EventsState::Deferred));
    assert_eq!(new.message.as_deref(), Some("OK"));

    // Both write the value back as it came; known values read the same.
    assert_eq!(
        serde_json::to_value(&old).unwrap(),
        serde_json::to_value(&new).unwrap()
    );
    let accepted = json!("accepted");
    assert_eq!(
        serde_json::from_value::<old_api::models::EventsState>(accepted.clone()).unwrap(),
        old_api::models::EventsState::Accepted
    );
    assert_eq!(
        serde_json::from_value::<new_api::models::EventsState>(accepted).unwrap(),
        new_api::models::EventsState::Accepted
    );
}
