//! Reading durable events back from the segments, in order, for delivery:
//! a chunk at a time, never past what the writer has synced.

use super::format::{self, Decoded};
use super::log::Log;
use super::settled::Settled;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::PathBuf;

/// The bytes read at once (more when one event is larger).
const CHUNK: usize = 1 << 20;

#[derive(Debug)]
pub(crate) struct Reader {
    /// The segment read, by its first event's number.
    base: u64,
    path: PathBuf,
    file: Option<File>,
    offset: u64,
    /// The number of the next event read.
    pub next: u64,
    /// Events settled already (when the spool was opened): skipped.
    skip: Settled,
}

/// Events read: their numbers and JSON, each a range of `buf`.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub buf: Vec<u8>,
    pub events: Vec<(u64, Range<usize>)>,
    /// The number of the event after the last one read.
    pub end: u64,
}

impl Reader {
    /// A reader from the oldest segment, skipping the events `settled`.
    pub fn new(log: &Log, settled: Settled) -> Self {
        let state = log.state();
        let first = state.segments.front().expect("a spool has a segment");
        Reader {
            base: first.base,
            path: first.path.clone(),
            file: None,
            offset: format::HEADER_LEN as u64,
            next: first.base,
            skip: settled,
        }
    }

    /// Reads the next durable events into `chunk` (emptied first); none
    /// when everything durable is read.
    pub fn read(&mut self, log: &Log, chunk: &mut Chunk) -> io::Result<()> {
        chunk.buf.clear();
        chunk.events.clear();
        chunk.end = self.next;
        let end = loop {
            let state = log.state();
            let Some(at) = state.segments.iter().position(|s| s.base == self.base) else {
                // Deleted, so all settled: go on from the oldest left.
                let first = state.segments.front().expect("a spool has a segment");
                self.switch(first.base, first.path.clone());
                continue;
            };
            let segment = &state.segments[at];
            if self.offset < segment.durable_len {
                break segment.durable_len;
            }
            match state.segments.get(at + 1) {
                Some(next) => {
                    let (base, path) = (next.base, next.path.clone());
                    drop(state);
                    self.switch(base, path);
                }
                None => return Ok(()),
            }
        };
        let want = usize::try_from(end - self.offset).unwrap_or(usize::MAX);
        self.fill(&mut chunk.buf, want.min(CHUNK))?;
        let mut at = 0;
        loop {
            match format::decode(&chunk.buf[at..]) {
                Decoded::Event { len, .. } => {
                    if !self.skip.contains(self.next) {
                        let start = at + format::RECORD_HEADER_LEN;
                        chunk.events.push((self.next, start..at + len));
                    }
                    self.next += 1;
                    at += len;
                }
                Decoded::Settled { len, .. } | Decoded::SettledRun { len, .. } => at += len,
                Decoded::Incomplete { needed } => {
                    if at == 0 && needed <= want {
                        // One event larger than a chunk: read all of it.
                        self.fill(&mut chunk.buf, needed)?;
                        continue;
                    }
                    break;
                }
                Decoded::Damaged(reason) => {
                    // Only what this process wrote or checked at opening is
                    // read here, so this means the file changed under us.
                    tracing::error!(
                        path = %self.path.display(),
                        offset = self.offset + at as u64,
                        reason,
                        "a spool file was changed while in use: the rest of it is skipped"
                    );
                    self.offset = end;
                    chunk.buf.truncate(at);
                    chunk.end = self.next;
                    return Ok(());
                }
            }
        }
        self.offset += at as u64;
        chunk.buf.truncate(at);
        chunk.end = self.next;
        Ok(())
    }

    fn switch(&mut self, base: u64, path: PathBuf) {
        self.base = base;
        self.path = path;
        self.file = None;
        self.offset = format::HEADER_LEN as u64;
        self.next = self.next.max(base);
    }

    /// Reads `len` bytes at the offset into `buf` (replacing its content).
    fn fill(&mut self, buf: &mut Vec<u8>, len: usize) -> io::Result<()> {
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(File::open(&self.path)?),
        };
        file.seek(SeekFrom::Start(self.offset))?;
        buf.clear();
        buf.resize(len, 0);
        file.read_exact(buf)
    }
}
