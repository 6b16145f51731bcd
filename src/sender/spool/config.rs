//! The settings of a spool: where it is, how often it syncs, how large it
//! may grow, and where events the API rejected are kept.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The settings of a [`Spool`](super::Spool); all but the directory have a default.
///
/// | setting | default |
/// | --- | --- |
/// | [`sync_interval`](Self::sync_interval): the least time between two `fsync`s | 5 ms |
/// | [`max_bytes`](Self::max_bytes): the most the spool's files take on disk | 1 GiB |
/// | [`segment_bytes`](Self::segment_bytes): when a file is full and the next begins | 64 MiB (at most an eighth of `max_bytes`) |
/// | [`write_buffer_bytes`](Self::write_buffer_bytes): events taken but not yet written | 8 MiB |
/// | [`dead_letter`](Self::dead_letter): a file for the events the API rejected | none |
#[derive(Debug, Clone)]
pub struct SpoolConfig {
    pub(crate) dir: PathBuf,
    pub(crate) sync_interval: Duration,
    pub(crate) max_bytes: u64,
    pub(crate) segment_bytes: u64,
    pub(crate) write_buffer_bytes: usize,
    pub(crate) dead_letter: Option<PathBuf>,
}

/// The smallest cap: two of the largest events and their segments.
const MIN_MAX_BYTES: u64 = 8 << 20;

impl SpoolConfig {
    /// A spool in `dir` (created if missing), with the defaults.
    pub fn new(dir: impl AsRef<Path>) -> Self {
        SpoolConfig {
            dir: dir.as_ref().to_path_buf(),
            sync_interval: Duration::from_millis(5),
            max_bytes: 1 << 30,
            segment_bytes: 64 << 20,
            write_buffer_bytes: 8 << 20,
            dead_letter: None,
        }
    }

    /// The durability window. Events are written and `fsync`ed in groups:
    /// the spool syncs at most once per `interval` (unless a flush or a
    /// shutdown waits, below), and every event taken
    /// meanwhile is made durable by the same `fsync`. So
    /// [`send`](crate::sender::Sender::send) returns at most `interval`
    /// plus one `fsync` after it was called (one `fsync` took 2.7 ms on the
    /// machine of BENCHMARKS.md). Zero syncs as soon as the previous sync
    /// is done: the lowest latency, the most `fsync`s. Longer intervals
    /// spare the disk and wait longer. A [`flush`](crate::sender::Sender::flush)
    /// or a [`shutdown`](crate::sender::Sender::shutdown) does not wait for
    /// the interval: the writes it waits for go at once.
    #[must_use]
    pub fn sync_interval(mut self, interval: Duration) -> Self {
        self.sync_interval = interval;
        self
    }

    /// The most bytes the spool's files may take (at least 8 MiB). When
    /// they take that much, `send` waits and `try_send` fails until
    /// delivered events free space: events are never dropped for room.
    #[must_use]
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes.max(MIN_MAX_BYTES);
        self
    }

    /// The size at which a spool file is closed and the next begins (at
    /// least 64 KiB). A file is deleted once all its events are settled,
    /// so smaller files give space back sooner.
    #[must_use]
    pub fn segment_bytes(mut self, bytes: u64) -> Self {
        self.segment_bytes = bytes.max(64 << 10);
        self
    }

    /// The most bytes of events taken but not yet written (at least 2 MiB,
    /// the largest event). Only reached when the disk is slower than the
    /// senders or refuses writes (full): then `send` waits and `try_send`
    /// fails until the writes go through.
    ///
    /// It also bounds the spool's memory: the events taken, those being
    /// written, the last writes kept in memory so that delivery need not
    /// read them back from the file, and two spare buffers take at most
    /// about seven times this (up to twice that allocated), in buffers that
    /// are reused and only as large as the writes are: small while the
    /// disk keeps up.
    #[must_use]
    pub fn write_buffer_bytes(mut self, bytes: usize) -> Self {
        self.write_buffer_bytes = bytes.max(super::format::MAX_PAYLOAD + 64);
        self
    }

    /// Appends each event that the API rejected (or that could not be
    /// sent for a reason no retry fixes, like a wrong API key) to this
    /// file, one JSON object per line, before it leaves the spool. The
    /// failure handler is still called.
    #[must_use]
    pub fn dead_letter(mut self, path: impl AsRef<Path>) -> Self {
        self.dead_letter = Some(path.as_ref().to_path_buf());
        self
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The segment size in use: the setting, at most an eighth of the cap,
    /// so that settled events at the head of a file never hold much of it.
    pub(crate) fn effective_segment_bytes(&self) -> u64 {
        self.segment_bytes.min(self.max_bytes / 8).max(64 << 10)
    }
}
