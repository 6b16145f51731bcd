//! The sender's spool: events survive a restart and are delivered first;
//! a torn last record is cut off and counted, the records before it kept;
//! a spool at its cap, or on a disk that refuses writes, makes `send` wait
//! and `try_send` fail without dropping anything; a second opener gets a
//! lock error; another format version is refused clearly; rejected events
//! go to the dead-letter file and leave the spool.

use algolia_insights::local::{Faults, LocalServer};
use algolia_insights::models::{EventName, EventsItems, UserToken, ViewedObjectIDs};
use algolia_insights::sender::{
    DamageKind, SendError, SenderConfig, Spool, SpoolConfig, SpoolError,
};
use algolia_insights::Client;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

/// A bound on waits that should take milliseconds, generous for a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

/// A view event whose user token is its id.
fn view(id: &str) -> EventsItems {
    ViewedObjectIDs::new(
        EventName::new("Product Viewed").unwrap(),
        "products",
        [format!("sku-{id}")],
        UserToken::new(id.to_owned()).unwrap(),
    )
    .into()
}

fn user_token(event: &EventsItems) -> String {
    let json = serde_json::to_value(event).unwrap();
    json["userToken"].as_str().unwrap().to_string()
}

/// The user tokens the server recorded, in order.
fn tokens(server: &LocalServer) -> Vec<String> {
    server.events().iter().map(user_token).collect()
}

/// Asserts that `got` holds each of the events `range` exactly once, in
/// any order.
fn assert_each_once(mut got: Vec<String>, range: std::ops::Range<u32>) {
    got.sort();
    let mut want: Vec<String> = ids(range).collect();
    want.sort();
    assert_eq!(got, want);
}

/// A fresh, empty directory for one test.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("spool-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn client(url: &str) -> Client {
    Client::builder("local", "local")
        .hosts([url])
        .write_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Quick batches and retries, so that tests run fast.
fn quick() -> SenderConfig {
    SenderConfig::new()
        .max_delay(Duration::from_millis(20))
        .backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// A server that answers every request with a 503 until its faults change.
async fn down_server() -> LocalServer {
    LocalServer::builder()
        .faults(Faults::seeded(1).fail(1.0, 503))
        .start()
        .await
        .unwrap()
}

/// Sends `ids` through a spooled sender to a server that is down, then
/// shuts it down: the events stay in the spool.
async fn leave_in_spool(dir: &Path, ids: impl IntoIterator<Item = String>) -> u64 {
    let server = down_server().await;
    let spool = Spool::open(SpoolConfig::new(dir)).unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    for id in ids {
        sender.send(view(&id)).await.unwrap();
    }
    let report = sender.shutdown(Duration::from_millis(300)).await;
    assert!(report.undelivered.is_empty(), "{report:?}");
    assert_eq!(server.event_count(), 0);
    server.shutdown().await;
    report.spooled
}

/// A segment's header: what a segment without records takes.
const HEADER_LEN: u64 = 28;
/// A settled mark: a record's 21-byte header and the number below which
/// every event is settled (a new segment begins with one).
const SETTLED_RECORD_LEN: u64 = 21 + 8;

/// The bytes of all the segment files in `dir`.
fn segment_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum()
}

fn ids(range: std::ops::Range<u32>) -> impl Iterator<Item = String> {
    range.map(|i| format!("user-{i}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_delivered_and_the_spool_is_empty_after() {
    let dir = fresh_dir("delivered");
    let server = LocalServer::start().await.unwrap();
    // Small segments: 4000 events fill eight, read back and deleted in turn.
    let spool = Spool::open(SpoolConfig::new(&dir).segment_bytes(64 << 10)).unwrap();
    assert_eq!(spool.recovery().events, 0);
    let sender = client(server.url()).spooled_sender(quick(), spool);
    let mut producers = Vec::new();
    for p in 0..4u32 {
        let sender = sender.clone();
        producers.push(tokio::spawn(async move {
            for id in ids(p * 1000..p * 1000 + 1000) {
                sender.try_send(view(&id)).unwrap_or_else(|e| panic!("{e}"));
            }
            assert!(sender.sync().await, "durable");
        }));
    }
    for producer in producers {
        producer.await.unwrap();
    }
    sender.flush().await;
    assert_eq!(sender.stats().spooled, 0, "{:?}", sender.stats());
    // Every event settled: the segment written to is rotated and deleted
    // (within a sync interval; waited for here without a timing claim).
    let started = std::time::Instant::now();
    // What stays is one segment's header and its settled mark.
    while segment_bytes(&dir) > HEADER_LEN + SETTLED_RECORD_LEN {
        assert!(
            started.elapsed() < PATIENCE,
            "settled events still on disk: {} bytes of segments",
            segment_bytes(&dir)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let report = sender.shutdown(PATIENCE).await;
    assert!(!report.deadline_passed);
    assert_eq!(report.spooled, 0);
    assert_eq!(report.stats.delivered, 4000);
    assert!(
        report.stats.spool_bytes_written > 4000 * 100,
        "{:?}",
        report.stats
    );
    assert_each_once(tokens(&server), 0..4000);
    drop(sender);

    let again = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(again.recovery().events, 0);
    let segments = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "seg")
        })
        .count();
    assert_eq!(segments, 1, "settled segments are deleted");
}

/// A sender that keeps up hands what the spool just wrote to delivery from
/// memory: it reads back none of it. What an earlier run left is read from
/// the files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_just_written_are_delivered_without_reading_them_back() {
    let dir = fresh_dir("from-memory");
    assert_eq!(leave_in_spool(&dir, ids(0..100)).await, 100);
    let server = LocalServer::start().await.unwrap();
    // Rounds of 300 events, each flushed: what the reader has to take
    // stays far below what the spool keeps in memory.
    let config = SpoolConfig::new(&dir).sync_interval(Duration::from_millis(100));
    let spool = Spool::open(config).unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    sender.flush().await;
    let from_earlier_run = sender.stats().spool_bytes_read;
    assert!(from_earlier_run > 100 * 100, "{:?}", sender.stats());
    for round in 0..10 {
        for id in ids(100 + round * 300..100 + round * 300 + 300) {
            sender.try_send(view(&id)).unwrap_or_else(|e| panic!("{e}"));
        }
        sender.flush().await;
    }
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.stats.delivered, 3100, "{report:?}");
    let written = report.stats.spool_bytes_written;
    let read = report.stats.spool_bytes_read - from_earlier_run;
    // Read back from the files, this would be every byte written.
    assert!(
        read * 10 < written,
        "{read} of {written} bytes written were read back: {:?}",
        report.stats
    );
    assert_each_once(tokens(&server), 0..3100);
}

/// A reader far behind (the API down, the queue full) reads the writes the
/// spool no longer keeps from the file, then goes on from memory where
/// the kept ones begin: every event arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_far_behind_reads_the_file_then_memory_and_delivers_each_event_once() {
    let dir = fresh_dir("far-behind");
    let server = down_server().await;
    // The smallest write buffer (2 MiB) bounds what is kept in memory;
    // 40 000 events write about 5.6 MB while the queue holds 100.
    let spool = Spool::open(SpoolConfig::new(&dir).write_buffer_bytes(0)).unwrap();
    let sender = client(server.url()).spooled_sender(quick().queue_capacity(100), spool);
    for id in ids(0..40_000) {
        let event = view(&id);
        if let Err(SendError::Full(event)) = sender.try_send(event) {
            sender.send(*event).await.unwrap();
        }
    }
    assert!(sender.sync().await, "durable");
    server.set_faults(Faults::none());
    tokio::time::timeout(PATIENCE, sender.flush())
        .await
        .unwrap_or_else(|_| panic!("flush still waits: {:?}", sender.stats()));
    let report = sender.shutdown(PATIENCE).await;
    let stats = report.stats;
    assert_eq!(stats.delivered, 40_000, "{stats:?}");
    let got = tokens(&server);
    assert_eq!(got.len(), 40_000, "each event once: {stats:?}");
    assert_each_once(got, 0..40_000);
    // Both ways were taken: memory for the writes kept (those the reader
    // reaches first, up to the 2 MiB write buffer), the file for the rest.
    let read = stats.spool_bytes_read;
    assert!(read > 0, "{stats:?}");
    assert!(read + (1 << 20) < stats.spool_bytes_written, "{stats:?}");
}

/// `flush` sends the batch being filled once every event it waits for is
/// read back, not before the last of them is durable: those would wait
/// for the batch's delay (here an hour).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flush_does_not_leave_the_last_events_to_the_batch_delay() {
    let dir = fresh_dir("flush-waits");
    let server = LocalServer::start().await.unwrap();
    let config = SpoolConfig::new(&dir).sync_interval(Duration::from_millis(50));
    let spool = Spool::open(config).unwrap();
    let batches = SenderConfig::new().max_delay(Duration::from_secs(3600));
    let sender = client(server.url()).spooled_sender(batches, spool);
    for round in 0..3 {
        for id in ids(round * 100..round * 100 + 100) {
            sender.try_send(view(&id)).unwrap_or_else(|e| panic!("{e}"));
        }
        tokio::time::timeout(PATIENCE, sender.flush())
            .await
            .unwrap_or_else(|_| panic!("round {round}: flush still waits: {:?}", sender.stats()));
        assert_eq!(server.event_count(), (round as usize + 1) * 100);
    }
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.stats.delivered, 300, "{report:?}");
}

/// The sync interval (here an hour) groups what comes meanwhile into one
/// `fsync`, but a flush is someone waiting: the events it waits for are
/// written at once, and so, once they are all delivered, is the record
/// that they are settled. So is what a shutdown leaves. Events taken with
/// `try_send` and no flush still wait for the interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flush_or_a_shutdown_does_not_wait_out_the_sync_interval() {
    let dir = fresh_dir("flush-interval");
    let server = LocalServer::start().await.unwrap();
    let config = SpoolConfig::new(&dir).sync_interval(Duration::from_secs(3600));
    let spool = Spool::open(config).unwrap();
    let sender = client(server.url()).spooled_sender(quick(), spool);
    for round in 0..3 {
        for id in ids(round * 100..round * 100 + 100) {
            sender.try_send(view(&id)).unwrap_or_else(|e| panic!("{e}"));
        }
        tokio::time::timeout(PATIENCE, sender.flush())
            .await
            .unwrap_or_else(|_| panic!("round {round}: flush still waits: {:?}", sender.stats()));
        assert_eq!(server.event_count(), (round as usize + 1) * 100);
    }
    for id in ids(300..310) {
        sender.try_send(view(&id)).unwrap_or_else(|e| panic!("{e}"));
    }
    let synced = tokio::time::timeout(Duration::from_millis(300), sender.sync()).await;
    assert!(
        synced.is_err(),
        "synced within the interval: {:?}",
        sender.stats()
    );
    let report = tokio::time::timeout(PATIENCE, sender.shutdown(PATIENCE))
        .await
        .expect("the shutdown waits out the interval");
    assert_eq!(report.stats.delivered, 310, "{report:?}");
    assert_eq!(report.spooled, 0, "{report:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_spool_holds_is_delivered_first_on_the_next_start() {
    let dir = fresh_dir("restart");
    assert_eq!(leave_in_spool(&dir, ids(0..300)).await, 300);

    let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(spool.recovery().events, 300);
    assert_eq!(spool.recovery().damaged, []);
    let server = LocalServer::start().await.unwrap();
    // One batch at a time, so that the order of arrival is the order sent.
    let sender = client(server.url()).spooled_sender(quick().max_in_flight(1), spool);
    for id in ids(300..400) {
        sender.send(view(&id)).await.unwrap();
    }
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.spooled, 0, "{report:?}");
    assert_eq!(tokens(&server), ids(0..400).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_torn_last_record_is_cut_off_and_counted_and_the_rest_delivered() {
    for (case, damage) in [("cut", 0usize), ("flipped", 1)] {
        let dir = fresh_dir(&format!("torn-{case}"));
        leave_in_spool(&dir, ids(0..50)).await;
        let segment = only_segment(&dir);
        let len = std::fs::metadata(&segment).unwrap().len();
        if damage == 0 {
            // Power lost in the middle of writing the last event.
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&segment)
                .unwrap();
            file.set_len(len - 7).unwrap();
        } else {
            // A byte of the last event changed on its way to the disk.
            let mut bytes = std::fs::read(&segment).unwrap();
            let at = bytes.len() - 10;
            bytes[at] ^= 0x20;
            std::fs::write(&segment, bytes).unwrap();
        }

        let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
        let recovery = spool.recovery();
        assert_eq!(recovery.damaged.len(), 1, "{case}: {recovery:?}");
        let found = &recovery.damaged[0];
        let kind = [DamageKind::TornWrite, DamageKind::Records][damage];
        assert_eq!(found.kind, kind, "{case}: {recovery:?}");
        assert_eq!(found.file, segment);
        assert!(found.bytes > 0, "{case}: {recovery:?}");
        assert_eq!(recovery.events, 49, "{case}: {recovery:?}");
        let server = LocalServer::start().await.unwrap();
        let sender = client(server.url()).spooled_sender(quick().max_in_flight(1), spool);
        sender.send(view("after")).await.unwrap();
        let report = sender.shutdown(PATIENCE).await;
        assert_eq!(report.spooled, 0);
        let mut want: Vec<String> = ids(0..49).collect();
        want.push("after".into());
        assert_eq!(tokens(&server), want, "{case}");
        drop(sender);
        let again = Spool::open(SpoolConfig::new(&dir)).unwrap();
        assert_eq!(again.recovery().damaged, [], "{case}: cut off once");
    }
}

fn only_segment(dir: &Path) -> PathBuf {
    let mut segments: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "seg"))
        .collect();
    assert_eq!(segments.len(), 1, "{segments:?}");
    segments.pop().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spool_at_its_cap_makes_send_wait_and_try_send_fail_without_dropping() {
    let dir = fresh_dir("cap");
    let server = down_server().await;
    let spool = Spool::open(SpoolConfig::new(&dir).max_bytes(8 << 20)).unwrap();
    let sender = client(server.url()).spooled_sender(quick().queue_capacity(100), spool);
    let mut taken = 0u32;
    let refused = loop {
        match sender.try_send(view(&format!("user-{taken}"))) {
            Ok(()) => taken += 1,
            Err(error) => break error,
        }
        assert!(taken < 200_000, "the cap never applied");
    };
    assert!(matches!(refused, SendError::Full(_)), "{refused}");
    assert!(taken > 10_000, "8 MiB holds more than {taken} events");
    assert!(sender.sync().await, "durable");

    // `send` waits while the spool is full...
    let waiting = {
        let sender = sender.clone();
        let id = format!("user-{taken}");
        tokio::spawn(async move { sender.send(view(&id)).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "send waits at the cap");

    // ...and goes through once delivered events free space.
    server.set_faults(Faults::none());
    tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("send went through once there was room")
        .unwrap()
        .unwrap();
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.spooled, 0, "{report:?}");
    let counts = counts(&server);
    assert_eq!(counts.len() as u32, taken + 1, "every event arrived");
    let duplicates: usize = counts.values().map(|n| n - 1).sum();
    assert_eq!(duplicates, 0);
}

fn counts(server: &LocalServer) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for token in tokens(server) {
        *counts.entry(token).or_insert(0) += 1;
    }
    counts
}

/// The second opener of a directory gets a lock error, in this process or another.
#[tokio::test]
async fn a_second_opener_gets_a_lock_error() {
    let dir = fresh_dir("lock");
    let first = Spool::open(SpoolConfig::new(&dir)).unwrap();
    let error = Spool::open(SpoolConfig::new(&dir)).unwrap_err();
    assert!(matches!(error, SpoolError::Locked { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("is in use by another sender"), "{message}");
    assert!(message.contains(&dir.display().to_string()), "{message}");

    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "open_in_a_child_process",
            "--nocapture",
            "--include-ignored",
        ])
        .env("SPOOL_TEST_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("CHILD: Locked"), "{stdout}");

    drop(first);
    Spool::open(SpoolConfig::new(&dir)).expect("free again once the first is gone");
}

/// Run by `a_second_opener_gets_a_lock_error` as a child process.
#[test]
#[ignore = "a child process of another test"]
fn open_in_a_child_process() {
    let Ok(dir) = std::env::var("SPOOL_TEST_DIR") else {
        return;
    };
    match Spool::open(SpoolConfig::new(dir)) {
        Ok(_) => println!("CHILD: opened"),
        Err(SpoolError::Locked { .. }) => println!("CHILD: Locked"),
        Err(other) => println!("CHILD: {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_format_version_is_refused_with_a_clear_error() {
    let dir = fresh_dir("version");
    leave_in_spool(&dir, ids(0..3)).await;
    let segment = only_segment(&dir);
    let mut bytes = std::fs::read(&segment).unwrap();
    // The header: magic (8), version (4), flags (4), base (8), CRC-32 (4).
    bytes[8..12].copy_from_slice(&3u32.to_le_bytes());
    let crc = crc32(&bytes[..24]);
    bytes[24..28].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&segment, &bytes).unwrap();
    let error = Spool::open(SpoolConfig::new(&dir)).unwrap_err();
    assert!(
        matches!(
            error,
            SpoolError::UnsupportedVersion {
                found: 3,
                supported: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("format version 3"), "{message}");
    assert!(message.contains("reads versions 1 to 2"), "{message}");

    // A directory without a lock file whose only "segment" holds no spool
    // header or record is not a spool: refused, and left as it was.
    std::fs::remove_file(dir.join("LOCK")).unwrap();
    let text = "not a spool, only text that happens to have the name of one\n".repeat(20);
    std::fs::write(&segment, &text).unwrap();
    let error = Spool::open(SpoolConfig::new(&dir)).unwrap_err();
    assert!(matches!(error, SpoolError::NotASpool { .. }), "{error:?}");
    assert_eq!(std::fs::read_to_string(&segment).unwrap(), text);
}

/// CRC-32 (IEEE), bit by bit: the spool's checksum, computed independently.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_events_go_to_the_dead_letter_file_and_leave_the_spool() {
    let dir = fresh_dir("dead-letter");
    let dead_letter = dir.join("rejected.jsonl");
    let server = LocalServer::builder()
        .faults(Faults::seeded(1).fail(1.0, 403))
        .start()
        .await
        .unwrap();
    let spool = Spool::open(SpoolConfig::new(dir.join("spool")).dead_letter(&dead_letter)).unwrap();
    let failed = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&failed);
    let config = quick().on_failure(move |_| {
        counter.fetch_add(1, SeqCst);
    });
    let sender = client(server.url()).spooled_sender(config, spool);
    for id in ids(0..20) {
        sender.send(view(&id)).await.unwrap();
    }
    let report = sender.shutdown(PATIENCE).await;
    assert_eq!(report.spooled, 0, "{report:?}");
    assert_eq!(report.stats.failed, 20);
    assert_eq!(failed.load(SeqCst), 20, "the failure handler still runs");
    let lines: Vec<String> = std::fs::read_to_string(&dead_letter)
        .unwrap()
        .lines()
        .map(|line| {
            let event: EventsItems = serde_json::from_str(line).unwrap();
            user_token(&event)
        })
        .collect();
    assert_each_once(lines, 0..20);
    drop(sender);
    let again = Spool::open(SpoolConfig::new(dir.join("spool"))).unwrap();
    assert_eq!(again.recovery().events, 0);
}

/// A disk that refuses writes (here: a file size limit, which fails writes
/// as a full disk does) makes `send` wait and `try_send` fail; once writes
/// go through again, every event is delivered. Runs in a child process,
/// since the limit applies to the whole process.
#[test]
#[cfg(target_os = "linux")]
fn a_disk_that_refuses_writes_applies_backpressure_and_loses_nothing() {
    let dir = fresh_dir("disk-full");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "refused_writes_in_a_child_process",
            "--nocapture",
            "--include-ignored",
        ])
        .env("SPOOL_TEST_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("CHILD: every event delivered"),
        "{stdout}\n{stderr}"
    );
}

/// Run by `a_disk_that_refuses_writes_applies_backpressure_and_loses_nothing`.
#[test]
#[ignore = "a child process of another test"]
#[cfg(target_os = "linux")]
fn refused_writes_in_a_child_process() {
    let Ok(dir) = std::env::var("SPOOL_TEST_DIR") else {
        return;
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let server = LocalServer::start().await.unwrap();
        let config = SpoolConfig::new(&dir)
            .max_bytes(64 << 20)
            .segment_bytes(4 << 20)
            .write_buffer_bytes(0);
        let spool = Spool::open(config).unwrap();
        let sender = client(server.url()).spooled_sender(quick(), spool);
        // From now on no file of this process grows past 256 KiB: writes
        // past it fail (EFBIG) as they would on a full disk (ENOSPC).
        set_file_size_limit(256 << 10);

        let mut taken = 0u32;
        let refused = loop {
            match sender.try_send(view(&format!("user-{taken}"))) {
                Ok(()) => taken += 1,
                Err(error) => break error,
            }
            assert!(taken < 100_000, "the write buffer never filled");
        };
        assert!(matches!(refused, SendError::Full(_)), "{refused}");
        let waiting = {
            let sender = sender.clone();
            let id = format!("user-{taken}");
            tokio::spawn(async move { sender.send(view(&id)).await })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(!waiting.is_finished(), "send waits while writes fail");
        let stuck = sender.stats();
        assert!(
            stuck.delivered < u64::from(taken),
            "only what fit was delivered: {stuck:?}"
        );
        assert!(stuck.spooled > 0, "{stuck:?}");

        // The disk has room again.
        set_file_size_limit(libc::RLIM_INFINITY);
        tokio::time::timeout(PATIENCE, waiting)
            .await
            .expect("send went through once writes did")
            .unwrap()
            .unwrap();
        let report = sender.shutdown(PATIENCE).await;
        assert_eq!(report.spooled, 0, "{report:?}");
        assert!(report.undelivered.is_empty());
        let counts = counts(&server);
        assert_eq!(counts.len() as u32, taken + 1, "every event arrived");
        assert!(counts.values().all(|&n| n == 1), "no duplicates");
        println!("CHILD: every event delivered ({} events)", taken + 1);
    });
}

#[cfg(target_os = "linux")]
fn set_file_size_limit(bytes: libc::rlim_t) {
    // Writes past the limit fail with EFBIG instead of killing the process.
    unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_FSIZE, &mut limit) },
        0
    );
    limit.rlim_cur = bytes.min(limit.rlim_max);
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_FSIZE, &limit) }, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequence_numbers_go_on_across_restarts() {
    let dir = fresh_dir("sequences");
    leave_in_spool(&dir, ids(0..5)).await;
    let spool = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(spool.recovery().next_sequence, 5);
    let server = LocalServer::start().await.unwrap();
    let delivered = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&delivered);
    let config = quick()
        .max_batch_events(2)
        .on_delivered(move |request| record.lock().unwrap().extend(request.sequences()));
    let sender = client(server.url()).spooled_sender(config, spool);
    for id in ids(5..8) {
        sender.send(view(&id)).await.unwrap();
    }
    sender.shutdown(PATIENCE).await;
    let mut numbers = delivered.lock().unwrap().clone();
    numbers.sort();
    assert_eq!(numbers, (0..8).collect::<Vec<u64>>());
    drop(sender);
    let again = Spool::open(SpoolConfig::new(&dir)).unwrap();
    assert_eq!(again.recovery().next_sequence, 8);
}
