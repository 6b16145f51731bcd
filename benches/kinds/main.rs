//! Sending small events, one kind at a time and mixed, against the FLOOR
//! (hand-written serde structs and a bare reqwest POST, the same bytes on
//! the wire), in two lifecycles: events lent (freed after the clock) and
//! events handed over (freed in the timed loop). See `scenarios.rs` for
//! what each scenario does and `events.rs` for the events.
//!
//! ```text
//! cargo bench --bench kinds                           # every kind and scenario, 1M events, 5 rounds
//! cargo bench --bench kinds -- --kinds view,mix --scenarios floor-lent,client-lent --rounds 9
//! cargo bench --bench kinds -- --serve                # a sink alone, for a profiler:
//! valgrind --tool=callgrind --toggle-collect='*scenarios*timed*' \
//!   target/release/deps/kinds-* --scenario client-lent --kind view --url URL --events 100000
//! ```
//!
//! - The sink (this process) is pinned to CPU 1; each scenario runs in a
//!   child process (this binary with `--scenario`) started with
//!   `taskset -c 0`, on a single-threaded Tokio runtime.
//! - events/s and CPU cover the timed section only: CPU of the whole child
//!   process (`getrusage(RUSAGE_SELF)`) and of its thread that runs the loop
//!   (`RUSAGE_THREAD`; the runtime is single-threaded, so reqwest's and the
//!   sender's tasks run there too), and the kernel's part of the latter.
//! - Allocations and frees are counted by the binary's global allocator, per
//!   phase: building the events, the timed section, freeing after the clock.
//! - Before the first round, a batch of each kind is written both ways and
//!   must give the same bytes; after every run the sink's count must equal
//!   the events sent.
//! - Each round runs every scenario once; ratios are taken against the floor
//!   of the same lifecycle in the same round; medians and ranges over rounds.

mod alloc;
mod events;
#[path = "../throughput/floor.rs"]
mod floor;
#[path = "../throughput/pin.rs"]
mod pin;
mod scenarios;
#[path = "../throughput/sink.rs"]
#[allow(dead_code)]
mod sink;
#[path = "../throughput/stat.rs"]
mod stat;
#[path = "../throughput/usage.rs"]
#[allow(dead_code)]
mod usage;

use stat::Stat;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// What one run of a scenario measured.
#[derive(Debug, Clone, Copy)]
struct Run {
    seconds: f64,
    cpu_seconds: f64,
    thread_cpu_seconds: f64,
    /// The kernel's part of `thread_cpu_seconds`.
    thread_system_seconds: f64,
    build_allocations: u64,
    send_allocations: u64,
    send_frees: u64,
    after_frees: u64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let list = |name: &str, default: &[&str]| -> Vec<String> {
        value(name)
            .map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
    };
    let n: u64 = value("--events")
        .map(|n| n.parse().expect("--events: a number"))
        .unwrap_or(1_000_000);
    if let Some(scenario) = value("--scenario") {
        let url = value("--url").expect("--url with --scenario");
        let kind = value("--kind").expect("--kind with --scenario");
        child(&scenario, &kind, &url, n);
        return;
    }
    if args.iter().any(|a| a == "--serve") {
        pin::pin_current_thread(pin::SINK_CORE);
        let sink = sink::Sink::start();
        println!("sink at {} (pinned to CPU {})", sink.url, pin::SINK_CORE);
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    let rounds: usize = value("--rounds")
        .map(|r| r.parse().expect("--rounds: a number"))
        .unwrap_or(5);
    let kinds = list("--kinds", &events::KINDS);
    let scenarios = list("--scenarios", &scenarios::SCENARIOS);
    parent(n, rounds, &kinds, &scenarios);
}

/// CPU time of the calling thread: user + system, and system alone.
fn thread_cpu() -> (Duration, Duration) {
    // SAFETY: `getrusage` only writes into the struct we hand it, plain data
    // for which all-zero bytes are a valid value.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_THREAD, &mut usage) != 0 {
            return (Duration::ZERO, Duration::ZERO);
        }
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    (
        time(usage.ru_utime) + time(usage.ru_stime),
        time(usage.ru_stime),
    )
}

/// Runs one scenario and prints what it measured.
fn child(scenario: &str, kind: &str, url: &str, n: u64) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let owned = scenario.ends_with("-owned");
    let (allocations, _) = alloc::counts();
    let prepared = scenarios::prepare(scenario, kind, url, n);
    let (built, frees) = alloc::counts();
    let before = usage::now();
    let thread_before = thread_cpu();
    let started = Instant::now();
    let left = runtime
        .block_on(scenarios::timed(prepared, owned))
        .unwrap_or_else(|error| {
            eprintln!("{scenario} {kind}: {error}");
            std::process::exit(1);
        });
    let seconds = started.elapsed().as_secs_f64();
    let thread_after = thread_cpu();
    let thread_cpu_seconds = (thread_after.0 - thread_before.0).as_secs_f64();
    let thread_system_seconds = (thread_after.1 - thread_before.1).as_secs_f64();
    let cpu_seconds = (usage::now().cpu - before.cpu).as_secs_f64();
    let (sent, sent_frees) = alloc::counts();
    drop(left);
    let (_, after_frees) = alloc::counts();
    println!(
        "RESULT {seconds} {cpu_seconds} {thread_cpu_seconds} {} {} {} {} {thread_system_seconds}",
        built - allocations,
        sent - built,
        sent_frees - frees,
        after_frees - sent_frees,
    );
}

fn run_child(scenario: &str, kind: &str, url: &str, n: u64, taskset: bool) -> Run {
    let args = [
        "--scenario",
        scenario,
        "--kind",
        kind,
        "--url",
        url,
        "--events",
        &n.to_string(),
    ]
    .map(String::from);
    let what = format!("{scenario} {kind} with {n} events");
    let (_, f) = pin::run_client(&args, taskset, &what);
    Run {
        seconds: f[0].parse().expect("seconds"),
        cpu_seconds: f[1].parse().expect("CPU seconds"),
        thread_cpu_seconds: f[2].parse().expect("thread CPU seconds"),
        build_allocations: f[3].parse().expect("allocations"),
        send_allocations: f[4].parse().expect("allocations"),
        send_frees: f[5].parse().expect("frees"),
        after_frees: f[6].parse().expect("frees"),
        thread_system_seconds: f[7].parse().expect("system CPU seconds"),
    }
}

fn parent(n: u64, rounds: usize, kinds: &[String], scenarios: &[String]) {
    for kind in kinds {
        scenarios::check_same_bytes(kind);
    }
    let pinned = pin::pin_current_thread(pin::SINK_CORE);
    let taskset = pin::have_taskset();
    let sink = sink::Sink::start();
    println!(
        "kinds: {kinds:?} x {scenarios:?}, {n} events x {rounds} rounds; same bytes checked; sink at {} {}; clients {}",
        sink.url,
        if pinned { format!("pinned to CPU {}", pin::SINK_CORE) } else { "NOT pinned".into() },
        if taskset { format!("started with taskset -c {}", pin::CLIENT_CORE) } else { "NOT pinned".into() },
    );
    println!(
        "sizes: EventsItems {} bytes; the floor's view/click {}, click after a search {}, conversion {}, mix enum {}",
        std::mem::size_of::<algolia_insights::models::EventsItems>(),
        std::mem::size_of::<events::PlainObjects>(),
        std::mem::size_of::<events::PlainClickSearch>(),
        std::mem::size_of::<events::PlainConversion>(),
        std::mem::size_of::<events::Plain>(),
    );
    {
        use algolia_insights::models::*;
        println!(
            "sizes of the client's kinds: ViewedObjectIDs {}, ClickedObjectIDs {}, ClickedObjectIDsAfterSearch {}, ConvertedObjectIDsAfterSearch {}, PurchasedObjectIDsAfterSearch {}",
            std::mem::size_of::<ViewedObjectIDs>(),
            std::mem::size_of::<ClickedObjectIDs>(),
            std::mem::size_of::<ClickedObjectIDsAfterSearch>(),
            std::mem::size_of::<ConvertedObjectIDsAfterSearch>(),
            std::mem::size_of::<PurchasedObjectIDsAfterSearch>(),
        );
    }
    let mut runs: BTreeMap<(&str, &str), Vec<Run>> = BTreeMap::new();
    for round in 1..=rounds {
        for kind in kinds.iter().map(String::as_str) {
            for scenario in scenarios.iter().map(String::as_str) {
                let before = sink.events();
                let run = run_child(scenario, kind, &sink.url, n, taskset);
                let received = sink.events() - before;
                assert_eq!(
                    received, n,
                    "{scenario} {kind}: the sink received {received} of {n} events"
                );
                println!(
                    "  round {round}  {kind:<12} {scenario:<12} {:>9.0} events/s  CPU {:.3} µs/event (thread {:.3}, of which system {:.3})",
                    n as f64 / run.seconds,
                    run.cpu_seconds * 1e6 / n as f64,
                    run.thread_cpu_seconds * 1e6 / n as f64,
                    run.thread_system_seconds * 1e6 / n as f64,
                );
                runs.entry((kind, scenario)).or_default().push(run);
            }
        }
    }
    let per_event = |count: u64| count as f64 / n as f64;
    println!();
    println!("Median (min-max) over {rounds} rounds, {n} events. Ratios: each round against the floor of the same lifecycle (lent or owned) in the same round.");
    println!();
    println!("| kind | scenario | events/s | vs floor, events/s | CPU µs per event | vs floor, CPU per event | thread CPU µs per event | vs floor, thread CPU | of which system µs per event |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for kind in kinds.iter().map(String::as_str) {
        for scenario in scenarios.iter().map(String::as_str) {
            let these = &runs[&(kind, scenario)];
            let floor = runs.get(&(kind, scenarios::floor_of(scenario)));
            let rate = Stat::of(these.iter().map(|r| n as f64 / r.seconds));
            let cpu = Stat::of(these.iter().map(|r| r.cpu_seconds * 1e6 / n as f64));
            let thread = Stat::of(these.iter().map(|r| r.thread_cpu_seconds * 1e6 / n as f64));
            let system = Stat::of(
                these
                    .iter()
                    .map(|r| r.thread_system_seconds * 1e6 / n as f64),
            );
            let ratio = |f: fn(&Run, &Run) -> f64| match floor {
                Some(floor) => Stat::of(these.iter().zip(floor).map(|(r, fl)| f(r, fl))),
                None => Stat::NONE,
            };
            println!(
                "| {kind} | {scenario} | {} | {} | {} | {} | {} | {} | {} |",
                rate.show(0, ""),
                ratio(|r, f| f.seconds / r.seconds).show(2, "×"),
                cpu.show(3, ""),
                ratio(|r, f| r.cpu_seconds / f.cpu_seconds).show(2, "×"),
                thread.show(3, ""),
                ratio(|r, f| r.thread_cpu_seconds / f.thread_cpu_seconds).show(2, "×"),
                system.show(3, ""),
            );
        }
    }
    println!();
    println!("Allocations per event (the first round's run; the counts do not vary):");
    println!();
    println!("| kind | scenario | building | timed section: allocations | timed section: frees | frees after the clock |");
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for kind in kinds.iter().map(String::as_str) {
        for scenario in scenarios.iter().map(String::as_str) {
            let run = runs[&(kind, scenario)][0];
            println!(
                "| {kind} | {scenario} | {:.2} | {:.2} | {:.2} | {:.2} |",
                per_event(run.build_allocations),
                per_event(run.send_allocations),
                per_event(run.send_frees),
                per_event(run.after_frees),
            );
        }
    }
}
