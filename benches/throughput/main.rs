//! Throughput of sending events: the plain baseline, the generated client's
//! `push_events` and the batching sender, side by side in one run, to a
//! loopback sink that counts what it receives.
//!
//! ```text
//! cargo bench --bench throughput                      # 100k and 1M events, 3 rounds
//! cargo bench --bench throughput -- --sizes 100000 --rounds 1 --scenarios sender
//! ```
//!
//! Each run of a scenario is a child process of this one (the same binary
//! with `--scenario`), so that its CPU time and peak memory (`getrusage`)
//! are its own, not the sink's or another scenario's. The sink runs here.
//! After every run the sink's count must equal the events sent.

mod events;
mod scenarios;
mod sink;
mod usage;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Instant;

const SCENARIOS: [&str; 3] = ["baseline", "client", "sender"];

/// What one run of a scenario measured.
#[derive(Debug, Clone, Copy)]
struct Run {
    seconds: f64,
    cpu_seconds: f64,
    max_rss_kib: u64,
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
        .unwrap_or(3);
    let scenarios: Vec<String> = value("--scenarios")
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_else(|| SCENARIOS.iter().map(|s| s.to_string()).collect());
    parent(&sizes, rounds, &scenarios);
}

/// Runs one scenario and prints what it measured.
fn child(scenario: &str, url: &str, n: u64) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let before = usage::now();
    let started = Instant::now();
    if let Err(error) = runtime.block_on(scenarios::run(scenario, url, n)) {
        eprintln!("{scenario}: {error}");
        std::process::exit(1);
    }
    let seconds = started.elapsed().as_secs_f64();
    let after = usage::now();
    println!(
        "RESULT {seconds} {} {}",
        (after.cpu - before.cpu).as_secs_f64(),
        after.max_rss_kib
    );
}

fn run_child(scenario: &str, url: &str, n: u64) -> Run {
    let exe = std::env::current_exe().expect("the benchmark's own path");
    let output = Command::new(exe)
        .args([
            "--scenario",
            scenario,
            "--url",
            url,
            "--events",
            &n.to_string(),
        ])
        .output()
        .expect("the benchmark runs itself");
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        panic!(
            "{scenario} with {n} events failed: {}{}",
            stdout,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .expect("a RESULT line");
    let fields: Vec<&str> = line.split_whitespace().collect();
    Run {
        seconds: fields[0].parse().expect("seconds"),
        cpu_seconds: fields[1].parse().expect("CPU seconds"),
        max_rss_kib: fields[2].parse().expect("peak RSS"),
    }
}

fn parent(sizes: &[u64], rounds: usize, scenarios: &[String]) {
    events::check_same_json();
    let sink = sink::Sink::start();
    println!(
        "throughput: {scenarios:?} x {sizes:?} events x {rounds} rounds; sink at {}",
        sink.url
    );
    let mut runs: BTreeMap<(u64, &str), Vec<Run>> = BTreeMap::new();
    for &n in sizes {
        for round in 1..=rounds {
            for scenario in scenarios.iter().map(String::as_str) {
                let before = sink.events();
                let requests = sink.requests();
                let sink_cpu = usage::now().cpu;
                let run = run_child(scenario, &sink.url, n);
                let sink_cpu = (usage::now().cpu - sink_cpu).as_secs_f64();
                let received = sink.events() - before;
                assert_eq!(
                    received, n,
                    "{scenario}: the sink received {received} of {n} events"
                );
                println!(
                    "  {n:>8} events  round {round}  {scenario:<8}  {:>9.0} events/s  {:.2} s  CPU {:.2} s  peak RSS {:.1} MiB  {} requests  (sink CPU {sink_cpu:.2} s)",
                    n as f64 / run.seconds,
                    run.seconds,
                    run.cpu_seconds,
                    run.max_rss_kib as f64 / 1024.0,
                    sink.requests() - requests,
                );
                runs.entry((n, scenario)).or_default().push(run);
            }
        }
    }
    println!();
    println!("events/s and CPU: median of the rounds; vs baseline: median of each round's ratio to that round's baseline; RSS: highest of the rounds.");
    println!();
    println!("| events | scenario | events/s | vs baseline | CPU s per 100k events | peak RSS |");
    println!("| ---: | --- | ---: | ---: | ---: | ---: |");
    for &n in sizes {
        let baseline = runs.get(&(n, "baseline"));
        for scenario in scenarios.iter().map(String::as_str) {
            let these = &runs[&(n, scenario)];
            let rate = median(these.iter().map(|r| n as f64 / r.seconds));
            // The same round's baseline ran just before: drift on a shared
            // machine affects both alike.
            let ratio = baseline.map_or(f64::NAN, |baseline| {
                median(
                    these
                        .iter()
                        .zip(baseline)
                        .map(|(run, base)| base.seconds / run.seconds),
                )
            });
            let cpu = median(these.iter().map(|r| r.cpu_seconds * 100_000.0 / n as f64));
            let rss = these.iter().map(|r| r.max_rss_kib).max().unwrap_or(0);
            println!(
                "| {n} | {scenario} | {rate:.0} | {ratio:.2}x | {cpu:.3} | {:.1} MiB |",
                rss as f64 / 1024.0
            );
        }
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        len if len % 2 == 1 => values[len / 2],
        len => (values[len / 2 - 1] + values[len / 2]) / 2.0,
    }
}
