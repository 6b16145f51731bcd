//! `forward`: one of a group of forwarders that deliver the events of a
//! JetStream stream to the API (the library's `Forwarder`), with a
//! progress line on standard error and a summary at the end. Runs until
//! Ctrl-C or SIGTERM, or, with `--stop-when-idle`, until the stream has
//! given nothing for that long.

use crate::args::ForwardArgs;
use crate::connect::connect;
use crate::nats_args::nats_config;
use crate::output::{errln, outln};
use algolia_insights::sender::SenderConfig;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// How long a stop waits for the batches in flight.
const FINISH: Duration = Duration::from_secs(60);

pub async fn run(args: &ForwardArgs) -> Result<bool, String> {
    let connection = connect(&args.connection, |builder| builder).await?;
    let config = nats_config(&args.nats, &args.options);
    let sender = SenderConfig::new()
        .max_batch_events(usize::from(args.batch_size))
        .max_in_flight(usize::from(args.concurrency))
        .max_delay(Duration::from_millis(100));
    let forwarder = connection
        .client
        .nats_forwarder(&config, sender)
        .await
        .map_err(|e| e.to_string())?;
    errln!("forwarding to {}", connection.target);
    let terminal = std::io::stderr().is_terminal();
    let idle_limit = args.stop_when_idle.map(Duration::from_secs_f64);
    let mut last_pulled = 0;
    let mut last_change = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let stop = stop_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut stop => break,
        }
        let stats = forwarder.stats();
        if stats.pulled != last_pulled || stats.holding > 0 {
            last_pulled = stats.pulled;
            last_change = Instant::now();
        }
        if terminal {
            eprint!(
                "\r{} pulled, {} delivered and acked, {} dead-lettered, {} held   ",
                stats.pulled, stats.acked, stats.dead_lettered, stats.holding
            );
        }
        if idle_limit.is_some_and(|limit| last_change.elapsed() >= limit) {
            break;
        }
    }
    if terminal {
        eprintln!();
    }
    let report = forwarder.shutdown(FINISH).await;
    let stats = report.stats;
    outln!(
        "{} events pulled ({} delivered before, by a forwarder that stopped), {} delivered and acknowledged, {} rejected and dead-lettered, {} given back to the stream; {} requests, {} retried",
        stats.pulled,
        stats.redelivered,
        stats.acked,
        stats.dead_lettered,
        stats.returned,
        stats.sender.requests,
        stats.sender.retried
    );
    if let Some(server) = connection.local {
        outln!(
            "the local server accepted {} events",
            server.accepted_event_count()
        );
        server.shutdown().await;
    }
    Ok(stats.dead_lettered == 0 && !report.deadline_passed)
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
