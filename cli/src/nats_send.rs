//! `send FILE --nats URL`: publishes a JSON Lines file to the JetStream
//! stream instead of sending it to the API; forwarders (`forward`) deliver
//! it from there. Each line is read and checked as `send` checks it, and
//! published with its own message id; the command ends once the stream
//! acknowledged every event (stored on a quorum of its replicas).

use crate::args::SendArgs;
use crate::lines;
use crate::nats_args::nats_config;
use crate::output::{errln, outln};
use crate::progress;
use crate::scan::{RejectsFile, Scan, Scanned};
use algolia_insights::nats::PublishError;
use algolia_insights::Client;
use std::time::Duration;

/// How long the end of the run waits for the stream's last acknowledgements.
const FINISH: Duration = Duration::from_secs(60);

pub async fn run(args: &SendArgs, servers: &str) -> Result<bool, String> {
    let input = lines::open(&args.input)?;
    let input_name = input.name.clone();
    let rejects = args
        .rejects
        .as_deref()
        .map(RejectsFile::create)
        .transpose()?;
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
    // Each line as `send` takes it: the producer reads and checks its text.
    let mut scan = Scan::texts(input, rejects);
    let mut rejected = 0u64;
    while let Some(scanned) = scan
        .next()
        .map_err(|e| format!("reading {input_name}: {e}"))?
    {
        let line = match scanned {
            Scanned::Rejected { line, reason } => {
                rejected += 1;
                bar.suspend(|| errln!("line {line}: {reason}"));
                continue;
            }
            Scanned::Line { line } => line,
        };
        let sent = match producer.try_send_json(scan.text()) {
            Err(PublishError::Full) => producer.send_json(scan.text()).await,
            other => other,
        };
        if let Err(error) = sent {
            rejected += 1;
            bar.suspend(|| errln!("line {line}: {error}"));
            if matches!(error, PublishError::Invalid(_) | PublishError::Decode(_)) {
                scan.reject()
                    .map_err(|e| format!("cannot write the rejects file: {e}"))?;
            }
        }
        if line % 256 == 0 {
            bar.set_position(scan.bytes_read());
        }
    }
    scan.finish()
        .map_err(|e| format!("cannot write the rejects file: {e}"))?;
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
