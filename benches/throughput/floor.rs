//! The floor's request: a batch's JSON, already written, in a bare reqwest
//! POST with the credentials as headers, its answer read whole. Shared by
//! the benchmarks so that each compares against the same hand-written call.

/// The credentials both the floor and the client send to the sink.
pub const APP_ID: &str = "bench-app";
pub const API_KEY: &str = "bench-key";

/// POSTs `body` (a batch of events) to `url`; an error unless the sink
/// answered with a success.
pub async fn post(http: &reqwest::Client, url: &str, body: Vec<u8>) -> Result<(), String> {
    let response = http
        .post(url)
        .header("x-algolia-application-id", APP_ID)
        .header("x-algolia-api-key", API_KEY)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    response.bytes().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("the sink answered {status}"));
    }
    Ok(())
}
