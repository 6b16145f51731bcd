//! `send FILE --nats URL`: publishes a JSON Lines file to the JetStream
//! stream instead of sending it to the API; forwarders (`forward`) deliver
//! it from there. Each line is read and checked as `send` checks it, and
//! published with its own message id; the command ends once the stream
//! acknowledged every event (stored on a quorum of its replicas).

use crate::args::SendArgs;
use crate::lines::{self, Line, LineReader};
use crate::nats_args::nats_config;
use crate::output::{errln, outln};
use crate::progress;
use algolia_insights::nats::PublishError;
use algolia_insights::Client;
use std::time::Duration;

/// How long the end of the run waits for the stream's last acknowledgements.
const FINISH: Duration = Duration::from_secs(60);

pub async fn run(args: &SendArgs, servers: &str) -> Result<bool, String> {
    let input = lines::open(&args.input)?;
    let config = nats_config(servers, &args.nats_options);
    // The rules events are checked with; nothing is sent to the API.
    let client = Client::builder("publisher", "publisher")
        .build()
        .map_err(|e| e.to_string())?;
    let producer = client
        .nats_producer(&config)
        .await
        .map_err(|e| e.to_string())?;
    let bar = progress::reading(input.size);
    let mut reader = LineReader::new(input.reader);
    let mut line = Vec::new();
    let mut rejected = 0u64;
    loop {
        let read = reader
            .next_line(&mut line, &mut |_| Ok(()))
            .map_err(|e| format!("reading {}: {e}", input.name))?;
        let Some(read) = read else { break };
        let number = reader.number();
        if let Line::TooLong { bytes } = read {
            rejected += 1;
            bar.suspend(|| errln!("line {number}: {bytes} bytes, too long for one event"));
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        if text.trim().is_empty() {
            continue;
        }
        let sent = match producer.try_send_json(&text) {
            Err(PublishError::Full) => producer.send_json(&text).await,
            other => other,
        };
        match sent {
            Ok(()) => {}
            Err(error) => {
                rejected += 1;
                bar.suspend(|| errln!("line {number}: {error}"));
            }
        }
        if number % 256 == 0 {
            bar.set_position(reader.bytes_read());
        }
    }
    bar.finish_and_clear();
    let report = producer.shutdown(FINISH).await;
    let stats = report.stats;
    outln!(
        "{} events stored in the stream {} ({} of them duplicates of a retried publish), {} lines rejected, {} events not stored{}",
        stats.published,
        config_stream(&args.nats_options),
        stats.duplicates,
        rejected,
        stats.failed,
        if report.deadline_passed {
            ", and the stream did not answer for some in time"
        } else {
            ""
        }
    );
    Ok(rejected == 0 && stats.failed == 0 && !report.deadline_passed)
}

fn config_stream(args: &crate::args::NatsArgs) -> &str {
    args.stream.as_deref().unwrap_or("INSIGHTS_EVENTS")
}
