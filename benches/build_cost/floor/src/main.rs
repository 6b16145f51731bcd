//! The same click event by hand: serde structs and a reqwest POST (the
//! `floor` and `floor_default` programs of the build-cost benchmark).

use serde::{Deserialize, Serialize};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Click<'a> {
    event_type: &'a str,
    event_name: &'a str,
    index: &'a str,
    #[serde(rename = "objectIDs")]
    object_ids: Vec<&'a str>,
    positions: Vec<u32>,
    #[serde(rename = "queryID")]
    query_id: &'a str,
    user_token: &'a str,
}

#[derive(Serialize)]
struct Events<'a> {
    events: Vec<Click<'a>>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Response {
    status: Option<i64>,
    message: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:9".into());
    #[cfg(feature = "ring-provider")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().build()?;
    let body = Events {
        events: vec![Click {
            event_type: "click",
            event_name: "Product Clicked",
            index: "products",
            object_ids: vec!["sku-1"],
            positions: vec![1],
            query_id: "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f",
            user_token: "user-1",
        }],
    };
    let response: Response = client
        .post(format!("{url}/1/events"))
        .header("x-algolia-application-id", "APP_ID")
        .header("x-algolia-api-key", "API_KEY")
        .json(&body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{response:?}");
    Ok(())
}
