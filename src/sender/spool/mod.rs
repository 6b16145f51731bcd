//! An on-disk queue for the [`Sender`](super::Sender): events it has taken
//! survive a crash, a kill or a restart, and are delivered by the next
//! sender opened on the same directory.
//!
//! ```no_run
//! use algolia_insights::sender::{SenderConfig, Spool, SpoolConfig};
//! use algolia_insights::Client;
//! use std::time::Duration;
//!
//! # async fn run(event: algolia_insights::models::EventsItems) -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::new("APP_ID", "API_KEY")?;
//! let spool = Spool::open(SpoolConfig::new("/var/lib/my-app/insights-spool"))?;
//! println!("{} events left by the last run", spool.recovery().events);
//! let sender = client.spooled_sender(SenderConfig::new(), spool);
//! sender.send(event).await?; // returns once the event is on disk
//! let report = sender.shutdown(Duration::from_secs(10)).await;
//! println!("{} events stay in the spool for the next start", report.spooled);
//! # Ok(())
//! # }
//! ```
//!
//! - **Acknowledged once durable.** [`send`](super::Sender::send) returns
//!   once the event is written and `fsync`ed. The spool syncs in groups, at
//!   most once per [`sync_interval`](SpoolConfig::sync_interval) (5 ms by
//!   default) unless a flush or a shutdown waits: that, plus one `fsync`, is
//!   the longest `send` waits for the disk.
//!   [`try_send`](super::Sender::try_send) cannot wait: its event is
//!   durable within that window; [`sync`](super::Sender::sync) waits for it.
//!   A [`flush`](super::Sender::flush) or a shutdown does not wait out the
//!   interval: the writes it waits for go at once.
//! - **At least once, across restarts.** An event leaves the spool once
//!   the API accepted it, or rejected it (it goes to the failure handler
//!   and, if set, to the [`dead_letter`](SpoolConfig::dead_letter) file).
//!   Retryable failures (timeouts, 5xx, 429) are retried without a limit:
//!   waiting out an outage is what the spool is for. Each accepted request
//!   and each rejected event is recorded in the spool with the next sync:
//!   after a crash, only the events whose request was in flight or whose
//!   answer came within that last sync window are sent again.
//! - **What the spool holds goes first.** A sender opened on a spool
//!   delivers its events, oldest first, before those it is given.
//! - **Bounded.** On disk by [`max_bytes`](SpoolConfig::max_bytes), in
//!   memory by the sender's `queue_capacity` and the spool's write buffer:
//!   at a bound, or while the disk refuses writes (full), `send` waits and
//!   `try_send` fails with [`SendError::Full`](super::SendError::Full).
//!   No event is dropped for room.
//! - **One writer.** The directory is locked while a spool is open: a
//!   second process gets [`SpoolError::Locked`].
//! - **Damage costs only itself.** Every record carries a marker, its
//!   event's number and a CRC-32. Damage anywhere (flipped bits, a zeroed
//!   page, a file cut short or deleted, a damaged header) loses only the
//!   records it touched: reading resumes at the next valid record, at
//!   opening and while running, and every valid record is delivered. Each
//!   damaged stretch is in [`Recovery::damaged`] (file, offset, bytes, the
//!   event numbers it may have held) and logged at `warn`; the numbers it
//!   held are settled as lost, so that no flush or shutdown waits for
//!   them. A torn last record (the machine stopped mid-write, so never
//!   acknowledged) is cut off.
//! - **Versioned.** The format has a version (2). A spool of version 1,
//!   left by 0.1, is rewritten in version 2 when opened
//!   ([`Recovery::migrated_segments`]), file by file, each replaced only
//!   once its new form is durable; a newer version is refused with
//!   [`SpoolError::UnsupportedVersion`], never misread.
//! - **Disk given back.** Segments are deleted once every event in them is
//!   settled; once every event is, the segment written to is too (a new,
//!   empty one begins), within a sync interval.
//!
//! The files: append-only segments `<first event number>.seg` and a `LOCK`
//! file. README.md says why this and not an embedded database, with
//! figures.

mod config;
mod dead_letter;
mod error;
mod feed;
mod format;
mod log;
mod migrate;
mod reader;
mod recover;
mod scan;
mod settled;
mod tail;
mod writer;

/// A fresh, empty directory for one of the spool's unit tests: `name`
/// (which says the test's module too) under the system's temporary
/// directory, this process's own.
#[cfg(test)]
fn test_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join("algolia-insights-spool-tests")
        .join(format!("{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub use config::SpoolConfig;
pub use error::SpoolError;
pub use recover::{Damage, DamageKind, Recovery};

use super::state::Shared;
use super::{Delivered, FailedEvent, SenderConfig};
use bytes::Bytes;
use dead_letter::DeadLetter;
use log::{Appended, Log, LogState, Segment};
use std::fmt;
use std::path::Path;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// An open spool directory, locked for this process, ready to be given to
/// [`Client::spooled_sender`](crate::Client::spooled_sender); see the
/// [`sender` module](crate::sender).
pub struct Spool {
    log: Arc<Log>,
    writer: Option<writer::Writer>,
    recovery: Recovery,
    dead_letter: Option<Arc<DeadLetter>>,
}

impl fmt::Debug for Spool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Spool")
            .field("dir", &self.log.dir)
            .field("recovery", &self.recovery)
            .finish_non_exhaustive()
    }
}

impl Spool {
    /// Opens (or creates) the spool in `config`'s directory: locks it,
    /// upgrades files of format version 1, and reads what it holds, past
    /// any damage ([`Recovery::damaged`]), cutting off a torn last record.
    ///
    /// # Errors
    ///
    /// [`SpoolError::Locked`] when another spool has the directory,
    /// [`SpoolError::UnsupportedVersion`] for files of a newer format,
    /// [`SpoolError::NotASpool`] when the directory has no lock file and
    /// no file named like a segment holds a valid header or record (it is
    /// not a spool),
    /// [`SpoolError::Io`] when the directory or a file cannot be read or
    /// written.
    pub fn open(config: SpoolConfig) -> Result<Spool, SpoolError> {
        let dir = config.dir.clone();
        let opened = recover::open(&dir)?;
        let mut segments: std::collections::VecDeque<Segment> = opened
            .segments
            .iter()
            .map(|found| Segment {
                base: found.base,
                path: found.path.clone(),
                durable_len: found.len,
                durable_next: opened.next,
            })
            .collect();
        // Writes go on at the end of the last segment, or a first one.
        let (head, head_len) = match segments.back() {
            Some(last) => {
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&last.path)
                    .map_err(SpoolError::io(&last.path, "opening"))?;
                std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(last.durable_len))
                    .map_err(SpoolError::io(&last.path, "opening"))?;
                (file, last.durable_len)
            }
            None => {
                let path = dir.join(format::segment_name(opened.next));
                let file = writer::create_segment(&path, &format::header(opened.next), &dir)
                    .map_err(SpoolError::io(&path, "creating"))?;
                let len = format::HEADER_LEN as u64;
                segments.push_back(Segment {
                    base: opened.next,
                    path,
                    durable_len: len,
                    durable_next: opened.next,
                });
                (file, len)
            }
        };
        let dead_letter = match &config.dead_letter {
            Some(path) => Some(Arc::new(
                DeadLetter::open(path.clone())
                    .map_err(SpoolError::io(path, "opening the dead-letter file"))?,
            )),
            None => None,
        };
        let stored = segments.iter().map(|s| s.durable_len).sum();
        let settled_below = opened.settled.below();
        let log = Arc::new(Log {
            dir,
            sync_interval: config.sync_interval,
            max_bytes: config.max_bytes,
            segment_bytes: config.effective_segment_bytes(),
            write_buffer_bytes: config.write_buffer_bytes,
            state: Mutex::new(LogState {
                pending: Vec::new(),
                next: opened.next,
                stored,
                segments,
                settled_written: settled_below,
                // The events lost to damage are settled: written as such.
                unwritten_runs: opened.lost,
                settled: opened.settled,
                closing: false,
                finished: false,
                abandon: false,
                writer_idle: false,
                writer_pausing: false,
                flush_targets: Default::default(),
                tails: tail::Tails::default(),
            }),
            work: Condvar::new(),
            durable: watch::Sender::new(opened.next),
            settled: watch::Sender::new(settled_below),
            writer_stopped: AtomicBool::new(false),
            room: Notify::new(),
            feeder: Notify::new(),
            lock: Mutex::new(Some(opened.lock)),
            given_up: Mutex::new(Vec::new()),
            dead_letter: dead_letter.clone(),
            written: std::sync::atomic::AtomicU64::new(0),
            bytes_read: std::sync::atomic::AtomicU64::new(0),
            lost: std::sync::atomic::AtomicU64::new(0),
        });
        crate::metrics::set_spool_bytes(stored);
        crate::metrics::set_spool_events(opened.recovery.events);
        crate::metrics::spool_damaged_records(opened.recovery.damaged.len() as u64);
        Ok(Spool {
            writer: Some(writer::Writer {
                log: Arc::clone(&log),
                head,
                head_len,
                spare: Vec::new(),
                last_sync: None,
            }),
            log,
            recovery: opened.recovery,
            dead_letter,
        })
    }

    /// What opening found: the events waiting for delivery, and any
    /// damage.
    pub fn recovery(&self) -> &Recovery {
        &self.recovery
    }

    /// The spool's directory.
    pub fn dir(&self) -> &Path {
        &self.log.dir
    }

    /// The sender's settings as a spool needs them: retryable failures are
    /// retried without a limit; each accepted request and each rejected
    /// event is settled in the spool, a rejected event after it went to the
    /// dead-letter file, and then to the caller's handlers.
    pub(crate) fn adapt(&self, mut config: SenderConfig) -> SenderConfig {
        config.max_retries = u32::MAX;
        let log = Arc::clone(&self.log);
        let on_delivered = config.on_delivered.take();
        config.on_delivered = Some(Arc::new(move |delivered: Delivered| {
            log.settle(delivered.sequences());
            if let Some(handler) = &on_delivered {
                handler(delivered);
            }
        }));
        let log = Arc::clone(&self.log);
        let dead_letter = self.dead_letter.clone();
        let on_failure = config.on_failure.take();
        config.on_failure = Some(Arc::new(move |failed: FailedEvent| {
            if let Some(dead_letter) = &dead_letter {
                dead_letter.write(failed.json());
            }
            let number = failed.sequence();
            match &on_failure {
                Some(handler) => handler(failed),
                None => match &dead_letter {
                    Some(dead_letter) => tracing::error!(
                        error = %failed.error(),
                        dead_letter = %dead_letter.path.display(),
                        "an Insights event was rejected: it is in the dead-letter file"
                    ),
                    None => tracing::error!(
                        error = %failed.error(),
                        event = failed.json(),
                        "an Insights event could not be delivered (set SenderConfig::on_failure to handle it)"
                    ),
                },
            }
            log.settle(number..number + 1);
        }));
        config
    }

    /// Starts the writer thread and the tasks that feed the sender.
    pub(crate) fn attach(mut self, shared: &Arc<Shared>) -> Arc<Spooled> {
        let log = Arc::clone(&self.log);
        let writer = self.writer.take().expect("a spool is attached once");
        let started = !shared.closed.load(SeqCst);
        let started = started
            && match writer.spawn() {
                Ok(_) => true,
                Err(error) => {
                    tracing::error!(error = %error, "could not start the spool's writer thread: the sender refuses every event");
                    false
                }
            };
        if started {
            let settled = log.state().settled.clone();
            let reader = reader::Reader::new(&log, settled);
            tokio::spawn(feed::feed(Arc::clone(shared), Arc::clone(&log), reader));
        } else {
            shared.closed.store(true, SeqCst);
            shared.close();
            log.close();
            release(&log);
        }
        Arc::new(Spooled { log })
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        // Never attached: nothing was started; let the directory go.
        if self.writer.is_some() {
            release(&self.log);
        }
    }
}

fn release(log: &Log) {
    log.writer_stopped.store(true, SeqCst);
    log.lock
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
}

/// The spool side of a [`Sender`](super::Sender).
pub(crate) struct Spooled {
    log: Arc<Log>,
}

/// Where `send` got with an event, with a spool.
pub(crate) enum Admitted {
    Taken(u64),
    Full,
    Closed,
}

impl Spooled {
    /// Takes an event's JSON, if there is room.
    pub fn admit(&self, json: &[u8]) -> Admitted {
        match self.log.append(json) {
            Appended::Taken(number) => Admitted::Taken(number),
            Appended::Full => Admitted::Full,
            Appended::Closed => Admitted::Closed,
        }
    }

    /// Waits for room, then takes the event and waits until it is durable;
    /// `false` when the spool stopped first (the caller hands the event back).
    pub async fn wait_and_append(&self, json: Vec<u8>) -> bool {
        loop {
            let mut room = pin!(self.log.room.notified());
            room.as_mut().enable();
            match self.log.append(&json) {
                Appended::Taken(number) => return self.durable(number).await,
                Appended::Closed => return false,
                Appended::Full if self.log.writer_stopped.load(SeqCst) => return false,
                Appended::Full => room.await,
            }
        }
    }

    /// Waits until event `number` is durable; `false` when the spool
    /// stopped first.
    pub async fn durable(&self, number: u64) -> bool {
        self.log.durable(number).await
    }

    /// Waits until every event taken so far is durable: `false` when the
    /// spool stopped first (some never will be).
    pub async fn sync(&self) -> bool {
        let next = self.log.state().next;
        next == 0 || self.log.durable(next - 1).await
    }

    /// Waits until every event taken so far is settled (or the spool stopped).
    pub async fn flush(&self) {
        let (target, pausing) = {
            let mut state = self.log.state();
            let target = state.next;
            state.add_flush(target);
            (target, state.writer_pausing)
        };
        if pausing {
            // The events it waits for are written without waiting out the
            // sync interval.
            self.log.work.notify_one();
        }
        self.log.feeder.notify_one();
        let mut settled = self.log.settled.subscribe();
        let _ = settled
            .wait_for(|&s| s >= target || self.log.writer_stopped.load(SeqCst))
            .await;
    }

    /// Takes no more events; the sender closes once the spool is fed to it.
    pub fn close(&self) {
        self.log.close();
    }

    /// At a shutdown's deadline: the writer gives up what it cannot write.
    pub fn abandon(&self) {
        self.log.abandon();
    }

    /// Waits up to `deadline` for the writer to stop; the events it never
    /// wrote, and those left in the spool.
    pub async fn finish(&self, deadline: Duration) -> (Vec<(u64, Bytes)>, u64) {
        // The sender has stopped: nothing more will be settled.
        self.log.finish();
        let mut settled = self.log.settled.subscribe();
        let stopped = settled.wait_for(|_| self.log.writer_stopped.load(SeqCst));
        if tokio::time::timeout(deadline, stopped).await.is_err() {
            tracing::warn!("the spool's writer did not stop in time");
        }
        let given_up = std::mem::take(
            &mut *self
                .log
                .given_up
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let left = self.log.unsettled();
        (given_up, left)
    }

    /// Events taken and not yet settled.
    pub fn unsettled(&self) -> u64 {
        self.log.unsettled()
    }

    /// Bytes written to the spool's files by this sender.
    pub fn written(&self) -> u64 {
        self.log.written.load(SeqCst)
    }

    /// Bytes read back from the spool's files by this sender.
    pub fn bytes_read(&self) -> u64 {
        self.log.bytes_read.load(SeqCst)
    }

    /// Events lost to damage found while running.
    pub fn lost(&self) -> u64 {
        self.log.lost.load(SeqCst)
    }
}
