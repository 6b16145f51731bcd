//! A program without an async runtime: `cargo run --example blocking --features blocking`.
//!
//! With the `blocking` feature every request builder has `send_blocking()`,
//! which sends the request on a runtime the crate keeps to itself: same
//! requests, options, retries and errors as `.await`.
//!
//! Without `ALGOLIA_APP_ID` / `ALGOLIA_API_KEY` it talks to a local Insights
//! server (which does need a runtime: it gets one of its own, in the
//! background; the program's code below stays blocking).

use algolia_insights::local::LocalServer;
use algolia_insights::models::*;
use algolia_insights::{Client, Error};
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let local = match (
        std::env::var("ALGOLIA_APP_ID"),
        std::env::var("ALGOLIA_API_KEY"),
    ) {
        (Ok(app_id), Ok(api_key)) if !app_id.is_empty() && !api_key.is_empty() => None,
        _ => Some(LocalDemoServer::start()?),
    };
    let client = match &local {
        Some(local) => local.server.client()?,
        None => Client::new(
            std::env::var("ALGOLIA_APP_ID")?,
            std::env::var("ALGOLIA_API_KEY")?,
        )?,
    };

    let view = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        ["sku-1", "sku-2"],
        UserToken::new("visitor-1")?,
    );
    let response = client
        .push_events(InsightsEvents::new([view.into()]))
        .timeout(Duration::from_secs(5))
        .send_blocking()?;
    println!(
        "sent: {} {}",
        response.status.unwrap_or_default(),
        response.message.unwrap_or_default()
    );

    // Invalid input fails the same way as with `.await`, before any request.
    let empty = ViewedObjectIDs::new(
        EventName::new("Product Viewed")?,
        "products",
        Vec::<String>::new(),
        UserToken::new("visitor-1")?,
    );
    match client
        .push_events(InsightsEvents::new([empty.into()]))
        .send_blocking()
    {
        Err(Error::InvalidRequest(errors)) => println!("refused before sending: {errors}"),
        other => {
            return Err(format!("an event without objectIDs was not refused: {other:?}").into())
        }
    }

    client.delete_user_token("visitor-1").send_blocking()?;
    println!("deleted the events of visitor-1");

    if let Some(local) = local {
        let requests = local.server.requests();
        for request in &requests {
            println!("local server: {request}");
        }
        if requests.len() != 2 || local.server.event_count() != 0 {
            return Err("the local server did not see one push and one deletion".into());
        }
        local.stop();
    }
    Ok(())
}

/// The demo's local server, on a runtime of its own in the background.
struct LocalDemoServer {
    runtime: tokio::runtime::Runtime,
    server: LocalServer,
}

impl LocalDemoServer {
    fn start() -> Result<Self, Box<dyn std::error::Error>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let server = runtime.block_on(LocalServer::start())?;
        println!("sending to a local Insights server at {}", server.url());
        Ok(LocalDemoServer { runtime, server })
    }

    fn stop(self) {
        self.runtime.block_on(self.server.shutdown());
    }
}
