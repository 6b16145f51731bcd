//! Reading a segment's records in order, through damage: where the bytes
//! at the reading point are not a valid record, the scan looks for the
//! next offset where one begins (its marker, then its checksum), reports
//! the stretch in between as damaged, and goes on from there. Opening a
//! spool and the running reader both read segments this way.
//!
//! Memory stays bounded: the scan holds a window of the file, at most
//! [`WINDOW`] bytes or one record, whichever is larger, or one write the
//! writer kept in memory (at most about the spool's write buffer), whose
//! room later reads of the file reuse.

use super::format::{self, Content, Decoded, MARKER};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;

/// The bytes read from the file at once.
const WINDOW: usize = 256 << 10;

/// What the scan found next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Item {
    /// A valid record at `offset`, `len` bytes long; its bytes are
    /// [`SegmentScan::record`] until the next call.
    Record {
        offset: u64,
        len: usize,
        content: Content,
    },
    /// Bytes that hold no valid record, followed by one or by the end.
    Damaged(Stretch),
}

/// A damaged stretch of a segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stretch {
    pub offset: u64,
    pub bytes: u64,
    /// It reaches the end of what is read.
    pub to_end: bool,
    /// It begins with what may be a record cut short by the end: a torn write.
    pub torn: bool,
    pub reason: &'static str,
}

/// The records of one segment, from an offset up to an end.
#[derive(Debug)]
pub(crate) struct SegmentScan {
    /// `None` for a file that is gone.
    file: Option<File>,
    /// Records are read up to here (the file's length, or what is durable).
    end: u64,
    /// The offset of the next record.
    offset: u64,
    /// Room for what is read (zeroed once, when it grows): its first
    /// `filled` bytes hold the segment's bytes from `window_at`.
    window: Vec<u8>,
    filled: usize,
    /// The file offset of `window[0]`.
    window_at: u64,
    /// The bytes of the last record returned: `window[last]`.
    last: Range<usize>,
    /// The file turned out shorter than the end: reading stops there.
    cut_short: bool,
    /// The window holds the bytes the writer wrote (not read from the
    /// file): its records need no checksum.
    written: bool,
    /// Bytes read from the file.
    file_bytes: u64,
}

impl SegmentScan {
    /// A scan of `file` from `offset` up to `end`.
    pub fn new(file: File, offset: u64, end: u64) -> Self {
        SegmentScan {
            file: Some(file),
            end,
            offset,
            window: Vec::new(),
            filled: 0,
            window_at: 0,
            last: 0..0,
            cut_short: false,
            written: false,
            file_bytes: 0,
        }
    }

    /// A scan of a file that is gone: nothing more to read from `offset`.
    pub fn cut_off(offset: u64) -> Self {
        SegmentScan {
            file: None,
            end: offset,
            offset,
            window: Vec::new(),
            filled: 0,
            window_at: 0,
            last: 0..0,
            cut_short: true,
            written: false,
            file_bytes: 0,
        }
    }

    /// Reads on from `bytes`, the records the writer wrote at `at`, instead
    /// of from the file: unless the file was found cut short, or `bytes`
    /// do not hold the next offset. The window it held comes back.
    pub fn read_written(&mut self, at: u64, bytes: Vec<u8>) -> Vec<u8> {
        let holds = at <= self.offset && self.offset < at + bytes.len() as u64;
        if self.cut_short || !holds {
            return bytes;
        }
        self.window_at = at;
        self.filled = bytes.len();
        self.written = true;
        self.last = 0..0;
        std::mem::replace(&mut self.window, bytes)
    }

    /// Whether the window holds nothing from the next record on: the next
    /// record is read from the file unless written bytes are given first.
    pub fn window_used_up(&self) -> bool {
        self.offset >= self.window_at + self.filled as u64
    }

    /// The bytes read from the file so far.
    pub fn file_bytes(&self) -> u64 {
        self.file_bytes
    }

    /// The offset of the next record.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads on up to `end` (more of the file is durable now), unless the
    /// file was found cut short.
    pub fn extend_to(&mut self, end: u64) {
        if !self.cut_short {
            self.end = self.end.max(end);
        }
    }

    /// Whether the file was found shorter than what was to be read, and
    /// everything up to where it ends is read.
    pub fn cut_short_and_read(&self) -> bool {
        self.cut_short && self.offset >= self.end
    }

    /// Whether every byte up to the end is read.
    pub fn at_end(&self) -> bool {
        self.offset >= self.end
    }

    /// The bytes of the record [`next`](Self::next) just returned.
    pub fn record(&self) -> &[u8] {
        &self.window[self.last.clone()]
    }

    /// The next record, or damaged stretch; `None` at the end.
    pub fn next(&mut self) -> io::Result<Option<Item>> {
        if self.offset >= self.end {
            return Ok(None);
        }
        let start = self.offset;
        match self.decode_at(start)? {
            Decoded::Record { content, len } => {
                self.offset += len as u64;
                Ok(Some(Item::Record {
                    offset: start,
                    len,
                    content,
                }))
            }
            Decoded::Incomplete { .. } => Ok(Some(Item::Damaged(self.resync(
                start,
                true,
                "the file ends inside a record",
            )?))),
            Decoded::Damaged(reason) => Ok(Some(Item::Damaged(self.resync(start, false, reason)?))),
        }
    }

    /// Finds the next valid record after the damage at `from`; the stretch
    /// up to it (or to the end) is damaged, and reading goes on there.
    fn resync(&mut self, from: u64, torn: bool, reason: &'static str) -> io::Result<Stretch> {
        let mut candidate = from + 1;
        let found = loop {
            let Some(at) = self.find_marker(candidate)? else {
                break None;
            };
            if matches!(self.decode_at(at)?, Decoded::Record { .. }) {
                break Some(at);
            }
            candidate = at + 1;
        };
        let resumed = found.unwrap_or(self.end);
        self.offset = resumed;
        Ok(Stretch {
            offset: from,
            bytes: resumed - from,
            to_end: found.is_none(),
            // Torn: a record cut short by the end, with nothing after it.
            torn: torn && found.is_none(),
            reason,
        })
    }

    /// The offset of the next marker at or after `from`, if any before the end.
    fn find_marker(&mut self, mut from: u64) -> io::Result<Option<u64>> {
        while from < self.end {
            // What the window holds from there (refilled only when it holds
            // less than a marker), so that a false marker costs no re-read.
            let window = self.available(from, MARKER.len())?;
            let searched = window.len();
            if let Some(at) = window.windows(MARKER.len()).position(|w| w == MARKER) {
                return Ok(Some(from + at as u64));
            }
            if searched < MARKER.len() {
                return Ok(None);
            }
            // A marker may straddle two windows.
            from += (searched - (MARKER.len() - 1)) as u64;
        }
        Ok(None)
    }

    /// Decodes the record at `at`, reading as much of it as there is.
    fn decode_at(&mut self, at: u64) -> io::Result<Decoded> {
        let head = self.bytes(at, format::RECORD_HEADER_LEN)?;
        let decoded = format::decode(head);
        let Decoded::Incomplete { needed } = decoded else {
            return Ok(self.keep(at, decoded));
        };
        if head.len() < format::RECORD_HEADER_LEN {
            return Ok(decoded);
        }
        // Written bytes, where the scan reads next, when the window holds the
        // whole record (else it is read from the file). A candidate after
        // damage is always checked.
        let window_end = self.window_at + self.filled as u64;
        let written = self.written
            && at == self.offset
            && at >= self.window_at
            && at + needed as u64 <= window_end;
        let bytes = self.bytes(at, needed)?;
        let decoded = if written {
            format::decode_written(bytes)
        } else {
            format::decode(bytes)
        };
        Ok(self.keep(at, decoded))
    }

    /// Remembers where a valid record's bytes are in the window.
    fn keep(&mut self, at: u64, decoded: Decoded) -> Decoded {
        if let Decoded::Record { len, .. } = decoded {
            let start = (at - self.window_at) as usize;
            self.last = start..start + len;
        }
        decoded
    }

    /// The bytes the window holds from `at`, or, when that is fewer than
    /// `min`, up to a window's worth read from there.
    fn available(&mut self, at: u64, min: usize) -> io::Result<&[u8]> {
        let window_end = self.window_at + self.filled as u64;
        if at >= self.window_at && at + min as u64 <= window_end {
            let start = (at - self.window_at) as usize;
            let end = self.filled.min(start + WINDOW);
            let end = end.min(start + usize::try_from(self.end - at).unwrap_or(usize::MAX));
            return Ok(&self.window[start..end]);
        }
        self.bytes(at, WINDOW)
    }

    /// Up to `len` bytes from `at` (fewer at the end), read into the window
    /// unless it has them.
    fn bytes(&mut self, at: u64, len: usize) -> io::Result<&[u8]> {
        let len = len.min(usize::try_from(self.end.saturating_sub(at)).unwrap_or(usize::MAX));
        let window_end = self.window_at + self.filled as u64;
        if at < self.window_at || at + len as u64 > window_end {
            let fill = len
                .max(WINDOW)
                .min(usize::try_from(self.end - at).unwrap_or(usize::MAX));
            self.written = false;
            self.window_at = at;
            self.filled = 0;
            if self.window.len() < fill {
                self.window.resize(fill, 0);
            }
            let read = match &mut self.file {
                Some(file) => {
                    file.seek(SeekFrom::Start(at))?;
                    read_full(file, &mut self.window[..fill])?
                }
                None => 0,
            };
            self.filled = read;
            self.file_bytes += read as u64;
            if read < fill {
                // The file is shorter than it was: what is missing is the end.
                self.end = at + read as u64;
                self.cut_short = true;
            }
        }
        let start = (at - self.window_at) as usize;
        let available = self.filled - start;
        Ok(&self.window[start..start + len.min(available)])
    }
}

/// Reads until `buf` is full or the file ends; the bytes read.
pub(crate) fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sender::spool::format::{push_event, push_settled, HEADER_LEN};
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> File {
        let mut file = tempfile();
        file.write_all(bytes).unwrap();
        file
    }

    fn temp_path() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join("algolia-insights-scan-tests");
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ))
    }

    fn tempfile() -> File {
        let path = temp_path();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        std::fs::remove_file(&path).unwrap();
        file
    }

    /// A file holding `bytes`, and the same file opened write-only: every
    /// read through that one fails.
    fn file_and_write_only(bytes: &[u8]) -> (File, File) {
        let path = temp_path();
        std::fs::write(&path, bytes).unwrap();
        let readable = File::open(&path).unwrap();
        let write_only = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        (readable, write_only)
    }

    /// The event numbers read, and the damaged stretches (offset, bytes).
    fn read_all(bytes: &[u8]) -> (Vec<u64>, Vec<(u64, u64, bool)>) {
        let mut scan = SegmentScan::new(file_with(bytes), HEADER_LEN as u64, bytes.len() as u64);
        read_rest(&mut scan)
    }

    /// The event numbers `scan` reads from where it is to its end, and the
    /// damaged stretches (offset, bytes, torn).
    fn read_rest(scan: &mut SegmentScan) -> (Vec<u64>, Vec<(u64, u64, bool)>) {
        let (mut events, mut damaged) = (Vec::new(), Vec::new());
        while let Some(item) = scan.next().unwrap() {
            match item {
                Item::Record {
                    content: Content::Event { number },
                    len,
                    ..
                } => {
                    assert_eq!(scan.record().len(), len);
                    events.push(number)
                }
                Item::Record { .. } => {}
                Item::Damaged(stretch) => {
                    damaged.push((stretch.offset, stretch.bytes, stretch.torn))
                }
            }
        }
        (events, damaged)
    }

    /// A segment of these events (and settled records between them), and
    /// where each event's record is.
    fn segment(events: std::ops::Range<u64>) -> (Vec<u8>, Vec<Range<usize>>) {
        let mut bytes = format::header(events.start).to_vec();
        let mut records = Vec::new();
        for number in events {
            let start = bytes.len();
            let json = format!(r#"{{"eventType":"view","userToken":"user-{number}"}}"#);
            push_event(&mut bytes, number, json.as_bytes());
            records.push(start..bytes.len());
            if number % 7 == 0 {
                push_settled(&mut bytes, number + 1, number / 2);
            }
        }
        (bytes, records)
    }

    #[test]
    fn every_record_is_read_in_order() {
        let (bytes, _) = segment(10..60);
        assert_eq!(read_all(&bytes), ((10..60).collect(), vec![]));
    }

    #[test]
    fn damage_costs_only_the_records_it_touches() {
        let (bytes, records) = segment(0..40);
        for (i, offset) in records.iter().map(|r| r.start as u64).enumerate() {
            for field in [0, 4, 8, 12, 13, 21, 30] {
                let mut damaged = bytes.clone();
                damaged[offset as usize + field] ^= 0x41;
                let (events, stretches) = read_all(&damaged);
                let expected: Vec<u64> = (0..40).filter(|&n| n != i as u64).collect();
                assert_eq!(events, expected, "byte {field} of record {i}");
                assert_eq!(stretches.len(), 1);
                assert_eq!(stretches[0].0, offset);
            }
        }
    }

    /// The events whose records do not touch the bytes `damaged`.
    fn untouched(records: &[Range<usize>], damaged: Range<usize>) -> Vec<u64> {
        (0..records.len())
            .filter(|&n| records[n].end <= damaged.start || records[n].start >= damaged.end)
            .map(|n| n as u64)
            .collect()
    }

    #[test]
    fn written_bytes_are_read_from_memory_not_from_the_file() {
        let (bytes, _) = segment(0..50);
        // The file's copy is all zeros: every record found comes from memory.
        let file = file_with(&vec![0; bytes.len()]);
        let end = bytes.len() as u64;
        let mut scan = SegmentScan::new(file, HEADER_LEN as u64, end);
        let refused = scan.read_written(end, bytes[..].to_vec());
        assert_eq!(
            refused, bytes,
            "bytes that do not hold the offset are refused"
        );
        scan.read_written(0, bytes.clone());
        let mut events = Vec::new();
        while let Some(item) = scan.next().unwrap() {
            match item {
                Item::Record {
                    content: Content::Event { number },
                    ..
                } => events.push(number),
                Item::Record { .. } => {}
                Item::Damaged(stretch) => panic!("{stretch:?}"),
            }
        }
        assert_eq!(events, (0..50).collect::<Vec<_>>());
        assert_eq!(scan.file_bytes(), 0);
    }

    #[test]
    fn after_a_failed_read_the_next_call_reads_the_file_not_the_old_window() {
        let (bytes, records) = segment(0..20);
        let (readable, write_only) = file_and_write_only(&bytes);
        // The first ten records are read: the window holds their bytes.
        let half = records[10].start as u64;
        let mut scan = SegmentScan::new(readable, HEADER_LEN as u64, half);
        assert_eq!(read_rest(&mut scan), ((0..10).collect(), vec![]));
        // The rest is durable now, and reading it fails.
        scan.extend_to(bytes.len() as u64);
        let readable = scan.file.replace(write_only).unwrap();
        assert!(scan.next().is_err(), "a read through a write-only file");
        assert_eq!(scan.offset(), half);
        // The failure left an empty window: once the file reads again, the
        // next call reads the records there, not the bytes the window held.
        scan.file = Some(readable);
        assert_eq!(read_rest(&mut scan), ((10..20).collect(), vec![]));
    }

    #[test]
    fn a_zeroed_page_costs_the_records_on_it() {
        let (mut bytes, offsets) = segment(0..200);
        bytes[4096..8192].fill(0);
        let (events, stretches) = read_all(&bytes);
        assert_eq!(events, untouched(&offsets, 4096..8192));
        assert_eq!(stretches.len(), 1);
    }

    #[test]
    fn a_cut_last_record_is_a_torn_tail() {
        let (bytes, offsets) = segment(0..10);
        let cut = offsets[9].start + 5;
        let (events, stretches) = read_all(&bytes[..cut]);
        assert_eq!(events, (0..9).collect::<Vec<_>>());
        assert_eq!(stretches, vec![(offsets[9].start as u64, 5, true)]);
    }

    #[test]
    fn damage_across_windows_is_found_and_passed() {
        // Records past the first window, damage at its edge.
        let (mut bytes, offsets) = segment(0..8000);
        let edge = offsets.iter().position(|o| o.start > WINDOW).unwrap();
        let at = offsets[edge - 1].start + 2;
        bytes[at..at + 300].fill(0xF5);
        let (events, stretches) = read_all(&bytes);
        assert_eq!(stretches.len(), 1);
        assert_eq!(events, untouched(&offsets, at..at + 300));
    }
}
