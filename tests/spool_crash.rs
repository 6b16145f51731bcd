//! A crash-and-damage test that really crashes: a child process sends N
//! events through a spooled sender (64 KiB segments) to a local server that
//! fails or delays a share of requests, and is killed with SIGKILL at a
//! random point of each run (one run in four 1 to 20 ms after its start,
//! while it opens the spool; the others up to 250 ms after the sender
//! started), exactly `MAX_KILLS` times (a run that is to be
//! killed never finishes by itself: once it has taken its events it goes
//! on delivering until the kill). Between runs the disk is damaged as
//! disks do: a byte flipped in a record of an older segment, a zeroed page
//! in one, a few bytes cut off the newest (a torn tail). The run after the
//! last kill finishes. The server must then have every event but those
//! whose records the damage touched; duplicates are counted and reported
//! (delivery is at least once), and the test checks that some restart
//! found events to deliver (recovery happened).
//!
//! The child says `DURABLE k` once every event below `k` is durable (its
//! `sync` returned `true`): that is the acknowledgment, and a restarted
//! child goes on from the last `k` it said. Events it took after that are
//! sent again by the next run: the producer's side of at least once.
//!
//! CI runs 20 000 events; the full size is
//! `SPOOL_CRASH_EVENTS=200000 cargo test --release --all-features --test spool_crash -- --nocapture`.

#![cfg(unix)]

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::sender::{SendError, SenderConfig, Spool, SpoolConfig};
use algolia_insights::Client;
#[path = "support/spool_files.rs"]
mod spool_files;

use spool_files::Damage;
use std::collections::BTreeSet;
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
        .faults(
            Faults::seeded(seed)
                .fail(0.20, 503)
                .drop_connections(0.05)
                .delay(0.3, Duration::from_millis(40)),
        )
        // Every copy of every event is kept, to count them.
        .max_recorded_events(usize::MAX)
        .max_recorded_requests(usize::MAX)
        .start()
        .await
        .unwrap();

    let mut destroyed = BTreeSet::new();
    let mut damaged_files = BTreeSet::new();
    let mut damages = Vec::new();
    let durable = Arc::new(AtomicU64::new(0));
    let damaged_found = Arc::new(AtomicU64::new(0));
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
            .env(
                "SPOOL_CRASH_FINISH",
                if kills < MAX_KILLS { "0" } else { "1" },
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (durable_seen, torn_seen, recovered_seen) = (
            Arc::clone(&durable),
            Arc::clone(&damaged_found),
            Arc::clone(&recovered),
        );
        let (opened_tx, opened) = std::sync::mpsc::channel();
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
                    let _ = opened_tx.send(());
                } else if line == "DONE" {
                    done = true;
                }
            }
            done
        });
        if kills < MAX_KILLS {
            // Anywhere while opening (one run in four), or taking events,
            // syncing and delivering (up to 250 ms after the sender started):
            // a run to be killed never ends by itself.
            if random.below(4) == 0 {
                std::thread::sleep(Duration::from_millis(1 + random.below(20)));
            } else {
                let _ = opened.recv_timeout(Duration::from_secs(60));
                std::thread::sleep(Duration::from_millis(random.below(250)));
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "run {runs} ended before its kill"
            );
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let status = child.wait().unwrap();
        let done = reader.join().unwrap();
        if done {
            assert!(status.success(), "the last run failed: {status}");
            break;
        }
        assert!(
            kills <= MAX_KILLS && status.code().is_none(),
            "run {runs} ended by itself without finishing: {status}"
        );
        if let Some(damage) = damage_at_random(&dir, kills, &mut random, &damaged_files) {
            let (Damage::Flip { file, .. }
            | Damage::ZeroPage { file, .. }
            | Damage::Truncate { file, .. }
            | Damage::Delete { file }) = &damage;
            let records = spool_files::records(file);
            for record in records.iter().filter(|r| r.kind == 1 && damage.touches(r)) {
                destroyed.insert(record.user_token().unwrap());
            }
            if !matches!(damage, Damage::Truncate { .. }) {
                damaged_files.insert(file.clone());
            }
            damage.apply();
            damages.push(damage);
        }
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
    let lost: Vec<usize> = (0..counts.len())
        .filter(|&i| counts[i] == 0 && !destroyed.contains(&format!("user-{i}")))
        .collect();
    let lost_to_damage = (0..counts.len())
        .filter(|&i| counts[i] == 0 && destroyed.contains(&format!("user-{i}")))
        .count();
    let duplicates: u64 = counts.iter().map(|&n| u64::from(n.saturating_sub(1))).sum();
    let requests = server.requests();
    let failed = requests.iter().filter(|r| r.status != Some(200)).count();
    println!(
        "{total} events, {runs} runs, {kills} SIGKILLs, {} damages ({} events' records touched, {lost_to_damage} of them lost), {} s: {} distinct events received, {} lost beyond the damaged records, {duplicates} duplicates ({:.2} %), {} damaged stretches found at restarts, events recovered at each start {:?}; the server failed {failed} of {} requests",
        damages.len(),
        destroyed.len(),
        started.elapsed().as_secs(),
        counts.iter().filter(|&&n| n > 0).count(),
        lost.len(),
        duplicates as f64 * 100.0 / total as f64,
        damaged_found.load(SeqCst),
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
    assert_eq!(kills, MAX_KILLS);
    assert_eq!(runs, MAX_KILLS + 1);
    assert!(
        recovered.lock().unwrap().iter().any(|&events| events > 0),
        "no restart found events to deliver"
    );
    assert!(!damages.is_empty());
    assert!(failed > 0, "the server failed no request");
}

/// After some kills, damage as a disk does: a flipped byte in a record of
/// an older segment, a zeroed page in one, or a few bytes cut off the
/// newest segment (its last record torn). Each older file is damaged once
/// (its records are found by reading it whole, intact).
fn damage_at_random(
    dir: &Path,
    kills: u32,
    random: &mut Random,
    damaged: &BTreeSet<std::path::PathBuf>,
) -> Option<Damage> {
    let segments = spool_files::segments(dir);
    let newest = segments.last()?.clone();
    let older: Vec<_> = segments[..segments.len() - 1]
        .iter()
        .filter(|s| !damaged.contains(*s))
        .collect();
    match kills % 4 {
        1 | 3 if !older.is_empty() => {
            let file = older[random.below(older.len() as u64) as usize].clone();
            let records = spool_files::records(&file);
            let record = records.get(random.below(records.len().max(1) as u64) as usize)?;
            let len = record.bytes.end - record.bytes.start;
            let at = record.bytes.start + random.below(len);
            Some(if kills % 4 == 1 {
                Damage::Flip {
                    file,
                    at,
                    mask: 1 + random.below(255) as u8,
                }
            } else {
                Damage::ZeroPage {
                    file,
                    page: at / 4096,
                }
            })
        }
        2 => {
            let len = std::fs::metadata(&newest).ok()?.len();
            let cut = 1 + random.below(20);
            (len > spool_files::HEADER_LEN + cut).then(|| Damage::Truncate {
                file: newest,
                len: len - cut,
            })
        }
        _ => None,
    }
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
        let spool = Spool::open(SpoolConfig::new(dir).segment_bytes(64 << 10)).unwrap();
        let recovery = spool.recovery().clone();
        let client = Client::builder("local", "local")
            .hosts([url])
            .write_timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        let config = SenderConfig::new()
            .max_delay(Duration::from_millis(50))
            .backoff(Duration::from_millis(10), Duration::from_millis(200));
        let sender = client.spooled_sender(config, spool);
        // Said once the sender runs (building a client takes a while in a
        // debug build): the parent's kill times count from here.
        println!("RECOVERY {} {}", recovery.events, recovery.damaged.len());
        for i in from..total {
            if let Err(SendError::Full(event)) = sender.try_send(view(i)) {
                sender.send(*event).await.unwrap();
            }
            if (i + 1) % SYNC_EVERY == 0 || i + 1 == total {
                assert!(sender.sync().await, "every event taken is durable");
                println!("DURABLE {}", i + 1);
            }
        }
        if std::env::var("SPOOL_CRASH_FINISH").as_deref() != Ok("1") {
            // A run to be killed: it delivers until the kill comes.
            std::future::pending::<()>().await;
        }
        let report = sender.shutdown(Duration::from_secs(600)).await;
        assert_eq!(report.spooled, 0, "{report:?}");
        assert!(report.undelivered.is_empty());
        println!("DONE");
    });
}
