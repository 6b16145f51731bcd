//! The command line: subcommands, their options, and where the credentials
//! and the host come from.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Send, validate and delete Algolia Insights events, or serve the Insights
/// API locally.
///
/// Input files are JSON Lines: one event per line, in the API's wire format
/// (`{"eventName":…,"eventType":"click",…}`). `-` or no file reads standard
/// input.
///
/// Exit status: 0 when everything went through, 1 when a line was rejected,
/// an event failed to send or a deletion failed, 2 for a usage or setup error.
#[derive(Debug, Parser)]
#[command(name = "algolia-insights", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate and send events from a JSON Lines file, in batches.
    ///
    /// Invalid lines are never sent: they are listed with their line number
    /// and reason (and written to --rejects). Valid events go out in batches
    /// of up to 1,000 events and under 2 MB, through the library's batching
    /// sender: a batch the API rejects is split until the events it refuses
    /// are alone, so that the others still go through.
    Send(SendArgs),
    /// Check events from a JSON Lines file without sending anything.
    Validate(ValidateArgs),
    /// Delete every event of one or more user tokens.
    DeleteUserToken(DeleteArgs),
    /// Run a local Insights server in the foreground, logging each request.
    Serve(ServeArgs),
    /// Deliver the events of a NATS JetStream stream to the API, as one of
    /// any number of forwarders.
    ///
    /// Each event goes to one forwarder (a durable pull consumer shared by
    /// all), in batches through the library's sender; a message is
    /// acknowledged once the API accepted its batch; an event the API
    /// rejects is published with the API's message to the dead-letter
    /// subject. The stream, the dead-letter stream and the consumer are
    /// created when missing: file storage, replicas = the cluster's size up
    /// to 3, work-queue retention, a 2-minute duplicate window, a 60 s ack
    /// wait. Runs until Ctrl-C or SIGTERM, then finishes the batches in
    /// flight. Exit status 1 when events were dead-lettered.
    Forward(ForwardArgs),
}

/// Where the JetStream stream is, and its names.
#[derive(Debug, Args, Default)]
pub struct NatsArgs {
    /// The stream's name (default INSIGHTS_EVENTS).
    #[arg(long, value_name = "NAME", requires = "nats")]
    pub stream: Option<String>,
    /// The subject events are published to (default insights.events).
    #[arg(long, value_name = "SUBJECT", requires = "nats")]
    pub subject: Option<String>,
    /// The durable consumer the forwarders share (default insights-forwarder).
    #[arg(long, value_name = "NAME", requires = "nats")]
    pub consumer: Option<String>,
    /// Where rejected events go (default insights.dead-letter, in the
    /// stream <stream>_DEAD_LETTER when no stream takes the subject).
    #[arg(long, value_name = "SUBJECT", requires = "nats")]
    pub dead_letter: Option<String>,
}

#[derive(Debug, Args)]
pub struct ForwardArgs {
    /// The NATS servers, as URLs separated by commas (nats://host:4222).
    #[arg(long, value_name = "URL", required = true)]
    pub nats: String,
    #[command(flatten)]
    pub options: NatsArgs,
    /// The most events per request (the API takes at most 1,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
    /// How many requests are in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=32))]
    pub concurrency: u8,
    /// Stops once the stream has given nothing for this many seconds (to
    /// drain a stream and exit).
    #[arg(long, value_name = "SECONDS")]
    pub stop_when_idle: Option<f64>,
    /// Serves Prometheus metrics at http://ADDR/metrics while forwarding
    /// (requests, retries, events by outcome, the queue), such as
    /// 127.0.0.1:9464; port 0 picks a free port, printed on standard error.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The JSON Lines file to send; `-` for standard input.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub input: String,
    /// Publishes the events to this NATS JetStream server's stream (URLs
    /// separated by commas) instead of sending them: `forward` delivers
    /// them. Ends once the stream stored every event.
    #[arg(long, value_name = "URL", conflicts_with = "spool")]
    pub nats: Option<String>,
    #[command(flatten)]
    pub nats_options: NatsArgs,
    /// Writes each rejected line, as it was, to this file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Writes the events of batches that failed to send to this file, one per line.
    #[arg(long, value_name = "FILE")]
    pub failed: Option<PathBuf>,
    /// The most events per request (the API takes at most 1,000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch_size: u16,
    /// How many requests are in flight at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=32))]
    pub concurrency: u8,
    /// How many times a batch is tried again after a failure that may pass
    /// (a 5xx, a timeout, a lost connection).
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Gzip-compresses the request bodies.
    #[arg(long)]
    pub gzip: bool,
    /// Keeps the events in a queue on disk in DIR until the API accepted or
    /// rejected them, which makes a long import resumable: killed or
    /// stopped, the same command run again delivers what the spool holds
    /// first, then goes on after the last line it had spooled, once it
    /// checked that the input still starts with the bytes read (progress
    /// is saved every 200 ms, for lines durable in the spool). Failures
    /// that may pass are then retried without a limit (not --retries).
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,
    /// With --spool: forgets where an earlier run got to in the input.
    /// What the spool holds is delivered, then the input is read from its
    /// first line. Needed when the input is not the one the earlier run
    /// read (edited, rotated or replaced): `send` refuses to guess.
    #[arg(long, requires = "spool")]
    pub restart: bool,
    /// Serves Prometheus metrics at http://ADDR/metrics while sending
    /// (requests, retries, events by outcome, the queue), such as
    /// 127.0.0.1:9464; port 0 picks a free port, printed on standard error.
    #[arg(long, value_name = "ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The JSON Lines file to check; `-` for standard input.
    #[arg(value_name = "FILE|-", default_value = "-")]
    pub input: String,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The user tokens whose events to delete.
    #[arg(value_name = "TOKEN", required = true)]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port to listen on, on 127.0.0.1 (default: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Requires the credentials of ALGOLIA_APP_ID and ALGOLIA_API_KEY (or
    /// --app-id and --api-key), answering 401 to other ones.
    #[arg(long)]
    pub require_credentials: bool,
    /// Application ID to require with --require-credentials.
    #[arg(long, env = "ALGOLIA_APP_ID")]
    pub app_id: Option<String>,
    /// API key to require with --require-credentials.
    #[arg(long, env = "ALGOLIA_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Answers this share of requests (0 to 1) with --fail-status instead of handling them.
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub fail_rate: f64,
    /// The status of failed requests.
    #[arg(long, default_value_t = 503, value_parser = clap::value_parser!(u16).range(100..=599))]
    pub fail_status: u16,
    /// Closes the connection without an answer for this share of requests (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub drop_rate: f64,
    /// Seeds the choice of failing requests: the same seed fails the same requests.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Where requests go, and with which credentials.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Algolia application ID.
    #[arg(long, env = "ALGOLIA_APP_ID")]
    pub app_id: Option<String>,
    /// Algolia API key (needs the `search` ACL to send, `deleteObject` to delete).
    #[arg(long, env = "ALGOLIA_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Sends to the Insights host of this region.
    #[arg(long, value_enum, conflicts_with_all = ["host", "local"])]
    pub region: Option<RegionArg>,
    /// Sends to this host instead (repeat to list fallbacks), such as the URL
    /// `algolia-insights serve` prints.
    #[arg(long, value_name = "URL", conflicts_with = "local")]
    pub host: Vec<String>,
    /// Starts a local Insights server in this process and sends to it; no
    /// credentials needed.
    #[arg(long)]
    pub local: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RegionArg {
    Us,
    De,
}
