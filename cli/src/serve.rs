//! `serve`: the local Insights server in the foreground, one log line per
//! request, until Ctrl-C.

use crate::args::ServeArgs;
use crate::output::outln;
use algolia_insights::local::{Faults, LocalServer};

pub async fn run(args: &ServeArgs) -> Result<bool, String> {
    let fail_status = args.fail_status;
    if !(100..=999).contains(&fail_status) {
        return Err(format!("--fail-status {fail_status} is not an HTTP status"));
    }
    let faults = Faults::seeded(args.seed)
        .fail(args.fail_rate, fail_status)
        .drop_connections(args.drop_rate);
    let mut builder = LocalServer::builder()
        .port(args.port)
        .faults(faults)
        .on_request(|request| outln!("{request}"));
    if args.require_credentials {
        let (Some(app_id), Some(api_key)) = (&args.app_id, &args.api_key) else {
            return Err(
                "--require-credentials needs ALGOLIA_APP_ID and ALGOLIA_API_KEY (or \
                        --app-id and --api-key)"
                    .to_string(),
            );
        };
        builder = builder.credentials(app_id, api_key);
    }
    let server = builder.start().await.map_err(|error| error.to_string())?;
    outln!("Local Insights server listening on {}", server.url());
    outln!(
        "Send events to it with: algolia-insights send --host {} FILE",
        server.url()
    );
    outln!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| format!("cannot wait for Ctrl-C: {error}"))?;
    let requests = server.requests().len();
    let events = server.event_count();
    server.shutdown().await;
    outln!("Stopped after {requests} requests; {events} events were recorded.");
    Ok(true)
}
