//! Credentials go where the spec's `securitySchemes` say (`__private::Auth`):
//! headers, query parameters or HTTP Basic; an `{appId}` host is filled with
//! a checked application ID. Against a loopback host that records requests.

// Only part of the scripted host is needed here.
#[allow(dead_code)]
#[path = "support/scripted_server.rs"]
mod scripted_server;

use algolia_insights::__private::{
    client_builder_for_api, execute, ApiInfo, Auth, CredentialIn, HttpRequest, Method,
};
use algolia_insights::runtime::{RequestOptions, Transport};
use algolia_insights::Error;
use scripted_server::{Journal, Reply, ScriptedHost};

const APP_ID: &str = "APP42";
const API_KEY: &str = "secret-key-8f3a01";

fn api(auth: Auth, default_hosts: &'static [&'static str]) -> ApiInfo {
    ApiInfo {
        name: "Test",
        version: "1",
        default_hosts,
        regional_host_template: None,
        auth,
    }
}

async fn send(auth: Auth) -> scripted_server::Hit {
    send_as(auth, false).await
}

/// The request as `send` makes it, `anonymous`: without credentials (an
/// operation whose spec says `security: []`).
async fn send_as(auth: Auth, anonymous: bool) -> scripted_server::Hit {
    let journal = Journal::default();
    let host = ScriptedHost::start(&journal, "a", [], Reply::Ok).await;
    let transport: Transport = client_builder_for_api(api(auth, &[]), APP_ID, API_KEY)
        .hosts([host.url.clone()])
        .build()
        .unwrap();
    let mut request = HttpRequest::new(Method::GET, "/1/things".to_string());
    request.query("page", &2).unwrap();
    if anonymous {
        request.without_credentials();
    }
    execute(&transport, request, RequestOptions::default())
        .await
        .unwrap();
    let hits = journal.hits();
    assert_eq!(hits.len(), 1);
    hits[0].clone()
}

#[tokio::test]
async fn keys_in_query_parameters_are_sent_there_and_not_as_headers() {
    let hit = send(Auth::ApiKey {
        app_id: Some(CredentialIn::Query("x-algolia-application-id")),
        api_key: CredentialIn::Query("x-algolia-api-key"),
    })
    .await;
    assert_eq!(
        hit.query.as_deref(),
        Some("page=2&x-algolia-application-id=APP42&x-algolia-api-key=secret-key-8f3a01")
    );
    assert_eq!(hit.header("x-algolia-api-key"), None);
    assert_eq!(hit.header("x-algolia-application-id"), None);
    assert_eq!(hit.header("authorization"), None);
}

#[tokio::test]
async fn keys_in_headers_are_sent_there_and_not_in_the_query() {
    let hit = send(Auth::ALGOLIA_HEADERS).await;
    assert_eq!(hit.query.as_deref(), Some("page=2"));
    assert_eq!(hit.header("x-algolia-api-key").as_deref(), Some(API_KEY));
    assert_eq!(
        hit.header("x-algolia-application-id").as_deref(),
        Some(APP_ID)
    );
}

#[tokio::test]
async fn basic_auth_sends_the_app_id_and_key_as_user_and_password() {
    let hit = send(Auth::Basic).await;
    // base64("APP42:secret-key-8f3a01")
    assert_eq!(
        hit.header("authorization").as_deref(),
        Some("Basic QVBQNDI6c2VjcmV0LWtleS04ZjNhMDE=")
    );
    assert_eq!(hit.header("x-algolia-api-key"), None);
    assert_eq!(hit.query.as_deref(), Some("page=2"));
}

#[tokio::test]
async fn a_request_without_credentials_carries_none_whatever_the_scheme() {
    for auth in [
        Auth::ALGOLIA_HEADERS,
        Auth::ApiKey {
            app_id: Some(CredentialIn::Query("x-algolia-application-id")),
            api_key: CredentialIn::Query("x-algolia-api-key"),
        },
        Auth::Basic,
    ] {
        let hit = send_as(auth, true).await;
        assert_eq!(hit.query.as_deref(), Some("page=2"), "{auth:?}");
        for name in [
            "x-algolia-api-key",
            "x-algolia-application-id",
            "authorization",
        ] {
            assert_eq!(hit.header(name), None, "{auth:?}: {name}");
        }
    }
}

#[tokio::test]
async fn no_scheme_sends_no_credential() {
    let hit = send(Auth::None).await;
    assert_eq!(hit.header("authorization"), None);
    assert_eq!(hit.header("x-algolia-api-key"), None);
    assert_eq!(hit.query.as_deref(), Some("page=2"));
}

#[test]
fn an_app_id_host_takes_the_app_id_only_when_it_is_a_host_label() {
    let hosts: &'static [&'static str] = &["https://{appId}-dsn.algolia.net"];
    let transport: Transport =
        client_builder_for_api(api(Auth::ALGOLIA_HEADERS, hosts), APP_ID, API_KEY)
            .build()
            .unwrap();
    // Host names are case-insensitive: the URL keeps them in lowercase.
    assert_eq!(
        transport.host_status()[0].url,
        "https://app42-dsn.algolia.net"
    );
    for bad in ["", "evil.com/x", "a b", "APP@x"] {
        let error =
            client_builder_for_api::<Transport>(api(Auth::ALGOLIA_HEADERS, hosts), bad, API_KEY)
                .build()
                .unwrap_err();
        assert!(
            matches!(&error, Error::InvalidHost { reason, .. } if reason.contains("cannot be part of a host name")),
            "{bad}: {error}"
        );
    }
}

/// A key in the query string is in no part of a transport error: not its
/// message, not its `Debug`, not its sources (reqwest's error would show
/// the URL it was sending to, query and all).
#[tokio::test]
async fn a_key_in_the_query_is_in_no_transport_error() {
    let transport: Transport = client_builder_for_api(
        api(
            Auth::ApiKey {
                app_id: Some(CredentialIn::Query("x-algolia-application-id")),
                api_key: CredentialIn::Query("x-algolia-api-key"),
            },
            &[],
        ),
        APP_ID,
        API_KEY,
    )
    .hosts([scripted_server::dead_host()])
    .build()
    .unwrap();
    let request = HttpRequest::new(Method::GET, "/1/things".to_string());
    let error = execute(&transport, request, RequestOptions::default())
        .await
        .expect_err("nothing listens there");
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        texts.push(format!("{cause} {cause:?}"));
        source = cause.source();
    }
    assert!(texts.len() > 2, "the error has a source: {error:?}");
    for text in texts {
        assert!(!text.contains(API_KEY), "the key shows: {text}");
    }
}
