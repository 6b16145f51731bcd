//! Custom requests with request options: `cargo run --example custom_request`.
//!
//! `custom_get`, `custom_post`, `custom_put` and `custom_delete` reach any
//! path of the Insights API with the client's hosts, credentials, retries and
//! timeouts, for endpoints (or fields) this client does not model yet. The
//! body and the answer are untyped JSON. Per-call options (headers, query
//! parameters, a timeout) go on the request builder, one by one or as a
//! reusable [`RequestOptions`].
//!
//! Without `ALGOLIA_APP_ID` / `ALGOLIA_API_KEY` it talks to a local Insights
//! server and checks what it recorded.

use algolia_insights::local::LocalServer;
use algolia_insights::{Client, Error, RequestOptions};
use serde_json::json;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (client, local) = match (
        std::env::var("ALGOLIA_APP_ID")
            .ok()
            .filter(|v| !v.is_empty()),
        std::env::var("ALGOLIA_API_KEY")
            .ok()
            .filter(|v| !v.is_empty()),
    ) {
        (Some(app_id), Some(api_key)) => (Client::new(app_id, api_key)?, None),
        _ => {
            let server = LocalServer::start().await?;
            println!("sending to a local Insights server at {}", server.url());
            (server.client()?, Some(server))
        }
    };

    // Options shared by several calls.
    let options = RequestOptions::new()
        .header("X-Forwarded-For", "203.0.113.7")
        .timeout(Duration::from_secs(3));

    // A raw event, as JSON, to the events endpoint.
    let answer = client
        .custom_post("1/events")
        .body(json!({
            "events": [{
                "eventType": "view",
                "eventName": "Product Viewed",
                "index": "products",
                "objectIDs": ["sku-1"],
                "userToken": "visitor-1"
            }]
        }))
        .options(options.clone())
        .query_param("source", "custom_request example")
        .await?;
    println!("POST /1/events -> {answer}");

    // An API error keeps the status and the API's message.
    match client
        .custom_get("1/no-such-endpoint")
        .options(options)
        .parameters([("page", 1)])
        .await
    {
        Err(Error::Api(error)) => println!("GET /1/no-such-endpoint -> {error}"),
        other => return Err(format!("expected an API error, got {other:?}").into()),
    }

    if let Some(server) = local {
        for request in server.requests() {
            println!("local server: {request}");
        }
        let events = server.events();
        if events.len() != 1 {
            return Err(format!("expected one recorded event, got {}", events.len()).into());
        }
        println!("recorded: {}", serde_json::to_string(&events[0])?);
        server.shutdown().await;
    }
    Ok(())
}
