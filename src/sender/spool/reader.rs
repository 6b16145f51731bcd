//! Reading durable events back from the segments, in order, for delivery:
//! a chunk at a time, never past what the writer has synced. Damage found
//! here (the file changed after the spool was opened) costs only the
//! records it touched: reading goes on at the next valid record, and the
//! numbers of the events it may have held are handed back as lost, so that
//! they are settled and nothing waits for them.

use super::format::{self, Content};
use super::log::Log;
use super::scan::{Item, SegmentScan, Stretch};
use super::settled::Settled;
use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::PathBuf;

/// The bytes of events read at once (more when one event is larger).
const CHUNK: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct Reader {
    /// The segment read, by its first event's number.
    base: u64,
    path: PathBuf,
    scan: Option<SegmentScan>,
    /// The number of the next event expected.
    next: u64,
    /// Events settled already (when the spool was opened, lost ones
    /// included): skipped.
    skip: Settled,
    /// Bytes read from the files of segments read before this one.
    file_bytes: u64,
}

/// Events read: their numbers and JSON, each a range of `buf`.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub buf: Vec<u8>,
    pub events: Vec<(u64, Range<usize>)>,
    /// Numbers of events that damage destroyed: to settle as lost.
    pub lost: Vec<Range<u64>>,
    /// Damaged stretches met, by file.
    pub damaged: Vec<(PathBuf, Stretch)>,
}

impl Chunk {
    fn clear(&mut self) {
        self.buf.clear();
        self.events.clear();
        self.lost.clear();
        self.damaged.clear();
    }
}

/// Where the reader is against what is durable.
struct Position {
    /// The durable length of the segment read.
    durable_len: u64,
    /// The segment after it, if any.
    following: Option<(u64, PathBuf)>,
    /// Events of the segment read are numbered below this.
    end: u64,
}

impl Reader {
    /// A reader from the oldest segment, skipping the events `settled`.
    pub fn new(log: &Log, settled: Settled) -> Self {
        let state = log.state();
        let first = state.segments.front().expect("a spool has a segment");
        Reader {
            base: first.base,
            path: first.path.clone(),
            scan: None,
            next: first.base,
            skip: settled,
            file_bytes: 0,
        }
    }

    /// Whether every event numbered below `number` is read (taken, or
    /// found settled or lost).
    pub fn has_read_below(&self, number: u64) -> bool {
        self.next >= number
    }

    /// The bytes read from the files so far (not those found in memory).
    pub fn file_bytes(&self) -> u64 {
        self.file_bytes + self.scan.as_ref().map_or(0, SegmentScan::file_bytes)
    }

    /// Whether every durable event is read.
    pub fn caught_up(&self, log: &Log) -> bool {
        let state = log.state();
        let Some(at) = state.segments.iter().position(|s| s.base == self.base) else {
            return false;
        };
        let segment = &state.segments[at];
        let offset = self
            .scan
            .as_ref()
            .map_or(format::HEADER_LEN as u64, SegmentScan::offset);
        let read_all = offset >= segment.durable_len
            || self
                .scan
                .as_ref()
                .is_some_and(SegmentScan::cut_short_and_read);
        at + 1 == state.segments.len() && read_all && self.next >= segment.durable_next
    }

    /// Reads the next durable events into `chunk` (emptied first); none
    /// when everything durable is read.
    pub fn read(&mut self, log: &Log, chunk: &mut Chunk) -> io::Result<()> {
        chunk.clear();
        loop {
            let position = self.position(log);
            let went_on = if self.scan.is_some() || self.open_segment(&position)? {
                self.read_records(log, &position, chunk)?;
                self.leave_segment_once_read(position, chunk)
            } else {
                self.leave_deleted_segment(log, position, chunk)
            };
            if !went_on {
                return Ok(());
            }
        }
    }

    /// Opens the segment read, for a scan from its first record up to what
    /// is durable; false when its file is gone.
    fn open_segment(&mut self, position: &Position) -> io::Result<bool> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(error) => return Err(error),
        };
        let from = format::HEADER_LEN as u64;
        self.scan = Some(SegmentScan::new(file, from, position.durable_len));
        Ok(true)
    }

    /// Reads the segment's durable records into `chunk` until it holds a
    /// chunk's worth or every one is read: from what the writer kept in
    /// memory where it holds them, else from the file.
    fn read_records(
        &mut self,
        log: &Log,
        position: &Position,
        chunk: &mut Chunk,
    ) -> io::Result<()> {
        let scan = self.scan.as_mut().expect("the segment is open");
        scan.extend_to(position.durable_len);
        let end = position.end;
        while chunk.buf.len() < CHUNK {
            if scan.window_used_up() {
                take_kept_write(log, self.base, scan);
            }
            let Some(item) = scan.next()? else { break };
            match item {
                Item::Record {
                    content: Content::Event { number },
                    ..
                } => {
                    let json = format::payload(scan.record());
                    take(&mut self.next, &self.skip, number, json, end, chunk);
                }
                Item::Record { .. } => {}
                Item::Damaged(stretch) => chunk.damaged.push((self.path.clone(), stretch)),
            }
        }
        Ok(())
    }

    /// Once every durable record of the segment read is read, goes on to
    /// the next segment, the events numbered below its first that were not
    /// found lost; true when it did. The last segment stays open, to read
    /// on as more of it becomes durable.
    fn leave_segment_once_read(&mut self, position: Position, chunk: &mut Chunk) -> bool {
        if !self.scan.as_ref().is_some_and(SegmentScan::at_end) {
            return false;
        }
        lose(&self.skip, self.next..position.end, chunk);
        self.next = self.next.max(position.end);
        match position.following {
            Some((base, path)) => {
                self.switch(base, path);
                true
            }
            None => false,
        }
    }

    /// Goes on past the segment read, whose file is gone: its events not
    /// read yet are lost, or (deleted by the writer, all settled) skipped;
    /// true when there is a next segment to read.
    fn leave_deleted_segment(&mut self, log: &Log, position: Position, chunk: &mut Chunk) -> bool {
        let in_use = log.state().segments.iter().any(|s| s.base == self.base);
        if in_use {
            tracing::warn!(path = %self.path.display(), "a spool file in use was deleted");
        }
        let following = position.following.is_some();
        self.leave_segment(position, in_use, chunk);
        following
    }

    /// Gives up on the segment read, which failed every read: the events
    /// of it not read yet are lost (into `chunk`, emptied first), and
    /// reading goes on with the next segment.
    pub fn skip_unreadable(&mut self, log: &Log, chunk: &mut Chunk) {
        chunk.clear();
        let position = self.position(log);
        let offset = self
            .scan
            .as_ref()
            .map_or(format::HEADER_LEN as u64, SegmentScan::offset);
        let stretch = Stretch {
            offset,
            bytes: position.durable_len.saturating_sub(offset),
            to_end: true,
            torn: false,
            reason: "the file could not be read",
        };
        chunk.damaged.push((self.path.clone(), stretch));
        self.leave_segment(position, true, chunk);
    }

    /// Goes on past the segment read, its events not read yet lost (when
    /// `losing`; else they were settled): to the next segment, or, with
    /// none, reading the rest of this one as if empty.
    fn leave_segment(&mut self, position: Position, losing: bool, chunk: &mut Chunk) {
        if losing {
            lose(&self.skip, self.next..position.end, chunk);
        }
        self.next = self.next.max(position.end);
        match position.following {
            Some((base, path)) => self.switch(base, path),
            None => self.replace_scan(Some(SegmentScan::cut_off(position.durable_len))),
        }
    }

    /// The segment read against what is durable; goes on from the oldest
    /// segment left when it was deleted (so all settled).
    fn position(&mut self, log: &Log) -> Position {
        let state = log.state();
        let at = match state.segments.iter().position(|s| s.base == self.base) {
            Some(at) => at,
            None => {
                let first = state.segments.front().expect("a spool has a segment");
                let (base, path) = (first.base, first.path.clone());
                self.switch(base, path);
                0
            }
        };
        let segment = &state.segments[at];
        let following = state.segments.get(at + 1);
        Position {
            durable_len: segment.durable_len,
            following: following.map(|s| (s.base, s.path.clone())),
            end: following.map_or(segment.durable_next, |s| s.base),
        }
    }

    fn switch(&mut self, base: u64, path: PathBuf) {
        self.base = base;
        self.path = path;
        self.replace_scan(None);
        self.next = self.next.max(base);
    }

    fn replace_scan(&mut self, scan: Option<SegmentScan>) {
        let old = std::mem::replace(&mut self.scan, scan);
        self.file_bytes += old.as_ref().map_or(0, SegmentScan::file_bytes);
    }
}

/// Reads on from the write the writer kept in memory that holds the
/// scan's next offset in the segment `base`, if it kept one, instead of
/// from the file. A buffer goes back to the writer: the scan's old
/// window, or that write when the scan does not take it.
fn take_kept_write(log: &Log, base: u64, scan: &mut SegmentScan) {
    if let Some(tail) = log.take_tail(base, scan.offset()) {
        log.recycle_buffer(scan.read_written(tail.at, tail.bytes));
    }
}

/// Takes the event numbered `number` into `chunk` unless it was settled,
/// counting those missing before it as lost. `next` is the number
/// expected; `end`: every event of the segment read is numbered below it.
fn take(next: &mut u64, skip: &Settled, number: u64, json: &[u8], end: u64, chunk: &mut Chunk) {
    if number < *next || number >= end {
        // Not the segment's next event: never written so, not counted.
        return;
    }
    lose(skip, *next..number, chunk);
    if !skip.contains(number) {
        let start = chunk.buf.len();
        chunk.buf.extend_from_slice(json);
        chunk.events.push((number, start..chunk.buf.len()));
    }
    *next = number + 1;
}

/// Adds the events numbered `range` that were not settled to the lost ones.
fn lose(skip: &Settled, range: Range<u64>, chunk: &mut Chunk) {
    if !range.is_empty() {
        chunk.lost.extend(skip.unsettled_runs(range));
    }
}
