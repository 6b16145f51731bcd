//! `send`: streams a JSON Lines file through the checks into batches and
//! sends them with the client's `push_events`, a few at a time. A thread
//! reads and checks the input while requests are in flight; a bounded
//! channel between them keeps memory flat however long the input is.

use crate::args::SendArgs;
use crate::batch::{Batch, Batcher};
use crate::connect::connect;
use crate::lines;
use crate::output::outln;
use crate::progress;
use crate::scan::{RejectsFile, Scan, Scanned};
use algolia_insights::models::InsightsEvents;
use algolia_insights::{Client, Error};
use indicatif::ProgressBar;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// At most this many rejected lines and failed requests are listed in the
/// summary; the rest are counted (and are in the rejects and failed files).
const LISTED: usize = 1000;

/// What the reading thread hands over.
enum Item {
    Batch(Batch),
    Rejected { line: u64, reason: String },
}

/// How reading ended.
struct ReadTotals {
    lines: u64,
    blank_lines: u64,
    /// Why reading stopped early, if it did.
    error: Option<String>,
}

pub async fn run(args: SendArgs) -> Result<bool, String> {
    let input = lines::open(&args.input)?;
    let input_name = input.name.clone();
    let rejects = args
        .rejects
        .as_deref()
        .map(RejectsFile::create)
        .transpose()?;
    let mut failed_file = args.failed.as_deref().map(FailedFile::create).transpose()?;
    let gzip = args.gzip;
    let connection = connect(&args.connection, |builder| {
        if gzip {
            builder.gzip_requests(Some(1024))
        } else {
            builder
        }
    })
    .await?;

    let bar = progress::reading(input.size);
    let (items, mut received) = mpsc::channel::<Item>(4);
    let reader = std::thread::spawn({
        let bar = bar.clone();
        let batch_size = usize::from(args.batch_size);
        move || read(Scan::new(input, rejects), batch_size, &items, &bar)
    });

    let mut report = Report::default();
    let mut in_flight = JoinSet::new();
    let concurrency = usize::from(args.concurrency);
    while let Some(item) = received.recv().await {
        match item {
            Item::Rejected { line, reason } => report.reject(line, reason),
            Item::Batch(batch) => {
                while in_flight.len() >= concurrency {
                    if let Some(done) = in_flight.join_next().await {
                        report.sent(done, failed_file.as_mut())?;
                    }
                }
                in_flight.spawn(send_batch(connection.client.clone(), batch, args.retries));
            }
        }
        bar.set_message(report.progress());
    }
    while let Some(done) = in_flight.join_next().await {
        report.sent(done, failed_file.as_mut())?;
        bar.set_message(report.progress());
    }
    let totals = reader.join().unwrap_or_else(|_| ReadTotals {
        lines: 0,
        blank_lines: 0,
        error: Some("the reading thread stopped unexpectedly".to_string()),
    });
    bar.finish_and_clear();
    if let Some(failed) = &mut failed_file {
        failed.finish()?;
    }

    report.print(&connection.target, &args, &totals);
    if let Some(error) = &totals.error {
        outln!(
            "reading {input_name} stopped after line {}: {error}",
            totals.lines
        );
    }
    if let Some(server) = connection.local {
        outln!("the local server recorded {} events", server.event_count());
        server.shutdown().await;
    }
    Ok(report.rejected == 0 && report.failed == 0 && totals.error.is_none())
}

/// The reading thread: checks lines, fills batches, hands them over.
fn read(
    mut scan: Scan,
    batch_size: usize,
    items: &mpsc::Sender<Item>,
    bar: &ProgressBar,
) -> ReadTotals {
    let mut batcher = Batcher::new(batch_size);
    let mut error = None;
    loop {
        let item = match scan.next() {
            Ok(None) => break,
            Err(read_error) => {
                error = Some(read_error.to_string());
                break;
            }
            Ok(Some(Scanned::Rejected { line, reason })) => Some(Item::Rejected { line, reason }),
            Ok(Some(Scanned::Event { line, checked })) => batcher
                .push(checked.event, checked.json_bytes, line)
                .map(Item::Batch),
        };
        bar.set_position(scan.bytes_read());
        // A closed channel means the sending side gave up: stop reading.
        if let Some(item) = item {
            if items.blocking_send(item).is_err() {
                break;
            }
        }
    }
    if let Some(last) = batcher.finish() {
        let _ = items.blocking_send(Item::Batch(last));
    }
    let lines = scan.lines();
    let blank_lines = scan.blank_lines();
    if let Err(flush_error) = scan.finish() {
        error.get_or_insert(format!("cannot write the rejects file: {flush_error}"));
    }
    ReadTotals {
        lines,
        blank_lines,
        error,
    }
}

/// Sends one batch, trying again after failures that may pass.
async fn send_batch(client: Client, batch: Batch, retries: u32) -> Result<Batch, (Batch, Error)> {
    let mut attempt = 0;
    loop {
        match client
            .push_events(InsightsEvents::new(batch.events.clone()))
            .await
        {
            Ok(_) => return Ok(batch),
            Err(error) if error.is_retryable() && attempt < retries => {
                attempt += 1;
                tokio::time::sleep(backoff(attempt)).await;
            }
            Err(error) => return Err((batch, error)),
        }
    }
}

/// 0.2 s, 0.4 s, 0.8 s, … at most 5 s.
fn backoff(attempt: u32) -> Duration {
    let millis = 200u64.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    Duration::from_millis(millis.min(5_000))
}

#[derive(Default)]
struct Report {
    sent: u64,
    sent_requests: u64,
    rejected: u64,
    rejections: Vec<(u64, String)>,
    failed: u64,
    failed_requests: u64,
    failures: Vec<String>,
}

impl Report {
    fn reject(&mut self, line: u64, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < LISTED {
            self.rejections.push((line, reason));
        }
    }

    fn sent(
        &mut self,
        done: Result<Result<Batch, (Batch, Error)>, tokio::task::JoinError>,
        failed_file: Option<&mut FailedFile>,
    ) -> Result<(), String> {
        match done {
            Ok(Ok(batch)) => {
                self.sent += batch.events.len() as u64;
                self.sent_requests += 1;
            }
            Ok(Err((batch, error))) => {
                self.failed += batch.events.len() as u64;
                self.failed_requests += 1;
                if self.failures.len() < LISTED {
                    self.failures.push(format!(
                        "{} ({} events): {error}",
                        batch.lines(),
                        batch.events.len()
                    ));
                }
                if let Some(file) = failed_file {
                    file.write(&batch)?;
                }
            }
            Err(join_error) => {
                self.failed_requests += 1;
                self.failures
                    .push(format!("a request stopped unexpectedly: {join_error}"));
            }
        }
        Ok(())
    }

    fn progress(&self) -> String {
        format!(
            "{} sent, {} rejected, {} failed",
            self.sent, self.rejected, self.failed
        )
    }

    fn print(&self, target: &str, args: &SendArgs, totals: &ReadTotals) {
        let copied = |path: &Option<std::path::PathBuf>, verb: &str| match path {
            Some(path) => format!(" ({verb} {})", path.display()),
            None => String::new(),
        };
        outln!(
            "sent: {} events in {} requests to {target}",
            self.sent,
            self.sent_requests
        );
        outln!(
            "rejected: {} lines{}",
            self.rejected,
            if self.rejected > 0 {
                copied(&args.rejects, "copied to")
            } else {
                String::new()
            }
        );
        outln!(
            "failed: {} events in {} requests{}",
            self.failed,
            self.failed_requests,
            if self.failed > 0 {
                copied(&args.failed, "written to")
            } else {
                String::new()
            }
        );
        if totals.blank_lines > 0 {
            outln!("blank lines skipped: {}", totals.blank_lines);
        }
        if !self.rejections.is_empty() {
            outln!("\nrejected lines (not sent):");
            for (line, reason) in &self.rejections {
                outln!("  line {line}: {reason}");
            }
            let unlisted = self.rejected - self.rejections.len() as u64;
            if unlisted > 0 {
                outln!("  … and {unlisted} more; `algolia-insights validate` lists them all");
            }
        }
        if !self.failures.is_empty() {
            outln!("\nfailed requests:");
            for failure in &self.failures {
                outln!("  {failure}");
            }
            let unlisted = self.failed_requests - self.failures.len() as u64;
            if unlisted > 0 {
                outln!("  … and {unlisted} more");
            }
        }
    }
}

/// The file the events of failed requests are written to, one per line.
struct FailedFile {
    out: BufWriter<File>,
    path: String,
}

impl FailedFile {
    fn create(path: &Path) -> Result<Self, String> {
        let file = File::create(path)
            .map_err(|error| format!("cannot create {}: {error}", path.display()))?;
        Ok(FailedFile {
            out: BufWriter::new(file),
            path: path.display().to_string(),
        })
    }

    fn write(&mut self, batch: &Batch) -> Result<(), String> {
        let fail = |error: &dyn std::fmt::Display| format!("cannot write {}: {error}", self.path);
        for event in &batch.events {
            serde_json::to_writer(&mut self.out, event).map_err(|e| fail(&e))?;
            self.out.write_all(b"\n").map_err(|e| fail(&e))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.out
            .flush()
            .map_err(|error| format!("cannot write {}: {error}", self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_cap() {
        let waits: Vec<u64> = (1..=7).map(|a| backoff(a).as_millis() as u64).collect();
        assert_eq!(waits, vec![200, 400, 800, 1600, 3200, 5000, 5000]);
    }
}
