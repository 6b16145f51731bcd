//! Testing your own code against `LocalServer`:
//! `cargo test --example testing_with_local_server`.
//!
//! `record_checkout` below stands for code of yours that sends events. Its
//! tests give it a client pointed at a local Insights server (feature
//! `local-server`, in your `[dev-dependencies]`), then assert on what the
//! server recorded: the events your code sent, exactly as the API would
//! have received them, checked with the same rules. Faults (errors, delays,
//! dropped connections) can be injected to test your error handling. Nothing
//! leaves the machine.
//!
//! `cargo run --example testing_with_local_server` runs the code once against
//! a local server and prints what it recorded.

use algolia_insights::models::*;
use algolia_insights::Client;

/// A line of a shopping cart.
pub struct CartLine {
    pub sku: String,
    pub price: f64,
    pub quantity: i32,
}

/// Your code: records a purchase of the cart, after a search (`query_id`).
pub async fn record_checkout(
    client: &Client,
    user: &str,
    query_id: &str,
    cart: &[CartLine],
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let total: f64 = cart
        .iter()
        .map(|line| line.price * line.quantity as f64)
        .sum();
    let purchase = PurchasedObjectIDsAfterSearch::new(
        EventName::new("Checkout")?,
        "products",
        cart.iter().map(|line| line.sku.clone()).collect::<Vec<_>>(),
        UserToken::new(user.to_owned())?,
        cart.iter()
            .map(|line| {
                ObjectDataAfterSearch::new()
                    .query_id(query_id)
                    .price(line.price)
                    .quantity(line.quantity)
            })
            .collect::<Vec<_>>(),
    )
    .currency(Currency::new("EUR")?)
    .value(total);
    client
        .push_events(InsightsEvents::new([purchase.into()]))
        .await?;
    Ok(())
}

fn cart() -> Vec<CartLine> {
    vec![
        CartLine {
            sku: "sku-1".into(),
            price: 10.0,
            quantity: 2,
        },
        CartLine {
            sku: "sku-2".into(),
            price: 5.5,
            quantity: 1,
        },
    ]
}

const QUERY_ID: &str = "0123456789abcdef0123456789abcdef";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let server = algolia_insights::local::LocalServer::start().await?;
    record_checkout(&server.client()?, "shopper-1", QUERY_ID, &cart()).await?;
    for event in server.events() {
        println!("recorded: {}", serde_json::to_string(&event)?);
    }
    server.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use algolia_insights::local::{Faults, LocalServer};
    use algolia_insights::Error;
    use std::time::Duration;

    #[tokio::test]
    async fn a_checkout_sends_one_purchase_with_every_line() {
        let server = LocalServer::start().await.unwrap();

        record_checkout(&server.client().unwrap(), "shopper-1", QUERY_ID, &cart())
            .await
            .unwrap();

        let events = server
            .wait_for_events(1, Duration::from_secs(5))
            .await
            .unwrap();
        let [EventsItems::PurchasedObjectIDsAfterSearch(purchase)] = events.as_slice() else {
            panic!("expected one purchase after a search, got {events:?}");
        };
        assert_eq!(purchase.object_ids, ["sku-1", "sku-2"]);
        assert_eq!(purchase.user_token.as_str(), "shopper-1");
        let json = serde_json::to_value(purchase).unwrap();
        assert_eq!(json["value"], 25.5);
        assert_eq!(json["currency"], "EUR");
        assert_eq!(json["objectData"][1]["quantity"], 1);
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_bad_user_token_is_an_error_and_nothing_is_sent() {
        let server = LocalServer::start().await.unwrap();

        let result = record_checkout(
            &server.client().unwrap(),
            "jane@example.com",
            QUERY_ID,
            &cart(),
        )
        .await;

        assert!(result.is_err());
        assert!(server.requests().is_empty());
        server.shutdown().await;
    }

    #[tokio::test]
    async fn an_api_outage_reaches_the_caller() {
        let server = LocalServer::builder()
            .faults(Faults::seeded(1).fail(1.0, 503))
            .start()
            .await
            .unwrap();

        let error = record_checkout(&server.client().unwrap(), "shopper-1", QUERY_ID, &cart())
            .await
            .unwrap_err();

        let error = error.downcast::<Error>().expect("the client's error");
        assert!(
            !matches!(*error, Error::InvalidRequest(_)),
            "a server failure, not a local refusal: {error}"
        );
        assert_eq!(server.event_count(), 0);
        server.shutdown().await;
    }
}
