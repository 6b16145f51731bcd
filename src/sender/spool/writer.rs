//! The writer thread: takes the records appended since its last write,
//! writes them to the current segment and `fsync`s them, at most once per
//! sync interval unless a flush or a shutdown waits for the write (group
//! commit: one `fsync` makes every event taken in the meantime durable). It starts a new segment when the current one is
//! full, deletes segments whose events are all settled, and never drops a
//! record it could not write: a failed write (a full disk) is cut off and
//! tried again, while the write buffer fills up and senders wait.

use super::format::{self, Content, Decoded};
use super::log::{Log, LogState, Segment};
use bytes::Bytes;
use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long the thread sleeps between checks that it is still wanted.
const IDLE_CHECK: Duration = Duration::from_secs(1);
const FIRST_RETRY: Duration = Duration::from_millis(50);
const LAST_RETRY: Duration = Duration::from_secs(2);

pub(crate) struct Writer {
    pub log: Arc<Log>,
    /// The segment written to, its length and first event's number.
    pub head: File,
    pub head_len: u64,
    pub spare: Vec<u8>,
    pub last_sync: Option<Instant>,
}

impl Writer {
    /// Runs the writer on its own thread. The events it had to give up (a
    /// shutdown's deadline passed while the disk refused writes) are left
    /// in [`Log::given_up`].
    pub fn spawn(self) -> io::Result<std::thread::JoinHandle<()>> {
        std::thread::Builder::new()
            .name("insights-spool-writer".into())
            .spawn(move || self.run())
    }

    fn run(mut self) {
        let mut retry = FIRST_RETRY;
        loop {
            let mut state = self.log.state();
            loop {
                if !state.pending.is_empty()
                    || state.settled.below() > state.settled_written
                    || !state.unwritten_runs.is_empty()
                {
                    break;
                }
                if state.finished && state.closing {
                    drop(state);
                    return self.stop(Vec::new());
                }
                // Every sender and task is gone without a shutdown.
                if Arc::strong_count(&self.log) == 1 {
                    drop(state);
                    return self.stop(Vec::new());
                }
                state.writer_idle = true;
                state = self
                    .log
                    .work
                    .wait_timeout(state, IDLE_CHECK)
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .0;
            }
            state.writer_idle = false;
            if let Some(due) = self.last_sync.map(|last| last + self.log.sync_interval) {
                state = pause_until(&self.log, due, state);
            }
            let mut buf = std::mem::replace(&mut state.pending, std::mem::take(&mut self.spare));
            let end = state.next;
            // What is settled goes after the events: runs still above the
            // mark, and the mark when it moved.
            let records_len = buf.len();
            let settled = state.settled.below();
            let runs = std::mem::take(&mut state.unwritten_runs);
            for run in runs.iter().filter(|run| run.end > settled) {
                format::push_settled_run(&mut buf, end, run.clone());
            }
            let writes_settled = settled > state.settled_written;
            if writes_settled {
                format::push_settled(&mut buf, end, settled);
            }
            let settling = (buf.len() - records_len) as u64;
            state.stored += settling;
            drop(state);
            let first = *self.log.durable.borrow();
            if settling > 0 {
                if let Some(dead_letter) = &self.log.dead_letter {
                    // The rejected events are in it before they leave the spool.
                    dead_letter.sync();
                }
            }

            match self.write(&buf, first, records_len > 0) {
                Ok(at) => {
                    retry = FIRST_RETRY;
                    self.last_sync = Some(Instant::now());
                    buf = self.written(end, writes_settled.then_some(settled), at, buf);
                    self.give_back(end);
                    self.publish_gauges();
                }
                Err(error) => {
                    let mut state = self.log.state();
                    buf.truncate(records_len);
                    state.stored -= settling;
                    state.unwritten_runs.extend(runs);
                    // Put the records back in front of those taken since.
                    buf.extend_from_slice(&state.pending);
                    std::mem::swap(&mut state.pending, &mut buf);
                    let abandon = state.abandon;
                    drop(state);
                    if abandon {
                        let pending = std::mem::take(&mut self.log.state().pending);
                        tracing::error!(
                            error = %error,
                            "the spool could not write its last events before the shutdown deadline"
                        );
                        return self.stop(events(&pending));
                    }
                    tracing::error!(
                        error = %error,
                        dir = %self.log.dir.display(),
                        retry_ms = retry.as_millis() as u64,
                        "the spool cannot write (is the disk full?): senders wait until it can"
                    );
                    let state = self.log.state();
                    let _ = self.log.work.wait_timeout(state, retry);
                    retry = (retry * 2).min(LAST_RETRY);
                }
            }
            buf.clear();
            self.spare = buf;
        }
    }

    /// Writes and syncs `buf`, whose first event is numbered `first`,
    /// starting a new segment first when the current one is full: the
    /// offset it was written at. On an error the current segment is cut
    /// back to its last good length.
    fn write(&mut self, buf: &[u8], first: u64, has_events: bool) -> io::Result<u64> {
        // A segment is named by its first event: a new one begins with an
        // event (settled records alone go on in the full one), and a full
        // one that took no event since it began goes on.
        let head_base = self.log.state().segments.back().map_or(0, |s| s.base);
        if self.head_len >= self.log.segment_bytes && has_events && first > head_base {
            self.roll(first)?;
        }
        let written = self
            .head
            .write_all(buf)
            .and_then(|()| self.head.sync_data());
        if let Err(error) = written {
            let _ = self.head.set_len(self.head_len);
            let _ = self.head.seek(SeekFrom::Start(self.head_len));
            return Err(error);
        }
        let at = self.head_len;
        self.head_len += buf.len() as u64;
        self.log.written.fetch_add(buf.len() as u64, SeqCst);
        Ok(at)
    }

    /// Starts the segment whose first event is numbered `base`. It begins
    /// with the settled mark written so far: opening takes the events
    /// before the oldest segment that no record settled for a file gone
    /// missing, and the older segments may be deleted before this one
    /// holds another settled record (when the disk is given back).
    fn roll(&mut self, base: u64) -> io::Result<()> {
        let path = self.log.dir.join(format::segment_name(base));
        let settled_written = self.log.state().settled_written;
        let mut start = format::header(base).to_vec();
        if settled_written > 0 {
            format::push_settled(&mut start, base, settled_written);
        }
        let head = create_segment(&path, &start, &self.log.dir)?;
        let len = start.len() as u64;
        self.head = head;
        self.head_len = len;
        self.log.written.fetch_add(len, SeqCst);
        let mut state = self.log.state();
        state.stored += len;
        state.segments.push_back(Segment {
            base,
            path,
            durable_len: len,
            durable_next: base,
        });
        // A reader that gets to the new segment finds its start in memory.
        state.tails.start(base, &start);
        Ok(())
    }

    /// After a write of `bytes` at offset `at` of the current segment:
    /// publishes what is durable and settled, keeps the bytes for the
    /// reader, and deletes the segments whose events are all settled. The
    /// buffer for the next write comes back.
    fn written(&mut self, end: u64, settled: Option<u64>, at: u64, bytes: Vec<u8>) -> Vec<u8> {
        let mut state = self.log.state();
        let mut spare = bytes;
        if let Some(head) = state.segments.back_mut() {
            head.durable_len = self.head_len;
            head.durable_next = end;
            let base = head.base;
            let max = self.log.write_buffer_bytes;
            spare = state.tails.keep(base, at, spare, max);
        }
        if let Some(settled) = settled {
            state.settled_written = state.settled_written.max(settled);
        }
        drop(state);
        self.delete_settled();
        self.log.durable.send_replace(end);
        if let Some(settled) = settled {
            self.log.settled.send_replace(settled);
        }
        self.log.feeder.notify_one();
        self.log.room.notify_waiters();
        spare
    }

    /// The spool's gauges: its bytes on disk (and pending), its unsettled
    /// events (counted only when metrics are recorded).
    fn publish_gauges(&self) {
        if !cfg!(feature = "metrics") {
            return;
        }
        let state = self.log.state();
        let (stored, unsettled) = (state.stored, state.settled.unsettled_in(0..state.next));
        drop(state);
        crate::metrics::set_spool_bytes(stored);
        crate::metrics::set_spool_events(unsettled);
    }

    /// Deletes the segments whose events are all settled (all but the one
    /// written to).
    fn delete_settled(&self) {
        let mut state = self.log.state();
        let mut deleted = Vec::new();
        while state.segments.len() > 1 && state.segments[1].base <= state.settled_written {
            let segment = state.segments.pop_front().expect("two segments");
            state.stored -= segment.durable_len;
            deleted.push(segment.path);
        }
        drop(state);
        for path in deleted {
            if let Err(error) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %error, "could not delete a settled spool file");
            }
        }
    }

    /// Once every event written (those numbered below `end`) is settled,
    /// and that is written: a new segment begins, and the one written to
    /// so far is deleted, so that a settled spool holds no event's bytes.
    fn give_back(&mut self, end: u64) {
        let (settled_written, head_base) = {
            let state = self.log.state();
            let head_base = state.segments.back().map_or(end, |s| s.base);
            (state.settled_written, head_base)
        };
        if settled_written < end || head_base >= end {
            return;
        }
        match self.roll(end) {
            Ok(()) => self.delete_settled(),
            Err(error) => tracing::warn!(
                error = %error,
                dir = %self.log.dir.display(),
                "could not start a new spool file to delete the settled one: it stays until the next"
            ),
        }
    }

    fn stop(self, given_up: Vec<(u64, Bytes)>) {
        *self
            .log
            .given_up
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = given_up;
        drop(self.head);
        // The directory is free before anyone hears that the writer stopped.
        self.log
            .lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        self.log.writer_stopped.store(true, SeqCst);
        // Wakes whoever waits for an event to be durable or settled.
        self.log.durable.send_modify(|_| {});
        self.log.settled.send_modify(|_| {});
        self.log.room.notify_waiters();
    }
}

/// Creates a segment with its first bytes (`start`: its header, and what
/// follows it), durable (the file and its name). A file that could not be
/// made whole is removed, so that the next try can create it again.
pub(crate) fn create_segment(path: &Path, start: &[u8], dir: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new().create_new(true).write(true).open(path)?;
    let made = file
        .write_all(start)
        .and_then(|()| file.sync_all())
        .and_then(|()| sync_dir(dir));
    if let Err(error) = made {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(error);
    }
    Ok(file)
}

/// Makes the directory's entries durable (a new file's name).
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// The events' numbers and JSON in a run of records.
fn events(mut records: &[u8]) -> Vec<(u64, Bytes)> {
    let mut events = Vec::new();
    while !records.is_empty() {
        match format::decode(records) {
            Decoded::Record {
                content: Content::Event { number },
                len,
            } => {
                let json = format::payload(&records[..len]);
                events.push((number, Bytes::copy_from_slice(json)));
                records = &records[len..];
            }
            Decoded::Record { len, .. } => records = &records[len..],
            Decoded::Incomplete { .. } | Decoded::Damaged(_) => break,
        }
    }
    events
}

/// Waits until `due`, the sync interval after the last sync, so that what
/// comes meanwhile shares the next `fsync`; but not while a flush or a
/// shutdown waits for the next write: someone waits, now.
fn pause_until<'a>(
    log: &'a Log,
    due: Instant,
    mut state: MutexGuard<'a, LogState>,
) -> MutexGuard<'a, LogState> {
    state.writer_pausing = true;
    while let Some(wait) = due.checked_duration_since(Instant::now()) {
        if shutdown_waits(&state) || flush_waits(log, &mut state) {
            break;
        }
        state = log
            .work
            .wait_timeout(state, wait)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    state.writer_pausing = false;
    state
}

/// Whether a flush waits for the next write: for events it covers to be
/// durable, or, every one of some flush's events settled, for that to be
/// recorded. (While they are being delivered, what is settled meanwhile is
/// written at the usual pace.) Flushes already done are forgotten.
fn flush_waits(log: &Log, state: &mut LogState) -> bool {
    let waiting = state.waiting_flushes();
    let (Some(&lowest), Some(&highest)) = (waiting.first(), waiting.last()) else {
        return false;
    };
    *log.durable.borrow() < highest || state.settled.below() >= lowest
}

/// Whether a shutdown waits for the next write: for the events taken
/// before it, or, once the sender stopped, for what was settled last.
/// (While the spool is delivered, what is settled meanwhile is written at
/// the usual pace.)
fn shutdown_waits(state: &LogState) -> bool {
    state.closing && (!state.pending.is_empty() || state.finished)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sender::spool::{Spool, SpoolConfig};

    fn fresh_spool(name: &str) -> Spool {
        let dir = crate::sender::spool::test_dir(&format!("writer-{name}"));
        Spool::open(SpoolConfig::new(&dir)).unwrap()
    }

    /// Two flushes wait, for events below 100 and below 200, all durable.
    /// Once the first one's are settled, the write that records it is
    /// awaited, though the second one's are still being delivered; once it
    /// is written, the rest of what is settled goes at the usual pace.
    #[test]
    fn the_earlier_of_two_flushes_does_not_wait_for_the_later() {
        let spool = fresh_spool("two-flushes");
        let log = &spool.log;
        log.durable.send_replace(200);
        let mut state = log.state();
        state.next = 200;
        state.add_flush(100);
        state.add_flush(200);
        assert!(!flush_waits(log, &mut state), "nothing settled yet");
        state.settled.settle(0..150);
        assert!(
            flush_waits(log, &mut state),
            "the first flush's events are settled"
        );
        state.settled_written = 150;
        assert!(!flush_waits(log, &mut state), "the second flush's are not");
        assert_eq!(state.waiting_flushes().len(), 1, "the first flush is done");
        state.settled.settle(150..200);
        assert!(
            flush_waits(log, &mut state),
            "the second flush's events are settled"
        );
    }

    /// Events a flush covers that are not durable yet are awaited.
    #[test]
    fn a_flush_waits_for_its_events_to_be_written() {
        let spool = fresh_spool("flush-events");
        let log = &spool.log;
        let mut state = log.state();
        state.next = 10;
        assert!(!flush_waits(log, &mut state), "no flush");
        state.add_flush(10);
        assert!(flush_waits(log, &mut state), "its events are not durable");
        log.durable.send_replace(10);
        assert!(!flush_waits(log, &mut state), "durable, not delivered yet");
    }
}
