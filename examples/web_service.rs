//! A web service that records clicks: `cargo run --example web_service`.
//!
//! An axum app whose handler turns `POST /products/{id}/click?user=...` into a
//! click event and hands it to one [`Sender`] that every handler shares (a
//! clone in the app's state). Handlers never wait for Algolia: `send` only
//! queues the event. On shutdown the server first stops taking requests, then
//! the sender delivers what it still holds, within a deadline.
//!
//! `GET /metrics` shows the crate's metrics (feature `metrics`) in
//! Prometheus's text format: the program installs the recorder
//! (`metrics-exporter-prometheus`), the library only records into it.
//!
//! Without `ALGOLIA_APP_ID` / `ALGOLIA_API_KEY` it sends to a local Insights
//! server, plays a few visitors against itself, shuts down, and checks that
//! the local server recorded every click, and that `/metrics` counts them.
//! With them set, it serves on 127.0.0.1:3000 until Ctrl-C.

use algolia_insights::local::LocalServer;
use algolia_insights::models::{ClickedObjectIDs, EventName, UserToken};
use algolia_insights::sender::{Sender, SenderConfig};
use algolia_insights::Client;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use serde::Deserialize;
use std::future::IntoFuture;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What every handler shares: a clone of one sender, and the metrics.
#[derive(Clone)]
struct AppState {
    sender: Sender,
    metrics: PrometheusHandle,
}

#[derive(Deserialize)]
struct Visitor {
    user: String,
}

/// The app: one route that records a click, one that shows the metrics.
fn app(state: AppState) -> Router {
    Router::new()
        .route("/products/{id}/click", post(record_click))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Every metric recorded so far, for Prometheus to scrape.
async fn metrics(State(state): State<AppState>) -> String {
    state.metrics.render()
}

/// Queues a click on product `id` by `?user=`; 400 for a user token the
/// API would refuse, 503 once the sender is shutting down.
async fn record_click(
    State(state): State<AppState>,
    Path(product): Path<String>,
    Query(visitor): Query<Visitor>,
) -> Result<StatusCode, (StatusCode, String)> {
    let user = UserToken::new(visitor.user)
        .map_err(|error| (StatusCode::BAD_REQUEST, error.to_string()))?;
    let name = EventName::new("Product Clicked")
        .map_err(|error| (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()))?;
    let event = ClickedObjectIDs::new(name, "products", [product], user);
    // Waits only while the sender's bounded queue is full.
    match state.sender.send(event).await {
        Ok(()) => Ok(StatusCode::ACCEPTED),
        Err(error) => Err((StatusCode::SERVICE_UNAVAILABLE, error.to_string())),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The program's recorder; the library never installs one.
    let metrics = PrometheusBuilder::new().install_recorder()?;
    algolia_insights::metrics::describe();
    let credentials = (
        std::env::var("ALGOLIA_APP_ID")
            .ok()
            .filter(|v| !v.is_empty()),
        std::env::var("ALGOLIA_API_KEY")
            .ok()
            .filter(|v| !v.is_empty()),
    );
    let (client, local) = match credentials {
        (Some(app_id), Some(api_key)) => (Client::new(app_id, api_key)?, None),
        _ => {
            let server = LocalServer::start().await?;
            println!("sending to a local Insights server at {}", server.url());
            (server.client()?, Some(server))
        }
    };

    let sender = client.sender(SenderConfig::new().on_failure(|failed| {
        eprintln!(
            "click not delivered: {} ({})",
            failed.json(),
            failed.error()
        );
    }));
    let (stop, stopped) = oneshot::channel::<()>();
    let address = if local.is_some() {
        "127.0.0.1:0"
    } else {
        "127.0.0.1:3000"
    };
    let listener = TcpListener::bind(address).await?;
    let url = format!("http://{}", listener.local_addr()?);
    println!("serving on {url}");
    let server = tokio::spawn(
        axum::serve(
            listener,
            app(AppState {
                sender: sender.clone(),
                metrics,
            }),
        )
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = stopped => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        })
        .into_future(),
    );

    let Some(local) = local else {
        // With real credentials: serve until Ctrl-C.
        server.await??;
        return finish(&sender).await;
    };

    // The demo: a few visitors click, then the service shuts down.
    let visits = [
        ("sku-1", "visitor-1"),
        ("sku-2", "visitor-1"),
        ("sku-1", "visitor-2"),
    ];
    let http = reqwest::Client::new();
    for (product, user) in visits {
        let answer = http
            .post(format!("{url}/products/{product}/click?user={user}"))
            .send()
            .await?;
        println!(
            "POST /products/{product}/click?user={user} -> {}",
            answer.status()
        );
    }
    let refused = http
        .post(format!("{url}/products/sku-1/click?user=jane@example.com"))
        .send()
        .await?;
    println!("a user token with an `@` -> {}", refused.status());
    sender.flush().await;
    let scraped = http
        .get(format!("{url}/metrics"))
        .send()
        .await?
        .text()
        .await?;
    let delivered = scraped
        .lines()
        .find(|line| line.starts_with("algolia_insights_events_total{outcome=\"delivered\"}"))
        .unwrap_or("algolia_insights_events_total: not found");
    println!("GET /metrics -> {delivered}");
    if !delivered.ends_with(&format!(" {}", visits.len())) {
        return Err("/metrics does not count the delivered clicks".into());
    }
    let _ = stop.send(());
    server.await??;
    finish(&sender).await?;

    let recorded = local.events();
    println!("the local server recorded {} clicks", recorded.len());
    if recorded.len() != visits.len() || refused.status() != StatusCode::BAD_REQUEST {
        return Err("the local server did not record exactly the valid clicks".into());
    }
    local.shutdown().await;
    Ok(())
}

/// After the server stopped: deliver what the sender still holds.
async fn finish(sender: &Sender) -> Result<(), Box<dyn std::error::Error>> {
    let report = sender.shutdown(Duration::from_secs(10)).await;
    println!(
        "sender shut down: {} events delivered, {} undelivered",
        report.stats.delivered,
        report.undelivered.len()
    );
    if report.undelivered.is_empty() {
        Ok(())
    } else {
        Err("some clicks were not delivered before the deadline".into())
    }
}
