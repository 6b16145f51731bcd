//! Throughput of sending events against the FLOOR: the same work written by
//! hand at its cheapest (hand-written serde structs, a bare reqwest POST per
//! batch of 1000), next to the generated client's `push_events` and the
//! batching sender, in the same run, to a loopback sink that counts what it
//! receives.
//!
//! ```text
//! cargo bench --bench throughput                      # 100k and 1M events, 5 rounds
//! cargo bench --bench throughput -- --sizes 100000 --rounds 1 --scenarios client
//! cargo bench --bench throughput -- --sizes 1000000 --scenarios sender,spool
//! cargo build --release -p algolia-insights-cli &&
//!   cargo bench --bench throughput -- --scenarios floor,cli   # the tool's `send` of a file
//! ```
//!
//! - The events are built before the clock starts and dropped after it stops
//!   (for `push_events`, which takes its batch, freeing them is its work).
//! - One request at a time for the floor and `push_events`; the sender keeps
//!   its default of up to 4 requests in flight.
//! - The sink (this process) is pinned to CPU 1; each measured scenario is a
//!   child process (this binary with `--scenario`) started with
//!   `taskset -c 0`, on a single-threaded runtime, so that its wall time,
//!   CPU time and peak RSS (`getrusage`) are its own.
//! - Each round runs every scenario once; a scenario's ratios are taken
//!   against the floor of the same round, then the median and the range over
//!   the rounds are reported.
//! - After every run the sink's count must equal the events sent.

mod cli;
mod events;
mod floor;
mod log_floor;
mod pin;
mod scenarios;
mod sink;
mod stat;
mod usage;

use stat::Stat;
use std::collections::BTreeMap;

const SCENARIOS: [&str; 8] = [
    "floor",
    "client",
    "sender",
    "spool",
    "spool-floor",
    "sender-flushed",
    "spool-flushed",
    "spool-floor-flushed",
];

/// What one run of a scenario measured.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// Wall time of the timed section.
    seconds: f64,
    /// CPU time (user + system) of the client process in the timed section.
    cpu_seconds: f64,
    /// Peak RSS of the whole client process (its prepared events included).
    max_rss_kib: u64,
    /// Minor page faults in the timed section (the tool: its whole process).
    minor_faults: u64,
    /// For the spool: bytes it wrote per event.
    disk_bytes_per_event: Option<f64>,
    /// Of those, read back from the files (not from memory).
    read_back_per_event: Option<f64>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(scenario) = value("--scenario") {
        let url = value("--url").expect("--url with --scenario");
        let n: u64 = value("--events")
            .and_then(|n| n.parse().ok())
            .expect("--events N with --scenario");
        child(&scenario, &url, n);
        return;
    }
    let sizes: Vec<u64> = value("--sizes")
        .unwrap_or_else(|| "100000,1000000".to_string())
        .split(',')
        .map(|n| {
            n.trim()
                .parse()
                .expect("--sizes: numbers separated by commas")
        })
        .collect();
    let rounds: usize = value("--rounds")
        .map(|r| r.parse().expect("--rounds: a number"))
        .unwrap_or(5);
    let scenarios: Vec<String> = value("--scenarios")
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_else(|| SCENARIOS.iter().map(|s| s.to_string()).collect());
    let cli = scenarios
        .iter()
        .any(|s| s == "cli")
        .then(|| cli::binary(value("--cli")));
    parent(&sizes, rounds, &scenarios, cli.as_deref());
}

/// Runs one scenario and prints what it measured.
fn child(scenario: &str, url: &str, n: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let prepared = scenarios::prepare(scenario, url, n).unwrap_or_else(|error| {
        eprintln!("{scenario}: {error}");
        std::process::exit(1);
    });
    let timed = runtime
        .block_on(scenarios::run(prepared))
        .unwrap_or_else(|error| {
            eprintln!("{scenario}: {error}");
            std::process::exit(1);
        });
    println!(
        "RESULT {} {} {} {}",
        timed.seconds,
        timed.cpu_seconds,
        usage::now().max_rss_kib,
        timed.minor_faults
    );
}

fn run_child(scenario: &str, url: &str, n: u64, taskset: bool) -> Run {
    let args = [
        "--scenario",
        scenario,
        "--url",
        url,
        "--events",
        &n.to_string(),
    ]
    .map(String::from);
    let what = format!("{scenario} with {n} events");
    let (stdout, fields) = pin::run_client(&args, taskset, &what);
    let per_event = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(|bytes| bytes.parse().expect("bytes per event"))
    };
    Run {
        seconds: fields[0].parse().expect("seconds"),
        cpu_seconds: fields[1].parse().expect("CPU seconds"),
        max_rss_kib: fields[2].parse().expect("peak RSS"),
        minor_faults: fields[3].parse().expect("minor page faults"),
        disk_bytes_per_event: per_event("SPOOL_BYTES_PER_EVENT "),
        read_back_per_event: per_event("SPOOL_READ_PER_EVENT "),
    }
}

fn parent(sizes: &[u64], rounds: usize, scenarios: &[String], cli: Option<&std::path::Path>) {
    events::check_same_json();
    let pinned = pin::pin_current_thread(pin::SINK_CORE);
    let taskset = pin::have_taskset();
    let sink = sink::Sink::start();
    println!(
        "throughput: {scenarios:?} x {sizes:?} events x {rounds} rounds; sink at {} {}; clients {}",
        sink.url,
        if pinned {
            format!("pinned to CPU {}", pin::SINK_CORE)
        } else {
            "NOT pinned".to_string()
        },
        if taskset {
            format!("started with taskset -c {}", pin::CLIENT_CORE)
        } else {
            "NOT pinned (no taskset)".to_string()
        },
    );
    let mut runs: BTreeMap<(u64, &str), Vec<Run>> = BTreeMap::new();
    for &n in sizes {
        for round in 1..=rounds {
            for scenario in scenarios.iter().map(String::as_str) {
                let before = sink.events();
                let requests = sink.requests();
                let sink_cpu = usage::now().cpu;
                let run = match cli {
                    Some(cli) if scenario == "cli" => {
                        cli::run(cli, &cli::input(n), &sink.url, taskset)
                    }
                    _ => run_child(scenario, &sink.url, n, taskset),
                };
                let sink_cpu = (usage::now().cpu - sink_cpu).as_secs_f64();
                let received = sink.events() - before;
                assert_eq!(
                    received, n,
                    "{scenario}: the sink received {received} of {n} events"
                );
                println!(
                    "  {n:>8} events  round {round}  {scenario:<14} {:>9.0} events/s  {:.3} s  CPU {:.3} s  peak RSS {:.1} MiB  {} requests  (sink CPU {sink_cpu:.2} s){}{}",
                    n as f64 / run.seconds,
                    run.seconds,
                    run.cpu_seconds,
                    run.max_rss_kib as f64 / 1024.0,
                    sink.requests() - requests,
                    run.disk_bytes_per_event
                        .map_or(String::new(), |b| format!("  disk {b:.1} bytes per event")),
                    run.read_back_per_event
                        .map_or(String::new(), |b| format!(", {b:.1} read back")),
                );
                runs.entry((n, scenario)).or_default().push(run);
            }
        }
    }
    if cli.is_some() {
        for &n in sizes {
            let _ = std::fs::remove_file(cli::input_path(n));
        }
    }
    println!();
    println!("Median (min-max) over {rounds} rounds. Ratios: each round against the floor of the same round.");
    println!("events/s, CPU and page faults cover the timed section only (the tool: its whole process); peak RSS is the whole client process, prepared events included.");
    println!();
    println!("| events | scenario | events/s | vs floor, events/s | CPU µs per event | vs floor, CPU per event | peak RSS | minor page faults per 1000 events |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for &n in sizes {
        let floor = runs.get(&(n, "floor"));
        for scenario in scenarios.iter().map(String::as_str) {
            let these = &runs[&(n, scenario)];
            let rate = Stat::of(these.iter().map(|r| n as f64 / r.seconds));
            let cpu = Stat::of(these.iter().map(|r| r.cpu_seconds * 1e6 / n as f64));
            let (rate_ratio, cpu_ratio) = match floor {
                Some(floor) => (
                    Stat::of(these.iter().zip(floor).map(|(r, f)| f.seconds / r.seconds)),
                    Stat::of(
                        these
                            .iter()
                            .zip(floor)
                            .map(|(r, f)| r.cpu_seconds / f.cpu_seconds),
                    ),
                ),
                None => (Stat::NONE, Stat::NONE),
            };
            let rss = Stat::of(these.iter().map(|r| r.max_rss_kib as f64 / 1024.0));
            let faults = Stat::of(
                these
                    .iter()
                    .map(|r| r.minor_faults as f64 * 1000.0 / n as f64),
            );
            println!(
                "| {n} | {scenario} | {} | {} | {} | {} | {} MiB | {} |",
                rate.show(0, ""),
                rate_ratio.show(2, "×"),
                cpu.show(3, ""),
                cpu_ratio.show(2, "×"),
                rss.show(1, ""),
                faults.show(1, ""),
            );
        }
    }
    // The spool against the in-memory sender of the same round, fed alike.
    let pairs = sizes.iter().flat_map(|&n| {
        [
            ("spool", "sender"),
            ("spool-floor", "sender"),
            ("spool", "spool-floor"),
            ("spool-flushed", "sender-flushed"),
            ("spool-floor-flushed", "sender-flushed"),
            ("spool-flushed", "spool-floor-flushed"),
        ]
        .into_iter()
        .map(move |(spool, sender)| (n, spool, sender))
    });
    let mut header = false;
    for (n, spool_name, sender_name) in pairs {
        let (Some(spool), Some(sender)) = (runs.get(&(n, spool_name)), runs.get(&(n, sender_name)))
        else {
            continue;
        };
        if !header {
            println!();
            println!("| events | spool vs sender | events/s | CPU per event | spool, disk bytes per event | read back from the files |");
            println!("| ---: | --- | ---: | ---: | ---: | ---: |");
            header = true;
        }
        let rate = Stat::of(spool.iter().zip(sender).map(|(s, m)| m.seconds / s.seconds));
        let cpu = Stat::of(
            spool
                .iter()
                .zip(sender)
                .map(|(s, m)| s.cpu_seconds / m.cpu_seconds),
        );
        let disk = Stat::of(spool.iter().filter_map(|s| s.disk_bytes_per_event));
        let read_back = Stat::of(spool.iter().filter_map(|s| s.read_back_per_event));
        println!(
            "| {n} | {spool_name} vs {sender_name} | {} | {} | {} | {} |",
            rate.show(2, "×"),
            cpu.show(2, "×"),
            disk.show(1, ""),
            read_back.show(1, ""),
        );
    }
}
