//! `send`: streams a JSON Lines file into the library's batching
//! [`Sender`], which checks each event, batches, retries and isolates the
//! events the API rejects. A thread reads the input while requests are in
//! flight; the sender's queue capacity keeps memory flat however long the
//! input is. The sender's callbacks say what became of each event, and the
//! sequence numbers they carry lead back to input lines for the summary.

use crate::args::SendArgs;
use crate::check::{decode_reason, reason};
use crate::connect::connect;
use crate::line_map::LineMap;
use crate::lines;
use crate::output::outln;
use crate::progress;
use crate::resume::Progress;
use crate::scan::{RejectsFile, Scan, Scanned};
use algolia_insights::sender::{
    Delivered, FailedEvent, SendJsonError, Sender, SenderConfig, Spool, SpoolConfig,
};
use algolia_insights::Error;
use indicatif::ProgressBar;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// At most this many rejected lines and failed requests are listed in the
/// summary; the rest are counted (and are in the rejects and failed files).
const LISTED: usize = 1000;

/// The progress line is refreshed every this many input lines.
const PROGRESS_EVERY: u64 = 256;

/// With a spool, whether a save of the progress is due is
/// checked every this many lines ([`SAVE_EVERY`](crate::resume::SAVE_EVERY) is the cadence).
const SAVE_CHECK_EVERY: u32 = 64;

pub async fn run(args: SendArgs) -> Result<bool, String> {
    if let Some(servers) = &args.nats {
        return crate::nats_send::run(&args, servers).await;
    }
    let input = lines::open(&args.input)?;
    let input_name = input.name.clone();
    let rejects = args
        .rejects
        .as_deref()
        .map(RejectsFile::create)
        .transpose()?;
    let failed_file = args.failed.as_deref().map(FailedFile::create).transpose()?;
    let spool = match &args.spool {
        Some(dir) => {
            let spool = Spool::open(SpoolConfig::new(dir)).map_err(|error| error.to_string())?;
            let regular_file = input.size.is_some();
            let progress = Progress::load(dir, &args.input, regular_file, args.restart)?;
            Some((spool, progress))
        }
        None => None,
    };
    let gzip = args.gzip;
    let connection = connect(&args.connection, |builder| {
        if gzip {
            builder.gzip_requests(Some(1024))
        } else {
            builder
        }
    })
    .await?;

    let first_sequence = spool
        .as_ref()
        .map_or(0, |(spool, _)| spool.recovery().next_sequence);
    let mut lines = LineMap::default();
    // Numbers below are events of earlier runs: they have no line here.
    lines.settle(0..first_sequence);
    let outcomes = Arc::new(Outcomes {
        state: Mutex::new(State {
            failed_file,
            lines,
            first_sequence,
            ..State::default()
        }),
    });
    let config = config(&args, &outcomes);
    let (sender, mut progress) = match spool {
        Some((spool, progress)) => {
            let recovery = spool.recovery();
            if recovery.events > 0 {
                outln!(
                    "spool {}: {} events left by an earlier run are sent first",
                    spool.dir().display(),
                    recovery.events,
                );
            }
            if recovery.migrated_segments > 0 {
                outln!(
                    "spool {}: {} files of an earlier version's format upgraded",
                    spool.dir().display(),
                    recovery.migrated_segments
                );
            }
            if let Some(first) = recovery.damaged.first() {
                outln!(
                    "spool {}: {} damaged stretches found ({} bytes; up to {} events lost, every other record kept), the first: {first}",
                    spool.dir().display(),
                    recovery.damaged.len(),
                    recovery.damaged_bytes(),
                    recovery.lost_events(),
                );
            }
            if progress.done_through > 0 {
                outln!(
                    "resuming {input_name} after line {}: the lines before are in the spool or sent",
                    progress.done_through
                );
            } else if !progress.resumable() {
                outln!("{input_name} is not a regular file and cannot be resumed: the spool keeps the events, not where the input got to");
            }
            (
                connection.client.spooled_sender(config, spool),
                Some(progress),
            )
        }
        None => (connection.client.sender(config), None),
    };
    let bar = progress::reading(input.size);
    let mut scan = Scan::texts(input, rejects);
    if progress.as_ref().is_some_and(Progress::resumable) {
        scan = scan.fingerprinted();
    }
    let reader = tokio::task::spawn_blocking({
        let (sender, outcomes, bar) = (sender.clone(), Arc::clone(&outcomes), bar.clone());
        let runtime = tokio::runtime::Handle::current();
        move || {
            read(
                scan,
                &sender,
                &runtime,
                &outcomes,
                &bar,
                progress.as_mut(),
                first_sequence,
            )
        }
    });
    let totals = reader.await.unwrap_or_else(|_| ReadTotals {
        error: Some("the reading thread stopped unexpectedly".to_string()),
        ..ReadTotals::default()
    });
    // Everything read is delivered or has failed before this returns.
    let report = sender.shutdown(Duration::MAX).await;
    bar.finish_and_clear();

    let all_sent = {
        let mut state = outcomes.state();
        state.close_group();
        if !report.undelivered.is_empty() {
            state.failures.push(format!(
                "{} events were given up unsent",
                report.undelivered.len()
            ));
        }
        let file_error = state.finish_file();
        print(&state, &connection.target, &args, &totals);
        if let Some(error) = &totals.error {
            outln!(
                "reading {input_name} stopped after line {}: {error}",
                totals.lines
            );
        }
        if let Some(error) = &file_error {
            outln!("{error}");
        }
        totals.rejected == 0
            && state.failed_events == 0
            && report.undelivered.is_empty()
            && totals.error.is_none()
            && file_error.is_none()
    };
    if let Some(server) = connection.local {
        outln!(
            "the local server recorded {} events",
            server.accepted_event_count()
        );
        server.shutdown().await;
    }
    Ok(all_sent)
}

/// The sender's settings from the options, with callbacks that record each outcome.
fn config(args: &SendArgs, outcomes: &Arc<Outcomes>) -> SenderConfig {
    let batch = usize::from(args.batch_size);
    let in_flight = usize::from(args.concurrency);
    let delivered = Arc::clone(outcomes);
    let failed = Arc::clone(outcomes);
    SenderConfig::new()
        .max_batch_events(batch)
        .max_in_flight(in_flight)
        // Room for a batch per request in flight, one ready and one filling:
        // the reader never waits while a request could go out, and full
        // batches never close early.
        .queue_capacity(batch * (in_flight + 2))
        .max_retries(args.retries)
        .backoff(Duration::from_millis(200), Duration::from_secs(5))
        .on_delivered(move |request| delivered.delivered(&request))
        .on_failure(move |event| failed.failed(&event))
}

/// What the reading thread found.
#[derive(Default)]
struct ReadTotals {
    lines: u64,
    blank_lines: u64,
    rejected: u64,
    rejections: Vec<(u64, String)>,
    /// Why reading stopped early, if it did.
    error: Option<String>,
}

impl ReadTotals {
    fn reject(&mut self, line: u64, reason: String) {
        self.rejected += 1;
        if self.rejections.len() < LISTED {
            self.rejections.push((line, reason));
        }
    }
}

/// The reading thread: reads lines and hands each event to the sender,
/// waiting while its queue is full. With a spool, lines through
/// `progress.done_through` are only checked (an earlier run spooled them),
/// and the progress is saved as the events become durable.
fn read(
    mut scan: Scan,
    sender: &Sender,
    runtime: &tokio::runtime::Handle,
    outcomes: &Outcomes,
    bar: &ProgressBar,
    mut progress: Option<&mut Progress>,
    first_sequence: u64,
) -> ReadTotals {
    let mut totals = ReadTotals::default();
    // The sender numbers events in the order it takes them, from 0 (from
    // where the spool's numbering got to, with a spool).
    let mut next_sequence = first_sequence;
    let skip_through = progress.as_ref().map_or(0, |p| p.done_through);
    let mut offset = None;
    let mut since_check = 0u32;
    loop {
        since_check += 1;
        if since_check == SAVE_CHECK_EVERY {
            since_check = 0;
            if scan.lines() > skip_through {
                if let Some(progress) = progress.as_deref_mut().filter(|p| p.due()) {
                    if let Err(error) = save(progress, &scan, sender, runtime) {
                        totals.error = Some(error);
                        break;
                    }
                }
            }
        }
        let line = match scan.next() {
            Ok(None) => break,
            Err(read_error) => {
                totals.error = Some(read_error.to_string());
                break;
            }
            Ok(Some(Scanned::Rejected { line, reason })) => {
                totals.reject(line, reason);
                continue;
            }
            Ok(Some(Scanned::Line { line })) if line <= skip_through => {
                // An earlier run took it (it is in the spool, or sent), or
                // rejected it: reported again only when it does not read
                // as an event, as that run reported it.
                if let Err(reason) = scan.parse() {
                    totals.reject(line, reason);
                    if let Err(error) = scan.reject() {
                        totals.error = Some(format!("cannot write the rejects file: {error}"));
                        break;
                    }
                }
                continue;
            }
            Ok(Some(Scanned::Line { line })) => line,
        };
        // Known before the sender takes it: its outcome may come at once.
        if offset != Some(line.wrapping_sub(next_sequence)) {
            offset = Some(line.wrapping_sub(next_sequence));
            outcomes.state().lines.taken(next_sequence, line);
        }
        // A line goes as its text: the sender reads and checks it, and sends
        // it without writing it again. `try_send_json` first: entering the
        // runtime to wait is only needed when the queue is full (with a
        // spool, `send_json` would also wait for the disk: the progress
        // saves sync instead).
        let taken = match sender.try_send_json(scan.text()) {
            Err(SendJsonError::Full) => runtime.block_on(sender.send_json(scan.text())),
            taken => taken,
        };
        let taken = taken.map_err(|error| match error {
            SendJsonError::Decode(error) => Refused::Reject(decode_reason(&error)),
            SendJsonError::Invalid(errors) => Refused::Reject(reason(&errors)),
            other => Refused::Stop(other.to_string()),
        });
        match taken {
            Ok(()) => next_sequence += 1,
            Err(Refused::Reject(reason)) => {
                totals.reject(line, reason);
                offset = None;
                if let Err(error) = scan.reject() {
                    totals.error = Some(format!("cannot write the rejects file: {error}"));
                    break;
                }
            }
            Err(Refused::Stop(error)) => {
                totals.error = Some(error);
                break;
            }
        }
        if line % PROGRESS_EVERY == 0 {
            bar.set_position(scan.bytes_read());
            let stats = sender.stats();
            bar.set_message(format!(
                "{} sent, {} rejected, {} failed",
                stats.delivered, totals.rejected, stats.failed
            ));
        }
    }
    bar.set_position(scan.bytes_read());
    if let (Some(progress), None) = (progress, &totals.error) {
        if let Err(error) = save(progress, &scan, sender, runtime) {
            totals.error = Some(error);
        }
    }
    totals.lines = scan.lines();
    totals.blank_lines = scan.blank_lines();
    if let Err(flush_error) = scan.finish() {
        totals
            .error
            .get_or_insert(format!("cannot write the rejects file: {flush_error}"));
    }
    totals
}

/// Saves where reading got to, once every event taken is durable in the
/// spool (not when the spool stopped first: the next run reads those
/// lines again).
fn save(
    progress: &mut Progress,
    scan: &Scan,
    sender: &Sender,
    runtime: &tokio::runtime::Handle,
) -> Result<(), String> {
    // Through the last complete line: a last line without its line ending
    // may be one still being written.
    let Some((line, fingerprint)) = scan.fingerprint() else {
        return Ok(());
    };
    if line > progress.done_through && runtime.block_on(sender.sync()) {
        progress.save(line, fingerprint)
    } else {
        Ok(())
    }
}

/// Why the sender did not take a line's event.
enum Refused {
    /// The event is not valid: the line is rejected, for this reason.
    Reject(String),
    /// The sender stopped: reading stops too.
    Stop(String),
}

/// What became of the events the sender took, recorded by its callbacks.
struct Outcomes {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    lines: LineMap,
    /// Events numbered below are from an earlier run (with a spool).
    first_sequence: u64,
    sent_events: u64,
    sent_requests: u64,
    failed_events: u64,
    failed_requests: u64,
    /// The failed request whose events are arriving.
    group: Option<FailedGroup>,
    failures: Vec<String>,
    failed_file: Option<FailedFile>,
    /// The first error writing the failed file.
    file_error: Option<String>,
}

/// The events of one failed request: they arrive one after the other and
/// share their error.
struct FailedGroup {
    error: Arc<Error>,
    first_line: u64,
    last_line: u64,
    events: u64,
}

impl Outcomes {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn delivered(&self, request: &Delivered) {
        let mut state = self.state();
        state.sent_events += request.events();
        state.sent_requests += 1;
        state.lines.settle(request.sequences());
    }

    fn failed(&self, event: &FailedEvent) {
        let mut state = self.state();
        let state = &mut *state;
        let sequence = event.sequence();
        // Line 0: an event an earlier run left in the spool.
        let line = if sequence < state.first_sequence {
            0
        } else {
            state.lines.line(sequence)
        };
        let error = event.shared_error();
        match &mut state.group {
            Some(group) if Arc::ptr_eq(&group.error, &error) => {
                group.last_line = line;
                group.events += 1;
            }
            _ => {
                state.close_group();
                state.group = Some(FailedGroup {
                    error,
                    first_line: line,
                    last_line: line,
                    events: 1,
                });
            }
        }
        state.failed_events += 1;
        state.lines.settle(sequence..sequence + 1);
        if let (Some(file), None) = (&mut state.failed_file, &state.file_error) {
            if let Err(error) = file.write(event.json()) {
                state.file_error = Some(error);
            }
        }
    }
}

impl State {
    /// Counts the failed request whose events were arriving, and lists it.
    fn close_group(&mut self) {
        let Some(group) = self.group.take() else {
            return;
        };
        self.failed_requests += 1;
        if self.failures.len() < LISTED {
            let lines = if group.first_line == 0 {
                "events of an earlier run".to_string()
            } else if group.first_line == group.last_line {
                format!("line {}", group.first_line)
            } else {
                format!("lines {}-{}", group.first_line, group.last_line)
            };
            self.failures.push(format!(
                "{lines} ({} events): {}",
                group.events, group.error
            ));
        }
    }

    /// Flushes the failed file; the first error writing it, if any.
    fn finish_file(&mut self) -> Option<String> {
        if let (Some(file), None) = (&mut self.failed_file, &self.file_error) {
            if let Err(error) = file.finish() {
                self.file_error = Some(error);
            }
        }
        self.file_error.clone()
    }
}

fn print(state: &State, target: &str, args: &SendArgs, totals: &ReadTotals) {
    let copied = |path: &Option<std::path::PathBuf>, verb: &str| match path {
        Some(path) => format!(" ({verb} {})", path.display()),
        None => String::new(),
    };
    outln!(
        "sent: {} events in {} requests to {target}",
        state.sent_events,
        state.sent_requests
    );
    outln!(
        "rejected: {} lines{}",
        totals.rejected,
        if totals.rejected > 0 {
            copied(&args.rejects, "copied to")
        } else {
            String::new()
        }
    );
    outln!(
        "failed: {} events in {} requests{}",
        state.failed_events,
        state.failed_requests,
        if state.failed_events > 0 {
            copied(&args.failed, "written to")
        } else {
            String::new()
        }
    );
    if totals.blank_lines > 0 {
        outln!("blank lines skipped: {}", totals.blank_lines);
    }
    if !totals.rejections.is_empty() {
        outln!("\nrejected lines (not sent):");
        for (line, reason) in &totals.rejections {
            outln!("  line {line}: {reason}");
        }
        let unlisted = totals.rejected - totals.rejections.len() as u64;
        if unlisted > 0 {
            outln!("  … and {unlisted} more; `algolia-insights validate` lists them all");
        }
    }
    if !state.failures.is_empty() {
        outln!("\nfailed requests:");
        for failure in &state.failures {
            outln!("  {failure}");
        }
        let unlisted = state
            .failed_requests
            .saturating_sub(state.failures.len() as u64);
        if unlisted > 0 {
            outln!("  … and {unlisted} more");
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

    fn write(&mut self, json: &str) -> Result<(), String> {
        self.out
            .write_all(json.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|error| format!("cannot write {}: {error}", self.path))
    }

    fn finish(&mut self) -> Result<(), String> {
        self.out
            .flush()
            .map_err(|error| format!("cannot write {}: {error}", self.path))
    }
}
