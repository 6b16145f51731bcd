//! The spool's work on two stores: take `n` events of about 200 bytes in
//! windows of 1000, each window made durable before it is acknowledged
//! (one `fsync`, or one committed transaction), then settle them window by
//! window (what delivery does) until the store is empty again.
//!
//! 1. `segments`: what the spool does: records `len crc kind json` appended
//!    to a file, `fdatasync` per window; settling appends a small record
//!    per window (and the file is deleted once all is settled).
//! 2. `redb`: a table from the event's number to its JSON, one write
//!    transaction per window (committed with redb's default durability,
//!    which syncs); settling removes the window's keys in one transaction.
//!
//! Prints events/s for taking, for settling, and the bytes on disk per
//! event once everything is taken.

use redb::{Database, ReadableTableMetadata, TableDefinition};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const WINDOW: u64 = 1000;
const EVENTS: TableDefinition<u64, &[u8]> = TableDefinition::new("events");

fn event(i: u64) -> Vec<u8> {
    format!(
        r#"{{"eventName":"Product Viewed","eventType":"view","index":"products","objectIDs":["sku-{i}"],"userToken":"user-{}","timestamp":1764460800000,"queryID":"7f3c2a9e51b04d6c8e2f1a0b9c8d7e6f"}}"#,
        i % 9973
    )
    .into_bytes()
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("a number of events"))
        .unwrap_or(200_000);
    let dir = std::env::temp_dir().join(format!("spool-storage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let events: Vec<Vec<u8>> = (0..n).map(event).collect();
    let json_bytes: usize = events.iter().map(Vec::len).sum();
    println!(
        "{n} events, {:.0} bytes of JSON each on average, windows of {WINDOW}, in {}",
        json_bytes as f64 / n as f64,
        dir.display()
    );
    segments(&dir, &events);
    redb(&dir, &events);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn report(name: &str, n: usize, take: f64, settle: f64, bytes: u64) {
    println!(
        "| {name} | {:.0} | {:.0} | {:.1} |",
        n as f64 / take,
        n as f64 / settle,
        bytes as f64 / n as f64
    );
}

fn segments(dir: &Path, events: &[Vec<u8>]) {
    let path = dir.join("segment");
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    for window in events.chunks(WINDOW as usize) {
        for json in window {
            let mut hasher = crc32fast::Hasher::new();
            hasher.update(&[1]);
            hasher.update(json);
            buf.extend_from_slice(&(json.len() as u32).to_le_bytes());
            buf.extend_from_slice(&hasher.finalize().to_le_bytes());
            buf.push(1);
            buf.extend_from_slice(json);
        }
        file.write_all(&buf).unwrap();
        file.sync_data().unwrap();
        buf.clear();
    }
    let take = started.elapsed().as_secs_f64();
    let bytes = file.metadata().unwrap().len();
    let started = Instant::now();
    for (i, _) in events.chunks(WINDOW as usize).enumerate() {
        let below = (i as u64 + 1) * WINDOW;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&[2]);
        hasher.update(&below.to_le_bytes());
        buf.extend_from_slice(&8u32.to_le_bytes());
        buf.extend_from_slice(&hasher.finalize().to_le_bytes());
        buf.push(2);
        buf.extend_from_slice(&below.to_le_bytes());
        file.write_all(&buf).unwrap();
        file.sync_data().unwrap();
        buf.clear();
    }
    drop(file);
    std::fs::remove_file(&path).unwrap();
    let settle = started.elapsed().as_secs_f64();
    println!("| store | taken, events/s | settled, events/s | disk bytes per event |");
    println!("| --- | ---: | ---: | ---: |");
    report("segments", events.len(), take, settle, bytes);
}

fn redb(dir: &Path, events: &[Vec<u8>]) {
    let path = dir.join("redb");
    let db = Database::create(&path).unwrap();
    let started = Instant::now();
    let mut number = 0u64;
    for window in events.chunks(WINDOW as usize) {
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(EVENTS).unwrap();
            for json in window {
                table.insert(number, json.as_slice()).unwrap();
                number += 1;
            }
        }
        txn.commit().unwrap();
    }
    let take = started.elapsed().as_secs_f64();
    let bytes = std::fs::metadata(&path).unwrap().len();
    let started = Instant::now();
    let mut first = 0u64;
    while first < number {
        let end = (first + WINDOW).min(number);
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(EVENTS).unwrap();
            for key in first..end {
                table.remove(key).unwrap();
            }
        }
        txn.commit().unwrap();
        first = end;
    }
    let settle = started.elapsed().as_secs_f64();
    {
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(EVENTS).unwrap();
        assert_eq!(table.len().unwrap(), 0);
    }
    let after = std::fs::metadata(&path).unwrap().len();
    report("redb", events.len(), take, settle, bytes);
    println!(
        "(redb's file after settling everything: {after} bytes; the segments' file is deleted)"
    );
}
