//! The client in one run: `cargo run --example quickstart`.
//!
//! Without credentials it starts a local Insights server in this process and
//! talks to it, so it works on any machine with no Algolia account. With
//! `ALGOLIA_APP_ID` and `ALGOLIA_API_KEY` set, it talks to Algolia instead
//! (add `ALGOLIA_REGION=us` or `de` for a regional host).
//!
//! It sends one event of each of the 13 kinds, shows an invalid event being
//! refused before any request is made, deletes a user token, and (locally)
//! prints what the server recorded.

use algolia_insights::local::LocalServer;
use algolia_insights::models::*;
use algolia_insights::{Client, Error, Region};
use std::process::ExitCode;

const SHOPPER: &str = "anonymous-user-1";
const OTHER_SHOPPER: &str = "anonymous-user-2";
const QUERY_ID: &str = "7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("quickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, local) = connect().await?;

    println!("\n1. One event of each of the 13 kinds, in one batch:");
    let events = one_event_of_each_kind()?;
    for event in &events {
        println!("   - {}", event.variant_name());
    }
    let response = client.push_events(InsightsEvents::new(events)).await?;
    println!(
        "   answer: {} {}",
        response.status.unwrap_or_default(),
        response.message.unwrap_or_default()
    );

    println!("\n2. An invalid event is refused before any request is made:");
    let requests_before = local.as_ref().map(|server| server.requests().len());
    let two_records_one_position = ClickedObjectIDsAfterSearch::new(
        EventName::new("Product Clicked")?,
        "products",
        ["sku-1001", "sku-1002"],
        [3],
        QueryID::new(QUERY_ID)?,
        UserToken::new(SHOPPER)?,
    );
    match client
        .push_events(InsightsEvents::new([two_records_one_position.into()]))
        .await
    {
        Err(Error::InvalidRequest(errors)) => println!("   refused: {errors}"),
        Err(other) => return Err(other.into()),
        Ok(_) => return Err("the invalid event was accepted".into()),
    }
    if let Some(server) = &local {
        let sent = server.requests().len() - requests_before.unwrap_or_default();
        println!("   requests the server received meanwhile: {sent}");
    }
    match UserToken::new("jane@example.com") {
        Err(error) => println!("   and a user token with an `@` never gets built: {error}"),
        Ok(_) => return Err("an email address was accepted as a user token".into()),
    }

    println!("\n3. Deleting the events of {SHOPPER}:");
    let limits = client.delete_user_token(SHOPPER).await?;
    let figure = |value: Option<i64>| value.map_or("?".to_string(), |v| v.to_string());
    println!(
        "   done; rate limit: {} of {} deletions left this minute, reset at {} (Unix time)",
        figure(limits.x_ratelimit_remaining),
        figure(limits.x_ratelimit_limit),
        figure(limits.x_ratelimit_reset)
    );

    if let Some(server) = local {
        println!("\n4. What the local server recorded:");
        for request in server.requests() {
            println!("   {request}");
        }
        let events = server.events();
        println!(
            "   {} events remain (those of {OTHER_SHOPPER}):",
            events.len()
        );
        for event in &events {
            println!("   - {}", serde_json::to_string(event)?);
        }
        server.shutdown().await;
    }
    Ok(())
}

/// A client for Algolia when credentials are set, else for a local server.
async fn connect() -> Result<(Client, Option<LocalServer>), Box<dyn std::error::Error>> {
    let app_id = std::env::var("ALGOLIA_APP_ID")
        .ok()
        .filter(|v| !v.is_empty());
    let api_key = std::env::var("ALGOLIA_API_KEY")
        .ok()
        .filter(|v| !v.is_empty());
    match (app_id, api_key) {
        (Some(app_id), Some(api_key)) => {
            let mut builder = Client::builder(&app_id, api_key);
            let region = std::env::var("ALGOLIA_REGION").ok();
            if let Some(region) = &region {
                builder = builder.region(region.parse::<Region>()?);
            }
            println!(
                "ALGOLIA_APP_ID and ALGOLIA_API_KEY are set: sending to Algolia (application {app_id}{}).",
                region.map(|r| format!(", region {r}")).unwrap_or_default()
            );
            Ok((builder.build()?, None))
        }
        (None, None) => {
            let server = LocalServer::start().await?;
            println!(
                "No ALGOLIA_APP_ID / ALGOLIA_API_KEY set: sending to a local Insights server at {}.",
                server.url()
            );
            Ok((server.client()?, Some(server)))
        }
        _ => Err(
            "set both ALGOLIA_APP_ID and ALGOLIA_API_KEY, or neither to use a local server".into(),
        ),
    }
}

fn one_event_of_each_kind() -> Result<Vec<EventsItems>, Box<dyn std::error::Error>> {
    let name = |name: &'static str| EventName::new(name);
    let shopper = || UserToken::new(SHOPPER);
    let query_id = || QueryID::new(QUERY_ID);
    let index = "products";
    Ok(vec![
        ClickedObjectIDsAfterSearch::new(
            name("Product Clicked")?,
            index,
            ["sku-1001"],
            [1],
            query_id()?,
            shopper()?,
        )
        .into(),
        AddedToCartObjectIDsAfterSearch::new(
            name("Product Added To Cart")?,
            index,
            query_id()?,
            ["sku-1001"],
            shopper()?,
        )
        .currency(Currency::new("USD")?)
        .object_data([ObjectDataAfterSearch::new().price(19.99).quantity(2)])
        .value(39.98)
        .into(),
        PurchasedObjectIDsAfterSearch::new(
            name("Product Purchased")?,
            index,
            ["sku-1001"],
            shopper()?,
            [ObjectDataAfterSearch::new()
                .query_id(QUERY_ID)
                .price(19.99)
                .quantity(2)],
        )
        .currency(Currency::new("USD")?)
        .value(39.98)
        .into(),
        ConvertedObjectIDsAfterSearch::new(
            name("Article Liked")?,
            "articles",
            ["article-7"],
            query_id()?,
            shopper()?,
        )
        .into(),
        ClickedObjectIDs::new(
            name("Banner Product Clicked")?,
            index,
            ["sku-2002"],
            shopper()?,
        )
        .into(),
        PurchasedObjectIDs::new(name("Product Reordered")?, index, ["sku-2002"], shopper()?)
            .currency(Currency::new("EUR")?)
            .object_data([ObjectData::new().price(9.5).quantity(1)])
            .into(),
        AddedToCartObjectIDs::new(
            name("Wishlist Added To Cart")?,
            index,
            ["sku-2002"],
            shopper()?,
        )
        .into(),
        ConvertedObjectIDs::new(name("Product Shared")?, index, ["sku-2002"], shopper()?).into(),
        ClickedFilters::new(name("Filter Clicked")?, index, ["brand:acme"], shopper()?).into(),
        ConvertedFilters::new(name("Filter Converted")?, index, ["brand:acme"], shopper()?).into(),
        ViewedObjectIDs::new(
            name("Product Viewed")?,
            index,
            ["sku-3003"],
            UserToken::new(OTHER_SHOPPER)?,
        )
        .into(),
        ViewedFilters::new(
            name("Category Viewed")?,
            index,
            ["category:shoes"],
            UserToken::new(OTHER_SHOPPER)?,
        )
        .into(),
        Instantsearch::new(name("Agent Session Started")?, shopper()?)
            .agent_id(AgentID::new("agent-session-42")?)
            .into(),
    ])
}
