//! A crash test that really crashes: a child process sends N events through
//! a spooled sender to a local server that fails a share of requests, and
//! is killed with SIGKILL at random points, then started again on the same
//! spool, until one run gets to the end. The server must then have every
//! one of the N events; duplicates are counted and reported (delivery is
//! at least once), lost events fail the test.
//!
//! The child says `DURABLE k` once every event below `k` is durable (its
//! `sync` returned): that is the acknowledgment, and a restarted child
//! goes on from the last `k` it said. Events it took after that are sent
//! again by the next run: the producer's side of at least once.
//!
//! CI runs 20 000 events; the full size is
//! `SPOOL_CRASH_EVENTS=200000 cargo test --release --all-features --test spool_crash -- --nocapture`.

#![cfg(unix)]

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::sender::{SendError, SenderConfig, Spool, SpoolConfig};
use algolia_insights::Client;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Events between two `sync`s of the child (and two `DURABLE` lines).
const SYNC_EVERY: u64 = 500;
/// After this many kills the child is left to finish.
const MAX_KILLS: u32 = 12;

fn view(i: u64) -> EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{}", i % 1000)],
        UserToken::new(format!("user-{i}")).unwrap(),
    )
    .into()
}

/// A small xorshift: the kill times, from a seed printed for replay.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_random_and_restarted_the_spool_loses_nothing() {
    let total: u64 = std::env::var("SPOOL_CRASH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let seed: u64 = std::env::var("SPOOL_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!(
        "spool crash test: {total} events, seed {seed} (SPOOL_CRASH_SEED to replay the kill times)"
    );
    let mut random = Random(seed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("spool-crash");
    let _ = std::fs::remove_dir_all(&dir);

    // 20% of requests fail with a 503, 5% lose their connection.
    let server = LocalServer::builder()
        .faults(Faults::seeded(seed).fail(0.20, 503).drop_connections(0.05))
        // Every copy of every event is kept, to count them.
        .max_recorded_events(usize::MAX)
        .max_recorded_requests(usize::MAX)
        .start()
        .await
        .unwrap();

    let durable = Arc::new(AtomicU64::new(0));
    let torn = Arc::new(AtomicU64::new(0));
    let recovered = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut kills = 0u32;
    let mut runs = 0u32;
    loop {
        runs += 1;
        let from = durable.load(SeqCst);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_sends_through_the_spool",
                "--nocapture",
                "--include-ignored",
            ])
            .env("SPOOL_CRASH_DIR", &dir)
            .env("SPOOL_CRASH_URL", server.url())
            .env("SPOOL_CRASH_FROM", from.to_string())
            .env("SPOOL_CRASH_TOTAL", total.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (durable_seen, torn_seen, recovered_seen) = (
            Arc::clone(&durable),
            Arc::clone(&torn),
            Arc::clone(&recovered),
        );
        let reader = std::thread::spawn(move || {
            let mut done = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(k) = line.strip_prefix("DURABLE ") {
                    durable_seen.fetch_max(k.parse().unwrap(), SeqCst);
                } else if let Some(rest) = line.strip_prefix("RECOVERY ") {
                    let fields: Vec<u64> = rest.split(' ').map(|f| f.parse().unwrap()).collect();
                    recovered_seen.lock().unwrap().push(fields[0]);
                    torn_seen.fetch_add(fields[1], SeqCst);
                } else if line == "DONE" {
                    done = true;
                }
            }
            done
        });
        if kills < MAX_KILLS {
            // Short enough to land before an idle machine finishes the run,
            // anywhere while taking events, syncing, delivering or shutting down.
            let wait = Duration::from_millis(1 + random.below(80));
            let deadline = Instant::now() + wait;
            while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
                std::thread::sleep(Duration::from_millis(1));
            }
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
        }
        let status = child.wait().unwrap();
        let done = reader.join().unwrap();
        if done {
            assert!(status.success(), "the last run failed: {status}");
            break;
        }
        assert!(
            kills <= MAX_KILLS && (status.code().is_none() || status.success()),
            "run {runs} ended by itself without finishing: {status}"
        );
        assert!(started.elapsed() < Duration::from_secs(900), "no progress");
    }

    let mut counts = vec![0u32; total as usize];
    let mut unknown = 0;
    for event in server.events() {
        let json = serde_json::to_value(&event).unwrap();
        let token = json["userToken"].as_str().unwrap();
        match token
            .strip_prefix("user-")
            .and_then(|i| i.parse::<usize>().ok())
        {
            Some(i) if i < counts.len() => counts[i] += 1,
            _ => unknown += 1,
        }
    }
    let lost: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] == 0).collect();
    let duplicates: u64 = counts.iter().map(|&n| u64::from(n.saturating_sub(1))).sum();
    let requests = server.requests();
    let failed = requests.iter().filter(|r| r.status != Some(200)).count();
    println!(
        "{total} events, {runs} runs, {kills} SIGKILLs, {} s: {} distinct events received, {} lost, {duplicates} duplicates ({:.2} %), {} torn records cut off at restarts, events recovered at each start {:?}; the server failed {failed} of {} requests",
        started.elapsed().as_secs(),
        counts.iter().filter(|&&n| n > 0).count(),
        lost.len(),
        duplicates as f64 * 100.0 / total as f64,
        torn.load(SeqCst),
        recovered.lock().unwrap(),
        requests.len(),
    );
    assert_eq!(unknown, 0);
    assert_eq!(server.dropped_event_count(), 0);
    assert!(
        lost.is_empty(),
        "lost events, the first: {:?}",
        &lost[..lost.len().min(20)]
    );
    assert!(kills > 0, "the child was never killed");
    assert!(failed > 0, "the server failed no request");
}

/// The child: opens the spool, sends events `SPOOL_CRASH_FROM..TOTAL`, says
/// `DURABLE k` after each sync, and at the end shuts down (the spool
/// delivered and empty) and says `DONE`.
#[test]
#[ignore = "a child process of the crash test"]
fn child_sends_through_the_spool() {
    let Ok(dir) = std::env::var("SPOOL_CRASH_DIR") else {
        return;
    };
    let var = |name: &str| std::env::var(name).unwrap();
    let (url, from, total) = (
        var("SPOOL_CRASH_URL"),
        var("SPOOL_CRASH_FROM").parse::<u64>().unwrap(),
        var("SPOOL_CRASH_TOTAL").parse::<u64>().unwrap(),
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let spool = Spool::open(SpoolConfig::new(dir)).unwrap();
        let recovery = spool.recovery();
        println!("RECOVERY {} {}", recovery.events, recovery.torn_records);
        let client = Client::builder("local", "local")
            .hosts([url])
            .write_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let config = SenderConfig::new()
            .max_delay(Duration::from_millis(50))
            .backoff(Duration::from_millis(10), Duration::from_millis(200));
        let sender = client.spooled_sender(config, spool);
        for i in from..total {
            if let Err(SendError::Full(event)) = sender.try_send(view(i)) {
                sender.send(*event).await.unwrap();
            }
            if (i + 1) % SYNC_EVERY == 0 || i + 1 == total {
                sender.sync().await;
                println!("DURABLE {}", i + 1);
            }
        }
        let report = sender.shutdown(Duration::from_secs(600)).await;
        assert_eq!(report.spooled, 0, "{report:?}");
        assert!(report.undelivered.is_empty());
        println!("DONE");
    });
}
