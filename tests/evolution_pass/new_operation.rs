//! A new operation (`PUT /1/usertokens/{userToken}/consent`: a path
//! parameter, a required and an optional query parameter, a JSON body and a
//! new response type) becomes a method that sends exactly that request.

#[allow(dead_code)]
mod api {
    include!("../../target/evolution-clients/new_operation.rs");
}
#[path = "support/loopback.rs"]
mod loopback;

use algolia_insights::__private::client_builder;
use algolia_insights::runtime::Transport;
use api::models::{UserTokenConsent, UserTokenConsentResponse};
use api::operations::{Client, API, API_KEY_HEADER, APP_ID_HEADER};
use serde_json::json;

#[tokio::main]
async fn main() {
    let (url, log) = loopback::serve(json!({
        "userToken": "anonymous-user-1",
        "policyVersion": 3,
        "updatedAt": 1_700_000_000_000_i64
    }))
    .await;
    let transport =
        client_builder::<Transport>(API, APP_ID_HEADER, API_KEY_HEADER, "app", "key")
            .hosts([url.as_str()])
            .build()
            .unwrap();
    let client = Client::from_transport(transport);

    let answer: UserTokenConsentResponse = client
        .set_user_token_consent(
            "anonymous-user-1",
            3,
            UserTokenConsent::new(true).personalization(false),
        )
        .source("cookie-banner")
        .await
        .unwrap();
    assert_eq!(answer.user_token.as_deref(), Some("anonymous-user-1"));
    assert_eq!(answer.policy_version, Some(3));
    assert_eq!(answer.updated_at, Some(1_700_000_000_000));

    {
        let log = log.lock().unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].method, axum::http::Method::PUT);
        assert_eq!(
            log[0].uri,
            "/1/usertokens/anonymous-user-1/consent?policyVersion=3&source=cookie-banner"
        );
        assert_eq!(
            log[0].body,
            json!({"analytics": true, "personalization": false})
        );
    }

    // The new parameters' rules are checked before anything is sent.
    let error = client
        .set_user_token_consent("anonymous-user-1", 0, UserTokenConsent::new(false))
        .source("a".repeat(33))
        .await
        .unwrap_err();
    let algolia_insights::Error::InvalidRequest(errors) = error else {
        panic!("expected an invalid request, got {error:?}");
    };
    let messages: Vec<String> = errors
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("policyVersion: "), "{messages:?}");
    assert!(messages[1].starts_with("source: "), "{messages:?}");
    assert_eq!(log.lock().unwrap().len(), 1, "an invalid request was sent");
}
