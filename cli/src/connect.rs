//! Turns the connection options into a client: Algolia (default or regional
//! host), hosts given by URL, or a local server started in this process.

use crate::args::{ConnectionArgs, RegionArg};
use algolia_insights::local::LocalServer;
use algolia_insights::{Client, ClientBuilder, Region};

/// A client, and the local server it talks to when `--local` was given.
pub struct Connection {
    pub client: Client,
    pub local: Option<LocalServer>,
    /// Where requests go, for messages.
    pub target: String,
}

/// Builds the connection, or says what is missing.
pub async fn connect(
    args: &ConnectionArgs,
    adjust: impl FnOnce(ClientBuilder<Client>) -> ClientBuilder<Client>,
) -> Result<Connection, String> {
    if args.local {
        // The CLI only reports how many events the server accepted: it
        // counts them without keeping them, so that memory stays flat
        // however many lines are sent.
        let server = LocalServer::builder()
            .max_recorded_events(0)
            .start()
            .await
            .map_err(|error| error.to_string())?;
        let target = format!("the local server at {}", server.url());
        // The server's own client has the placeholders it accepts; rebuild it
        // to apply the caller's settings.
        let builder = Client::builder("local", "local").hosts([server.url()]);
        let client = adjust(builder).build().map_err(|e| e.to_string())?;
        return Ok(Connection {
            client,
            local: Some(server),
            target,
        });
    }
    let (Some(app_id), Some(api_key)) = (&args.app_id, &args.api_key) else {
        return Err(
            "no credentials: set ALGOLIA_APP_ID and ALGOLIA_API_KEY (or pass --app-id and \
                    --api-key), or use --local to try a local server"
                .to_string(),
        );
    };
    let mut builder = Client::builder(app_id, api_key);
    let target = if !args.host.is_empty() {
        builder = builder.hosts(args.host.iter().cloned());
        args.host.join(", ")
    } else if let Some(region) = args.region {
        let region = match region {
            RegionArg::Us => Region::Us,
            RegionArg::De => Region::De,
        };
        builder = builder.region(region);
        region.host()
    } else {
        "Algolia".to_string()
    };
    let client = adjust(builder).build().map_err(|e| e.to_string())?;
    Ok(Connection {
        client,
        local: None,
        target,
    })
}
