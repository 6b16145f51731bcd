//! What the generated client puts on the wire, checked against a loopback
//! server that records every request: method, path (with the user token
//! percent-encoded), headers, exact JSON body; and how answers come back
//! (204 with rate-limit headers, an HTML 400 and a JSON 422 as API errors).

use algolia_insights::models::*;
use algolia_insights::{Client, Error};
use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Recorded {
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: Bytes,
}

type Answer = Arc<dyn Fn(&Recorded) -> Response + Send + Sync>;

/// A server that records requests and answers each with `answer`.
async fn server(answer: Answer) -> (String, Arc<Mutex<Vec<Recorded>>>) {
    let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let log_in = log.clone();
    let app = Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let log = log_in.clone();
            let answer = answer.clone();
            async move {
                let recorded = Recorded {
                    method,
                    uri: uri.to_string(),
                    headers,
                    body,
                };
                let response = answer(&recorded);
                log.lock().unwrap().push(recorded);
                response
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

fn ok_json() -> Answer {
    Arc::new(|_| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            r#"{"status":200,"message":"OK"}"#,
        )
            .into_response()
    })
}

fn client(url: &str) -> Client {
    Client::builder("APP_ID", "secret-key")
        .hosts([url])
        .build()
        .unwrap()
}

fn click() -> ClickedObjectIDsAfterSearch {
    ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked").unwrap(),
        "products",
        ["p-1", "p-2"],
        [1, 2],
        QueryID::new("7dfe2ada7bca48bdd0629649df0bee07").unwrap(),
        UserToken::new("anonymous-user-1").unwrap(),
    )
}

#[tokio::test]
async fn push_events_posts_the_exact_json_with_credentials_and_user_agent() {
    let (url, log) = server(ok_json()).await;
    let client = client(&url);
    let event = click()
        .timestamp(1_900_000_000_000)
        .authenticated_user_token(AuthenticatedUserToken::new("user-1").unwrap());
    let response = client
        .push_events(InsightsEvents::new([event.into()]))
        .options(algolia_insights::RequestOptions::new().allow_stale_timestamps(true))
        .await
        .unwrap();
    assert_eq!(response.status, Some(200));
    assert_eq!(response.message.as_deref(), Some("OK"));

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    let request = &log[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.uri, "/1/events");
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    assert_eq!(
        header("x-algolia-application-id").as_deref(),
        Some("APP_ID")
    );
    assert_eq!(header("x-algolia-api-key").as_deref(), Some("secret-key"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        header("user-agent").unwrap(),
        format!("Algolia for Rust ({version}); Insights ({version})")
    );
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"events": [{
            "eventName": "Product Clicked",
            "eventType": "click",
            "index": "products",
            "objectIDs": ["p-1", "p-2"],
            "positions": [1, 2],
            "queryID": "7dfe2ada7bca48bdd0629649df0bee07",
            "userToken": "anonymous-user-1",
            "authenticatedUserToken": "user-1",
            "timestamp": 1_900_000_000_000i64
        }]})
    );
}

#[tokio::test]
async fn delete_user_token_encodes_the_path_and_reads_rate_limit_headers() {
    let answer: Answer = Arc::new(|_| {
        (
            StatusCode::NO_CONTENT,
            [
                ("x-ratelimit-limit", "100"),
                ("x-ratelimit-remaining", "99"),
                ("x-ratelimit-reset", "1710682486"),
            ],
        )
            .into_response()
    });
    let (url, log) = server(answer).await;
    let client = client(&url);
    let response = client.delete_user_token("user/1=+a").await.unwrap();
    assert_eq!(response.x_ratelimit_limit, Some(100));
    assert_eq!(response.x_ratelimit_remaining, Some(99));
    assert_eq!(response.x_ratelimit_reset, Some(1_710_682_486));
    let log = log.lock().unwrap();
    assert_eq!(log[0].method, Method::DELETE);
    assert_eq!(log[0].uri, "/1/usertokens/user%2F1%3D%2Ba");
}

#[tokio::test]
async fn an_invalid_user_token_is_refused_before_any_request() {
    let (url, log) = server(ok_json()).await;
    let error = client(&url)
        .delete_user_token("../admin")
        .await
        .unwrap_err();
    let errors = error.validation_errors().expect("a validation error");
    assert_eq!(errors.violations()[0].path, "userToken");
    assert!(
        error
            .to_string()
            .contains("userToken: `../admin` does not match the pattern"),
        "{error}"
    );
    assert!(log.lock().unwrap().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_invalid_event_batch_is_refused_with_every_violation() {
    let (url, log) = server(ok_json()).await;
    let mut bad = click();
    bad.positions = vec![0, 1, 2];
    let many: Vec<String> = (0..21).map(|i| format!("p-{i}")).collect();
    let too_many = ClickedObjectIDs::new(
        EventName::new("Clicked").unwrap(),
        "products",
        many,
        UserToken::new("u").unwrap(),
    );
    let error = client(&url)
        .push_events(InsightsEvents::new([bad.into(), too_many.into()]))
        .await
        .unwrap_err();
    let messages: Vec<String> = error
        .validation_errors()
        .unwrap()
        .violations()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "events[0].positions[0]: must be >= 1, got 0",
            "events[0].positions: 3 items, but `objectIDs` has 2: they must have the same number of items",
            "events[1].objectIDs: 21 items, at most 20",
        ]
    );
    assert!(log.lock().unwrap().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_html_400_is_an_api_error_with_the_raw_body() {
    let answer: Answer = Arc::new(|_| {
        (
            StatusCode::BAD_REQUEST,
            [("content-type", "text/html")],
            "<html><body>Bad Request</body></html>",
        )
            .into_response()
    });
    let (url, log) = server(answer).await;
    let error = client(&url)
        .push_events(InsightsEvents::new([click().into()]))
        .await
        .unwrap_err();
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.message, None);
    assert_eq!(api.body_text(), "<html><body>Bad Request</body></html>");
    assert!(
        error
            .to_string()
            .contains("400 Bad Request: <html><body>Bad Request</body></html>"),
        "{error}"
    );
    assert_eq!(log.lock().unwrap().len(), 1, "a 4xx is not retried");
}

#[tokio::test]
async fn a_json_422_is_an_api_error_with_its_message() {
    let answer: Answer = Arc::new(|_| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            [("content-type", "application/json")],
            r#"{"status":422,"message":"Invalid payload"}"#,
        )
            .into_response()
    });
    let (url, _) = server(answer).await;
    let error = client(&url)
        .push_events(InsightsEvents::new([click().into()]))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Api(api) if api.status == 422 && api.message.as_deref() == Some("Invalid payload"))
    );
    assert!(
        error
            .to_string()
            .ends_with("422 Unprocessable Entity: Invalid payload"),
        "{error}"
    );
    assert!(!error.to_string().contains("secret-key"));
}

#[tokio::test]
async fn custom_requests_send_their_path_query_and_body() {
    let answer: Answer = Arc::new(|_| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            r#"{"ok":true}"#,
        )
            .into_response()
    });
    let (url, log) = server(answer).await;
    let client = client(&url);
    let value: Value = client
        .custom_post("1/anything/here")
        .parameters([("tags", json!(["a", "b c"])), ("flag", json!(true))])
        .body(json!({"x": 1}))
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(value, json!({"ok": true}));
    let value: Value = client
        .custom_get("//other.example/1/x")
        .await
        .unwrap()
        .decode()
        .unwrap();
    assert_eq!(value, json!({"ok": true}));
    client.custom_delete("1/thing").await.unwrap();
    client.custom_put("1/thing").body(json!([1])).await.unwrap();
    let log = log.lock().unwrap();
    assert_eq!(log[0].method, Method::POST);
    assert_eq!(log[0].uri, "/1/anything/here?tags=a%2Cb%20c&flag=true");
    assert_eq!(
        serde_json::from_slice::<Value>(&log[0].body).unwrap(),
        json!({"x": 1})
    );
    assert_eq!(log[1].method, Method::GET);
    assert_eq!(
        log[1].uri, "/other.example/1/x",
        "the path cannot name another host"
    );
    assert_eq!(log[2].method, Method::DELETE);
    assert_eq!(log[3].method, Method::PUT);
    assert_eq!(&log[3].body[..], b"[1]");
}

/// The official clients' shared tests ("minimal parameters"): a custom POST
/// or PUT without a body sends `{}`; GET and DELETE send nothing.
#[tokio::test]
async fn custom_post_and_put_without_a_body_send_an_empty_object() {
    let (url, log) = server(ok_json()).await;
    let client = client(&url);
    client.custom_post("test/minimal").await.unwrap();
    client.custom_put("test/minimal").await.unwrap();
    client.custom_get("test/minimal").await.unwrap();
    client.custom_delete("test/minimal").await.unwrap();
    let log = log.lock().unwrap();
    let sent: Vec<(Method, &[u8], Option<&str>)> = log
        .iter()
        .map(|r| {
            let content_type = r.headers.get("content-type").map(|v| v.to_str().unwrap());
            (r.method.clone(), &r.body[..], content_type)
        })
        .collect();
    assert_eq!(
        sent[0],
        (Method::POST, &b"{}"[..], Some("application/json"))
    );
    assert_eq!(sent[1], (Method::PUT, &b"{}"[..], Some("application/json")));
    assert_eq!((sent[2].0.clone(), sent[2].1), (Method::GET, &b""[..]));
    assert_eq!((sent[3].0.clone(), sent[3].1), (Method::DELETE, &b""[..]));
}

#[tokio::test]
async fn a_success_body_of_the_wrong_shape_is_a_decode_error_keeping_the_bytes() {
    let answer: Answer =
        Arc::new(|_| (StatusCode::OK, r#"{"status":"two hundred"}"#).into_response());
    let (url, _) = server(answer).await;
    let error = client(&url)
        .push_events(InsightsEvents::new([click().into()]))
        .await
        .unwrap_err();
    match error {
        Error::Decode {
            status,
            message,
            body,
            ..
        } => {
            assert_eq!(status, 200);
            assert!(
                message.starts_with("status: invalid type: string"),
                "{message}"
            );
            assert_eq!(&body[..], br#"{"status":"two hundred"}"#);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn regions_parse_and_name_their_hosts() {
    use algolia_insights::Region;
    assert_eq!("de".parse::<Region>().unwrap(), Region::De);
    assert_eq!(Region::Us.host(), "https://insights.us.algolia.io");
    assert_eq!(
        "not_a_region".parse::<Region>().unwrap_err().to_string(),
        "`region` must be one of the following: de, us"
    );
    let client = Client::builder("A", "K")
        .region(Region::De)
        .build()
        .unwrap();
    assert_eq!(
        client.transport().host_status()[0].url,
        "https://insights.de.algolia.io"
    );
    let client = Client::new("A", "K").unwrap();
    assert_eq!(
        client.transport().host_status()[0].url,
        "https://insights.algolia.io"
    );
}

#[test]
fn the_api_key_is_not_in_debug_output() {
    let client = Client::builder("APP", "super-secret-key").build().unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("super-secret-key"), "{debug}");
    let builder = Client::builder("APP", "super-secret-key");
    assert!(!format!("{builder:?}").contains("super-secret-key"));
}
