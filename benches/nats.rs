//! JetStream throughput (feature `nats`): events/s and CPU per event to
//! publish events to a stream (`NatsProducer`) and to forward them to a
//! sink (`Forwarder`), on one nats-server and on a 3-node cluster (R3),
//! next to the in-memory `Sender` sending the same events to the same sink.
//!
//! cargo bench --features nats --bench nats -- [EVENTS]
//!
//! CPU is this process's (client, forwarder and sink) and, apart, the
//! nats-server processes'. The sink counts events and answers 200.

#[path = "throughput/events.rs"]
#[allow(dead_code)]
mod events;
#[path = "../tests/support/nats_server.rs"]
mod nats_server;
#[path = "throughput/sink.rs"]
#[allow(dead_code)]
mod sink;
#[path = "throughput/usage.rs"]
#[allow(dead_code)]
mod usage;

use algolia_insights::nats::{NatsConfig, PublishError};
use algolia_insights::sender::{SendError, SenderConfig};
use algolia_insights::Client;
use nats_server::{fresh_dir, NatsServer};
use std::time::{Duration, Instant};

struct Measure {
    seconds: f64,
    cpu: Duration,
    server_cpu: Duration,
}

fn row(what: &str, nodes: &str, n: u64, m: &Measure) {
    println!(
        "| {what} | {nodes} | {:.0} | {:.2} | {:.2} |",
        n as f64 / m.seconds,
        m.cpu.as_secs_f64() * 1e6 / n as f64,
        m.server_cpu.as_secs_f64() * 1e6 / n as f64
    );
}

fn server_cpu(nodes: &[NatsServer]) -> Duration {
    nodes.iter().map(NatsServer::cpu).sum()
}

fn main() {
    let n: u64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    if !nats_server::available("benches/nats") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let prepared: Vec<_> = (0..n).map(events::typed).collect();
    println!("{n} events; CPU in µs per event");
    println!();
    println!("| scenario | nats-server | events/s | CPU, this process | CPU, nats-server(s) |");
    println!("| --- | --- | ---: | ---: | ---: |");
    runtime.block_on(async {
        // The in-memory sender, to the sink.
        let sink = sink::Sink::start();
        let client = Client::builder("bench", "bench")
            .hosts([sink.url.clone()])
            .build()
            .unwrap();
        let (started, before) = (Instant::now(), usage::now());
        let sender = client.sender(SenderConfig::new());
        for event in &prepared {
            if let Err(SendError::Full(event)) = sender.try_send(event) {
                sender.send(*event).await.unwrap();
            }
        }
        sender.shutdown(Duration::from_secs(600)).await;
        assert_eq!(sink.events(), n);
        let m = Measure {
            seconds: started.elapsed().as_secs_f64(),
            cpu: usage::now().cpu - before.cpu,
            server_cpu: Duration::ZERO,
        };
        row("sender (memory)", "-", n, &m);

        for size in [1usize, 3] {
            let dir = fresh_dir(&format!("bench-{size}"));
            let nodes = if size == 1 {
                vec![NatsServer::start(&dir)]
            } else {
                NatsServer::cluster(size, &dir)
            };
            let urls = nodes
                .iter()
                .map(NatsServer::url)
                .collect::<Vec<_>>()
                .join(",");
            let config = NatsConfig::new(&urls);
            let producer = loop {
                match client.nats_producer(&config).await {
                    Ok(producer) => break producer,
                    Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
                }
            };
            let label = if size == 1 {
                "1 node".to_string()
            } else {
                format!("{size} nodes, R3")
            };

            let (started, before, before_server) =
                (Instant::now(), usage::now(), server_cpu(&nodes));
            for event in &prepared {
                if let Err(PublishError::Full) = producer.try_send(event) {
                    producer.send(event).await.unwrap();
                }
            }
            producer.flush().await;
            assert_eq!(producer.stats().published, n);
            let m = Measure {
                seconds: started.elapsed().as_secs_f64(),
                cpu: usage::now().cpu - before.cpu,
                server_cpu: server_cpu(&nodes) - before_server,
            };
            row("publish (NatsProducer)", &label, n, &m);
            producer.shutdown(Duration::from_secs(10)).await;

            let sink = sink::Sink::start();
            let forwarding = Client::builder("bench", "bench")
                .hosts([sink.url.clone()])
                .build()
                .unwrap();
            let (started, before, before_server) =
                (Instant::now(), usage::now(), server_cpu(&nodes));
            let forwarder = forwarding
                .nats_forwarder(
                    &config,
                    SenderConfig::new().max_delay(Duration::from_millis(50)),
                )
                .await
                .unwrap();
            while sink.events() < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            let m = Measure {
                seconds: started.elapsed().as_secs_f64(),
                cpu: usage::now().cpu - before.cpu,
                server_cpu: server_cpu(&nodes) - before_server,
            };
            let report = forwarder.shutdown(Duration::from_secs(60)).await;
            assert_eq!(report.stats.acked, n, "{report:?}");
            row("forward (Forwarder)", &label, n, &m);
        }
    });
}
