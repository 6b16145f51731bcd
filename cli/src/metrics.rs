//! `--metrics-addr ADDR`: the library's metrics (requests, retries, events,
//! the sender's queue) in Prometheus's text format at `http://ADDR/metrics`
//! for as long as the command runs, so that a long import can be watched
//! and alerted on. The command installs the recorder; the library only
//! records into it.

use crate::output::errln;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::PrometheusBuilder;
use std::net::SocketAddr;
use tokio::net::TcpListener;

/// Installs the Prometheus recorder and serves it at `addr` (port 0: any
/// free port), in the background; says where on standard error.
pub async fn serve(addr: SocketAddr) -> Result<(), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|error| format!("--metrics-addr {addr}: {error}"))?;
    let bound = listener
        .local_addr()
        .map_err(|error| format!("--metrics-addr {addr}: {error}"))?;
    let handle = PrometheusBuilder::new()
        .install_recorder()
        .map_err(|error| format!("cannot install the metrics recorder: {error}"))?;
    algolia_insights::metrics::describe();
    let app = Router::new().route("/metrics", get(move || std::future::ready(handle.render())));
    tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, app).await {
            errln!("the metrics server stopped: {error}");
        }
    });
    errln!("Metrics at http://{bound}/metrics");
    Ok(())
}
