//! `send` keeps memory flat however long its input: `send --local` of
//! 1,000,000 lines (the local server in the same process) stays under
//! 64 MB, checked by every test run (about 30 s in a debug build); and the
//! peak resident size of the process for 200,000 lines stays that of
//! 20,000 lines, a slower comparison run when asked:
//!
//! ```text
//! cargo test --release -p algolia-insights-cli --test memory -- --include-ignored --nocapture
//! ```

#![cfg(target_os = "linux")]

mod support;

use algolia_insights::local::LocalServer;
use std::path::Path;
use std::time::Duration;
use support::{cli, fixture, scratch_dir, stdout};

/// The peak resident set of a running process, in kB (`VmHWM`), while it can be read.
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Sends `path` to `server` and returns the sender's peak RSS in kB.
async fn send_and_measure(server: &LocalServer, path: &Path, lines: u64) -> u64 {
    let target = ["--host", server.url(), "--app-id", "a", "--api-key", "k"];
    run_and_measure(path, &target, lines).await
}

/// Runs `send path target...` and returns its peak RSS in kB.
async fn run_and_measure(path: &Path, target: &[&str], lines: u64) -> u64 {
    let mut child = cli()
        .arg("send")
        .arg(path)
        .args(target)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().unwrap();
    let mut peak = 0;
    // VmHWM only grows: the last reading before the process ends is its peak.
    while child.try_wait().unwrap().is_none() {
        if let Some(kb) = peak_rss_kb(pid) {
            peak = peak.max(kb);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let output = child.wait_with_output().await.unwrap();
    let out = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(
        out.contains(&format!("sent: {} events", lines - lines / 500)),
        "{out}"
    );
    peak
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow: sends 220,000 events; run with --ignored to measure"]
async fn send_memory_stays_flat_from_20k_to_200k_lines() {
    let dir = scratch_dir("memory");
    let small = dir.join("20k.jsonl");
    let large = dir.join("200k.jsonl");
    std::fs::write(&small, fixture(20_000, 0).bytes).unwrap();
    std::fs::write(&large, fixture(200_000, 0).bytes).unwrap();
    let size_mb = |p: &Path| std::fs::metadata(p).unwrap().len() as f64 / 1e6;

    let server = LocalServer::start().await.unwrap();
    let peak_small = send_and_measure(&server, &small, 20_000).await;
    server.clear();
    let peak_large = send_and_measure(&server, &large, 200_000).await;
    println!(
        "peak RSS of `send`: {:.1} MB for 20,000 lines ({:.1} MB), {:.1} MB for 200,000 lines ({:.1} MB)",
        peak_small as f64 / 1024.0,
        size_mb(&small),
        peak_large as f64 / 1024.0,
        size_mb(&large),
    );
    assert!(peak_small > 0 && peak_large > 0, "the peaks were read");
    // Ten times the input may cost a few pages more, never ten times the memory.
    assert!(
        peak_large < peak_small + 8 * 1024,
        "memory grew with the input: {peak_small} kB for 20k lines, {peak_large} kB for 200k"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_local_of_a_million_lines_stays_under_64_mb() {
    let lines = 1_000_000;
    let dir = scratch_dir("memory-local");
    let path = dir.join("1m.jsonl");
    std::fs::write(&path, fixture(lines, 0).bytes).unwrap();
    let peak = run_and_measure(&path, &["--local"], lines).await;
    println!(
        "peak RSS of `send --local`: {:.1} MB for {lines} lines",
        peak as f64 / 1024.0
    );
    assert!(peak > 0, "the peak was read");
    // 64 MB is 62,500 KiB.
    assert!(peak < 62_500, "{peak} KiB for {lines} lines");
}
